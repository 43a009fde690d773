"""Build the docs pages without Quarto and check them (`make docs-check`, part of `make test`).

1. nbdev's processing of nbs/ into _proc/, as `nbdev_proc_nbs` and `nbdev_docs` do it before Quarto renders:
   front matter, a `show_doc` cell after every exported definition, and those cells executed (with the
   exported code and the imports) so that their output holds the signature and the docstring. The
   steps are called here directly: where Quarto is missing, `nbdev_proc_nbs` first tries to install it
   (`sudo`, a download, `dpkg`) and then runs `pip install -e "PROJECT[dev]"`.
2. The committed figures come along: nbs/figures is a link to ../figures, which nbdev's processing
   follows (as nbdev_docs calls it), so they land in _proc/figures and the pages' `figures/...` and
   `../figures/...` images resolve in the site as they do in Jupyter and in the README (tools/make_readme.py
   rewrites the index notebook's links for the repository's root).
3. Every processed notebook rendered to static HTML with nbconvert into _docs_check/site/, named as
   Quarto names the page (front matter `output-file`, e.g. 04_guidance.ipynb -> guidance.html), with
   `include: false` / `echo: false` / `output: false` honoured, links to notebooks turned into links to
   their pages (as Quarto does), and the sidebar of nbs/sidebar.yml on every page. The maths is typeset
   by a local MathJax 4 (the npm packages `mathjax` and its font `@mathjax/mathjax-newcm-font`, which
   `make mathjax` installs into the git-ignored _vendor/node_modules) copied into the site's static/
   folder and loaded by a relative path: the template's MathJax 2 from a CDN cannot be reached here.
4. The checks, one line per problem and exit status 1 when there is any:
   - nbs/sidebar.yml lists every notebook, and only existing ones (tools/docs_sidebar.py);
   - each notebook's title cell holds only its `# title` and a one-line `> summary` (nbdev turns that
     cell into the page's front matter and drops everything else in it from the page);
   - every public function and class (each module's `__all__`) has a docstring and a show_doc entry
     on the rendered pages that shows it;
   - every relative link and image of every page (and every absolute link into the site's own
     address, settings.ini's doc_host + doc_baseurl) resolves to a file of the rendered site;
   - every link of the front page (index.html, the README's notebook) leads to a page of the site built from a
     notebook: the README's map of the guides and method pages (in the README those links name the notebooks);
   - no page shows an error: no error output in a processed notebook, no traceback on a page.

Usage: python tools/docs_check.py [--root DIR] [--site DIR] [--workers N] [--mathjax DIR] [--build-only]
"""
import argparse, ast, html, json, os, re, shutil, sys, time
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit, unquote

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))
import docs_sidebar  # noqa: E402  (a plain script beside this one)

ROOT = TOOLS.parent
CDN = ('https://cdnjs.cloudflare.com/', 'https://unpkg.com/', 'https://cdn.jsdelivr.net/')
SIDEBAR_CSS = ("#docs-sidebar{font-size:12px;padding:8px 16px;border-bottom:1px solid #ddd;background:#fafafa}"
               "#docs-sidebar ul{list-style:none;margin:0;padding:0;columns:4}")
MATHJAX = ROOT/'_vendor'/'node_modules'   # `make mathjax`: npm's mathjax and @mathjax/mathjax-newcm-font
# What the pages load of it: the TeX-to-CommonHTML bundle and what it fetches when it runs (extensions, the speech
# rule engine of its accessibility menu, the font's CHTML data and woff2 files); not the other bundles or node's files.
MATHJAX_FILES = {'mathjax': ['tex-chtml.js', 'a11y', 'adaptors', 'input', 'output', 'sre', 'ui', 'package.json', 'LICENSE'],
                 '@mathjax/mathjax-newcm-font': ['chtml.js', 'chtml', 'package.json', 'LICENSE']}
# MathJax 4's configuration: TeX between $...$ / $$...$$ as in Jupyter; the fonts from the site's own copy (by default
# MathJax 4 fetches them from a CDN), found beside the script: [mathjax] is the folder tex-chtml.js was loaded from.
MATHJAX_CONFIG = ("window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']], "
                  "processEscapes: true, tags: 'ams'}, loader: {paths: {fonts: '[mathjax]/../@mathjax'}}};")
