"""Remote checkpoints read as data: download first, then load with the safe local loader.

mmengine's loaders of ``http(s)://`` addresses and of the model-zoo prefixes (``torchvision://``,
``modelzoo://``, ``open-mmlab://``, ``openmmlab://``, ``mmcls://``) unpickle the downloaded file,
or a file already in the torch hub cache, in full (``weights_only=False``), so a crafted file
would run code. Importing mmpixdepth replaces them with the loaders below: the file is downloaded
into the hub cache (``$TORCH_HOME/hub/checkpoints``, as mmengine and torch.hub do) unless it is
there, with the sha256 prefix of an OpenMMLab / torch.hub style name (``NAME-<hex>.pth``) checked
while downloading, and then read by :func:`~mmpixdepth.engine.checkpoint.load_from_local_file`:
the allowlist, the hash prefix (again, for files already in the cache) and every other check.

``s3://``, ``petrel://`` and ``pavi://`` are refused with a clear error: copy the file and give
its local path.
"""
import os
import os.path as osp
import pickle
from urllib.error import URLError
from urllib.parse import urlparse

import torch
from mmengine.dist import barrier, get_dist_info
from mmengine.runner.checkpoint import (CheckpointLoader, _get_mmengine_home,
                                        _process_mmcls_checkpoint, get_deprecated_model_names,
                                        get_external_models, get_mmcls_models,
                                        get_torchvision_models)

from mmpixdepth.utils.listing import first_few
from .checkpoint import HASH_SUFFIX, CheckpointError, load_from_local_file


class DownloadError(OSError):
    """A checkpoint address that cannot be downloaded (network, HTTP error, disk)."""


def hub_checkpoint_dir():
    """Where downloaded checkpoints are kept: ``<torch.hub.get_dir()>/checkpoints``."""
    return osp.join(torch.hub.get_dir(), 'checkpoints')


def download_checkpoint(url, model_dir=None, progress=False):
    """The local copy of the checkpoint at ``url``, downloaded into ``model_dir`` (default
    :func:`hub_checkpoint_dir`) unless a file of that name is there.

    The download goes to a temporary file that is moved into place when complete, and for a
    name ``NAME-<hex>.pth`` only when its sha256 starts with ``<hex>``.

    Raises:
        DownloadError: the address cannot be downloaded.
        CheckpointError: the address names no file, or the download does not match the hash
            prefix of its name.
    """
    name = osp.basename(urlparse(url).path)
    if not name:
        raise CheckpointError(f'checkpoint address {url} names no file (it ends with "/")')
    model_dir = model_dir or hub_checkpoint_dir()
    cached = osp.join(model_dir, name)
    if osp.exists(cached):
        return cached
    os.makedirs(model_dir, exist_ok=True)
    match = HASH_SUFFIX.search(name)
    try:
        torch.hub.download_url_to_file(url, cached, match.group(1) if match else None,
                                       progress=progress)
    except (URLError, OSError) as err:
        raise DownloadError(f'cannot download checkpoint {url}: {err}') from None
    except RuntimeError as err:  # torch.hub: the hash prefix does not match
        raise CheckpointError(
            f'checkpoint {url} is corrupt or not the file it is named after: {err}; nothing was '
            f'written to {model_dir}') from None
    return cached


def load_from_url(url, map_location=None, model_dir=None):
    """Download ``url`` (rank 0 first, then the other ranks find it in the cache) and load it
    with :func:`load_from_local_file`."""
    rank, world_size = get_dist_info()
    if rank == 0:
        path = download_checkpoint(url, model_dir)
    if world_size > 1:
        barrier()
        if rank > 0:
            path = download_checkpoint(url, model_dir)
    try:
        return load_from_local_file(path, map_location)
    except (CheckpointError, pickle.UnpicklingError) as err:
        raise type(err)(f'{err} (downloaded from {url})') from None


def _model_url(table, name, scheme):
    if name not in table:
        raise CheckpointError(f'{scheme}{name}: no such model in the {scheme} table '
                              f'(known: {first_few(sorted(table))})')
    return table[name]


def load_from_torchvision(filename, map_location=None):
    """``torchvision://NAME`` (or the deprecated ``modelzoo://NAME``): torchvision's weights."""
    scheme = 'modelzoo://' if filename.startswith('modelzoo://') else 'torchvision://'
    url = _model_url(get_torchvision_models(), filename[len(scheme):], scheme)
    return load_from_url(url, map_location)


def load_from_openmmlab(filename, map_location=None):
    """``open-mmlab://NAME`` / ``openmmlab://NAME``: OpenMMLab's external models (an address,
    or a file under the mmengine home)."""
    scheme = 'open-mmlab://' if filename.startswith('open-mmlab://') else 'openmmlab://'
    name = filename[len(scheme):]
    name = get_deprecated_model_names().get(name, name)
    url = _model_url(get_external_models(), name, scheme)
    if url.startswith(('http://', 'https://')):
        return load_from_url(url, map_location)
    return load_from_local_file(osp.join(_get_mmengine_home(), url), map_location)


def load_from_mmcls(filename, map_location=None):
    """``mmcls://NAME``: an mmclassification model, its keys renamed as mmengine does."""
    url = _model_url(get_mmcls_models(), filename[len('mmcls://'):], 'mmcls://')
    return _process_mmcls_checkpoint(load_from_url(url, map_location))


def refuse_remote_storage(filename, map_location=None):
    """``s3://``, ``petrel://``, ``pavi://``: not read (their clients unpickle in full)."""
    raise CheckpointError(
        f'checkpoint {filename}: mmpixdepth does not load checkpoints from s3, petrel or pavi '
        'storage; copy the file to this machine and give its local path')


SCHEMES = {
    ('http://', 'https://'): load_from_url,
    ('torchvision://', 'modelzoo://'): load_from_torchvision,
    ('open-mmlab://', 'openmmlab://'): load_from_openmmlab,
    ('mmcls://', ): load_from_mmcls,
    (r'(\S+\:)?s3://', r'(\S+\:)?petrel://', 'pavi://'): refuse_remote_storage,
}
for _prefixes, _loader in SCHEMES.items():
    CheckpointLoader.register_scheme(prefixes=list(_prefixes), loader=_loader, force=True)
