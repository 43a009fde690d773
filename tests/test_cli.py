"""The `concord` command end to end: help, one-line errors that leave no complete-looking output,
and a small distil -> evaluate run on the shipped mini world."""
import json, os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
CONCORD = Path(sys.executable).parent/'concord'
ENV = {**os.environ, 'HF_HUB_OFFLINE': '1', 'TRANSFORMERS_OFFLINE': '1'}


def run(*args, env=None, cwd=None):
    return subprocess.run([str(CONCORD), *map(str, args)], capture_output=True, text=True, env=env or ENV, cwd=cwd, timeout=900)


def one_line_error(r, contains):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('concord: error: '), r.stderr
    assert contains in lines[0], lines[0]


def test_help_lists_every_option_with_default():
    r = run('distill', '--help')
    assert r.returncode == 0
    h = ' '.join(r.stdout.split())
    for opt, default in [('--ipc', '10'), ('--lam', '1.0'), ('--objective', 'contrastive'), ('--n_pos', '5'), ('--n_neg', '10'),
                         ('--neg_strategy', 'weighted'), ('--steps', '50'), ('--guidance', 'fast'), ('--grad_mode', 'None'), ('--window', 'None'),
                         ('--cfg_scale', 'None'), ('--seed', '0'), ('--tau', '0.07'), ('--method', 'concord')]:
        assert opt in h and f'(default: {default})' in h, opt
    assert run('evaluate', '--help').returncode == 0