LINK_ATTRS = [('a', 'href'), ('img', 'src'), ('link', 'href'), ('script', 'src'), ('source', 'src'), ('iframe', 'src')]

def _skipped(rel:Path) -> bool: return any(p.startswith(('_', '.')) for p in rel.parts)

# ---------------------------------------------------------------- 1. nbdev processing
def process(root:Path, workers:int) -> Path:
    "Run nbdev's docs processing of the notebooks into root/_proc (from scratch); returns that folder."
    os.chdir(root)   # nbdev finds settings.ini from the working directory
    # the notebooks' code imports the package of this tree, not an installed copy: nbdev's worker processes
    # are spawned with this process's sys.path (and subprocesses get PYTHONPATH)
    sys.path.insert(0, str(root))
    os.environ['PYTHONPATH'] = os.pathsep.join([str(root)] + [p for p in [os.environ.get('PYTHONPATH')] if p])
    for v in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'): os.environ.setdefault(v, '1')   # two torch workers on two cores
    from nbdev.config import get_config
    from nbdev.quarto import refresh_quarto_yml
    from nbdev.serve import proc_nbs
    cfg = get_config()
    refresh_quarto_yml()   # writes nbs/nbdev.yml from settings.ini (committed, so no diff)
    return proc_nbs(cfg.nbs_path, n_workers=workers, force=True)

# ---------------------------------------------------------------- 3. static pages
def front_matter(nb) -> dict:
    "The YAML front matter nbdev puts in a notebook's first raw cell (title, description, output-file)."
    import yaml
    for c in nb['cells'][:1]:
        s = ''.join(c['source'])
        if c['cell_type'] == 'raw' and s.lstrip().startswith('---'):
            return yaml.safe_load(s.strip().strip('-')) or {}
    return {}

def _directives(src:str) -> dict:
    d = {}
    for line in src.splitlines():
        m = re.match(r'^#\|\s*([\w-]+)\s*:\s*(.*?)\s*$', line)
        if m: d[m.group(1)] = m.group(2).lower()
        elif not line.startswith('#|'): break
    return d

def _joined(nb):
    "Multi-line strings of the notebook's JSON (lists of lines) joined, as nbformat's reader does."
    j = lambda v: ''.join(v) if isinstance(v, list) else v
    for c in nb['cells']:
        c['source'] = j(c['source'])
        for o in c.get('outputs', []):
            if 'text' in o: o['text'] = j(o['text'])
            if 'data' in o: o['data'] = {k: j(v) if k.startswith('text/') or k.endswith(('+xml', 'javascript')) else v
                                         for k, v in o['data'].items()}
    return nb

def quarto_like(nb, fm:dict):
    "The notebook as Quarto would show it: title block, cell options honoured, pandoc link attributes dropped."
    nb = _joined(nb)
    cells = [{'cell_type': 'markdown', 'id': 'docs-title', 'metadata': {}, 'source':
              f"# {fm.get('title', '')}\n\n" + (f"> {fm['description']}\n" if fm.get('description') else '')}]
    for c in nb['cells'][1 if fm else 0:]:
        if c['cell_type'] == 'code':
            src = ''.join(c['source']); d = _directives(src)
            if d.get('include') == 'false': continue
            if d.get('output') == 'false': c['outputs'] = []
            c['source'] = '\n'.join(l for l in src.splitlines() if not l.startswith('#|'))
            tags = c.setdefault('metadata', {}).setdefault('tags', [])
            if d.get('echo') == 'false' or not c['source'].strip(): tags.append('remove_input')
            for o in c.get('outputs', []):
                md = o.get('data', {}).get('text/markdown')
                if md: o['data']['text/markdown'] = re.sub(r'(\]\([^)]*\))\{[^}]*\}', r'\1', ''.join(md))
        cells.append(c)
    nb['cells'] = cells
    return nb

