"""Make a checkpoint fit to share: weights and meta only, named after its content.

    python tools/model_converters/publish_model.py work_dirs/x/epoch_500.pth pixdepth_r34_imagenet
    -> pixdepth_r34_imagenet_20261123-1a2b3c4d.pth   (date, then the first 8 hex of its sha256)

Drops the optimizer, the parameter schedulers and the message hub (the training state that
``--resume`` needs but a user of the weights does not); loading already dropped the config text.
mmpixdepth's checkpoint loader verifies the sha256 prefix of the name whenever the file is loaded.
"""
import argparse
import datetime
import hashlib
import io
import os.path as osp
import pickle
import sys

import torch
from mmengine.runner.checkpoint import _load_checkpoint

import mmpixdepth  # noqa: F401  (safe checkpoint loading)
from mmpixdepth.engine import CheckpointError
from mmpixdepth.utils.atomic_write import write_atomic
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter

KEPT = ('state_dict', 'meta')


def publish(src, name, out_dir='.', date=None):
    """Write the published file of ``src`` and return its path."""
    if not osp.isfile(src):
        raise FileNotFoundError(f'checkpoint {src} does not exist')
    checkpoint = _load_checkpoint(src, map_location='cpu')
    if 'state_dict' not in checkpoint:
        raise KeyError(f'{src} has no state_dict (keys: {", ".join(sorted(checkpoint))})')
    date = date or datetime.date.today().strftime('%Y%m%d')
    buffer = io.BytesIO()
    torch.save({key: checkpoint[key] for key in KEPT if key in checkpoint}, buffer)
    data = buffer.getvalue()
    final = osp.join(out_dir, f'{name}_{date}-{hashlib.sha256(data).hexdigest()[:8]}.pth')
    write_atomic(final, data, fsync=True)
    return final


def main(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter, description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='checkpoint written by tools/train.py')
    parser.add_argument('name', help='model name, e.g. pixdepth_r34_imagenet')
    parser.add_argument('--out-dir', default='.', help='output folder')
    parser.add_argument('--date', help='YYYYMMDD in the file name (default: today)')
    args = parser.parse_args(argv)
    try:
        path = publish(args.checkpoint, args.name, args.out_dir, args.date)
    except (FileNotFoundError, KeyError, CheckpointError, pickle.UnpicklingError) as error:
        sys.exit(f'error: {error.args[0]}')
    print(f'published {args.checkpoint} as {path}')


if __name__ == '__main__':
    main()
