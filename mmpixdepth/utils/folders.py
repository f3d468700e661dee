"""Folder housekeeping for the generators."""
import os
import os.path as osp
import shutil
from typing import Iterable


def remove_entries(folder: str, names: Iterable[str]) -> None:
    """Delete ``folder/name`` for each name, folders with their contents; missing ones are
    skipped."""
    for name in names:
        path = osp.join(folder, name)
        if osp.isdir(path):
            shutil.rmtree(path)
        elif osp.isfile(path):
            os.remove(path)
