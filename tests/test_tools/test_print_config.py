"""tools/misc/print_config.py: the resolved config, with --cfg-options checked."""
import os.path as osp

import pytest
from mmengine.config import Config

from helpers import REPO, load_tool

TOOL = 'tools/misc/print_config.py'
CONFIG = osp.join(REPO, 'configs/pixdepth/pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py')


def test_prints_the_resolved_config_with_options(capsys, tmp_path):
    out = tmp_path / 'resolved.py'
    load_tool(TOOL).main([CONFIG, '--cfg-options', 'train_cfg.max_epochs=7',
                          'model.head.temperature=0.2', '--out', str(out)])
    printed = capsys.readouterr().out
    assert "type='PixelContrastHead'" in printed and 'temperature=0.2' in printed
    assert 'max_epochs=7' in printed and "type='PixDepth'" in printed  # the _base_ files merged
    resolved = Config.fromfile(str(out))
    assert resolved.train_cfg.max_epochs == 7 and resolved.model.head.temperature == 0.2


@pytest.mark.parametrize('option, says', [
    ('model.head.temprature=0.2', 'unknown config option "model.head.temprature"'),
    ('train_cfg.max_epochs=abc', "'abc' is not a number"),
])
def test_bad_options_are_named(option, says):
    with pytest.raises(SystemExit, match=says):
        load_tool(TOOL).main([CONFIG, '--cfg-options', option])
