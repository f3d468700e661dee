"""tools/dist_train.sh on 2 CPU processes: gloo backend, SyncBN falling back to BN."""
import os
import os.path as osp
import socket
import subprocess

from mmengine.runner.checkpoint import _load_checkpoint

from test_checkpoint import CONFIG, as_cli, tiny_options


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_two_process_cpu_run(tiny_rgbd, tmp_path, python, repo_root):
    work_dir = str(tmp_path / 'work')
    env = dict(os.environ, PORT=str(free_port()), OMP_NUM_THREADS='1',
               PATH=osp.dirname(python) + os.pathsep + os.environ['PATH'])
    cmd = ['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', work_dir, '--cfg-options',
           *as_cli(tiny_options(tiny_rgbd, 1))]
    out = subprocess.run(cmd, cwd=repo_root, env=env, capture_output=True, text=True, timeout=600)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-3000:]
    assert 'Distributed launcher: pytorch' in log and 'Distributed training: True' in log
    assert 'SyncBN layers of the model fall back to BN' in log
    ckpt = _load_checkpoint(osp.join(work_dir, 'epoch_1.pth'), map_location='cpu')
    assert ckpt['meta']['epoch'] == 1
    assert any(k.startswith('backbone.') for k in ckpt['state_dict'])
