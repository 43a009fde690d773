"""Byte-identity of distilled sets across changes: every method's small set has the SHA-256 recorded in
tests/golden/sets.json (tools/golden_sets.py). The cases that read all 60,000 training images through the teacher
(K-Center, Herding, DsCo with a real target) take minutes each; they run with CONCORD_GOLDEN=all (`make test-golden`).
The bytes depend on the CPU's kernels as well: a case is compared with this CPU's recorded hashes where sets.json has them
(`cpu_fingerprint()` in tools/golden_sets.py), else with the reference."""
import os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = {'kcenter', 'herding', 'concord-nopt', 'dsco', 'dsco-dope'}


def test_sets_are_byte_identical_to_the_recorded_ones():
    sys.path.insert(0, str(ROOT/'tools'))
    from golden_sets import CASES
    names = [n for n in CASES if os.environ.get('CONCORD_GOLDEN') == 'all' or n not in HEAVY]
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'golden_sets.py'), 'check', '--only', ','.join(names)],
                       capture_output=True, text=True, timeout=3000)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert r.stdout.count(': identical') == len(names), r.stdout
