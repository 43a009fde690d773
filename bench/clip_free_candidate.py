"""Issue 15 CLIP round 2: the shipped grounded recipe plus class-free attribute captions (p_free). Validation-split rule fixed
before the runs: adopt a candidate if validation zero-shot >= 0.88, mean of (real, x0-view) training-caption AUROC >= the
shipped model's (0.853 + 0.681) / 2 = 0.767, and concept-vs-class-name correlation below the shipped 0.747; among those the
lowest correlation.
Round 3: p_free 0.3 plus one-class batches (p_within 0.25, 0.5: the share of the steps whose whole batch is drawn from one
class, `concord.mini.class_batch_indices`; in a one-class batch only what the image shows tells captions apart). Rule fixed
before the runs: replace p_free 0.3 if zero-shot >= 0.88, mean AUROC >= 0.767 and real-image r below 0.700. Both failed
(zero-shot 87.36% / 86.24%, r 0.742 / 0.709); they ran as the separate script bench/clip_within_candidate.py, since merged here.
Round 4 (after round 3 failed): p_free 0.6 and 1.0, the one lever that
lowered the correlation in round 2. Rule fixed before those runs: a candidate replaces round 2's p_free 0.3 if validation
zero-shot >= 0.88, mean (real, x0-view) AUROC >= 0.767 and real-image correlation below 0.700; among those the lowest.
Round 4's result (validation): p_free 0.6 passes (zero-shot 88.86%, AUROC 0.883 / 0.709, r 0.686 / 0.605); p_free 1.0 reads
attributes best and meets the issue's r goal (AUROC 0.905 / 0.726, r 0.428 / 0.381) but fails zero-shot (84.32%).
Round 5: class-free attribute captions with more class-only captions to carry the class (p_free 1.0, p_class 0.3), and
p_free 0.8 (p_class 0.1). Rule fixed before those runs: a candidate replaces p_free 0.6 if validation zero-shot >= 0.88,
mean (real, x0-view) AUROC >= 0.767 and real-image r below 0.686; among those the lowest r.
Round 5's result (validation): p_free 0.8 passes and replaces p_free 0.6 (zero-shot 88.54%, AUROC 0.894 / 0.721, r 0.668 /
0.588); p_free 1.0 with p_class 0.3 meets the issue's r goal (r 0.466 / 0.437, AUROC 0.888 / 0.718) but its zero-shot
87.60% misses the 88% mark. Round 6: p_free 1.0, p_class 0.5. Rule fixed before that run: it replaces p_free 0.8 if
validation zero-shot >= 0.88, mean AUROC >= 0.767 and real-image r below 0.668.
Round 6's result (validation): p_free 1.0 with p_class 0.5 passes and replaces p_free 0.8 (zero-shot 88.44%, AUROC 0.867 /
0.697, r 0.506 / 0.469): shipped since fe37a40 (concord/assets/mini/clip; its record: results/mini-clip/candidate-p_free1.0-p_class0.5.training.json).
Usage: python bench/clip_free_candidate.py KEY=VALUE ...  (overrides of MINI_SETTINGS['clip'], e.g. p_free=1.0 p_class=0.5;
writes runs/clip-candidates/KEY-VALUE_.../clip)."""
import sys, torch
from pathlib import Path
from diffusers import AutoencoderKL, DiTTransformer2DModel
from concord.mini import MINI_DIR, MINI_SETTINGS, make_mini_clip, mini_scheduler
from concord.data import load_fashion_mnist, to_model_images, FMNIST_CLASSES
torch.set_num_threads(1)
over = dict(a.split('=', 1) for a in sys.argv[1:])
unknown = set(over) - set(MINI_SETTINGS['clip']) - {'p_free', 'p_within'}
if unknown: sys.exit(f"unknown setting(s) {sorted(unknown)}: use keys of MINI_SETTINGS['clip'], p_free or p_within")
over = {k: type(MINI_SETTINGS['clip'].get(k, 0.0))(v) for k, v in over.items()}   # steps=4000 stays an int
out = Path('runs/clip-candidates')/('_'.join(f'{k}-{v}' for k, v in sorted(over.items())) or 'shipped')
vae = AutoencoderKL.from_pretrained(MINI_DIR/'vae').eval().requires_grad_(False)
dit = DiTTransformer2DModel.from_pretrained(MINI_DIR/'dit').eval().requires_grad_(False)
x_u8, y = load_fashion_mnist('train'); x = to_model_images(x_u8)
make_mini_clip(out, x, y, FMNIST_CLASSES, vae=vae, transformer=dit, scheduler=mini_scheduler(), **{**MINI_SETTINGS['clip'], **over})
print('done', out)
