"""How NOpt's step size (`lr`, the default of `concord distill --method dsco`) was chosen: the final MMD^2 of 10 images
to the real *training* images of two classes (T-shirt/top, shirt), in the teacher's features, for each candidate step
size and for plain sampling from the same noise (seed 0, 50 DDIM steps, one NOpt step per DDIM step). No test image and
no student is involved. Writes JSON with the settings and the commit.

    python bench/nopt_lr.py --out results/nopt_lr.json
"""
import argparse, torch
from concord.core import atomic_write_json, run_record
from concord.dsco import NOpt, real_targets, teacher_feature_fn
from concord.mini import load_mini_world
from concord.sampler import DiTSampler
from concord.data import load_fashion_mnist, to_model_images
from concord.metrics import features, mmd2


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--lrs', default='0.02,0.05,0.1'); ap.add_argument('--classes', default='0,6')
    ap.add_argument('--images', type=int, default=10); ap.add_argument('--steps', type=int, default=50)
    ap.add_argument('--out', default='results/nopt_lr.json')
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    w = load_mini_world('cpu', backbone='dit')
    xr, yr = load_fashion_mnist('train')
    targets = real_targets(w.teacher, to_model_images(xr), yr, per_class=1000, seed=0)
    sampler, fn = DiTSampler(w.transformer, w.vae, w.scheduler), teacher_feature_fn(w.teacher)
    res = {}
    for c in (int(v) for v in a.classes.split(',')):
        cls, idx = torch.full((a.images,), c), torch.arange(a.images)
        y, bw = targets.get(c)
        score = lambda imgs: round(float(mmd2(features(w.teacher, imgs), y, bw, unbiased=False)), 4)
        row = {'plain': score(sampler.sample_batch(cls, idx, 0, a.steps)[0])}
        for lr in (float(v) for v in a.lrs.split(',')):
            row[f'lr {lr:g}'] = score(sampler.sample_batch(cls, idx, 0, a.steps, hooks=[NOpt(fn, targets, lr=lr)])[0])
        res[w.classes[c]] = row
        print(w.classes[c], row, flush=True)
    atomic_write_json(a.out, dict(mmd2=res, record=run_record(**vars(a), seed=0, target_per_class=1000, nopt_steps=1)))


if __name__ == '__main__':
    main()
