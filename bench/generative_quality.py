"""How good are the mini world's generators? Precision / recall / density / coverage (and MMD) of unguided DiT and
Minimax samples against real images in the teacher's feature space, next to the same numbers for real training images
(the ceiling a perfect generator would reach). Issue 15, item 7.

    python bench/generative_quality.py --per_class 100 --out results/generative_quality.json           # test split, CFG 4
    python bench/generative_quality.py --ref val --cfg_scales 1,1.5,2,2.5,3,4 --backbones dit \\
        --out results/generative_quality_val.json                                                      # choosing the CFG

`--ref test` compares with Fashion-MNIST's test split (10,000 images; report only). `--ref val` compares with the
6,000 images of the validation split (`train_val_split(60000, 0.1, 0)`, the split that chose λ), and the real-train
ceiling is drawn from the rest of the training split. Every number is class-conditional (per class, then the mean).

The mini world's sampling CFG is chosen with `--ref val`, by a rule fixed before the grid ran (commit of this text):
the scale with the **lowest MMD** of the DiT's samples to the validation images (MMD scores fidelity and diversity
together); where two scales are within 0.005 of it, the one with the higher coverage. Student accuracy plays no part.
"""
import argparse, json, time
import torch
from concord.core import atomic_write_json, run_record
from concord.data import load_fashion_mnist, to_model_images, train_val_split
from concord.metrics import features, feature_metrics, real_subsample
from concord.mini import load_mini_world
from concord.sampler import DiTSampler


def choose_cfg(rows:dict, backbone:str='dit', tol:float=0.005) -> float:
    "The rule above: lowest MMD of `backbone`'s rows, the highest coverage among those within `tol` of it."
    mine = {r['cfg_scale']: r for k, r in rows.items() if k.startswith(backbone + ' ')}
    best = min(r['mmd'] for r in mine.values())
    return max((c for c, r in mine.items() if r['mmd'] <= best + tol), key=lambda c: (mine[c]['coverage'], -mine[c]['mmd']))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--per_class', type=int, default=100, help='samples (and real images) per class')
    p.add_argument('--steps', type=int, default=50)
    p.add_argument('--cfg_scales', default='4', help='comma-separated classifier-free guidance scales')
    p.add_argument('--cfg_scale', type=float, default=None, help='one scale (as before --cfg_scales)')
    p.add_argument('--backbones', default='dit,minimax')
    p.add_argument('--ref', choices=('test', 'val'), default='test', help='real images to compare with')
    p.add_argument('--seed', type=int, default=0); p.add_argument('--k', type=int, default=5)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--out', default='results/generative_quality.json')
    a = p.parse_args(argv)
    scales = [a.cfg_scale] if a.cfg_scale is not None else [float(c) for c in a.cfg_scales.split(',')]
    torch.set_num_threads(a.threads)
    xtr, ytr = load_fashion_mnist('train'); xtr = to_model_images(xtr)
    if a.ref == 'test': (xr, yr), pool = load_fashion_mnist('test'), torch.arange(len(ytr))
    else:
        pool, val = train_val_split(len(ytr), 0.1, 0)
        xr, yr = xtr[val], ytr[val]
    if a.ref == 'test': xr = to_model_images(xr)
    rows, t0 = {}, time.time()
    teacher = load_mini_world('cpu', backbone='dit').teacher
    ref_f = features(teacher, xr)
    pick = pool[real_subsample(ytr[pool], a.per_class, a.seed)]
    rows['real train (ceiling)'] = feature_metrics(features(teacher, xtr[pick]), ytr[pick], ref_f, yr, k=a.k)
    print(f"{'real train (ceiling)':22s} " + '  '.join(f"{n} {float(v):.4f}" for n, v in rows['real train (ceiling)'].items()), flush=True)
    classes = torch.arange(10).repeat_interleave(a.per_class)
    for bb in a.backbones.split(','):
        w = load_mini_world('cpu', backbone=bb)
        s = DiTSampler(w.transformer, w.vae, w.scheduler)
        for c in scales:
            t1 = time.time()
            x = s.sample(classes, seed=a.seed, steps=a.steps, cfg_scale=c, batch_size=100, progress=False)
            m = feature_metrics(features(teacher, x), classes, ref_f, yr, k=a.k)
            m['seconds'] = round(time.time() - t1, 1)
            with torch.no_grad(): m['teacher_top1'] = float((teacher(x).argmax(1) == classes).float().mean() * 100)
            key = bb if len(scales) == 1 and a.cfg_scale is not None else f'{bb} cfg {c:g}'
            rows[key] = dict(m, cfg_scale=c)
            print(f"{key:22s} " + '  '.join(f"{n} {float(v):.4f}" for n, v in m.items()), flush=True)
    out = dict(rows={k: {n: round(float(v), 4) for n, v in r.items()} for k, r in rows.items()}, ref=a.ref,
               settings=vars(a), record=run_record(**vars(a)), wall_seconds=round(time.time() - t0, 1))
    if a.ref == 'val' and len(scales) > 1 and 'dit' in a.backbones.split(','): out['chosen_cfg'] = choose_cfg(out['rows'])
    atomic_write_json(a.out, out)
    if 'chosen_cfg' in out: print('chosen cfg_scale (lowest DiT MMD, coverage within 0.005):', out['chosen_cfg'])


if __name__ == '__main__': main()
