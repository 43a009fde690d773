"""Byte-identity of distilled sets across a change: make one small set per method with `concord distill` and
record (or check) the SHA-256 of every PNG, the manifest and the grid.

    python tools/golden_sets.py record   # writes tests/golden/sets.json (before a refactor)
    python tools/golden_sets.py check    # remakes every set and compares (tests/test_golden.py runs this)
    python tools/golden_sets.py record --cpu   # records this CPU's bytes beside the reference (at a commit known good)

A set's bytes depend on the CPU as well as on the code: MKL and oneDNN pick kernels by vendor and vector ISA, and their
float rounding differs by a last bit that can move a pixel across a grey level (seen: 1-2 of a case's PNGs differ between
the machine that recorded the reference and an Intel one with AMX, with the same code and packages). So each case holds the
reference hashes and, where recorded, those of other CPUs (`cpu_fingerprint()`: vendor and widest ISA); `check` compares
with this CPU's entry if there is one, else with the reference. A refactor is proved on one machine: record there before
the change (`record --cpu` at the commit before it), check after. `record` (the reference) drops the CPU entries of the
cases it records, since a change that moves the reference moves them too.

Every run is a fresh `concord distill` process with one CPU thread. The real-scale cases use a tiny random
SD-2.1 unCLIP pipeline, a tiny CLIP and a folder of random ImageWoof images, all built here from fixed seeds."""
import argparse, hashlib, json, os, platform, re, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT/'tests'/'golden'/'sets.json'
C3 = ['--classes', 'T-shirt/top,Sandal,Bag']
GEN = ['--ipc', '3', '--steps', '4', '--batch_size', '2', *C3]
DS = ['--ipc', '2', '--steps', '4', '--classes', 'Shirt,Coat']
PAPER = ['--guidance', 'paper']   # every step guided: the sets recorded before `concord distill` guided 5 steps by default (issue 18)
CASES = {   # name: arguments of `concord distill` ({fx}: the fixtures folder)
    'random': ['--method', 'random', '--ipc', '2'],
    'kcenter': ['--method', 'kcenter', '--ipc', '2'],
    'herding': ['--method', 'herding', '--ipc', '2'],
    'dit': ['--method', 'dit', *GEN],
    'minimax': ['--method', 'minimax', *GEN],
    'concord': ['--method', 'concord', *PAPER, *GEN],
    'concord-minimax': ['--method', 'concord', '--backbone', 'minimax', *PAPER, *GEN],
    'concord-x0-cosine': ['--method', 'concord', *PAPER, '--grad_mode', 'x0_only', '--objective', 'cosine', '--window', '0.2,0.8',
                          '--lam', '2', *GEN],
    'concord-nopt': ['--method', 'concord', *PAPER, '--nopt_steps', '1', *DS],
    'dsco': ['--method', 'dsco', *DS],
    'dsco-dope': ['--method', 'dsco', '--dope', '0.5', '--ipc', '4', '--steps', '4', '--classes', 'Shirt,Coat'],
    'dsco-free': ['--method', 'dsco', '--target', 'generated', '--target_size', '4', *DS],
    'unclip': ['--method', 'unclip', '--dataset', 'imagewoof', '--model', '{fx}/unclip', '--clip', 'local-dir:{fx}/clip',
               '--images', '{fx}/train', '--ipc', '1', '--steps', '2', '--cfg_scale', '10'],
    'concord-unclip': ['--method', 'concord', '--backbone', 'unclip', *PAPER, '--lam', '2', '--dataset', 'imagewoof',
                       '--model', '{fx}/unclip', '--clip', 'local-dir:{fx}/clip', '--images', '{fx}/train',
                       '--ipc', '1', '--steps', '2', '--cfg_scale', '10'],
}


