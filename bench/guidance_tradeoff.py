"""CONCORD's cost against its gain (issue 18, item 5): guidance schedules, the gradient mode and the tiny decoder.

For every combination below, on the grounded mini world at lambda `--lam` (default: the value the lambda grid chose on the
validation split, results/lambda-grid/lambda_grid.json; `DEMO_LAM`), a DiT+CONCORD set at IPC 10 (50 DDIM steps) is scored as `concord.bench.score_lambda` scores one:
the validation top-1 of a ConvNet-3 trained on it (soft labels, the bench's short schedule, 2,000 images held out of
the *training* split) and its concept completeness (the meter). Plain DiT (the same sampler without informing) is the
reference of both gains. No test image is read.

The cost of each combination is its seconds per image over plain DiT's, measured in one process with the variants
interleaved (plain, A, B, ..., plain, A, B, ...) at the same batch (10), steps (50) and CFG scale (the world's).

    python bench/guidance_tradeoff.py [--out results/tradeoff] [--seeds 1000,1001] [--workers 2] [--threads 2]

Resumable: each (combination, seed) is one task file under OUT/work/WORLD-lamL/tasks (WORLD: `mini_world_key()`, the
shipped models' manifest hash and sampling CFG, so that scores of another world or lambda are never reused); rerun to continue. Writes OUT/tradeoff.json
(settings, commit, timings, every task, the per-combination means, the chosen default and the rule) and
figures/guidance_pareto_fmnist.png.
"""
import argparse, json, os, statistics, time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

# name: DistillSettings fields changed from the paper's guidance (through_model, every step, the VAE, float32)
COMBOS = {
    'full': {},
    'x0': dict(grad_mode='x0_only'),
    'tiny': dict(guide_decoder='tiny'),
    'x0+tiny': dict(grad_mode='x0_only', guide_decoder='tiny'),
    'tiny+every2': dict(guide_decoder='tiny', guide_every=2),
    'x0+tiny+every2': dict(grad_mode='x0_only', guide_decoder='tiny', guide_every=2),
    'x0+tiny+every4': dict(grad_mode='x0_only', guide_decoder='tiny', guide_every=4),
    'x0+tiny+steps10': dict(grad_mode='x0_only', guide_decoder='tiny', guide_steps=10),
    'x0+tiny+early-half': dict(grad_mode='x0_only', guide_decoder='tiny', window=(0.5, 1.0)),
    'x0+tiny+late': dict(grad_mode='x0_only', guide_decoder='tiny', window=(0.0, 0.5)),
    'x0+tiny+late+every2': dict(grad_mode='x0_only', guide_decoder='tiny', window=(0.0, 0.5), guide_every=2),
    'x0+tiny+late+every3': dict(grad_mode='x0_only', guide_decoder='tiny', window=(0.0, 0.5), guide_every=3),
    'x0+tiny+late+every4': dict(grad_mode='x0_only', guide_decoder='tiny', window=(0.0, 0.5), guide_every=4),
    'x0+tiny+last-quarter': dict(grad_mode='x0_only', guide_decoder='tiny', window=(0.0, 0.25)),
    'x0+late': dict(grad_mode='x0_only', window=(0.0, 0.5)),
    'tiny+every4': dict(guide_decoder='tiny', guide_every=4),
    'tiny+steps10': dict(guide_decoder='tiny', guide_steps=10),
    'tiny+late+every2': dict(guide_decoder='tiny', window=(0.0, 0.5), guide_every=2),
    'steps10': dict(guide_steps=10),
    'steps5': dict(guide_steps=5),
    'x0+every2': dict(grad_mode='x0_only', guide_every=2),
    'every2': dict(guide_every=2),
}


def work(out, lam) -> Path:
    "The folder of this world's and lambda's sets and task files."
    from concord.bench import mini_world_key
    return Path(out)/'work'/f'{mini_world_key()}-lam{lam:g}'


def chosen_lambda(path='results/lambda-grid/lambda_grid.json') -> float:
    "The lambda the grid chose on the validation split (8 where the grid has not run)."
    return float(json.loads(Path(path).read_text())['chosen_lambda']) if Path(path).is_file() else 8.0


def settings(name, seed, out, lam):
    "The DistillSettings of one task: plain DiT for 'plain', else DiT+CONCORD at `lam` with the combination's fields."
    from concord.bench import BenchSettings, _distill_settings
    s = BenchSettings(out=out)
    path = work(out, lam)/'sets'/f'{name}-seed{seed}'
    if name == 'plain':
        return replace(_distill_settings(s, 'dit', seed, s.lam_ipc, None, path))
    return replace(_distill_settings(s, 'dit-concord', seed, s.lam_ipc, lam, path), **COMBOS[name])


