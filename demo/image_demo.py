"""Segment one image with a fine-tuned checkpoint and write the prediction drawn over it.

``python demo/image_demo.py IMG CONFIG CHECKPOINT [--out-file result.png] [--device cpu]
[--opacity 0.5] [--with-labels]``
"""
from argparse import ArgumentParser

from mmpixdepth.apis import inference_model, init_model, show_result
from mmpixdepth.apis.inputs import DEFAULT_DEVICE
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def parse_args(argv=None):
    parser = ArgumentParser(description=__doc__.split('\n')[0],
                            formatter_class=DefaultsHelpFormatter)
    parser.add_argument('img', help='image file')
    parser.add_argument('config', help='segmentation config file, e.g. configs/deeplabv3/*.py')
    parser.add_argument('checkpoint', help='checkpoint of that config, e.g. from tools/train.py')
    parser.add_argument('--out-file', default='result.png',
                        help='image file written: the prediction drawn over the image')
    parser.add_argument('--device', default=DEFAULT_DEVICE, help='device used for inference')
    parser.add_argument('--opacity', type=float, default=0.5,
                        help='opacity of the painted segmentation map, in (0, 1]')
    parser.add_argument('--with-labels', action='store_true',
                        help='also write the class names on the regions, as mmseg does')
    args = parser.parse_args(argv)
    if not 0 < args.opacity <= 1:
        parser.error(f'--opacity must be in (0, 1], got {args.opacity}')
    return args


def main(argv=None):
    args = parse_args(argv)
    model = init_model(args.config, args.checkpoint, device=args.device)
    result = inference_model(model, args.img)
    drawn = show_result(model, args.img, result, out_file=args.out_file, opacity=args.opacity,
                        with_labels=args.with_labels)
    print(f'wrote {args.out_file} ({drawn.shape[1]}x{drawn.shape[0]})')


if __name__ == '__main__':
    main()