@pytest.mark.parametrize('args,msg', [
    (['--ipc', '0'], 'IPC must be a positive integer'),
    (['--lam', '-1'], 'lambda must be a finite number >= 0'),
    (['--grad_mode', 'sideways'], 'unknown gradient mode'),
    (['--classes', 'Hat,Coat'], "unknown class 'Hat'"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, args, msg):
    out = tmp_path/'set'
    one_line_error(run('distill', '--out', out, '--quiet', *args), msg)
    assert not out.exists()


def test_unwritable_output_dir(tmp_path):
    (tmp_path/'file').write_text('x')
    one_line_error(run('distill', '--out', tmp_path/'file'/'set', '--ipc', '1', '--steps', '1', '--quiet'), 'cannot write')


def test_bank_lacking_a_class(tmp_path):
    from concord.concepts import bank_path
    bank = json.loads(bank_path('fashion-mnist').read_text())
    bank['concepts']['Coat'] = []
    (tmp_path/'bank.json').write_text(json.dumps(bank))
    out = tmp_path/'set'
    one_line_error(run('distill', '--out', out, '--bank', tmp_path/'bank.json', '--quiet'), "'Coat'")
    assert not (out/'COMPLETE').exists()


def test_missing_dataset(tmp_path):
    out = tmp_path/'set'
    env = {**ENV, 'CONCORD_FMNIST_DIR': str(tmp_path/'nowhere')}
    one_line_error(run('distill', '--method', 'random', '--out', out, '--quiet', env=env), 'apt-get install dataset-fashion-mnist')
    assert not (out/'COMPLETE').exists()


def test_distill_then_evaluate(tmp_path):
    "A small CONCORD set on the mini world (2 classes x 2 images, 10 steps), then a short evaluation."
    out = tmp_path/'set'
    r = run('distill', '--out', out, '--ipc', '2', '--steps', '10', '--classes', 'Shirt,Coat', '--quiet')
    assert r.returncode == 0, r.stderr
    assert (out/'COMPLETE').exists() and (out/'grid.png').exists()
    assert sorted(p.name for p in (out/'00004').iterdir()) == ['00000.png', '00001.png']
    lines = [json.loads(l) for l in (out/'manifest.jsonl').read_text().splitlines()]
    assert [(e['class'], e['index']) for e in lines] == [(4, 0), (4, 1), (6, 0), (6, 1)]
    assert {'file', 'class', 'seed', 'method', 'settings', 'sha256'} <= set(lines[0])
    assert lines[0]['settings']['lam'] == 1.0 and lines[0]['settings']['ipc'] == 2
    r2 = run('distill', '--out', out, '--ipc', '2', '--steps', '10', '--classes', 'Shirt,Coat', '--quiet')
    assert r2.returncode == 0 and '(0 made' in r2.stdout
    one_line_error(run('distill', '--out', out, '--ipc', '3', '--steps', '10', '--classes', 'Shirt,Coat', '--quiet'), 'different settings')
    r3 = run('evaluate', out, '--protocol', 'hard', '--epochs_scale', '0.002', '--width', '16', '--json_out', tmp_path/'ev.json', '--quiet')
    assert r3.returncode == 0, r3.stderr
    ev = json.loads((tmp_path/'ev.json').read_text())
    assert ev['classes'] == 2 and 0 <= ev['mean'] <= 100 and ev['n_images'] == 4


# Every refusal found when the CLI was tried as a new user (issue 14): one line, exit code 2, and the output folder as
# it was: absent for a new set, and byte for byte untouched for an existing one.
REFUSED = [
    (['--lam', 'inf'], 'lambda must be a finite number'),
    (['--neg_strategy', 'bar'], "unknown neg_strategy 'bar'"),
    (['--neg_strategy', 'similar-0'], 'similar-K with K >= 1'),
    (['--steps', '1001'], "at most the schedule's 1000 timesteps"),
    (['--cfg_scale', 'inf'], 'cfg_scale must be a finite number >= 1'),
    (['--tau', 'inf'], 'tau must be a finite number > 0'),
    (['--window', '0.5,2'], 'window must satisfy 0 <= start <= end <= 1'),
    (['--device', 'foo'], "unknown device 'foo'"),
    (['--method', 'fancy'], "unknown method 'fancy'"),
]
if not __import__('torch').cuda.is_available(): REFUSED.append((['--device', 'cuda'], 'this machine has no CUDA GPU'))


@pytest.mark.parametrize('args,msg', REFUSED)
def test_refused_settings_leave_no_trace(tmp_path, args, msg):
    out = tmp_path/'set'
    one_line_error(run('distill', '--out', out, '--quiet', *args), msg)
    assert not out.exists()


def snapshot(root):
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(Path(root).rglob('*')) if p.is_file()}


@pytest.fixture(scope='module')
def small_set(tmp_path_factory):
    out = tmp_path_factory.mktemp('small')/'set'
    r = run('distill', '--out', out, '--method', 'dit', '--ipc', '1', '--steps', '2', '--classes', 'Trouser,Trouser', '--quiet')
    assert r.returncode == 0, r.stderr
    return out


def test_refused_settings_leave_an_existing_set_untouched(small_set):
    before = snapshot(small_set)
    for args, msg in REFUSED:
        one_line_error(run('distill', '--out', small_set, '--method', 'dit', '--ipc', '1', '--steps', '2', '--classes', 'Trouser',
                           '--quiet', *args), msg)
    assert snapshot(small_set) == before


def test_a_class_named_twice_is_recorded_once(small_set):
    settings = json.loads((small_set/'settings.json').read_text())
    assert settings['settings']['classes'] == ['Trouser']
    r = run('distill', '--out', small_set, '--method', 'dit', '--ipc', '1', '--steps', '2', '--classes', 'Trouser', '--quiet')
    assert r.returncode == 0 and '(0 made' in r.stdout, (r.stdout, r.stderr)   # the same set, resumed


def test_evaluate_refuses_in_one_line(small_set, tmp_path):
    import shutil
    if not __import__('torch').cuda.is_available():
        one_line_error(run('evaluate', small_set, '--device', 'cuda', '--epochs_scale', '0.01'), 'this machine has no CUDA GPU')
    one_line_error(run('evaluate', small_set, '--device', 'foo'), "unknown device 'foo'")
    bad = tmp_path/'bad'; shutil.copytree(small_set, bad)
    png = next(bad.glob('0000*/*.png')); png.write_bytes(b'not a png at all')   # corrupt, and the manifest agrees with it
    lines = (bad/'manifest.jsonl').read_text().splitlines()
    import hashlib
    fixed = []
    for line in lines:
        e = json.loads(line)
        if e['file'] == str(png.relative_to(bad)): e['sha256'] = hashlib.sha256(png.read_bytes()).hexdigest()
        fixed.append(json.dumps(e))
    (bad/'manifest.jsonl').write_text('\n'.join(fixed) + '\n')
    marker = json.loads((bad/'COMPLETE').read_text())                           # and the completion marker agrees too
    marker['manifest_sha256'] = hashlib.sha256((bad/'manifest.jsonl').read_bytes()).hexdigest()
    (bad/'COMPLETE').write_text(json.dumps(marker))
    one_line_error(run('evaluate', bad, '--epochs_scale', '0.01'), 'is not a readable PNG')


def test_messages_name_real_options(tmp_path):
    r = run('evaluate', tmp_path/'nothing')
    one_line_error(r, 'no distilled set')
    for f in ('concord/cli.py', 'concord/data.py', 'concord/classmaps.py', 'concord/distill.py'):
        text = (ROOT/f).read_text()
        assert '--test-dir' not in text and 'require_complete=False"' not in text and 'or overwrite=True' not in text, f


def test_accelerate_cpu_is_named_as_one_process(tmp_path):
    "accelerate launch --cpu starts a single process (it sets ACCELERATE_USE_CPU, no RANK): concord says so and names the command that shards."
    r = run('distill', '--out', tmp_path/'set', '--steps', '1001', '--quiet', env={**ENV, 'ACCELERATE_USE_CPU': 'True'})
    assert r.returncode == 2 and 'accelerate launch --cpu starts a single process' in r.stderr and '--multi_gpu' in r.stderr, r.stderr
    assert not (tmp_path/'set').exists()


def test_evaluate_help_lists_presets_and_the_timm_convention():
    h = ' '.join(run('evaluate', '--help').stdout.split())
    for s in ('--preset', 'idc (IDC/Minimax', 'rded (RDED', 'concord-soft', 'concord-hard', 'timm:NAME',
              'timm.create_model(NAME, num_classes=K, in_chans=C, pretrained=False)', 'resnet18_modified'):
        assert s in h, s


def test_evaluate_idc_preset_with_a_timm_student(tmp_path):
    "IDC's preset (2 of its 1,000 epochs: a check after each) on a timm ResNet-18; the result records the preset and both numbers."
    small_set = tmp_path/'set'
    r = run('distill', '--out', small_set, '--method', 'random', '--ipc', '3', '--classes', 'Shirt,Coat', '--quiet')
    assert r.returncode == 0, r.stderr
    r = run('evaluate', small_set, '--preset', 'idc', '--model', 'timm:resnet18', '--epochs_scale', '0.002',
            '--json_out', tmp_path/'ev.json', '--quiet')
    assert r.returncode == 0, r.stderr
    assert 'preset idc (hard labels, best) timm:resnet18' in r.stdout, r.stdout
    ev = json.loads((tmp_path/'ev.json').read_text())
    assert ev['preset'] == 'idc' and ev['record']['settings']['preset'] == 'idc' and ev['settings']['model'] == 'timm:resnet18'
    assert ev['settings']['epochs'] == 2 and [e for e, _ in ev['checks'][0]] == [1, 2]
    assert ev['acc'][0] == max(a for _, a in ev['checks'][0]) == ev['acc_best'][0] and ev['acc_final'][0] == ev['checks'][0][-1][1]
    one_line_error(run('evaluate', small_set, '--preset', 'fancy', '--epochs_scale', '0.01'), "unknown protocol 'fancy'")
    one_line_error(run('evaluate', small_set, '--preset', 'idc', '--model', 'timm:no_such_net', '--epochs_scale', '0.001'),
                   "timm has no model 'no_such_net'")
