# -*- coding: utf-8 -*-
"""Tests of stsboto.cli.options' progress_bar over a real put: when it is drawn, and how wide."""
from __future__ import absolute_import, division, print_function, unicode_literals

from tests.cli_support import run, save_token


def test_progress_bar_only_on_a_terminal_unless_forced(tmpdir, connections, transfers):
    tmpdir.join('cat.bin').write_binary(b'meow')
    argv = ['put', 'cat.bin', 'photos/cat.bin', '--token', save_token(tmpdir)]
    assert run(argv).err == ''
    assert run(argv + ['--no-progress'], tty=True).err == ''
    for err in (run(argv, tty=True).err, run(argv + ['--progress']).err):
        assert err.startswith('\rput   0% [') and err.endswith('\n')
        assert '100% [########################]  4 B / 4 B' in err


def test_progress_bar_follows_columns_from_the_environment(tmpdir, connections, transfers):
    tmpdir.join('big.bin').write_binary(b'x' * 3000)
    result = run(['put', 'big.bin', 'photos/big.bin', '--token', save_token(tmpdir)],
                 environ={'COLUMNS': '40'}, tty=True)
    assert result.code == 0, result.err
    drawn = [line.rstrip('\n') for line in result.err.split('\r') if line.strip()]
    assert drawn and all(len(line) <= 39 for line in drawn), drawn
    assert drawn[-1].startswith('put 100%') and ' in ' in drawn[-1]
