"""unCLIP img2img (a tiny pipeline of the real classes) through `distill` on CPU and on CUDA: same PNGs up to rounding?

Run on the lent H100 on 2026-11-25 (commit c29cfbd): 20 images per method; CPU vs CUDA max abs 2/255 (one PNG level), mean 3.6e-4.
"""
import tempfile, torch, time
from pathlib import Path
from PIL import Image
from concord.unclip import tiny_unclip
from concord.encoders import TINY_CLIP_CFG, tiny_clip, save_clip_dir
from concord.realscale import real_world
from concord.distill import DistillSettings, distill
from concord.data import load_distilled
tmp = Path(tempfile.mkdtemp())
tiny_unclip(tmp/'unclip'); c = tiny_clip(); save_clip_dir(c.model, TINY_CLIP_CFG, tmp/'clip')
from concord.classmaps import class_map
tree = tmp/'train'
for wnid in class_map('imagewoof').wnids:
    (tree/wnid).mkdir(parents=True)
    for j in range(2): Image.fromarray((torch.rand(40, 48, 3) * 255).byte().numpy()).save(tree/wnid/f'{j}.JPEG')
out = {}
for dev in ('cpu', 'cuda'):
    w = real_world('imagewoof', str(tmp/'unclip'), backbone='unclip', clip=f"local-dir:{tmp/'clip'}", pretrained=None, images=str(tree), device=dev)
    for method, kw in [('unclip', {}), ('concord', dict(backbone='unclip', lam=2.0))]:
        t = time.time()
        r = distill(DistillSettings(out=str(tmp/f'{dev}-{method}'), method=method, ipc=2, steps=5, cfg_scale=10.0, **kw), w, device=dev, progress=False)
        out[(dev, method)] = load_distilled(r['out'])[0]
        print(dev, method, r['images'], 'images', round(time.time() - t, 2), 's', flush=True)
for m in ('unclip', 'concord'):
    d = (out[('cpu', m)] - out[('cuda', m)]).abs()
    print(m, 'cpu vs cuda (PNG pixels in [-1,1]) max abs', float(d.max()), 'mean', float(d.mean()))
