"""Unit tests for stsboto.credentials.env: Token.from_env and the AWS_* variables it reads."""
from __future__ import absolute_import, unicode_literals

import datetime

import pytest
import six

import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
from stsboto.exceptions import InvalidTokenError, StsbotoError
from stsboto.token import ENV_VARIABLES, UTC, Token
from tests.credentials_support import (ACCESS_KEY, EXPIRATION, OTHER_TOKEN, SECRET_KEY, SESSION_TOKEN,
                                       full_env, raises, setenv)

EXPIRES_AT = datetime.datetime(2026, 11, 27, 21, 15, 0, tzinfo=UTC)


# -- Token.from_env ----------------------------------------------------------------

def test_from_env_reads_every_variable():
    token = Token.from_env(full_env())
    assert (token.access_key, token.secret_key, token.session_token, token.expiration) == \
        (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, EXPIRES_AT)
    assert token.arn is None


def test_from_env_without_key_variables_is_none():
    assert Token.from_env({}) is None
    assert Token.from_env({'AWS_SESSION_TOKEN': SESSION_TOKEN, 'AWS_PROFILE': 'x'}) is None


def test_from_env_empty_variables_count_as_unset():
    assert Token.from_env({'AWS_ACCESS_KEY_ID': '', 'AWS_SECRET_ACCESS_KEY': ''}) is None
    token = Token.from_env(full_env(AWS_SESSION_TOKEN='', AWS_CREDENTIAL_EXPIRATION=''))
    assert token.session_token is None and token.expiration is None


def test_from_env_reads_os_environ_by_default(monkeypatch):
    for name in ENV_VARIABLES:
        monkeypatch.delenv(str(name), raising=False)
    assert Token.from_env() is None
    for name, value in full_env().items():
        setenv(monkeypatch, name, value)
    assert Token.from_env() == Token(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, EXPIRATION)


@pytest.mark.parametrize('present, missing', [
    ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'),
    ('AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID'),
])
def test_from_env_with_only_one_key_variable_names_the_missing_one(present, missing):
    error = raises(InvalidTokenError, Token.from_env, full_env(**{missing: None}))
    assert error.field == missing
    assert missing in six.text_type(error) and present in six.text_type(error)


def test_from_env_legacy_security_token_alone():
    token = Token.from_env(full_env(AWS_SESSION_TOKEN=None, AWS_SECURITY_TOKEN=SESSION_TOKEN))
    assert token.session_token == SESSION_TOKEN


def test_from_env_both_token_variables_equal_is_fine():
    token = Token.from_env(full_env(AWS_SECURITY_TOKEN=SESSION_TOKEN))
    assert token.session_token == SESSION_TOKEN


def test_from_env_token_variables_that_differ_are_refused_without_values():
    error = raises(InvalidTokenError, Token.from_env, full_env(AWS_SECURITY_TOKEN=OTHER_TOKEN))
    message = six.text_type(error)
    assert 'AWS_SESSION_TOKEN' in message and 'AWS_SECURITY_TOKEN' in message
    assert error.field == 'AWS_SESSION_TOKEN'


def test_from_env_long_term_keys_have_no_session_token():
    token = Token.from_env(full_env(AWS_SESSION_TOKEN=None, AWS_CREDENTIAL_EXPIRATION=None))
    assert token.session_token is None and token.expiration is None


@pytest.mark.parametrize('value, expected', [
    ('2026-11-27T21:15:00Z', EXPIRES_AT),
    ('2026-11-27T22:15:00+01:00', EXPIRES_AT),
    ('2026-11-27T21:15:00.000Z', EXPIRES_AT),
])
def test_from_env_expiration_is_iso_8601(value, expected):
    assert Token.from_env(full_env(AWS_CREDENTIAL_EXPIRATION=value)).expiration == expected


def test_from_env_bad_expiration_names_the_variable():
    error = raises(InvalidTokenError, Token.from_env, full_env(AWS_CREDENTIAL_EXPIRATION='soon'))
    assert error.field == 'AWS_CREDENTIAL_EXPIRATION'
    assert 'AWS_CREDENTIAL_EXPIRATION' in six.text_type(error)
    assert 'soon' not in six.text_type(error)


@pytest.mark.parametrize('name, value, field', [
    ('AWS_ACCESS_KEY_ID', 'has space', 'AWS_ACCESS_KEY_ID'),
    ('AWS_SECRET_ACCESS_KEY', SECRET_KEY + ' x', 'AWS_SECRET_ACCESS_KEY'),
    ('AWS_SESSION_TOKEN', SESSION_TOKEN + '\n', 'AWS_SESSION_TOKEN'),
    ('AWS_SECURITY_TOKEN', SESSION_TOKEN + ' x', 'AWS_SECURITY_TOKEN'),
])
def test_from_env_bad_value_names_the_variable_not_the_value(name, value, field):
    env = full_env(**{name: value})
    if name == 'AWS_SECURITY_TOKEN':
        del env['AWS_SESSION_TOKEN']
    error = raises(InvalidTokenError, Token.from_env, env)
    assert error.field == field
    assert field in six.text_type(error)
    assert 'token field' not in six.text_type(error)


def test_from_env_errors_are_value_errors():
    error = raises(ValueError, Token.from_env, full_env(AWS_ACCESS_KEY_ID=None))
    assert isinstance(error, StsbotoError)