def _task(out, name, seed, lam):
    import torch
    torch.set_num_threads(1)
    os.environ.setdefault('HF_HUB_OFFLINE', '1')
    from concord.bench import BenchSettings, _world, _real, _student, _teacher, N_TRAIN
    from concord.distill import distill
    from concord.data import load_distilled, train_val_split
    from concord.evaluator import train_student, accuracy
    from concord.meter import set_completeness, load_meter_table, meter_table_path
    from concord.mini import mini_concept_bank
    from concord.core import atomic_write_json
    s, t0 = BenchSettings(out=out), time.time()
    ds = settings(name, seed, out, lam).validate()
    r = distill(ds, _world(s, 'dit'), device='cpu', progress=False, rank=0, world_size=1)
    x, y = load_distilled(ds.out)
    xtr, ytr = _real(s, 'train')
    _, val = train_val_split(N_TRAIN, s.val_frac, 0)
    val = val[val < len(ytr)][:s.val_images]
    m = train_student(x, y, 10, _student(s, 'convnet-soft', s.lam_ipc), _teacher(), seed=seed)
    comp = set_completeness(x, y, mini_concept_bank(), load_meter_table(meter_table_path('fashion-mnist')))
    res = dict(name=name, seed=seed, settings=ds.identity(), val_acc=100 * accuracy(m, xtr[val], ytr[val]), n_val=len(val),
               completeness=comp['mean'], completeness_ci=[comp['ci_low'], comp['ci_high']],
               seconds_per_image_1thread=r['seconds_per_image'], wall=round(time.time() - t0, 1))
    atomic_write_json(work(out, lam)/'tasks'/f'{name}-seed{seed}.json', res)
    return res


def timing(names, threads, repeats, lam, images=10, steps=50):
    "Seconds per image of every variant, interleaved in this process; the median over `repeats`."
    import torch
    torch.set_num_threads(threads)
    from concord.bench import BenchSettings
    from concord.distill import MAKERS, Run
    from concord.mini import load_mini_world
    from concord.sampler import DiTSampler
    w = load_mini_world(); cfg = w.cfg_scale
    sampler = DiTSampler(w.transformer, w.vae, w.scheduler)
    guides = {}
    for n in names:
        if n == 'plain': guides[n] = None; continue
        ds = settings(n, 0, 'results/tmp/tradeoff-timing', lam).validate()
        mk = MAKERS['concord'](ds); mk.bank = w.bank
        guides[n] = mk.guidance(Run(ds, w, list(range(10)), torch.device('cpu')))
    classes, indices = torch.arange(images) % 10, torch.arange(images) // 10
    for n, g in guides.items(): sampler.sample_batch(classes[:2], indices[:2], 0, 2, cfg, g)   # warm-up (and text embeddings)
    times = {n: [] for n in names}
    for r in range(repeats):
        for n, g in guides.items():
            t0 = time.perf_counter()
            sampler.sample_batch(classes, indices, r, steps, cfg, g)
            times[n].append((time.perf_counter() - t0) / images)
        print(f"timing repeat {r}: " + ', '.join(f"{n} {times[n][-1]:.3f}" for n in names), flush=True)
    return timing_summary(times, threads=threads, repeats=repeats, images=images, steps=steps, cfg_scale=cfg)


