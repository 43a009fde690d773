"""Progress in a log (issue 19 item 3): with stdout and stderr redirected to a file, `concord distill` and
`concord evaluate` write their progress as separate lines (`concord.core.progress_bar`), never tqdm's
in-place redraws (one long line of carriage returns)."""
import os, re, subprocess, sys
from pathlib import Path

CONCORD = Path(sys.executable).parent/'concord'
# one line per update (interval 0 s), so that a run of a few seconds shows several; one thread each
ENV = {**os.environ, 'HF_HUB_OFFLINE': '1', 'TRANSFORMERS_OFFLINE': '1', 'OMP_NUM_THREADS': '1', 'CONCORD_PROGRESS_SECONDS': '0'}

def _logged(log:Path, *args) -> str:
    "Run `concord ARGS` with stdout and stderr going to the file `log` (as `make demo > demo.log 2>&1` does); its text."
    with open(log, 'w') as f:
        r = subprocess.run([str(CONCORD), *map(str, args)], stdout=f, stderr=subprocess.STDOUT, env=ENV, timeout=300)
    text = log.read_text()
    assert r.returncode == 0, text[-2000:]
    return text

def test_progress_in_a_log_is_separate_lines(tmp_path):
    out = tmp_path/'set'
    d = _logged(tmp_path/'distill.log', 'distill', '--method', 'random', '--ipc', '1', '--out', out)
    e = _logged(tmp_path/'evaluate.log', 'evaluate', out, '--protocol', 'hard', '--epochs_scale', '0.002', '--width', '16', '--seeds', '0,1')
    for text in (d, e):
        assert '\r' not in text and '\x1b[' not in text, repr(text[:300])   # no carriage returns, no cursor moves
    bar = [l for l in d.splitlines() if l.startswith('distill (random): ')]
    assert len(bar) >= 3 and bar[-1].startswith('distill (random): 100% 10/10'), d
    # evaluate reports its progress unless --quiet: every epoch of each seed, the accuracy so far, then each seed's test top-1
    for seed in (0, 1):
        epochs = [l for l in e.splitlines() if l.startswith(f'train (hard, seed {seed}): ')]
        assert len(epochs) >= 6 and re.search(r' 6/6 \[.*train_acc=\d+\.\d%\]$', epochs[-1]), e
        assert re.search(rf'^seed {seed}: test top-1 \d+\.\d\d % \(.*mean so far', e, re.M), e
    assert 'top-1' in e.splitlines()[-1] and 'over seeds [0, 1]' in e.splitlines()[-1], e
    quiet = _logged(tmp_path/'quiet.log', 'evaluate', out, '--protocol', 'hard', '--epochs_scale', '0.002', '--width', '16', '--quiet')
    assert len(quiet.splitlines()) == 1 and 'top-1' in quiet, quiet
