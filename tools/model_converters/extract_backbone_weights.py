"""Extract the encoder of a pretraining (or segmentation) checkpoint as backbone-only weights.

    python tools/model_converters/extract_backbone_weights.py \
        work_dirs/pixdepth_r34_imagenet/epoch_500.pth pixdepth_r34_backbone.pth

The output holds ``state_dict`` (the online ``backbone.*`` tensors, prefix removed; the momentum
encoder is dropped) and ``meta`` naming its source. Load it into a segmentation backbone with
``init_cfg=dict(type='PretrainedBackbone', checkpoint=OUT)`` (fails on any key mismatch), or
into any model with mmengine's ``Pretrained`` init.
"""
import argparse
import os.path as osp
import pickle
import sys

import torch
from mmengine.runner.checkpoint import _load_checkpoint

import mmpixdepth  # noqa: F401  (safe checkpoint loading)
from mmpixdepth.engine import CheckpointError, backbone_state_dict, file_sha256
from mmpixdepth.utils.atomic_write import atomic_open
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter

#: entries of mmengine's checkpoint meta copied into the output (plain values only)
KEPT_META = ('epoch', 'iter', 'experiment_name', 'mmengine_version', 'seed', 'time')


def extract(src, dst, prefix='backbone.'):
    """Write the backbone weights of ``src`` to ``dst``; return the number of tensors."""
    if not osp.isfile(src):
        raise FileNotFoundError(f'checkpoint {src} does not exist')
    checkpoint = _load_checkpoint(src, map_location='cpu')
    state = backbone_state_dict(checkpoint, src, prefix)
    source_meta = checkpoint.get('meta') or {}
    meta = dict(
        backbone_only=True,
        source=osp.abspath(src),
        source_sha256=file_sha256(src),
        prefix=prefix,
        **{f'source_{key}': source_meta[key] for key in KEPT_META if key in source_meta})
    with atomic_open(dst, fsync=True) as f:
        torch.save(dict(state_dict=state, meta=meta), f)
    return len(state)


def main(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter, description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='pretraining or segmentation checkpoint')
    parser.add_argument('out', help='output file (.pth)')
    parser.add_argument('--prefix', default='backbone.',
                        help='key prefix of the backbone in the model')
    args = parser.parse_args(argv)
    try:
        count = extract(args.checkpoint, args.out, args.prefix)
    except (FileNotFoundError, KeyError, CheckpointError, pickle.UnpicklingError) as error:
        sys.exit(f'error: {error.args[0]}')
    print(f'wrote {count} backbone tensors of {args.checkpoint} to {args.out}')


if __name__ == '__main__':
    main()
