"""Predict depth for every image of a folder: ``python tools/generate_depth.py IMAGE_DIR OUT_DIR
--model PATH_OR_NAME``.

``IMAGE_DIR/a/b.jpg`` gets ``OUT_DIR/a/b.png``: a 16-bit PNG of the image's size, normalised per
image to 0..65535, with the model, the kind of values and their range in a ``tEXt`` chunk
(:mod:`mmpixdepth.depth_estimation.depth_png`). Re-running skips valid outputs, so a killed run
resumes; ``--shard i/n`` splits the work over processes or machines. Exits with 0 when every
image has its output, 1 when some failed (listed), 2 on a usage or model-loading error.
"""
import argparse
import sys

import torch

from mmpixdepth.depth_estimation import (IMAGE_SUFFIXES, OUTPUT_KINDS, ModelLoadError,
                                         ModelOutputError, check_source_folder,
                                         check_unique_outputs, generate_depth, list_images,
                                         load_estimator, parse_shard, take_shard)
from mmpixdepth.depth_estimation.generate import print_summary, report_interrupted
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def shard_arg(text):
    try:
        return parse_shard(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be >= 1, got {value}')
    return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter,
        description='Write a 16-bit PNG depth map for every image under IMAGE_DIR, with the '
        'same relative path under OUT_DIR (a/b.jpg -> a/b.png). Image suffixes: '
        f'{" ".join(IMAGE_SUFFIXES)} (any case).')
    parser.add_argument('image_dir', metavar='IMAGE_DIR', help='folder searched recursively')
    parser.add_argument('out_dir', metavar='OUT_DIR', help='output folder (created)')
    parser.add_argument(
        '--model', required=True, metavar='PATH_OR_NAME',
        help='a transformers depth-estimation model folder (save_pretrained layout: DPT, '
        'Depth Anything, ...), a TorchScript or pickled torch module file, or a Hugging Face '
        'hub name (needs network access or the local hub cache)')
    parser.add_argument('--batch-size', type=positive_int, default=8,
                        help='images per model call')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu',
                        help='torch device, e.g. cpu, cuda, cuda:1 (the default is cuda where '
                        'available)')
    parser.add_argument('--amp', action='store_true',
                        help='run the model in float16 (CUDA) or bfloat16 (CPU) autocast')
    parser.add_argument('--workers', type=int, default=2,
                        help='processes reading and preprocessing images (0: none)')
    parser.add_argument('--shard', type=shard_arg, default=(0, 1), metavar='I/N',
                        help='process every N-th image of the sorted list, starting at I '
                        '(0 <= I < N), e.g. 0/4 .. 3/4 on four machines')
    parser.add_argument('--overwrite', action='store_true',
                        help='redo images whose output is already a valid PNG')
    parser.add_argument(
        '--output-kind', choices=OUTPUT_KINDS,
        help='what the model predicts, recorded in the metadata (default: inverse_depth for '
        'DPT, relative Depth Anything and torch module files such as MiDaS, else depth)')
    parser.add_argument('--input-size', type=positive_int, nargs=2, metavar=('H', 'W'),
                        help='torch module files: model input size (default: 384 384)')
    parser.add_argument('--mean', type=float, nargs=3, metavar=('R', 'G', 'B'),
                        help='torch module files: mean of [0, 1] RGB images '
                        '(default: ImageNet 0.485 0.456 0.406)')
    parser.add_argument('--std', type=float, nargs=3, metavar=('R', 'G', 'B'),
                        help='torch module files: std of [0, 1] RGB images '
                        '(default: ImageNet 0.229 0.224 0.225)')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    args = parser.parse_args(argv)
    if args.workers < 0:
        parser.error(f'--workers must be >= 0, got {args.workers}')
    return args


def select_images(args):
    """The sorted relative image paths of this shard, after checks of the folders."""
    check_source_folder('IMAGE_DIR', args.image_dir, 'OUT_DIR', args.out_dir, 'depth')
    rel_paths = list_images(args.image_dir, exclude_dir=args.out_dir)
    if not rel_paths:
        raise ValueError(f'no images under {args.image_dir} (suffixes: '
                         f'{" ".join(IMAGE_SUFFIXES)})')
    check_unique_outputs(rel_paths)
    return take_shard(rel_paths, args.shard, f'images under {args.image_dir}')


def main(argv=None):
    args = parse_args(argv)
    try:
        rel_paths = select_images(args)
        if args.device.startswith('cuda') and not torch.cuda.is_available():
            raise ValueError(f'--device {args.device}: CUDA is not available here; use cpu')
        estimator = load_estimator(args.model, args.device, args.output_kind, args.input_size,
                                   args.mean, args.std)
    except (ValueError, ModelLoadError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(f'model {args.model} ({estimator.model_type}, predicts {estimator.output_kind}) on '
          f'{estimator.device}; writing to {args.out_dir}')
    try:
        summary = generate_depth(args.image_dir, args.out_dir, rel_paths, estimator, args.model,
                                 args.batch_size, args.workers, args.overwrite, args.amp,
                                 not args.no_progress)
    except ModelOutputError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return report_interrupted()

    return print_summary(summary, args.image_dir, 'images')


if __name__ == '__main__':
    sys.exit(main())
