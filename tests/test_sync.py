"""The package and README agree with the notebooks (nbdev_export / make readme leave no diff); the README stays short
and its links lead to files of the repository."""
import ast, filecmp, json, os, re, shutil, subprocess, sys
from pathlib import Path
from urllib.parse import urlsplit, unquote

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

README_MAX_BYTES = 8192   # issue 19: a newcomer reads it in two minutes; the rest is in nbs/guides/, linked from it

def test_readme_is_short():
    size = (ROOT/'README.md').stat().st_size
    assert size < README_MAX_BYTES, f"README.md is {size} bytes (limit {README_MAX_BYTES}): move sections into nbs/guides/ and link them"

def _readme_links(text:str) -> list:
    "The targets of the README's Markdown links and images, and of its HTML href/src attributes, outside code."
    text = re.sub(r'```.*?```|`[^`\n]*`', '', re.sub(r'\[`[^`\n]*`\]', '[code]', text), flags=re.S)
    return re.findall(r'!?\[[^\]]*\]\(\s*([^)\s]+)', text) + re.findall(r'(?:href|src)="([^"]+)"', text)

def test_readme_links_resolve():
    "Every relative link and image of README.md names a file or folder of the repository (GitHub resolves them from the root)."
    links = _readme_links((ROOT/'README.md').read_text())
    rel = [u for u in links if not (urlsplit(u).scheme or urlsplit(u).netloc or u.startswith('#'))]
    assert len(rel) >= 5, rel   # the guides, the figure and the method notebooks
    broken = [u for u in rel if not (ROOT/unquote(urlsplit(u).path)).exists()]
    assert not broken, f"README.md links to files that do not exist (links in nbs/index.ipynb are relative to nbs/): {broken}"
    assert {'nbs/guides/results.ipynb', 'nbs/guides/real_scale.ipynb', 'nbs/guides/notebooks.ipynb'} <= set(rel), rel

def test_readme_link_rewriting():
    "tools/make_readme.py writes the index notebook's links (relative to nbs/) for the repository's root; code stays as it is."
    sys.path.insert(0, str(ROOT/'tools'))
    import make_readme
    md = ("See [results](guides/results.ipynb#cost), ![fig](figures/bench_fmnist.png), [`06_mini`](06_mini.ipynb), "
          "[web](https://nbdev.fast.ai), [here](#two-commands) and `[not](a link)`.\n```sh\n[x](y.ipynb)\n```")
    assert make_readme.relink(md) == ("See [results](nbs/guides/results.ipynb#cost), ![fig](figures/bench_fmnist.png), "
        "[`06_mini`](nbs/06_mini.ipynb), [web](https://nbdev.fast.ai), [here](#two-commands) and `[not](a link)`.\n```sh\n[x](y.ipynb)\n```")

def _last_value(src:str, cwd:Path):
    "Run a notebook cell's code in `cwd` and return the value of its last expression, as Jupyter shows it."
    tree = ast.parse(src)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    ns, old = {}, os.getcwd()
    os.chdir(cwd)
    try:
        exec(compile(tree, 'cell', 'exec'), ns)
        return eval(compile(ast.Expression(last.value), 'cell', 'eval'), ns) if last else None
    finally: os.chdir(old)

def test_results_guide_tables_are_current():
    "The results guide's generated tables (its `echo: false` cell, from results/*/bench.json) are those its stored output shows."
    nb = json.loads((ROOT/'nbs'/'guides'/'results.ipynb').read_text())
    cells = [c for c in nb['cells'] if c['cell_type'] == 'code' and '#| echo: false' in ''.join(c['source'])]
    assert cells, "nbs/guides/results.ipynb has no generated tables"
    for c in cells:
        stored = ''.join(next(o['data']['text/markdown'] for o in c['outputs'] if 'text/markdown' in o.get('data', {})))
        assert _last_value(''.join(c['source']), ROOT/'nbs'/'guides').data == stored, "run `make readme` to refresh nbs/guides/"
