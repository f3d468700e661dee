"""The wheel ships configs/, tools/ and model-index.yml in mmpixdepth/.mim, where mim looks."""
import glob
import os
import os.path as osp
import shutil
import subprocess
import sys
import zipfile

NOT_SOURCES = ('.git', 'data', 'work_dirs', 'build', 'dist', '.venv', '*.egg-info', '__pycache__',
               '.mim', '.pytest_cache')


def files_under(root, folder):
    return {osp.relpath(osp.join(dirpath, name), root)
            for dirpath, dirnames, names in os.walk(osp.join(root, folder))
            if '__pycache__' not in dirpath for name in names if not name.endswith('.pyc')}


def test_wheel_ships_configs_tools_and_model_index(repo_root, tmp_path):
    source = tmp_path / 'src'  # a copy: the build writes build/ and *.egg-info next to setup.py
    shutil.copytree(repo_root, source, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '.', '--no-deps',
                    '--no-build-isolation', '-q', '-w', str(tmp_path / 'dist')],
                   cwd=source, check=True, capture_output=True)
    wheel, = glob.glob(str(tmp_path / 'dist' / 'mmpixdepth-*.whl'))
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
        model_index = archive.read('mmpixdepth/.mim/model-index.yml').decode()
        top_level, = [name for name in archive.namelist() if name.endswith('/top_level.txt')]
        module = archive.read(top_level).decode().split('\n')[0]

    expected = files_under(repo_root, 'configs') | files_under(repo_root, 'tools')
    assert 'tools/train.py' in expected and 'configs/_base_/seg_runtime.py' in expected
    missing = {f'mmpixdepth/.mim/{name}' for name in expected} - shipped
    assert not missing, sorted(missing)[:10]
    with open(osp.join(repo_root, 'model-index.yml')) as f:
        assert model_index == f.read()
    assert 'mmpixdepth/__init__.py' in shipped
    # mim list: the first line of top_level.txt names the folder holding .mim/model-index.yml
    assert module == 'mmpixdepth'
    assert not [name for name in shipped if name.startswith(('tests/', 'configs/', 'tools/'))]
