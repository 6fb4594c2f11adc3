"""Unit tests for token files and the Token hardening of issues 11 and 12: size
limits, directories, deep JSON, margins, non-ASCII repr, short keys at every entry
point, and a Token.save interrupted by SIGTERM in a real child process."""
from __future__ import absolute_import, unicode_literals

import io
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import six

import stsboto
from stsboto.credentials import files
from stsboto.exceptions import InvalidParameterError, InvalidTokenError, StsbotoError
from stsboto.token import Token
from tests.factories import SECRET_KEY, SESSION_TOKEN, make_token
from tests import processes

posix_only = pytest.mark.skipif(os.name != 'posix', reason='signals, /dev/zero and modes are POSIX')
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# -- issue 12 item 1: short access keys everywhere a Token is built ----------------------

SHORT = [('test', 'test'), ('testing', 'testing'), ('minioadmin', 'minioadmin')]


@pytest.mark.parametrize('key, secret', SHORT)
def test_short_keys_from_every_source(tmpdir, key, secret):
    assert Token(key, secret).access_key == key
    assert Token.from_env({'AWS_ACCESS_KEY_ID': key, 'AWS_SECRET_ACCESS_KEY': secret}).access_key == key
    path = tmpdir.join('credentials')
    path.write('[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' % (key, secret))
    assert Token.from_profile(path=str(path), environ={}).access_key == key
    env = {'AWS_SHARED_CREDENTIALS_FILE': str(path)}
    assert stsboto.find_token(environ=env).access_key == key
    assert stsboto.token.find_token(env).access_key == key
    Token(key, secret).save(str(tmpdir.join('token.json')))
    assert Token.load(str(tmpdir.join('token.json'))).access_key == key
    assert Token.coerce('{"AccessKeyId": "%s", "SecretAccessKey": "%s"}' % (key, secret)).secret_key == secret


@pytest.mark.parametrize('key, secret', SHORT)
def test_short_keys_connect_and_drop_ins(monkeypatch, key, secret):
    conn = stsboto.connect_with_token(Token(key, secret), endpoint_url='http://127.0.0.1:9000')
    assert (conn.aws_access_key_id, conn.aws_secret_access_key) == (key, secret)
    conn = stsboto.s3.connect_to_region('us-east-1', aws_access_key_id=key, aws_secret_access_key=secret,
                                        endpoint_url='http://127.0.0.1:9000')
    assert conn.aws_access_key_id == key
    monkeypatch.setenv(str('AWS_ACCESS_KEY_ID'), str(key))
    monkeypatch.setenv(str('AWS_SECRET_ACCESS_KEY'), str(secret))
    assert stsboto.s3.connect_to_region('us-east-1', endpoint_url='http://127.0.0.1:9000') \
        .aws_access_key_id == key
    assert stsboto.sts.connect_to_region('us-east-1', endpoint_url='http://127.0.0.1:9000') \
        .provider.access_key == key
    assert stsboto.connect_with_token(None, endpoint_url='http://127.0.0.1:9000').aws_access_key_id == key


# -- method: provenance, not identity ----------------------------------------------------

def test_method_is_ignored_by_equality_and_kept_by_pickle_and_replace():
    token = make_token(method='iam-role')
    plain = make_token()
    assert token == plain and hash(token) == hash(plain)
    assert pickle.loads(pickle.dumps(token, pickle.HIGHEST_PROTOCOL)).method == 'iam-role'
    assert token.replace(arn=None).method == 'iam-role'
    assert token.replace(method=None).method is None
    assert "method='iam-role'" in repr(token)
    with pytest.raises(AttributeError):
        token.method = 'env'
    with pytest.raises(InvalidParameterError):
        make_token(method=42)


# -- issue 11 item 8: repr/str of a non-ASCII ARN ------------------------------------------

