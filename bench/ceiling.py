"""One ceiling of the bench ("the full training set") trained to convergence by `concord.bench.train_ceiling`: the protocol's
student on the training split less the validation images, validation top-1 after every epoch, stopping after --patience
epochs without improvement (at most --max_epochs); the best-validation network scored on all 10,000 test images. Writes
results/ceilings/PROTOCOL.json with the epochs, the validation history, the settings, the seed and the commit.

    OMP_NUM_THREADS=1 python bench/ceiling.py convnet-hard [--patience 3] [--max_epochs 100]
"""
import argparse
from pathlib import Path
import torch
from concord.core import atomic_write_json, run_record
from concord.bench import BenchSettings, train_ceiling, PROTOCOLS

ap = argparse.ArgumentParser()
ap.add_argument('protocol', choices=list(PROTOCOLS)); ap.add_argument('--patience', type=int, default=3)
ap.add_argument('--max_epochs', type=int, default=100); ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--out', default='results/ceilings')
a = ap.parse_args()
torch.set_num_threads(1)
s = BenchSettings(out='results/tmp/ceiling', ceiling_patience=a.patience, ceiling_epochs={a.protocol: a.max_epochs},
                  test_images={})   # all 10,000 test images
r = train_ceiling(s, a.protocol, seed=a.seed)
atomic_write_json(Path(a.out)/f'{a.protocol}.json', dict(record=run_record(protocol=a.protocol, patience=a.patience, max_epochs=a.max_epochs,
                                                                          seed=a.seed, threads=1), result=r))
print(f"{a.protocol}: test top-1 {r['acc']:.2f}% after {r['epochs']} epochs (best validation {r['val_acc']:.2f}% at epoch "
      f"{r['best_epoch']}; converged: {r['converged']}; {r['seconds']} s)")
