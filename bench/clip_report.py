"""The mini-CLIP's reading of concepts on the Fashion-MNIST test split (`concord.mini.clip_report`): zero-shot accuracy,
per-attribute retrieval AUROC against the concept meter (training captions and held-out paraphrases) and the
concept-vs-class-name correlation, for the shipped mini-CLIP and for the earlier ones read from git (the first, class-level
captions, at 87110a2; the first grounded one, p_class 0.1 with class-named attribute captions, at aae1902), plus the
shipped one on decoded x0 views of the first 2,000 test images. Issue 15.

    python bench/clip_report.py [--out results/mini-clip/clip_report.json]
"""
import argparse, subprocess, tempfile
from pathlib import Path
import torch
from concord.core import atomic_write_json, run_record
from concord.data import load_fashion_mnist, to_model_images, FMNIST_CLASSES
from concord.meter import meter
from concord.captions import caption_set, presence_matrix
from concord.mini import clip_report, load_mini_clip, load_mini_world, mini_concept_bank, x0_views

FIRST = '87110a2'      # the last commit that shipped the first mini-CLIP (class-level captions)
GROUNDED1 = 'aae1902'  # the last commit that shipped the first grounded mini-CLIP (p_class 0.1, p_free 0)


def clip_at(commit:str, folder:Path):
    "The mini-CLIP shipped at `commit`: its two files, read from git into `folder`."
    root = Path(__file__).resolve().parents[1]
    for f in ('model.safetensors', 'open_clip_config.json'):
        (folder/f).write_bytes(subprocess.run(['git', 'show', f'{commit}:concord/assets/mini/clip/{f}'], cwd=root,
                                              capture_output=True, check=True).stdout)
    return load_mini_clip(folder)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--out', default='results/mini-clip/clip_report.json')
    a = p.parse_args()
    torch.set_num_threads(1)
    x8, y = load_fashion_mnist('test'); x = to_model_images(x8)
    pres = presence_matrix(meter(x8), caption_set().names)
    w, bank = load_mini_world(), mini_concept_bank()
    rows = {'shipped': clip_report(w.clip, x, y, pres, FMNIST_CLASSES, bank)}
    for name, commit in (('first', FIRST), ('first grounded', GROUNDED1)):
        with tempfile.TemporaryDirectory() as d:
            rows[f'{name} ({commit})'] = clip_report(clip_at(commit, Path(d)), x, y, pres, FMNIST_CLASSES, bank)
    v = x0_views(w.vae, w.transformer, w.scheduler, x[:2000], y[:2000], seed=1)[0]
    rows['shipped, x0 views of the first 2,000'] = clip_report(w.clip, v, y[:2000], pres[:2000], FMNIST_CLASSES, bank)
    atomic_write_json(a.out, dict(run_record(split='test', first_commit=FIRST, first_grounded_commit=GROUNDED1, x0_views=dict(n=2000, seed=1, cfg_scale=4.0)), reports=rows))
    for k, r in rows.items():
        print(f"{k:40s} zero-shot {r['zero_shot']:.4f}  AUROC {r['auroc_mean']:.4f}  paraphrases {r['paraphrase_auroc_mean']:.3f}  "
              f"r {r['corr_mean']:.3f}")


if __name__ == '__main__':
    main()
