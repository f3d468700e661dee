"""Every shell tool prints its usage for -h / --help and does nothing else; one given too few
arguments says so, prints the usage and exits with 2 before starting anything."""
import os.path as osp
import subprocess

import pytest

from helpers import REPO

SCRIPTS = {'dist_train.sh': 2, 'dist_test.sh': 3, 'slurm_train.sh': 3, 'slurm_test.sh': 4,
           'install.sh': 0, 'quickstart.sh': 0}


def run(script, *args):
    return subprocess.run(['bash', osp.join(REPO, 'tools', script), *args], capture_output=True,
                          text=True, timeout=60, env={'PATH': '/usr/bin:/bin'})


@pytest.mark.parametrize('script', sorted(SCRIPTS))
@pytest.mark.parametrize('flag', ['-h', '--help'])
def test_help_prints_the_header_and_does_nothing_else(script, flag):
    with open(osp.join(REPO, 'tools', script)) as f:
        first = f.read().split('\n')[1].lstrip('# ')
    out = run(script, flag)  # PATH without python, srun or uv: anything started would fail
    assert out.returncode == 0 and out.stdout.startswith(first) and not out.stderr, out
    assert 'usage_or_continue' not in out.stdout and 'source' not in out.stdout


@pytest.mark.parametrize('script', [s for s, n in SCRIPTS.items() if n])
def test_too_few_arguments_print_the_usage(script):
    out = run(script, 'only-one')
    assert out.returncode == 2, out
    assert f'error: {script} needs at least {SCRIPTS[script]} argument(s)' in out.stderr
    assert 'tools/' + script in out.stderr and not out.stdout
