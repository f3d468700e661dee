"""Checkpoints are data: crafted files run nothing on any path, and bad files give clear errors.

Two crafted checkpoints go through every path that loads one (resume, auto-resume, load_from,
init_cfg, tools/test.py, the model converters, visualize_similarity.py): a real Runner
checkpoint whose ``meta['config']`` is Python that creates a file, and a pickle built from
``getattr`` alone that replaces ``builtins.print``.
"""
import builtins
import os
import os.path as osp
import pickle
import re
import resource
import shutil
import struct
import zipfile

import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import _load_checkpoint

from mmpixdepth.engine import CheckpointError, file_sha256
from helpers import SEG_CONFIG, as_cli, seg_options, write_code_payload

FROZEN = 'configs/deeplabv3/deeplabv3_r18-frozen_1xb8-20e_synthetic-128x128.py'
EXTRACT = 'tools/model_converters/extract_backbone_weights.py'
PUBLISH = 'tools/model_converters/publish_model.py'
SIMILARITY = 'tools/visualize_similarity.py'


def _str(text):
    """A pickle BINUNICODE string."""
    data = text.encode()
    return b'X' + struct.pack('<I', len(data)) + data


def write_getattr_payload(path):
    """A checkpoint whose pickle uses only ``getattr``: ``getattr(getattr, '__self__')`` is the
    builtins module, ``getattr(<it>, '__dict__')`` its namespace, where ``print`` is replaced."""
    call = b'c__builtin__\ngetattr\n'
    builtins_module = call + b'(' + call + _str('__self__') + b'tR'
    namespace = call + b'(' + builtins_module + _str('__dict__') + b'tR'
    data = b'\x80\x02' + namespace + _str('print') + _str('pwned') + b's.'
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as archive:
        archive.writestr('payload/data.pkl', data)
        archive.writestr('payload/byteorder', 'little')
        archive.writestr('payload/version', '3\n')
    return str(path)


def write_config_payload(src, path, marker):
    """A real Runner checkpoint whose ``meta['config']`` is Python that creates ``marker``."""
    checkpoint = torch.load(src, weights_only=False)
    checkpoint['meta']['config'] = f"x = __import__('os').system('touch {marker}')"
    torch.save(checkpoint, path)
    return str(path)


@pytest.fixture
def print_guard():
    """Fails the test when ``builtins.print`` was replaced (and puts it back)."""
    original = builtins.print
    yield
    replaced = builtins.print is not original
    builtins.print = original
    assert not replaced, 'loading a checkpoint replaced builtins.print'


def seg_cli(tiny_rgbd, max_epochs=1, **more):
    return as_cli(dict(seg_options(tiny_rgbd, max_epochs), **more))


# --- the getattr payload: refused on every path, print untouched ----------------------------

def _train(tool, repo_root, config, work_dir, *args, options=()):
    return tool('tools/train.py').main([osp.join(repo_root, config), '--work-dir', str(work_dir),
                                        *args, '--cfg-options', *options])


PATHS = ['resume', 'auto-resume', 'load_from', 'init_cfg', 'test.py', 'extract', 'publish',
         'visualize_similarity']


def run_path(path, checkpoint, tool, tiny_rgbd, repo_root, tmp_path):
    """Load ``checkpoint`` through ``path`` (one of PATHS), with 2 training epochs allowed."""
    work = tmp_path / 'work'
    if path == 'resume':
        return _train(tool, repo_root, SEG_CONFIG, work, '--resume', checkpoint,
                      options=seg_cli(tiny_rgbd, 2))
    if path == 'auto-resume':
        os.makedirs(work)
        shutil.copy(checkpoint, work / 'epoch_1.pth')
        return _train(tool, repo_root, SEG_CONFIG, work, '--resume',
                      options=seg_cli(tiny_rgbd, 2))
    if path == 'load_from':
        return _train(tool, repo_root, SEG_CONFIG, work,
                      options=seg_cli(tiny_rgbd, load_from=checkpoint))
    if path == 'init_cfg':
        return _train(tool, repo_root, FROZEN, work, options=seg_cli(
            tiny_rgbd, **{'model.backbone.init_cfg.checkpoint': checkpoint}))
    if path == 'test.py':
        return tool('tools/test.py').main([osp.join(repo_root, SEG_CONFIG), checkpoint,
                                           '--work-dir', str(work), '--cfg-options',
                                           *seg_cli(tiny_rgbd)])
    if path == 'extract':
        return tool(EXTRACT).main([checkpoint, str(tmp_path / 'backbone.pth')])
    if path == 'publish':
        return tool(PUBLISH).main([checkpoint, 'published', '--out-dir', str(tmp_path / 'pub')])
    image = osp.join(tiny_rgbd, 'images', 'val', '00000.png')
    return tool(SIMILARITY).main([osp.join(repo_root, SEG_CONFIG), image, '--checkpoints', checkpoint,
                                  '--point', '10', '10', '--out', str(tmp_path / 'sim.png')])


