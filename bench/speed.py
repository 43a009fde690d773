"""Seconds per generated image: the unguided sampler vs CONCORD's guidance settings (and DsCo's NOpt), as ratios.

Same model, batch, steps, CFG scale and seeds for every variant, measured in one run with the variants interleaved
(A B C A B C ...) so that load on a shared machine hits all of them alike; the result is the ratio to unguided (the
CONCORD paper reports 2.1 s -> 5.3 s per image for Minimax on an A100, about 2.5x). Two parts, one JSON:

- the mini world (its DiT, VAE, grounded mini-CLIP and tiny decoder): plain DiT, the paper's guidance
  (through_model, every step, the VAE) and the cheaper combinations of issue 18 (x0_only, the tiny decoder, every
  k-th step, n guided steps);
- real-size models with random weights on the same device (`--real`): DiT-XL/2 256 px, the SD VAE, a
  TAESD-architecture decoder (diffusers' `AutoencoderTiny` defaults) and CLIP ViT-L/14, at batch 1-2 and a few
  steps (sampling cost does not depend on the weights), with the final decode timed alone so that the ratios of the
  schedules at 50 steps (every `--guidance` preset: paper, fast, faster) follow from the per-step costs.

Writes JSON with the ratios, the settings, the machine and the commit.

    python bench/speed.py --real --out results/speed.json      # `make bench-speed`
"""
import argparse, json, platform, statistics, sys, time
from pathlib import Path
import torch
from concord.core import atomic_write_json, run_record, get_device
from concord.guidance import Guidance, ConceptObjective

sys.path.insert(0, str(Path(__file__).resolve().parent))
from guidance_tradeoff import COMBOS, settings, chosen_lambda   # the combinations of the trade-off, by name

# the trade-off's combinations: the paper's guidance (full), the presets fast (x0+tiny+late) and faster (x0+tiny+late+every4),
# those below 1.5x, and the single levers
MINI_VARIANTS = ('full', 'x0+tiny+late', 'x0+tiny+late+every4', 'x0+tiny+late+every3', 'x0+tiny+late+every2', 'x0+tiny+last-quarter',
                 'x0+late', 'steps5', 'every2', 'x0', 'tiny', 'x0+tiny')
# real size: Guidance keywords; 'taesd' is the TAESD-architecture decoder (random weights)
REAL_VARIANTS = {'full': dict(mode='through_model'), 'taesd': dict(mode='through_model', decoder='taesd'),
                 'taesd+every2': dict(mode='through_model', decoder='taesd', every=2), 'x0+taesd': dict(mode='x0_only', decoder='taesd')}
# real size at 50 steps: each preset's per-step variant ('full': the SD VAE through the model; 'x0+taesd': x0_only, TAESD)
REAL_PRESETS = {'paper': 'full', 'fast': 'x0+taesd', 'faster': 'x0+taesd'}
# the trade-off's combination that is each `--guidance` preset (checked against concord.settings.GUIDANCE_PRESETS)
PRESET_COMBOS = {'paper': 'full', 'fast': 'x0+tiny+late', 'faster': 'x0+tiny+late+every4'}


def check_presets():
    "Each preset is the combination named for it: the paper's settings with the combination's changes."
    from concord.settings import GUIDANCE_PRESETS
    for p, c in PRESET_COMBOS.items():
        want = {**GUIDANCE_PRESETS['paper'], **COMBOS[c]}
        if want != GUIDANCE_PRESETS[p]: raise SystemExit(f"--guidance {p} is not combination {c}: {GUIDANCE_PRESETS[p]} vs {want}")


def preset_summary(res:dict) -> dict:
    "Per `--guidance` preset: its cost on the mini world and at real size (50 steps), next to its validation gains."
    out = {}
    for p, c in PRESET_COMBOS.items():
        m, g = res['mini'], res['mini'].get('gains', {}).get(c, {})
        r = res.get('real_size', {}).get('projected', {})
        real = next((v for k, v in r.get('ratio_to_unguided', {}).items() if k.startswith(f'--guidance {p}:')), None)
        out[p] = dict(combination=c, mini_ratio=m['ratio_to_unguided'].get(c), real_size_ratio_50_steps=real,
                      at_most_1_5x=dict(mini=m['ratio_to_unguided'].get(c, 9) <= 1.5, real_size=real is not None and real <= 1.5),
                      **{k: g.get(k) for k in ('completeness_gain', 'acc_gain', 'share_of_full_completeness_gain', 'share_of_full_acc_gain')})
    return dict(presets=out, note=('gains: the mini world on its validation split (bench/guidance_tradeoff.py); at real size the '
                                   'weights are random, so only the cost is measured there'))


