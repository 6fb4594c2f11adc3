"""Unit tests for stsboto.credentials.files: the shared files, boto's config and token files.

Token.from_profile, Token.save and Token.load; size limits, directories and
devices (issues 11 and 12), and a Token.save interrupted by SIGTERM in a real
child process.  The module-level secrets are tests.credentials_support's; the
tests that write tests.factories' secrets import them.
"""
from __future__ import absolute_import, unicode_literals

import io
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pytest
import six

import stsboto
from stsboto.credentials import files
from stsboto.exceptions import (InvalidParameterError, InvalidTokenError, MissingCredentialsError,
                                StsbotoError)
from stsboto.token import Token
from tests import processes
from tests.credentials_support import (ACCESS_KEY, EXPIRATION, OTHER_TOKEN, SECRET_KEY, SESSION_TOKEN,
                                       assert_no_secret, profile_text, raises, setenv, write, write_text)
from tests.factories import make_token

posix_only = pytest.mark.skipif(os.name != 'posix',
                                reason='signals, /dev/zero, file modes and symlinks are POSIX')
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


# -- the shared credentials and config files, boto's config --------------------------

def test_profile_in_config_file_only(home):
    write(home.join('.aws', 'config'), '[profile up]\naws_access_key_id = minioadmin\n'
          'aws_secret_access_key = minioadmin\n[sso-session x]\naws_access_key_id = nope\n')
    token = stsboto.find_token('up')
    assert (token.access_key, token.method) == ('minioadmin', 'config-file')


