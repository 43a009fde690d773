"""Real-scale smoke run: `concord distill` at full model size with random weights, on whatever device is there.

Writes random-weight checkpoints in the real formats (an original-format DiT-XL/2 `.pt` with Minimax's
DiffFit scale factors in the first 14 blocks, the SD VAE as a diffusers folder, open_clip ViT-L/14 as a
local-dir folder), then runs the real-scale commands on them: Minimax sampling and Minimax+CONCORD on
ImageWoof (Minimax's label order), and the export to RDED's layout in RDED's order. The images are noise
(random weights); what it shows is that the real-scale path runs and how long it takes.

    python bench/real_scale_smoke.py --work /tmp/rs --ipc 2 --out results/gpu/real_scale_smoke.json
"""
import argparse, argparse as _ap, json, sys, time
from pathlib import Path
import torch, open_clip
from concord.core import atomic_write_json, run_record
from concord.dit_original import OriginalDiT, dit_config, randomize_
from concord.encoders import save_clip_dir
from concord.cli import main as concord
sys.path.insert(0, str(Path(__file__).parent))
from speed_real import sd_vae

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--work', default='/tmp/real-scale-smoke'); ap.add_argument('--ipc', type=int, default=2)
    ap.add_argument('--steps', type=int, default=50); ap.add_argument('--out', default='results/gpu/real_scale_smoke.json')
    a = ap.parse_args(argv)
    w = Path(a.work); w.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    if not (w/'minimax-xl.pt').is_file():
        dit = randomize_(OriginalDiT(dit_config('DiT-XL/2', gamma_blocks=14)), seed=0, std=0.02)
        torch.save(dict(ema=dit.state_dict(), args=_ap.Namespace(model='DiT-XL/2', num_classes=1000, image_size=256)), w/'minimax-xl.pt')
        del dit
        torch.manual_seed(0); sd_vae().save_pretrained(w/'vae')
        clip = open_clip.create_model('ViT-L-14', pretrained=None)
        save_clip_dir(clip, open_clip.get_model_config('ViT-L-14'), w/'clip')
    res = dict(setup_seconds=round(time.time() - t0, 1), runs={})
    common = ['--dataset', 'imagewoof', '--model', str(w/'minimax-xl.pt'), '--vae', str(w/'vae'), '--clip', f"local-dir:{w/'clip'}",
              '--ipc', str(a.ipc), '--steps', str(a.steps), '--quiet']
    for name, extra in [('minimax', ['--method', 'minimax']), ('minimax+concord', ['--method', 'concord', '--backbone', 'minimax', '--lam', '2'])]:
        out = w/name.replace('+', '-')
        t = time.time(); rc = concord(['distill', '--out', str(out)] + extra + common)
        res['runs'][name] = dict(rc=rc, seconds=round(time.time() - t, 1), images=10 * a.ipc,
                                 seconds_per_image=round((time.time() - t) / (10 * a.ipc), 3))
        print(name, res['runs'][name], flush=True)
    rc = concord(['export', str(w/'minimax-concord'), str(w/'rded'), '--classmap', 'imagewoof', '--order', 'rded', '--set_order', 'minimax'])
    res['export_rc'] = rc
    res['record'] = run_record(ipc=a.ipc, steps=a.steps, device='cuda' if torch.cuda.is_available() else 'cpu',
                               gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True); atomic_write_json(a.out, res)
    print(json.dumps(res, indent=1))

if __name__ == '__main__':
    main()
