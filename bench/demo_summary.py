"""Print the table `make demo` ends with: test top-1 of each set, and how much informing changed the images.

    python bench/demo_summary.py distilled concord dit random
"""
import json, sys
from pathlib import Path
from concord.data import load_distilled


def main(folder, *methods):
    folder = Path(folder)
    r = {m: json.loads((folder/f'fmnist-{m}-ipc10.eval.json').read_text()) for m in methods}
    first = next(iter(r.values()))
    print(f"\nFashion-MNIST, IPC 10, ConvNet-3 trained on the set alone ({first['settings']['protocol']} labels, "
          f"{first['settings']['epochs']} epochs, seeds {first['seeds']}), test top-1:")
    for m, v in r.items(): print(f"  {m:8s} {v['mean']:6.2f} %")
    if {'concord', 'dit'} <= set(methods):   # same DiT, noise and seeds: the difference is the informing alone
        a, _ = load_distilled(folder/'fmnist-concord-ipc10'); b, _ = load_distilled(folder/'fmnist-dit-ipc10')
        print(f"  informing changed the images by {(a - b).abs().mean().item() * 127.5:.1f} grey levels of 255 on average")


if __name__ == '__main__':
    main(*sys.argv[1:])
