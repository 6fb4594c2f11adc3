"""Unit tests for where a token comes from and goes to: the environment, the
shared credentials file, ``find_token``, and the private token file of
``Token.save`` / ``Token.load``.

Environments are plain dicts passed as ``environ=``; files live in pytest's
``tmpdir``.  Every error test also checks that no secret or session token
leaks into the message.
"""
from __future__ import absolute_import, unicode_literals

import datetime
import io
import json
import os
import stat

import pytest
import six

import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
from stsboto.exceptions import (InvalidParameterError, InvalidTokenError,
                                MissingCredentialsError, StsbotoError)
from stsboto.token import ENV_VARIABLES, UTC, Token, find_token

ACCESS_KEY = 'ASIAIOSFODNN7EXAMPLE'
SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY'
SESSION_TOKEN = 'FwoGZXIvYXdzEBYaDH7EXAMPLESESSIONTOKENVALUE+/=='
OTHER_TOKEN = 'IQoJb3JpZ2luX2VjEOTHERSESSIONTOKENVALUE'
EXPIRATION = '2026-11-27T21:15:00Z'
EXPIRES_AT = datetime.datetime(2026, 11, 27, 21, 15, 0, tzinfo=UTC)
SECRETS = (SECRET_KEY, SESSION_TOKEN, OTHER_TOKEN)

posix_only = pytest.mark.skipif(os.name != 'posix', reason='file modes and symlinks are POSIX')


def full_env(**changes):
    env = {'AWS_ACCESS_KEY_ID': ACCESS_KEY, 'AWS_SECRET_ACCESS_KEY': SECRET_KEY,
           'AWS_SESSION_TOKEN': SESSION_TOKEN, 'AWS_CREDENTIAL_EXPIRATION': EXPIRATION}
    env.update(changes)
    return dict((k, v) for k, v in env.items() if v is not None)


def assert_no_secret(error):
    text = six.text_type(error) + repr(error)
    for secret in SECRETS:
        assert secret not in text


def raises(error_class, func, *args, **kwargs):
    with pytest.raises(error_class) as info:
        func(*args, **kwargs)
    assert_no_secret(info.value)
    return info.value


def write(path, text):
    with io.open(str(path), 'w', encoding='utf-8') as stream:
        stream.write(six.text_type(text))
    return str(path)


def setenv(monkeypatch, name, value):
    # os.environ holds native str on Python 2 as well
    monkeypatch.setenv(str(name), str(value))


def profile_text(name='default', **keys):
    fields = {'aws_access_key_id': ACCESS_KEY, 'aws_secret_access_key': SECRET_KEY,
              'aws_session_token': SESSION_TOKEN}
    fields.update(keys)
    lines = ['[%s]' % name] + ['%s = %s' % (k, v) for k, v in sorted(fields.items())
                               if v is not None]
    return '\n'.join(lines) + '\n'


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


# -- Token.to_env ---------------------------------------------------------------------

def test_to_env_exports_both_token_names_and_the_expiration():
    env = Token(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, EXPIRATION).to_env()
    assert env == {'AWS_ACCESS_KEY_ID': ACCESS_KEY, 'AWS_SECRET_ACCESS_KEY': SECRET_KEY,
                   'AWS_SESSION_TOKEN': SESSION_TOKEN, 'AWS_SECURITY_TOKEN': SESSION_TOKEN,
                   'AWS_CREDENTIAL_EXPIRATION': EXPIRATION}
    assert all(type(k) is str and type(v) is str for k, v in env.items())
    assert set(env) == set(ENV_VARIABLES)


def test_to_env_leaves_out_what_is_unknown():
    assert Token(ACCESS_KEY, SECRET_KEY).to_env() == {
        'AWS_ACCESS_KEY_ID': ACCESS_KEY, 'AWS_SECRET_ACCESS_KEY': SECRET_KEY}


@pytest.mark.parametrize('token', [
    Token(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, EXPIRATION),
    Token(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN),
    Token(ACCESS_KEY, SECRET_KEY),
])
def test_to_env_and_from_env_round_trip(token):
    assert Token.from_env(token.to_env()) == token


