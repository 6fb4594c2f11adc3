"""Token sources and server-side expiry, over boto's real request code."""
from __future__ import absolute_import, unicode_literals

import pytest

import stsboto
from stsboto import s3, sts
from tests.fakehttp import ISSUED

import boto.exception  # noqa: E402

ENV = {'AWS_ACCESS_KEY_ID': ISSUED['access_key'], 'AWS_SECRET_ACCESS_KEY': ISSUED['secret_key'],
       'AWS_SESSION_TOKEN': ISSUED['session_token']}


@pytest.fixture
def token_env(monkeypatch, tmpdir):
    for name in ('AWS_SECURITY_TOKEN', 'AWS_PROFILE', 'AWS_CREDENTIAL_EXPIRATION'):
        monkeypatch.delenv(str(name), raising=False)
    monkeypatch.setenv(str('AWS_SHARED_CREDENTIALS_FILE'), str(tmpdir.join('none')))
    for name, value in ENV.items():
        monkeypatch.setenv(str(name), str(value))


def test_s3_drop_in_keeps_the_session_token_from_the_environment(fake_aws, token_env):
    conn = s3.connect_to_region('eu-west-1')
    conn.get_bucket('photos').new_key('k').set_contents_from_string(b'x')
    (request,) = fake_aws.requests
    assert request.header('x-amz-security-token') == ISSUED['session_token']


def test_connect_with_token_none_reads_the_environment(fake_aws, token_env):
    conn = stsboto.connect_with_token(None)
    assert conn.provider.security_token == ISSUED['session_token']


def test_connect_with_token_none_and_nothing_configured(monkeypatch, tmpdir):
    for name in ENV:
        monkeypatch.delenv(str(name), raising=False)
    monkeypatch.delenv(str('AWS_PROFILE'), raising=False)
    monkeypatch.delenv(str('AWS_SHARED_CREDENTIALS_FILE'), raising=False)
    monkeypatch.setenv(str('HOME'), str(tmpdir))  # no ~/.aws/credentials
    with pytest.raises(stsboto.MissingCredentialsError) as info:
        stsboto.connect_with_token(None)
    assert 'AWS_SESSION_TOKEN' in str(info.value)


def test_sts_drop_in_keeps_the_session_token_from_the_environment(fake_aws, token_env):
    conn = sts.connect_to_region('us-east-1')
    assert conn.provider.security_token == ISSUED['session_token']


def test_profile_token_is_used_when_environment_is_empty(fake_aws, monkeypatch, tmpdir):
    for name in ENV:
        monkeypatch.delenv(str(name), raising=False)
    credentials = tmpdir.join('credentials')
    credentials.write('[job]\naws_access_key_id = %s\naws_secret_access_key = %s\n'
                      'aws_session_token = %s\n' % (ISSUED['access_key'], ISSUED['secret_key'],
                                                    ISSUED['session_token']))
    monkeypatch.setenv(str('AWS_SHARED_CREDENTIALS_FILE'), str(credentials))
    monkeypatch.setenv(str('AWS_PROFILE'), str('job'))
    conn = s3.connect_to_region('us-east-1')
    conn.get_bucket('photos').new_key('k').set_contents_from_string(b'x')
    assert fake_aws.requests[0].header('x-amz-security-token') == ISSUED['session_token']


@pytest.mark.parametrize('status, code', [(400, 'ExpiredToken'), (403, 'TokenRefreshRequired')])
def test_server_side_expiry_becomes_token_expired_error(fake_aws, status, code):
    conn = stsboto.connect_with_token(dict(ISSUED))
    fake_aws.s3_error = (status, code)
    with pytest.raises(stsboto.TokenExpiredError) as info:
        conn.get_bucket('photos').new_key('k').set_contents_from_string(b'x')
    assert code in str(info.value)
    assert ISSUED['session_token'] not in str(info.value)


def test_bare_400_on_head_becomes_token_expired_error(fake_aws):
    conn = stsboto.connect_with_token(dict(ISSUED))
    fake_aws.s3_error = (400, 'ExpiredToken')
    with pytest.raises(stsboto.TokenExpiredError) as info:
        conn.get_bucket('photos').get_key('k')
    assert 'HEAD' in str(info.value)
    assert len(fake_aws.requests) == 1


def test_other_errors_stay_boto_errors(fake_aws):
    conn = stsboto.connect_with_token(dict(ISSUED))
    fake_aws.s3_error = (403, 'AccessDenied')
    with pytest.raises(boto.exception.S3ResponseError) as info:
        conn.get_bucket('photos').new_key('k').set_contents_from_string(b'x')
    assert info.value.error_code == 'AccessDenied'  # body still readable by boto
