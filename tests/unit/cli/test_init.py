# -*- coding: utf-8 -*-
"""Tests of stsboto.cli (the package): main, the package's shape, and the console script."""
from __future__ import absolute_import, division, print_function, unicode_literals

import io
import os

import pytest

import stsboto
import stsboto.cli
from stsboto.cli import commands

from tests.cli_support import PACKAGE, run


# ---------------------------------------------------------------------------
# The shape: stsboto/cli/ and stsboto/local/ (issue 13 items 2 and 5)


def test_cli_exports_only_main():
    assert stsboto.cli.__all__ == ['main']
    assert callable(stsboto.cli.main)


@pytest.mark.parametrize('folder', ['cli', 'local'])
def test_no_module_over_600_lines(folder):
    for name in os.listdir(os.path.join(PACKAGE, folder)):
        if name.endswith('.py'):
            with io.open(os.path.join(PACKAGE, folder, name), encoding='utf-8') as handle:
                assert len(handle.readlines()) <= 600, name


# ---------------------------------------------------------------------------
# Ctrl-C before a command runs (issue 12 item 6)


def test_ctrl_c_while_starting_prints_no_traceback(monkeypatch):
    def interrupted():
        raise KeyboardInterrupt()
    monkeypatch.setattr(commands, 'build_parser', interrupted)
    result = run(['whoami'])
    assert (result.code, result.err) == (130, 'stsboto: interrupted\n')


# The console script is _stsboto_startup.run_cli (outside the package, so that it
# can catch what happens while stsboto imports); these two are its tests.


class _InterruptedImport(object):
    """A meta-path finder whose import of stsboto.cli is interrupted (Ctrl-C)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == 'stsboto.cli':
            raise KeyboardInterrupt
        return None

    def find_module(self, fullname, path=None):  # Python 2
        return self.find_spec(fullname, path)


def test_ctrl_c_while_stsboto_imports_prints_no_traceback(monkeypatch, capsys):
    """The console script catches Ctrl-C during ``import stsboto`` too (issue 12 item 6)."""
    import sys
    import _stsboto_startup
    for name in [n for n in sys.modules if n == 'stsboto.cli' or n.startswith('stsboto.cli.')]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delattr(stsboto, 'cli', raising=False)
    monkeypatch.setattr(sys, 'meta_path', [_InterruptedImport()] + sys.meta_path)
    assert _stsboto_startup.run_cli() == 130
    captured = capsys.readouterr()
    assert captured.err == 'stsboto: interrupted\n' and 'Traceback' not in captured.err


def test_console_script_is_the_interrupt_safe_entry_point():
    setup_cfg = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, os.pardir, 'setup.cfg')
    with io.open(setup_cfg, encoding='utf-8') as handle:
        assert 'stsboto = _stsboto_startup:run_cli' in handle.read()
