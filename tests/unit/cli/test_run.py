# -*- coding: utf-8 -*-
"""Tests of stsboto.cli._run: exit statuses of the parser, --retries, SIGTERM, broken pipes."""
from __future__ import absolute_import, division, print_function, unicode_literals

import errno
import io
import os
import signal
import time

import pytest

import stsboto
import stsboto.cli
import stsboto.s3
from stsboto import cli, transfer, transport
from stsboto.cli import errors

from tests.cli_support import Stream, log_and_raise, one_line, run, save_token


# ---------------------------------------------------------------------------
# Exit statuses of the parser


@pytest.mark.parametrize('argv', [['url', 'photos/a', '--method', 'POST'], ['nope'],
                                  ['put', 'onlyone'], ['issue', '--duration', 'long'],
                                  ['whoami', '--bogus']])
def test_argparse_usage_errors_exit_2(argv, capsys):
    assert cli.main(argv) == 2
    assert 'usage:' in capsys.readouterr().err


def test_no_command_exits_2(capsys):
    assert cli.main([]) == 2
    assert 'usage:' in capsys.readouterr().err


def test_version_and_help_exit_0(capsys):
    assert cli.main(['--version']) == 0
    assert cli.main(['put', '--help']) == 0
    captured = capsys.readouterr()
    assert 'stsboto %s' % stsboto.__version__ in captured.out + captured.err
    assert '--part-size' in captured.out


def test_a_mistyped_option_shows_the_command_s_usage(capsys):
    assert stsboto.cli.main(["put", "--bogus", "a.txt", "photos/"]) == 2
    err = capsys.readouterr().err
    assert err.startswith('usage: stsboto put ') and 'LOCAL BUCKET/KEY' in err
    assert 'stsboto put: error: unrecognized arguments: --bogus' in err


# ---------------------------------------------------------------------------
# Retries


class RetriesSeen(list):
    """The attempts each command's connection was given; ``argv`` runs one."""

    argv = None


@pytest.fixture
def retries_seen(tmpdir, monkeypatch, connections):
    seen = RetriesSeen()

    def generate_url(self, *args):
        seen.append(self.stsboto_policy.max_attempts)
        return 'http://x/'
    monkeypatch.setattr(stsboto.s3.TokenS3Connection, 'generate_url', generate_url)
    seen.argv = ['url', 'photos/a', '--token', save_token(tmpdir)]
    return seen


def test_retries_default_and_option(retries_seen):
    assert run(retries_seen.argv).code == 0
    assert run(retries_seen.argv + ['--retries', '0']).code == 0
    assert retries_seen == [transport.DEFAULT_MAX_ATTEMPTS, 1]
    assert transport.policy().max_attempts == transport.DEFAULT_MAX_ATTEMPTS  # restored


def test_retries_from_the_settings_give_way_to_the_option(retries_seen, monkeypatch):
    monkeypatch.setenv(str('AWS_MAX_ATTEMPTS'), str('9'))
    assert run(retries_seen.argv).code == 0
    assert run(retries_seen.argv + ['--retries', '1']).code == 0
    assert retries_seen == [9, 2]


def test_negative_retries_is_a_usage_error(retries_seen):
    result = run(retries_seen.argv + ['--retries', '-1'])
    assert result.code == 2 and '--retries must be 0 or more' in one_line(result.err)


# ---------------------------------------------------------------------------
# Signals (issue 11 item 7)


@pytest.mark.skipif(not hasattr(signal, 'SIGTERM') or os.name != 'posix', reason='POSIX signals')
def test_sigterm_during_put_ends_like_ctrl_c_with_143(tmpdir, connections, monkeypatch):
    seen = []

    def upload(bucket, key, source, progress=None, config=None):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(10)  # the handler raises in the main thread, by here
        except KeyboardInterrupt as error:  # what stsboto.transfer catches to abort
            seen.append(error)
            raise
    monkeypatch.setattr(transfer, 'upload', upload)
    before = signal.getsignal(signal.SIGTERM)
    tmpdir.join('cat.bin').write_binary(b'meow')
    started = time.time()
    result = run(['put', 'cat.bin', 'photos/a', '--token', save_token(tmpdir)])
    assert time.time() - started < 5
    assert result.code == 143
    assert one_line(result.err) == 'stsboto: stopped by SIGTERM\n'
    assert len(seen) == 1 and isinstance(seen[0], KeyboardInterrupt)
    assert signal.getsignal(signal.SIGTERM) == before  # restored


# ---------------------------------------------------------------------------
# Broken pipe (issue 12 item 6)


def test_broken_pipe_ends_quietly_with_141(tmpdir, connections, monkeypatch):
    """As a Unix tool killed by SIGPIPE: status 128 + 13, nothing said (issue 12 item 6)."""
    monkeypatch.setattr(transfer, 'download', log_and_raise(transfer.TransferError(
        'download failed', cause=IOError(errno.EPIPE, 'Broken pipe'))))
    result = run(['get', 'photos/a', '-', '--token', save_token(tmpdir)])
    assert (result.code, result.err) == (141, '')


class ClosedPipe(io.TextIOWrapper):
    """stdout whose reader went away: every write fails as a closed pipe does."""

    def __init__(self):
        io.TextIOWrapper.__init__(self, io.BytesIO(), encoding='utf-8')

    def write(self, text):
        raise IOError(32, 'Broken pipe')


def test_broken_pipe_on_stdout_exits_141_quietly(tmpdir):
    stderr = Stream()
    code = stsboto.cli.main(['whoami', '--token', save_token(tmpdir)], stdout=ClosedPipe(),
                            stderr=stderr, environ={})
    assert (code, stderr.getvalue()) == (141, '')
    assert errors.exit_status(IOError(32, 'Broken pipe')) == errors.EXIT_BROKEN_PIPE
