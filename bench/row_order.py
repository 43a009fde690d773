"""Do the bench's shortened schedules keep the rows in order? (issue 16, item 6)

The main rows at IPC 10 over three seeds, evaluated twice with each protocol: with the bench's cuts (`epochs_scale`, 100
test images per class) and with the presets' full schedules on all 10,000 test images (`BenchSettings.full`). For every
protocol: Kendall's tau-b between the two orderings of the rows by mean top-1, the largest change of rank and its row
(`concord.bench.rank_agreement`), and the wall time of each run. lambda is fixed (default: the value the lambda grid chose
on the validation split, results/lambda-grid/lambda_grid.json) so that both runs rank the same sets.

    python bench/row_order.py [--protocols convnet-idc,conv3-rded,convnet-soft] [--seeds 0,1,2] [--workers 2]

Hours on two CPU cores. Both runs are `concord.bench.run_bench` folders (OUT/short, OUT/full): resumable task by task;
rerun the same command to continue. Writes OUT/row_order.json.
"""
import argparse, json, sys, time
from pathlib import Path

ROWS = ('random', 'herding', 'dit', 'dit-concord', 'minimax', 'minimax-concord', 'dsco-dope')


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--out', default='results/bench-order')
    p.add_argument('--protocols', default='convnet-idc,conv3-rded,convnet-soft')
    p.add_argument('--rows', default=','.join(ROWS))
    p.add_argument('--seeds', default='0,1,2')
    p.add_argument('--ipc', type=int, default=10)
    p.add_argument('--lam', type=float, default=None, help="CONCORD's lambda (default: the lambda grid's choice)")
    p.add_argument('--workers', type=int, default=2)
    a = p.parse_args(argv)
    from concord.bench import BenchSettings, run_bench, row_scores, rank_agreement
    from concord.core import atomic_write_json, run_record
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from guidance_tradeoff import chosen_lambda   # the one reader of the lambda grid's choice
    lam = a.lam if a.lam is not None else chosen_lambda()
    common = dict(ipcs=(a.ipc,), rows=tuple(a.rows.split(',')), seeds=tuple(int(v) for v in a.seeds.split(',')),
                  protocols=tuple(a.protocols.split(',')), lam=lam, ceiling=False, workers=a.workers)
    runs = {}
    for name, full in (('short', False), ('full', True)):
        t0 = time.time()
        print(f"== {name} schedules ({'full presets, all test images' if full else 'the bench cuts'})", flush=True)
        summary = run_bench(BenchSettings(out=str(Path(a.out)/name), full=full, **common))
        runs[name] = dict(summary=summary, seconds=round(time.time() - t0, 1))
    per = {}
    for pr in common['protocols']:
        s, f = (row_scores(runs[n]['summary'], pr, a.ipc) for n in ('short', 'full'))
        per[pr] = dict(rank_agreement(s, f), short=s, full=f)
        print(f"{pr}: tau {per[pr]['tau']:.3f}, largest rank change {per[pr]['max_rank_change']} ({per[pr]['row']})", flush=True)
    atomic_write_json(Path(a.out)/'row_order.json', dict(run_record(**{k: list(v) if isinstance(v, tuple) else v for k, v in common.items()},
                                                                   ipc=a.ipc), per_protocol=per,
                                                         wall_seconds={n: r['summary'].get('wall_seconds') for n, r in runs.items()}))
    print(f"wrote {Path(a.out)/'row_order.json'}")


if __name__ == '__main__': main()
