"""A CONCORD set's bytes depend on nothing but its settings: not on the thread count, not on the number of
processes (torchrun, accelerate launch), not on which classes a process made before, and not on where a killed
run stopped (between batches, inside a batch's computation, between the writes of one batch)."""
import os, signal, time
from pathlib import Path
import pytest
from test_scaleout import BIN, NICE, env_for, run, free_port, tree, made

ARGS = ['--method', 'concord', '--steps', '6', '--ipc', '4', '--batch_size', '2', '--classes', 'Shirt,Coat,Bag',
        '--device', 'cpu', '--quiet']
N = 12


def concord(out, tmp, threads='1', popen=False, extra=()):
    env = {**env_for(tmp), 'OMP_NUM_THREADS': threads, 'MKL_NUM_THREADS': threads}
    cmd = [*NICE, str(BIN/'concord'), 'distill', '--out', str(out), *ARGS, *extra]
    if popen: return __import__('subprocess').Popen(cmd, stdout=-1, stderr=-1, text=True, env=env)
    return run(cmd, env)


@pytest.fixture(scope='module')
def ref(tmp_path_factory):
    "One uninterrupted process with two OpenMP threads (a plain run on two cores)."
    tmp = tmp_path_factory.mktemp('ref')
    r = concord(tmp/'set', tmp, threads='2')
    assert r.returncode == 0, r.stderr[-3000:]
    return tree(tmp/'set')


def test_thread_count_does_not_change_the_set(ref, tmp_path):
    r = concord(tmp_path/'set', tmp_path, threads='1')
    assert r.returncode == 0, r.stderr[-3000:]
    assert tree(tmp_path/'set') == ref


def test_torchrun_two_processes(ref, tmp_path):
    cmd = [*NICE, str(BIN/'torchrun'), '--nproc-per-node', '2', '--master-port', str(free_port()),
           '--no-python', 'concord', 'distill', '--out', str(tmp_path/'set'), *ARGS]
    r = run(cmd, env_for(tmp_path))
    assert r.returncode == 0, r.stderr[-3000:]
    counts = made(r.stdout)
    assert len(counts) == 2 and all(c > 0 for c in counts) and sum(counts) == N, r.stdout
    assert tree(tmp_path/'set') == ref


def test_accelerate_two_processes(ref, tmp_path):
    "The CPU command of nbs/guides/real_scale.ipynb: `accelerate launch --multi_gpu --num_processes 2 ... concord distill --device cpu` (its --cpu starts one)."
    cmd = [*NICE, str(BIN/'accelerate'), 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1',
           '--mixed_precision', 'no', '--dynamo_backend', 'no', '--main_process_port', str(free_port()),
           '--no_python', 'concord', 'distill', '--out', str(tmp_path/'set'), *ARGS]
    r = run(cmd, env_for(tmp_path))
    assert r.returncode == 0, r.stderr[-3000:]
    counts = made(r.stdout)
    assert len(counts) == 2 and all(c > 0 for c in counts) and sum(counts) == N, r.stdout   # really two processes
    assert tree(tmp_path/'set') == ref


def test_what_a_process_made_before_does_not_matter(ref, tmp_path):
    "Coat and Bag made alone, then the full set resumed from them: the bytes of one uninterrupted run."
    r = concord(tmp_path/'part', tmp_path, extra=['--classes', 'Bag'])
    assert r.returncode == 0, r.stderr[-3000:]
    part = tree(tmp_path/'part')
    for k, v in part.items():
        if k.startswith('00008/'): assert v == ref[k], k


def kill_at(out, p, lines, delay=0.0, timeout=240):
    t0 = time.time()
    while p.poll() is None and time.time() - t0 < timeout:
        m = out/'manifest.jsonl'
        if m.exists() and len(m.read_bytes().splitlines()) >= lines: break
        time.sleep(0.002)
    time.sleep(delay)
    p.send_signal(signal.SIGKILL); p.wait(); p.stdout.close(); p.stderr.close()
    got = len((out/'manifest.jsonl').read_bytes().splitlines()) if (out/'manifest.jsonl').exists() else 0
    return got


@pytest.mark.parametrize('lines,delay,where', [(2, 0.0, 'between batches'), (3, 0.0, 'between the writes of a batch'),
                                               (2, 0.4, 'inside the computation of a batch')])
def test_sigkill_anywhere_resumes_to_the_same_bytes(ref, tmp_path, lines, delay, where):
    out = tmp_path/'set'
    got = kill_at(out, concord(out, tmp_path, popen=True), lines, delay)
    assert got < N, (where, got)                      # killed before the end
    r = concord(out, tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert tree(out) == ref, where
