"""The demo's run-to-run spread: read the `demo_summary.json` of several `make demo` runs (one per DEMO_SEED: new sets and
new students each time, `make demo-spread`) and write each set's top-1 and completeness per run, their mean and SD, the
paired CONCORD - DiT differences and each run's wall time.

    python bench/demo_spread.py --out results/demo/demo_spread.json runs/demo-spread/seed-0 runs/demo-spread/seed-1 ...
"""
import argparse, json, statistics
from pathlib import Path
from concord.core import atomic_write_json, run_record


def mean_sd(v):
    "Mean and SD over runs of the values that are numbers (a metric undefined in a run, such as recall at IPC 1, is left out)."
    v = [x for x in v if x is not None and x == x]
    if not v: return None
    return dict(mean=statistics.fmean(v), sd=statistics.stdev(v) if len(v) > 1 else None, n=len(v))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('runs', nargs='+', help='folders of `make demo` runs (each with demo_summary.json)')
    p.add_argument('--out', default='results/demo/demo_spread.json')
    a = p.parse_args(argv)
    runs = {}
    for d in map(Path, a.runs):
        f = d/'demo_summary.json'
        if not f.is_file(): raise SystemExit(f"{f} is missing: run `make demo DEMO_DIR={d}` (or `make demo-spread`) first")
        w = d/'wall_seconds'
        runs[d.name] = dict(json.loads(f.read_text(), parse_constant=lambda c: None), wall_seconds=int(w.read_text()) if w.is_file() else None)
    methods = list(next(iter(runs.values()))['sets'])
    sets = {m: dict(top1=mean_sd([r['sets'][m]['top1'] for r in runs.values()]),
                    completeness=mean_sd([r['sets'][m]['completeness'] for r in runs.values()])) for m in methods}
    for m in methods:   # the sets' distribution metrics against the test images, where the runs recorded them
        sm = [r['sets'][m].get('set_metrics_vs_test') for r in runs.values()]
        if all(sm): sets[m]['set_metrics_vs_test'] = {k: mean_sd([v[k] for v in sm]) for k in sm[0]}
    paired = {}
    if {'concord', 'dit'} <= set(methods):
        paired = {k: mean_sd([r['sets']['concord'][k] - r['sets']['dit'][k] for r in runs.values()]) for k in ('top1', 'completeness')}
    walls = [r['wall_seconds'] for r in runs.values() if r['wall_seconds'] is not None]
    out = dict(run_record(runs=list(runs)), sets=sets, concord_minus_dit=paired, per_run=runs,
               wall_seconds=mean_sd(walls) if walls else None)
    atomic_write_json(a.out, out)
    print(f"{len(runs)} runs ({', '.join(runs)}): mean ± SD over runs")
    for m, v in sets.items():
        print(f"  {m:8s} top-1 {v['top1']['mean']:6.2f} ± {v['top1']['sd'] or 0:.2f} %   "
              f"completeness {v['completeness']['mean']:.3f} ± {v['completeness']['sd'] or 0:.3f}")
    for m, v in sets.items():
        if 'set_metrics_vs_test' in v:
            print(f"  {m:8s} vs the test images: " + ', '.join(f"{k} {q['mean']:.3f}" if q else f"{k} -" for k, q in v['set_metrics_vs_test'].items()))
    if paired:
        print(f"  CONCORD - DiT, paired by run: top-1 {paired['top1']['mean']:+.2f} ± {paired['top1']['sd'] or 0:.2f} points, "
              f"completeness {paired['completeness']['mean']:+.3f} ± {paired['completeness']['sd'] or 0:.3f}")
    if walls: print(f"  wall time per run {min(walls)}-{max(walls)} s")
    print(f"wrote {a.out}")


if __name__ == '__main__':
    main()
