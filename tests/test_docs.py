"""The docs configuration is complete, and tools/docs_check.py fails on the problems it is there to find.

The failure cases run docs_check on a toy nbdev project built in a temporary folder (two notebooks, one
exported module), so they take seconds and never touch this tree.
"""
import json, re, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
import docs_sidebar  # noqa: E402

# ---------------------------------------------------------------- the sidebar
def test_sidebar_lists_every_notebook():
    "nbs/sidebar.yml is what tools/docs_sidebar.py writes: every notebook, in its section."
    assert docs_sidebar.problems() == []
    secs = docs_sidebar.sections()
    assert 'index.ipynb' in secs['']
    assert secs['Guides'] == ['guides/results.ipynb', 'guides/real_scale.ipynb', 'guides/notebooks.ipynb']   # the README's map
    assert {'04_guidance.ipynb', '05_sampler.ipynb', '05a_minimax.ipynb'} <= set(secs['Method'])
    assert {'07a_realscale.ipynb', '05b_unclip.ipynb', '01a_classmaps.ipynb'} <= set(secs['Real scale'])
    assert all(nb.startswith('analysis/') for nb in secs['Analysis']) and len(secs['Analysis']) >= 6

NEW = '05z_new_method.ipynb'   # a notebook that does not exist (yet)

def test_sidebar_names_a_new_notebook(tmp_path):
    "A notebook added without rerunning `make sidebar` (as 05c_dsco was) is named; the script puts it under Method."
    nbs = tmp_path/'nbs'
    assert not (ROOT/'nbs'/NEW).exists()
    for nb in docs_sidebar.notebooks(ROOT/'nbs') + [NEW]:
        (nbs/nb).parent.mkdir(parents=True, exist_ok=True); (nbs/nb).write_text('{}')
    shutil.copy(ROOT/'nbs'/'sidebar.yml', nbs/'sidebar.yml')
    probs = docs_sidebar.problems(nbs)
    assert len(probs) == 1 and f'{NEW} is not listed' in probs[0], probs
    assert NEW in docs_sidebar.sections(nbs)['Method']
    (nbs/'sidebar.yml').write_text(docs_sidebar.render(nbs))
    assert docs_sidebar.problems(nbs) == []
    (nbs/'04_guidance.ipynb').unlink()
    assert any('lists 04_guidance.ipynb, which is not in nbs/' in p for p in docs_sidebar.problems(nbs))

def test_docs_config():
    "Quarto's project file uses nbdev's metadata and our sidebar; settings.ini has the site's address."
    import yaml
    q = yaml.safe_load((ROOT/'nbs'/'_quarto.yml').read_text())
    assert q['project']['type'] == 'website' and q['metadata-files'] == ['nbdev.yml', 'sidebar.yml']
    ini = (ROOT/'settings.ini').read_text()
    assert re.search(r'^custom_sidebar = True$', ini, re.M)
    assert re.search(r'^doc_host = https://\S+$', ini, re.M) and re.search(r'^doc_baseurl = /\S+$', ini, re.M)
    wf = yaml.safe_load((ROOT/'.github'/'workflows'/'docs.yaml').read_text())
    steps = [s.get('run', s.get('uses', '')) for s in wf['jobs']['build']['steps']]
    assert any('make docs' in s for s in steps) and any(s.startswith('quarto-dev/quarto-actions/setup') for s in steps)
    assert any(s.get('uses', '').startswith('actions/deploy-pages') for s in wf['jobs']['deploy']['steps'])
    assert (ROOT/'nbs'/'figures').resolve() == (ROOT/'figures').resolve()

# ---------------------------------------------------------------- docs_check on a toy project
def _nb(*cells):
    mk = lambda kind, src: dict(cell_type=kind, id=f'c{abs(hash(src)) % 10**8:08d}', metadata={}, source=src,
                                **(dict(execution_count=None, outputs=[]) if kind == 'code' else {}))
    return dict(cells=[mk(k, s) for k, s in cells], metadata=dict(kernelspec=dict(name='python3', display_name='Python 3',
                language='python'), language_info=dict(name='python')), nbformat=4, nbformat_minor=5)

TOY = _nb(('code', '#| default_exp toy'),
          ('markdown', '# toy\n\n> A module to test the docs check on.'),
          ('code', '#| export\ndef greet(name:str): # who to greet\n    "Say hello to `name`."\n    return f"hello {name}"'),
          ('code', '#| export\nclass Greeter:\n    "Greets everyone it meets."\n    def __init__(self, name:str): self.name = name'),
          ('markdown', 'Back to [the index](index.ipynb); the plot: ![plot](figures/plot.png)'),
          ('code', 'greet("you")'))
