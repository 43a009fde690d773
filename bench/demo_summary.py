"""Print the table `make demo` ends with: test top-1 and concept completeness of each set, and how much informing changed
the images; the same numbers go to FOLDER/demo_summary.json (with the run record), which `bench/demo_spread.py` reads.
The JSON also holds each set's distribution metrics against the 10,000 test images (class by class in the teacher's
features: MMD, precision, recall, density, coverage; `concord.metrics.set_metrics`), which describe, and choose nothing.

    python bench/demo_summary.py distilled concord dit random              # IPC 10 (fmnist-METHOD-ipc10 folders)
    DEMO_IPC=1 python bench/demo_summary.py distilled concord dit random   # the sets of `make demo DEMO_IPC=1`
"""
import json, os, sys
from pathlib import Path
from concord.core import atomic_write_json, run_record
from concord.data import load_distilled
from concord.mini import mini_concept_bank, load_mini_teacher
from concord.metrics import set_metrics
from concord.data import load_fashion_mnist, to_model_images
from concord.meter import meter_table_path, load_meter_table, set_completeness


def main(folder, *methods):
    folder, ipc = Path(folder), int(os.environ.get('DEMO_IPC', '10'))
    r = {m: json.loads((folder/f'fmnist-{m}-ipc{ipc}.eval.json').read_text()) for m in methods}
    first = next(iter(r.values()))
    print(f"\nFashion-MNIST, IPC {ipc}, ConvNet-3 trained on the set alone ({first['settings']['protocol']} labels, "
          f"{first['settings']['epochs']} epochs, seeds {first['seeds']}), test top-1:")
    bank, table = mini_concept_bank(), load_meter_table(meter_table_path('fashion-mnist'))
    print("  (completeness: the share of each image's class's top-5 measurable concepts the concept meter finds present, "
          "mean with a 95% bootstrap CI)")
    rows, teacher = {}, load_mini_teacher()
    xt, yt = load_fashion_mnist('test'); xt = to_model_images(xt)
    for m, v in r.items():
        x, y = load_distilled(folder/f'fmnist-{m}-ipc{ipc}')
        c = set_completeness(x, y, bank, table)
        sm = set_metrics(x, y, xt, yt, teacher, k=5, max_real=None)   # recall only over classes with IPC > k
        rows[m] = dict(top1=v['mean'], seeds=v['seeds'], completeness=c['mean'], completeness_ci=[c['ci_low'], c['ci_high']],
                       set_metrics_vs_test={n: round(float(q), 4) if q == q else None for n, q in sm.items()})   # None: undefined (recall at IPC <= k)
        print(f"  {m:8s} {v['mean']:6.2f} %   completeness {c['mean']:.3f} [{c['ci_low']:.3f}, {c['ci_high']:.3f}]")
    changed = None
    if {'concord', 'dit'} <= set(methods):   # same DiT, noise and seeds: the difference is the informing alone
        a, _ = load_distilled(folder/f'fmnist-concord-ipc{ipc}'); b, _ = load_distilled(folder/f'fmnist-dit-ipc{ipc}')
        changed = (a - b).abs().mean().item() * 127.5
        print(f"  informing changed the images by {changed:.1f} grey levels of 255 on average")
    atomic_write_json(folder/'demo_summary.json', dict(run_record(ipc=ipc, evaluation=first['settings']), sets=rows,
                                                       informing_grey_levels=changed))


if __name__ == '__main__':
    main(*sys.argv[1:])