@pytest.mark.parametrize('path', PATHS)
def test_getattr_payload_is_refused_on_every_path(path, print_guard, tool, tiny_rgbd, repo_root,
                                                  tmp_path):
    payload = write_getattr_payload(tmp_path / 'payload.pth')
    with pytest.raises((pickle.UnpicklingError, SystemExit)) as info:
        run_path(path, payload, tool, tiny_rgbd, repo_root, tmp_path)
    message = str(info.value)
    assert 'payload.pth' in message or 'epoch_1.pth' in message, message
    assert "looks up the attribute '__self__'" in message and 'MMPIXDEPTH_TRUSTED' in message


def test_allowed_attribute_lookups_are_exactly_those_of_runner_checkpoints(seg_run):
    """The pickle of a Runner checkpoint looks up HistoryBuffer's four statistics methods."""
    from mmpixdepth.engine.checkpoint import HISTORY_BUFFER_METHODS, _history_buffer_method
    looked_up = set()

    class Recording(pickle.Unpickler):

        def find_class(self, module, name):
            if (module, name) in (('__builtin__', 'getattr'), ('builtins', 'getattr')):
                return lambda obj, attr: looked_up.add((obj, attr)) or getattr(obj, attr)
            return super().find_class(module, name)

    class Module:  # the pickle module torch.load uses for a full (trusted) load of our own file
        Unpickler = Recording
        load = pickle.load

    torch.load(osp.join(seg_run, 'epoch_2.pth'), pickle_module=Module, weights_only=False)
    assert looked_up == {(HistoryBuffer, name) for name in HISTORY_BUFFER_METHODS}
    for name in HISTORY_BUFFER_METHODS:
        assert _history_buffer_method(HistoryBuffer, name) is getattr(HistoryBuffer, name)
    with pytest.raises(pickle.UnpicklingError, match='__dict__'):
        _history_buffer_method(HistoryBuffer, '__dict__')


def test_a_checkpoint_cannot_change_history_buffer_statistics(seg_run, tmp_path, monkeypatch):
    """HistoryBuffer.__setstate__ updates a class attribute from the file: refused, restored."""
    checkpoint = torch.load(osp.join(seg_run, 'epoch_1.pth'), weights_only=False)
    swapped = dict(HistoryBuffer._statistics_methods, mean=HistoryBuffer.max)
    with monkeypatch.context() as patch:
        patch.setattr(HistoryBuffer, '_statistics_methods', swapped)
        torch.save(checkpoint, tmp_path / 'swapped.pth')
    before = dict(HistoryBuffer._statistics_methods)
    with pytest.raises(pickle.UnpicklingError, match='statistics methods of'):
        _load_checkpoint(str(tmp_path / 'swapped.pth'))
    assert HistoryBuffer._statistics_methods == before
    assert HistoryBuffer._statistics_methods['mean'] is HistoryBuffer.mean


# --- the config payload: never executed, never propagated -----------------------------------

@pytest.mark.parametrize('path', ['resume', 'auto-resume'])
def test_config_in_a_checkpoint_is_not_executed_on_resume(path, seg_run, tool, tiny_rgbd,
                                                          repo_root, tmp_path):
    marker = tmp_path / 'pwned'
    payload = write_config_payload(osp.join(seg_run, 'epoch_1.pth'), tmp_path / 'ckpt.pth',
                                   marker)
    run_path(path, payload, tool, tiny_rgbd, repo_root, tmp_path)
    assert not marker.exists(), 'the config stored in the checkpoint was executed'
    resumed = _load_checkpoint(str(tmp_path / 'work' / 'epoch_2.pth'))
    assert resumed['meta']['epoch'] == 2 and resumed['meta']['iter'] == 4  # resumed at iter 2