def _sidebar(nbs:Path) -> list:
    "[(section or '', notebook path)] from nbs/sidebar.yml."
    import yaml
    f = nbs/'sidebar.yml'
    if not f.exists(): return []
    out = []
    def walk(items, section):
        for it in items or []:
            if isinstance(it, str): out.append((section, it))
            elif isinstance(it, dict) and 'contents' in it: walk(it['contents'], it.get('section', section))
            elif isinstance(it, dict) and ('file' in it or 'href' in it): out.append((section, it.get('file') or it['href']))
    walk((yaml.safe_load(f.read_text()) or {}).get('website', {}).get('sidebar', {}).get('contents'), '')
    return out

def _plain_code(source, language=None, metadata=None, **kw) -> str:
    "Code cells as plain preformatted text (Pygments' highlighting took most of the build time)."
    return '<div class="highlight"><pre>' + html.escape(source) + '</pre></div>'

def copy_mathjax(src:Path, site:Path) -> Path:
    "Copy the parts of MathJax the pages load from `src` (a node_modules folder) into site/static/; returns the script's path."
    for pkg, names in MATHJAX_FILES.items():
        for n in names:
            f, dst = src/pkg/n, site/'static'/pkg/n
            if f.is_dir(): shutil.copytree(f, dst)
            elif f.exists(): dst.parent.mkdir(parents=True, exist_ok=True); shutil.copy2(f, dst)
    return site/'static'/'mathjax'/'tex-chtml.js'

def build(root:Path, site:Path, proc_dir:Path, mathjax:Path=MATHJAX) -> dict:
    "Render every processed notebook to site/; returns {notebook path: (page path, front matter)}, both relative."
    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter
    from traitlets.config import Config
    from nbdev.config import get_config
    cfg = get_config()
    if site.exists(): shutil.rmtree(site)
    site.mkdir(parents=True)
    pages, nbs, styles = {}, {}, {}
    for p in sorted(proc_dir.rglob('*.ipynb')):
        rel = p.relative_to(proc_dir)
        if _skipped(rel): continue
        nb = json.loads(p.read_text())
        fm = front_matter(nb)
        pages[rel.as_posix()] = ((rel.parent/fm.get('output-file', rel.stem + '.html')).as_posix(), fm)
        nbs[rel.as_posix()] = nb
    for f in proc_dir.rglob('*'):   # figures, styles.css: what Quarto copies for the pages that use them
        rel = f.relative_to(proc_dir)
        if f.is_file() and not _skipped(rel) and f.suffix not in ('.ipynb', '.yml', '.yaml'):
            (site/rel).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(f, site/rel)
    mj_script = copy_mathjax(mathjax, site).relative_to(site).as_posix()
    side = [(s, nb) for s, nb in _sidebar(cfg.nbs_path) if nb in pages]
    site_title = str(cfg.get('title', cfg.lib_name))
    exporter = HTMLExporter(template_name='lab', filters={'highlight_code': _plain_code}, exclude_input_prompt=True,
                            exclude_output_prompt=True, config=Config(
        {'TagRemovePreprocessor': {'enabled': True, 'remove_input_tags': ['remove_input']}}))
    for rel, (out, fm) in pages.items():
        title = str(fm.get('title') or PurePosixPath(rel).stem)
        name = title if title == site_title else f"{title} – {site_title}"
        body, _ = exporter.from_notebook_node(nbformat.from_dict(quarto_like(nbs[rel], fm)),
                                              resources={'metadata': {'name': name}})
        here = PurePosixPath(out).parent
        def shared_css(m):   # the template's CSS (300 KB a page) goes into files all pages share
            name = styles.setdefault(m.group(1), f'static/style{len(styles)}.css')
            return f'<link rel="stylesheet" href="{os.path.relpath(name, here.as_posix() or ".")}">'
        body = re.sub(r'<style[^>]*>(.{2000,}?)</style>', shared_css, body, flags=re.S)
        soup = BeautifulSoup(body, 'html.parser')
        for s in soup.find_all('script', src=True):   # the page works offline: no CDN scripts (MathJax, require.js)
            if s['src'].startswith(CDN): s.decompose()
        for s in soup.find_all('script', type='text/x-mathjax-config'): s.decompose()   # MathJax 2's configuration
        if soup.head:   # the local MathJax 4, by a path relative to the page
            conf = soup.new_tag('script'); conf.string = MATHJAX_CONFIG
            mj = soup.new_tag('script', src=os.path.relpath(mj_script, here.as_posix() or '.'), defer='')
            soup.head.append(conf); soup.head.append(mj)
        def page_href(nb_rel:str, frag:str='') -> str:
            return os.path.relpath(pages[nb_rel][0], here.as_posix() or '.') + (f'#{frag}' if frag else '')
        for a in soup.find_all('a', href=True):   # Quarto turns links to notebooks into links to their pages
            u = urlsplit(a['href'])
            if u.scheme or u.netloc or not u.path.endswith('.ipynb'): continue
            target = os.path.normpath((PurePosixPath(rel).parent/unquote(u.path)).as_posix())
            if target in pages: a['href'] = page_href(target, u.fragment)
        if side and soup.body:
            nav = soup.new_tag('nav', id='docs-sidebar')
            ul = soup.new_tag('ul'); nav.append(ul)
            for section, nb_rel in side:
                li = soup.new_tag('li'); a = soup.new_tag('a', href=page_href(nb_rel))
                a.string = (f"{section}: " if section else '') + str(pages[nb_rel][1].get('title') or nb_rel)
                li.append(a); ul.append(li)
            soup.body.insert(0, nav)
            style = soup.new_tag('style'); style.string = SIDEBAR_CSS
            (soup.head or soup.body).append(style)
        dst = site/out
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(str(soup))
    (site/'static').mkdir(exist_ok=True)
    for css, name in styles.items(): (site/name).write_text(css)
    return pages