def test_to_env_is_usable_as_os_environ(monkeypatch):
    token = Token(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, EXPIRATION)
    for name, value in token.to_env().items():
        setenv(monkeypatch, name, value)
    assert Token.from_env() == token


# -- Token.from_profile -----------------------------------------------------------

def test_from_profile_explicit_name_and_path(tmpdir):
    path = write(tmpdir.join('creds'), profile_text('default', aws_access_key_id='AKIADEFAULTEXAMPLE00')
                 + profile_text('uploader'))
    token = Token.from_profile('uploader', path, environ={})
    assert token == Token(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)


def test_from_profile_default_file_and_profile(tmpdir, monkeypatch):
    setenv(monkeypatch, 'HOME', str(tmpdir))
    tmpdir.mkdir('.aws')
    write(tmpdir.join('.aws', 'credentials'), profile_text('default'))
    assert Token.from_profile(environ={}).access_key == ACCESS_KEY


def test_from_profile_file_from_environment(tmpdir):
    path = write(tmpdir.join('elsewhere'), profile_text('default'))
    token = Token.from_profile(environ={'AWS_SHARED_CREDENTIALS_FILE': path})
    assert token.session_token == SESSION_TOKEN


def test_from_profile_path_argument_beats_the_environment(tmpdir):
    path = write(tmpdir.join('a'), profile_text('default'))
    other = write(tmpdir.join('b'), profile_text('default', aws_access_key_id='AKIAOTHEREXAMPLE0000'))
    token = Token.from_profile(path=path, environ={'AWS_SHARED_CREDENTIALS_FILE': other})
    assert token.access_key == ACCESS_KEY


def test_from_profile_name_from_aws_profile(tmpdir):
    path = write(tmpdir.join('creds'), profile_text('default', aws_access_key_id='AKIADEFAULTEXAMPLE00')
                 + profile_text('uploader'))
    env = {'AWS_SHARED_CREDENTIALS_FILE': path, 'AWS_PROFILE': 'uploader'}
    assert Token.from_profile(environ=env).access_key == ACCESS_KEY
    # the name argument beats AWS_PROFILE
    assert Token.from_profile('default', environ=env).access_key == 'AKIADEFAULTEXAMPLE00'


def test_from_profile_reads_os_environ_by_default(tmpdir, monkeypatch):
    path = write(tmpdir.join('creds'), profile_text('uploader'))
    setenv(monkeypatch, 'AWS_SHARED_CREDENTIALS_FILE', path)
    setenv(monkeypatch, 'AWS_PROFILE', 'uploader')
    assert Token.from_profile().access_key == ACCESS_KEY


def test_from_profile_legacy_security_token(tmpdir):
    path = write(tmpdir.join('creds'), profile_text(aws_session_token=None,
                                                    aws_security_token=SESSION_TOKEN))
    assert Token.from_profile(path=path, environ={}).session_token == SESSION_TOKEN


def test_from_profile_both_token_keys_equal_is_fine(tmpdir):
    path = write(tmpdir.join('creds'), profile_text(aws_security_token=SESSION_TOKEN))
    assert Token.from_profile(path=path, environ={}).session_token == SESSION_TOKEN


def test_from_profile_token_keys_that_differ_are_refused(tmpdir):
    path = write(tmpdir.join('creds'), profile_text('up', aws_security_token=OTHER_TOKEN))
    error = raises(InvalidTokenError, Token.from_profile, 'up', path, environ={})
    message = six.text_type(error)
    assert 'aws_session_token' in message and 'aws_security_token' in message
    assert 'profile up' in message and path in message


def test_from_profile_long_term_keys(tmpdir):
    path = write(tmpdir.join('creds'), profile_text(aws_session_token=None))
    token = Token.from_profile(path=path, environ={})
    assert token.session_token is None and token.expiration is None


