"""Run the README's "Your own dataset" commands end to end, as a user would (the `concord` command line, default settings),
on a dataset of 10 classes x 800 training images at 28 px (Fashion-MNIST's images written as PNGs under the folder names
kind0 ... kind9, 100 test images per class), and record the wall time of each command and of each stage of
`concord world train` (from the world's own record). The bank gives each class the mini world's authored concept phrases of
the Fashion-MNIST class behind it (the phrases name no class).

    python bench/own_world_run.py [--root runs/own-world-run] [--out results/own-world/run.json] [--threads 2]

Resumable: a command whose record is in OUT and whose output exists is not rerun (`concord world train` resumes itself), so
rerun the same command after an interruption. The record holds the commands, the commit, the load average before and after
each command and the machine.
"""
import argparse, json, os, platform, shlex, subprocess, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def write_dataset(root:Path, per_class:int=800, test_per_class:int=100):
    from PIL import Image
    from concord.data import load_fashion_mnist
    tmp = root.with_name(root.name + '.partial')
    for split, n in (('train', per_class), ('test', test_per_class)):
        x, y = load_fashion_mnist(split)
        for k in range(10):
            d = tmp/split/f'kind{k}'; d.mkdir(parents=True, exist_ok=True)
            for j, i in enumerate((y == k).nonzero().flatten()[:n].tolist()): Image.fromarray(x[i].numpy()).save(d/f'{j:04d}.png')
    tmp.rename(root)   # whole or absent


def write_bank(path:Path):
    from concord.concepts import ConceptBank
    from concord.mini import mini_concept_bank, bank_phrases
    ph = bank_phrases(mini_concept_bank())
    ConceptBank.from_phrases('kinds', {f'kind{k}': ph[c] for k, c in enumerate(mini_concept_bank().classes)}).save(path)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--root', default='runs/own-world-run')
    p.add_argument('--out', default='results/own-world/run.json')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--teacher_epochs', type=int, default=1, help='epochs of the `concord teacher --arch resnet18` step (its default is 15)')
    p.add_argument('--world_args', default='', help='extra `concord world train` options (a smoke test: fewer steps)')
    p.add_argument('--eval_args', default='', help='extra `concord evaluate` options (a smoke test: --epochs_scale 0.01)')
    a = p.parse_args()
    from concord.core import git_commit
    root, out = Path(a.root).resolve(), Path(a.out)
    root.mkdir(parents=True, exist_ok=True)
    rec = json.loads(out.read_text()) if out.is_file() else {}
    rec.update(dataset='10 classes x 800 training images, 28 px grey (Fashion-MNIST as kind0..kind9), 100 test images per class',
               threads=a.threads, cpu_count=os.cpu_count(), machine=platform.processor() or platform.machine())
    rec.setdefault('steps', {})
    def save():
        out.parent.mkdir(parents=True, exist_ok=True); tmp = out.with_suffix('.tmp')
        tmp.write_text(json.dumps(rec, indent=2) + '\n'); tmp.replace(out)
    ds, w = root/'kinds', root/'world'   # the world is named after the folder: mini-kinds
    if not ds.is_dir():
        t0 = time.time(); write_dataset(ds); rec['write_pngs_s'] = round(time.time() - t0, 1)
    if not (root/'bank.json').is_file(): write_bank(root/'bank.json')
    concord = str(Path(sys.executable).with_name('concord'))
    th = ['--threads', str(a.threads)]
    steps = [
        ('world train', ['world', 'train', ds, '--out', w, '--bank', root/'bank.json', *th, *shlex.split(a.world_args)], w/'world.json'),
        *[(f'distill {m}', ['distill', '--world', w, '--method', m, '--out', root/'sets'/m, *th], root/'sets'/m/'settings.json')
          for m in ('herding', 'random', 'dit', 'concord')],
        ('evaluate concord soft', ['evaluate', root/'sets/concord', '--teacher', w, '--json_out', root/'eval-soft.json', *shlex.split(a.eval_args)], root/'eval-soft.json'),
        ('evaluate concord hard', ['evaluate', root/'sets/concord', '--protocol', 'hard', '--json_out', root/'eval-hard.json', *shlex.split(a.eval_args)], root/'eval-hard.json'),
        ('teacher resnet18', ['teacher', ds, '--arch', 'resnet18', '--epochs', str(a.teacher_epochs), '--out', root/'t-resnet18', *th],
         root/'t-resnet18/teacher.json'),
        ('export', ['export', root/'sets/concord', root/'export', '--layout', 'folders'], root/'export'),
    ]
    env = dict(os.environ, HF_HUB_OFFLINE='1', OMP_NUM_THREADS=str(a.threads), MKL_NUM_THREADS=str(a.threads))
    for name, args, done in steps:
        if name in rec['steps'] and done.exists(): print(f'{name}: recorded, {rec["steps"][name]["s"]} s', flush=True); continue
        cmd = [concord, *map(str, args)]
        print(f'{name}: {shlex.join(["concord", *map(str, args)])}', flush=True)
        la0, t0 = os.getloadavg()[0], time.time()
        r = subprocess.run(cmd, env=env, cwd=HERE)
        if r.returncode != 0: sys.exit(f'{name} failed (exit {r.returncode}); rerun to resume')
        rec['steps'][name] = dict(s=round(time.time() - t0, 1), command=shlex.join(['concord', *[str(x).replace(str(root), 'ROOT') for x in args]]),
                                  load_before=round(la0, 2), load_after=round(os.getloadavg()[0], 2), commit=git_commit(HERE))
        if name == 'world train':
            wm = json.loads((w/'world.json').read_text())
            rec['steps'][name].update(stage_s=wm['seconds'], teacher_test_accuracy=wm['teacher_test_accuracy'])
        if name.startswith('evaluate'):
            rec['steps'][name]['result'] = json.loads(done.read_text())   # done is the --json_out file
        if name.startswith('teacher'):
            rec['steps'][name].update(epochs=a.teacher_epochs, teacher=json.loads(done.read_text()))
        save(); print(f'{name}: {rec["steps"][name]["s"]} s', flush=True)
    save()


if __name__ == '__main__':
    main()
