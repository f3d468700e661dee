"""tools/analysis_tools/analyze_logs.py on the log of a real training run."""
import glob
import json
import os.path as osp

import pytest
from PIL import Image

TOOL = 'tools/analysis_tools/analyze_logs.py'


def scalars(work_dir):
    found = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    assert len(found) == 1, found
    return found[0]


def test_curves_of_two_runs(seg_run, tool, tmp_path, capsys):
    out = tmp_path / 'curves.png'
    # the work dir and its log file: both read the same run
    tool(TOOL).main(['plot_curve', seg_run, scalars(seg_run), '--keys', 'loss', 'lr', 'mIoU',
                     '--legend', 'run A', 'run B', '--out', str(out)])
    assert 'curves of loss, lr, mIoU written to' in capsys.readouterr().out
    with Image.open(out) as image:
        width, height = image.size
    assert (width, height) == (600, 790)  # three 6 x 2.5 inch panels and a title at 100 dpi


def test_train_time_matches_the_log(seg_run, tool, capsys):
    with open(scalars(seg_run)) as f:
        times = [record['time'] for record in map(json.loads, f) if 'iter' in record]
    assert len(times) == 4  # 2 epochs of 2 iterations, each logged
    tool(TOOL).main(['cal_train_time', seg_run])
    printed = capsys.readouterr().out
    assert '3 logged iterations' in printed  # the first one left out
    assert f'average iteration time: {sum(times[1:]) / 3:.4f} s/iter' in printed
    assert f'({max(times[1:]):.4f} s)' in printed.split('slowest iteration')[1].split('\n')[0]


def test_unknown_key_lists_the_logged_keys(seg_run, tool, tmp_path):
    with pytest.raises(KeyError, match=r"has no key 'acc'; its keys: .*decode\.loss_ce.*, lr, "):
        tool(TOOL).main(['plot_curve', seg_run, '--keys', 'acc', '--out', str(tmp_path / 'c.png')])
    assert not (tmp_path / 'c.png').exists()


def test_work_dir_without_logs(tool, tmp_path):
    with pytest.raises(FileNotFoundError, match='without <timestamp>/vis_data/scalars.json'):
        tool(TOOL).main(['cal_train_time', str(tmp_path)])


def test_work_dir_records_join_a_resumed_run(tmp_path):
    from mmpixdepth.analysis.log_curves import work_dir_records
    for stamp, iters in (('20260101_000000', [10, 20, 30]), ('20260101_010000', [30, 40])):
        folder = tmp_path / stamp / 'vis_data'
        folder.mkdir(parents=True)
        lines = [json.dumps(dict(iter=i, loss=float(i), run=stamp)) for i in iters]
        (folder / 'scalars.json').write_text('\n'.join(lines + [json.dumps(dict(step=1))]))
    records = work_dir_records(str(tmp_path))
    assert [r['iter'] for r in records] == [10, 20, 30, 40]
    assert records[2]['run'] == '20260101_010000'  # the resumed run's record of iteration 30
    assert work_dir_records(str(tmp_path / 'none')) == []
