"""The package and README agree with the notebooks (nbdev_export / make readme leave no diff)."""
import filecmp, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_export_leaves_no_diff(tmp_path):
    "Exporting the notebooks into a copy of the repo reproduces concord/ exactly."
    for name in ['settings.ini', 'setup.py']: shutil.copy(ROOT/name, tmp_path/name)
    shutil.copytree(ROOT/'nbs', tmp_path/'nbs', ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
    (tmp_path/'concord').mkdir()
    exe = Path(sys.executable).parent/'nbdev_export'
    subprocess.run([str(exe)], cwd=tmp_path, check=True, capture_output=True)
    ours = sorted(p.relative_to(ROOT/'concord') for p in (ROOT/'concord').rglob('*.py'))
    theirs = sorted(p.relative_to(tmp_path/'concord') for p in (tmp_path/'concord').rglob('*.py'))
    assert ours == theirs, f"modules differ: {set(ours) ^ set(theirs)}"
    differ = [str(p) for p in ours if not filecmp.cmp(ROOT/'concord'/p, tmp_path/'concord'/p, shallow=False)]
    assert not differ, f"concord/ is out of date with nbs/ (run nbdev_export): {differ}"

def test_readme_matches_index():
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'make_readme.py'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