def interleaved(run, variants:dict, repeats:int, images:int, dev, label=''):
    "Median seconds per image of `run(variant)` for every variant, the variants interleaved in each repeat."
    times = {k: [] for k in variants}
    for r in range(repeats):
        for name, g in variants.items():
            if dev.type == 'cuda': torch.cuda.synchronize()
            t0 = time.perf_counter()
            run(g, r)
            if dev.type == 'cuda': torch.cuda.synchronize()
            times[name].append((time.perf_counter() - t0) / images)
            print(f"{label}repeat {r}: {name:20s} {times[name][-1]:.3f} s/image", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    return dict(seconds_per_image=med, all_seconds_per_image=times, ratio_to_unguided={k: med[k] / med['unguided'] for k in med})


def mini_part(a, dev):
    from concord.mini import load_mini_world
    from concord.sampler import DiTSampler
    from concord.distill import MAKERS, Run
    from concord.dsco import NOpt, real_targets, teacher_feature_fn
    from concord.data import load_fashion_mnist, to_model_images
    w = load_mini_world(device=dev)
    sampler, cfg = DiTSampler(w.transformer, w.vae, w.scheduler), w.cfg_scale   # the world's CFG scale, as `concord distill` samples
    variants = {'unguided': None}
    for n in MINI_VARIANTS:
        ds = settings(n, 0, 'results/tmp/speed', a.lam).validate()
        mk = MAKERS['concord'](ds); mk.bank = w.bank
        variants[n] = mk.guidance(Run(ds, w, list(range(10)), dev))
    if a.nopt:
        xr, yr = load_fashion_mnist('train')
        variants['dsco_nopt'] = NOpt(teacher_feature_fn(w.teacher), real_targets(w.teacher, to_model_images(xr), yr, per_class=1000, seed=0))
    classes, indices = torch.arange(a.images) % len(w.classes), torch.arange(a.images) // len(w.classes)
    for g in variants.values():   # warm-up: kernels and every text embedding, before any timing
        sampler.sample_batch(classes[:2], indices[:2], 0, 2, cfg, None if isinstance(g, NOpt) else g, hooks=[g] if isinstance(g, NOpt) else ())
        if g is not None and not isinstance(g, NOpt): g.objective.bind(classes, indices, 0)
    def run(g, r):
        if isinstance(g, NOpt): sampler.sample_batch(classes, indices, r, a.steps, cfg, hooks=[g])
        else: sampler.sample_batch(classes, indices, r, a.steps, cfg, g)
    res = interleaved(run, variants, a.repeats, a.images, dev, 'mini ')
    res['settings'] = dict(world='mini', images=a.images, batch=a.images, steps=a.steps, repeats=a.repeats, lam=a.lam, cfg_scale=cfg,
                           variants={n: COMBOS[n] for n in MINI_VARIANTS})
    return res


def real_part(a, dev):
    import open_clip
    from diffusers import AutoencoderTiny
    from concord.concepts import ConceptBank
    from concord.encoders import _wrap
    from concord.sampler import DiTSampler
    from concord.tiny_decoder import LatentDecoder
    from speed_real import dit_xl_2, sd_vae
    torch.manual_seed(0)
    frozen = lambda m: m.to(dev).eval().requires_grad_(False)
    dit, vae, taesd = frozen(dit_xl_2()), frozen(sd_vae()), frozen(AutoencoderTiny())
    clip_model = frozen(open_clip.create_model('ViT-L-14', pretrained=None, device=dev))
    clip = _wrap(clip_model, open_clip.get_tokenizer('ViT-L-14'), 'ViT-L-14/random').to(dev)
    n = a.real_images
    names = [f'class {i}' for i in range(1000)]
    bank = ConceptBank.from_phrases('speed', {c: [f'visual part {k} of {c[6:]}' for k in range(10)] for c in names[:max(n, 2)]},
                                    notes='placeholder phrases for timing only')   # two classes at least: negatives come from another
    obj = ConceptObjective(clip, bank, names[:max(n, 2)])
    sampler, dec = DiTSampler(dit, vae, None), LatentDecoder(taesd, 'taesd-architecture/random')
    variants = {'unguided': None}
    for k, kw in REAL_VARIANTS.items():
        kw = dict(kw); kw['decoder'] = dec if kw.get('decoder') == 'taesd' else None
        variants[k] = Guidance(obj, lam=2.0, **kw)
    classes, indices = torch.arange(n), torch.zeros(n, dtype=torch.long)
    for g in variants.values():
        if g is not None: g.objective.bind(classes, indices, 0)   # the text embeddings, once, before any timing
    sampler.sample_batch(classes[:1], indices[:1], 0, 1, 4.0, variants['x0+taesd'])   # warm-up
    # the final SD-VAE decode alone, timed with the rest, so that the cost of one step can be told from the fixed cost
    z = torch.randn(n, 4, 32, 32, generator=torch.Generator().manual_seed(0)).to(dev)
    variants['final_decode'] = 'final_decode'
    run = lambda g, r: sampler.decode(z) if g == 'final_decode' else sampler.sample_batch(classes, indices, r, a.real_steps, 4.0, g)
    with torch.no_grad(): sampler.decode(z)   # warm-up
    res = interleaved(run, variants, a.real_repeats, n, dev, 'real ')
    from diffusers import DDIMScheduler
    res['projected'] = project_schedules(res['seconds_per_image'], a.real_steps, scheduler=DDIMScheduler.from_config(sampler.scheduler_config))
    res['settings'] = dict(world='real-size random weights', images=n, batch=n, steps=a.real_steps, repeats=a.real_repeats, lam=2.0,
                           cfg_scale=4.0, precision='fp32', variants={k: v for k, v in REAL_VARIANTS.items()},
                           params=dict(dit=sum(p.numel() for p in dit.parameters()), vae=sum(p.numel() for p in vae.parameters()),
                                       taesd_decoder=sum(p.numel() for p in taesd.decoder.parameters()),
                                       clip=sum(p.numel() for p in clip_model.parameters())),
                           note=('with only a few steps, every2 guides ceil(steps/2) of them; at 50 steps it is 25 of 50. The final '
                                 'image is decoded by the SD VAE in every variant.'))
    return res


def guided_steps(preset:str, scheduler, steps:int=50) -> int:
    "How many of `steps` DDIM steps a `--guidance` preset guides: its window, every-k and step count, as the sampler picks them."
    from concord.settings import GUIDANCE_PRESETS
    p = GUIDANCE_PRESETS[preset]
    scheduler.set_timesteps(steps)
    g = Guidance(None, window=p['window'], every=p['guide_every'], n_steps=p['guide_steps'] or None)
    return sum(g.schedule(scheduler.timesteps, scheduler.config.num_train_timesteps))


def project_schedules(sec:dict, measured_steps:int, steps:int=50, scheduler=None) -> dict:
    """Real size: the cost ratio of guiding k of `steps` DDIM steps, from the measured run of `measured_steps` steps.
    One run of n steps costs n x (step) + (final decode); the decode is timed alone (`final_decode`), so a plain step
    costs u = (unguided - decode) / n and a guided step of variant v costs g = (v - decode) / n. Guiding k of N steps then
    costs k g + (N - k) u + decode, against N u + decode for plain sampling (every step of a schedule costs the same)."""
    d = sec['final_decode']; u = (sec['unguided'] - d) / measured_steps
    plain = steps * u + d
    out = dict(steps=steps, seconds_plain_step=u, seconds_final_decode=d, ratio_to_unguided={}, guided_steps={})
    rows = [(f'--guidance {p}: {v}, {k} of {steps} steps guided', v, k)
            for p, v in REAL_PRESETS.items() for k in [guided_steps(p, scheduler, steps)]]
    rows += [('every step, TAESD decoder (through the model)', 'taesd', steps)]
    for name, v, k in rows:
        g = (sec[v] - d) / measured_steps
        out['ratio_to_unguided'][name] = (k * g + (steps - k) * u + d) / plain
        out['guided_steps'][name] = k
    return out


def attach_gains(res:dict, path):
    "Copy the validation gains of each mini combination (bench/guidance_tradeoff.py) next to its cost ratio."
    tr = Path(path)
    if not tr.is_file(): return
    t = json.loads(tr.read_text())
    res['mini']['gains'] = {n: {k: r[k] for k in ('acc_gain', 'completeness_gain', 'val_acc_mean', 'completeness_mean',
                                                   'share_of_full_completeness_gain', 'share_of_full_acc_gain', 'n') if k in r}
                            for n, r in t['per_combination'].items() if n in res['mini']['seconds_per_image'] or n == 'plain'}
    res['mini']['tradeoff_cost_ratio'] = t['timing']['ratio']   # the trade-off run's own interleaved ratios (its settings in `gains_from`)
    res['mini']['gains_from'] = dict(timing=dict((k, t['timing'][k]) for k in ('threads', 'repeats', 'images', 'steps', 'cfg_scale')), file=str(tr), commit=t['commit'], lam=t['settings']['lam'], seeds=t['settings']['seeds'],
                                     chosen=t.get('chosen'), verdict=t.get('verdict'))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--images', type=int, default=10, help='mini world: images per variant and repeat (one batch)')
    ap.add_argument('--steps', type=int, default=50, help='mini world: DDIM steps')
    ap.add_argument('--repeats', type=int, default=3, help='mini world: interleaved repetitions; the median is reported')
    ap.add_argument('--lam', type=float, default=None, help="informing weight (the cost does not depend on it; default: the lambda grid's choice)")
    ap.add_argument('--nopt', action='store_true', help="also time DsCo's NOpt (reads the training split through the teacher)")
    ap.add_argument('--real', action='store_true', help='also time the real-size random-weight models')
    ap.add_argument('--real_images', type=int, default=1, help='real size: batch')
    ap.add_argument('--real_steps', type=int, default=2, help='real size: DDIM steps')
    ap.add_argument('--real_repeats', type=int, default=2, help='real size: interleaved repetitions')
    ap.add_argument('--device', default=None, help='torch device (default: cuda if available)')
    ap.add_argument('--threads', type=int, default=None, help='torch CPU threads (default: torch default)')
    ap.add_argument('--out', default='results/speed.json', help='where to write the JSON')
    ap.add_argument('--gains_only', action='store_true', help="only add the trade-off's gains to the existing --out file")
    ap.add_argument('--tradeoff', default='results/tradeoff/tradeoff.json', help="the trade-off's results, whose gains are copied next to the ratios")
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    if a.lam is None: a.lam = chosen_lambda()
    check_presets()
    dev = get_device(a.device)
    t0 = time.time()
    if a.gains_only:   # only copy the trade-off's gains into an existing results file (the timings stay as measured)
        res = json.loads(Path(a.out).read_text()); attach_gains(res, a.tradeoff); res['summary'] = preset_summary(res); atomic_write_json(a.out, res)
        print(f"gains from {a.tradeoff} added to {a.out}"); return res
    res = dict(mini=mini_part(a, dev))
    attach_gains(res, a.tradeoff)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(a.out, res)   # the mini part, kept if the real-size part fails
    if a.real: res['real_size'] = real_part(a, dev)
    res['summary'] = preset_summary(res)
    res.update(device=str(dev), cpu_threads=torch.get_num_threads(), machine=platform.processor() or platform.machine(),
               gpu=torch.cuda.get_device_name(0) if dev.type == 'cuda' else None, wall_seconds=round(time.time() - t0, 1),
               record=run_record(images=a.images, steps=a.steps, repeats=a.repeats, lam=a.lam, real=a.real, real_images=a.real_images,
                                 real_steps=a.real_steps, real_repeats=a.real_repeats))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(a.out, res)
    for part in ('mini', 'real_size'):
        if part not in res: continue
        for k, v in res[part]['seconds_per_image'].items():
            print(f"{part:9s} {k:20s} {v:.3f} s/image  x{res[part]['ratio_to_unguided'][k]:.2f}")
    if 'real_size' in res:
        for k, v in res['real_size']['projected']['ratio_to_unguided'].items(): print(f"real size, projected to 50 steps: {k:45s} x{v:.2f}")
    print(f"wrote {a.out} ({res['wall_seconds']:.0f} s)")
    return res


if __name__ == '__main__':
    main()
