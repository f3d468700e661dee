"""Run a depth estimator over a list of images and write one 16-bit PNG per image.

Images are read and preprocessed in DataLoader workers, predicted in batches (images of a batch
whose preprocessed sizes differ, e.g. with an aspect-preserving processor, are run in groups of
equal size), resized back to the image size (bicubic) on the model's device, and encoded and
written atomically by a few threads. A bad image or a failing batch is reported and skipped; an
output that is already a valid PNG of the image's size is skipped unless ``overwrite``.
"""
import os.path as osp
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple, Optional

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset
from tqdm import tqdm

from mmpixdepth.utils.atomic_write import write_atomic
from .depth_png import encode_depth_png, is_valid_depth_png
from .estimators import ModelOutputError
from .image_files import output_name, read_image

WRITE_THREADS = 4


@dataclass
class GenerateSummary:
    """Counts of a run: images written, skipped (valid output found), failed (path, reason)."""
    done: int = 0
    skipped: int = 0
    failed: list = field(default_factory=list)
    seconds: float = 0.0


#: Failures a summary lists at the most (all of them were printed as they happened).
MAX_LISTED_FAILURES = 50


def report_interrupted() -> int:
    """Say that a tool stopped by Ctrl-C left only complete outputs; its exit code (130)."""
    print('interrupted: the outputs written so far are complete; run the same command again '
          'to continue', file=sys.stderr)
    return 130


def print_summary(summary: GenerateSummary, input_dir: str, unit: str) -> int:
    """Print the counts of a run (``unit``: 'images', 'pairs') and its failures under
    ``input_dir``; return the exit code of the tools: 0, or 1 when some failed."""
    rate = summary.done / summary.seconds if summary.seconds > 0 else 0.0
    print(f'{summary.done} done, {summary.skipped} skipped (valid output found), '
          f'{len(summary.failed)} failed in {summary.seconds:.1f} s ({rate:.2f} {unit}/s)')
    if not summary.failed:
        return 0
    print(f'{len(summary.failed)} {unit[:-1]}(s) failed and have no output:', file=sys.stderr)
    for rel, reason in summary.failed[:MAX_LISTED_FAILURES]:
        print(f'  {osp.join(input_dir, rel)}: {reason}', file=sys.stderr)
    if len(summary.failed) > MAX_LISTED_FAILURES:
        print(f'  ... and {len(summary.failed) - MAX_LISTED_FAILURES} more (printed above as '
              'they happened)', file=sys.stderr)
    return 1


class _Item(NamedTuple):
    rel_path: str
    size: Optional[tuple] = None  # (H, W) of the image
    pixels: Optional[torch.Tensor] = None  # preprocessed (3, h, w); None when skipped or failed
    error: Optional[str] = None


class _Images(Dataset):
    """Reads and preprocesses images; returns an error message instead of raising."""

    def __init__(self, image_dir, out_dir, rel_paths, preprocess, overwrite):
        self.image_dir = image_dir
        self.out_dir = out_dir
        self.rel_paths = rel_paths
        self.preprocess = preprocess
        self.overwrite = overwrite

    def __len__(self):
        return len(self.rel_paths)

    def __getitem__(self, index):
        rel = self.rel_paths[index]
        try:
            image = read_image(osp.join(self.image_dir, rel))
            size = image.shape[:2]
            if not self.overwrite and is_valid_depth_png(
                    osp.join(self.out_dir, output_name(rel)), size):
                return _Item(rel, size)
            return _Item(rel, size, self.preprocess(image))
        except Exception as error:
            return _Item(rel, error=f'{type(error).__name__}: {error}')


def _group_by_shape(items):
    groups = {}
    for item in items:
        groups.setdefault(tuple(item.pixels.shape), []).append(item)
    return list(groups.values())