INDEX = _nb(('markdown', '# toylib\n\n> The toy project.'),
            ('markdown', 'See [the toy module](00_toy.ipynb) and ![the plot](figures/plot.png).'))

@pytest.fixture
def toy(tmp_path):
    "A small nbdev project (settings.ini from this one, lib `toylib`) with its module exported."
    ini = (ROOT/'settings.ini').read_text()
    for k, v in [('repo', 'toylib'), ('lib_name', 'toylib'), ('lib_path', 'toylib'), ('title', 'toylib'), ('console_scripts', '')]:
        ini = re.sub(rf'^{k} = .*$', f'{k} = {v}', ini, flags=re.M)
    (tmp_path/'settings.ini').write_text(ini)
    (tmp_path/'nbs').mkdir(); (tmp_path/'figures').mkdir()
    shutil.copy(ROOT/'figures'/'bench_fmnist.png', tmp_path/'figures'/'plot.png')
    (tmp_path/'nbs'/'figures').symlink_to('../figures')
    (tmp_path/'nbs'/'00_toy.ipynb').write_text(json.dumps(TOY))
    (tmp_path/'nbs'/'index.ipynb').write_text(json.dumps(INDEX))
    (tmp_path/'nbs'/'sidebar.yml').write_text('website:\n  sidebar:\n    contents:\n      - index.ipynb\n      - 00_toy.ipynb\n')
    _export(tmp_path)
    return tmp_path

def _export(root):
    subprocess.run([str(Path(sys.executable).parent/'nbdev_export')], cwd=root, check=True, capture_output=True)

def _docs_check(root):
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'docs_check.py'), '--root', str(root), '--workers', '1'],
                       capture_output=True, text=True, timeout=600)
    return r.returncode, r.stdout

def _edit(root, nb, old, new):
    p = root/'nbs'/nb
    text = p.read_text(); assert old in text, old
    p.write_text(text.replace(old, new))

def test_docs_check_passes_on_a_sound_project(toy):
    rc, out = _docs_check(toy)
    assert rc == 0, out
    assert 'docs-check: OK: 2 pages, 2 public functions/classes' in out, out
    page = (toy/'_docs_check'/'site'/'toy.html').read_text()
    assert 'Say hello to' in page and 'Greets everyone it meets.' in page      # show_doc entries with docstrings
    assert 'href="toy.html"' in (toy/'_docs_check'/'site'/'index.html').read_text()   # notebook link -> page
    assert (toy/'_docs_check'/'site'/'figures'/'plot.png').exists()

def test_docs_check_fails_on_a_missing_docstring(toy):
    _edit(toy, '00_toy.ipynb', '    \\"Say hello to `name`.\\"\\n', '')
    _export(toy)
    assert '"Say hello' not in (toy/'toylib'/'toy.py').read_text()
    rc, out = _docs_check(toy)
    assert rc == 1, out
    assert 'toylib.toy.greet: public function without a docstring (write one in nbs/00_toy.ipynb)' in out, out
    assert 'Greeter' not in out

def test_docs_check_fails_on_broken_links_images_and_errors(toy):
    _edit(toy, 'index.ipynb', '(00_toy.ipynb)', '(01_gone.ipynb)')
    _edit(toy, '00_toy.ipynb', '(figures/plot.png)', '(figures/gone.png)')
    nb = json.loads((toy/'nbs'/'00_toy.ipynb').read_text())
    nb['cells'][-1]['outputs'] = [dict(output_type='error', ename='ZeroDivisionError', evalue='division by zero',
                                       traceback=['Traceback (most recent call last)', 'ZeroDivisionError: division by zero'])]
    (toy/'nbs'/'00_toy.ipynb').write_text(json.dumps(nb))
    rc, out = _docs_check(toy)
    assert rc == 1, out
    lines = out.splitlines()
    assert "index.html: broken link '01_gone.ipynb' (no 01_gone.ipynb in the site)" in lines, out
    assert "index.html: link '01_gone.ipynb' does not lead to a page of the site (a notebook's page)" in lines, out
    assert "toy.html: broken image 'figures/gone.png' (no figures/gone.png in the site)" in lines, out
    assert any(l.startswith('toy.html (nbs/00_toy.ipynb, cell') and 'error output ZeroDivisionError' in l for l in lines), out
    assert lines[-1].startswith('docs-check: 4 problem(s)'), out

def test_docs_check_wants_pages_behind_the_front_pages_links(toy):
    "A front-page link to a file that exists in the site but is no page (the README's links are its map of pages) is named."
    _edit(toy, 'index.ipynb', '(00_toy.ipynb)', '(figures/plot.png)')
    rc, out = _docs_check(toy)
    assert rc == 1, out
    assert out.splitlines()[0] == "index.html: link 'figures/plot.png' does not lead to a page of the site (a notebook's page)", out
