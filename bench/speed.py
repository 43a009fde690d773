"""Seconds per generated image: the unguided sampler vs CONCORD in both gradient modes and DsCo's NOpt.

Same model, batch, steps and seeds for every variant, measured in one run with the variants
interleaved (A B C A B C ...) so that load on a shared machine hits all of them alike; the
result is the ratio to unguided (the CONCORD paper reports 2.1 s -> 5.3 s per image for
Minimax on an A100, about 2.5x). Writes JSON with the settings, the machine and the commit.

    python bench/speed.py                       # the mini world, 10 images per variant, 50 steps
    python bench/speed.py --images 20 --repeats 3 --out results/speed.json
"""
import argparse, json, platform, statistics, time
from pathlib import Path
import torch
from concord.core import atomic_write_json, run_record, get_device
from concord.guidance import Guidance, ConceptObjective
from concord.sampler import DiTSampler
from concord.dsco import NOpt, real_targets, teacher_feature_fn
from concord.data import load_fashion_mnist, to_model_images


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--images', type=int, default=10, help='images per variant and repeat (one batch)')
    ap.add_argument('--steps', type=int, default=50, help='DDIM steps')
    ap.add_argument('--repeats', type=int, default=2, help='interleaved repetitions; the median is reported')
    ap.add_argument('--lam', type=float, default=1.0, help='informing weight')
    ap.add_argument('--device', default=None, help='torch device (default: cuda if available)')
    ap.add_argument('--threads', type=int, default=None, help='torch CPU threads (default: torch default)')
    ap.add_argument('--out', default='results/speed.json', help='where to write the JSON')
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    dev = get_device(a.device)
    from concord.mini import load_mini_world
    w = load_mini_world(device=dev)
    sampler = DiTSampler(w.transformer, w.vae, w.scheduler)
    obj = ConceptObjective(w.clip, w.bank, w.classes)
    xr, yr = load_fashion_mnist('train')
    nopt = NOpt(teacher_feature_fn(w.teacher), real_targets(w.teacher, to_model_images(xr), yr, per_class=1000, seed=0))  # distill's defaults
    variants = {'unguided': None,
                'concord_through_model': Guidance(obj, lam=a.lam, mode='through_model'),
                'concord_x0_only': Guidance(obj, lam=a.lam, mode='x0_only'),
                'dsco_nopt': nopt}
    classes = torch.arange(a.images) % len(w.classes)
    indices = torch.arange(a.images) // len(w.classes)
    sampler.sample_batch(classes[:2], indices[:2], 0, 2, 4.0, variants['concord_through_model'])  # warm-up
    times = {k: [] for k in variants}
    for r in range(a.repeats):
        for name, g in variants.items():
            if dev.type == 'cuda': torch.cuda.synchronize()
            t0 = time.perf_counter()
            if isinstance(g, NOpt): sampler.sample_batch(classes, indices, r, a.steps, 4.0, hooks=[g])
            else: sampler.sample_batch(classes, indices, r, a.steps, 4.0, g)
            if dev.type == 'cuda': torch.cuda.synchronize()
            times[name].append((time.perf_counter() - t0) / a.images)
            print(f"repeat {r}: {name:24s} {times[name][-1]:.3f} s/image", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    res = dict(seconds_per_image=med, all_seconds_per_image=times,
               ratio_to_unguided={k: med[k] / med['unguided'] for k in med},
               device=str(dev), cpu_threads=torch.get_num_threads(), machine=platform.processor() or platform.machine(),
               record=run_record(world='mini', images=a.images, steps=a.steps, repeats=a.repeats, lam=a.lam, batch=a.images, cfg_scale=4.0))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(a.out, res)
    for k in med: print(f"{k:24s} {med[k]:.3f} s/image  x{res['ratio_to_unguided'][k]:.2f}")
    print(f"wrote {a.out}")
    return res


if __name__ == '__main__':
    main()
