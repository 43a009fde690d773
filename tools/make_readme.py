"""Write README.md from nbs/index.ipynb without Quarto (which these machines cannot install).

Markdown cells are copied; code cells are shown as ```python blocks with their text outputs (not stderr),
except cells whose first lines carry `#| hide` (or `#| echo: false`, which shows only outputs).
`python tools/make_readme.py --check` exits 1 when README.md is out of date.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def _directives(src):
    return {m.group(1).strip() for m in re.finditer(r'^#\|\s*(.+)$', src, re.M)}

def render(nb_path=ROOT/'nbs'/'index.ipynb') -> str:
    nb = json.loads(Path(nb_path).read_text())
    out = []
    for cell in nb['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown': out.append(src.strip()); continue
        if cell['cell_type'] != 'code': continue
        d = _directives(src)
        if 'hide' in d: continue
        code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
        if code and 'echo: false' not in d: out.append(f"```python\n{code}\n```")
        for o in cell.get('outputs', []):
            if o.get('name') == 'stderr': continue   # warnings and progress bars are not results
            txt = o.get('text') or o.get('data', {}).get('text/markdown') or o.get('data', {}).get('text/plain')
            if txt: out.append(''.join(txt).rstrip() if 'text/markdown' in o.get('data', {}) else f"```\n{''.join(txt).rstrip()}\n```")
    return "<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->\n\n" + '\n\n'.join(out) + '\n'

if __name__ == '__main__':
    text, readme = render(), ROOT/'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit("README.md is out of date with nbs/index.ipynb: run `make readme`")
    else: readme.write_text(text)