def test_config_text_is_dropped_on_load_and_not_published(seg_run, tool, tmp_path):
    marker = tmp_path / 'pwned'
    payload = write_config_payload(osp.join(seg_run, 'epoch_1.pth'), tmp_path / 'ckpt.pth',
                                   marker)
    raw = torch.load(payload, weights_only=False)
    assert {'config', 'cfg'} <= set(raw['meta']) and 'cfg' in raw['message_hub']['runtime_info']
    loaded = _load_checkpoint(payload)
    assert not {'config', 'cfg'} & set(loaded['meta'])
    assert 'cfg' not in loaded['message_hub']['runtime_info']
    assert loaded['meta']['seed'] == raw['meta']['seed']  # what Runner.resume compares stays
    assert loaded['meta']['dataset_meta'] == raw['meta']['dataset_meta']
    tool(PUBLISH).main([payload, 'published', '--out-dir', str(tmp_path / 'pub')])
    (published, ) = os.listdir(tmp_path / 'pub')
    meta = torch.load(tmp_path / 'pub' / published, weights_only=True)['meta']
    assert not {'config', 'cfg'} & set(meta) and meta['epoch'] == 1
    assert not marker.exists()


# --- clear errors for files that are not usable checkpoints ---------------------------------

def _damage(kind, src, path):
    data = open(src, 'rb').read()
    if kind == 'empty':
        data = b''
    elif kind == 'truncated':
        data = data[:len(data) // 3]
    elif kind == 'garbage':
        data = b'epoch 3 of my run\n' * 100
    elif kind == 'corrupt':  # one byte of the tensor data changed
        middle = len(data) // 2
        data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]
    else:  # 'zip': a zip archive that torch.save did not write
        with zipfile.ZipFile(path, 'w') as archive:
            archive.writestr('notes.txt', 'hello')
        return str(path)
    with open(path, 'wb') as f:
        f.write(data)
    return str(path)


@pytest.mark.parametrize('kind, message', [
    ('empty', r'is empty \(0 bytes\)'),
    ('truncated', r'is truncated or corrupt \(\d+ bytes, not a complete zip archive'),
    ('garbage', r'is not a checkpoint: it starts with'),
    ('corrupt', r'is corrupt: its member .* does not match its checksum'),
    ('zip', r'is a zip archive but not a checkpoint: it has no data.pkl'),
])
def test_unusable_files_are_named_with_what_is_wrong(kind, message, seg_run, tool, tmp_path):
    path = _damage(kind, osp.join(seg_run, 'epoch_1.pth'), tmp_path / f'{kind}.pth')
    with pytest.raises(CheckpointError, match=re.escape(path) + '.* ' + message):
        _load_checkpoint(path)
    with pytest.raises(SystemExit, match=re.escape(path) + '.* ' + message):
        tool(EXTRACT).main([path, str(tmp_path / 'out.pth')])


def test_non_finite_weights_are_refused_naming_the_tensors(seg_run, tool, tiny_rgbd, repo_root,
                                                           tmp_path):
    checkpoint = torch.load(osp.join(seg_run, 'epoch_1.pth'), weights_only=False)
    checkpoint['state_dict']['backbone.conv1.weight'][0, 0, 0, 0] = float('nan')
    checkpoint['state_dict']['decode_head.conv_seg.bias'][1] = float('inf')
    path = str(tmp_path / 'nan.pth')
    torch.save(checkpoint, path)
    pattern = (re.escape(path) + r' holds weights with NaN or inf values: '
               r'backbone\.conv1\.weight, decode_head\.conv_seg\.bias\.')
    with pytest.raises(CheckpointError, match=pattern):
        run_path('test.py', path, tool, tiny_rgbd, repo_root, tmp_path)
    with pytest.raises(CheckpointError, match=pattern):
        run_path('load_from', path, tool, tiny_rgbd, repo_root, tmp_path)


def test_hash_prefix_in_the_name_is_verified(seg_run, tool, tmp_path):
    tool(PUBLISH).main([osp.join(seg_run, 'epoch_1.pth'), 'model', '--out-dir', str(tmp_path),
                        '--date', '20261130'])
    (published, ) = [n for n in os.listdir(tmp_path) if n.endswith('.pth')]
    prefix = re.fullmatch(r'model_20261130-([0-9a-f]{8})\.pth', published).group(1)
    assert file_sha256(tmp_path / published).startswith(prefix)
    assert _load_checkpoint(str(tmp_path / published))['meta']['epoch'] == 1
    # another complete checkpoint under that name, and a name in torch.hub's style
    for name in (f'model_20261130-{prefix}.pth', 'resnet18-0123abcd.pth'):
        path = str(tmp_path / 'other' / name)
        os.makedirs(osp.dirname(path), exist_ok=True)
        shutil.copy(osp.join(seg_run, 'epoch_2.pth'), path)
        with pytest.raises(CheckpointError, match=re.escape(path) + r'.*its name says its '
                           r'sha256 starts with [0-9a-f]{8}, but it starts with'):
            _load_checkpoint(path)


