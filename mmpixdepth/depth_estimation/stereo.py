"""Disparity of rectified stereo pairs with OpenCV's semi-global matching (SGBM).

A disparity map is a float32 ``(H, W)`` array in pixels of the left image, NaN where invalid:
the left pixel ``(y, x)`` of disparity ``d`` shows the point seen at ``(y, x - d)`` in the right
image. Each pair is matched twice, left to right and (on the horizontally flipped pair) right to
left; a left pixel whose right-view partner does not give back its disparity within
``lr_max_diff`` pixels (an occlusion or a mismatch) is invalid. Both images are padded by the
disparity range, so that the whole left image is searched (SGBM alone leaves the left
``min_disparity + num_disparities`` columns invalid), and a match that falls outside the right
image is invalid.

On disk maps follow the Cityscapes convention: a 16-bit grey PNG whose value is
``round(disparity x 256) + 1``, 0 where invalid (see
:func:`mmpixdepth.datasets.converters.cityscapes.decode_disparity`), which ``LoadDepthFromFile``
reads with ``invalid_values=(0,)``.

Only ``cv2`` and ``numpy`` are used here; the optional WLS filter needs ``cv2.ximgproc``
(opencv-contrib).
"""
from dataclasses import dataclass

import cv2
import numpy as np

#: Largest disparity (pixels) a 16-bit PNG holds: (65535 - 1) / 256.
MAX_DISPARITY = (65535 - 1) / 256
#: OpenCV's fixed-point disparity unit: SGBM returns 16 x disparity.
SGBM_SCALE = 16
MODES = dict(sgbm=cv2.StereoSGBM_MODE_SGBM, hh=cv2.StereoSGBM_MODE_HH,
             sgbm_3way=cv2.StereoSGBM_MODE_SGBM_3WAY, hh4=cv2.StereoSGBM_MODE_HH4)
CONTRIB_HINT = ('install OpenCV with the contrib modules: pip install '
                f'"opencv-contrib-python-headless=={cv2.__version__}.*" (it provides cv2 with '
                'cv2.ximgproc in place of opencv-python\'s, which it shadows)')


@dataclass(frozen=True)
class SGBMOptions:
    """Settings of the matcher and of the left-right check.

    Args:
        num_disparities (int): Size of the searched disparity range, a positive multiple of 16.
        min_disparity (int): Smallest disparity searched (pixels, >= 0: the PNG encoding holds
            no negative disparities).
        block_size (int): Odd side of the matched block (pixels).
        uniqueness (int): Margin in percent by which the best cost must beat the second best.
        speckle_window (int): Largest disparity blob (pixels) removed as noise; 0 disables.
        speckle_range (int): Disparity step (pixels) that separates blobs for the speckle filter.
        lr_max_diff (float): Largest left-right disagreement (pixels) of a valid pixel.
        mode (str): One of :data:`MODES`: 'sgbm' (5 paths), 'hh' (8 paths, more memory),
            'sgbm_3way', 'hh4'.
        p1_factor (int): Smoothness penalty of a 1-pixel disparity change, per channel and
            block pixel: ``P1 = p1_factor x channels x block_size ** 2``.
        p2_factor (int): The same for larger changes (``P2``, > ``P1``).
    """
    num_disparities: int = 128
    min_disparity: int = 0
    block_size: int = 5
    uniqueness: int = 10
    speckle_window: int = 100
    speckle_range: int = 2
    lr_max_diff: float = 1.0
    mode: str = 'sgbm'
    p1_factor: int = 8
    p2_factor: int = 32

    def __post_init__(self):
        problems = []
        if self.num_disparities < 16 or self.num_disparities % 16:
            problems.append(f'num_disparities must be a positive multiple of 16, got '
                            f'{self.num_disparities}')
        if self.min_disparity < 0:
            problems.append(f'min_disparity must be >= 0 (16-bit disparity PNGs hold no negative '
                            f'values), got {self.min_disparity}')
        if self.min_disparity + self.num_disparities > MAX_DISPARITY + 1:
            problems.append(f'min_disparity + num_disparities must be <= 256, the range a 16-bit '
                            f'disparity PNG holds, got {self.min_disparity} + '
                            f'{self.num_disparities}; downscale the images instead')
        if self.block_size < 1 or self.block_size % 2 == 0 or self.block_size > 255:
            problems.append(f'block_size must be odd, 1..255, got {self.block_size}')
        if not 0 <= self.uniqueness <= 100:
            problems.append(f'uniqueness must be a percentage 0..100, got {self.uniqueness}')
        if self.speckle_window < 0 or self.speckle_range < 0:
            problems.append(f'speckle_window and speckle_range must be >= 0, got '
                            f'{self.speckle_window} and {self.speckle_range}')
        if not self.lr_max_diff >= 0:
            problems.append(f'lr_max_diff must be >= 0 pixels, got {self.lr_max_diff}')
        if self.mode not in MODES:
            problems.append(f'mode must be one of {", ".join(MODES)}, got {self.mode!r}')
        if not 0 < self.p1_factor < self.p2_factor:
            problems.append(f'need 0 < p1_factor < p2_factor, got {self.p1_factor} and '
                            f'{self.p2_factor}')
        if problems:
            raise ValueError('; '.join(problems))

    @property
    def padding(self):
        """Columns added on each side of both images: the largest searched disparity + 1."""
        return self.min_disparity + self.num_disparities


