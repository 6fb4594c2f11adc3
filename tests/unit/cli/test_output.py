# -*- coding: utf-8 -*-
"""Tests of stsboto.cli.output: the env lines and whoami's lines."""
from __future__ import absolute_import, division, print_function, unicode_literals

import datetime
import os

import pytest

from stsboto.cli import output
from stsboto.token import Token

from tests import processes
from tests.cli_support import EXPIRES, NOW
from tests.factories import ACCESS_KEY, ARN, SECRET_KEY, SESSION_TOKEN, make_token


@pytest.mark.skipif(os.name != 'posix', reason='needs a POSIX shell')
def test_env_lines_survive_a_real_shell():
    """Quoting: the values come back exactly, with every shell metacharacter."""
    stale = 'export AWS_CREDENTIAL_EXPIRATION=stale; '
    script = stale + '\n'.join(output.env_lines(make_token(expiration=None))) + \
        '\nprintf "%s\\n%s\\n%s\\n%s\\n" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" ' \
        '"$AWS_SECURITY_TOKEN" "${AWS_CREDENTIAL_EXPIRATION-unset}"'
    out = processes.check_output(['sh', '-c', script]).decode('utf-8')
    assert out.split('\n')[:4] == [SECRET_KEY, SESSION_TOKEN, SESSION_TOKEN, 'unset']


def test_env_lines_export_and_unset():
    lines = output.env_lines(make_token(session_token=None, expiration=None,
                                        secret_key='plain0123456789secret'))
    assert lines == ['export AWS_ACCESS_KEY_ID=%s' % ACCESS_KEY,
                     'export AWS_SECRET_ACCESS_KEY=plain0123456789secret',
                     'unset AWS_SESSION_TOKEN', 'unset AWS_SECURITY_TOKEN',
                     'unset AWS_CREDENTIAL_EXPIRATION']


def test_whoami_without_expiration():
    lines = output.whoami_lines(make_token(expiration=None), NOW)
    assert 'Expires:     unknown (the token has no expiration)' in lines
    assert not any(line.startswith('Source') for line in lines)


def test_whoami_drops_fractions_of_seconds():
    token = make_token(expiration=EXPIRES + datetime.timedelta(microseconds=712736))
    assert 'Expires:     2026-11-27T21:15:00Z (in 14m 3s)' in output.whoami_lines(token, NOW)


def test_whoami_says_which_source_answered():
    token = Token(ACCESS_KEY, 'secret0123456789abcdefghijklmnopqrstuvwx', 'FwoTOKEN', arn=ARN,
                  method='shared-credentials-file')
    lines = output.whoami_lines(token, NOW, 'profile dev')
    assert lines[-1] == 'Source:      profile dev (credential source: shared-credentials-file)'
    assert output.whoami_lines(token, NOW)[-1] == \
        'Source:      credential source: shared-credentials-file'
