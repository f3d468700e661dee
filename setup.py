"""Build hook: the wheel ships configs/, tools/ and model-index.yml in ``mmpixdepth/.mim``.

This is where OpenMMLab packages keep them for ``mim train/test`` (mmseg and mmpretrain do it
with ``add_mim_extension`` in their setup.py). A wheel gets copies; an editable install gets
symlinks in the source tree, so the package keeps pointing at the files being edited.
"""
import os
import os.path as osp
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = osp.dirname(osp.abspath(__file__))
MIM_FILES = ('configs', 'tools', 'model-index.yml')


class BuildPyWithMim(build_py):
    """``build_py`` that also fills ``mmpixdepth/.mim``."""

    def run(self):
        super().run()
        if self.editable_mode:
            self.link_mim(osp.join(ROOT, 'mmpixdepth', '.mim'))
        else:
            self.copy_mim(osp.join(self.build_lib, 'mmpixdepth', '.mim'))

    @staticmethod
    def copy_mim(mim):
        for name in MIM_FILES:
            src, dst = osp.join(ROOT, name), _emptied(osp.join(mim, name))
            if osp.isdir(src):
                shutil.copytree(src, dst, ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
            else:
                shutil.copyfile(src, dst)

    @staticmethod
    def link_mim(mim):
        for name in MIM_FILES:
            dst = _emptied(osp.join(mim, name))
            os.symlink(osp.relpath(osp.join(ROOT, name), mim), dst)


def _emptied(path):
    """Remove what ``path`` holds from an earlier build (file, link or folder); return it."""
    if osp.islink(path) or osp.isfile(path):
        os.remove(path)
    elif osp.isdir(path):
        shutil.rmtree(path)
    os.makedirs(osp.dirname(path), exist_ok=True)
    return path


setup(cmdclass={'build_py': BuildPyWithMim})
