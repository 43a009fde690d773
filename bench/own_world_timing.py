"""Time `concord world train`'s stages on a dataset of 10 classes x 800 images at 28 px (Fashion-MNIST's images written as
PNGs under other names), with the default settings (`concord.own.OWN_SETTINGS`): each stage runs `--steps` optimizer steps
at its default batch size, and the full stage is projected from the measured seconds per step (plus its fixed cost), in wall
seconds and in CPU seconds of the process (which a busy machine does not inflate as much). Writes JSON.

    python bench/own_world_timing.py --out results/own-world/timing.json [--steps 20] [--threads 2] [--only tiny_decoder]

`--only` times the named stages and replaces their entries in an existing OUT (the others keep their record).
"""
import argparse, json, os, platform, tempfile, time
from pathlib import Path


def write_dataset(root:Path, per_class:int=800, test_per_class:int=100) -> float:
    from PIL import Image
    from concord.data import load_fashion_mnist
    t0 = time.time()
    for split, n in (('train', per_class), ('test', test_per_class)):
        x, y = load_fashion_mnist(split)
        for k in range(10):
            d = root/split/f'kind{k}'; d.mkdir(parents=True, exist_ok=True)
            for j, i in enumerate((y == k).nonzero().flatten()[:n].tolist()): Image.fromarray(x[i].numpy()).save(d/f'{j:04d}.png')
    return time.time() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', default='results/own-world/timing.json')
    p.add_argument('--steps', type=int, default=20)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--only', default='teacher,vae,dit,clip,tiny_decoder', help='comma-separated stages to time')
    a = p.parse_args()
    only = set(a.only.split(','))
    import torch
    torch.set_num_threads(a.threads)
    from concord.own import OWN_SETTINGS, open_split, make_teacher
    from concord.data import folder_images
    from concord.mini import train_mini_vae, train_mini_dit, train_mini_clip, mini_scheduler
    from concord.tiny_decoder import make_world_tiny_decoder
    S, n, r = OWN_SETTINGS, a.steps, {}
    old = json.loads(Path(a.out).read_text()) if Path(a.out).is_file() and only != {'teacher', 'vae', 'dit', 'clip', 'tiny_decoder'} else {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        r['write_pngs_s'] = round(write_dataset(tmp/'ds'), 1)
        t0 = time.time(); train = open_split(tmp/'ds'); x, y = folder_images(train); r['load_s'] = round(time.time() - t0, 1)
        def timed(name, fn, default_steps):
            "Seconds per step from runs of 2 and 2 + n steps (their difference), and the fixed cost of a run (data encoding, set-up)."
            if name not in only: return
            t0, c0 = time.time(), time.process_time(); fn(2); t2, c2 = time.time() - t0, time.process_time() - c0
            t0, c0 = time.time(), time.process_time(); fn(2 + n); tn, cn = time.time() - t0, time.process_time() - c0
            s, cs = (tn - t2) / n, (cn - c2) / n; fixed, cfixed = max(0.0, t2 - 2 * s), max(0.0, c2 - 2 * cs)
            r[name] = dict(s_per_step=round(s, 3), fixed_s=round(fixed, 1), default_steps=default_steps, projected_s=round(fixed + s * default_steps),
                           cpu_s_per_step=round(cs, 3), cpu_fixed_s=round(cfixed, 1), projected_cpu_s=round(cfixed + cs * default_steps))
            print(name, r[name], flush=True)
        bs = S['teacher']['batch_size']; tsteps = int(S['teacher']['epochs'] * len(x) / bs)
        timed('teacher', lambda k: make_teacher(tmp/f't{k}', train, 'mini', images=x, labels=y, progress=False, force=True,
                                                **dict(S['teacher'], epochs=k * bs / len(x))), tsteps)
        vae = train_mini_vae(x, steps=1, batch_size=S['vae']['batch_size'], progress=False)
        timed('vae', lambda k: train_mini_vae(x, progress=False, **dict(S['vae'], steps=k)), S['vae']['steps'])
        timed('dit', lambda k: train_mini_dit(x, y, vae, num_classes=10, progress=False, **dict(S['dit'], steps=k)), S['dit']['steps'])
        c = {k: v for k, v in S['clip'].items() if k != 'captions'}
        timed('clip', lambda k: train_mini_clip(x, y, train.classes, progress=False, **dict(c, steps=k)), S['clip']['steps'])
        if 'tiny_decoder' in only:   # on an untrained VAE and DiT: the cost does not depend on their weights
            dit = train_mini_dit(x, y, vae, num_classes=10, progress=False, **dict(S['dit'], steps=1))
            timed('tiny_decoder', lambda k: make_world_tiny_decoder(tmp/f'td{k}', vae, dit, mini_scheduler(), x, y, progress=False,
                                                                    force=True, **dict(S['tiny_decoder'], steps=k)), S['tiny_decoder']['steps'])
    r = {**old, **r}   # --only: the other stages' entries kept
    stages = [v for k, v in r.items() if isinstance(v, dict) and 'projected_s' in v]
    r['projected_total_s'] = round(sum(v['projected_s'] for v in stages) + r['load_s'])
    r['projected_total_cpu_s'] = round(sum(v['projected_cpu_s'] for v in stages))
    now = dict(threads=a.threads, measured_steps=n, cpu_count=os.cpu_count(), load_average=[round(v, 2) for v in os.getloadavg()],
               machine=platform.processor() or platform.machine())
    for k in only: r[k].update(now)   # each stage's own conditions (an --only run is another time)
    r.update(images=len(x), classes=10, **({} if old else now))   # the top level: the conditions of a full run
    Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(r, indent=2) + '\n')
    print(json.dumps(r, indent=2))


if __name__ == '__main__':
    main()