def test_from_profile_percent_in_a_secret_is_not_interpolated(tmpdir):
    secret = 'abc%(x)sdef%%ghi%EXAMPLEKEY'
    path = write(tmpdir.join('creds'), profile_text(aws_secret_access_key=secret))
    assert Token.from_profile(path=path, environ={}).secret_key == secret


def test_from_profile_utf8_bom_and_comments(tmpdir):
    path = write(tmpdir.join('creds'), '\ufeff# written by Notepad\n' + profile_text())
    assert Token.from_profile(path=path, environ={}).access_key == ACCESS_KEY


@pytest.mark.parametrize('key', ['aws_access_key_id', 'aws_secret_access_key'])
@pytest.mark.parametrize('value', [None, ''])
def test_from_profile_missing_key_names_profile_and_key(tmpdir, key, value):
    path = write(tmpdir.join('creds'), profile_text('up', **{key: value}))
    error = raises(InvalidTokenError, Token.from_profile, 'up', path, environ={})
    assert error.field == key
    assert key in six.text_type(error) and 'profile up' in six.text_type(error)


def test_from_profile_bad_value_names_profile_and_key(tmpdir):
    path = write(tmpdir.join('creds'), profile_text('up', aws_access_key_id='has space'))
    error = raises(InvalidTokenError, Token.from_profile, 'up', path, environ={})
    assert error.field == 'aws_access_key_id'
    assert 'profile up' in six.text_type(error) and 'aws_access_key_id' in six.text_type(error)


def test_from_profile_unparsable_file_does_not_quote_the_line(tmpdir):
    # No section header: configparser's own message would quote this line.
    path = write(tmpdir.join('creds'), 'aws_secret_access_key = %s\n' % SECRET_KEY)
    error = raises(InvalidTokenError, Token.from_profile, path=path, environ={})
    assert path in six.text_type(error) and 'line 1' in six.text_type(error)
    assert getattr(error, '__cause__', None) is None


def test_from_profile_missing_default_file_is_none(tmpdir, monkeypatch):
    setenv(monkeypatch, 'HOME', str(tmpdir))
    assert Token.from_profile(environ={}) is None


def test_from_profile_default_file_without_default_profile_is_none(tmpdir, monkeypatch):
    setenv(monkeypatch, 'HOME', str(tmpdir))
    tmpdir.mkdir('.aws')
    write(tmpdir.join('.aws', 'credentials'), profile_text('other'))
    assert Token.from_profile(environ={}) is None


@pytest.mark.parametrize('how', ['path', 'env-file', 'name', 'env-profile'])
def test_from_profile_missing_file_raises_when_asked_for(tmpdir, monkeypatch, how):
    setenv(monkeypatch, 'HOME', str(tmpdir))
    missing = str(tmpdir.join('nope'))
    kwargs = {'path': {'path': missing},
              'env-file': {'environ': {'AWS_SHARED_CREDENTIALS_FILE': missing}},
              'name': {'name': 'uploader'},
              'env-profile': {'environ': {'AWS_PROFILE': 'uploader'}}}[how]
    kwargs.setdefault('environ', {})
    error = raises(MissingCredentialsError, Token.from_profile, **kwargs)
    assert 'does not exist' in six.text_type(error)


@pytest.mark.parametrize('how', ['path', 'name', 'env-profile'])
def test_from_profile_missing_profile_raises_when_asked_for(tmpdir, monkeypatch, how):
    setenv(monkeypatch, 'HOME', str(tmpdir))
    tmpdir.mkdir('.aws')
    path = write(tmpdir.join('.aws', 'credentials'), profile_text('other'))
    kwargs = {'path': {'path': path},
              'name': {'name': 'uploader'},
              'env-profile': {'environ': {'AWS_PROFILE': 'uploader'}}}[how]
    kwargs.setdefault('environ', {})
    error = raises(MissingCredentialsError, Token.from_profile, **kwargs)
    message = six.text_type(error)
    assert 'not found' in message and path in message
    assert ('profile uploader' if how != 'path' else 'profile default') in message


