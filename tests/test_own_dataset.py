"""Issue 17: a researcher's own ImageFolder dataset, from the command line. The test writes a small dataset that is not
Fashion-MNIST (scikit-learn's digits under names of their own, one of them holding a '/', upscaled to 28 px PNGs), trains a
tiny world on it with `concord world train`, distils random, K-Center, Herding, DiT and CONCORD sets with `concord distill`,
scores them with both protocols on its test split, and checks that classes, labels and bank are the dataset's own and that
mismatched banks, test folders and teachers are refused in one line. The commands run in this process (`concord.cli.main`):
one import of torch for all of them. By default random and CONCORD sets are scored with both protocols; CONCORD_OWN=all
scores all five."""
import json, os
from pathlib import Path
import numpy as np
import pytest
from PIL import Image

os.environ.setdefault('HF_HUB_OFFLINE', '1')
CLASSES = ['nought', 'one', 'two', 'three/tres']   # 'three/tres' lives in folder three_tres, named back by classes.txt
FOLDERS = ['nought', 'one', 'two', 'three_tres']
TINY = ['--teacher_epochs', '1', '--vae_steps', '2', '--dit_steps', '2', '--clip_steps', '2', '--tiny_decoder_steps', '2', '--threads', '2', '--quiet']   # a few steps each


def write_digits(root:Path, digits, names, folders, n_train=40, n_test=10, classes_txt=True):
    from sklearn.datasets import load_digits
    d = load_digits()
    for k, f in zip(digits, folders):
        x = d.images[d.target == k]
        for split, part in (('train', x[:n_train]), ('test', x[n_train:n_train + n_test])):
            (root/split/f).mkdir(parents=True, exist_ok=True)
            for j, im in enumerate(part):
                Image.fromarray((im * 255 / 16).astype(np.uint8)).resize((28, 28), Image.Resampling.BILINEAR).save(root/split/f/f'{j:03d}.png')
    if classes_txt: (root/'classes.txt').write_text(''.join(f"{f}\t{n}\n" for f, n in zip(folders, names)))
    return root


def bank_of(names, dataset='digits'):
    from concord.concepts import ConceptBank
    phrases = {n: [f'a {n} shape', 'a thick stroke', 'a thin stroke', 'a closed loop', 'an open curve'] for n in names}
    return ConceptBank.from_phrases(dataset, phrases)


def cli(*args):
    from concord.cli import main
    return main([str(a) for a in args])


