"""The docs pages in a real browser: headless Chromium (Debian's chromium + chromium-driver, `make sysdeps`)
driven by selenium opens the index page, the results guide, a method page and an analysis page from a local HTTP server and saves screenshots
in _docs_check/screenshots/; the method page's equations are typeset by the site's own MathJax (`make mathjax`).

The pages are the ones `make docs-check` built in _docs_check/site/ (`make test` runs it just before
pytest); when they are missing or older than the notebooks, they are built first (`docs_check.py --build-only`).
"""
import ast, functools, shutil, subprocess, sys, threading
from http.server import ThreadingHTTPServer, SimpleHTTPRequestHandler
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE, SHOTS = ROOT/'_docs_check'/'site', ROOT/'_docs_check'/'screenshots'
CHROMIUM, CHROMEDRIVER = '/usr/bin/chromium', '/usr/bin/chromedriver'
# As root on a closed network: no sandbox, and no background connections (they are refused, many at a time).
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--window-size=1280,1800']

def _stale() -> bool:
    index = SITE/'index.html'
    if not index.exists(): return True
    sources = [*(ROOT/'nbs').rglob('*.ipynb'), *(ROOT/'figures').glob('*'), ROOT/'nbs'/'sidebar.yml', ROOT/'tools'/'docs_check.py',
               *(ROOT/'_vendor').glob('.mathjax-*')]
    return max(p.stat().st_mtime for p in sources if p.exists()) > index.stat().st_mtime

@pytest.fixture(scope='module')
def site():
    if _stale():
        subprocess.run([sys.executable, str(ROOT/'tools'/'docs_check.py'), '--build-only'], check=True, timeout=900)
    return SITE

@pytest.fixture(scope='module')
def server(site):
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    srv = ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{srv.server_port}'
    srv.shutdown(); srv.server_close()

@pytest.fixture(scope='module')
def browser(tmp_path_factory):
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing: pytest.fail(f"{', '.join(missing)} not found: `make sysdeps` installs Debian's chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for f in FLAGS + [f'--user-data-dir={tmp_path_factory.mktemp("chromium-profile")}']: opts.add_argument(f)
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)   # a driver path given: selenium downloads nothing
    drv.set_page_load_timeout(120)
    yield drv
    drv.quit()

def _open(browser, url, shot):
    browser.get(url)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SHOTS/shot)) and (SHOTS/shot).stat().st_size > 10_000

def _images(browser) -> list:
    "[(src attribute, loaded and decoded)] for every <img> of the page."
    return browser.execute_script(
        "return [...document.images].map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0])")

