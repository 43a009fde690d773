"""Running the tests leaves `git status` clean, and the repository refers to nothing outside it (static checks)."""
import json, re, shutil, subprocess
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

def _code_cells(nb):
    for c in json.loads(nb.read_text())['cells']:
        if c['cell_type'] == 'code': yield ''.join(c['source'])

# a path into the committed figures/ or results/ written in a notebook instead of asking figures_dir()
COMMITTED = re.compile(r"""['"](\.\./)*(figures|results)(/[^'"]*)?['"]""")

def test_analysis_notebooks_write_through_figures_dir():
    "The analysis notebooks name no committed folder: what they write goes to `figures_dir()` (make test: _figures/)."
    nbs = sorted((ROOT/'nbs'/'analysis').glob('*.ipynb'))
    assert nbs
    for nb in nbs:
        src = '\n'.join(_code_cells(nb))
        hits = [m.group(0) for m in COMMITTED.finditer(src)]
        assert not hits, f"{nb.name} writes into {hits}: use figures_dir() from concord.core"
        if 'save_figure(' in src: assert 'figures_dir' in src, f"{nb.name} saves figures without figures_dir()"

def test_no_references_outside_the_repository():
    "No file cites the design notes or the papers folder that sit beside the repository."
    if shutil.which('git') is None or not (ROOT/'.git').exists(): pytest.skip('not a git checkout')
    r = subprocess.run(['git', 'grep', '-n', '-I', '-e', r'\.\./shared/', '-e', r'DESIGN\.md', '--', '.', ':!tests/test_clean_tree.py'],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1, f"references to files outside the repository:\n{r.stdout}{r.stderr}"

def test_scratch_figures_are_ignored():
    "The folder `make test` writes figures into is ignored by git."
    if shutil.which('git') is None or not (ROOT/'.git').exists(): pytest.skip('not a git checkout')
    r = subprocess.run(['git', 'check-ignore', '-q', '_figures/x.png'], cwd=ROOT)
    assert r.returncode == 0, "_figures/ is not in .gitignore"
