"""Parameters and FLOPs of a config's model at an input size.

``python tools/analysis_tools/get_flops.py CONFIG --shape H W``

Segmentation models are measured whole (``_forward`` on one image). Pretraining models compare
two views in their loss; their encoder (backbone) and projector (neck) are measured on one view.
FLOPs are counted by mmengine, one multiply-add as one FLOP.
"""
import argparse

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import DictAction
from mmengine.registry import MODELS, DefaultScope
from mmpretrain.models import BaseSelfSupervisor

import mmpixdepth  # noqa: F401  (registers modules)
from mmpixdepth.utils import load_config


class TensorForward(torch.nn.Module):
    """A segmentor whose ``forward`` is its ``_forward`` on an image batch (the counted call)."""

    def __init__(self, segmentor):
        super().__init__()
        self.segmentor = segmentor

    def forward(self, inputs):
        return self.segmentor._forward(inputs)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file path')
    parser.add_argument('--shape', type=int, nargs=2, default=[224, 224], metavar=('H', 'W'),
                        help='input image size (default: %(default)s)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config keys, e.g. model.backbone.depth=50; unknown keys are an error')
    return parser.parse_args(argv)


def complexity(model, shape):
    """``[(part, FLOPs, params)]`` of ``model`` on one ``(1, C, H, W)`` zero image, as strings,
    and a line saying what was measured."""
    image = torch.zeros(shape)
    if isinstance(model, BaseSelfSupervisor):
        features = model.backbone(image)
        parts = [('backbone (encoder)', model.backbone, (image, )),
                 ('neck (projector)', model.neck, (features, ))]
        note = ('pretraining model: the encoder and projector on one view (the loss compares '
                'two views; the momentum encoder and head are left out)')
    else:
        parts = [('whole model', TensorForward(model), (image, ))]
        note = 'the whole model (_forward) on one image'
    rows, flops, params = [], 0, 0
    for name, module, inputs in parts:
        info = get_model_complexity_info(module, inputs=inputs, show_table=False, show_arch=False)
        rows.append((name, info['flops_str'], info['params_str']))
        flops, params = flops + info['flops'], params + info['params']
    if len(parts) > 1:
        rows.append(('total', f'{flops / 1e9:.3f}G', f'{params / 1e6:.3f}M'))
    return rows, note


def table(rows):
    """``rows`` of ``(part, FLOPs, params)`` as a bordered text table."""
    cells = [('part', 'FLOPs', 'params'), *rows]
    widths = [max(len(row[column]) for row in cells) for column in range(3)]
    rule = '+' + '+'.join('-' * (width + 2) for width in widths) + '+'
    lines = ['| ' + ' | '.join(cell.ljust(width) for cell, width in zip(row, widths)) + ' |'
             for row in cells]
    return '\n'.join([rule, lines[0], rule, *lines[1:], rule])


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        model = MODELS.build(cfg.model)
    model.eval()
    channels = cfg.model.backbone.get('in_channels', 3)
    shape = (1, channels, *args.shape)
    with torch.no_grad():
        rows, note = complexity(model, shape)
    print(f'config: {args.config}\ninput shape: {shape}\nmeasured: {note}')
    print(table(rows))


if __name__ == '__main__':
    main()
