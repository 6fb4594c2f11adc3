"""Functional tests for stsboto.credentials.sso, against a loopback SSO portal and OIDC stand-in.

IAM Identity Center (SSO) profiles as a chain source, against a loopback portal/OIDC
stand-in (tests/emulators.py ``sso_portal``) reached through AWS_ENDPOINT_URL_SSO and
AWS_ENDPOINT_URL_SSO_OIDC.  The token cache is the one ``aws sso login`` writes:
``~/.aws/sso/cache/<sha1>.json`` under the test's empty HOME.
"""
from __future__ import absolute_import, unicode_literals

import datetime
import hashlib
import io
import json
import logging
import os
import stat
import traceback

import pytest
import six

import stsboto
from stsboto.credentials.sso import cache_file
from stsboto.exceptions import CredentialSourceError, TokenRefreshError
from stsboto.refresh import RefreshableToken
from stsboto.token import format_expiration
from tests.credentials_support import (ACCESS, ACCOUNT, CLIENT_ID, CLIENT_SECRET, LEGACY_CONFIG, REFRESH,
                                       ROLE, SESSION_CONFIG, START_URL, cache_token, write)
from tests.credentials_support import sso_home  # noqa: F401  (the fixture home, with ~/.aws/sso/cache)
from tests.emulators import sso_portal
from tests.factories import make_token

SSO_SECRETS = (ACCESS, REFRESH, CLIENT_SECRET)


def endpoints(server):
    url = server.url.rstrip('/')
    return {'AWS_ENDPOINT_URL_SSO': url, 'AWS_ENDPOINT_URL_SSO_OIDC': url}


def role_tokens(clock, count=2, lifetime=3600):
    return [make_token(serial=n + 1, clock=clock, lifetime=lifetime, arn=None, method='sso')
            for n in range(count)]


def assert_no_sso_secret(text):
    for secret in SSO_SECRETS + tuple('renewed-refresh-token-%d' % n for n in range(1, 4)):
        assert secret not in text


# -- the two kinds of profile ----------------------------------------------------------

def test_sso_session_profile_gets_the_role_credentials_on_first_use(home, clock):
    write(home.join('.aws', 'config'), SESSION_CONFIG)
    cache_token('corp', clock.now + datetime.timedelta(hours=8))
    tokens = role_tokens(clock)
    with sso_portal({(ACCOUNT, ROLE): tokens}, [ACCESS]) as server:
        found = stsboto.find_token('dev', environ=endpoints(server), time_fetcher=clock)
        assert isinstance(found, RefreshableToken) and found.method == 'sso'
        assert server.requests == []          # deferred, as botocore's SSOProvider
        token = found.get()
    assert token == tokens[0] and token.method == 'sso'
    [(method, path, headers)] = server.requests
    assert method == 'GET'
    assert path == '/federation/credentials?role_name=%s&account_id=%s' % (ROLE, ACCOUNT)
    assert headers['x-amz-sso_bearer_token'] == ACCESS


def test_legacy_profile_cache_is_named_by_the_start_url(home, clock):
    write(home.join('.aws', 'config'), LEGACY_CONFIG)
    path = cache_token(START_URL, clock.now + datetime.timedelta(hours=1), refreshable=False)
    assert path == cache_file(START_URL)
    assert os.path.basename(path) == hashlib.sha1(START_URL.encode('ascii')).hexdigest() + '.json'
    tokens = role_tokens(clock)
    with sso_portal({(ACCOUNT, ROLE): tokens}, [ACCESS]) as server:
        token = stsboto.find_token('legacy', environ=endpoints(server), time_fetcher=clock).get()
    assert token == tokens[0]
    assert [r[2]['x-amz-sso_bearer_token'] for r in server.requests] == [ACCESS]


def test_endpoint_url_applies_when_no_sso_specific_variable_is_set(home, clock):
    write(home.join('.aws', 'config'), SESSION_CONFIG)
    cache_token('corp', clock.now + datetime.timedelta(hours=8))
    with sso_portal({(ACCOUNT, ROLE): role_tokens(clock)}, [ACCESS]) as server:
        environ = {'AWS_ENDPOINT_URL': server.url.rstrip('/')}
        assert stsboto.find_token('dev', environ=environ, time_fetcher=clock).get().method == 'sso'
    assert len(server.requests) == 1


# -- renewing the SSO token -------------------------------------------------------------

