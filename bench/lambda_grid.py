"""CONCORD's informing weight lambda on a wide log grid (issue 15, item 8): for every lambda, a DiT+CONCORD set at IPC 10
(50 DDIM steps) scored by the validation accuracy of a ConvNet-3 trained on it (soft labels, the bench's short schedule,
2,000 images held out of the *training* split) and by its concept completeness (the meter). No test image is read.

    python bench/lambda_grid.py [--out results/lambda-grid] [--seeds 1000,1001,1002,1003] [--workers 2]

Resumable: each (lambda, seed) is one task file under OUT/work/tasks/WORLD (WORLD: `mini_world_key()`, the shipped
models' manifest hash and sampling CFG, so that scores of another world are never reused); rerun to continue. Writes OUT/lambda_grid.json
(settings, commit, every task, the per-lambda means, the gains over lambda 0 paired by seed (mean ± standard error)
and the lambda chosen by mean validation accuracy) and
figures/lambda_grid_fmnist.png.
"""
import argparse, json, os, sys, time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from dataclasses import asdict


def _task(out, lam, seed):
    import torch
    torch.set_num_threads(1)
    os.environ.setdefault('HF_HUB_OFFLINE', '1')
    from concord.bench import BenchSettings, score_lambda, mini_world_key
    from concord.core import atomic_write_json
    s = BenchSettings(out=out)
    t0 = time.time()
    r = score_lambda(s, lam, seed=seed)
    r = dict(r, seed=seed, wall=round(time.time() - t0, 1))
    atomic_write_json(Path(out)/'work'/'tasks'/mini_world_key()/f'lam{lam:g}-seed{seed}.json', r)
    return r


def main():
    from concord.bench import BenchSettings, LAM_GRID, mini_world_key
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--out', default='results/lambda-grid')
    p.add_argument('--lams', default=','.join(f'{l:g}' for l in (0.0,) + LAM_GRID), help='comma-separated lambdas (0 = plain DiT)')
    p.add_argument('--seeds', default='1000,1001,1002,1003', help='comma-separated seeds (set and student)')
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--figure', default='figures/lambda_grid_fmnist.png')
    a = p.parse_args()
    lams = [float(v) for v in a.lams.split(',')]
    seeds = [int(v) for v in a.seeds.split(',')]
    tasks = Path(a.out)/'work'/'tasks'/mini_world_key()
    todo = [(l, s) for l in lams for s in seeds if not (tasks/f'lam{l:g}-seed{s}.json').is_file()]
    print(f"lambda grid: {len(lams) * len(seeds) - len(todo)} of {len(lams) * len(seeds)} tasks done; running {len(todo)} "
          f"with {a.workers} worker(s)", flush=True)
    t0 = time.time()
    with ProcessPoolExecutor(a.workers) as ex:
        futs = {ex.submit(_task, a.out, l, s): (l, s) for l, s in todo}
        for i, f in enumerate(as_completed(futs), 1):
            r = f.result()
            print(f"[{i}/{len(todo)}] lambda {r['lam']:g} seed {r['seed']}: validation {r['val_acc']:.2f}%, "
                  f"completeness {r['completeness']:.3f} ({time.time() - t0:.0f} s)", flush=True)
    rows = [json.loads((tasks/f'lam{l:g}-seed{s}.json').read_text()) for l in lams for s in seeds]
    import numpy as np
    from concord.core import run_record, atomic_write_json
    per = []
    base = {r['seed']: r for r in rows if r['lam'] == 0}   # plain DiT from the same seed: the paired reference
    for l in lams:
        rs = [r for r in rows if r['lam'] == l]
        acc = np.array([r['val_acc'] for r in rs]); comp = np.array([r['completeness'] for r in rs])
        row = dict(lam=l, val_acc_mean=float(acc.mean()), val_acc_std=float(acc.std()), completeness_mean=float(comp.mean()),
                   completeness_std=float(comp.std()), n=len(rs))
        if len(base) == len(seeds) and l > 0:   # gains over lambda 0 seed by seed: the seeds' spread cancels
            da = np.array([r['val_acc'] - base[r['seed']]['val_acc'] for r in rs])
            dc = np.array([r['completeness'] - base[r['seed']]['completeness'] for r in rs])
            se = lambda d: float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else float('nan')
            row.update(val_acc_gain=float(da.mean()), val_acc_gain_se=se(da), completeness_gain=float(dc.mean()), completeness_gain_se=se(dc))
        per.append(row)
    best = max((r for r in per if r['lam'] > 0), key=lambda r: r['val_acc_mean'])
    s = BenchSettings(out=a.out)
    summary = dict(run_record(lams=lams, seeds=seeds, ipc=s.lam_ipc, steps=s.steps, val_frac=s.val_frac, val_images=s.val_images,
                              student='convnet-soft', epochs_scale=s.scale('convnet-soft'), method='concord (DiT backbone, every step guided: the bench row dit-concord)'),
                   tasks=rows, per_lambda=per, chosen_lambda=best['lam'],
                   rule='the lambda > 0 with the highest mean validation accuracy (lambda 0 is plain DiT, for reference)')
    atomic_write_json(Path(a.out)/'lambda_grid.json', summary)
    for r in per:
        gain = (f"   vs lambda 0, paired: {r['val_acc_gain']:+.2f} ± {r['val_acc_gain_se']:.2f} points, "
                f"completeness {r['completeness_gain']:+.4f} ± {r['completeness_gain_se']:.4f}") if 'val_acc_gain' in r else ''
        print(f"lambda {r['lam']:>5g}: validation {r['val_acc_mean']:.2f} ± {r['val_acc_std']:.2f}%   "
              f"completeness {r['completeness_mean']:.3f} ± {r['completeness_std']:.3f}{gain}")
    print(f"chosen lambda (validation accuracy): {best['lam']:g}")
    if a.figure:
        import matplotlib; matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        os.environ.setdefault('SOURCE_DATE_EPOCH', '0')
        xs = [max(r['lam'], 0.125) for r in per]
        fig, ax = plt.subplots(figsize=(5.5, 3.2))
        ax.errorbar(xs, [r['val_acc_mean'] for r in per], [r['val_acc_std'] for r in per], marker='o', color='tab:blue', capsize=2)
        ax.set_xscale('log', base=2); ax.set_xlabel('λ (0 drawn at 1/8: plain DiT)'); ax.set_ylabel('validation top-1 (%)', color='tab:blue')
        ax2 = ax.twinx()
        ax2.errorbar(xs, [r['completeness_mean'] for r in per], [r['completeness_std'] for r in per], marker='s', color='tab:red', capsize=2)
        ax2.set_ylabel('concept completeness', color='tab:red')
        ax.set_title(f"DiT+CONCORD, IPC {s.lam_ipc}, {s.steps} steps, seeds {','.join(map(str, seeds))}; chosen λ = {best['lam']:g}", fontsize=8)
        fig.tight_layout(); Path(a.figure).parent.mkdir(parents=True, exist_ok=True); fig.savefig(a.figure, dpi=130)
        print(f"wrote {a.figure}")


if __name__ == '__main__':
    main()
