"""Rebuild the mini world into a folder and check it against the shipped checkpoints (`make mini-world`).

    python tools/mini_world.py OUT [--threads 2]

Trains every stage with `concord.mini.train_mini_world` (resumable: a stage already trained with the same settings is
loaded, the Minimax stage keeps checkpoints), then the tiny guidance decoder (`concord.tiny_decoder.train_mini_tiny_decoder`,
skipped when OUT/tiny_decoder holds one trained with the same settings; exit 1 when it misses its gates), rewrites the
manifest, then `check_mini_world`: each file's SHA-256 against the shipped manifest
and, where a model file differs, the quality gates on the test split. Exit 1 when a gate fails.
"""
import argparse, json, sys


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('out', help='folder to build into (concord/assets/mini replaces the shipped checkpoints)')
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    from pathlib import Path
    from concord.mini import train_mini_world, check_mini_world, load_mini_world, write_mini_manifest
    from concord.tiny_decoder import train_mini_tiny_decoder, TINY_DECODER_SETTINGS, TINY_DECODER_GATES
    train_mini_world(a.out, threads=a.threads)
    rec_file = Path(a.out)/'tiny_decoder'/'training.json'
    rec = json.loads(rec_file.read_text()) if rec_file.is_file() else None
    if rec is None or rec.get('settings') != json.loads(json.dumps(TINY_DECODER_SETTINGS)):
        print('stage tiny guidance decoder', flush=True)
        rec = train_mini_tiny_decoder(Path(a.out)/'tiny_decoder', world=load_mini_world(root=a.out))
        write_mini_manifest(a.out)
    held = rec['heldout']
    tiny_ok = held['psnr'] >= TINY_DECODER_GATES['psnr'] and held['meter_agreement'] >= TINY_DECODER_GATES['meter_agreement']
    print(f"tiny decoder: PSNR {held['psnr']:.2f} dB, meter agreement {held['meter_agreement']:.3f} "
          f"(gates {TINY_DECODER_GATES}): {'passed' if tiny_ok else 'FAILED'}")
    r = check_mini_world(a.out)
    print(json.dumps(r, indent=1))
    print(f"{r['identical']} of {r['total']} files identical to the shipped ones; "
          f"gates {'not needed' if r['gates'] is None else 'passed' if r['passed'] else 'FAILED'}")
    sys.exit(0 if r['passed'] and tiny_ok else 1)


if __name__ == '__main__':
    main()
