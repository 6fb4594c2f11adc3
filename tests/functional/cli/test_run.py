# -*- coding: utf-8 -*-
"""Tests of stsboto.cli._run over the fake network: no error path shows a secret, with or without --debug."""
from __future__ import absolute_import, division, print_function, unicode_literals

import errno
import logging
import socket

import pytest
import six

import stsboto.s3
import stsboto.sts
from stsboto import transfer
from stsboto.exceptions import TokenExpiredError, TokenIssueError

from tests.cli_support import ISSUER_SECRET, assert_no_secret, log_and_raise, one_line, run, save_token
from tests.factories import FAR, PAST, SECRET_KEY, SESSION_TOKEN, make_token

import boto.exception  # noqa: E402  (after stsboto: importable on 3.12+)


class Interrupted(KeyboardInterrupt):
    pass


def _leaky_s3_error(status, code):
    body = ('<Error><Code>%s</Code><Message>refused %s</Message><Token-0>%s</Token-0>'
            '</Error>' % (code, SECRET_KEY, SESSION_TOKEN))
    return boto.exception.S3ResponseError(status, 'Refused', body)


ERROR_PATHS = [
    # (id, argv, what to break, exit status)
    ('ls-403', ['ls', 'photos'], ('list', _leaky_s3_error(403, 'AccessDenied')), 1),
    ('ls-invalid-token', ['ls', 'photos'], ('list', _leaky_s3_error(400, 'InvalidToken')), 1),
    ('put-transfer', ['put', 'cat.bin', 'photos/a'],
     ('upload', transfer.TransferError('upload failed: echo %s %s' % (SECRET_KEY, SESSION_TOKEN))),
     1),
    ('get-network', ['get', 'photos/a', 'out.bin'],
     ('download', socket.error(errno.ECONNREFUSED, 'refused ' + SESSION_TOKEN)), 1),
    ('get-expired-midway', ['get', 'photos/a', 'out.bin'],
     ('download', transfer.TransferError(
         'download failed ' + SECRET_KEY,
         cause=TokenExpiredError('expired ' + SESSION_TOKEN))), 3),
    ('url-unexpected', ['url', 'photos/a'],
     ('generate_url', RuntimeError('bug with %s' % SECRET_KEY)), 1),
    ('url-bad-input', ['url', 'photos/a'],
     ('generate_url', ValueError('bad %s' % six.moves.urllib.parse.quote(SESSION_TOKEN, safe=str('')))),
     2),
    ('issue-refused', ['issue', '--bucket', 'photos'],
     ('issue', TokenIssueError('STS GetFederationToken failed: 403 with ' + ISSUER_SECRET)), 1),
    ('issue-interrupted', ['issue', '--bucket', 'photos'],
     ('issue', Interrupted()), 130),
    ('expired-token', ['put', 'cat.bin', 'photos/a'], ('expired', None), 3),
]


@pytest.mark.parametrize('debug', [False, True], ids=['quiet', 'debug'])
@pytest.mark.parametrize('argv, breakage, status', [p[1:] for p in ERROR_PATHS],
                         ids=[p[0] for p in ERROR_PATHS])
def test_no_secret_in_any_error_path(argv, breakage, status, debug, tmpdir, monkeypatch,
                                     aws, connections, transfers):
    tmpdir.join('cat.bin').write_binary(b'meow')
    what, error = breakage
    token = make_token(expiration=PAST if what == 'expired' else FAR)
    target = {'upload': (transfer, 'upload'), 'download': (transfer, 'download'),
              'generate_url': (stsboto.s3.TokenS3Connection, 'generate_url'),
              'issue': (stsboto.sts, 'issue_token')}.get(what)
    if target is not None:
        monkeypatch.setattr(target[0], target[1], log_and_raise(error))
    if what == 'list':  # S3 itself answers, echoing the session token as S3 does
        aws.s3_reply = (error.status, error.body)
    if what != 'issue':
        argv = argv + ['--token', save_token(tmpdir, token)]
    if debug:
        argv = ['--debug'] + argv
    environ = {'AWS_ACCESS_KEY_ID': 'AKIAISSUER0000000000', 'AWS_SECRET_ACCESS_KEY': ISSUER_SECRET}
    root_handlers = list(logging.getLogger().handlers)
    result = run(argv, environ=environ)
    assert result.code == status, result.err
    assert result.out == ''
    assert_no_secret(result.out, result.err)
    last = result.err.splitlines()[-1]
    assert last.startswith('stsboto: ')
    if debug:
        assert 'Traceback' in result.err or what == 'expired'
        if what not in ('expired',):
            assert 'Token: <hidden>' in result.err
    else:
        one_line(result.err)
        assert 'Traceback' not in result.err
    assert logging.getLogger().handlers == root_handlers  # --debug cleaned up
