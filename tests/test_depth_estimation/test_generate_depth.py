"""tools/generate_depth.py and mmpixdepth.depth_estimation, with tiny models made on the spot."""
import contextlib
import io
import os
import os.path as osp
import re
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
import torch
from mmpretrain.registry import TRANSFORMS

import mmpixdepth  # noqa: F401  (registers LoadDepthFromFile)
from helpers import REPO, load_tool
from mmpixdepth.depth_estimation import (ModelLoadError, ModelOutputError, check_unique_outputs,
                                         decode_depth_png, generate_depth, is_valid_depth_png,
                                         list_images, load_estimator, parse_shard,
                                         read_depth_png_metadata, select_shard)
from mmpixdepth.depth_estimation.depth_png import encode_depth_png
from mmpixdepth.utils import atomic_write
from mmpixdepth.utils.atomic_write import write_atomic

# Image files (relative path -> (H, W)): nested folders, every suffix, mixed case; the first two
# share an aspect ratio, so an aspect-preserving processor batches them together.
IMAGES = {
    'x.jpg': (40, 70),
    'a/y.JPEG': (80, 140),
    'a/p.png': (60, 50),
    'a/b/z.webp': (30, 30),
    'a/b/q.BMP': (33, 47),
    'c/t.tif': (50, 36),
    'c/u.TIFF': (24, 64),
}
CORRUPT = 'a/bad.jpg'
OUTPUTS = sorted(osp.splitext(rel)[0] + '.png' for rel in IMAGES)
TOOL = 'tools/generate_depth.py'

SLOW_MODULE = '''
import time
import torch


class SlowDepth(torch.nn.Module):
    """(B, 3, H, W) -> (B, H, W), one second per call."""

    def forward(self, x):
        time.sleep(1.0)
        return x.mean(1)
'''


def write_image(path, shape, seed):
    """RGB image whose red channel grows left to right and blue top to bottom, plus noise."""
    height, width = shape
    img = np.zeros((height, width, 3), np.float64)
    img[..., 0] = np.linspace(0, 200, width)[None, :]
    img[..., 2] = np.linspace(0, 200, height)[:, None]
    img += np.random.default_rng(seed).uniform(0, 40, img.shape)
    os.makedirs(osp.dirname(path), exist_ok=True)
    ok, data = cv2.imencode(osp.splitext(path)[1].lower(), img.astype(np.uint8)[..., ::-1])
    assert ok
    data.tofile(path)


@pytest.fixture(scope='module')
def image_root(tmp_path_factory):
    """``root/images`` with the IMAGES, a corrupt JPEG and a text file."""
    root = tmp_path_factory.mktemp('depth_data')
    for seed, (rel, shape) in enumerate(IMAGES.items()):
        write_image(str(root / 'images' / rel), shape, seed)
    (root / 'images' / CORRUPT).write_bytes(b'not a jpeg')
    (root / 'images' / 'a' / 'notes.txt').write_text('not an image')
    return root


@pytest.fixture(scope='module')
def hf_model(tmp_path_factory):
    """A randomly initialised Depth Anything model (hidden size 32, 2 layers) and processor."""
    from transformers import (DepthAnythingConfig, DepthAnythingForDepthEstimation,
                              Dinov2Config, DPTImageProcessor)
    torch.manual_seed(0)
    backbone = Dinov2Config(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                            intermediate_size=64, image_size=56, patch_size=14,
                            out_features=['stage1', 'stage2'], reshape_hidden_states=False)
    config = DepthAnythingConfig(backbone_config=backbone, patch_size=14,
                                 reassemble_hidden_size=32, reassemble_factors=[2, 1],
                                 neck_hidden_sizes=[16, 32], fusion_hidden_size=16,
                                 head_hidden_size=8)
    folder = str(tmp_path_factory.mktemp('tiny_depth_anything'))
    DepthAnythingForDepthEstimation(config).save_pretrained(folder)
    DPTImageProcessor(size=dict(height=56, width=56), keep_aspect_ratio=True,
                      ensure_multiple_of=14).save_pretrained(folder)
    return folder


