"""tools/analysis_tools/benchmark_pretrain.py in-process with tiny settings, and its timing."""
import os.path as osp
import re
import time

import cv2
import pytest
import torch
from torch.utils.benchmark import Measurement
from torch.utils.benchmark.utils.common import TaskSpec

from helpers import REPO
from mmpixdepth.analysis import interleaved_timing
from mmpixdepth.analysis.interleaved_timing import (MIN_RUN_TIME, interleaved_measurements,
                                                    median_ratio, merged_median)

TOOL = 'tools/analysis_tools/benchmark_pretrain.py'
MODE_CONFIG = 'configs/pixdepth/pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py'
RATIOS = ['train step PixDepth / PixContrast', 'train step PixDepth / BYOL',
          'train step PixDepth / DenseCL', 'data samples/s with depth / without depth',
          'train step of the CPU protocol, bf16 / fp32']
TINY = ['--batch-size', '2', '--crop-size', '64', '--iters', '1', '--warmup', '1', '--repeats',
        '1', '--loss-sizes', '3', '5', '--chunk-size', '4', '--loss-repeats', '1',
        '--data-repeats', '1', '--threads', '1', '--mode-repeats', '1']


def test_benchmark_tool_prints_every_table_and_ratio(tiny_rgbd, tool, capsys, monkeypatch,
                                                     tmp_path):
    # the tables and ratios, not the timings, are tested: measurements of 10 ms, not 200 ms
    monkeypatch.setattr(interleaved_timing, 'MIN_RUN_TIME', 0.01)
    mode_config = tmp_path / 'mode_config.py'  # the CPU protocol at batch 4, not 32
    mode_config.write_text(f'_base_ = [{osp.join(REPO, MODE_CONFIG)!r}]\n'
                           'train_dataloader = dict(batch_size=4)\n')
    threads = torch.get_num_threads(), cv2.getNumThreads()
    try:
        tool(TOOL).main([*TINY, '--data-root', tiny_rgbd, '--mode-config', str(mode_config)])
    finally:
        torch.set_num_threads(threads[0])
        cv2.setNumThreads(threads[1])
    out = capsys.readouterr().out
    assert re.search(r'^# benchmark_pretrain: CPU \(.+\), torch \S+, 1 torch / 1 OpenCV '
                     r'threads, \d+ CPUs visible, load average at start [\d.]+$', out, re.M)
    assert re.search(r'^# load average at end [\d.]+$', out, re.M)
    for heading in ('## Train step', '## Pixel loss alone', '## Data pipeline',
                    '## PixDepth train step by precision mode', '## Ratios'):
        assert heading in out, heading
    for model in ('PixDepth', 'PixContrast', 'BYOL', 'DenseCL'):
        assert re.search(rf'^\| {model} \| [\d.]+ \|', out, re.M), model
    for size in ('3x3', '5x5'):
        assert re.search(rf'^\| {size} \|', out, re.M), size
    assert 'batch 4, 64x64 views' in out
    for mode in ('fp32', 'channels_last', 'bf16', 'bf16 \\+ channels_last'):
        assert re.search(rf'^\| {mode} \| [\d.]+ \| [\d.]+ \| [\d.]+ \|$', out, re.M), mode
    for pipeline in ('with depth', 'without depth'):
        assert re.search(rf'^\| {pipeline} \| [\d.]+ \|$', out, re.M), pipeline
    for ratio in RATIOS:
        line = re.search(rf'^{re.escape(ratio)}: [\d.]+ +\(target [<>]= [\d.]+\) +(PASS|MISS)$',
                         out, re.M)
        assert line, ratio


def test_benchmark_tool_rejects_bad_options(tool, capsys):
    main = tool(TOOL).main
    for bad in (['--crop-size', '100'], ['--iters', '0'], ['--backbone-depth', '101'],
                ['--warmup', '0'], ['--amp'], ['--mode-repeats', '0']):
        with pytest.raises(SystemExit) as exit_info:
            main(bad)
        assert exit_info.value.code == 2 and 'error' in capsys.readouterr().err, bad


def test_interleaved_measurements_rotate_the_order_and_time_enough_calls():
    order = []

    def case(name):

        def run():
            if not order or order[-1] != name:
                order.append(name)
            time.sleep(0.01)

        return run

    measurements = interleaved_measurements({name: case(name) for name in 'abc'}, repeats=3,
                                            min_calls=25, warmup=1)
    # warm-up a, b, c; then repeat 0: a, b, c; repeat 1: b, c, a; repeat 2: c, a, b
    assert ''.join(order) == 'abc' + 'abc' + 'bca' + 'cab'
    for name, runs in measurements.items():
        assert len(runs) == 3
        # a call sleeps 0.01 s at least, so 25 warm-up call times exceed MIN_RUN_TIME
        assert all(sum(m.raw_times) >= 25 * 0.01 > MIN_RUN_TIME for m in runs), name


def test_ratios_are_medians_of_per_repeat_ratios():

    def runs(*seconds):
        spec = TaskSpec(stmt='fn()', setup='')
        return [Measurement(number_per_run=1, raw_times=[s], task_spec=spec) for s in seconds]

    a, b = runs(1.0, 2.0, 10.0), runs(1.0, 4.0, 1.0)
    assert median_ratio(a, b) == 1.0  # ratios 1, 0.5, 10; the ratio of the medians would be 2
    assert merged_median(a) == 2.0 and merged_median(b) == 1.0
