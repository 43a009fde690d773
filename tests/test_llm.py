"""concord.llm against a real HTTP server on 127.0.0.1 that speaks POST /v1/chat/completions and can be told to answer
well, badly, slowly or with errors: retries, backoff, Retry-After, timeouts, replies that break the chat-completions
schema (one line, also through `concord concepts`, nothing written), the reply cache, resuming after an interruption
(also after the process is killed), and that the API key leaks nowhere."""
import json, logging, os, re, signal, subprocess, sys, textwrap, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
import pytest
import concord.llm
from concord.concepts import ConceptBank, concept_prompt, CONCEPT_PROMPT_SHA256
from concord.core import ConcordError
from concord.llm import ChatClient, LLMError, LLMSettings, ReplyCache, retrieve_concepts, concepts_cmd, reply_content

KEY = 'sk-test-SECRET123'
DATASET = 'Toyset'


def phrases_for(c, n=10): return [f"{c.lower()} part {i}" for i in range(n)]

def answer(c, n=10): return f'<answer>("{c}", {json.dumps(phrases_for(c, n))})</answer>'


class FakeLLM:
    """A chat-completions server. `script[class]` is a list of actions used one per request for that class, then 'good':
    'good', 'garbage' (no answer tag), 'short' (3 phrases), ('429', retry_after), '500' (error text echoing the
    Authorization header), ('slow', seconds), 'block' (waits until the test ends), 'echo-good' (a good answer followed
    by the Authorization header), 'null' (a well-formed reply whose content is null), ('raw', content_type, body) (status
    200 with this body, '{auth}' replaced by the Authorization header), 'cut' (a good reply whose connection closes
    halfway through the body)."""
    def __init__(self):
        self.script, self.seen, self.lock, self.release = {}, [], threading.Lock(), threading.Event()
        fake = self
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def do_POST(self): fake.handle(self)
        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, kwargs=dict(poll_interval=0.05), daemon=True).start()

    def requests_for(self, c): return [s for s in self.seen if s['class'] == c]

    def handle(self, h):
        body = json.loads(h.rfile.read(int(h.headers['Content-Length'])))
        prompt = body['messages'][0]['content']
        c = re.search(r"similar appearance to (.+?)\. Then please", prompt)[1]
        n = int(re.search(r"give (\d+) short descriptions", prompt)[1])
        auth = h.headers.get('Authorization', '')
        with self.lock:
            todo = self.script.get(c) or []
            action = todo.pop(0) if todo else 'good'
            self.seen.append({'class': c, 'path': h.path, 'action': action, 'auth': auth, 'body': body, 't': time.monotonic()})
        status, headers, content, ctype, data = 200, {}, None, 'application/json', None
        if action == 'good': content = answer(c, n)
        elif action == 'garbage': content = "I'm sorry, I can't list those."
        elif action == 'short': content = answer(c, 3)
        elif action == 'echo-good': content = answer(c, n) + f"\n(debug: you sent {auth})"
        elif action == '500': status, body_out = 500, {'error': {'message': f'internal error; request had {auth}'}}
        elif action[0] == '429': status, headers, body_out = 429, {'Retry-After': action[1]}, {'error': {'message': 'rate limited'}}
        elif action[0] == 'slow': time.sleep(action[1]); content = answer(c, n)
        elif action == 'block': self.release.wait(60); content = answer(c, n)
        elif action == 'cut': content = answer(c, n)
        elif action == 'null': body_out = {'id': 'x', 'object': 'chat.completion', 'created': 0, 'model': body['model'],
                                           'choices': [{'index': 0, 'finish_reason': 'stop', 'message': {'role': 'assistant', 'content': None}}]}
        elif action[0] == 'raw': ctype, data = action[1], action[2].replace('{auth}', auth).encode()
        if content is not None:
            body_out = {'id': 'x', 'object': 'chat.completion', 'created': 0, 'model': body['model'],
                        'choices': [{'index': 0, 'finish_reason': 'stop', 'message': {'role': 'assistant', 'content': content}}]}
        if data is None: data = json.dumps(body_out).encode()
        try:
            h.send_response(status)
            for k, v in headers.items(): h.send_header(k, v)
            h.send_header('Content-Type', ctype); h.send_header('Content-Length', str(len(data)))
            h.end_headers()
            if action == 'cut': h.wfile.write(data[:len(data) // 2]); h.wfile.flush(); h.close_connection = True
            else: h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError): pass   # the client gave up (timeout) or was killed

    def close(self):
        self.release.set(); self.server.shutdown(); self.server.server_close()


@pytest.fixture
def llm():
    f = FakeLLM()
    yield f
    f.close()


def settings(llm, **kw):
    return LLMSettings(**{**dict(model='test-model', base_url=llm.url, rpm=0, backoff_base=0.01, backoff_max=0.05, timeout=5), **kw})


def run(llm, classes, tmp_path, out=None, **kw):
    sleep = kw.pop('sleep', time.sleep)
    client = ChatClient(settings(llm, **kw), api_key=KEY, sleep=sleep)
    return retrieve_concepts(classes, DATASET, out=out, cache_dir=tmp_path/'cache', client=client, progress=False)


def test_good_reply(llm, tmp_path):
    bank = run(llm, ['Coat'], tmp_path, out=tmp_path/'bank.json')
    assert [x.text for x in bank.concepts['Coat']] == phrases_for('Coat')
    (r,) = llm.seen
    assert r['path'] == '/v1/chat/completions' and r['auth'] == f'Bearer {KEY}'
    assert r['body']['model'] == 'test-model' and r['body']['temperature'] == 0.0
    assert r['body']['messages'] == [{'role': 'user', 'content': concept_prompt('Coat', dataset=DATASET)}]
    saved = ConceptBank.load(tmp_path/'bank.json')
    p = saved.provenance
    assert (p['model'], p['base_url_host'], p['prompt_sha256'], p['prompt_dataset']) == ('test-model', llm.url.split('/')[2], CONCEPT_PROMPT_SHA256, DATASET)
    assert saved.validity['scored'] is False and 'not validity-scored' in p['notes']


@pytest.mark.parametrize('bad', ['garbage', 'short'])
def test_malformed_reply_is_asked_again(llm, tmp_path, bad):
    llm.script['Coat'] = [bad]
    bank = run(llm, ['Coat'], tmp_path)
    assert [x.text for x in bank.concepts['Coat']] == phrases_for('Coat')
    assert [r['action'] for r in llm.seen] == [bad, 'good']
    second = llm.seen[1]['body']['messages']
    assert [m['role'] for m in second] == ['user', 'assistant', 'user']
    assert second[2]['content'].startswith('Your answer could not be read: ')


def test_malformed_replies_give_up_with_one_line(llm, tmp_path):
    llm.script['Coat'] = ['garbage'] * 5
    with pytest.raises(LLMError) as e: run(llm, ['Coat'], tmp_path, parse_retries=1)
    msg = str(e.value)
    assert msg.startswith("class 'Coat': 2 replies from test-model could not be parsed") and '\n' not in msg
    assert len(llm.seen) == 2
    assert not (tmp_path/'cache').exists() or not any((tmp_path/'cache').iterdir())   # nothing malformed is cached


def test_null_content_is_an_empty_reply_asked_again(llm, tmp_path):
    "`content: null` is allowed by the schema (a refusal, a tool call): an empty reply, asked again like one without the tag."
    llm.script['Coat'] = ['null']
    bank = run(llm, ['Coat'], tmp_path)
    assert [x.text for x in bank.concepts['Coat']] == phrases_for('Coat')
    assert [r['action'] for r in llm.seen] == ['null', 'good']
    assert llm.seen[1]['body']['messages'][2]['content'].startswith('Your answer could not be read: no <answer> tag.')


# Replies with status 200 that break the chat-completions schema: (Content-Type, body, what the message says is wrong).
SCHEMA_BREAKS = {
    'choices-str': ('application/json', '{"choices": "nope"}', "'choices' is a str, not a list"),
    'truncated': ('application/json', '{"id": "x", "object": "chat.completion", "choices": [{"index": 0, "mess',
                  "the body (application/json) is not JSON (Unterminated string starting at: line 1 column 67 (char 66)): "
                  "'{\"id\": \"x\", \"object\": \"chat.completion\", \"choices\": [{\"index\": 0, \"mess'"),
    'no-choices': ('application/json', '{"id": "x", "object": "chat.completion", "created": 0}', "it has no 'choices' (keys: 'id', 'object', 'created')"),
    'error-200': ('application/json', '{"error": {"message": "upstream timed out; you sent {auth}"}}',
                  "it has no 'choices' (the server says: upstream timed out; you sent Bearer ***)"),
    'empty-choices': ('application/json', '{"id": "x", "choices": []}', "'choices' is empty"),
    'content-list': ('application/json', '{"choices": [{"index": 0, "message": {"role": "assistant", "content": [{"type": "text", "text": "hi"}]}}]}',
                     "'choices[0].message.content' is a list, not a str"),
    'content-int': ('application/json', '{"choices": [{"index": 0, "message": {"role": "assistant", "content": 7}}]}',
                    "'choices[0].message.content' is an int, not a str"),
    'html-200': ('text/html; charset=utf-8', '<!doctype html>\n<title>Sign in</title> you sent {auth}',
                 "the body (text/html) is not JSON (Expecting value: line 1 column 1 (char 0)): '<!doctype html> <title>Sign in</title> you sent Bearer ***'"),
    'json-not-object': ('application/json', '["Coat", "Shirt"]', "the body is a list, not a dict"),
}
HINT = "; check that --base_url (CONCORD_LLM_BASE_URL) is an OpenAI-compatible endpoint, up to and including /v1"


def nothing_cached(tmp_path): return not (tmp_path/'cache').exists() or not any((tmp_path/'cache').iterdir())

def snapshot(root):
    "Every folder and file under `root`, with each file's bytes and modification time."
    return {p.relative_to(root): p.is_file() and (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(root.rglob('*'))}


@pytest.mark.parametrize('case', SCHEMA_BREAKS)
def test_schema_break_fails_at_once_with_one_line(llm, tmp_path, case):
    ctype, body, problem = SCHEMA_BREAKS[case]
    llm.script['Coat'] = [('raw', ctype, body)]
    with pytest.raises(LLMError) as e: run(llm, ['Coat'], tmp_path, out=tmp_path/'bank.json')
    msg = str(e.value)
    assert msg == f"class 'Coat': the reply of {llm.url} is not chat-completions JSON: {problem}{HINT}"
    assert isinstance(e.value, ConcordError) and e.value.__cause__ is None and e.value.__suppress_context__
    assert KEY not in msg and 'SECRET' not in msg
    assert len(llm.seen) == 1                      # neither retried nor asked again as an unparsable answer
    assert not (tmp_path/'bank.json').exists() and nothing_cached(tmp_path)


@pytest.mark.parametrize('case', SCHEMA_BREAKS)
def test_schema_break_through_the_cli(llm, tmp_path, capfd, monkeypatch, case):
    "`concord concepts` (its entry point, in this process): exit status 2, one line on stderr, the disk as it was."
    from concord.cli import main
    ctype, body, problem = SCHEMA_BREAKS[case]
    bank = tmp_path/'banks'/'toyset.json'
    run(llm, ['A'], tmp_path, out=bank)            # an earlier run left a bank and a cached reply
    before = snapshot(tmp_path)
    llm.script['Coat'] = [('raw', ctype, body)]
    monkeypatch.setenv('CONCORD_LLM_API_KEY', KEY)
    capfd.readouterr()
    rc = main(['concepts', '--classes', 'A,Coat', '--dataset', DATASET, '--out', str(bank), '--base_url', llm.url,
               '--model', 'test-model', '--rpm', '0', '--cache_dir', str(tmp_path/'cache'), '--quiet'])
    out, err = capfd.readouterr()
    assert rc == 2 and out == ''
    assert err.splitlines() == [f"concord: error: class 'Coat': the reply of {llm.url} is not chat-completions JSON: {problem}{HINT}"]
    assert KEY not in err
    assert [r['class'] for r in llm.seen] == ['A', 'Coat']   # A came from the bank
    assert snapshot(tmp_path) == before           # the bank untouched, nothing cached, no temporary file left


def test_schema_break_through_the_concord_command(llm, tmp_path):
    "The `concord` executable itself: exit status 2, one line on stderr and no traceback, no bank written."
    env = {**os.environ, 'CONCORD_LLM_API_KEY': KEY, 'CONCORD_LLM_BASE_URL': llm.url, 'CONCORD_LLM_MODEL': 'test-model',
           'HF_HUB_OFFLINE': '1', 'TRANSFORMERS_OFFLINE': '1'}
    ctype, body, problem = SCHEMA_BREAKS['choices-str']
    llm.script['Coat'] = [('raw', ctype, body)]
    r = subprocess.run([str(Path(sys.executable).parent/'concord'), 'concepts', '--classes', 'Coat', '--dataset', DATASET,
                        '--rpm', '0', '--cache_dir', str(tmp_path/'cache'), '--quiet'],
                       capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stderr.splitlines() == [f"concord: error: class 'Coat': the reply of {llm.url} is not chat-completions JSON: {problem}{HINT}"]
    assert 'Traceback' not in r.stderr and r.stdout == '' and KEY not in r.stderr
    assert list(tmp_path.iterdir()) == []           # no banks/toyset.json, no cache
    assert len(llm.seen) == 1


def test_quoted_body_never_cuts_the_key_in_half():
    "The key is replaced before the quoted part of a body is cut to length, so no prefix of it survives."
    body = '<html>' + 'x' * 63 + f'Bearer {KEY}</html>'    # the cut at 80 characters falls inside the key
    with pytest.raises(LLMError) as e: reply_content(body, 'text/html', KEY)
    assert str(e.value).endswith("xBearer ***<'") and 'sk-' not in str(e.value)


def test_body_cut_mid_transfer_is_retried(llm, tmp_path):
    "A connection that closes halfway through the body is a hiccup of the HTTP layer, retried like any dropped connection."
    llm.script['Coat'] = ['cut']
    waits = []
    bank = run(llm, ['Coat'], tmp_path, sleep=waits.append)
    assert [x.text for x in bank.concepts['Coat']] == phrases_for('Coat')
    assert [r['action'] for r in llm.seen] == ['cut', 'good'] and len(waits) == 1


def test_429_obeys_retry_after(llm, tmp_path):
    llm.script['Coat'] = [('429', '3'), ('429', '1.5')]
    waits = []
    bank = run(llm, ['Coat'], tmp_path, sleep=waits.append)
    assert [x.text for x in bank.concepts['Coat']] == phrases_for('Coat')
    assert waits == [3.0, 1.5]
    assert len(llm.seen) == 3


def test_500_then_good_backs_off(llm, tmp_path):
    llm.script['Coat'] = ['500', '500']
    waits = []
    bank = run(llm, ['Coat'], tmp_path, sleep=waits.append, backoff_base=0.01, backoff_max=1)
    assert [x.text for x in bank.concepts['Coat']] == phrases_for('Coat')
    assert len(llm.seen) == 3 and len(waits) == 2
    assert 0.005 <= waits[0] <= 0.01 and 0.01 <= waits[1] <= 0.02   # base * 2^k times a factor in [0.5, 1]


def test_slow_reply_times_out_and_is_retried(llm, tmp_path):
    llm.script['Coat'] = [('slow', 3.0)]
    t0 = time.monotonic()
    bank = run(llm, ['Coat'], tmp_path, timeout=0.5)
    assert time.monotonic() - t0 < 2.5
    assert [x.text for x in bank.concepts['Coat']] == phrases_for('Coat')
    assert [r['action'] for r in llm.seen] == [('slow', 3.0), 'good']


def test_connection_refused_is_retried_then_one_line(tmp_path):
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0)); port = sock.getsockname()[1]   # a port nobody listens on once closed
    waits = []
    client = ChatClient(LLMSettings(model='test-model', base_url=f'http://127.0.0.1:{port}/v1', rpm=0, max_retries=2), api_key=KEY, sleep=waits.append)
    with pytest.raises(LLMError) as e:
        retrieve_concepts(['Coat'], DATASET, cache_dir=tmp_path/'cache', client=client, progress=False)
    assert str(e.value).startswith(f"class 'Coat': 127.0.0.1:{port} failed 3 times (last: connection failed")
    assert client.requests == 3 and len(waits) == 2 and KEY not in str(e.value)


def test_persistent_500_ends_with_one_line(llm, tmp_path):
    llm.script['Coat'] = ['500'] * 10
    with pytest.raises(LLMError) as e: run(llm, ['Coat'], tmp_path, out=tmp_path/'bank.json', max_retries=3)
    msg = str(e.value)
    assert '\n' not in msg and msg.startswith("class 'Coat': 127.0.0.1:") and 'failed 4 times (last: HTTP 500: internal error; request had Bearer ***)' in msg
    assert len(llm.seen) == 4
    assert not (tmp_path/'bank.json').exists()


def test_rate_limit_spaces_requests(llm, tmp_path):
    run(llm, ['A', 'B', 'C'], tmp_path, rpm=300)   # one request per 0.2 s
    ts = [r['t'] for r in llm.seen]
    assert len(ts) == 3 and min(b - a for a, b in zip(ts, ts[1:])) >= 0.17


def test_cache_hit_on_second_run(llm, tmp_path):
    classes = ['A', 'B', 'C']
    first = run(llm, classes, tmp_path)
    assert len(llm.seen) == 3 and first.counts == dict(bank=0, cached=0, requested=3)
    again = run(llm, classes, tmp_path)
    assert len(llm.seen) == 3 and again.counts == dict(bank=0, cached=3, requested=0)
    assert again.to_dict()['concepts'] == first.to_dict()['concepts']
    # a fully cached run needs neither a reachable server nor a key
    third = retrieve_concepts(classes, DATASET, model='test-model', base_url='http://127.0.0.1:9/v1', cache_dir=tmp_path/'cache',
                              progress=False, env={})
    assert third.counts['cached'] == 3 and len(llm.seen) == 3


def test_interrupted_run_resumes(llm, tmp_path):
    classes = ['A', 'B', 'C', 'D']
    llm.script['C'] = ['500'] * 2
    with pytest.raises(LLMError, match="class 'C'"): run(llm, classes, tmp_path, out=tmp_path/'bank.json', max_retries=1)
    assert [r['class'] for r in llm.seen] == ['A', 'B', 'C', 'C']
    bank = run(llm, classes, tmp_path, out=tmp_path/'bank.json')
    assert [r['class'] for r in llm.seen[4:]] == ['C', 'D']        # A and B were not asked again
    assert bank.counts == dict(bank=0, cached=2, requested=2)
    assert ConceptBank.load(tmp_path/'bank.json').classes == classes
    # with the cache gone, the finished bank itself is reused
    for p in (tmp_path/'cache').iterdir(): p.unlink()
    assert run(llm, classes, tmp_path, out=tmp_path/'bank.json').counts == dict(bank=4, cached=0, requested=0)
    assert len(llm.seen) == 6


def test_killed_run_resumes(llm, tmp_path):
    "A process killed while waiting for class C's reply; the rerun asks only for C and D."
    classes = ['A', 'B', 'C', 'D']
    llm.script['C'] = ['block']
    script = textwrap.dedent(f"""
        from concord.llm import retrieve_concepts, LLMSettings
        retrieve_concepts({classes!r}, {DATASET!r}, out={str(tmp_path/'bank.json')!r}, cache_dir={str(tmp_path/'cache')!r},
                          settings=LLMSettings(model='test-model', base_url={llm.url!r}, rpm=0), progress=False)
        """)
    env = {**os.environ, 'CONCORD_LLM_API_KEY': KEY, 'HF_HUB_OFFLINE': '1'}
    p = subprocess.Popen([sys.executable, '-c', script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        t0 = time.monotonic()
        while not llm.requests_for('C'):
            assert p.poll() is None, p.communicate()
            assert time.monotonic() - t0 < 25, 'the subprocess never asked for class C'
            time.sleep(0.05)
        p.send_signal(signal.SIGKILL)
        _, err = p.communicate(timeout=10)
    finally:
        if p.poll() is None: p.kill()
    assert KEY not in err.decode()
    assert not (tmp_path/'bank.json').exists()
    assert len(list((tmp_path/'cache').glob('*.json'))) == 2
    bank = run(llm, classes, tmp_path, out=tmp_path/'bank.json')
    assert [r['class'] for r in llm.seen] == ['A', 'B', 'C', 'C', 'D']
    assert [x.text for x in bank.concepts['D']] == phrases_for('D')


def test_api_key_leaks_nowhere(llm, tmp_path, caplog, capfd, monkeypatch):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(concord.llm, 'backoff_delay', lambda *a, **k: 0.001)   # concepts_cmd has no backoff option
    monkeypatch.setenv('CONCORD_LLM_API_KEY', KEY)
    monkeypatch.setenv('CONCORD_LLM_BASE_URL', llm.url)
    monkeypatch.setenv('CONCORD_LLM_MODEL', 'test-model')
    # errors whose text echoes the key, a reply that echoes it, a malformed reply, then persistent errors
    llm.script.update({'A': ['500', '500', 'echo-good'], 'B': ['garbage', ('429', '0')], 'C': ['500'] * 10})
    out = tmp_path/'out'
    with pytest.raises(LLMError) as e:
        concepts_cmd.__wrapped__(out=str(out/'bank.json'), classes='A,B,C', dataset=DATASET, retries=2, rpm=0,
                                 cache_dir=str(tmp_path/'cache'))
    texts = [str(e.value), repr(e.value), caplog.text, *capfd.readouterr()]
    assert e.value.__cause__ is None and e.value.__suppress_context__
    assert all(r['auth'] == f'Bearer {KEY}' for r in llm.seen)      # the key was sent ...
    assert "internal error; request had Bearer ***" in caplog.text  # ... and the server's echo was scrubbed
    llm.script['C'] = []
    concepts_cmd.__wrapped__(out=str(out/'bank.json'), classes='A,B,C', dataset=DATASET, rpm=0, cache_dir=str(tmp_path/'cache'), quiet=True)
    texts += [caplog.text, *capfd.readouterr()]
    files = [p for p in tmp_path.rglob('*') if p.is_file()]
    assert len(files) == 4                                            # the bank and 3 cached replies
    texts += [p.read_text() for p in files]
    assert 'Bearer ***' in ''.join(p.read_text() for p in files)      # A's echoed reply, scrubbed
    for t in texts: assert KEY not in t and 'SECRET123' not in t
    bank = ConceptBank.load(out/'bank.json')
    assert bank.classes == ['A', 'B', 'C'] and bank.provenance['model'] == 'test-model'
    assert 'api_key' not in json.dumps(bank.to_dict())
