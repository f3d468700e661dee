"""Every README command with ``--cfg-options`` names a tool and a config that exist, and its
options are accepted and merged by the config loading every tool uses."""
import argparse
import glob
import os.path as osp
import re
import shlex

import pytest
from mmengine.config import DictAction

from mmpixdepth.utils import load_config
from helpers import REPO



def readme_commands():
    """Shell commands of the README (fenced blocks and inline code) that use ``--cfg-options``,
    line continuations joined, as token lists."""
    with open(osp.join(REPO, 'README.md')) as f:
        text = f.read()
    snippets = re.findall(r'^```[^\n]*\n(.*?)^```', text, flags=re.S | re.M)
    prose = re.sub(r'^```[^\n]*\n.*?^```', '', text, flags=re.S | re.M)
    snippets += re.findall(r'`([^`\n]*tools/[^`\n]*)`', prose)
    commands = []
    for snippet in snippets:
        for line in snippet.replace('\\\n', ' ').splitlines():
            tokens = shlex.split(line, comments=True) if '--cfg-options' in line else []
            if '--cfg-options' in tokens:  # not in a synopsis such as [--cfg-options k=v ...]
                commands.append(tokens)
    return commands


def lookup(cfg, dotted):
    node = cfg
    for part in dotted.split('.'):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


COMMANDS = readme_commands()


def test_the_readme_has_such_commands():
    assert len(COMMANDS) >= 5, COMMANDS


@pytest.mark.parametrize('tokens', COMMANDS, ids=[' '.join(c)[:120] for c in COMMANDS])
def test_readme_cfg_options_command(tokens):
    if tokens[0] == 'mim':  # mim train PACKAGE CONFIG: tools/train.py, a config by file name
        tool, config = f'tools/{tokens[1]}.py', tokens[3]
        if not osp.isfile(osp.join(REPO, config)):
            found = glob.glob(osp.join(REPO, 'configs', '**', config), recursive=True)
            assert len(found) == 1, f'{config}: {len(found)} configs of this name'
            config = found[0]
    else:
        tool = next((t for t in tokens if t.startswith('tools/')), None)
        config = next((t for t in tokens if t.startswith('configs/') and t.endswith('.py')), None)
    assert tool is not None and osp.isfile(osp.join(REPO, tool)), f'no tool in {tokens}'
    assert config is not None and osp.isfile(osp.join(REPO, config)), f'no config in {tokens}'

    parser = argparse.ArgumentParser()  # the tools' own parsing of --cfg-options
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    start = tokens.index('--cfg-options')
    end = next((i for i in range(start + 1, len(tokens)) if tokens[i].startswith('--')),
               len(tokens))
    options = parser.parse_args(tokens[start:end]).cfg_options

    cfg = load_config(osp.join(REPO, config), options)
    for key, value in options.items():
        assert lookup(cfg, key) == value, key
