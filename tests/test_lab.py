"""`make lab` (issue 19 item 1): JupyterLab started headless by the make target on 127.0.0.1 with a free port and a
token, a notebook opened through the REST API, a kernel started and one cell executed through the kernel's
websocket (the Jupyter messaging protocol, as JupyterLab's front end does it), then the server shut down.
Nothing is left behind: no process of the server's group, no change to `git status`."""
import json, os, secrets, signal, socket, subprocess, sys, time, uuid
import urllib.error, urllib.request
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.executable).parent.parent

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _git_status() -> str:
    return subprocess.run(['git', 'status', '--porcelain'], cwd=ROOT, capture_output=True, text=True, check=True).stdout

class Lab:
    "The server of `make lab` and a small client of its REST API."
    def __init__(self, port:int, token:str): self.base, self.token = f'http://127.0.0.1:{port}', token
    def api(self, method:str, path:str, body=None):
        req = urllib.request.Request(self.base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={'Authorization': f'token {self.token}', 'Content-Type': 'application/json'})
        with urllib.request.urlopen(req, timeout=30) as r:
            data = r.read()
            return r.status, (json.loads(data) if data and 'json' in r.headers.get('Content-Type', '') else data)

def _send(ws, msg_type:str, content:dict, channel:str='shell') -> str:
    "Send a Jupyter message on the kernel's websocket; returns its msg_id."
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({'header': {'msg_id': msg_id, 'username': 'test', 'session': uuid.uuid4().hex, 'msg_type': msg_type,
                                   'version': '5.3', 'date': ''},
                        'parent_header': {}, 'metadata': {}, 'channel': channel, 'buffers': [], 'content': content}))
    return msg_id

def _recv(ws, deadline:float):
    """The next JSON message from the websocket, or None once `deadline` has passed. Control frames are read too, so the
    server's pings (every 30 s) cannot keep a plain `recv()` waiting for ever on a kernel that never answers."""
    import websocket
    while time.time() < deadline:
        ws.settimeout(max(0.1, min(5.0, deadline - time.time())))
        try: op, frame = ws.recv_data_frame(True)
        except websocket.WebSocketTimeoutException: continue
        if op == websocket.ABNF.OPCODE_TEXT: return json.loads(frame.data.decode())
    return None

def _wait_ready(ws, timeout:float=60):
    "Ask for kernel_info until the kernel answers (as JupyterLab does on connecting): a request sent before the kernel's channels are up is lost."
    deadline = time.time() + timeout
    while time.time() < deadline:
        msg_id, wait = _send(ws, 'kernel_info_request', {}), min(deadline, time.time() + 3)
        while (m := _recv(ws, wait)) is not None:
            if m['msg_type'] == 'kernel_info_reply' and m.get('parent_header', {}).get('msg_id') == msg_id: return
    raise AssertionError(f'the kernel did not answer kernel_info within {timeout} s')

def _execute(ws, code:str, timeout:float=60) -> dict:
    "Send an execute_request on the kernel's websocket; collect the replies to it until the kernel is idle again."
    msg_id = _send(ws, 'execute_request', {'code': code, 'silent': False, 'store_history': False, 'user_expressions': {},
                                           'allow_stdin': False, 'stop_on_error': True})
    got, deadline, idle = {'stream': '', 'result': None, 'error': None, 'reply': None}, time.time() + timeout, False
    while (m := _recv(ws, deadline)) is not None:
        if m.get('parent_header', {}).get('msg_id') != msg_id: continue
        t, c = m['msg_type'], m['content']
        if t == 'stream': got['stream'] += c['text']
        elif t == 'execute_result': got['result'] = c['data']['text/plain']
        elif t == 'error': got['error'] = f"{c['ename']}: {c['evalue']}"
        elif t == 'execute_reply': got['reply'] = c['status']
        elif t == 'status' and c['execution_state'] == 'idle': idle = True
        # the reply (shell channel) and the idle status (iopub) travel on different channels: either may come first
        if idle and got['reply'] is not None: return got
    raise AssertionError(f'no complete reply within {timeout} s: {got}')