# -- find_token ----------------------------------------------------------------------

def test_find_token_prefers_the_environment(tmpdir):
    path = write(tmpdir.join('creds'), profile_text(aws_access_key_id='AKIAPROFILEEXAMPLE00'))
    env = full_env(AWS_SHARED_CREDENTIALS_FILE=path)
    assert find_token(env).access_key == ACCESS_KEY


def test_find_token_aws_profile_does_not_hide_environment_keys(tmpdir):
    path = write(tmpdir.join('creds'), profile_text('up', aws_access_key_id='AKIAPROFILEEXAMPLE00'))
    env = full_env(AWS_SHARED_CREDENTIALS_FILE=path, AWS_PROFILE='up')
    assert find_token(env).access_key == ACCESS_KEY


def test_find_token_falls_back_to_the_profile(tmpdir):
    path = write(tmpdir.join('creds'), profile_text('up', aws_access_key_id='AKIAPROFILEEXAMPLE00'))
    env = {'AWS_SHARED_CREDENTIALS_FILE': path, 'AWS_PROFILE': 'up'}
    assert find_token(env).access_key == 'AKIAPROFILEEXAMPLE00'


def test_find_token_without_credentials_is_none(tmpdir, monkeypatch):
    setenv(monkeypatch, 'HOME', str(tmpdir))
    assert find_token({}) is None


def test_find_token_does_not_skip_broken_environment_credentials(tmpdir):
    path = write(tmpdir.join('creds'), profile_text())
    env = full_env(AWS_SECRET_ACCESS_KEY=None, AWS_SHARED_CREDENTIALS_FILE=path)
    raises(InvalidTokenError, find_token, env)


def test_find_token_reports_a_missing_named_profile(tmpdir, monkeypatch):
    setenv(monkeypatch, 'HOME', str(tmpdir))
    raises(MissingCredentialsError, find_token, {'AWS_PROFILE': 'nope'})


# -- Token.save / Token.load ---------------------------------------------------------

TOKEN = Token(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, EXPIRATION,
              'arn:aws:sts::123456789012:federated-user/uploader-42')