def refused(capsys, contains, *args):
    capsys.readouterr()
    assert cli(*args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith('concord: error: ') and contains in err[0], err
    return err[0]


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('own')
    ds = write_digits(tmp/'digits', [0, 1, 2, 3], CLASSES, FOLDERS)
    bank_of(CLASSES).save(tmp/'bank.json')
    assert cli('world', 'train', ds, '--out', tmp/'world', '--bank', tmp/'bank.json', *TINY) == 0
    return tmp, ds, tmp/'world'


def test_world_is_the_datasets_own(world):
    tmp, ds, w = world
    meta = json.loads((w/'world.json').read_text())
    assert meta['classes'] == CLASSES and meta['complete'] and meta['captions'] == 'class' and 'no concept meter' in meta['captions_note']
    assert meta['dataset']['folders'] == FOLDERS and meta['dataset']['n_images'] == 160 and len(meta['dataset']['files_sha256']) == 64
    assert (w/'train.log').read_text().count(' done in ') == 5
    from concord.mini import load_mini_world
    lw = load_mini_world(root=w)
    assert lw.classes == CLASSES and lw.bank.classes == CLASSES and lw.bank.validity['scored']
    assert lw.transformer.config.num_embeds_ada_norm == 4 and lw.teacher.config.num_classes == 4
    assert lw.real_images().labels.bincount().tolist() == [40] * 4
    # a rerun resumes: every stage is loaded, nothing is trained again
    models = {p: p.stat().st_mtime_ns for p in w.rglob('*.safetensors')}
    assert cli('world', 'train', ds, '--out', w, '--bank', tmp/'bank.json', *TINY) == 0
    assert {p: p.stat().st_mtime_ns for p in w.rglob('*.safetensors')} == models and len(models) == 5   # teacher, VAE, DiT, mini-CLIP, tiny decoder
    log = (w/'train.log').read_text()
    assert log.count('[3/6] dit done in') == 2 and log.count("validity scores with the world's mini-CLIP") == 1


@pytest.fixture(scope='module')
def sets(world):
    tmp, ds, w = world
    out = {}
    common = ['--world', w, '--ipc', '2', '--steps', '4', '--device', 'cpu', '--quiet']
    for m in ('random', 'kcenter', 'herding', 'dit'):
        assert cli('distill', '--method', m, '--out', tmp/m, *common) == 0, m
        out[m] = tmp/m
    assert cli('distill', '--method', 'concord', '--bank', tmp/'bank.json', '--out', tmp/'concord', *common) == 0
    out['concord'] = tmp/'concord'
    assert cli('distill', '--method', 'concord', '--out', tmp/'concord-world-bank', *common) == 0   # the world's scored bank
    out['concord-world-bank'] = tmp/'concord-world-bank'
    return out


def test_sets_are_labelled_with_the_datasets_classes(world, sets):
    from concord.data import load_distilled
    for m, d in sets.items():
        meta = json.loads((d/'settings.json').read_text())
        assert meta['class_names'] == CLASSES, m
        assert meta['settings']['world'] == 'mini-digits' and meta['settings']['dataset']['classes'] == CLASSES, m
        x, y = load_distilled(d)
        assert x.shape == (8, 1, 32, 32) and y.tolist() == [0, 0, 1, 1, 2, 2, 3, 3], m
        names = {json.loads(l)['class_name'] for l in (d/'manifest.jsonl').read_text().splitlines()}
        assert names == set(CLASSES), m
    assert json.loads((sets['herding']/'settings.json').read_text())['settings']['features'].startswith('teacher of mini-digits')
    assert 'features' not in json.loads((sets['random']/'settings.json').read_text())['settings']
    cs = json.loads((sets['concord']/'settings.json').read_text())['settings']
    assert cs['bank'].endswith('bank.json')
    assert (cs['grad_mode'], cs['window'], cs['guide_decoder']) == ('x0_only', [0.0, 0.5], 'tiny')   # --guidance fast: the world's tiny decoder


def test_every_set_scores_with_both_protocols(world, sets, tmp_path):
    "Random and CONCORD with both protocols; every method with CONCORD_OWN=all (as `make test-golden` runs the heavy golden cases)."
    tmp, ds, w = world
    methods = ('random', 'kcenter', 'herding', 'dit', 'concord') if os.environ.get('CONCORD_OWN') == 'all' else ('random', 'concord')
    for m in methods:
        for protocol in ('hard', 'soft'):
            j = tmp_path/f'{m}-{protocol}.json'
            extra = ['--teacher', w] if protocol == 'soft' else []   # the world's teacher; the test split is the dataset's test/
            assert cli('evaluate', sets[m], '--protocol', protocol, '--epochs_scale', '0.005', '--width', '16', '--json_out', j,
                       '--quiet', *extra) == 0, (m, protocol)
            r = json.loads(j.read_text())
            assert r['classes'] == 4 and r['n_images'] == 8 and 0 <= r['mean'] <= 100 and r['settings']['protocol'] == protocol


def test_mismatches_are_refused_in_one_line(world, sets, capsys, tmp_path):
    tmp, ds, w = world
    from concord.mini import mini_concept_bank
    mini_concept_bank().save(tmp_path/'fm-bank.json')
    refused(capsys, "it lacks 'nought', 'one', 'two'", 'distill', '--world', w, '--method', 'concord', '--bank', tmp_path/'fm-bank.json',
            '--ipc', '1', '--steps', '2', '--out', tmp_path/'bad', '--quiet')
    assert not (tmp_path/'bad').exists()
    refused(capsys, 'is not for the classes of dataset', 'world', 'train', ds, '--out', tmp_path/'w2', '--bank', tmp_path/'fm-bank.json')
    assert not (tmp_path/'w2').exists()
    # another dataset: its test folder and its teacher do not have the set's classes
    other = write_digits(tmp_path/'other', [5, 6, 7], ['five', 'six', 'seven'], ['five', 'six', 'seven'], n_train=12, n_test=4,
                         classes_txt=False)
    refused(capsys, "it lacks 'nought', 'one'", 'evaluate', sets['random'], '--protocol', 'hard', '--test_dir', other/'test')
    assert cli('teacher', other, '--arch', 'convnet', '--out', tmp_path/'t-other', '--epochs', '0.5', '--quiet') == 0
    refused(capsys, f"teacher {tmp_path/'t-other'} does not have the set's classes", 'evaluate', sets['random'], '--teacher', tmp_path/'t-other')
    refused(capsys, 'needs a teacher of this set', 'evaluate', sets['random'])
    refused(capsys, 'or give --wnids FILE mapping every class', 'distill', '--dataset', ds, '--method', 'dit',
            '--out', tmp_path/'bad2')
    refused(capsys, 'give --world or --dataset, not both', 'distill', '--world', w, '--dataset', ds, '--method', 'random',
            '--out', tmp_path/'bad3')
    assert not (tmp_path/'bad2').exists() and not (tmp_path/'bad3').exists()


def test_a_dataset_folder_with_a_teacher(world, tmp_path, capsys):
    "Without a world: random and herding from the folder's images, herding in a teacher's feature space; the export keeps the set's order."
    tmp, ds, w = world
    assert cli('teacher', ds, '--arch', 'convnet', '--out', tmp_path/'t', '--epochs', '0.5', '--quiet') == 0
    t = json.loads((tmp_path/'t'/'teacher.json').read_text())
    assert t['classes'] == CLASSES and t['arch'] == 'convnet' and t['test_accuracy'] is not None
    assert cli('distill', '--dataset', ds, '--method', 'herding', '--teacher', tmp_path/'t', '--ipc', '1', '--out', tmp_path/'h', '--quiet') == 0
    s = json.loads((tmp_path/'h'/'settings.json').read_text())
    assert s['class_names'] == CLASSES and s['settings']['features'].startswith(f"convnet teacher {tmp_path/'t'}")
    refused(capsys, 'selects in a teacher', 'distill', '--dataset', ds, '--method', 'kcenter', '--ipc', '1', '--out', tmp_path/'k')
    assert not (tmp_path/'k').exists()
    assert cli('evaluate', tmp_path/'h', '--teacher', tmp_path/'t', '--epochs_scale', '0.01', '--width', '16', '--quiet') == 0
    assert cli('export', tmp_path/'h', tmp_path/'exp', '--layout', 'folders') == 0
    assert sorted(p.name for p in (tmp_path/'exp').iterdir() if p.is_dir()) == sorted(FOLDERS)
    e = json.loads((tmp_path/'exp'/'export.json').read_text())
    assert [c['name'] for c in e['classes']] == CLASSES


def test_fashion_mnist_set_against_a_test_folder(tmp_path):
    "Fashion-MNIST's 'T-shirt/top' is read from folder T-shirt_top: a mini-world set scores against a test folder."
    from concord.data import load_fashion_mnist, FMNIST_CLASSES, class_folder
    x, y = load_fashion_mnist('test')
    for k, c in enumerate(FMNIST_CLASSES):
        (tmp_path/'fm_test'/class_folder(c)).mkdir(parents=True)
        for j, i in enumerate((y == k).nonzero().flatten()[:3].tolist()): Image.fromarray(x[i].numpy()).save(tmp_path/'fm_test'/class_folder(c)/f'{j}.png')
    assert cli('distill', '--method', 'random', '--ipc', '1', '--out', tmp_path/'fm', '--quiet') == 0
    assert cli('evaluate', tmp_path/'fm', '--protocol', 'hard', '--test_dir', tmp_path/'fm_test', '--epochs_scale', '0.001', '--width', '16',
               '--json_out', tmp_path/'r.json', '--quiet') == 0
    assert json.loads((tmp_path/'r.json').read_text())['classes'] == 10
    assert cli('export', tmp_path/'fm', tmp_path/'fm_exp', '--layout', 'folders') == 0
    assert (tmp_path/'fm_exp'/'T-shirt_top').is_dir()


def test_concepts_score_with_the_worlds_mini_clip(world, tmp_path, capsys):
    "`concord concepts score` reads a world's mini-CLIP as a local-dir: folder and finds 'three/tres' in folder three_tres."
    tmp, ds, w = world
    assert cli('concepts', 'score', tmp/'bank.json', ds/'train', '--clip', f"local-dir:{w/'clip'}", '--k', '2',
               '--out', tmp_path/'scored.json', '--quiet') == 0
    from concord.concepts import ConceptBank
    b = ConceptBank.load(tmp_path/'scored.json')
    assert b.validity['scored'] and b.classes == CLASSES and all(sum(c.selected for c in b.concepts[n]) == 2 for n in CLASSES)
    (tmp_path/'broken').mkdir(); (tmp_path/'broken'/'open_clip_config.json').write_text('{"model_cfg": {"embed_dim": 8}}')
    refused(capsys, 'no CLIP weights in', 'concepts', 'score', tmp/'bank.json', ds/'train', '--clip',
            f"local-dir:{tmp_path/'broken'}", '--out', tmp_path/'x.json')
