# -*- coding: utf-8 -*-
"""Tests of stsboto.cli.errors: exit statuses and the one line said about an error."""
from __future__ import absolute_import, division, print_function, unicode_literals

import datetime
import errno
import socket

import pytest

from stsboto import transfer
from stsboto.cli import errors
from stsboto.exceptions import (GET_ANOTHER_TOKEN, InvalidParameterError, InvalidPolicyError,
                                InvalidTokenError, MissingCredentialsError, TokenExpiredError,
                                TokenIssueError)

from tests.cli_support import EXPIRES, log_and_raise, one_line, run, save_token
from tests.factories import ACCESS_KEY, FAR, SECRET_KEY, make_token

import boto.exception  # noqa: E402  (after stsboto: importable on 3.12+)


# ---------------------------------------------------------------------------
# Exit statuses


def _caused(error, cause):
    error.__cause__ = cause
    return error


@pytest.mark.parametrize('error, status', [
    (TokenExpiredError('expired'), 3),
    (transfer.TransferError('upload failed', cause=TokenExpiredError('expired')), 3),
    (_caused(RuntimeError('wrapped'), TokenExpiredError('expired')), 3),
    (TokenIssueError('STS said no', code='AccessDenied', status=403), 1),
    (boto.exception.S3ResponseError(403, 'Forbidden'), 1),
    (boto.exception.BotoClientError('no'), 1),
    (socket.error(errno.ECONNREFUSED, 'Connection refused'), 1),
    (socket.timeout('timed out'), 1),
    (transfer.TransferError('failed', cause=socket.error(errno.ECONNRESET, 'reset')), 1),
    (IOError(errno.ENOSPC, 'No space left on device'), 1),
    (RuntimeError('a bug'), 1),
    (errors.CommandError('cannot list'), 1),
    (errors.UsageError('bad'), 2),
    (InvalidParameterError('duration must be ...', 'duration'), 2),
    (InvalidPolicyError('bucket ...', 'bucket'), 2),
    (InvalidTokenError('token field ...'), 2),
    (ValueError('bad input'), 2),
    (MissingCredentialsError('no credentials'), 2),
    (KeyboardInterrupt(), 130),
    (transfer.TransferInterrupted('upload interrupted; aborted'), 130),
])
def test_exit_status(error, status):
    assert errors.exit_status(error) == status


def test_help_lists_every_exit_status(capsys):
    assert run(['--help']).code == 0
    text = ' '.join(capsys.readouterr().out.split())
    for status in ('0 ok', '1 AWS or network error', '2 usage error', '3 expired token',
                   '130 interrupted', '141 output closed', '143 stopped by SIGTERM'):
        assert status in text


def test_transfer_interrupted_exits_130_with_the_cleanup_said(tmpdir, connections, monkeypatch):
    tmpdir.join('cat.bin').write_binary(b'meow')
    monkeypatch.setattr(transfer, 'upload', log_and_raise(transfer.TransferInterrupted(
        'upload to s3://photos/a interrupted; multipart upload X was aborted, no parts remain')))
    result = run(['put', 'cat.bin', 'photos/a', '--token', save_token(tmpdir)])
    assert result.code == 130
    assert one_line(result.err) == ('stsboto: interrupted: upload to s3://photos/a interrupted; '
                                    'multipart upload X was aborted, no parts remain\n')


# ---------------------------------------------------------------------------
# What is said


def test_describe_error_server_and_network():
    error = boto.exception.S3ResponseError(
        403, 'Forbidden', '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>')
    assert errors.describe_error(error) == ('AWS refused the request: 403 Forbidden AccessDenied: '
                                            'Access Denied')
    refused = errors.describe_error(socket.error(errno.ECONNREFUSED, 'Connection refused'))
    assert refused.startswith('could not reach the endpoint: ')
    assert 'Connection refused' in refused
    assert errors.describe_error(RuntimeError('x')) == 'unexpected error: RuntimeError: x'
    assert errors.describe_error(KeyboardInterrupt()) == 'interrupted'


def test_cli_messages_give_the_command_s_advice_not_python_s(tmpdir):
    path = save_token(tmpdir, make_token(expiration=EXPIRES))
    line = one_line(run(['env', '--token', path], now=EXPIRES + datetime.timedelta(days=1100)).err)
    assert '3 years ago' in line and 'run the command again' in line
    assert 'refresh=' not in line and 'issue_token' not in line
    line = one_line(run(['issue', '--bucket', 'photos', '--actions', 's3:Frobnicate'],
                        environ={'AWS_ACCESS_KEY_ID': ACCESS_KEY, 'AWS_SECRET_ACCESS_KEY': SECRET_KEY}).err)
    assert 'pass --policy for anything else' in line and 'policy=' not in line


def test_expired_token_message_says_how_to_get_another(tmpdir, connections, transfers):
    tmpdir.join('cat.bin').write_binary(b'meow')
    expired = make_token(expiration=datetime.datetime(2001, 1, 1, tzinfo=FAR.tzinfo))
    result = run(['put', 'cat.bin', 'photos/a', '--token', save_token(tmpdir, expired)])
    assert result.code == 3
    line = one_line(result.err)
    assert 'expired at 2001-01-01T00:00:00Z, 25 years ago' in line
    # how to get another, in the command's words (issue 12 item 6, issue 20 item 6)
    assert 'get a new token (`stsboto issue`, or the service that issued it) and run the command ' \
        'again' in line and GET_ANOTHER_TOKEN not in line


@pytest.mark.parametrize('argv, said', [
    (['issue', '--bucket', 'photos', '--duration', '5'], '--duration must be between 900 and'),
    (['issue', '--bucket', 'photos', '--name', 'x'], '--name must be 2-32 characters'),
    (['url', 'photos/a', '--expires', '999999'], '--expires must be 1-604800 seconds'),
    (['put', 'cat.bin', 'photos/a', '--workers', '0'], '--workers must be between 1 and 256'),
])
def test_messages_use_the_option_names(argv, said, tmpdir, connections):
    """The real library checks; the message speaks in the command's options."""
    tmpdir.join('cat.bin').write_binary(b'meow')
    if argv[0] != 'issue':
        argv = argv + ['--token', save_token(tmpdir)]
    result = run(argv, environ={'AWS_ACCESS_KEY_ID': 'AKIAISSUER0000000000',
                                'AWS_SECRET_ACCESS_KEY': 'issuer0123456789abcdefghijklmnopqrstuvw'})
    assert result.code == 2
    assert one_line(result.err).startswith('stsboto: ' + said), result.err


def test_error_lines_escape_control_characters(tmpdir):
    result = run(['put', 'a\x1b[31mred', 'photos/x', '--token', save_token(tmpdir)])
    assert result.code == 2
    assert '\x1b' not in result.err
    assert 'a\\x1b[31mred' in result.err
