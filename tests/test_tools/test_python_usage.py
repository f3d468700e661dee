"""Every Python tool and demo: ``--help`` prints the usage and does nothing else, every option
has a help text, and the defaults are shown (the package's DefaultsHelpFormatter)."""
import ast
import glob
import os.path as osp
import sys

import pytest

from helpers import REPO, load_tool

SCRIPTS = sorted(osp.relpath(path, REPO) for pattern in ('tools/*.py', 'tools/*/*.py',
                                                         'demo/*.py')
                 for path in glob.glob(osp.join(REPO, pattern)))
SUBCOMMANDS = {'tools/analysis_tools/analyze_logs.py': ['plot_curve', 'cal_train_time'],
               'tools/dataset_converters/scannet.py': ['sens', 'frames25k']}


def parser_calls(path):
    """The ``ArgumentParser(...)`` / ``add_parser(...)`` and ``add_argument(...)`` calls."""
    with open(osp.join(REPO, path)) as f:
        tree = ast.parse(f.read())
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    name = lambda call: getattr(call.func, 'attr', getattr(call.func, 'id', None))  # noqa: E731
    return ([call for call in calls if name(call) in ('ArgumentParser', 'add_parser')],
            [call for call in calls if name(call) == 'add_argument'])


#: scripts whose parser is another program's: the launcher takes torch.distributed.run's
FOREIGN_PARSERS = ['tools/launch.py']


def test_every_other_script_builds_its_own_parser():
    assert [path for path in SCRIPTS if not parser_calls(path)[0]] == FOREIGN_PARSERS


@pytest.mark.parametrize('path', [p for p in SCRIPTS if p not in FOREIGN_PARSERS])
def test_options_have_help_and_defaults_are_shown(path):
    parsers, arguments = parser_calls(path)
    for call in parsers:
        keywords = {k.arg: ast.unparse(k.value) for k in call.keywords}
        assert keywords.get('formatter_class') == 'DefaultsHelpFormatter', ast.unparse(call)
    missing = [ast.unparse(call.args[0]) for call in arguments
               if 'help' not in {k.arg for k in call.keywords}]
    assert not missing, f'{path}: no help text for {missing}'


@pytest.mark.parametrize('path', [p for p in SCRIPTS if p not in FOREIGN_PARSERS])
def test_help_prints_usage_and_does_nothing_else(path, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    module = load_tool(path)
    for words in [['--help']] + [[command, '--help'] for command in SUBCOMMANDS.get(path, [])]:
        monkeypatch.setattr(sys, 'argv', [path, *words])
        with pytest.raises(SystemExit) as stop:
            module.main()
        out = capsys.readouterr().out
        assert stop.value.code == 0 and out.startswith('usage:'), out
    assert not list(tmp_path.iterdir())  # nothing written


def test_launcher_help_is_torchruns(capsys):
    with pytest.raises(SystemExit) as stop:
        load_tool('tools/launch.py').main(['--help'])
    out = capsys.readouterr().out
    assert stop.value.code == 0 and out.startswith('usage:') and '--nproc-per-node' in out, out
