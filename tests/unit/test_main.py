"""stsboto.__main__: ``python -m stsboto`` answers as the stsboto command's main does."""
from __future__ import absolute_import, unicode_literals

import subprocess
import sys

import pytest

from stsboto import cli
from tests import processes
from tests.cli_support import doctor_environ

# argparse wraps --help to the terminal's width and may colour it: the same for both.
SCREEN = {'COLUMNS': '80', 'NO_COLOR': '1'}


def python_m_stsboto(args):
    env = doctor_environ(**SCREEN)   # this checkout's stsboto first on the child's path
    child = processes.popen([sys.executable, '-m', 'stsboto'] + [str(a) for a in args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = child.communicate()
    return child.returncode, out.decode('utf-8'), err.decode('utf-8')


def in_memory(args, capsys, monkeypatch):
    for name, value in SCREEN.items():
        monkeypatch.setenv(str(name), str(value))
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize('args', [['--version'], ['--help']])
def test_python_m_stsboto_answers_as_main_does(args, capsys, monkeypatch):
    expected = in_memory(args, capsys, monkeypatch)
    assert expected[0] == 0 and 'stsboto' in expected[1] + expected[2]
    assert python_m_stsboto(args) == expected


def test_python_m_stsboto_exits_with_main_s_status_on_a_usage_error(capsys, monkeypatch):
    expected = in_memory(['no-such-command'], capsys, monkeypatch)
    assert expected[0] == 2 and expected[1] == ''
    assert 'invalid choice: ' in expected[2] and "no-such-command' (choose from" in expected[2]
    assert python_m_stsboto(['no-such-command']) == expected
