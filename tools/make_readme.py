"""Write README.md from nbs/index.ipynb without Quarto (which these machines cannot install).

Markdown cells are copied; code cells are shown as ```python blocks with their text outputs (not stderr),
except cells whose first lines carry `#| hide` (or `#| echo: false`, which shows only outputs).
Relative links and images are written for the README's place, the repository's root: the notebook's are relative to
nbs/, so `guides/results.ipynb` becomes `nbs/guides/results.ipynb` and `figures/x.png` (nbs/figures links to ../figures)
stays `figures/x.png`. The same notebook links then work in Jupyter, on GitHub and in the docs site, where they lead to
the notebooks' pages (tools/docs_check.py checks that they do).
`python tools/make_readme.py --check` exits 1 when README.md is out of date.
"""
import json, os, re, sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
_link = re.compile(r'(!?\[[^\]]*\]\()([^)\s]+)((?:\s+"[^"]*")?\))')

def root_relative(url:str, nbs:Path=ROOT/'nbs', root:Path=ROOT) -> str:
    "A link relative to the notebooks' folder `nbs`, rewritten relative to `root`; absolute URLs and #anchors as they are."
    u = urlsplit(url)
    if u.scheme or u.netloc or not u.path or u.path.startswith('/'): return url
    rel = os.path.relpath((nbs/u.path).resolve(), root.resolve())   # resolve(): nbs/figures -> figures
    return Path(rel).as_posix() + (f'#{u.fragment}' if u.fragment else '')

def relink(md:str) -> str:
    "Markdown with its relative links and images rewritten by `root_relative`, code blocks and code spans left alone."
    spans = []
    def hide(m): spans.append(m.group(0)); return f'\0{len(spans) - 1}\0'   # code, put back after the links are done
    text = re.sub(r'```.*?```|`[^`\n]*`', hide, md, flags=re.S)
    text = _link.sub(lambda m: m.group(1) + root_relative(m.group(2)) + m.group(3), text)
    return re.sub(r'\0(\d+)\0', lambda m: spans[int(m.group(1))], text)

def _directives(src):
    return {m.group(1).strip() for m in re.finditer(r'^#\|\s*(.+)$', src, re.M)}

def render(nb_path=ROOT/'nbs'/'index.ipynb') -> str:
    nb = json.loads(Path(nb_path).read_text())
    out = []
    for cell in nb['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown': out.append(relink(src.strip())); continue
        if cell['cell_type'] != 'code': continue
        d = _directives(src)
        if 'hide' in d: continue
        code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
        if code and 'echo: false' not in d: out.append(f"```python\n{code}\n```")
        for o in cell.get('outputs', []):
            if o.get('name') == 'stderr': continue   # warnings and progress bars are not results
            txt = o.get('text') or o.get('data', {}).get('text/markdown') or o.get('data', {}).get('text/plain')
            if txt: out.append(relink(''.join(txt).rstrip()) if 'text/markdown' in o.get('data', {}) else f"```\n{''.join(txt).rstrip()}\n```")
    return "<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->\n\n" + '\n\n'.join(out) + '\n'

if __name__ == '__main__':
    text, readme = render(), ROOT/'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit("README.md is out of date with nbs/index.ipynb: run `make readme`")
    else: readme.write_text(text)
