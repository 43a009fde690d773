"""Rebuild the mini world into a folder and check it against the shipped checkpoints (`make mini-world`).

    python tools/mini_world.py OUT [--threads 2]

Trains every stage with `concord.mini.train_mini_world` (resumable: a stage already trained with the same settings is
loaded, the Minimax stage keeps checkpoints), then `check_mini_world`: each file's SHA-256 against the shipped manifest
and, where a model file differs, the quality gates on the test split. Exit 1 when a gate fails.
"""
import argparse, json, sys


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('out', help='folder to build into (concord/assets/mini replaces the shipped checkpoints)')
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    from concord.mini import train_mini_world, check_mini_world
    train_mini_world(a.out, threads=a.threads)
    r = check_mini_world(a.out)
    print(json.dumps(r, indent=1))
    print(f"{r['identical']} of {r['total']} files identical to the shipped ones; "
          f"gates {'not needed' if r['gates'] is None else 'passed' if r['passed'] else 'FAILED'}")
    sys.exit(0 if r['passed'] else 1)


if __name__ == '__main__':
    main()