# ---------------------------------------------------------------- 4. checks
def _alnum(s:str) -> str: return re.sub(r'[^0-9a-z]+', '', s.lower())

def module_api(py:Path) -> dict:
    "{name: (kind, docstring)} for each function and class that module file `py` defines and lists in `__all__` (read, not imported)."
    tree = ast.parse(py.read_text())
    names = next((ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                  and any(isinstance(t, ast.Name) and t.id == '__all__' for t in n.targets)), [])
    defs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    return {nm: ('class' if isinstance(defs[nm], ast.ClassDef) else 'function', (ast.get_docstring(defs[nm]) or '').strip())
            for nm in names if nm in defs}

def _soups(site:Path) -> dict:
    from bs4 import BeautifulSoup
    return {p.relative_to(site).as_posix(): BeautifulSoup(p.read_text(), 'html.parser') for p in sorted(site.rglob('*.html'))}

def show_doc_entries(soups:dict) -> dict:
    "{page: {name: text}} for every rendered show_doc entry: an H3 in a cell's output, with that output's text."
    out = {}
    for page, soup in soups.items():
        for h3 in soup.find_all('h3'):
            area = h3.find_parent(class_='jp-OutputArea-output')
            if area is None: continue
            out.setdefault(page, {})[h3.get_text().replace('¶', '').strip()] = area.get_text(' ')
    return out

def _source_nb(py:Path) -> str:
    "The notebook a module is exported from (nbdev's header line), for messages."
    try: head = py.read_text().splitlines()[:3]
    except OSError: return str(py)
    m = next((re.search(r'File to edit: (?:\.\./)*(\S+\.ipynb)', l) for l in head if 'File to edit' in l), None)
    return m.group(1) if m else str(py)

def check_show_docs(root:Path, soups:dict) -> tuple:
    "Problems with the public API's show_doc entries, and how many definitions were checked."
    from nbdev.config import get_config
    cfg = get_config()
    ns = {}
    exec((cfg.lib_path/'_modidx.py').read_text(), ns)   # nbdev's index: module -> symbol -> (page#anchor, file)
    entries, probs, n = show_doc_entries(soups), [], 0
    for mod_name, syms in sorted(ns['d']['syms'].items()):
        py = root/next(iter(syms.values()), (None, f"{mod_name.replace('.', '/')}.py"))[1]
        nb = _source_nb(py)
        for name, (kind, doc) in module_api(py).items():
            n += 1
            key = f'{mod_name}.{name}'
            page = syms.get(key, (f"{mod_name.split('.')[-1]}.html",))[0].split('#')[0]
            if not doc: probs.append(f"{key}: public {kind} without a docstring (write one in {nb})"); continue
            found = entries.get(page, {}).get(name)
            if found is None: found = next((e[name] for e in entries.values() if name in e), None)
            first = re.sub(r'\]\([^)]*\)', ']', doc.split('\n\n')[0])
            if found is None: probs.append(f"{key}: no show_doc entry on {page} (from {nb})")
            elif _alnum(first) not in _alnum(found): probs.append(f"{key}: the show_doc entry on {page} does not show its docstring")
    return probs, n