def _predict(estimator, items, amp):
    """Float32 ``(H, W)`` CPU maps of ``items`` (equal preprocessed shapes), at image size."""
    device = estimator.device
    batch = torch.stack([item.pixels for item in items]).to(device)
    amp_dtype = torch.float16 if device.type == 'cuda' else torch.bfloat16
    with torch.inference_mode():
        with torch.autocast(device.type, dtype=amp_dtype, enabled=amp):
            pred = estimator(batch)
        pred = pred.float()
        return [
            F.interpolate(p[None, None], size=item.size, mode='bicubic',
                          align_corners=False)[0, 0].cpu().numpy()
            for p, item in zip(pred, items)
        ]


def _write(path, depth, metadata):
    write_atomic(path, encode_depth_png(depth, metadata))


def generate_depth(image_dir, out_dir, rel_paths, estimator, model_name, batch_size=8,
                   workers=2, overwrite=False, amp=False, progress=True):
    """Write ``OUT_DIR/<image path without suffix>.png`` for every image of ``rel_paths``.

    Args:
        image_dir (str): Folder the image paths are relative to.
        out_dir (str): Output folder; the image folder structure is mirrored.
        rel_paths (list[str]): '/'-separated image paths relative to ``image_dir``.
        estimator (DepthEstimator): The model (see :func:`load_estimator`).
        model_name (str): Recorded as ``model`` in each PNG's metadata.
        batch_size (int): Images per model call. Defaults to 8.
        workers (int): Data-loading processes (0: the main process). Defaults to 2.
        overwrite (bool): Redo valid outputs too. Defaults to False.
        amp (bool): Autocast the model to float16 (CUDA) or bfloat16 (CPU). Defaults to False.
        progress (bool): Show a progress bar on stderr. Defaults to True.

    Returns:
        GenerateSummary: Failures are also printed to stderr as they happen.

    Raises:
        ModelOutputError: The model returns something other than a depth batch.
    """
    dataset = _Images(image_dir, out_dir, rel_paths, estimator.preprocess, overwrite)
    loader = DataLoader(dataset, batch_size=batch_size, num_workers=workers, collate_fn=list)
    summary = GenerateSummary()
    start = time.perf_counter()
    bar = tqdm(total=len(rel_paths), unit='img', disable=not progress, mininterval=1,
               dynamic_ncols=True)

    def fail(rel, reason):
        summary.failed.append((rel, reason))
        bar.write(f'failed: {osp.join(image_dir, rel)}: {reason}', file=sys.stderr)

    def counts(refresh):
        bar.set_postfix(done=summary.done, skipped=summary.skipped, failed=len(summary.failed),
                        refresh=refresh)

    def finish(writes):
        for item, future in writes:
            try:
                future.result()
                summary.done += 1
            except Exception as error:
                fail(item.rel_path, f'writing the output failed: {type(error).__name__}: {error}')

    with bar, ThreadPoolExecutor(WRITE_THREADS) as pool:
        pending = []  # the previous batch's writes, overlapping this batch's prediction
        for batch in loader:
            todo = []
            for item in batch:
                if item.error is not None:
                    fail(item.rel_path, item.error)
                elif item.pixels is None:
                    summary.skipped += 1
                else:
                    todo.append(item)
            writes = []
            for group in _group_by_shape(todo):
                try:
                    maps = _predict(estimator, group, amp)
                except ModelOutputError:
                    raise
                except Exception as error:
                    for item in group:
                        fail(item.rel_path, f'the model failed on its batch: '
                             f'{type(error).__name__}: {error}')
                    continue
                for item, depth in zip(group, maps):
                    metadata = dict(model=model_name, model_type=estimator.model_type,
                                    output_kind=estimator.output_kind, image=item.rel_path)
                    path = osp.join(out_dir, output_name(item.rel_path))
                    writes.append((item, pool.submit(_write, path, depth, metadata)))
            finish(pending)
            pending = writes
            bar.update(len(batch))
            counts(refresh=False)
        finish(pending)
        counts(refresh=True)  # the last batch's writes, on the final bar
    summary.seconds = time.perf_counter() - start
    return summary
