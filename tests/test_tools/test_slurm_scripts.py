"""tools/slurm_{train,test}.sh hand srun the resources and the tool command line (srun replaced
by a script on PATH that records its arguments: no SLURM cluster here)."""
import os
import os.path as osp
import subprocess

import pytest


@pytest.fixture
def srun_log(tmp_path):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    log = tmp_path / 'srun.args'
    srun = bin_dir / 'srun'
    srun.write_text(f'#!/usr/bin/env bash\nprintf "%s\\n" "$@" > {log}\n')
    srun.chmod(0o755)
    env = dict(os.environ, PATH=f'{bin_dir}:{os.environ["PATH"]}', GPUS='4', GPUS_PER_NODE='2')
    return log, env


@pytest.mark.parametrize('script, args, tail', [
    ('slurm_train.sh', ['p1', 'job', 'c.py', 'w'],
     ['train.py', 'c.py', '--launcher=slurm', '--work-dir', 'w', '--cfg-options', 'a=1']),
    ('slurm_test.sh', ['p1', 'job', 'c.py', 'm.pth'],
     ['test.py', 'c.py', 'm.pth', '--launcher=slurm', '--cfg-options', 'a=1']),
])
def test_slurm_script_command_line(srun_log, repo_root, script, args, tail):
    log, env = srun_log
    subprocess.run(['bash', osp.join(repo_root, 'tools', script), *args, '--cfg-options', 'a=1'],
                   env=env, check=True, capture_output=True)
    argv = log.read_text().split('\n')[:-1]
    assert argv[:7] == ['-p', 'p1', '--job-name=job', '--gres=gpu:2', '--ntasks=4',
                        '--ntasks-per-node=2', '--cpus-per-task=5']
    tool = argv.index('-u') + 1
    assert argv[tool] == osp.join(repo_root, 'tools', tail[0])
    assert argv[tool + 1:] == tail[1:]
