"""Draw what a pretrained encoder sees: the cosine similarity of its feature at a point of an
image with its feature at every other place.

``python demo/similarity_demo.py IMG CONFIG CHECKPOINT --point X Y [--out-file sim.png]
[--device cpu]``
"""
from argparse import ArgumentParser

from mmpixdepth.apis import init_encoder, show_similarity
from mmpixdepth.apis.inputs import DEFAULT_DEVICE
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def parse_args(argv=None):
    parser = ArgumentParser(description=__doc__.split('\n\n')[0].replace('\n', ' '),
                            formatter_class=DefaultsHelpFormatter)
    parser.add_argument('img', help='image file')
    parser.add_argument('config', help='pretraining or segmentation config whose '
                        'model.backbone is the encoder')
    parser.add_argument('checkpoint',
                        help='pretraining, segmentation or extracted-backbone checkpoint')
    parser.add_argument('--point', nargs=2, type=float, required=True, metavar=('X', 'Y'),
                        help='the point, in pixels of the image (x right, y down)')
    parser.add_argument('--out-file', default='sim.png',
                        help='image file written: the image with the point, and the map')
    parser.add_argument('--size', type=int,
                        help='side in pixels of the square network input (default: 32 x the '
                        "encoder's output stride, for a 32x32 map)")
    parser.add_argument('--fixed-range', action='store_true',
                        help='colour from similarity 0 (blue) to 1 (red) instead of from the '
                        "map's minimum")
    parser.add_argument('--device', default=DEFAULT_DEVICE, help='device used for inference')
    args = parser.parse_args(argv)
    if args.size is not None and args.size < 1:
        parser.error(f'--size must be a positive number of pixels, got {args.size}')
    return args


def main(argv=None):
    args = parse_args(argv)
    encoder = init_encoder(args.config, args.checkpoint, device=args.device)
    figure = show_similarity(encoder, args.img, tuple(args.point), out_file=args.out_file,
                             size=args.size, fixed_range=args.fixed_range)
    print(f'wrote {args.out_file} ({figure.shape[1]}x{figure.shape[0]})')


if __name__ == '__main__':
    main()