# --- tools that write .pth files write them atomically --------------------------------------

@pytest.fixture
def file_size_limit():
    """Set the soft limit of file sizes of this process (a write beyond it fails with EFBIG,
    part of the data written), restored afterwards."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    yield lambda size: resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def test_converters_never_leave_a_partial_file(seg_run, tool, tmp_path, file_size_limit):
    src = osp.join(seg_run, 'epoch_1.pth')
    out = str(tmp_path / 'backbone.pth')
    tool(EXTRACT).main([src, out])
    old = open(out, 'rb').read()
    file_size_limit(len(old) // 2)
    with pytest.raises((OSError, RuntimeError)):  # torch.save reports the failed write so
        tool(EXTRACT).main([osp.join(seg_run, 'epoch_2.pth'), out])
    with pytest.raises(OSError):
        tool(PUBLISH).main([src, 'model', '--out-dir', str(tmp_path / 'pub')])
    file_size_limit(resource.RLIM_INFINITY)
    assert open(out, 'rb').read() == old  # the previous output, complete
    assert sorted(os.listdir(tmp_path)) == ['backbone.pth', 'pub']
    assert os.listdir(tmp_path / 'pub') == []


# --- remote checkpoints: downloaded, then read as data --------------------------------------

@pytest.fixture
def http_dir(tmp_path):
    """(folder, base URL): a local HTTP server on 127.0.0.1 serving the folder."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):

        def log_message(self, *args):
            pass

    folder = tmp_path / 'served'
    folder.mkdir()
    server = ThreadingHTTPServer(('127.0.0.1', 0),
                                 functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()
    server.server_close()


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    """A temporary TORCH_HOME: the hub cache is ``<it>/hub/checkpoints``."""
    home = tmp_path / 'torch_home'
    monkeypatch.setenv('TORCH_HOME', str(home))
    return home


@pytest.mark.parametrize('path', ['resume', 'load_from', 'init_cfg', 'test.py'])
def test_a_served_code_payload_runs_nothing(path, http_dir, torch_home, seg_run, tool, tiny_rgbd,
                                            repo_root, tmp_path):
    folder, base = http_dir
    marker = tmp_path / 'pwned'
    write_code_payload(osp.join(seg_run, 'epoch_1.pth'), folder / 'model.pth', marker)
    with pytest.raises(pickle.UnpicklingError) as info:
        run_path(path, f'{base}/model.pth', tool, tiny_rgbd, repo_root, tmp_path)
    assert not marker.exists(), 'a downloaded checkpoint ran code'
    message = str(info.value)
    assert 'posix.system' in message and f'downloaded from {base}/model.pth' in message, message
    assert osp.isfile(torch_home / 'hub' / 'checkpoints' / 'model.pth')  # downloaded first


def test_a_planted_hub_cache_file_runs_nothing(torch_home, seg_run, tmp_path):
    cache = torch_home / 'hub' / 'checkpoints'
    cache.mkdir(parents=True)
    marker = tmp_path / 'pwned'
    # torchvision://resnet18 names resnet18-f37072fd.pth: a planted file fails its hash prefix
    write_code_payload(osp.join(seg_run, 'epoch_1.pth'), cache / 'resnet18-f37072fd.pth', marker)
    with pytest.raises(CheckpointError, match='its name says its sha256 starts with f37072fd'):
        _load_checkpoint('torchvision://resnet18')
    # a name without a hash, the server down: the cached file is read as data
    write_code_payload(osp.join(seg_run, 'epoch_1.pth'), cache / 'cached.pth', marker)
    with pytest.raises(pickle.UnpicklingError, match='posix.system'):
        _load_checkpoint('http://127.0.0.1:9/cached.pth')
    assert not marker.exists()


def test_downloads_are_checked_against_the_hash_in_their_name(http_dir, torch_home, seg_run):
    folder, base = http_dir
    src = osp.join(seg_run, 'epoch_1.pth')
    digest = file_sha256(src)[:8]
    shutil.copy(src, folder / f'good-{digest}.pth')
    shutil.copy(src, folder / 'bad-0123abcd.pth')
    assert _load_checkpoint(f'{base}/good-{digest}.pth')['meta']['epoch'] == 1
    with pytest.raises(CheckpointError, match=r'bad-0123abcd\.pth is corrupt or not the file it '
                       r'is named after: invalid hash value'):
        _load_checkpoint(f'{base}/bad-0123abcd.pth')
    assert os.listdir(torch_home / 'hub' / 'checkpoints') == [f'good-{digest}.pth']
    with pytest.raises(OSError, match=r'cannot download checkpoint .*missing\.pth: HTTP '
                       r'Error 404'):
        _load_checkpoint(f'{base}/missing.pth')
    with pytest.raises(CheckpointError, match='does not load checkpoints from s3'):
        _load_checkpoint('s3://bucket/model.pth')
    with pytest.raises(CheckpointError, match=r'torchvision://resnet999: no such model'):
        _load_checkpoint('torchvision://resnet999')


# --- HistoryBuffer: only the state a Runner writes ------------------------------------------

def _with_history_buffer_state(src, path, **state):
    checkpoint = torch.load(src, weights_only=False)
    buffer = next(iter(checkpoint['message_hub']['log_scalars'].values()))
    vars(buffer).update(state)
    torch.save(checkpoint, path)
    return str(path)


@pytest.mark.parametrize('state, named', [
    (dict(_statistics_methods={'mean': HistoryBuffer.max}), "attribute '_statistics_methods'"),
    (dict(max_length='1000'), "max_length is '1000'"),
    (dict(_log_history=[1.0, 2.0]), '_log_history is not a 1-D numeric numpy array'),
])
def test_history_buffers_hold_only_runner_state(state, named, seg_run, tool, tiny_rgbd,
                                                repo_root, tmp_path):
    path = _with_history_buffer_state(osp.join(seg_run, 'epoch_1.pth'), tmp_path / 'hb.pth',
                                      **state)
    before = dict(HistoryBuffer._statistics_methods)
    with pytest.raises(pickle.UnpicklingError, match='it holds a HistoryBuffer .*' + named):
        run_path('resume', path, tool, tiny_rgbd, repo_root, tmp_path)
    assert HistoryBuffer._statistics_methods == before
    buffer = HistoryBuffer([1.0, 3.0], [1, 1])
    assert buffer.mean() == 2.0 and buffer.current() == 3.0  # the process's buffers are sound


# --- weights that would load quietly wrong --------------------------------------------------

def _edited(src, path, edit):
    checkpoint = torch.load(src, weights_only=False)
    edit(checkpoint)
    torch.save(checkpoint, path)
    return str(path)


@pytest.mark.parametrize('path', ['resume', 'load_from', 'test.py', 'publish'])
def test_numpy_weights_are_refused(path, seg_run, tool, tiny_rgbd, repo_root, tmp_path):
    def to_numpy(checkpoint):
        state = checkpoint['state_dict']
        for key in list(state)[:3]:
            state[key] = state[key].numpy()

    checkpoint = _edited(osp.join(seg_run, 'epoch_1.pth'), tmp_path / 'np.pth', to_numpy)
    with pytest.raises((CheckpointError, SystemExit), match=r'np\.pth holds weights as numpy '
                       r'arrays, not tensors: backbone\.conv1\.weight'):
        run_path(path, checkpoint, tool, tiny_rgbd, repo_root, tmp_path)


def test_nan_in_the_optimizer_state_is_refused_when_resuming(seg_run, tool, tiny_rgbd,
                                                              repo_root, tmp_path):
    def poison(checkpoint):
        state = checkpoint['optimizer']['state']
        first = next(iter(state.values()))
        first['exp_avg'][...] = float('nan')

    checkpoint = _edited(osp.join(seg_run, 'epoch_1.pth'), tmp_path / 'opt.pth', poison)
    with pytest.raises(CheckpointError, match=r'opt\.pth holds an optimizer state with NaN or inf '
                       r'values \(parameter.state: 0\.exp_avg'):
        run_path('resume', checkpoint, tool, tiny_rgbd, repo_root, tmp_path)


def test_a_pretraining_checkpoint_is_not_tested_as_a_segmentor(pixdepth_run, tool, tiny_rgbd,
                                                               repo_root, tmp_path):
    checkpoint = osp.join(pixdepth_run, 'epoch_1.pth')
    with pytest.raises(CheckpointError) as info:
        run_path('test.py', checkpoint, tool, tiny_rgbd, repo_root, tmp_path)
    message = str(info.value)
    assert re.search(r'does not fit the model of this config: it gives \d+% of its weights, all '
                     r'are needed\. The file holds backbone \(\d+ tensors\), ', message), message
    assert 'neck (' in message and 'target_net (' in message and 'decode_head (' in message
    assert "It looks like a pretraining checkpoint: fine-tune from it with " in message
    tool('tools/test.py').main([osp.join(repo_root, SEG_CONFIG), checkpoint, '--allow-partial',
                                '--work-dir', str(tmp_path / 'partial'), '--cfg-options',
                                *seg_cli(tiny_rgbd)])  # the opt-out evaluates it


def test_a_mostly_missing_load_from_is_refused(seg_run, tool, tiny_rgbd, repo_root, tmp_path):
    def keep_the_stem(checkpoint):
        checkpoint['state_dict'] = {k: v for k, v in checkpoint['state_dict'].items()
                                    if k.startswith('backbone.conv1')}

    checkpoint = _edited(osp.join(seg_run, 'epoch_1.pth'), tmp_path / 'stem.pth', keep_the_stem)
    with pytest.raises(CheckpointError, match=r'stem\.pth does not fit the model of this config: '
                       r'it gives 0% of its weights, at least 50% are needed\. The file holds '
                       r'backbone \(1 tensor\)'):
        run_path('load_from', checkpoint, tool, tiny_rgbd, repo_root, tmp_path)
    _train(tool, repo_root, SEG_CONFIG, tmp_path / 'partial', '--allow-partial',
           options=seg_cli(tiny_rgbd, load_from=checkpoint))


# --- files that are not checkpoints, told so ------------------------------------------------

@pytest.mark.parametrize('content, message', [
    (torch.ones(3), r'is not a checkpoint: it holds a Tensor, while a checkpoint is a dict'),
    ([1, 2], r'is not a checkpoint: it holds a list'),
    ({'state_dict': [1]}, r"is not a checkpoint: its 'state_dict' is a list"),
])
def test_objects_that_are_not_checkpoints(content, message, tool, tmp_path):
    path = str(tmp_path / 'object.pth')
    torch.save(content, path)
    with pytest.raises(CheckpointError, match=re.escape(path) + ' ' + message):
        _load_checkpoint(path)
    with pytest.raises(SystemExit, match=message):
        tool(EXTRACT).main([path, str(tmp_path / 'out.pth')])


def test_legacy_and_damaged_pickles(seg_run, tmp_path):
    legacy = str(tmp_path / 'legacy.pth')
    torch.save({'state_dict': {'w': torch.ones(2)}}, legacy, _use_new_zipfile_serialization=False)
    assert _load_checkpoint(legacy)['state_dict']['w'].tolist() == [1.0, 1.0]
    pickled = str(tmp_path / 'pickled.pth')
    with open(pickled, 'wb') as f:
        pickle.dump({'w': [1.0]}, f, protocol=2)
    with pytest.raises(CheckpointError, match='is not a checkpoint: it is a pickle without the '
                       'header of torch.save'):
        _load_checkpoint(pickled)
    damaged = str(tmp_path / 'damaged.pth')  # torch.save's archive, its pickle garbage
    with zipfile.ZipFile(osp.join(seg_run, 'epoch_1.pth')) as src, \
            zipfile.ZipFile(damaged, 'w') as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, b'\x80\x02' + bytes(range(100, 200)) if
                         item.filename.endswith('data.pkl') else data)
    with pytest.raises(CheckpointError, match=re.escape(damaged) + ' is damaged or not a '
                       r'checkpoint: its pickle cannot be parsed'):
        _load_checkpoint(damaged)


def test_resume_from_a_folder(seg_run, tool, tiny_rgbd, repo_root, tmp_path):
    folder = tmp_path / 'old'
    shutil.copytree(seg_run, folder)
    os.remove(folder / 'epoch_2.pth')
    os.remove(folder / 'last_checkpoint')
    _train(tool, repo_root, SEG_CONFIG, tmp_path / 'work', '--resume', str(folder),
           options=seg_cli(tiny_rgbd, 2))
    resumed = _load_checkpoint(str(tmp_path / 'work' / 'epoch_2.pth'))
    assert resumed['meta']['iter'] == 4  # epoch 1 of the folder, then one more
    (tmp_path / 'empty').mkdir()
    with pytest.raises(SystemExit, match=r'--resume .*empty: the folder holds no complete '
                       'checkpoint'):
        _train(tool, repo_root, SEG_CONFIG, tmp_path / 'work2', '--resume',
               str(tmp_path / 'empty'), options=seg_cli(tiny_rgbd, 2))