def test_make_lab_opens_a_notebook_and_runs_a_cell(tmp_path):
    import websocket   # websocket-client, a dependency of jupyter_server
    if not (VENV/'bin'/'jupyter-lab').exists(): pytest.fail(f"no jupyter-lab in {VENV}: `make setup` installs the dev requirements (jupyterlab)")
    before, t0 = _git_status(), time.time()
    port, token = _free_port(), secrets.token_hex(16)
    # the user's Jupyter and IPython folders stay untouched: runtime files, config and workspaces go to tmp_path
    env = {**os.environ, 'JUPYTER_RUNTIME_DIR': str(tmp_path/'runtime'), 'JUPYTER_CONFIG_DIR': str(tmp_path/'config'),
           'JUPYTERLAB_WORKSPACES_DIR': str(tmp_path/'workspaces'), 'IPYTHONDIR': str(tmp_path/'ipython')}
    log = open(tmp_path/'lab.log', 'w')
    # -o: the set-up stamp counts as up to date (pytest runs in the installed .venv); make's own `lab` recipe does the rest
    proc = subprocess.Popen(['make', '-s', '-o', f'{VENV}/.installed', 'lab', f'VENV={VENV}', f'LAB_PORT={port}', f'LAB_TOKEN={token}'],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(port, token)
    try:
        while True:   # up when the API answers with the token
            try:
                if lab.api('GET', '/api/status')[0] == 200: break
            except (urllib.error.URLError, ConnectionError): pass
            assert proc.poll() is None, (tmp_path/'lab.log').read_text()
            assert time.time() - t0 < 45, 'JupyterLab did not answer within 45 s:\n' + (tmp_path/'lab.log').read_text()
            time.sleep(0.3)
        text = (tmp_path/'lab.log').read_text()
        assert f'http://127.0.0.1:{port}/lab?token=' in text, text   # the URL is printed (a token given is shown as '...')
        with pytest.raises(urllib.error.HTTPError) as e: Lab(port, 'wrong').api('GET', '/api/contents')
        assert e.value.code == 403   # the token is required
        # the notebook server's root is nbs/: a notebook opens with its cells
        status, nb = lab.api('GET', '/api/contents/00_core.ipynb?content=1&type=notebook')
        assert status == 200 and nb['type'] == 'notebook', nb
        assert nb['content']['cells'][0]['source'].startswith('#| default_exp core'), nb['content']['cells'][0]
        status, page = lab.api('GET', '/lab')
        assert status == 200 and b'JupyterLab' in page   # the JupyterLab page itself
        # a kernel for that notebook (a session, as opening it in JupyterLab makes one), one cell run on its websocket
        status, sess = lab.api('POST', '/api/sessions', {'path': '00_core.ipynb', 'type': 'notebook', 'name': '00_core.ipynb',
                                                         'kernel': {'name': 'python3'}})
        assert status == 201, sess
        kid = sess['kernel']['id']
        ws = websocket.create_connection(f'ws://127.0.0.1:{port}/api/kernels/{kid}/channels?token={token}', timeout=60)
        try:
            _wait_ready(ws)
            got = _execute(ws, "import os, sys\nfrom concord.core import sample_seed\nprint(sys.prefix, os.getcwd())\nsample_seed(0, 3, 7) % 1000")
        finally: ws.close()
        assert got['error'] is None and got['reply'] == 'ok', got
        from concord.core import sample_seed
        assert got['result'] == str(sample_seed(0, 3, 7) % 1000), got       # the cell's value
        prefix, cwd = got['stream'].split()
        assert Path(prefix).resolve() == VENV.resolve(), got        # the kernel runs in the project's venv
        assert Path(cwd).resolve() == (ROOT/'nbs').resolve(), got   # in the notebook's folder
        assert lab.api('DELETE', f"/api/sessions/{sess['id']}")[0] == 204
        lab.api('POST', '/api/shutdown')
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None: os.killpg(proc.pid, signal.SIGTERM); proc.wait(timeout=30)
        log.close()
    try: os.killpg(proc.pid, 0); alive = True      # any process left in the server's group (make, jupyter, a kernel)?
    except ProcessLookupError: alive = False
    assert not alive, 'processes of make lab are still running'
    assert _git_status() == before
    print(f'make lab test: {time.time() - t0:.1f} s')