def fixtures(fx:Path):
    "The tiny real-scale models and a random ImageWoof tree, from fixed seeds."
    import torch
    from PIL import Image
    from concord.encoders import TINY_CLIP_CFG, tiny_clip, save_clip_dir
    from concord.unclip import tiny_unclip
    from concord.classmaps import class_map
    tiny_unclip(fx/'unclip', seed=0)
    save_clip_dir(tiny_clip(seed=0).model, TINY_CLIP_CFG, fx/'clip')
    g = torch.Generator().manual_seed(0)
    for wnid in class_map('imagewoof').wnids:
        (fx/'train'/wnid).mkdir(parents=True)
        for j in range(2):
            Image.fromarray((torch.rand(40, 48, 3, generator=g) * 255).byte().numpy()).save(fx/'train'/wnid/f'{j}.png')


def cpu_fingerprint() -> str:
    "The CPU's vendor and widest vector ISA (the kernels MKL and oneDNN choose, and so a set's last bits, depend on them)."
    info = Path('/proc/cpuinfo').read_text() if Path('/proc/cpuinfo').is_file() else ''
    vendor = re.search(r'vendor_id\s*:\s*(\S+)', info)
    flags = set(m.group(1).split()) if (m := re.search(r'flags\s*:\s*(.*)', info)) else set()
    isa = next((f for f in ('amx_tile', 'avx512_fp16', 'avx512_bf16', 'avx512f', 'avx2') if f in flags), 'base')
    return f"{vendor.group(1) if vendor else platform.machine()}-{isa}"


def hashes(folder:Path) -> dict:
    files = sorted(p for p in folder.rglob('*') if p.is_file() and (p.suffix == '.png' or p.name == 'manifest.jsonl'))
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def make(name:str, fx:Path, out:Path) -> dict:
    args = [a.replace('{fx}', str(fx)) for a in CASES[name]]
    env = {**os.environ, 'HF_HUB_OFFLINE': '1', 'TRANSFORMERS_OFFLINE': '1', 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1'}
    cmd = [str(Path(sys.executable).parent/'concord'), 'distill', '--out', str(out), '--device', 'cpu', '--quiet', *args]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    if r.returncode != 0: raise SystemExit(f"{name}: concord distill failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return hashes(out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('action', choices=('record', 'check'))
    p.add_argument('--only', default=None, help='comma-separated case names (default: all)')
    p.add_argument('--cpu', action='store_true', help="record: this CPU's hashes beside the reference, not the reference")
    a = p.parse_args(argv)
    cpu = cpu_fingerprint()
    names = a.only.split(',') if a.only else list(CASES)
    golden = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp); fixtures(tmp/'fx')
        for n in names:
            t0 = time.time(); h = make(n, tmp/'fx', tmp/n)
            if a.action == 'record' and a.cpu:
                if golden.get(n, {}).get('args') != CASES[n]: raise SystemExit(f"{n}: record the reference first (its arguments changed)")
                golden[n].setdefault('cpus', {})[cpu] = h
                print(f"{n}: {len(h)} files recorded for CPU {cpu} ({time.time() - t0:.1f} s)", flush=True)
            elif a.action == 'record':
                golden[n] = dict(args=CASES[n], files=h)
                print(f"{n}: {len(h)} files recorded ({time.time() - t0:.1f} s)", flush=True)
            else:
                entry = golden.get(n, {})
                want = entry.get('cpus', {}).get(cpu, entry.get('files'))
                diff = sorted(k for k in set(h) | set(want or {}) if (want or {}).get(k) != h.get(k))
                if want is None or diff: bad.append(n)
                print(f"{n}: {'identical' if want is not None and not diff else f'{len(diff)} file(s) differ: ' + ', '.join(diff[:5])}"
                      f" ({time.time() - t0:.1f} s; {'CPU ' + cpu if cpu in entry.get('cpus', {}) else 'reference'} hashes)", flush=True)
    if a.action == 'record':
        GOLDEN.write_text(json.dumps(golden, indent=1, sort_keys=True) + '\n')
    elif bad: raise SystemExit(f"sets differ from tests/golden/sets.json: {', '.join(bad)}")


if __name__ == '__main__': main()