def test_repr_and_str_with_a_non_ascii_arn_are_ascii():
    token = make_token(arn='arn:aws:sts::123456789012:assumed-role/caf\u00e9/s\u00f8ren')
    assert type(repr(token)) is str and type(str(token)) is str   # native str, also on Python 2
    for text in (repr(token), str(token), '%s' % token, '%r' % (token,)):
        assert 'caf\\xe9' in text
        assert SECRET_KEY not in text and SESSION_TOKEN not in text


# -- issue 11 item 6: bad input stays inside the error contract ----------------------------

@pytest.mark.parametrize('margin', [float('nan'), float('inf'), float('-inf'), '600', None, True,
                                    1e300])
def test_expired_margin_must_be_a_finite_number(margin):
    with pytest.raises(InvalidParameterError) as info:
        make_token().expired(margin=margin)
    assert info.value.field == 'margin' and 'margin' in six.text_type(info.value)
    assert isinstance(info.value, ValueError)


def test_expired_margin_accepts_numbers_and_timedeltas():
    import datetime
    assert make_token().expired(margin=60) is False
    assert make_token().expired(margin=datetime.timedelta(days=1)) is False
    assert make_token(expiration=None).expired(margin=1.5) is False


@pytest.mark.parametrize('depth', [100000, 1000000])
def test_deeply_nested_json_is_an_invalid_token_not_a_recursion_error(depth):
    for text in ('[' * depth + ']' * depth, '{"a":' * depth + '1' + '}' * depth):
        with pytest.raises(InvalidTokenError):
            Token.coerce(text[:60000])
    with pytest.raises(InvalidTokenError) as info:
        Token.coerce('[' * depth)
    assert 'JSON' in six.text_type(info.value)


def test_deep_json_under_the_size_limit():
    with pytest.raises(InvalidTokenError) as info:
        Token.coerce('[' * 30000 + ']' * 30000)
    assert 'nested' in six.text_type(info.value)


def test_from_profile_with_a_directory_is_a_stsboto_error(tmpdir):
    with pytest.raises(StsbotoError) as info:
        Token.from_profile(path=str(tmpdir), environ={})
    assert 'directory' in six.text_type(info.value) and isinstance(info.value, ValueError)
    with pytest.raises(StsbotoError):
        stsboto.find_token(environ={'AWS_SHARED_CREDENTIALS_FILE': str(tmpdir)})
    with pytest.raises(StsbotoError):
        stsboto.find_token(environ={'AWS_CONFIG_FILE': str(tmpdir)})


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


@posix_only
def test_config_files_that_are_devices_or_too_big_are_refused(tmpdir):
    with pytest.raises(InvalidParameterError):
        Token.from_profile(path='/dev/zero', environ={})
    big = tmpdir.join('credentials')
    big.write('[default]\n' + '# padding\n' * (files.MAX_CONFIG_FILE_SIZE // 10 + 1))
    with pytest.raises(InvalidParameterError) as info:
        Token.from_profile(path=str(big), environ={})
    assert 'larger than' in six.text_type(info.value)


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


def test_coerce_and_connect_with_token_none_accept_what_the_chain_returns():
    """connect_with_token(None) and Token.coerce take a RefreshableToken from the chain."""
    from tests.emulators import container_endpoint
    token = make_token(serial=6, arn=None)
    with container_endpoint([token]) as server:
        env = {'AWS_CONTAINER_CREDENTIALS_FULL_URI': server.url}
        found = stsboto.find_token(environ=env)
        assert Token.coerce(found) == token and Token.coerce(found).method == 'container-role'
        os.environ[str('AWS_CONTAINER_CREDENTIALS_FULL_URI')] = str(server.url)
        try:
            conn = stsboto.connect_with_token(None, endpoint_url='http://127.0.0.1:9000')
        finally:
            del os.environ[str('AWS_CONTAINER_CREDENTIALS_FULL_URI')]
    assert conn.aws_access_key_id == token.access_key


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
