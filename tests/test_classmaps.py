"""`export_distilled` killed mid-way (SIGKILL, in a separate process): no half-written image under a final
name, the export reads as unfinished, and running the same export again finishes it."""
import hashlib, os, signal, subprocess, sys, time
from pathlib import Path
import pytest
import torch
from concord.classmaps import EXPORT_FILE, class_map, export_distilled, load_export, read_export
from concord.core import ConcordError
from concord.data import DistilledSetWriter, load_distilled

ROOT = Path(__file__).resolve().parents[1]

# The child exports a 20-image ImageWoof set in RDED's order; after 6 images it starts the 7th the way
# atomic_write_bytes does (a hidden temporary file in the class folder, half written) and waits to be killed.
CHILD = r'''
import sys, time
from pathlib import Path
import concord.classmaps as cm
real, n = cm.atomic_write_bytes, [0]
def write(path, data):
    if n[0] == 6:
        path = Path(path); path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent/f".{path.name}.killed.tmp").write_bytes(data[:len(data) // 2])
        print('KILL ME', flush=True); time.sleep(120)
    n[0] += 1
    return real(path, data)
cm.atomic_write_bytes = write
cm.export_distilled(sys.argv[1], sys.argv[2], cm.class_map('imagewoof', 'rded'), set_map=cm.class_map('imagewoof'))
'''

def _make_set(path:Path) -> Path:
    woof = class_map('imagewoof')
    w = DistilledSetWriter(path, woof.names, dict(ipc=2, wnids=list(woof.wnids)), method='minimax')
    g = torch.Generator().manual_seed(0)
    for c in range(10):
        for i in range(2): w.write(torch.randint(0, 256, (3, 8, 8), dtype=torch.uint8, generator=g), c, i)
    w.finalize(2)
    return path

def test_killed_export_resumes(tmp_path):
    src, out = _make_set(tmp_path/'set'), tmp_path/'export'
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]), OMP_NUM_THREADS='1')
    p = subprocess.Popen([sys.executable, '-c', CHILD, str(src), str(out)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = p.stdout.readline()          # blocks until the child is in the middle of the 7th image
        assert line.strip() == 'KILL ME', f"child ended early (rc {p.poll()})"
    finally:
        p.send_signal(signal.SIGKILL); p.wait(timeout=30)
    assert p.returncode == -signal.SIGKILL

    # what the kill left: the marker says unfinished, 6 complete images, one hidden half file
    with pytest.raises(ConcordError, match='holds an unfinished export'): read_export(out)
    pngs = sorted(out.rglob('*.png'))
    assert len(pngs) == 6
    shas = {hashlib.sha256(f.read_bytes()).hexdigest() for f in (src.rglob('*.png'))}
    assert all(hashlib.sha256(f.read_bytes()).hexdigest() in shas for f in pngs)   # each one whole
    assert len(list(out.rglob('.*.tmp'))) == 1

    # the same export again finishes it; a different one is refused
    woof, woof_r = class_map('imagewoof'), class_map('imagewoof', 'rded')
    with pytest.raises(ConcordError, match='holds another export'): export_distilled(src, out, woof)
    header = export_distilled(src, out, woof_r, set_map=woof)
    assert header['complete'] and len(header['images']) == 20
    assert not list(out.rglob('.*.tmp'))
    x, y = load_export(out, woof_r)
    xs, ys = load_distilled(src)
    perm = torch.tensor([woof_r.index(w) for w in woof.wnids])
    order = torch.argsort(perm[ys] * 100 + torch.arange(20) % 2)
    assert torch.equal(x, xs[order]) and torch.equal(y, perm[ys][order])
    assert (out/EXPORT_FILE).is_file()
