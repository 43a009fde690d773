"""`concord distill` over several processes and across a crash, end to end on the CPU: a 2-process
`accelerate launch` run writes the same bytes as one process, a run killed with SIGKILL resumes to the
same bytes (finished by two `torchrun` processes), and a rerun with other settings is refused with one line."""
import json, os, re, signal, socket, subprocess, sys, time
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent
NICE = ['nice', '-n', '19']
N_IMAGES = 9   # 3 classes x IPC 3, batch size 1: 9 batches to deal out; 12 steps: ~0.07 s an image, time to kill mid-way
ARGS = ['--method', 'dit', '--steps', '12', '--ipc', '3', '--batch_size', '1', '--classes', 'Shirt,Coat,Sneaker',
        '--device', 'cpu', '--quiet']


def env_for(tmp):
    # one thread per process in every run, so CPU kernels see the same threading; HF_HOME: no accelerate config file
    # PATH: the launchers start `concord` by name (--no_python), so the venv's scripts must be found without activating it
    return {**os.environ, 'HF_HUB_OFFLINE': '1', 'TRANSFORMERS_OFFLINE': '1', 'OMP_NUM_THREADS': '1',
            'MKL_NUM_THREADS': '1', 'HF_HOME': str(tmp/'hf-home'), 'PATH': f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def run(cmd, env, timeout=600):
    "Run cmd in a session of its own, so that on a timeout the launcher's workers are killed with it."
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    try: out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL); p.communicate(); raise
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


def concord(out, *extra, tmp, popen=False, env=None):
    cmd = [*NICE, str(BIN/'concord'), 'distill', '--out', str(out), *ARGS, *extra]
    env = {**env_for(tmp), **(env or {})}
    if popen: return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    return run(cmd, env)


def accelerate(out, *extra, tmp, n=2):
    "`accelerate launch` with n CPU processes: --multi_gpu makes it start them through torchrun (its --cpu starts one)."
    cmd = [*NICE, str(BIN/'accelerate'), 'launch', '--multi_gpu', '--num_processes', str(n), '--num_machines', '1',
           '--mixed_precision', 'no', '--dynamo_backend', 'no', '--main_process_port', str(free_port()),
           '--no_python', 'concord', 'distill', '--out', str(out), *ARGS, *extra]
    return run(cmd, env_for(tmp))


def torchrun(out, *extra, tmp, n=2):
    cmd = [*NICE, str(BIN/'torchrun'), '--nproc-per-node', str(n), '--master-port', str(free_port()),
           '--no-python', 'concord', 'distill', '--out', str(out), *ARGS, *extra]
    return run(cmd, env_for(tmp))


def tree(root):
    "Every file under root (hidden ones included) with its bytes."
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(Path(root).rglob('*')) if p.is_file()}


def made(stdout):
    "Images made by each process, from its last line: '(K made in ...' (the closer) or 'made K images of its share' (the others)."
    return [int(a or b) for a, b in re.findall(r'\((\d+) made in|: made (\d+) images of its share', stdout)]


@pytest.fixture(scope='module')
def ref(tmp_path_factory):
    "The set made by one uninterrupted process."
    tmp = tmp_path_factory.mktemp('ref')
    r = concord(tmp/'set', tmp=tmp)
    assert r.returncode == 0, r.stderr
    assert made(r.stdout) == [N_IMAGES]
    t = tree(tmp/'set')
    assert {'COMPLETE', 'manifest.jsonl', 'settings.json', 'grid.png', '.lock'} <= set(t)
    assert sum(k.endswith('.png') and '/' in k for k in t) == N_IMAGES
    return tmp/'set', t


def test_two_processes_write_the_bytes_of_one(ref, tmp_path):
    r = accelerate(tmp_path/'set', tmp=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    counts = made(r.stdout)
    assert len(counts) == 2 and all(c > 0 for c in counts) and sum(counts) == N_IMAGES, r.stdout   # both worked, no image twice
    assert tree(tmp_path/'set') == ref[1]       # every file, manifest, settings, COMPLETE and grid included


def test_sigkill_then_resume_gives_the_same_set(ref, tmp_path):
    out = tmp_path/'set'
    p = concord(out, tmp=tmp_path, popen=True)
    lines, t0 = 0, time.time()
    while p.poll() is None and time.time() - t0 < 240:
        m = out/'manifest.jsonl'
        lines = len(m.read_bytes().splitlines()) if m.exists() else 0
        if lines >= 3: break
        time.sleep(0.005)
    p.send_signal(signal.SIGKILL); p.wait(); p.stdout.close(); p.stderr.close()
    assert p.returncode == -signal.SIGKILL and 3 <= lines < N_IMAGES, (p.returncode, lines)   # killed mid-way
    assert not (out/'COMPLETE').exists()
    # what a kill inside a write can leave: a temporary image that was never renamed and a manifest line cut short
    (out/'00007').mkdir(exist_ok=True)
    (out/'00007'/'.00002.png.k1ll.tmp').write_bytes(b'\x89PNG half an image')
    with open(out/'manifest.jsonl', 'ab') as f: f.write(b'{"file": "00007/00002.png", "cla')
    recorded = set()
    for line in (out/'manifest.jsonl').read_bytes().splitlines():
        try: recorded.add(json.loads(line)['file'])
        except ValueError: pass                                  # the cut line
    first = sorted(recorded)[0]
    (out/first).write_bytes((out/first).read_bytes()[:50])     # a recorded image damaged: its hash no longer matches
    r = torchrun(out, tmp=tmp_path)                            # resumed by two processes
    assert r.returncode == 0, r.stderr[-3000:]
    assert sum(made(r.stdout)) == N_IMAGES - len(recorded) + 1  # verified images skipped, the damaged one made again
    assert tree(out) == ref[1]
    assert not list(out.rglob('*.tmp'))


def test_other_settings_are_refused_with_one_line(ref, tmp_path):
    out, before = ref[0], ref[1]
    r = concord(out, '--steps', '5', tmp=tmp_path)
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('concord: error: ') and 'different settings (steps: 12 -> 5)' in lines[0], r.stderr
    # the sharded case (rank 1 of 2, as a launcher or a job array sets it) refuses with the same single line
    r2 = concord(out, '--steps', '5', tmp=tmp_path, env={'RANK': '1', 'WORLD_SIZE': '2', 'LOCAL_RANK': '1'})
    assert r2.returncode == 2 and r2.stderr.strip().splitlines() == lines, r2.stderr
    assert tree(out) == before                                  # nothing was touched
