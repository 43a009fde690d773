"""Evaluate one Fashion-MNIST set with each evaluation preset for the same number of epochs (issue 16's comparison with the
peers' own code) and write the results with settings, seed and commit.

    OMP_NUM_THREADS=1 python bench/presets_on_set.py [--set DIR] [--epochs 20] [--presets idc,rded,concord-hard,concord-soft]

Without --set it first makes the DiT IPC-10 set of `make demo` (concord distill --method dit, seed 0) under results/tmp/."""
import argparse, json
from pathlib import Path
import torch
from concord.core import atomic_write_json, run_record
from concord.bench import presets_on_set, PEER_NUMBERS

ap = argparse.ArgumentParser()
ap.add_argument('--set', default=None); ap.add_argument('--epochs', type=int, default=20); ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--presets', default='idc,rded,concord-hard,concord-soft'); ap.add_argument('--out', default='results/presets/dit-ipc10.json')
a = ap.parse_args()
torch.set_num_threads(1)
folder = a.set
if folder is None:
    from concord.distill import distill
    from concord.settings import DistillSettings
    from concord.mini import load_mini_world
    folder = 'results/tmp/fmnist-dit-ipc10'
    distill(DistillSettings(out=folder, method='dit', ipc=10, seed=0), load_mini_world('cpu'), progress=False)
out = Path(a.out)
old = json.loads(out.read_text())['presets'] if out.is_file() else {}   # presets run earlier with the same settings are kept
res = presets_on_set(folder, epochs=a.epochs, seed=a.seed, presets=tuple(a.presets.split(',')), progress=False)
for name, r in res.items():
    print(f"{name:13s} concord: final {r['acc_final'][0]:.2f} %, best check {r['acc_best'][0]:.2f} % ({r['seconds']} s) | peers' code: {r['peers']}")
atomic_write_json(out, dict(record=run_record(set=str(folder), epochs=a.epochs, seed=a.seed, threads=1), peers=PEER_NUMBERS,
                            presets={**old, **res}))