def check_title_cells(nbs:Path) -> list:
    "Notebooks whose first Markdown cell holds more than nbdev keeps of it (H1 title, one `>` line, `- key: value` lines)."
    probs = []
    for rel in docs_sidebar.notebooks(nbs):
        cells = json.loads((nbs/rel).read_text())['cells']
        md = next((c for c in cells if c['cell_type'] == 'markdown'), None)
        if md is None: continue
        lines = [l for l in ''.join(md['source']).splitlines() if l.strip()]
        if not any(re.match(r'^#\s+\S', l) for l in lines): continue   # no title cell: nbdev leaves it alone
        summary = [l for l in lines if l.startswith('>')]
        rest = [l for l in lines if not re.match(r'^(#\s+\S|>|-\s+\S.*:)', l)]
        if len(summary) > 1: probs.append(f"nbs/{rel}: the `>` summary spans {len(summary)} lines; nbdev keeps only the first as the page's description (make it one line)")
        if rest: probs.append(f"nbs/{rel}: the title cell holds more than `# title` and `> summary` ({rest[0][:40]!r}...); nbdev drops the rest from the page: move it into a cell of its own")
    return probs

def check_links(site:Path, soups:dict, own:str) -> tuple:
    "Problems with links and images that do not resolve to files of the site, and how many were checked."
    probs, n, root = [], 0, site.resolve()
    for page, soup in soups.items():
        base = (site/page).parent
        for tag, attr in LINK_ATTRS:
            for el in soup.find_all(tag):
                url = (el.get(attr) or '').strip()
                if not url or url.startswith('#'): continue
                if own and (url == own or url.startswith(own + '/')): path, where = url[len(own):].lstrip('/'), site
                else:
                    u = urlsplit(url)
                    if u.scheme or u.netloc: continue
                    path, where = u.path, base
                path = unquote(urlsplit(path).path)
                if not path: continue
                n += 1
                target = (where/path).resolve()
                what = 'image' if tag == 'img' else 'link'
                if target != root and root not in target.parents: probs.append(f"{page}: {what} '{url}' points outside the site"); continue
                if target.is_dir(): target = target/'index.html'
                if not target.exists(): probs.append(f"{page}: broken {what} '{url}' (no {target.relative_to(root).as_posix()} in the site)")
    return probs, n

def check_index_links(site:Path, soups:dict, pages:dict, own:str='') -> tuple:
    "Links of the front page (outside the sidebar) that do not lead to a page built from a notebook, and how many were checked."
    soup, built = soups.get('index.html'), {out for out, _ in pages.values()}
    if soup is None: return ['index.html: no front page (nbs/index.ipynb) in the site'], 0
    probs, n = [], 0
    for a in soup.find_all('a', href=True):
        if a.find_parent(id='docs-sidebar') is not None: continue
        url = a['href'].strip()
        if own and (url == own or url.startswith(own + '/')): url = url[len(own):].lstrip('/') or 'index.html'
        u = urlsplit(url)
        if u.scheme or u.netloc or not u.path: continue   # another site, or an anchor of this page
        n += 1
        target = os.path.normpath(unquote(u.path))
        if target not in built: probs.append(f"index.html: link '{a['href']}' does not lead to a page of the site (a notebook's page)")
    return probs, n

def check_errors(proc_dir:Path, pages:dict, soups:dict) -> list:
    "Error outputs in the processed notebooks and tracebacks shown on pages."
    probs, bad_pages = [], set()
    for rel, (out, _) in pages.items():
        nb = json.loads((proc_dir/rel).read_text())
        for i, c in enumerate(nb['cells']):
            for o in c.get('outputs', []):
                text = ''.join(o.get('text', '')) if o.get('output_type') == 'stream' else ''
                if o.get('output_type') == 'error':
                    probs.append(f"{out} (nbs/{rel}, cell {i}): error output {o.get('ename')}: {str(o.get('evalue'))[:120]}")
                elif 'Traceback (most recent call last)' in text:
                    probs.append(f"{out} (nbs/{rel}, cell {i}): a traceback in its printed output")
                else: continue
                bad_pages.add(out)
    for page, soup in soups.items():
        if page in bad_pages: continue
        if any('Traceback (most recent call last)' in a.get_text() for a in soup.find_all(class_='jp-OutputArea-output')):
            probs.append(f"{page}: shows a traceback")
    return probs

