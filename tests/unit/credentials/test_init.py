"""Unit tests for stsboto.credentials (__init__.py): find_token, and stsboto.token.find_token calling it."""
from __future__ import absolute_import, unicode_literals

import stsboto
from stsboto.exceptions import InvalidTokenError, MissingCredentialsError
from stsboto.token import Token, find_token
from tests.credentials_support import (ACCESS_KEY, full_env, keys, profile_text, raises, setenv, write,
                                       write_text)


# -- what find_token answers ---------------------------------------------------------

def test_token_methods_and_types(home, monkeypatch, fake_sts):
    write(home.join('.aws', 'credentials'), keys('default', 1))
    token = stsboto.find_token()
    assert isinstance(token, Token) and token.method == 'shared-credentials-file'
    assert token == token.replace(method=None)   # method is not part of equality
    monkeypatch.setenv(str('AWS_ACCESS_KEY_ID'), str('test'))
    monkeypatch.setenv(str('AWS_SECRET_ACCESS_KEY'), str('test'))
    assert stsboto.find_token().method == 'env'
    assert stsboto.token.find_token().method == 'env'      # the delegate other modules call
    assert stsboto.find_token(profile='default').method == 'shared-credentials-file'


def test_nothing_configured_is_none():
    assert stsboto.find_token() is None
    assert stsboto.find_token(environ={}) is None


# -- stsboto.token.find_token (environ first) -------------------------------------------

def test_find_token_prefers_the_environment(tmpdir):
    path = write_text(tmpdir.join('creds'), profile_text(aws_access_key_id='AKIAPROFILEEXAMPLE00'))
    env = full_env(AWS_SHARED_CREDENTIALS_FILE=path)
    assert find_token(env).access_key == ACCESS_KEY


def test_find_token_aws_profile_does_not_hide_environment_keys(tmpdir):
    path = write_text(tmpdir.join('creds'), profile_text('up', aws_access_key_id='AKIAPROFILEEXAMPLE00'))
    env = full_env(AWS_SHARED_CREDENTIALS_FILE=path, AWS_PROFILE='up')
    assert find_token(env).access_key == ACCESS_KEY


def test_find_token_falls_back_to_the_profile(tmpdir):
    path = write_text(tmpdir.join('creds'), profile_text('up', aws_access_key_id='AKIAPROFILEEXAMPLE00'))
    env = {'AWS_SHARED_CREDENTIALS_FILE': path, 'AWS_PROFILE': 'up'}
    assert find_token(env).access_key == 'AKIAPROFILEEXAMPLE00'


def test_find_token_without_credentials_is_none(tmpdir, monkeypatch):
    setenv(monkeypatch, 'HOME', str(tmpdir))
    assert find_token({}) is None


def test_find_token_does_not_skip_broken_environment_credentials(tmpdir):
    path = write_text(tmpdir.join('creds'), profile_text())
    env = full_env(AWS_SECRET_ACCESS_KEY=None, AWS_SHARED_CREDENTIALS_FILE=path)
    raises(InvalidTokenError, find_token, env)


def test_find_token_reports_a_missing_named_profile(tmpdir, monkeypatch):
    setenv(monkeypatch, 'HOME', str(tmpdir))
    raises(MissingCredentialsError, find_token, {'AWS_PROFILE': 'nope'})
