"""Train (or load) the teacher of one student architecture on Fashion-MNIST's full training split with `concord.evaluator.teacher_for`,
measure its top-1 on the 10,000 test images and write the record to results/teachers/ARCH.json; --ship copies a small teacher
(< 5 MB) into concord/assets/teachers/, where `teacher_for` finds it first.

    OMP_NUM_THREADS=1 python bench/teachers.py conv3 [--epochs 1] [--ship]
"""
import argparse, shutil
from pathlib import Path
import torch
from concord.core import atomic_write_json, run_record
from concord.data import load_fashion_mnist, to_model_images
from concord.evaluator import teacher_for, accuracy, TEACHER_ASSETS

ap = argparse.ArgumentParser()
ap.add_argument('arch'); ap.add_argument('--epochs', type=int, default=1); ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--ship', action='store_true'); ap.add_argument('--out', default='results/teachers')
a = ap.parse_args()
torch.set_num_threads(1)
x, y = load_fashion_mnist('train'); x = to_model_images(x)
xt, yt = load_fashion_mnist('test'); xt = to_model_images(xt)
t = teacher_for(a.arch, x, y, 10, epochs=a.epochs, seed=a.seed, test=(xt, yt))
rec = dict(t.record, test_acc=round(100 * accuracy(t, xt, yt), 2), n_test=len(xt))
f = Path(rec['file'])
if a.ship and f.parent != TEACHER_ASSETS:
    if f.stat().st_size >= 5e6: raise SystemExit(f"{f} is {f.stat().st_size / 1e6:.1f} MB: too large to ship")
    TEACHER_ASSETS.mkdir(parents=True, exist_ok=True); shutil.copy(f, TEACHER_ASSETS/f.name); rec['shipped'] = str(TEACHER_ASSETS/f.name)
atomic_write_json(Path(a.out)/f"{a.arch.replace(':', '-')}.json", dict(record=run_record(arch=a.arch, epochs=a.epochs, seed=a.seed), teacher=rec))
print(f"{a.arch}: test top-1 {rec['test_acc']:.2f}% ({rec.get('seconds')} s to train; {rec['file']})")
