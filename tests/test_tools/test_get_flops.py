"""tools/analysis_tools/get_flops.py on a pretraining and a segmentation config."""
import os.path as osp
import re

from helpers import PIXDEPTH_R18_CONFIG, REPO

TOOL = 'tools/analysis_tools/get_flops.py'


def table_rows(printed):
    """``{part: (FLOPs, params)}`` of the printed table, in units of 1."""
    scale = {'K': 1e3, 'M': 1e6, 'G': 1e9, '': 1}
    rows = {}
    for part, flops, params in re.findall(r'^\| (.+?) +\| ([\d.]+[KMG]?) +\| ([\d.]+[KMG]?) +\|$',
                                          printed, re.MULTILINE):
        rows[part] = tuple(float(v.rstrip('KMG')) * scale[v[-1] if v[-1] in 'KMG' else '']
                           for v in (flops, params))
    return rows


def test_resnet18_encoder_of_a_pretraining_config(tool, tmp_path, capsys):
    config = tmp_path / 'pixdepth_r18_stride32.py'  # the plain ResNet-18 strides of ImageNet
    config.write_text(f"_base_ = [{osp.join(REPO, PIXDEPTH_R18_CONFIG)!r}]\n"
                      'model = dict(backbone=dict(strides=(1, 2, 2, 2), dilations=(1, 1, 1, 1)))\n')
    tool(TOOL).main([str(config), '--shape', '224', '224'])
    printed = capsys.readouterr().out
    assert ('encoder and projector on one view and the pixel head (it compares two views); '
            'the momentum encoder') in printed
    rows = table_rows(printed)
    assert set(rows) == {'backbone (encoder)', 'neck (projector)', 'head (cell similarities)',
                         'total'}
    cells, channels = (224 // 32)**2, 384  # 7x7 cells of the 384-channel projection
    flops, params = rows['head (cell similarities)']  # printed to 3 significant digits
    assert abs(flops - 2 * cells * cells * channels) < 1e-3 * flops and params == 0
    assert re.search(r'^not counted \(mmengine counts no FLOPs for them\): .*max_pool2d x1',
                     printed, re.MULTILINE)
    flops, params = rows['backbone (encoder)']
    assert 1.75e9 < flops < 1.9e9  # ResNet-18 at 224x224: 1.8 GFLOPs
    assert abs(params - 11.18e6) < 0.01e6  # ResNet-18 without its classifier
    parts = sum(rows[part][0] for part in rows if part != 'total')
    assert abs(rows['total'][0] - parts) < 0.002e9


def test_propagation_head_is_counted(tool, capsys):
    config = 'configs/pixdepth/pixdepth-propagation_r18-w16_1xb32-100e_synthetic-64x64.py'
    tool(TOOL).main([osp.join(REPO, config), '--shape', '64', '64'])
    flops, params = table_rows(capsys.readouterr().out)['head (pixel propagation)']
    channels, groups, cells = 192, 3, 8 * 8  # 3 threshold groups, 8x8 cells at 64x64
    assert abs(params - (channels * channels // groups + channels)) < 1e-3 * params
    # the grouped 1x1 transform, the cosines between cells and the weighted sum over cells
    expected = cells * channels * channels // groups + 2 * cells * cells * channels
    assert abs(flops - expected) < 1e-3 * flops


def test_whole_segmentation_model(tool, capsys):
    config = 'configs/deeplabv3/deeplabv3_r18_1xb8-20e_synthetic-128x128.py'
    tool(TOOL).main([osp.join(REPO, config), '--shape', '64', '64'])
    printed = capsys.readouterr().out
    assert 'whole model (_forward) on one image' in printed
    assert 'input shape: (1, 3, 64, 64)' in printed
    flops, params = table_rows(printed)['whole model']
    assert abs(params - 13.82e6) < 0.01e6  # ResNet-18 with the ASPP head
    assert abs(flops - 3.671e9 / 4) < 0.01e9  # a quarter of the 128x128 count


def test_depth_contrast_has_no_pixel_head_and_no_momentum_encoder(tool, capsys):
    config = 'configs/depthcontrast/depthcontrast_resnet18-w16_1xb28-60e_synthetic3dpm-32x32.py'
    tool(TOOL).main([osp.join(REPO, config), '--shape', '32', '32'])
    printed = capsys.readouterr().out
    assert 'measured: pretraining model: the encoder and projector on one view\n' in printed
    assert set(table_rows(printed)) == {'backbone (encoder)', 'neck (projector)', 'total'}
