"""``stsboto doctor`` as a user runs it (``python -m stsboto doctor`` in a child process)
against the local moto server: a token issued by ``stsboto issue`` and exported as
``stsboto env`` prints it is healthy; the same set-up with the token expired, or with
``AWS_CA_BUNDLE`` naming a missing file, is not.  No output shows a secret.
"""
from __future__ import absolute_import, print_function, unicode_literals

import datetime
import json
import shlex

import pytest

from stsboto.token import Token, format_expiration, utcnow
from tests.integration import test_cli

pytestmark = pytest.mark.integration

# test_cli's fixtures: a clean environment for `python -m stsboto`, a token issued by it
cli = test_cli.cli
token_file = test_cli.token_file


def _exported(cli, token_path):
    """The variables ``eval "$(stsboto env --token FILE)"`` sets."""
    result = cli('env', '--token', token_path)
    assert result.code == 0, result.err
    env = {}
    for line in result.out.decode('utf-8').splitlines():
        if line.startswith('export '):
            name, _, value = line[len('export '):].partition('=')
            env[name] = shlex.split(value)[0]
    return env


def _doctor(cli, env, *args):
    result = cli('doctor', *args, env=env)
    out = result.out.decode('utf-8')
    for secret in cli.secrets:  # the issuer's secret, the token's secret key and session token
        assert secret not in out and secret not in result.err
    return result.code, out, result.err


@pytest.fixture
def token_env(cli, token_file, server):
    env = _exported(cli, token_file)
    env.update(STSBOTO_PATCH_BOTO='1', AWS_DEFAULT_REGION='us-east-1',
               AWS_ENDPOINT_URL=server.endpoint_url)
    return env


def test_a_token_from_stsboto_issue_is_healthy(cli, token_env, token_file, server):
    code, out, err = _doctor(cli, token_env, 'sqs', '--json')
    report = json.loads(out)
    assert (code, err) == (0, ''), out
    assert report['ok'] is True and report['problems'] == []
    token = Token.load(token_file)
    assert report['credentials']['method'] == 'env'
    assert report['credentials']['access_key'] == '*' * (len(token.access_key) - 4) + \
        token.access_key[-4:]
    assert report['credentials']['expiration'] == format_expiration(token.expiration.replace(microsecond=0))
    for name in ('s3', 'sts', 'sqs'):
        assert report['endpoints'][name]['url'] == server.endpoint_url
    assert report['patch']['on'] is True
    assert abs(report['clock']['skew_seconds']) <= 2  # moto's Date, this machine's clock
    for secret in (token.secret_key, token.session_token):
        assert secret not in out


def test_the_same_token_expired(cli, token_env):
    past = utcnow() - datetime.timedelta(hours=2)
    token_env['AWS_CREDENTIAL_EXPIRATION'] = format_expiration(past.replace(microsecond=0))
    code, out, err = _doctor(cli, token_env)
    assert (code, err) == (1, '')
    problems = [line for line in out.splitlines() if line.startswith('- ')]
    assert len(problems) == 1 and 'expired 2h 0m' in problems[0] and \
        'Fix: get a new token (stsboto issue)' in problems[0]


def test_a_missing_ca_bundle(cli, token_env, tmpdir):
    token_env['AWS_CA_BUNDLE'] = str(tmpdir.join('corp-ca.pem'))
    code, out, err = _doctor(cli, token_env)
    assert (code, err) == (1, '')
    assert 'CA bundle:   %s (AWS_CA_BUNDLE)' % tmpdir.join('corp-ca.pem') in out
    assert '- AWS_CA_BUNDLE names the CA bundle %s, which is not a file' \
        % tmpdir.join('corp-ca.pem') in out