@pytest.mark.parametrize('variable', ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE'])
def test_named_file_that_is_missing_is_an_error(tmpdir, variable):
    with pytest.raises(MissingCredentialsError) as info:
        stsboto.find_token(environ={variable: str(tmpdir.join('nope'))})
    assert variable in six.text_type(info.value)


def test_boto_config_credentials_section(tmpdir):
    from tests.factories import SECRET_KEY, SESSION_TOKEN
    path = write(tmpdir.join('boto'), '[Credentials]\naws_access_key_id = test\n'
                 'aws_secret_access_key = %s\naws_security_token = %s\n' % (SECRET_KEY, SESSION_TOKEN))
    token = stsboto.find_token(environ={'BOTO_CONFIG': path})
    assert (token.access_key, token.session_token, token.method) == ('test', SESSION_TOKEN, 'boto-config')


def test_bad_profile_value_names_the_key_not_the_value(home):
    from tests.factories import SECRET_KEY
    write(home.join('.aws', 'credentials'), '[default]\naws_access_key_id = a b\n'
          'aws_secret_access_key = %s\n' % SECRET_KEY)
    with pytest.raises(InvalidTokenError) as info:
        stsboto.find_token()
    assert 'aws_access_key_id' in six.text_type(info.value)
    assert_no_secret(info.value)


def test_from_profile_with_a_directory_is_a_stsboto_error(tmpdir):
    with pytest.raises(StsbotoError) as info:
        Token.from_profile(path=str(tmpdir), environ={})
    assert 'directory' in six.text_type(info.value) and isinstance(info.value, ValueError)
    with pytest.raises(StsbotoError):
        stsboto.find_token(environ={'AWS_SHARED_CREDENTIALS_FILE': str(tmpdir)})
    with pytest.raises(StsbotoError):
        stsboto.find_token(environ={'AWS_CONFIG_FILE': str(tmpdir)})


@posix_only
def test_config_files_that_are_devices_or_too_big_are_refused(tmpdir):
    with pytest.raises(InvalidParameterError):
        Token.from_profile(path='/dev/zero', environ={})
    big = tmpdir.join('credentials')
    big.write('[default]\n' + '# padding\n' * (files.MAX_CONFIG_FILE_SIZE // 10 + 1))
    with pytest.raises(InvalidParameterError) as info:
        Token.from_profile(path=str(big), environ={})
    assert 'larger than' in six.text_type(info.value)


# -- Token.from_profile -----------------------------------------------------------

def test_from_profile_explicit_name_and_path(tmpdir):
    path = write_text(tmpdir.join('creds'), profile_text('default', aws_access_key_id='AKIADEFAULTEXAMPLE00')
                      + profile_text('uploader'))
    token = Token.from_profile('uploader', path, environ={})
    assert token == Token(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)


def test_from_profile_default_file_and_profile(tmpdir, monkeypatch):
    setenv(monkeypatch, 'HOME', str(tmpdir))
    tmpdir.mkdir('.aws')
    write_text(tmpdir.join('.aws', 'credentials'), profile_text('default'))
    assert Token.from_profile(environ={}).access_key == ACCESS_KEY


def test_from_profile_file_from_environment(tmpdir):
    path = write_text(tmpdir.join('elsewhere'), profile_text('default'))
    token = Token.from_profile(environ={'AWS_SHARED_CREDENTIALS_FILE': path})
    assert token.session_token == SESSION_TOKEN


def test_from_profile_path_argument_beats_the_environment(tmpdir):
    path = write_text(tmpdir.join('a'), profile_text('default'))
    other = write_text(tmpdir.join('b'), profile_text('default', aws_access_key_id='AKIAOTHEREXAMPLE0000'))
    token = Token.from_profile(path=path, environ={'AWS_SHARED_CREDENTIALS_FILE': other})
    assert token.access_key == ACCESS_KEY


def test_from_profile_name_from_aws_profile(tmpdir):
    path = write_text(tmpdir.join('creds'), profile_text('default', aws_access_key_id='AKIADEFAULTEXAMPLE00')
                      + profile_text('uploader'))
    env = {'AWS_SHARED_CREDENTIALS_FILE': path, 'AWS_PROFILE': 'uploader'}
    assert Token.from_profile(environ=env).access_key == ACCESS_KEY
    # the name argument beats AWS_PROFILE
    assert Token.from_profile('default', environ=env).access_key == 'AKIADEFAULTEXAMPLE00'


def test_from_profile_reads_os_environ_by_default(tmpdir, monkeypatch):
    path = write_text(tmpdir.join('creds'), profile_text('uploader'))
    setenv(monkeypatch, 'AWS_SHARED_CREDENTIALS_FILE', path)
    setenv(monkeypatch, 'AWS_PROFILE', 'uploader')
    assert Token.from_profile().access_key == ACCESS_KEY


def test_from_profile_legacy_security_token(tmpdir):
    path = write_text(tmpdir.join('creds'), profile_text(aws_session_token=None,
                                                         aws_security_token=SESSION_TOKEN))
    assert Token.from_profile(path=path, environ={}).session_token == SESSION_TOKEN


def test_from_profile_both_token_keys_equal_is_fine(tmpdir):
    path = write_text(tmpdir.join('creds'), profile_text(aws_security_token=SESSION_TOKEN))
    assert Token.from_profile(path=path, environ={}).session_token == SESSION_TOKEN


def test_from_profile_token_keys_that_differ_are_refused(tmpdir):
    path = write_text(tmpdir.join('creds'), profile_text('up', aws_security_token=OTHER_TOKEN))
    error = raises(InvalidTokenError, Token.from_profile, 'up', path, environ={})
    message = six.text_type(error)
    assert 'aws_session_token' in message and 'aws_security_token' in message
    assert 'profile up' in message and path in message


def test_from_profile_long_term_keys(tmpdir):
    path = write_text(tmpdir.join('creds'), profile_text(aws_session_token=None))
    token = Token.from_profile(path=path, environ={})
    assert token.session_token is None and token.expiration is None


def test_from_profile_percent_in_a_secret_is_not_interpolated(tmpdir):
    secret = 'abc%(x)sdef%%ghi%EXAMPLEKEY'
    path = write_text(tmpdir.join('creds'), profile_text(aws_secret_access_key=secret))
    assert Token.from_profile(path=path, environ={}).secret_key == secret


def test_from_profile_utf8_bom_and_comments(tmpdir):
    path = write_text(tmpdir.join('creds'), '\ufeff# written by Notepad\n' + profile_text())
    assert Token.from_profile(path=path, environ={}).access_key == ACCESS_KEY


@pytest.mark.parametrize('key', ['aws_access_key_id', 'aws_secret_access_key'])
@pytest.mark.parametrize('value', [None, ''])
def test_from_profile_missing_key_names_profile_and_key(tmpdir, key, value):
    path = write_text(tmpdir.join('creds'), profile_text('up', **{key: value}))
    error = raises(InvalidTokenError, Token.from_profile, 'up', path, environ={})
    assert error.field == key
    assert key in six.text_type(error) and 'profile up' in six.text_type(error)


def test_from_profile_bad_value_names_profile_and_key(tmpdir):
    path = write_text(tmpdir.join('creds'), profile_text('up', aws_access_key_id='has space'))
    error = raises(InvalidTokenError, Token.from_profile, 'up', path, environ={})
    assert error.field == 'aws_access_key_id'
    assert 'profile up' in six.text_type(error) and 'aws_access_key_id' in six.text_type(error)


def test_from_profile_unparsable_file_does_not_quote_the_line(tmpdir):
    # No section header: configparser's own message would quote this line.
    path = write_text(tmpdir.join('creds'), 'aws_secret_access_key = %s\n' % SECRET_KEY)
    error = raises(InvalidTokenError, Token.from_profile, path=path, environ={})
    assert path in six.text_type(error) and 'line 1' in six.text_type(error)
    assert getattr(error, '__cause__', None) is None


def test_from_profile_missing_default_file_is_none(tmpdir, monkeypatch):
    setenv(monkeypatch, 'HOME', str(tmpdir))
    assert Token.from_profile(environ={}) is None


def test_from_profile_default_file_without_default_profile_is_none(tmpdir, monkeypatch):
    setenv(monkeypatch, 'HOME', str(tmpdir))
    tmpdir.mkdir('.aws')
    write_text(tmpdir.join('.aws', 'credentials'), profile_text('other'))
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
    path = write_text(tmpdir.join('.aws', 'credentials'), profile_text('other'))
    kwargs = {'path': {'path': path},
              'name': {'name': 'uploader'},
              'env-profile': {'environ': {'AWS_PROFILE': 'uploader'}}}[how]
    kwargs.setdefault('environ', {})
    error = raises(MissingCredentialsError, Token.from_profile, **kwargs)
    message = six.text_type(error)
    assert 'not found' in message and path in message
    assert ('profile uploader' if how != 'path' else 'profile default') in message


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
    path = write_text(tmpdir.join('token.json'), json.dumps(data))
    assert Token.load(path) == Token(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, EXPIRATION)


def test_load_bad_content_names_the_file_not_the_secrets(tmpdir):
    path = write_text(tmpdir.join('token.json'), '{"AccessKeyId": "%s", "SecretAccessKey": "%s",'
                      % (ACCESS_KEY, SECRET_KEY))
    error = raises(InvalidTokenError, Token.load, path)
    assert path in six.text_type(error) and 'JSON' in six.text_type(error)
    path = write_text(tmpdir.join('token.json'), json.dumps({'AccessKeyId': ACCESS_KEY,
                                                             'SecretAccessKey': SECRET_KEY + ' '}))
    error = raises(InvalidTokenError, Token.load, path)
    assert error.field == 'SecretAccessKey'


def test_load_missing_file(tmpdir):
    with pytest.raises(EnvironmentError):
        Token.load(str(tmpdir.join('nope.json')))


@posix_only
def test_load_of_dev_zero_is_a_clear_error():
    started = time.time()
    with pytest.raises(InvalidTokenError) as info:
        Token.load('/dev/zero')
    assert 'larger than 65536 bytes' in six.text_type(info.value)
    assert time.time() - started < 5


def test_token_file_size_limit(tmpdir):
    path = tmpdir.join('big.json')
    token = make_token()
    text = token.to_json()
    path.write(text[:-1] + ',"Padding": "%s"}' % ('x' * files.MAX_TOKEN_FILE_SIZE))
    with pytest.raises(InvalidTokenError) as info:
        Token.load(str(path))
    assert str(path) in six.text_type(info.value)
    path.write(text[:-1] + ',"Padding": "%s"}' % ('x' * 1000))
    assert Token.load(str(path)) == token


def test_unreadable_token_file_is_a_stsboto_error_and_still_an_os_error(tmpdir):
    """The error contract: stsboto's own calls raise stsboto errors (issue 12 item 4);
    code that caught what open() raised keeps working."""
    import errno
    from stsboto.exceptions import StsbotoError, TokenFileError
    missing = str(tmpdir.join('nowhere.json'))
    for path, code in ((missing, errno.ENOENT), (str(tmpdir), None)):
        with pytest.raises(TokenFileError) as info:
            Token.load(path)
        error = info.value
        assert isinstance(error, StsbotoError) and isinstance(error, ValueError)
        assert isinstance(error, EnvironmentError) and error.field == 'path'
        assert path in str(error)
        if code is not None:
            assert error.errno == code


# -- issue 11 item 7: no stray temporary file with secrets ---------------------------------

CHILD = textwrap.dedent('''
    import os, sys, time
    sys.path.insert(0, sys.argv[1])
    import stsboto
    from stsboto.token import Token
    real_fsync = os.fsync

    def paused_fsync(fd):
        # the temporary file holds the token now: tell the parent, then wait to be killed
        sys.stdout.write('written\\n')
        sys.stdout.flush()
        time.sleep(30)
        real_fsync(fd)

    os.fsync = paused_fsync
    Token('AKIACHILD0000000001', 'child-secret/key', 'child-session-token').save(sys.argv[2])
    sys.stdout.write('finished\\n')
''')


@posix_only
@pytest.mark.parametrize('handler', ['default', 'python'])
def test_sigterm_during_save_leaves_no_temporary_file(tmpdir, handler):
    script = CHILD
    if handler == 'python':
        # a program with its own SIGTERM handler (it exits through SystemExit)
        script = script.replace('real_fsync = os.fsync', 'real_fsync = os.fsync\nimport signal\n'
                                'signal.signal(signal.SIGTERM, lambda s, f: sys.exit(42))')
    target = tmpdir.join('token.json')
    child = processes.popen([sys.executable, '-c', script, ROOT, str(target)],
                            stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline().strip() == b'written'
        temporaries = [n for n in os.listdir(str(tmpdir)) if n.endswith('.tmp')]
        assert len(temporaries) == 1          # the window is real: the secret is on disk
        child.send_signal(signal.SIGTERM)
        status = child.wait()
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
    assert status == (-signal.SIGTERM if handler == 'default' else 42)
    assert os.listdir(str(tmpdir)) == []


@posix_only
def test_next_save_sweeps_stale_temporaries_of_ours_only(tmpdir):
    directory = str(tmpdir)
    ours_old = os.path.join(directory, '.token.json.0123456789abcdef.tmp')
    ours_new = os.path.join(directory, '.token.json.fedcba9876543210.tmp')
    other_name = os.path.join(directory, '.other.json.0123456789abcdef.tmp')
    not_pattern = os.path.join(directory, '.token.json.backup.tmp')
    for path in (ours_old, ours_new, other_name, not_pattern):
        with io.open(path, 'wb') as stream:
            stream.write(b'{"SecretAccessKey": "left over"}')
    old = time.time() - files.STALE_TEMP_SECONDS - 60
    for path in (ours_old, other_name, not_pattern):
        os.utime(path, (old, old))
    link = os.path.join(directory, '.token.json.aaaaaaaaaaaaaaaa.tmp')
    os.symlink(not_pattern, link)
    make_token().save(os.path.join(directory, 'token.json'))
    left = sorted(os.listdir(directory))
    assert os.path.basename(ours_old) not in left            # ours, stale: removed
    assert os.path.basename(ours_new) in left                # ours, recent: maybe a live writer
    assert os.path.basename(other_name) in left              # another file's
    assert os.path.basename(not_pattern) in left             # not our exact pattern
    assert os.path.basename(link) in left                    # not a regular file
    assert 'token.json' in left
