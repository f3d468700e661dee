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
from conftest import SEG_CONFIG, as_cli, seg_options

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