def run_tool(image_dir, out_dir, *args, env=None, import_path=None):
    """``(exit code, stdout, stderr)`` of the tool on CPU: ``main(argv)`` in this process (with
    ``import_path`` on ``sys.path``), or a new process when ``env`` must be set before any
    import (e.g. Hugging Face's offline switch)."""
    argv = [str(image_dir), str(out_dir), '--device', 'cpu', '--no-progress', *args]
    if env is not None:
        out = subprocess.run([sys.executable, TOOL, *argv], cwd=REPO, capture_output=True,
                             text=True, timeout=300, env=env)
        return out.returncode, out.stdout, out.stderr
    stdout, stderr = io.StringIO(), io.StringIO()
    sys.path.insert(0, import_path or REPO)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = load_tool(TOOL).main(argv)
    finally:
        sys.path.remove(import_path or REPO)
        for name, module in list(sys.modules.items()):  # modules the model file imported
            if import_path and (getattr(module, '__file__', None) or '').startswith(import_path):
                del sys.modules[name]
    return code, stdout.getvalue(), stderr.getvalue()


def counts(stdout):
    """(done, skipped, failed) from the tool's summary line."""
    found = re.findall(r'^(\d+) done, (\d+) skipped .*, (\d+) failed in ', stdout, re.M)
    assert len(found) == 1, stdout
    return tuple(int(n) for n in found[0])


def png_files(out_dir):
    found = []
    for folder, _, files in os.walk(out_dir):
        found += [osp.relpath(osp.join(folder, name), out_dir).replace(os.sep, '/')
                  for name in files if name.endswith('.png')]
    return sorted(found)


def check_outputs(root, model, model_type, output_kind):
    """Every image has a full-range 16-bit PNG of its size that LoadDepthFromFile reads."""
    assert png_files(root / 'depth') == OUTPUTS
    load_image = TRANSFORMS.build(dict(type='LoadImageFromFile'))
    load_depth = TRANSFORMS.build(dict(type='LoadDepthFromFile', invalid_values=()))
    load_depth_default = TRANSFORMS.build(dict(type='LoadDepthFromFile'))
    for rel, shape in IMAGES.items():
        png = str(root / 'depth' / (osp.splitext(rel)[0] + '.png'))
        raw = cv2.imread(png, cv2.IMREAD_UNCHANGED)
        assert raw.dtype == np.uint16 and raw.shape == shape, (rel, raw.dtype, raw.shape)
        assert raw.min() == 0 and raw.max() == 65535, rel
        meta = read_depth_png_metadata(png)
        assert meta['model'] == model and meta['model_type'] == model_type
        assert meta['output_kind'] == output_kind and meta['image'] == rel
        assert meta['min'] < meta['max']

        # the default mapping: .../images/a/y.JPEG -> .../depth/a/y.png
        results = load_image(dict(img_path=str(root / 'images' / rel)))
        results = load_depth(results)
        assert results['depth_path'] == png
        depth = results['depth']
        assert depth.shape == shape and np.isfinite(depth).all()
        np.testing.assert_allclose(depth, raw / 65535, atol=1e-6)
        # with the default invalid value 0, the pixels of the per-image minimum are missing
        default = load_depth_default(dict(img_path=str(root / 'images' / rel), img_shape=shape))
        assert np.array_equal(np.isnan(default['depth']), raw == 0)


@pytest.mark.slow
def test_transformers_model_sharded_resumed_repaired(image_root, hf_model, repo_root):
    root, out = image_root, image_root / 'depth'
    all_images = sorted(list(IMAGES) + [CORRUPT])
    shard0 = select_shard(all_images, 0, 2)
    assert CORRUPT in shard0  # the corrupt image is reported by the first run

    # one shard: exactly its images, the corrupt one reported with its reason
    rc, stdout, stderr = run_tool(root / 'images', out, '--model', hf_model,
                                  '--shard', '0/2', '--batch-size', '3', '--workers', '1')
    assert rc == 1, stdout + stderr
    assert counts(stdout) == (len(shard0) - 1, 0, 1), stdout
    assert 'bad.jpg: ValueError: cannot decode the image' in stderr, stderr
    assert png_files(out) == sorted(osp.splitext(r)[0] + '.png' for r in shard0 if r != CORRUPT)

    # a truncated output and a stale temporary file, as a killed writer could leave them
    damaged = out / (osp.splitext([r for r in shard0 if r != CORRUPT][0])[0] + '.png')
    damaged.write_bytes(damaged.read_bytes()[:200])
    (damaged.parent / f'.{damaged.name}.0123456789ab.tmp').write_bytes(b'\x89PNG partial')

    # the whole set: the other shard and the damaged output are done, the rest skipped
    rc, stdout, stderr = run_tool(root / 'images', out, '--model', hf_model,
                                  '--workers', '0')
    assert rc == 1, stdout + stderr
    done_before = len(shard0) - 2  # minus the corrupt and the damaged image
    assert counts(stdout) == (len(IMAGES) - done_before, done_before, 1), stdout
    check_outputs(root, hf_model, 'depth_anything', 'inverse_depth')

    # complete: nothing to do
    rc, stdout, stderr = run_tool(root / 'images', out, '--model', hf_model,
                                  '--workers', '0')
    assert rc == 1 and counts(stdout) == (0, len(IMAGES), 1), stdout + stderr