@pytest.mark.parametrize('left', [-60, 600])   # expired; inside botocore's 15-minute window
def test_due_token_is_renewed_and_the_cache_written_back_0600(home, clock, left, caplog):
    write(home.join('.aws', 'config'), SESSION_CONFIG)
    path = cache_token('corp', clock.now + datetime.timedelta(seconds=left), mode=0o644,
                       extra_field='kept by the CLI')
    inode = os.stat(path).st_ino
    old_umask = os.umask(0o022)
    caplog.set_level(logging.DEBUG)
    try:
        with sso_portal({(ACCOUNT, ROLE): role_tokens(clock)}, [],
                        {REFRESH: (CLIENT_ID, CLIENT_SECRET)}, expires_in=3600) as server:
            token = stsboto.find_token('dev', environ=endpoints(server), time_fetcher=clock).get()
    finally:
        os.umask(old_umask)
    assert token.method == 'sso'
    assert [(r[0], r[1].split('?')[0]) for r in server.requests] == [
        ('POST', '/token'), ('GET', '/federation/credentials')]
    assert server.requests[0][2]['content-type'] == 'application/json'
    assert server.bodies == [{'grantType': 'refresh_token', 'clientId': CLIENT_ID,
                              'clientSecret': CLIENT_SECRET, 'refreshToken': REFRESH}]
    assert server.requests[1][2]['x-amz-sso_bearer_token'] == 'renewed-access-token-1'
    info = os.stat(path)
    assert stat.S_IMODE(info.st_mode) == 0o600 and info.st_ino != inode   # a new file, renamed
    with io.open(path, encoding='utf-8') as stream:
        cached = json.load(stream)
    assert cached == {
        'startUrl': START_URL, 'region': 'eu-west-1', 'accessToken': 'renewed-access-token-1',
        'expiresAt': format_expiration(clock.now + datetime.timedelta(seconds=3600)),
        'clientId': CLIENT_ID, 'clientSecret': CLIENT_SECRET,
        'registrationExpiresAt': format_expiration(
            clock.now + datetime.timedelta(seconds=left, days=80)),
        'refreshToken': 'renewed-refresh-token-1'}
    assert sorted(os.listdir(os.path.dirname(path))) == [os.path.basename(path)]   # no temp left
    assert 'renewed the SSO token' in caplog.text
    assert_no_sso_secret(caplog.text)
    assert 'renewed-access-token-1' not in caplog.text


def test_renewed_token_is_what_the_next_process_reads(home, clock):
    write(home.join('.aws', 'config'), SESSION_CONFIG)
    cache_token('corp', clock.now - datetime.timedelta(seconds=1))
    with sso_portal({(ACCOUNT, ROLE): role_tokens(clock)}, [],
                    {REFRESH: (CLIENT_ID, CLIENT_SECRET)}) as server:
        stsboto.find_token('dev', environ=endpoints(server), time_fetcher=clock).get()
        stsboto.find_token('dev', environ=endpoints(server), time_fetcher=clock).get()
    assert server.renewals == 1      # the second walk found the renewed token in the cache
    assert [r[0] for r in server.requests] == ['POST', 'GET', 'GET']


def test_fresh_token_is_not_renewed(home, clock):
    write(home.join('.aws', 'config'), SESSION_CONFIG)
    path = cache_token('corp', clock.now + datetime.timedelta(minutes=16))
    with io.open(path, 'rb') as stream:
        before = stream.read()
    with sso_portal({(ACCOUNT, ROLE): role_tokens(clock)}, [ACCESS],
                    {REFRESH: (CLIENT_ID, CLIENT_SECRET)}) as server:
        stsboto.find_token('dev', environ=endpoints(server), time_fetcher=clock).get()
    assert [r[0] for r in server.requests] == ['GET']
    with io.open(path, 'rb') as stream:
        assert stream.read() == before


def test_failed_renewal_goes_on_with_a_token_that_is_still_valid(home, clock, caplog):
    write(home.join('.aws', 'config'), SESSION_CONFIG)
    cache_token('corp', clock.now + datetime.timedelta(minutes=5))
    with caplog.at_level(logging.WARNING, logger='stsboto.credentials.sso'):
        with sso_portal({(ACCOUNT, ROLE): role_tokens(clock)}, [ACCESS], {}) as server:
            token = stsboto.find_token('dev', environ=endpoints(server), time_fetcher=clock).get()
    assert token.method == 'sso'
    assert [r[0] for r in server.requests] == ['POST', 'GET']
    assert 'renewing the SSO token failed' in caplog.text and 'HTTP 400 invalid_grant' in caplog.text
    assert_no_sso_secret(caplog.text)


