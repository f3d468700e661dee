"""tools/analysis_tools/benchmark_pretrain.py end to end with tiny settings."""
import re
import subprocess

TOOL = 'tools/analysis_tools/benchmark_pretrain.py'
RATIOS = ['train step PixDepth / PixContrast', 'train step PixDepth / BYOL',
          'train step PixDepth / DenseCL', 'data samples/s with depth / without depth']


def test_benchmark_tool_prints_every_table_and_ratio(tiny_rgbd, python, repo_root):
    cmd = [python, TOOL, '--batch-size', '2', '--crop-size', '64', '--iters', '1', '--warmup',
           '0', '--repeats', '1', '--loss-sizes', '3', '5', '--chunk-size', '4',
           '--loss-repeats', '1', '--data-root', tiny_rgbd]
    out = subprocess.run(cmd, cwd=repo_root, capture_output=True, text=True, timeout=600)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-3000:]
    for heading in ('## Train step', '## Pixel loss alone', '## Data pipeline', '## Ratios'):
        assert heading in out.stdout, heading
    for model in ('PixDepth', 'PixContrast', 'BYOL', 'DenseCL'):
        assert re.search(rf'^\| {model} \| [\d.]+ \|', out.stdout, re.M), model
    for size in ('3x3', '5x5'):
        assert re.search(rf'^\| {size} \|', out.stdout, re.M), size
    for ratio in RATIOS:
        line = re.search(rf'^{re.escape(ratio)}: [\d.]+ +\(target [<>]= [\d.]+\) +(PASS|MISS)$',
                         out.stdout, re.M)
        assert line, ratio


def test_benchmark_tool_rejects_bad_options(python, repo_root):
    for bad in (['--crop-size', '100'], ['--iters', '0'], ['--backbone-depth', '101']):
        out = subprocess.run([python, TOOL, *bad], cwd=repo_root, capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 2 and 'error' in out.stderr, bad
