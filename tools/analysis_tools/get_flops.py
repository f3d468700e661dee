"""Parameters and FLOPs of a config's model at an input size.

``python tools/analysis_tools/get_flops.py CONFIG --shape H W``

Segmentation models are measured whole (``_forward`` on one image). Pretraining models compare
two views in their loss; their encoder (backbone) and projector (neck) are measured on one view,
and their pixel head on the projections: the propagation module of a propagation head, the cell
similarities between two views of that size (both directions) of a contrast head. FLOPs are
counted by mmengine, one multiply-add as one FLOP; the operators it does not count (batch norm,
pooling, element-wise sums) are listed in one line.
"""
import argparse
from collections import Counter

import torch
import torch.nn.functional as F
from mmengine.analysis import FlopAnalyzer, parameter_count
from mmengine.analysis.print_helper import _format_size  # as get_model_complexity_info prints
from mmengine.config import DictAction
from mmengine.registry import MODELS, DefaultScope
from mmpretrain.models import BaseSelfSupervisor

import mmpixdepth  # noqa: F401  (registers modules)
from mmpixdepth.models.heads import PixelContrastHead, PixelPropagationHead
from mmpixdepth.utils import load_config
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


class TensorForward(torch.nn.Module):
    """A segmentor whose ``forward`` is its ``_forward`` on an image batch (the counted call)."""

    def __init__(self, segmentor):
        super().__init__()
        self.segmentor = segmentor

    def forward(self, inputs):
        return self.segmentor._forward(inputs)


class CellSimilarities(torch.nn.Module):
    """The cosines between every cell of one view and every cell of the other, view 1 -> 2 and
    2 -> 1: the products a pixel contrast head computes (its channel groups split the same
    products)."""

    def forward(self, view1, view2):
        q, k = (F.normalize(x.flatten(2), dim=1) for x in (view1, view2))  # [B, C, N]
        return q.transpose(1, 2) @ k, k.transpose(1, 2) @ q


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter, description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file path')
    parser.add_argument('--shape', type=int, nargs=2, default=[224, 224], metavar=('H', 'W'),
                        help='input image size (default: %(default)s)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config keys, e.g. model.backbone.depth=50; unknown keys are an error')
    return parser.parse_args(argv)


def count(module, inputs):
    """FLOPs and parameters of ``module`` on ``inputs``, and a Counter of the operators that
    mmengine's counter skips."""
    analyzer = FlopAnalyzer(module, inputs)
    analyzer.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    return analyzer.total(), parameter_count(module)[''], Counter(analyzer.unsupported_ops())


def complexity(model, shape):
    """``[(part, FLOPs, params)]`` of ``model`` on one ``(1, C, H, W)`` zero image, as strings,
    a line saying what was measured, and a Counter of the operators not counted."""
    image = torch.zeros(shape)
    if isinstance(model, BaseSelfSupervisor):
        features = model.backbone(image)
        parts = [('backbone (encoder)', model.backbone, (image, )),
                 ('neck (projector)', model.neck, (features, ))]
        projected = model.neck(features)
        head = getattr(model, 'head', None)
        if isinstance(head, PixelPropagationHead):
            parts.append(('head (pixel propagation)', head.ppm, (projected, )))
        elif isinstance(head, PixelContrastHead):
            parts.append(('head (cell similarities)', CellSimilarities(),
                          (projected, projected)))
        note = ('pretraining model: the encoder and projector on one view'
                + (' and the pixel head (it compares two views)' if len(parts) > 2 else '')
                + ('; the momentum encoder, a copy of encoder and projector without gradients, '
                   'is left out' if hasattr(model, 'target_net') else ''))
    else:
        parts = [('whole model', TensorForward(model), (image, ))]
        note = 'the whole model (_forward) on one image'
    rows, flops, params, skipped = [], 0, 0, Counter()
    for name, module, inputs in parts:
        part_flops, part_params, part_skipped = count(module, inputs)
        rows.append((name, _format_size(part_flops), _format_size(part_params)))
        flops, params, skipped = flops + part_flops, params + part_params, skipped + part_skipped
    if len(parts) > 1:
        rows.append(('total', f'{flops / 1e9:.3f}G', f'{params / 1e6:.3f}M'))
    return rows, note, skipped


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
        rows, note, skipped = complexity(model, shape)
    print(f'config: {args.config}\ninput shape: {shape}\nmeasured: {note}')
    print(table(rows))
    if skipped:
        print('not counted (mmengine counts no FLOPs for them): '
              + ', '.join(f'{op.replace("aten::", "")} x{n}' for op, n in sorted(skipped.items())))


if __name__ == '__main__':
    main()