def test_a_token_another_process_renewed_meanwhile_is_used(home, clock):
    """The refresh token rotates: when another process renewed first, our CreateToken
    is refused (invalid_grant), and the token that process wrote to the cache is used."""
    write(home.join('.aws', 'config'), SESSION_CONFIG)
    path = cache_token('corp', clock.now - datetime.timedelta(seconds=1))
    with sso_portal({(ACCOUNT, ROLE): role_tokens(clock)}, ['renewed-elsewhere-token'], {}) as server:
        server.before_token = lambda: cache_token(
            'corp', clock.now + datetime.timedelta(hours=1), accessToken='renewed-elsewhere-token')
        token = stsboto.find_token('dev', environ=endpoints(server), time_fetcher=clock).get()
    assert token.method == 'sso'
    assert [(r[0], r[2].get('x-amz-sso_bearer_token')) for r in server.requests] == [
        ('POST', None), ('GET', 'renewed-elsewhere-token')]
    with io.open(path, encoding='utf-8') as stream:
        assert json.load(stream)['accessToken'] == 'renewed-elsewhere-token'   # left as written


# -- no usable token: say how to sign in --------------------------------------------------

def _login_error(found):
    with pytest.raises(TokenRefreshError) as info:
        found.get()
    cause = info.value.cause
    assert isinstance(cause, CredentialSourceError) and cause.method == 'sso'
    text = six.text_type(info.value)
    printed = ''.join(traceback.format_exception(info.type, info.value, info.tb))  # with the causes
    assert_no_sso_secret(text + repr(info.value) + six.text_type(cause) + printed)
    return text


def test_no_cached_token_says_run_aws_sso_login(home, clock):
    write(home.join('.aws', 'config'), SESSION_CONFIG)
    with sso_portal({(ACCOUNT, ROLE): role_tokens(clock)}, [ACCESS]) as server:
        text = _login_error(stsboto.find_token('dev', environ=endpoints(server), time_fetcher=clock))
    assert 'run `aws sso login --profile dev`' in text
    assert 'no SSO token is cached for sso-session corp' in text
    assert cache_file('corp') in text
    assert server.requests == []


def test_expired_legacy_token_is_not_sent(home, clock):
    write(home.join('.aws', 'config'), LEGACY_CONFIG)
    cache_token(START_URL, clock.now - datetime.timedelta(seconds=1))
    with sso_portal({(ACCOUNT, ROLE): role_tokens(clock)}, [ACCESS],
                    {REFRESH: (CLIENT_ID, CLIENT_SECRET)}) as server:
        text = _login_error(stsboto.find_token('legacy', environ=endpoints(server),
                                               time_fetcher=clock))
    assert 'the SSO token expired at' in text and 'aws sso login --profile legacy' in text
    assert server.requests == []   # legacy tokens are not renewed, and an expired one is not sent


def test_expired_token_that_cannot_be_renewed(home, clock):
    write(home.join('.aws', 'config'), SESSION_CONFIG)
    cache_token('corp', clock.now - datetime.timedelta(seconds=1))
    with sso_portal({(ACCOUNT, ROLE): role_tokens(clock)}, [ACCESS], {}) as server:
        text = _login_error(stsboto.find_token('dev', environ=endpoints(server), time_fetcher=clock))
    assert 'aws sso login --profile dev' in text
    assert [r[0] for r in server.requests] == ['POST']


def test_expired_registration_is_not_used(home, clock):
    write(home.join('.aws', 'config'), SESSION_CONFIG)
    cache_token('corp', clock.now - datetime.timedelta(seconds=1),
                registration_ends=clock.now - datetime.timedelta(seconds=1))
    with sso_portal({(ACCOUNT, ROLE): role_tokens(clock)}, [],
                    {REFRESH: (CLIENT_ID, CLIENT_SECRET)}) as server:
        text = _login_error(stsboto.find_token('dev', environ=endpoints(server), time_fetcher=clock))
    assert 'aws sso login --profile dev' in text and server.requests == []