def timing_summary(times:dict, **settings) -> dict:
    "Ratios to plain from the fastest repeat of each variant (load on a shared machine only adds time), and from the medians."
    med, best = ({n: f(v) for n, v in times.items()} for f in (statistics.median, min))
    return dict(seconds_per_image=best, median_seconds_per_image=med, all_seconds_per_image=times,
                ratio={n: best[n] / best['plain'] for n in times}, ratio_of_medians={n: med[n] / med['plain'] for n in times},
                statistic='ratio: fastest repeat over fastest repeat', **settings)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--out', default='results/tradeoff')
    p.add_argument('--combos', default=','.join(COMBOS), help='comma-separated combinations (plain DiT is always added)')
    p.add_argument('--lam', type=float, default=None, help="CONCORD's lambda (default: the lambda grid's choice)")
    p.add_argument('--seeds', default='1000,1001', help='comma-separated seeds (set and student)')
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--threads', type=int, default=2, help='CPU threads of the timing run')
    p.add_argument('--repeats', type=int, default=3, help='interleaved timing repeats')
    p.add_argument('--skip_scores', action='store_true', help='only the timing (and the summary of the tasks already done)')
    p.add_argument('--timing_from', default=None, help="reuse the timings of this tradeoff.json instead of timing again")
    p.add_argument('--figure', default='figures/guidance_pareto_fmnist.png')
    p.add_argument('--keep', type=float, default=0.8, help='share of the full-cost gain the default must keep')
    a = p.parse_args()
    names = ['plain'] + [c for c in a.combos.split(',') if c]
    seeds = [int(v) for v in a.seeds.split(',')]
    lam = a.lam if a.lam is not None else chosen_lambda()
    tasks = work(a.out, lam)/'tasks'
    todo = [(n, s) for n in names for s in seeds if not (tasks/f'{n}-seed{s}.json').is_file()]
    if not a.skip_scores and todo:
        print(f"trade-off: {len(names) * len(seeds) - len(todo)} of {len(names) * len(seeds)} tasks done; running {len(todo)} "
              f"with {a.workers} worker(s)", flush=True)
        t0 = time.time()
        with ProcessPoolExecutor(a.workers) as ex:
            futs = {ex.submit(_task, a.out, n, s, lam): (n, s) for n, s in todo}
            for i, f in enumerate(as_completed(futs), 1):
                r = f.result()
                print(f"[{i}/{len(todo)}] {r['name']} seed {r['seed']}: validation {r['val_acc']:.2f}%, completeness "
                      f"{r['completeness']:.3f} ({time.time() - t0:.0f} s)", flush=True)
    if a.timing_from:   # the timings of an earlier run (its all_seconds_per_image), summarised again
        t = json.loads(Path(a.timing_from).read_text())['timing']
        tm = timing_summary(t['all_seconds_per_image'], **{k: t[k] for k in ('threads', 'repeats', 'images', 'steps', 'cfg_scale')})
    else: tm = timing(names, a.threads, a.repeats, lam)
    import numpy as np
    from concord.core import run_record, atomic_write_json
    from concord.bench import BenchSettings
    rows = [json.loads(f.read_text()) for n in names for s in seeds if (f := tasks/f'{n}-seed{s}.json').is_file()]
    per = {}
    for n in names:
        rs = [r for r in rows if r['name'] == n]
        if not rs: continue
        acc, comp = np.array([r['val_acc'] for r in rs]), np.array([r['completeness'] for r in rs])
        per[n] = dict(cost_ratio=tm['ratio'][n], val_acc_mean=float(acc.mean()), val_acc_std=float(acc.std()),
                      completeness_mean=float(comp.mean()), completeness_std=float(comp.std()), n=len(rs),
                      settings=COMBOS.get(n, dict(method='dit')))
    base = per['plain']
    for n, r in per.items():   # gains over plain DiT, paired by seed (same seeds, same students' seeds)
        pa = {x['seed']: x for x in rows if x['name'] == 'plain'}
        rs = [x for x in rows if x['name'] == n and x['seed'] in pa]
        r['acc_gain'] = float(np.mean([x['val_acc'] - pa[x['seed']]['val_acc'] for x in rs]))
        r['completeness_gain'] = float(np.mean([x['completeness'] - pa[x['seed']]['completeness'] for x in rs]))
    full = per.get('full')
    chosen, verdict, acc_counts, best_under = None, None, None, None
    if full is not None:
        for n, r in per.items():
            if n == 'plain': continue
            r['share_of_full_completeness_gain'] = r['completeness_gain'] / full['completeness_gain'] if full['completeness_gain'] else None
            r['share_of_full_acc_gain'] = r['acc_gain'] / full['acc_gain'] if full['acc_gain'] else None
        # the accuracy gain counts only where the full-cost one stands out of the seeds' noise (paired differences)
        pa = {x['seed']: x['val_acc'] for x in rows if x['name'] == 'plain'}
        d = np.array([x['val_acc'] - pa[x['seed']] for x in rows if x['name'] == 'full' and x['seed'] in pa])
        acc_counts = bool(len(d) > 1 and d.mean() > d.std(ddof=1))
        full['acc_gain_paired_sd'] = float(d.std(ddof=1)) if len(d) > 1 else None
        ok = [n for n, r in per.items() if n != 'plain' and r['share_of_full_completeness_gain'] is not None
              and r['share_of_full_completeness_gain'] >= a.keep and (not acc_counts or r['acc_gain'] >= a.keep * full['acc_gain'])]
        chosen = min(ok, key=lambda n: per[n]['cost_ratio']) if ok else None
        verdict = (f"{chosen}: cost x{per[chosen]['cost_ratio']:.2f}, keeps {100 * per[chosen]['share_of_full_completeness_gain']:.0f}% "
                   f"of the full-cost completeness gain" if chosen else f"no combination keeps {100 * a.keep:.0f}% of the full-cost gain")
        cheap = [n for n in ok if per[n]['cost_ratio'] <= 1.5]
        verdict += ('; at most 1.5x: ' + ', '.join(cheap)) if cheap else '; none at most 1.5x keeps it'
        under = [n for n, r in per.items() if n not in ('plain',) and r['cost_ratio'] <= 1.5 and r['share_of_full_completeness_gain'] is not None]
        best_under = max(under, key=lambda n: per[n]['share_of_full_completeness_gain']) if under else None   # the frontier at 1.5x
    s = BenchSettings(out=a.out)
    summary = dict(run_record(lam=lam, seeds=seeds, ipc=s.lam_ipc, steps=s.steps, val_frac=s.val_frac, val_images=s.val_images,
                              student='convnet-soft', epochs_scale=s.scale('convnet-soft'), combos={n: COMBOS.get(n) for n in names},
                              keep=a.keep, method='concord (DiT backbone) vs dit, mini world'),
                   timing=tm, per_combination=per, tasks=rows, chosen=chosen, verdict=verdict, best_at_most_1_5x=best_under,
                   accuracy_gain_used=acc_counts if full is not None else None,
                   rule=(f"the cheapest combination (by the interleaved cost ratio) whose concept-completeness gain over plain DiT is at "
                         f"least {a.keep:g} of the full-cost one's, and whose validation-accuracy gain is too where the full-cost accuracy "
                         f"gain exceeds the standard deviation of its paired (same-seed) differences; otherwise the accuracy gains are "
                         f"reported but too small against the seeds' noise to choose by"))
    atomic_write_json(Path(a.out)/'tradeoff.json', summary)
    for n, r in per.items():
        print(f"{n:22s} x{r['cost_ratio']:5.2f}  validation {r['val_acc_mean']:.2f} ± {r['val_acc_std']:.2f}% ({r['acc_gain']:+.2f})  "
              f"completeness {r['completeness_mean']:.4f} ± {r['completeness_std']:.4f} ({r['completeness_gain']:+.4f})")
    print('chosen:', verdict)
    if a.figure:
        import matplotlib; matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        os.environ.setdefault('SOURCE_DATE_EPOCH', '0')
        fig, axs = plt.subplots(1, 2, figsize=(10, 3.8))
        for ax, key, lab in [(axs[0], 'completeness_gain', 'concept-completeness gain over plain DiT'),
                             (axs[1], 'acc_gain', 'validation top-1 gain over plain DiT (pp)')]:
            for n, r in per.items():
                ax.scatter(r['cost_ratio'], r[key], color='tab:red' if n == chosen else ('black' if n in ('plain', 'full') else 'tab:blue'), s=18)
                ax.annotate(n, (r['cost_ratio'], r[key]), fontsize=6, xytext=(3, 2), textcoords='offset points')
            pts = sorted((r['cost_ratio'], r[key]) for r in per.values())
            front, best = [], -1e9
            for x, y in pts:
                if y > best: front.append((x, y)); best = y
            ax.step(*zip(*front), where='post', color='gray', lw=0.8, label='frontier')
            if full is not None: ax.axhline(a.keep * full[key], color='gray', ls=':', lw=0.8, label=f'{100 * a.keep:.0f}% of full')
            ax.axvline(1.5, color='tab:green', ls='--', lw=0.8, label='1.5x'); ax.axhline(0, color='k', lw=0.5)
            ax.set_xlabel('cost: seconds per image / plain DiT (interleaved, CPU)'); ax.set_ylabel(lab, fontsize=8); ax.legend(fontsize=6)
        fig.suptitle(f"DiT+CONCORD λ={lam:g}, IPC {s.lam_ipc}, {s.steps} steps, seeds {','.join(map(str, seeds))} (validation split); "
                     f"chosen: {chosen}", fontsize=8)
        fig.tight_layout(); Path(a.figure).parent.mkdir(parents=True, exist_ok=True); fig.savefig(a.figure, dpi=130)
        print(f"wrote {a.figure}")


if __name__ == '__main__':
    main()
