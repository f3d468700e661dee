"""report_user_errors: a distributed run's user error once, as one line; otherwise the
traceback as before."""
import pytest

from mmpixdepth.utils import report_user_errors


@report_user_errors
def fails(error):
    raise error


def test_single_process_keeps_the_exception(monkeypatch):
    monkeypatch.delenv('WORLD_SIZE', raising=False)
    monkeypatch.delenv('SLURM_NTASKS', raising=False)
    with pytest.raises(FileNotFoundError, match='no file'):
        fails(FileNotFoundError('no file'))


def test_other_errors_and_traceback_request_keep_the_exception(monkeypatch):
    monkeypatch.setenv('WORLD_SIZE', '2')
    with pytest.raises(RuntimeError):
        fails(RuntimeError('a bug'))
    monkeypatch.setenv('MMPIXDEPTH_TRACEBACK', '1')
    with pytest.raises(ValueError):
        fails(ValueError('bad value'))


def test_without_our_launcher_the_first_process_prints(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv('WORLD_SIZE', '2')
    monkeypatch.delenv('MMPIXDEPTH_ERROR_DIR', raising=False)
    monkeypatch.setattr('tempfile.tempdir', str(tmp_path))
    for _ in range(2):  # two processes of one launch share the parent pid
        with pytest.raises(SystemExit) as stop:
            fails(KeyError('model.head: unknown key'))
        assert stop.value.code == 1
    err = capsys.readouterr().err
    assert err.count('error: KeyError: model.head: unknown key\n') == 1, err
    fails_other = ValueError('another message')
    with pytest.raises(SystemExit):
        fails(fails_other)
    assert 'error: ValueError: another message' in capsys.readouterr().err


def test_under_our_launcher_messages_go_to_its_folder(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv('WORLD_SIZE', '4')
    monkeypatch.setenv('MMPIXDEPTH_ERROR_DIR', str(tmp_path))
    for _ in range(3):
        with pytest.raises(SystemExit):
            fails(FileNotFoundError('data/x does not exist'))
    assert capsys.readouterr().err == ''
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    assert files[0].read_text().startswith('error: FileNotFoundError: data/x does not exist\n')
