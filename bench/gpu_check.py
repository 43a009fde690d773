"""CUDA check of the samplers, Minimax fine-tuning and the evaluator's soundness, with timings.

    python bench/gpu_check.py [sampler] [minimax] [evaluator]     # default: all three; needs a GPU

Writes $OUT/gpu_check.json (default results/gpu/). Parts:
- sampler: the same 10 samples (unguided and CONCORD, lambda 2) on CPU and CUDA, max/mean abs difference
  of the images in [-1, 1]; `distill()` on CUDA at IPC 50 for DiT, DiT+CONCORD, Minimax, Minimax+CONCORD.
- minimax: Minimax fine-tuning of the mini DiT on CUDA, steps per second (batch 8) from 20- and 220-step runs.
- evaluator: the soundness cell of nbs/08_evaluator.ipynb on CUDA (full training split, 2 epochs).
The committed results/gpu/ came from bench/gpu_check_device.sh on the lent H100 (see its comments).
"""
import json, os, sys, time, platform
from dataclasses import replace
from pathlib import Path
import torch
OUT = Path(os.environ.get('OUT', 'results/gpu')); OUT.mkdir(exist_ok=True, parents=True)
res = {}
def say(*a): print(*a, flush=True)
def save(): (OUT/'gpu_check.json').write_text(json.dumps(res, indent=1, default=str))
dev = torch.device('cuda')
say(torch.__version__, torch.cuda.get_device_name(0), 'cpu threads', torch.get_num_threads())
res['machine'] = dict(torch=torch.__version__, gpu=torch.cuda.get_device_name(0), cpu_threads=torch.get_num_threads())
part = sys.argv[1:] or ['sampler', 'minimax', 'evaluator']

if 'sampler' in part:
    from concord.mini import load_mini_world
    from concord.guidance import Guidance, ConceptObjective
    from concord.sampler import DiTSampler
    # 1. CPU vs CUDA: same seeds, same images (up to float differences)?
    imgs = {}
    for d in ('cpu', 'cuda'):
        w = load_mini_world(device=d)
        s = DiTSampler(w.transformer, w.vae, w.scheduler)
        g = Guidance(ConceptObjective(w.clip, w.bank, w.classes), lam=2.0, mode='through_model')
        cls = torch.arange(10); idx = torch.zeros(10, dtype=torch.long)
        for name, gg in (('unguided', None), ('concord', g)):
            out = s.sample_batch(cls, idx, 0, 50, 4.0, gg)
            imgs[(d, name)] = (out if torch.is_tensor(out) else out[0]).float().cpu()
    for name in ('unguided', 'concord'):
        diff = (imgs[('cpu', name)] - imgs[('cuda', name)]).abs()
        res[f'cpu_vs_cuda_{name}'] = dict(max_abs=float(diff.max()), mean_abs=float(diff.mean()))
        say(name, 'cpu vs cuda max abs diff', float(diff.max()), 'mean', float(diff.mean()))
    save()
    # 2. distill() end to end on CUDA, both backbones, timed
    from concord.distill import DistillSettings, distill
    from concord.mini import load_mini_world
    for method, bb in (('dit', 'dit'), ('concord', 'dit'), ('minimax', 'minimax'), ('concord', 'minimax')):
        kw = dict(method=method, ipc=50, seed=0, steps=50, out=str(Path('/tmp/distil')/f'{method}-{bb}'))
        if method == 'concord': kw.update(lam=2.0, backbone=bb)
        ds = DistillSettings(**kw)
        r = distill(ds, load_mini_world(dev, backbone=bb), device=dev, progress=False)
        res[f'distill_{method}_{bb}'] = dict(made=r['made'], seconds=r['seconds'], seconds_per_image=r['seconds_per_image'])
        say('distill', method, bb, res[f'distill_{method}_{bb}'])
    save()

if 'minimax' in part:
    from concord.mini import load_mini_world
    from concord.minimax import minimax_finetune, difffit_parameters
    from concord.data import load_fashion_mnist, to_model_images
    import copy
    w = load_mini_world(device=dev)
    x, y = load_fashion_mnist('train'); x = to_model_images(x[:2000]); y = y[:2000]
    for steps in (20, 220):
        t0 = time.time()
        r = minimax_finetune(copy.deepcopy(w.transformer), w.vae, x, y, steps=steps, batch_size=8, ema_decay=0.999,
                             variance_loss='none', device=dev)
        torch.cuda.synchronize(); res[f'minimax_{steps}_steps_s'] = time.time() - t0
        say('minimax', steps, 'steps', res[f'minimax_{steps}_steps_s'], 's; last', r.history[-1] if r.history else None)
    res['minimax_steps_per_s'] = 200 / (res['minimax_220_steps_s'] - res['minimax_20_steps_s'])
    say('minimax steps/s (batch 8, cuda):', res['minimax_steps_per_s'])
    save()

if 'evaluator' in part:
    from concord.evaluator import EvalSettings, train_student, accuracy
    from concord.data import load_fashion_mnist, to_model_images
    from concord.mini import load_mini_teacher
    xf, yf = load_fashion_mnist('train'); xf = to_model_images(xf)
    xt, yt = load_fashion_mnist('test'); xt = to_model_images(xt)
    for proto, kw, epochs in [('soft', dict(model='convnet'), 2), ('soft', dict(model='resnet18', stem='strided'), 2),
                              ('hard', dict(model='convnet'), 2)]:
        es = replace(EvalSettings.for_ipc(6000, protocol=proto, **kw), epochs=epochs)
        t0 = time.time()
        m = train_student(xf, yf, 10, es, load_mini_teacher() if proto == 'soft' else None, seed=0, device=dev)
        acc = accuracy(m, xt, yt)
        key = f"soundness_{proto}_{kw['model']}"
        res[key] = dict(acc=100 * acc, epochs=epochs, batch=es.batch_size, seconds=time.time() - t0)
        say(key, res[key]); save()
save()