def mode_of(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def test_save_and_load_round_trip(tmpdir):
    path = str(tmpdir.join('token.json'))
    TOKEN.save(path)
    assert Token.load(path) == TOKEN


def test_save_writes_the_credential_process_shape(tmpdir):
    path = str(tmpdir.join('token.json'))
    TOKEN.save(path)
    with io.open(path, 'rb') as stream:
        assert json.loads(stream.read().decode('ascii')) == TOKEN.to_dict()


def test_save_leaves_no_temporary_file(tmpdir):
    TOKEN.save(str(tmpdir.join('token.json')))
    assert sorted(os.listdir(str(tmpdir))) == ['token.json']


@posix_only
@pytest.mark.parametrize('umask', [0, 0o022, 0o277])
def test_save_creates_mode_0600_whatever_the_umask(tmpdir, umask):
    path = str(tmpdir.join('token.json'))
    old = os.umask(umask)
    try:
        TOKEN.save(path)
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert Token.load(path) == TOKEN


@posix_only
def test_save_replaces_a_world_readable_file_with_a_private_one(tmpdir):
    path = tmpdir.join('token.json')
    path.write('{}')
    os.chmod(str(path), 0o644)
    TOKEN.save(str(path))
    assert mode_of(path) == 0o600
    assert Token.load(str(path)) == TOKEN


@posix_only
def test_save_never_creates_a_file_wider_than_0600(tmpdir, monkeypatch):
    """Every file is born 0600 (O_CREAT|O_EXCL, mode 0o600), under umask 0."""
    created, modes_seen, chmods = [], [], []
    real_open, real_fchmod, real_chmod = os.open, os.fchmod, os.chmod

    def recording_open(path, flags, mode=0o777, *args, **kwargs):
        fd = real_open(path, flags, mode, *args, **kwargs)
        if flags & os.O_CREAT:
            created.append((path, flags, mode))
            modes_seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return fd

    monkeypatch.setattr(os, 'open', recording_open)
    monkeypatch.setattr(os, 'fchmod', lambda fd, mode: (chmods.append(mode), real_fchmod(fd, mode)))
    monkeypatch.setattr(os, 'chmod', lambda *a, **k: (chmods.append(a[1]), real_chmod(*a, **k)))
    old = os.umask(0)
    try:
        TOKEN.save(str(tmpdir.join('token.json')))
    finally:
        os.umask(old)
    assert len(created) == 1
    temp, flags, mode = created[0]
    assert mode == 0o600 and modes_seen == [0o600]
    assert flags & os.O_EXCL and flags & os.O_WRONLY
    assert os.path.dirname(temp) == str(tmpdir) and temp != str(tmpdir.join('token.json'))
    assert all(m == 0o600 for m in chmods)


@posix_only
@pytest.mark.parametrize('target', ['existing', 'dangling'])
def test_save_refuses_a_symlink(tmpdir, target):
    victim = tmpdir.join('victim')
    if target == 'existing':
        victim.write('precious')
    link = tmpdir.join('token.json')
    os.symlink(str(victim), str(link))
    error = raises(InvalidParameterError, TOKEN.save, str(link))
    assert error.field == 'path' and str(link) in six.text_type(error)
    assert isinstance(error, ValueError)
    assert os.path.islink(str(link))
    if target == 'existing':
        assert victim.read() == 'precious'
    else:
        assert not victim.exists()
    assert sorted(os.listdir(str(tmpdir))) == sorted(
        ['token.json'] + (['victim'] if target == 'existing' else []))


def test_save_failure_keeps_the_old_file_and_removes_the_temporary(tmpdir, monkeypatch):
    path = tmpdir.join('token.json')
    path.write('old')

    def broken_fsync(fd):
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(os, 'fsync', broken_fsync)
    with pytest.raises(OSError):
        TOKEN.save(str(path))
    assert path.read() == 'old'
    assert os.listdir(str(tmpdir)) == ['token.json']


def test_save_into_a_missing_directory_fails(tmpdir):
    with pytest.raises(EnvironmentError):
        TOKEN.save(str(tmpdir.join('nope', 'token.json')))


@pytest.mark.parametrize('data', [
    {'Credentials': {'AccessKeyId': ACCESS_KEY, 'SecretAccessKey': SECRET_KEY,
                     'SessionToken': SESSION_TOKEN, 'Expiration': EXPIRATION}},
    {'access_key': ACCESS_KEY, 'secret_key': SECRET_KEY, 'session_token': SESSION_TOKEN,
     'expiration': EXPIRATION, 'request_id': 'x'},
    {'Version': 1, 'AccessKeyId': ACCESS_KEY, 'SecretAccessKey': SECRET_KEY,
     'SessionToken': SESSION_TOKEN, 'Expiration': EXPIRATION},
], ids=['aws-cli', 'boto-to-dict', 'credential-process'])
def test_load_reads_other_shapes(tmpdir, data):
    path = write(tmpdir.join('token.json'), json.dumps(data))
    assert Token.load(path) == Token(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, EXPIRATION)


def test_load_bad_content_names_the_file_not_the_secrets(tmpdir):
    path = write(tmpdir.join('token.json'), '{"AccessKeyId": "%s", "SecretAccessKey": "%s",'
                 % (ACCESS_KEY, SECRET_KEY))
    error = raises(InvalidTokenError, Token.load, path)
    assert path in six.text_type(error) and 'JSON' in six.text_type(error)
    path = write(tmpdir.join('token.json'), json.dumps({'AccessKeyId': ACCESS_KEY,
                                                        'SecretAccessKey': SECRET_KEY + ' '}))
    error = raises(InvalidTokenError, Token.load, path)
    assert error.field == 'SecretAccessKey'


def test_load_missing_file(tmpdir):
    with pytest.raises(EnvironmentError):
        Token.load(str(tmpdir.join('nope.json')))
