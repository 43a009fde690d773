"""Seconds per image at real scale: DiT-XL/2-256 + SD-VAE + CLIP ViT-L/14, unguided vs CONCORD.

The models have the real architectures and sizes but random weights (no weights can be downloaded
here): sampling cost does not depend on the weights, the images do (they are noise, and not saved).
Variants are interleaved (A B C A B C ...) in one run, as in bench/speed.py; the result is the ratio
guided / unguided. The CONCORD paper reports 2.1 s -> 5.3 s per image for Minimax on an A100 (~2.5x).

    python bench/speed_real.py --device cuda --images 10 --repeats 2 --out results/gpu/speed_real.json
"""
import argparse, json, platform, statistics, time
from pathlib import Path
import torch
import open_clip
from diffusers import AutoencoderKL, DiTTransformer2DModel
from concord.core import atomic_write_json, run_record, get_device
from concord.concepts import ConceptBank
from concord.encoders import _wrap
from concord.guidance import Guidance, ConceptObjective
from concord.sampler import DiTSampler

def dit_xl_2(num_classes=1000):
    "DiT-XL/2 at 256 px (32x32x4 latents), the diffusers layout of facebook/DiT-XL-2-256; random weights."
    return DiTTransformer2DModel(num_attention_heads=16, attention_head_dim=72, in_channels=4, out_channels=8,
                                 num_layers=28, sample_size=32, patch_size=2, num_embeds_ada_norm=num_classes)

def sd_vae():
    "The Stable Diffusion VAE (8x downsampling, 4 latent channels; as stabilityai/sd-vae-ft-ema); random weights."
    return AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2,
                         down_block_types=('DownEncoderBlock2D',) * 4, up_block_types=('UpDecoderBlock2D',) * 4,
                         block_out_channels=(128, 256, 512, 512), sample_size=256, scaling_factor=0.18215)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--images', type=int, default=10, help='images per variant and repeat (one batch)')
    ap.add_argument('--steps', type=int, default=50, help='DDIM steps')
    ap.add_argument('--repeats', type=int, default=2, help='interleaved repetitions; the median is reported')
    ap.add_argument('--lam', type=float, default=2.0, help='informing weight')
    ap.add_argument('--tf32', action='store_true', help='allow TF32 matrix products on CUDA')
    ap.add_argument('--device', default=None, help='torch device (default: cuda if available)')
    ap.add_argument('--out', default='results/gpu/speed_real.json', help='where to write the JSON')
    a = ap.parse_args(argv)
    dev = get_device(a.device)
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = a.tf32
    torch.manual_seed(0)
    dit, vae = dit_xl_2().to(dev).eval().requires_grad_(False), sd_vae().to(dev).eval().requires_grad_(False)
    clip_model = open_clip.create_model('ViT-L-14', pretrained=None, device=dev).eval().requires_grad_(False)
    clip = _wrap(clip_model, open_clip.get_tokenizer('ViT-L-14'), 'ViT-L-14/random').to(dev)
    names = [f'class {i}' for i in range(1000)]
    bank = ConceptBank.from_phrases('speed', {n: [f'visual part {k} of {n[6:]}' for k in range(10)] for n in names[:a.images]},
                                    notes='placeholder phrases for timing only')
    # only the first `images` classes have concepts; each batch samples one image of each of them
    sampler = DiTSampler(dit, vae, None)
    obj = ConceptObjective(clip, bank, names[:a.images])
    variants = {'unguided': None, 'concord_through_model': Guidance(obj, lam=a.lam, mode='through_model'),
                'concord_x0_only': Guidance(obj, lam=a.lam, mode='x0_only')}
    classes, indices = torch.arange(a.images), torch.zeros(a.images, dtype=torch.long)
    sampler.sample_batch(classes[:2], indices[:2], 0, 2, 4.0, variants['concord_through_model'])  # warm-up
    times, mem = {k: [] for k in variants}, {}
    for r in range(a.repeats):
        for name, g in variants.items():
            if dev.type == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
            t0 = time.perf_counter()
            sampler.sample_batch(classes, indices, r, a.steps, 4.0, g)
            if dev.type == 'cuda': torch.cuda.synchronize(); mem[name] = torch.cuda.max_memory_allocated() / 2**30
            times[name].append((time.perf_counter() - t0) / a.images)
            print(f"repeat {r}: {name:24s} {times[name][-1]:.3f} s/image", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    res = dict(seconds_per_image=med, all_seconds_per_image=times, ratio_to_unguided={k: med[k] / med['unguided'] for k in med},
               peak_gib=mem, device=str(dev), gpu=torch.cuda.get_device_name(0) if dev.type == 'cuda' else None,
               torch=torch.__version__, machine=platform.processor() or platform.machine(),
               params=dict(dit=sum(p.numel() for p in dit.parameters()), vae=sum(p.numel() for p in vae.parameters()),
                           clip=sum(p.numel() for p in clip_model.parameters())),
               record=run_record(world='real-size random weights', images=a.images, steps=a.steps, repeats=a.repeats,
                                 lam=a.lam, batch=a.images, cfg_scale=4.0, tf32=a.tf32, precision='fp32'))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(a.out, res)
    for k in med: print(f"{k:24s} {med[k]:.3f} s/image  x{res['ratio_to_unguided'][k]:.2f}  peak {mem.get(k, 0):.1f} GiB")
    print(f"wrote {a.out}")
    return res

if __name__ == '__main__':
    main()