def test_token_the_portal_refuses_says_run_aws_sso_login(home, clock):
    write(home.join('.aws', 'config'), SESSION_CONFIG)
    cache_token('corp', clock.now + datetime.timedelta(hours=8))
    with sso_portal({(ACCOUNT, ROLE): role_tokens(clock)}, []) as server:   # revoked
        text = _login_error(stsboto.find_token('dev', environ=endpoints(server), time_fetcher=clock))
    assert 'refused the SSO token (HTTP 401)' in text and 'aws sso login --profile dev' in text


@pytest.mark.parametrize('content', ['not json', '[]', '{"accessToken": "x"}',
                                     '{"accessToken": "x", "expiresAt": "soon"}'])
def test_broken_cache_file_says_run_aws_sso_login(home, clock, content):
    write(home.join('.aws', 'config'), SESSION_CONFIG)
    write(cache_file('corp'), content)
    with sso_portal({(ACCOUNT, ROLE): role_tokens(clock)}, [ACCESS]) as server:
        text = _login_error(stsboto.find_token('dev', environ=endpoints(server), time_fetcher=clock))
    assert 'aws sso login --profile dev' in text and server.requests == []


def test_role_not_assigned_names_the_role_and_account(home, clock):
    write(home.join('.aws', 'config'), SESSION_CONFIG.replace(ROLE, 'Admin'))
    cache_token('corp', clock.now + datetime.timedelta(hours=8))
    with sso_portal({(ACCOUNT, ROLE): role_tokens(clock)}, [ACCESS]) as server:
        text = _login_error(stsboto.find_token('dev', environ=endpoints(server), time_fetcher=clock))
    assert 'SSO GetRoleCredentials' in text and 'answered HTTP 403' in text
    assert 'role Admin in account %s' % ACCOUNT in text and 'aws sso login' not in text


# -- the role credentials refresh through RefreshableToken ---------------------------------

def test_role_credentials_are_fetched_again_before_they_expire(home, clock):
    write(home.join('.aws', 'config'), SESSION_CONFIG)
    cache_token('corp', clock.now + datetime.timedelta(hours=8))
    tokens = role_tokens(clock, lifetime=3600)
    with sso_portal({(ACCOUNT, ROLE): tokens}, [ACCESS]) as server:
        found = stsboto.find_token('dev', environ=endpoints(server), time_fetcher=clock)
        assert found.get() == tokens[0]
        assert found.advisory_window == datetime.timedelta(minutes=15)
        clock.advance(3600 - 16 * 60)          # outside the advisory window (15 min for 1 h)
        assert found.get() == tokens[0] and server.served == 1
        server.rotate()
        clock.advance(7 * 60)                  # 9 minutes left: inside the mandatory window
        assert found.get() == tokens[1]
    assert server.served == 2


def test_windows_follow_the_lifetime_share_for_short_credentials(home, clock):
    write(home.join('.aws', 'config'), SESSION_CONFIG)
    cache_token('corp', clock.now + datetime.timedelta(hours=8))
    with sso_portal({(ACCOUNT, ROLE): role_tokens(clock, lifetime=900)}, [ACCESS]) as server:
        found = stsboto.find_token('dev', environ=endpoints(server), time_fetcher=clock)
        found.get()
    assert (found.advisory_window, found.mandatory_window) == (
        datetime.timedelta(seconds=225), datetime.timedelta(seconds=150))


def test_an_sso_profile_can_be_a_source_profile(home, clock, monkeypatch):
    calls = []

    def assume_role(role_arn, session_name, **kwargs):
        calls.append(kwargs)
        return make_token(serial=9)
    monkeypatch.setattr(stsboto.sts, 'assume_role', assume_role)
    write(home.join('.aws', 'config'), SESSION_CONFIG + '''
    [profile admin]
    role_arn = arn:aws:iam::444455556666:role/admin
    source_profile = dev
    ''')
    cache_token('corp', clock.now + datetime.timedelta(hours=8))
    tokens = role_tokens(clock)
    with sso_portal({(ACCOUNT, ROLE): tokens}, [ACCESS]) as server:
        found = stsboto.find_token('admin', environ=endpoints(server), time_fetcher=clock)
        assert found.method == 'assume-role'
        found.get()
    assert calls[0]['aws_access_key_id'] == tokens[0].access_key
    assert calls[0]['security_token'] == tokens[0].session_token
