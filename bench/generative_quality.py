"""How good are the mini world's generators? Precision / recall / density / coverage (and MMD) of unguided DiT and
Minimax samples against held-out real images (Fashion-MNIST's test split), in the teacher's feature space, next to
the same numbers for real training images (the ceiling a perfect generator would reach). Issue 15, item 7.

    python bench/generative_quality.py --per_class 100 --out results/generative_quality.json
"""
import argparse, json, time
import torch
from concord.core import atomic_write_json, run_record
from concord.data import load_fashion_mnist, to_model_images
from concord.metrics import features, feature_metrics, real_subsample
from concord.mini import load_mini_world
from concord.sampler import DiTSampler


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--per_class', type=int, default=100, help='samples (and real images) per class')
    p.add_argument('--steps', type=int, default=50); p.add_argument('--cfg_scale', type=float, default=4.0)
    p.add_argument('--seed', type=int, default=0); p.add_argument('--k', type=int, default=5)
    p.add_argument('--out', default='results/generative_quality.json')
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    xt, yt = load_fashion_mnist('test'); xt = to_model_images(xt)
    xtr, ytr = load_fashion_mnist('train'); xtr = to_model_images(xtr)
    rows, t0 = {}, time.time()
    w = load_mini_world('cpu', backbone='dit')
    teacher = w.teacher
    ref_f, ref_y = features(teacher, xt), yt                                      # held-out real: the whole test split
    pick = real_subsample(ytr, a.per_class, a.seed)
    rows['real train (ceiling)'] = feature_metrics(features(teacher, xtr[pick]), ytr[pick], ref_f, ref_y, k=a.k)
    classes = torch.arange(10).repeat_interleave(a.per_class)
    for bb in ('dit', 'minimax'):
        w = load_mini_world('cpu', backbone=bb)
        s = DiTSampler(w.transformer, w.vae, w.scheduler)
        t1 = time.time()
        x = s.sample(classes, seed=a.seed, steps=a.steps, cfg_scale=a.cfg_scale, batch_size=100, progress=False)
        m = feature_metrics(features(teacher, x), classes, ref_f, ref_y, k=a.k)
        m['seconds'] = round(time.time() - t1, 1)
        with torch.no_grad(): m['teacher_top1'] = float((teacher(x).argmax(1) == classes).float().mean() * 100)
        rows[bb] = m
    out = dict(rows={k: {n: round(float(v), 4) for n, v in r.items()} for k, r in rows.items()},
               settings=vars(a), record=run_record(**vars(a)), wall_seconds=round(time.time() - t0, 1))
    atomic_write_json(a.out, out)
    for k, r in out['rows'].items(): print(f"{k:22s} " + '  '.join(f"{n} {v}" for n, v in r.items()))


if __name__ == '__main__': main()