def test_index_page(browser, server):
    "The README's page: its title, the demo's table and figure, the links to the guides, the sidebar."
    _open(browser, f'{server}/index.html', 'index.png')
    assert browser.title == 'concord'
    tables = [t.text for t in browser.find_elements('css selector', 'table')]
    assert any('CONCORD (DiT + concept informing' in t and 'random real images' in t for t in tables), tables[:2]
    imgs = dict(_images(browser))
    assert imgs.get('figures/lambda_strip_fmnist.png') is True, imgs
    assert all(imgs.values()), [s for s, ok in imgs.items() if not ok]
    hrefs = browser.execute_script("return [...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    assert {'guides/results.html', 'guides/real_scale.html', 'guides/notebooks.html'} <= set(hrefs), hrefs
    # the sidebar reaches the four sections
    nav = browser.find_element('id', 'docs-sidebar').text
    assert 'Guides: Results on the mini world' in nav and 'Method: guidance' in nav and 'Real scale: unclip' in nav
    assert 'Analysis: Concept report' in nav

def test_results_guide(browser, server):
    "The results guide (nbs/guides/results.ipynb): the benchmark tables and their figures through ../figures, loaded."
    _open(browser, f'{server}/guides/results.html', 'results.png')
    assert browser.title == 'Results on the mini world – concord'
    tables = [t.text for t in browser.find_elements('css selector', 'table')]
    assert any('DiT+CONCORD' in t and 'IPC 10' in t and 'Minimax' in t for t in tables), tables[:2]
    imgs = dict(_images(browser))
    assert imgs.get('../figures/bench_fmnist.png') is True and imgs.get('../figures/lambda_grid_fmnist.png') is True, imgs
    assert all(imgs.values()), [s for s, ok in imgs.items() if not ok]

def _docstring(module:str, name:str) -> str:
    tree = ast.parse((ROOT/'concord'/f'{module}.py').read_text())
    node = next(n for n in tree.body if getattr(n, 'name', None) == name)
    return ast.get_docstring(node).split('\n\n')[0]

def test_method_page(browser, server):
    "A method page (04_guidance): its title and the show_doc entry of Eq. 9's `informed_eps` with signature and docstring."
    _open(browser, f'{server}/guidance.html', 'guidance.png')
    assert browser.title == 'guidance – concord'
    assert browser.find_element('css selector', 'h1').text.startswith('guidance')
    entry = browser.find_element('id', 'informed_eps').find_element('xpath', './ancestor::div[contains(@class, "jp-OutputArea-output")]')
    text = ' '.join(entry.text.split())
    assert 'def informed_eps(' in text
    assert ' '.join(_docstring('guidance', 'informed_eps').replace('`', '').split()) in text.replace('`', '')

def test_analysis_page(browser, server):
    "An analysis page (analysis/01_tsne) shows its committed figures through ../figures."
    _open(browser, f'{server}/analysis/tsne.html', 'tsne.png')
    imgs = dict(_images(browser))
    assert imgs.get('../figures/tsne_informing_fmnist.png') is True, imgs
    assert all(imgs.values()), [s for s, ok in imgs.items() if not ok]

def test_method_page_maths_is_typeset(browser, server):
    "The equations of 04_guidance (CONCORD Eq. 9, 11, 12) are typeset by the MathJax copied into the site, loaded by a relative path."
    browser.get(f'{server}/guidance.html')
    scripts = browser.execute_script("return [...document.scripts].map(s => s.getAttribute('src')).filter(s => s)")
    assert 'static/mathjax/tex-chtml.js' in scripts, scripts                           # the local copy, relative to the page
    assert not [s for s in scripts if 'mathjax' in s.lower() and s.startswith(('http:', 'https:', '//')) and not s.startswith(server)], scripts   # no CDN
    # wait for MathJax to finish typesetting the page (its startup promise), then look at the result
    browser.set_script_timeout(90)
    state = browser.execute_async_script("""const done = arguments[arguments.length - 1];
        const wait = () => (window.MathJax && MathJax.startup && MathJax.startup.promise)
            ? MathJax.startup.promise.then(() => done('typeset'), e => done('failed: ' + e)) : setTimeout(wait, 100);
        wait();""")
    assert state == 'typeset', state
    n_display = len(browser.find_elements('css selector', 'mjx-container[display="true"]'))
    n_inline = len(browser.find_elements('css selector', 'mjx-container:not([display="true"])'))
    assert n_display >= 3 and n_inline >= 10, (n_display, n_inline)    # the page's three displayed equations and its inline symbols
    # no TeX source is left on the page (the text that is not code)
    prose = browser.execute_script("""return [...document.querySelectorAll('.jp-MarkdownOutput, .jp-RenderedMarkdown')]
        .map(e => e.innerText).join('\\n')""")
    assert prose and '$$' not in prose and '\\hat\\epsilon' not in prose and '\\sqrt' not in prose, prose[:500]
    # Eq. 9's display: typeset glyphs with the fonts loaded from the site (CHTML draws characters from the woff2 files)
    fonts = browser.execute_script("return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert any('MJX' in f.upper() or 'NCM' in f.upper() for f in fonts), fonts
    eq = browser.find_elements('css selector', 'mjx-container[display="true"]')[-1]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", eq)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SHOTS/'guidance-maths.png')) and (SHOTS/'guidance-maths.png').stat().st_size > 10_000
    assert eq.size['width'] > 100 and eq.size['height'] > 10, eq.size   # the equation has a typeset box, not a line of TeX