def create_matcher(options, channels=3):
    """A ``cv2.StereoSGBM`` for ``options`` and images of ``channels`` channels (its own
    left-right check, ``disp12MaxDiff``, is off: :func:`left_right_check` does it)."""
    area = channels * options.block_size**2
    return cv2.StereoSGBM_create(
        minDisparity=options.min_disparity,
        numDisparities=options.num_disparities,
        blockSize=options.block_size,
        P1=options.p1_factor * area,
        P2=options.p2_factor * area,
        disp12MaxDiff=-1,
        preFilterCap=63,
        uniquenessRatio=options.uniqueness,
        speckleWindowSize=options.speckle_window,
        speckleRange=options.speckle_range,
        mode=MODES[options.mode])


def _pad(image, pad):
    return cv2.copyMakeBorder(image, 0, 0, pad, pad, cv2.BORDER_REPLICATE)


def _to_pixels(raw, options, width):
    """SGBM's (or the WLS filter's) int16 output of a padded pair -> float32 pixels of the
    unpadded image, NaN where there is no match or the value lies outside the searched range
    (the WLS filter saturates where it has no confident neighbours)."""
    raw = raw[:, options.padding:options.padding + width]
    low = options.min_disparity * SGBM_SCALE
    valid = (raw >= low) & (raw < low + options.num_disparities * SGBM_SCALE)
    return np.where(valid, raw / np.float32(SGBM_SCALE), np.float32(np.nan)).astype(np.float32)


def _flip(image):
    return np.ascontiguousarray(image[:, ::-1])


def match_both_views(left, right, options, matcher=None):
    """Disparity of the left and of the right view.

    Args:
        left, right (np.ndarray): ``(H, W)`` or ``(H, W, C)`` uint8 rectified images of equal
            shape.
        options (SGBMOptions): Matcher settings.
        matcher (cv2.StereoSGBM, optional): Made by :func:`create_matcher` when not given.

    Returns:
        tuple[np.ndarray, np.ndarray]: float32 ``(H, W)`` disparities (pixels, NaN where SGBM
        found no match): of the left view (partner at ``x - d``) and of the right view,
        matched on the flipped pair (partner at ``x + d``).
    """
    if left.shape != right.shape:
        raise ValueError(f'the left and right images differ in size: {left.shape} and '
                         f'{right.shape}')
    if matcher is None:
        matcher = create_matcher(options, 1 if left.ndim == 2 else left.shape[2])
    pad, width = options.padding, left.shape[1]
    left_pad, right_pad = _pad(left, pad), _pad(right, pad)
    disparity_left = _to_pixels(matcher.compute(left_pad, right_pad), options, width)
    flipped = matcher.compute(_flip(right_pad), _flip(left_pad))[:, ::-1]
    disparity_right = _to_pixels(flipped, options, width)
    return disparity_left, disparity_right


def left_right_check(disparity_left, disparity_right, max_diff):
    """Which left pixels the right view confirms.

    The left pixel ``(y, x)`` of disparity ``d`` is consistent when ``(y, round(x - d))`` lies
    in the right image and the right view's disparity there is within ``max_diff`` pixels of
    ``d``. Occluded left pixels fail: their partner column shows a nearer surface, whose
    disparity is larger.

    Args:
        disparity_left, disparity_right (np.ndarray): ``(H, W)`` float disparities (pixels,
            NaN where invalid) of the left and the right view.
        max_diff (float): Tolerance in pixels.

    Returns:
        np.ndarray: bool ``(H, W)``, False where NaN, inconsistent or outside the right image.
    """
    width = disparity_left.shape[1]
    column = np.rint(np.arange(width, dtype=np.float32) - disparity_left)
    inside = (column >= 0) & (column < width)  # False for NaN
    index = np.where(inside, column, 0).astype(np.intp)
    partner = np.take_along_axis(disparity_right, index, axis=1)
    return inside & (np.abs(partner - disparity_left) <= max_diff)