def _root_cause(e:Exception) -> str:
    "' (ErrorType: message)' of the exception that made a notebook cell fail in nbdev's worker process."
    c = e.__cause__
    if c is None: return ''
    text = str(c).split('The above exception was the direct cause')[0]   # a worker's traceback, as text
    lines = [l.strip() for l in text.strip().splitlines() if l.strip() and not l.startswith(' ')]
    last = lines[-1] if lines else f'{type(c).__name__}: {c}'
    return f" ({last[:200]})"

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--root', default=str(ROOT), help='the nbdev project (folder with settings.ini)')
    ap.add_argument('--site', default=None, help='where the static pages go (default ROOT/_docs_check/site)')
    ap.add_argument('--workers', type=int, default=2, help="processes for nbdev's processing")
    ap.add_argument('--mathjax', default=str(MATHJAX), help='node_modules folder with mathjax 4 and @mathjax/mathjax-newcm-font (make mathjax)')
    ap.add_argument('--build-only', action='store_true', help='build the pages, skip the checks')
    a = ap.parse_args(argv)
    t0, root = time.time(), Path(a.root).resolve()
    mathjax = Path(a.mathjax).resolve()
    if not (mathjax/'mathjax'/'tex-chtml.js').exists() or not (mathjax/'@mathjax'/'mathjax-newcm-font'/'chtml.js').exists():
        print(f"docs-check: no MathJax 4 in {mathjax} (the pages typeset their maths with a local copy): run `make mathjax`, "
              f"which installs the npm packages mathjax and @mathjax/mathjax-newcm-font there")
        return 1
    site = Path(a.site).resolve() if a.site else root/'_docs_check'/'site'
    try: proc_dir = process(root, a.workers)
    except Exception as e:
        msg = str(e).strip().splitlines()
        print(f"docs-check: nbdev's processing failed: {msg[0] if msg else type(e).__name__}"
              + (f" -- {msg[1].strip()}" if len(msg) > 1 else '') + _root_cause(e))
        return 1
    t1 = time.time()
    n_fig = len([f for f in (proc_dir/'figures').glob('*') if f.is_file()])
    pages = build(root, site, proc_dir, mathjax)
    t2 = time.time()
    if a.build_only:
        print(f"docs-check: {len(pages)} pages built in {site} ({time.time() - t0:.0f} s)"); return 0
    from nbdev.config import get_config
    cfg = get_config()
    own = (str(cfg.get('doc_host', '')).rstrip('/') + '/' + str(cfg.get('doc_baseurl', '')).strip('/')).rstrip('/') if cfg.get('doc_host') else ''
    soups = _soups(site)
    probs = docs_sidebar.problems(cfg.nbs_path, exact=False) + check_title_cells(cfg.nbs_path)
    p_sd, n_sd = check_show_docs(root, soups); probs += p_sd
    p_ln, n_ln = check_links(site, soups, own); probs += p_ln
    p_ix, n_ix = check_index_links(site, soups, pages, own); probs += p_ix
    probs += check_errors(proc_dir, pages, soups)
    for p in dict.fromkeys(probs): print(p)
    dt = time.time() - t0
    print(f"docs-check: times: nbdev processing {t1 - t0:.0f} s, pages {t2 - t1:.0f} s, checks {time.time() - t2:.0f} s", file=sys.stderr)
    if probs:
        print(f"docs-check: {len(set(probs))} problem(s) in {len(pages)} pages ({site}, {dt:.0f} s)")
        return 1
    print(f"docs-check: OK: {len(pages)} pages, {n_sd} public functions/classes with their show_doc entry, "
          f"{n_ln} links and images ({n_ix} of the front page's links to pages), {n_fig} figures, no errors ({site}, {dt:.0f} s)")
    return 0

if __name__ == '__main__':
    sys.exit(main())