@pytest.mark.slow
def test_killed_run_resumes(image_root, tmp_path, repo_root, monkeypatch):
    """A pickled module sleeping 1 s per batch; SIGKILL after two outputs, then resume."""
    (tmp_path / 'slow_depth_model.py').write_text(SLOW_MODULE)
    sys.path.insert(0, str(tmp_path))
    try:
        from slow_depth_model import SlowDepth
        torch.save(SlowDepth(), str(tmp_path / 'slow.pth'))
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop('slow_depth_model', None)
    out = tmp_path / 'depth'
    env = dict(os.environ, PYTHONPATH=str(tmp_path),
               MMPIXDEPTH_TRUSTED_CHECKPOINTS=str(tmp_path / 'slow.pth'))
    cmd = [sys.executable, TOOL, str(image_root / 'images'), str(out), '--model',
           str(tmp_path / 'slow.pth'), '--batch-size', '1', '--workers', '0',
           '--input-size', '16', '16', '--device', 'cpu', '--no-progress']
    proc = subprocess.Popen(cmd, cwd=repo_root, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 240
        while len(png_files(out)) < 2 and proc.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    written = png_files(out)
    assert 2 <= len(written) < len(IMAGES), written
    for name in written:  # every output there is complete
        rel = [r for r in IMAGES if r.startswith(name[:-4] + '.')][0]
        assert is_valid_depth_png(str(out / name), IMAGES[rel]), name

    monkeypatch.setenv('MMPIXDEPTH_TRUSTED_CHECKPOINTS', str(tmp_path / 'slow.pth'))
    rc, stdout, stderr = run_tool(image_root / 'images', out, '--model',
                                  str(tmp_path / 'slow.pth'), '--input-size',
                                  '16', '16', '--workers', '0', import_path=str(tmp_path))
    assert rc == 1, stdout + stderr  # the corrupt image
    done, skipped, failed = counts(stdout)
    assert skipped == len(written) and done == len(IMAGES) - len(written) and failed == 1
    assert png_files(out) == OUTPUTS
    assert read_depth_png_metadata(str(out / 'x.png'))['model_type'] == 'torch_module'


@pytest.mark.slow
def test_torchscript_model(tmp_path, repo_root):
    """A traced module returning the red channel: the depth map follows the image's red."""

    class Red(torch.nn.Module):

        def forward(self, x):
            return x[:, :1] * 2 + 1  # (B, 1, H, W)

    torch.jit.trace(Red(), torch.zeros(1, 3, 8, 8)).save(str(tmp_path / 'red.ts'))
    images = tmp_path / 'images'
    write_image(str(images / 'one.png'), (48, 64), 0)
    write_image(str(images / 'sub' / 'two.jpg'), (30, 20), 1)
    rc, stdout, stderr = run_tool(images, tmp_path / 'depth', '--model',
                                  str(tmp_path / 'red.ts'), '--input-size', '24', '32',
                                  '--mean', '0.5', '0.5', '0.5', '--std', '0.25', '0.25', '0.25',
                                  '--output-kind', 'depth', '--batch-size', '2')
    assert rc == 0, stdout + stderr
    assert counts(stdout) == (2, 0, 0)
    depth, meta = decode_depth_png(str(tmp_path / 'depth' / 'one.png'))
    assert meta['model_type'] == 'torchscript' and meta['output_kind'] == 'depth'
    assert depth.shape == (48, 64)
    # red in [0, 240] -> ((r / 255 - 0.5) / 0.25) * 2 + 1 spans about [-3, 6.5]
    assert -4 < meta['min'] < meta['max'] < 8
    rgb = cv2.imread(str(images / 'one.png'))[..., ::-1].astype(np.float64)
    assert np.corrcoef(depth.ravel(), rgb[..., 0].ravel())[0, 1] > 0.8
    assert abs(np.corrcoef(depth.ravel(), rgb[..., 2].ravel())[0, 1]) < 0.3
    assert cv2.imread(str(tmp_path / 'depth' / 'sub' / 'two.png'),
                      cv2.IMREAD_UNCHANGED).shape == (30, 20)


@pytest.mark.slow
def test_hub_name_without_network_fails_clearly(image_root, tmp_path, repo_root):
    env = dict(os.environ, HF_HUB_OFFLINE='1', HF_HOME=str(tmp_path / 'hf_home'))
    rc, stdout, stderr = run_tool(image_root / 'images', tmp_path / 'depth',
                                  '--model', 'depth-anything/Depth-Anything-V2-Small-hf',
                                  env=env)
    assert rc == 2, stdout + stderr
    assert "could not load 'depth-anything/Depth-Anything-V2-Small-hf' from the Hugging Face " \
           'hub' in stderr
    assert '--model DIR' in stderr and 'Traceback' not in stderr, stderr
    assert not (tmp_path / 'depth').exists()


def test_list_images(tmp_path):
    for rel in ['b.JPG', 'a/c.jpeg', 'a/d.Tiff', 'a/e.webp', 'f.bmp', 'g.png', 'h.tif',
                'a/notes.txt', 'a/i.gif', 'out/j.png']:
        os.makedirs(osp.dirname(str(tmp_path / rel)), exist_ok=True)
        (tmp_path / rel).write_bytes(b'')
    assert list_images(str(tmp_path), exclude_dir=str(tmp_path / 'out')) == [
        'a/c.jpeg', 'a/d.Tiff', 'a/e.webp', 'b.JPG', 'f.bmp', 'g.png', 'h.tif']
    assert 'out/j.png' in list_images(str(tmp_path))
    with pytest.raises(NotADirectoryError, match='image folder not found'):
        list_images(str(tmp_path / 'missing'))


def test_shards_cover_every_file_once():
    files = [f'{i:03d}.jpg' for i in range(23)][::-1]
    for count in (1, 2, 3, 5, 30):
        shards = [select_shard(files, index, count) for index in range(count)]
        merged = sorted(f for shard in shards for f in shard)
        assert merged == sorted(files)
    assert select_shard(files, 1, 5) == ['001.jpg', '006.jpg', '011.jpg', '016.jpg', '021.jpg']
    assert parse_shard('3/4') == (3, 4) and parse_shard('0/1') == (0, 1)
    for bad in ('4/4', '-1/4', '0/0', '1', '1/2/3', 'a/b', ''):
        with pytest.raises(ValueError, match='shard'):
            parse_shard(bad)


def test_outputs_must_be_unique():
    check_unique_outputs(['a/b.jpg', 'a/c.png', 'b/b.png'])
    with pytest.raises(ValueError, match='a/b.jpg and a/b.png'):
        check_unique_outputs(['a/b.jpg', 'a/b.png', 'c.jpg'])


def test_depth_png_round_trip_and_validity(tmp_path):
    depth = np.linspace(-2.0, 5.0, 6 * 9).reshape(6, 9)
    path = str(tmp_path / 'd.png')
    write_atomic(path, encode_depth_png(depth, dict(model='m', output_kind='depth')))
    values, meta = decode_depth_png(path)
    assert meta == dict(model='m', output_kind='depth', min=-2.0, max=5.0)
    np.testing.assert_allclose(values, depth, atol=7 / 65535)
    assert cv2.imread(path, cv2.IMREAD_UNCHANGED).dtype == np.uint16
    assert is_valid_depth_png(path, (6, 9))
    assert not is_valid_depth_png(path, (9, 6))
    assert not is_valid_depth_png(str(tmp_path / 'missing.png'), (6, 9))
    data = open(path, 'rb').read()
    (tmp_path / 'cut.png').write_bytes(data[:len(data) - 20])
    assert not is_valid_depth_png(str(tmp_path / 'cut.png'), (6, 9))
    cv2.imwrite(str(tmp_path / 'eight.png'), np.zeros((6, 9), np.uint8))
    assert not is_valid_depth_png(str(tmp_path / 'eight.png'), (6, 9))
    # a constant map is all 0; NaN is refused
    write_atomic(path, encode_depth_png(np.full((2, 3), 4.0), {}))
    assert not cv2.imread(path, cv2.IMREAD_UNCHANGED).any()
    with pytest.raises(ValueError, match='NaN or inf'):
        encode_depth_png(np.array([[1.0, np.nan]]), {})
    with pytest.raises(ValueError, match='no .mmpixdepth. metadata'):
        read_depth_png_metadata(str(tmp_path / 'eight.png'))


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / 'sub' / 'd.png'
    write_atomic(str(path), b'old')

    def broken_replace(src, dst):
        raise OSError('disk full')

    monkeypatch.setattr(atomic_write.os, 'replace', broken_replace)
    with pytest.raises(OSError, match='disk full'):
        write_atomic(str(path), b'new')
    assert path.read_bytes() == b'old'
    assert os.listdir(str(tmp_path / 'sub')) == ['d.png']  # no temporary file left


def test_torch_module_files(tmp_path, monkeypatch):
    torch.save({'weight': torch.zeros(2)}, str(tmp_path / 'state_dict.pth'))
    with pytest.raises(ModelLoadError, match='holds a dict, not a model'):
        load_estimator(str(tmp_path / 'state_dict.pth'), 'cpu')
    torch.save(torch.nn.Identity(), str(tmp_path / 'module.pth'))
    with pytest.raises(ModelLoadError, match='export MMPIXDEPTH_TRUSTED_CHECKPOINTS='):
        load_estimator(str(tmp_path / 'module.pth'), 'cpu')
    with pytest.raises(ModelLoadError, match='not found'):
        load_estimator(str(tmp_path / 'missing.pt'), 'cpu')
    (tmp_path / 'junk.pt').write_text('junk')
    with pytest.raises(ModelLoadError, match='neither a TorchScript file'):
        load_estimator(str(tmp_path / 'junk.pt'), 'cpu')

    # the identity returns (B, 3, H, W): not a depth batch
    monkeypatch.setenv('MMPIXDEPTH_TRUSTED_CHECKPOINTS', str(tmp_path / 'module.pth'))
    estimator = load_estimator(str(tmp_path / 'module.pth'), 'cpu', input_size=(8, 8))
    image = np.zeros((5, 7, 3), np.uint8)
    batch = estimator.preprocess(image)[None]
    assert batch.shape == (1, 3, 8, 8) and estimator.output_kind == 'inverse_depth'
    with pytest.raises(ModelOutputError, match=r'returned \(1, 3, 8, 8\)'):
        estimator(batch)


def test_transformers_estimator_in_process(hf_model):
    estimator = load_estimator(hf_model, 'cpu', output_kind='depth')
    assert estimator.model_type == 'depth_anything' and estimator.output_kind == 'depth'
    pixels = estimator.preprocess(np.zeros((40, 70, 3), np.uint8))
    assert pixels.shape == (3, 28, 56)  # aspect kept, multiples of 14
    assert estimator(pixels[None]).shape[0] == 1
    with pytest.raises(ValueError, match='own image processor'):
        load_estimator(hf_model, 'cpu', input_size=(32, 32))


def test_generate_depth_in_process_with_amp(tmp_path, capsys):
    """bfloat16 autocast on CPU; overwrite redoes valid outputs."""
    torch.jit.trace(torch.nn.Conv2d(3, 1, 3, padding=1),
                    torch.zeros(1, 3, 8, 8)).save(str(tmp_path / 'conv.ts'))
    estimator = load_estimator(str(tmp_path / 'conv.ts'), 'cpu', input_size=(16, 16))
    write_image(str(tmp_path / 'images' / 'a.jpg'), (20, 30), 0)
    write_image(str(tmp_path / 'images' / 'b' / 'c.png'), (12, 9), 1)
    args = (str(tmp_path / 'images'), str(tmp_path / 'depth'), ['a.jpg', 'b/c.png'], estimator,
            'conv.ts')
    summary = generate_depth(*args, batch_size=2, workers=0, amp=True, progress=False)
    assert (summary.done, summary.skipped, summary.failed) == (2, 0, [])
    assert is_valid_depth_png(str(tmp_path / 'depth' / 'b' / 'c.png'), (12, 9))
    summary = generate_depth(*args, workers=0, overwrite=True, progress=False)
    assert (summary.done, summary.skipped) == (2, 0)
    capsys.readouterr()
    generate_depth(*args, batch_size=2, workers=0, overwrite=True, progress=True)
    final = capsys.readouterr().err.split('\r')[-1]  # the bar as it is left on screen
    assert '2/2' in final and 'done=2' in final and 'failed=0' in final, final
    with pytest.raises(ValueError, match='invalid device'):
        load_estimator(str(tmp_path / 'conv.ts'), 'gpu7')