def _ximgproc():
    if not hasattr(cv2, 'ximgproc'):
        raise RuntimeError(f'WLS filtering needs cv2.ximgproc, which this OpenCV '
                           f'({cv2.__version__}) lacks: {CONTRIB_HINT}')
    return cv2.ximgproc


def wls_available():
    """Whether this OpenCV has ``cv2.ximgproc`` (opencv-contrib), which ``wls=True`` needs."""
    return hasattr(cv2, 'ximgproc')


def _wls_filtered(left, right, options, matcher, wls_lambda, wls_sigma):
    """The left disparity smoothed by ximgproc's edge-aware WLS filter (pixels, NaN where the
    filter leaves no value), from the raw left and right matches of the padded pair."""
    ximgproc = _ximgproc()
    pad, width = options.padding, left.shape[1]
    left_pad, right_pad = _pad(left, pad), _pad(right, pad)
    raw_left = matcher.compute(left_pad, right_pad)
    raw_right = ximgproc.createRightMatcher(matcher).compute(right_pad, left_pad)
    wls = ximgproc.createDisparityWLSFilter(matcher)
    wls.setLambda(wls_lambda)
    wls.setSigmaColor(wls_sigma)
    filtered = wls.filter(raw_left, left_pad, disparity_map_right=raw_right)
    return _to_pixels(filtered, options, width)


def compute_disparity(left, right, options=SGBMOptions(), wls=False, wls_lambda=8000.,
                      wls_sigma=1.5):
    """Disparity of the left image of a rectified pair, occlusions and mismatches invalid.

    Args:
        left, right (np.ndarray): ``(H, W)`` or ``(H, W, C)`` uint8 images of equal shape.
        options (SGBMOptions): Matcher and left-right check settings.
        wls (bool): Smooth the disparity with ximgproc's WLS filter (needs opencv-contrib);
            the left-right check of the unfiltered matches still marks invalid pixels.
        wls_lambda (float): WLS smoothness weight. Defaults to 8000.
        wls_sigma (float): WLS colour sensitivity. Defaults to 1.5.

    Returns:
        np.ndarray: float32 ``(H, W)`` disparity in pixels, NaN where invalid.

    Raises:
        ValueError: The images differ in shape.
        RuntimeError: ``wls`` without ``cv2.ximgproc``.
    """
    if wls:
        _ximgproc()
    matcher = create_matcher(options, 1 if left.ndim == 2 else left.shape[2])
    disparity_left, disparity_right = match_both_views(left, right, options, matcher)
    consistent = left_right_check(disparity_left, disparity_right, options.lr_max_diff)
    if wls:
        disparity_left = _wls_filtered(left, right, options, matcher, wls_lambda, wls_sigma)
    return np.where(consistent, disparity_left, np.float32(np.nan)).astype(np.float32)


def disparity_to_png_values(disparity):
    """float ``(H, W)`` disparity in pixels (NaN/inf invalid) -> uint16 ``(H, W)`` values
    ``round(disparity x 256) + 1``, 0 where invalid.

    Raises:
        ValueError: A finite disparity is negative or above :data:`MAX_DISPARITY`.
    """
    disparity = np.asarray(disparity, np.float64)
    if disparity.ndim != 2:
        raise ValueError(f'a disparity map is (H, W), got shape {disparity.shape}')
    valid = np.isfinite(disparity)
    values = disparity[valid]
    if values.size and (values.min() < 0 or values.max() > MAX_DISPARITY):
        raise ValueError(f'disparities span [{values.min():g}, {values.max():g}] pixels; a 16-bit '
                         f'PNG holds 0..{MAX_DISPARITY:g} (mark negative ones invalid, downscale '
                         'for larger ones)')
    raw = np.zeros(disparity.shape, np.uint16)
    raw[valid] = np.rint(values * 256) + 1
    return raw


def encode_disparity_png(disparity):
    """The 16-bit PNG file (bytes) of a disparity map, see :func:`disparity_to_png_values`."""
    ok, data = cv2.imencode('.png', disparity_to_png_values(disparity))
    if not ok:
        raise ValueError('OpenCV could not encode the disparity map as PNG')
    return data.tobytes()
