"""Issue 15 CLIP round 3: round 2's candidate (class-free attribute captions, p_free 0.3) plus one-class batches (p_within:
the share of the steps whose whole batch is drawn from one class, `concord.mini.class_batch_indices`). In a mixed batch a
caption's negatives are mostly other classes' captions, which the class name alone separates; in a one-class batch only
what the image shows does. Validation-split rule fixed before the runs: a candidate replaces round 2's if validation
zero-shot >= 0.88, mean of (real, x0-view) training-caption AUROC >= the shipped model's (0.853 + 0.681) / 2 = 0.767 and
real-image concept-vs-class-name correlation below round 2's 0.700; among those the lowest correlation. The test split is
not looked at. Usage: python bench/clip_within_candidate.py P_WITHIN  (writes runs/clip-within/w{P_WITHIN}/clip)."""
import sys, torch
from pathlib import Path
from diffusers import AutoencoderKL, DiTTransformer2DModel
from concord.mini import MINI_DIR, MINI_SETTINGS, make_mini_clip, mini_scheduler
from concord.data import load_fashion_mnist, to_model_images, FMNIST_CLASSES
torch.set_num_threads(1)
p_within = float(sys.argv[1]); out = Path(f'runs/clip-within/w{p_within}')
vae = AutoencoderKL.from_pretrained(MINI_DIR/'vae').eval().requires_grad_(False)
dit = DiTTransformer2DModel.from_pretrained(MINI_DIR/'dit').eval().requires_grad_(False)
x_u8, y = load_fashion_mnist('train'); x = to_model_images(x_u8)
make_mini_clip(out, x, y, FMNIST_CLASSES, vae=vae, transformer=dit, scheduler=mini_scheduler(),
               **dict(MINI_SETTINGS['clip'], p_free=0.3, p_within=p_within))
print('done', out)
