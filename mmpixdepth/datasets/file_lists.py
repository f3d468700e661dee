"""Listing the files of a dataset, suffixes matched in any case (``.png``, ``.PNG``)."""
import os
import os.path as osp
from typing import List, Optional, Sequence

from mmengine.utils import scandir

from mmpixdepth.utils.listing import first_few


def scan_files(root: str, suffixes: Optional[Sequence[str]] = None) -> List[str]:
    """Sorted relative paths of the files under ``root`` (mmengine's ``scandir``: recursive,
    symlinked folders entered, hidden files skipped), keeping those whose name ends with one of
    ``suffixes`` in any case when given."""
    suffixes = None if suffixes is None else tuple(suffixes)
    return sorted(scandir(root, suffixes, recursive=True, case_sensitive=False))


def has_suffix(name: str, suffix: str) -> bool:
    """Whether ``name`` ends with ``suffix`` in any case."""
    return name.lower().endswith(suffix.lower())


def with_suffix_case_on_disk(paths: Sequence[str], suffix: str) -> List[str]:
    """``paths`` (each ending with ``suffix``), each replaced by the file on disk whose name
    differs from it only in the case of the suffix (``a.png`` -> ``a.PNG``) when the path
    itself does not exist and such a file does."""
    listings, resolved = {}, []
    for path in paths:
        if not osp.isfile(path):
            folder, name = osp.split(path)
            if folder not in listings:
                listings[folder] = ({n.lower(): n for n in os.listdir(folder)}
                                    if osp.isdir(folder) else {})
            other = listings[folder].get(name.lower())
            stem = len(name) - len(suffix)
            if other is not None and other[:stem] == name[:stem]:
                path = osp.join(folder, other)
        resolved.append(path)
    return resolved


def missing_folder(folder: str, what: str) -> str:
    """The error text for a ``what`` folder ('image', 'depth', ...) that does not exist: a
    relative path says where it was looked for and how to point elsewhere, a depth folder how
    to make one."""
    text = f'the {what} folder {folder} does not exist'
    if not osp.isabs(folder):
        text += (f' (relative to the current folder {os.getcwd()}: run from the folder that '
                 'holds it, or give the dataset an absolute data_root, e.g. --cfg-options '
                 'train_dataloader.dataset.data_root=/path/to/data)')
    if what == 'depth':
        text += ('; images without depth get depth maps from tools/generate_depth.py IMAGE_DIR '
                 'DEPTH_DIR (or stereo pairs from tools/generate_disparity.py)')
    return text


def other_files_note(folder: str) -> str:
    """For an error saying that ``folder`` holds no image of the expected suffix: what it holds
    instead (``''`` when it holds no file)."""
    others = scan_files(folder) if osp.isdir(folder) else []
    if not others:
        return ''
    return (f'; it holds {len(others)} file(s) with other suffixes ({first_few(others)}): set '
            'the image suffix to theirs')
