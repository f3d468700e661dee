"""Make a checkpoint fit to share: weights and meta only, named after its content.

    python tools/model_converters/publish_model.py work_dirs/x/epoch_500.pth pixdepth_r34_imagenet
    -> pixdepth_r34_imagenet_20261123-1a2b3c4d.pth   (date, then the first 8 hex of its sha256)

Drops the optimizer, the parameter schedulers and the message hub (the training state that
``--resume`` needs but a user of the weights does not).
"""
import argparse
import datetime
import os
import os.path as osp
import sys

import torch
from mmengine.runner.checkpoint import _load_checkpoint

import mmpixdepth  # noqa: F401  (safe checkpoint loading)
from extract_backbone_weights import sha256

KEPT = ('state_dict', 'meta')


def publish(src, name, out_dir='.', date=None):
    """Write the published file of ``src`` and return its path."""
    if not osp.isfile(src):
        raise FileNotFoundError(f'checkpoint {src} does not exist')
    checkpoint = _load_checkpoint(src, map_location='cpu')
    if 'state_dict' not in checkpoint:
        raise KeyError(f'{src} has no state_dict (keys: {", ".join(sorted(checkpoint))})')
    date = date or datetime.date.today().strftime('%Y%m%d')
    os.makedirs(out_dir, exist_ok=True)
    tmp = osp.join(out_dir, f'.{name}.tmp')
    torch.save({key: checkpoint[key] for key in KEPT if key in checkpoint}, tmp)
    final = osp.join(out_dir, f'{name}_{date}-{sha256(tmp)[:8]}.pth')
    os.replace(tmp, final)
    return final


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='checkpoint written by tools/train.py')
    parser.add_argument('name', help='model name, e.g. pixdepth_r34_imagenet')
    parser.add_argument('--out-dir', default='.', help='output folder (default: .)')
    parser.add_argument('--date', help='YYYYMMDD in the file name (default: today)')
    args = parser.parse_args(argv)
    try:
        path = publish(args.checkpoint, args.name, args.out_dir, args.date)
    except (FileNotFoundError, KeyError) as error:
        sys.exit(f'error: {error.args[0]}')
    print(f'published {args.checkpoint} as {path}')


if __name__ == '__main__':
    main()
