"""The second security review (issue 19): one test per finding, on loopback stand-ins only.

Each test fails on stsboto 0.2.0 and names the finding it proves (``item N``).
"""
from __future__ import absolute_import, unicode_literals

import io
import time

import pytest
import six

import stsboto
from stsboto import cli
from stsboto.credentials import http, metadata
from stsboto.exceptions import CredentialSourceError
from tests.emulators import container_endpoint, imds
from tests.factories import make_token


@pytest.fixture
def imds_on(monkeypatch):
    """IMDS allowed for this test (the root conftest switches it off)."""
    monkeypatch.delenv(str('AWS_EC2_METADATA_DISABLED'))


def creds(**fields):
    fields.setdefault('arn', None)
    return make_token(**fields)


@pytest.fixture
def no_pause(monkeypatch):
    """The container source's 1 s pause between attempts, gone."""
    monkeypatch.setattr(metadata, '_CONTAINER_PAUSE', 0)


def with_userinfo(url, userinfo='admin:PASSWORD-7f3a@'):
    return url.replace('http://', 'http://' + userinfo, 1)


def run_cli(argv, environ):
    stdout = io.TextIOWrapper(io.BytesIO(), encoding='utf-8', newline='\n')
    stderr = io.StringIO()
    code = cli.main(argv, stdin=io.TextIOWrapper(io.BytesIO(b''), encoding='utf-8'),
                    stdout=stdout, stderr=stderr, environ=environ)
    stdout.flush()
    return code, stdout.buffer.getvalue().decode('utf-8'), stderr.getvalue()


# -- item 2: no user name or password of a URL in a message or a log line ----------------

def test_item2_container_url_password_is_not_in_the_error(no_pause):
    with container_endpoint([creds()]) as server:
        server.mode = 'error'
        url = with_userinfo(server.url + 'creds')
        with pytest.raises(CredentialSourceError) as caught:
            stsboto.find_token(environ={'AWS_CONTAINER_CREDENTIALS_FULL_URI': url})
    text = six.text_type(caught.value) + repr(caught.value)
    assert 'PASSWORD-7f3a' not in text and 'admin' not in text
    assert 'http://127.0.0.1:%d/creds' % server.server_port in text


def test_item2_imds_endpoint_password_is_not_in_the_error_nor_the_log(imds_on, caplog):
    caplog.set_level('DEBUG')
    with imds([creds()]) as server:
        server.mode = 'html'
        url = with_userinfo(server.url)
        with pytest.raises(CredentialSourceError) as caught:
            stsboto.find_token(environ={'AWS_EC2_METADATA_SERVICE_ENDPOINT': url})
    assert 'PASSWORD-7f3a' not in six.text_type(caught.value)
    assert 'http://127.0.0.1:%d/' % server.server_port in six.text_type(caught.value)
    with imds([creds()]) as server:
        server.mode = 'no-role'
        assert stsboto.find_token(environ={'AWS_EC2_METADATA_SERVICE_ENDPOINT':
                                           with_userinfo(server.url)}) is None
    assert 'no role' in caplog.text
    assert 'PASSWORD-7f3a' not in caplog.text


def test_item2_whoami_does_not_show_the_password(no_pause):
    with container_endpoint([creds()]) as server:
        server.mode = 'error'
        url = with_userinfo(server.url + 'creds')
        code, out, err = run_cli(['whoami'], {'AWS_CONTAINER_CREDENTIALS_FULL_URI': url})
    assert code != 0
    assert 'container credentials endpoint' in err
    assert 'PASSWORD-7f3a' not in out + err and 'admin:' not in out + err


@pytest.mark.parametrize('text, shown', [
    ('GET http://admin:PASS-123@127.0.0.1:8080/creds failed',
     'GET http://127.0.0.1:8080/creds failed'),
    ("endpoint='https://user@example.com/x?y=1'", "endpoint='https://example.com/x?y=1'"),
    ('proxy socks5h://u:p%40ss@10.0.0.1:1080 down', 'proxy socks5h://10.0.0.1:1080 down'),
    ('mail admin@example.com and s3://bucket/k@2', 'mail admin@example.com and s3://bucket/k@2'),
])
def test_item2_masking_drops_userinfo_of_any_url(text, shown):
    from stsboto.logfilter import display_url, mask_secrets
    assert mask_secrets(text) == shown
    assert display_url('http://a:b@127.0.0.1:1/p?q=1') == 'http://127.0.0.1:1/p?q=1'
    assert display_url('http://a:b@[::1]:1/p?q=1', query=False) == 'http://[::1]:1/p'


# -- item 3: every metadata read has a total deadline -----------------------------------

def test_item3_a_trickling_answer_ends_at_the_deadline():
    with container_endpoint([creds()]) as server:
        server.mode, server.pause = 'trickle', 0.1     # about 600 bytes: 60 s at this pace
        started = time.time()
        with pytest.raises(http.MetadataTimeout) as caught:
            http.request('GET', server.url, timeout=0.5)
        elapsed = time.time() - started
    assert elapsed < 2.5, elapsed
    assert 'within 0.5 s' in six.text_type(caught.value)


def test_item3_a_trickling_imds_does_not_hold_find_token(imds_on):
    with imds([creds()]) as server:
        server.mode, server.pause = 'trickle', 0.1
        started = time.time()
        with pytest.raises(CredentialSourceError) as caught:
            stsboto.find_token(environ={'AWS_EC2_METADATA_SERVICE_ENDPOINT': server.url,
                                        'AWS_METADATA_SERVICE_TIMEOUT': '0.5'})
        elapsed = time.time() - started
    # the credentials request is cut at 0.5 s
    assert elapsed < 5, elapsed
    assert 'stopped answering' in six.text_type(caught.value)


def test_item3_a_trickling_container_endpoint_gives_up(monkeypatch):
    monkeypatch.setattr(metadata, '_CONTAINER_TIMEOUT', 0.4)
    with container_endpoint([creds()]) as server:
        server.mode, server.pause = 'trickle', 0.1
        started = time.time()
        with pytest.raises(CredentialSourceError) as caught:
            metadata.ContainerSource({'AWS_CONTAINER_CREDENTIALS_FULL_URI': server.url},
                                     sleep=lambda s: None).load()
        elapsed = time.time() - started
    assert elapsed < 4, elapsed
    assert 'did not answer after 3 attempts' in six.text_type(caught.value)


def test_item3_a_fast_answer_is_unchanged():
    with container_endpoint([creds()]) as server:
        status, body = http.request('GET', server.url, timeout=2)
    assert status == 200 and b'AccessKeyId' in body


# -- item 6: IMDS role names as IAM allows them ----------------------------------------

@pytest.mark.parametrize('role', ['r\u00f4le', '\u0440\u043e\u043b\u044c', '..', '.', 'a/b', 'x' * 65])
def test_item6_a_role_name_iam_would_refuse_is_a_clear_error(imds_on, role):
    with imds([creds()], ) as server:
        server.role = role
        with pytest.raises(CredentialSourceError) as caught:
            stsboto.find_token(environ={'AWS_EC2_METADATA_SERVICE_ENDPOINT': server.url})
        paths = [path for _, path, _ in server.requests]
    assert 'not an IAM role name' in six.text_type(caught.value)
    # the credentials of a role named ".." (or anything else refused) are never asked for
    assert paths == ['/latest/api/token', '/latest/meta-data/iam/security-credentials/']


@pytest.mark.parametrize('role', ['app-role', 'A_b+c=d,e.f@g-h', 'x' * 64, '...'])
def test_item6_every_iam_role_name_is_fetched(imds_on, role):
    with imds([creds()]) as server:
        server.role = role
        token = stsboto.find_token(environ={'AWS_EC2_METADATA_SERVICE_ENDPOINT': server.url}).get()
    assert token.method == 'iam-role'
    assert server.requests[-1][1] == '/latest/meta-data/iam/security-credentials/' + role


# -- item 7: credential_process has a time limit ----------------------------------------

def _config(home, text):
    import os
    folder = os.path.join(str(home), '.aws')
    if not os.path.isdir(folder):
        os.makedirs(folder)
    path = os.path.join(folder, 'config')
    with io.open(path, 'w', encoding='utf-8') as stream:
        stream.write(text)
    return path


def _helper(tmpdir, script):
    import sys
    path = str(tmpdir.join('helper.py'))
    with io.open(path, 'w', encoding='utf-8') as stream:
        stream.write(script)
    return '"%s" "%s"' % (sys.executable, path)


# A helper that starts a child (which would hold the pipe), closes its own output and sleeps.
SLEEPER = '''
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])
with open(%r, 'w') as f:
    f.write('%%d %%d' %% (os.getpid(), child.pid))
os.close(1)
time.sleep(60)
'''


def _dead(pid):
    import errno
    import os
    try:
        os.kill(pid, 0)
    except OSError as error:
        return error.errno == errno.ESRCH
    try:   # a zombie waiting for its parent (or init) to reap it is dead too
        with open('/proc/%d/stat' % pid) as stream:
            return stream.read().split(')')[-1].split()[0] == 'Z'
    except (IOError, OSError):
        return True


def _wait_dead(pids, seconds=5):
    end = time.time() + seconds
    while time.time() < end and not all(_dead(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if not _dead(p)]


@pytest.mark.applies(__import__('os').name == 'posix', reason='process groups are POSIX')
@pytest.mark.parametrize('how', ['argument', 'variable'])
def test_item7_a_helper_that_never_finishes_is_stopped_with_its_children(tmpdir, how):
    home = __import__('os').environ['HOME']
    pids = str(tmpdir.join('pids'))
    _config(home, '[profile slow]\ncredential_process = %s\n' % _helper(tmpdir, SLEEPER % pids))
    started = time.time()
    with pytest.raises(CredentialSourceError) as caught:
        if how == 'argument':
            stsboto.find_token('slow', process_timeout=1.5)
        else:
            stsboto.find_token('slow', environ={'HOME': home,
                                                'STSBOTO_CREDENTIAL_PROCESS_TIMEOUT': '1.5'})
    elapsed = time.time() - started
    message = six.text_type(caught.value)
    assert 'did not finish within 1.5 s' in message and 'profile slow' in message
    assert 'STSBOTO_CREDENTIAL_PROCESS_TIMEOUT' in message
    assert 1.4 < elapsed < 6, elapsed
    helper, child = [int(p) for p in open(pids).read().split()]
    assert _wait_dead([helper, child]) == []


@pytest.mark.parametrize('value', ['0', '-1', 'nan', 'inf', 'soon'])
def test_item7_a_bad_time_limit_names_the_variable(tmpdir, value):
    from stsboto.exceptions import CredentialConfigError
    home = __import__('os').environ['HOME']
    _config(home, '[profile p]\ncredential_process = %s\n' % _helper(tmpdir, 'print(1)\n'))
    with pytest.raises(CredentialConfigError) as caught:
        stsboto.find_token('p', environ={'HOME': home, 'STSBOTO_CREDENTIAL_PROCESS_TIMEOUT': value})
    assert caught.value.field == 'STSBOTO_CREDENTIAL_PROCESS_TIMEOUT'
    with pytest.raises(CredentialConfigError) as caught:
        stsboto.find_token('p', process_timeout=float(value) if value != 'soon' else value)
    assert caught.value.field == 'process_timeout'


def test_item7_the_default_limit_is_60_seconds(tmpdir):
    from stsboto.credentials import process
    assert process.process_timeout(None, {}) == process.DEFAULT_TIMEOUT == 60
    home = __import__('os').environ['HOME']
    _config(home, '[profile p]\ncredential_process = %s\n' % _helper(
        tmpdir, 'import json\nprint(json.dumps({"Version": 1, "AccessKeyId": "test", '
                '"SecretAccessKey": "test-secret"}))\n'))
    assert stsboto.find_token('p', process_timeout=30).access_key == 'test'


# -- item 10: one INI parser behaviour on every Python (botocore's) ----------------------

def _ini(tmpdir, text, name='config'):
    path = str(tmpdir.join(name))
    with io.open(path, 'w', encoding='utf-8') as stream:
        stream.write(text)
    return path


def test_item10_a_semicolon_after_a_space_is_part_of_the_value(tmpdir):
    from stsboto.config import read_ini
    path = _ini(tmpdir, '[default]\ncredential_process = helper --a ; rm -rf x # y\n'
                        'aws_secret_access_key = abc ;def\n; a comment\n  # an indented comment\n'
                        'region = eu-west-1\n')
    parser = read_ini(path, 'config file')
    values = dict(parser.items('default'))
    assert values == {'credential_process': 'helper --a ; rm -rf x # y',
                      'aws_secret_access_key': 'abc ;def', 'region': 'eu-west-1'}


def test_item10_a_credential_process_line_is_the_same_words_everywhere(tmpdir):
    home = __import__('os').environ['HOME']
    helper = _helper(tmpdir, 'import json, sys\nprint(json.dumps({"Version": 1, "AccessKeyId": '
                             '"AKID" + "x".join(sys.argv[1:]).replace(";", "S"), '
                             '"SecretAccessKey": "test-secret"}))\n')
    _config(home, '[profile p]\ncredential_process = %s one ;two three\n' % helper)
    token = stsboto.find_token('p')
    assert token.access_key == 'AKIDonexStwoxthree'


@pytest.mark.parametrize('text, kind, line', [
    ('[default]\nregion = a\n[default]\nregion = b\n', 'DuplicateSectionError', 3),
    ('[p]\nregion = a\nRegion = b\n', 'DuplicateOptionError', 3),
    ('[DEFAULT]\nx = 1\n[DEFAULT]\nx = 2\n', 'DuplicateOptionError', 4),
    ('region = a\n', 'MissingSectionHeaderError', 1),
    ('[p]\nno delimiter here\nregion = a\n', 'ParsingError', 2),
])
def test_item10_duplicates_and_bad_lines_are_errors_naming_the_file(tmpdir, text, kind, line):
    from stsboto.config import read_ini
    from stsboto.exceptions import InvalidTokenError
    path = _ini(tmpdir, text + 'aws_secret_access_key = SECRET-never-shown\n')
    with pytest.raises(InvalidTokenError) as caught:
        read_ini(path, 'config file')
    message = six.text_type(caught.value)
    assert path in message and '%s at line %d' % (kind, line) in message
    assert 'SECRET-never-shown' not in message


def test_item10_continuations_defaults_and_empty_lines(tmpdir):
    from stsboto.config import read_ini
    path = _ini(tmpdir, '[DEFAULT]\nshared = yes\n[s3]\nlist =\n  one\n\n  two\n\n'
                        '# between\nafter: x : y\n')
    parser = read_ini(path, 'config file')
    assert parser.sections() == ['s3']
    assert sorted(parser.items('s3')) == [('after', 'x : y'), ('list', '\none\n\ntwo'),
                                          ('shared', 'yes')]


CORPUS = [
    '[a]\nk = v ; c\n',
    '[a]\nk=v\n  more\n\tand more\nj : w\n',
    '[a]\nk = v\n\n\n  continued after blanks\n\n',
    '[a]\n  k = indented key\n  j = same indent\n',
    '[a]\nk = v\n    # indented comment\n    still value\n',
    '[a] trailing\nk = v\n',
    '[a]\n= no key\n= again\n',
    '[a]\n= no key\n  continued\nk = v\n',
    '[a]\nbad line\n  indented after bad\nk = v\n',
    '[DEFAULT]\nd = 1\n[a]\nk = 2\n[DEFAULT]\ne = 3\n',
    '[a]\nK = 1\n[b]\nk = 2\n',
    '\ufeff[a]\nk = v\n',
    '[a]\nk = v\n[a]\n',
    '[a]\nk = %(x)s %%\n',
    '; top comment\n# another\n[a]\nk = v\n',
    '[a]\nk = \n',
    '[a]\nk:v=w\nj=v:w\n',
]


@pytest.mark.applies(six.PY3, reason="Python 3's RawConfigParser is the reference the 2.7 parser "
                     "follows")
@pytest.mark.parametrize('text', CORPUS)
def test_item10_our_parser_reads_as_python3_does(text):
    from six.moves import configparser
    from stsboto._compat import parse_ini_lines
    reference = configparser.RawConfigParser()
    try:
        reference.read_string(text, 'f')
        expected = ([(k, v) for k, v in reference.defaults().items()],
                    [(s, [(k, v) for k, v in reference.items(s) if k not in reference.defaults()
                          or reference.defaults()[k] != v or k in reference._sections[s]])
                     for s in reference.sections()])
        expected = (expected[0], [(s, [(k, v) for k, v in values if k in reference._sections[s]])
                                  for s, values in expected[1]])
    except configparser.Error as error:
        expected = (type(error).__name__, getattr(error, 'lineno', None) or error.errors[0][0])
    try:
        got = parse_ini_lines(io.StringIO(text), 'f')
    except configparser.Error as error:
        got = (type(error).__name__, getattr(error, 'lineno', None) or error.errors[0][0])
    assert got == expected


# -- item 5: broken configuration is a named stsboto error; the patch warns and lets boto go on

def _loop(tmpdir):
    """A path whose lookup fails with ELOOP (a symbolic link loop): unreadable even for root."""
    import os
    first, second = str(tmpdir.join('loop-a')), str(tmpdir.join('loop-b'))
    os.symlink(second, first)
    os.symlink(first, second)
    return first


@pytest.mark.applies(hasattr(__import__('os'), 'symlink'), reason='symbolic links')
def test_item5_an_unreadable_config_file_is_a_local_file_error(tmpdir):
    import errno
    from stsboto.exceptions import LocalFileError
    path = _loop(tmpdir)
    with pytest.raises(LocalFileError) as caught:
        stsboto.find_token(environ={'AWS_CONFIG_FILE': path})
    assert caught.value.errno == errno.ELOOP and caught.value.field == 'AWS_CONFIG_FILE'
    assert caught.value.path == path
    assert 'the config file %s cannot be read' % path in six.text_type(caught.value)
    assert isinstance(caught.value, EnvironmentError) and isinstance(caught.value, ValueError)


def test_item5_a_file_without_permission_is_a_local_file_error(tmpdir, monkeypatch):
    # Tests run as root here, which reads any file: EACCES comes from os.stat instead.
    import errno
    import os
    from stsboto import config
    from stsboto.exceptions import LocalFileError
    path = _ini(tmpdir, '[default]\nregion = x\n', 'credentials')
    real_stat = os.stat

    def stat(name, *args, **kwargs):
        if name == path:
            raise OSError(errno.EACCES, 'Permission denied', name)
        return real_stat(name, *args, **kwargs)
    monkeypatch.setattr(config.os, 'stat', stat)
    with pytest.raises(LocalFileError) as caught:
        stsboto.find_token(environ={'AWS_SHARED_CREDENTIALS_FILE': path})
    assert caught.value.errno == errno.EACCES
    assert 'Permission denied' in six.text_type(caught.value)
    assert caught.value.field == 'AWS_SHARED_CREDENTIALS_FILE'


def test_item5_a_source_profile_chain_600_deep_is_a_config_error():
    from stsboto.credentials.roles import MAX_ROLE_CHAIN
    from stsboto.exceptions import CredentialConfigError
    home = __import__('os').environ['HOME']
    lines = []
    for n in range(600):
        lines.append('[profile p%d]\nrole_arn = arn:aws:iam::123456789012:role/r%d\n'
                     'source_profile = p%d\n' % (n, n, n + 1))
    lines.append('[profile p600]\naws_access_key_id = AKIDEXAMPLE\n'
                 'aws_secret_access_key = secret-secret\n')
    _config(home, ''.join(lines))
    with pytest.raises(CredentialConfigError) as caught:
        stsboto.find_token('p0')
    message = six.text_type(caught.value)
    assert 'longer than %d role profiles' % MAX_ROLE_CHAIN in message
    assert caught.value.field == 'source_profile'


@pytest.fixture
def boto_config_keys():
    """Keys in boto's own (in-memory) config, as ``[Credentials]`` of ~/.boto gives them."""
    import boto
    added = not boto.config.has_section('Credentials')
    if added:
        boto.config.add_section('Credentials')
    boto.config.set('Credentials', 'aws_access_key_id', 'AKIDBOTOCONFIG000001')
    boto.config.set('Credentials', 'aws_secret_access_key', 'boto-config-secret-0000000000')
    yield
    if added:
        boto.config.remove_section('Credentials')
    else:
        boto.config.remove_option('Credentials', 'aws_access_key_id')
        boto.config.remove_option('Credentials', 'aws_secret_access_key')


def _connect_with_warnings():
    import warnings
    import boto
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        connection = boto.connect_s3()
    from stsboto.exceptions import ConfigurationWarning
    return connection, [w for w in caught if issubclass(w.category, ConfigurationWarning)]


@pytest.mark.applies(hasattr(__import__('os'), 'symlink'), reason='symbolic links')
def test_item5_under_the_patch_an_unreadable_config_file_warns_and_boto_goes_on(
        tmpdir, monkeypatch, boto_config_keys):
    monkeypatch.setenv(str('AWS_CONFIG_FILE'), str(_loop(tmpdir)))
    from stsboto import patch
    patch.unpatch_boto()
    unpatched, warned = _connect_with_warnings()          # boto alone: works, no warning
    assert unpatched.aws_access_key_id == 'AKIDBOTOCONFIG000001' and warned == []
    stsboto.patch_boto()
    try:
        connection, warned = _connect_with_warnings()
    finally:
        patch.unpatch_boto()
    assert connection.aws_access_key_id == 'AKIDBOTOCONFIG000001'
    assert len(warned) == 1
    assert 'cannot be read' in six.text_type(warned[0].message)
    assert 'as it would without the patch' in six.text_type(warned[0].message)


def test_item5_under_the_patch_a_duplicate_key_warns_and_boto_goes_on(
        tmpdir, monkeypatch, boto_config_keys, patched):
    path = _ini(tmpdir, '[default]\nregion = us-east-1\nregion = eu-west-1\n')
    monkeypatch.setenv(str('AWS_CONFIG_FILE'), str(path))
    connection, warned = _connect_with_warnings()
    assert connection.aws_access_key_id == 'AKIDBOTOCONFIG000001'
    assert len(warned) == 1 and 'DuplicateOptionError' in six.text_type(warned[0].message)


# -- item 1: a download writes into a FIFO or a device in place, never replaces it ----------

def _s3_with(data):
    from tests.transfer_support import TransferS3, stored
    s3 = TransferS3('photos')
    stored(s3, 'k', data)
    return s3


def _char_device(tmpdir):
    """A character device like /dev/null (major 1, minor 3) in tmpdir (tests run as root)."""
    import os
    import stat
    path = str(tmpdir.join('null'))
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return path


def _can_mknod():
    import os
    import stat
    import tempfile
    if not hasattr(os, 'mknod'):
        return False
    folder = tempfile.mkdtemp()
    try:
        os.mknod(os.path.join(folder, 'n'), stat.S_IFCHR | 0o600, os.makedev(1, 3))
        return True
    except OSError:
        return False
    finally:
        import shutil
        shutil.rmtree(folder)


@pytest.mark.applies(hasattr(__import__('os'), 'mkfifo'), reason='FIFOs are POSIX')
def test_item1_a_download_into_a_fifo_streams_in_order_and_keeps_the_fifo(tmpdir):
    import os
    import stat
    import threading
    from stsboto import transfer
    from tests.factories import payload
    data = payload(3 * 1024 * 1024 + 5)
    s3 = _s3_with(data)
    fifo = str(tmpdir.join('fifo'))
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, 'rb').read()))
    reader.daemon = True
    reader.start()
    result = transfer.download(s3.bucket(), 'k', fifo, part_size=1024 * 1024, threshold=1024 * 1024,
                               workers=4)
    reader.join(10)
    assert got == [data] and result.size == len(data)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(os.listdir(str(tmpdir))) == ['fifo']           # no temporary file
    assert [r[3].get('Range') for r in s3.requests('GET')] == [None]   # one GET, no ranges


@pytest.mark.applies(_can_mknod(), reason='creating a character device needs CAP_MKNOD')
def test_item1_a_download_into_a_device_writes_in_place(tmpdir):
    import os
    import stat
    from stsboto import transfer
    device = _char_device(tmpdir)
    before = os.lstat(device)
    s3 = _s3_with(b'x' * 100000)
    transfer.download(s3.bucket(), 'k', device)
    after = os.lstat(device)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino and after.st_mode == before.st_mode
    assert sorted(os.listdir(str(tmpdir))) == ['null']


@pytest.mark.applies(_can_mknod(), reason='creating a character device needs CAP_MKNOD')
def test_item1_stsboto_get_into_a_device_keeps_it_and_token_output_refuses_it(tmpdir, monkeypatch):
    import os
    import stat
    from stsboto.cli import options
    from stsboto.exceptions import InvalidParameterError
    device = _char_device(tmpdir)
    options.check_output_path(device, in_place=True)           # a download: written in place
    with pytest.raises(options.UsageError) as caught:
        options.check_output_path(device, '--output')          # a token file: refused
    assert 'device or a FIFO' in six.text_type(caught.value)
    with pytest.raises(InvalidParameterError):
        make_token().save(device)
    assert stat.S_ISCHR(os.lstat(device).st_mode)


# -- item 8: a program's own module named boto imports as before ---------------------------

def _run_python(code, folder):
    import json
    import os
    import subprocess
    import sys
    env = dict(os.environ)
    env[str('PYTHONPATH')] = str(os.pathsep.join(
        [folder] + [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p]))
    env[str('STSBOTO_PATCH_BOTO')] = str('1')   # the finder on every Python, not only 3.12+
    out = subprocess.check_output([sys.executable, '-c', code], env=env, cwd=folder)
    return json.loads(out.decode('utf-8').strip().splitlines()[-1])


CHECK_OWN = ('import json, sys, boto; print(json.dumps([getattr(boto, "MINE", None), '
             '"stsboto" in sys.modules]))')


def test_item8_a_programs_own_boto_module_imports_as_before(tmpdir):
    tmpdir.join('boto.py').write('MINE = "module"\n')
    assert _run_python(CHECK_OWN, str(tmpdir)) == ['module', False]


def test_item8_a_boto_package_that_is_not_boto_2_imports_as_before(tmpdir):
    tmpdir.mkdir('boto').join('__init__.py').write('__version__ = "3.0.0"\nMINE = "package"\n')
    assert _run_python(CHECK_OWN, str(tmpdir)) == ['package', False]


def test_item8_boto_2_itself_still_goes_through_stsboto(tmpdir):
    import _stsboto_startup
    import boto
    assert _stsboto_startup.is_boto2(boto.__file__.replace('.pyc', '.py'))
    assert not _stsboto_startup.is_boto2(str(tmpdir.join('boto.py')))
    result = _run_python('import json, sys, boto; print(json.dumps([boto.__version__[:2], '
                         '"stsboto" in sys.modules]))', str(tmpdir))
    assert result == ['2.', True]


# -- item 4: masking sees encoded forms, prefixes and fragments ---------------------------

def _long_token():
    import base64
    import hashlib
    blob = b''.join(hashlib.sha256(b'token-%d' % i if six.PY3 else b'token-' + str(i)).digest()
                    for i in range(24))
    session = 'IQoJb3JpZ2luX2VjE' + base64.b64encode(blob).decode('ascii')  # 657 characters
    return make_token(session_token=session, secret_key='wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY')


def _visible_fragments(text, form):
    """16-character pieces of ``form`` still in ``text`` (compared ignoring case)."""
    low = text.lower()
    return [form[i:i + 16] for i in range(len(form) - 15) if form[i:i + 16].lower() in low]


def _forms(secret, token):
    import base64
    import json
    from six.moves.urllib.parse import quote, quote_plus
    once = quote(secret, safe=str(''))
    lower = __import__('re').sub('%[0-9A-F]{2}', lambda m: m.group(0).lower(), once)
    as_json = token.to_json()
    process = json.dumps({'Version': 1, 'AccessKeyId': token.access_key,
                          'SecretAccessKey': token.secret_key, 'SessionToken': token.session_token})
    forms = {
        'raw': secret, 'percent': once, 'percent-lower': lower,
        'percent-twice': quote(once, safe=str('')), 'percent-twice-lower': quote(lower, safe=str('')),
        'plus': quote_plus(secret, safe=str('')), 'json-escaped': secret.replace('/', '\\/'),
        'prefix-120': secret[:120], 'middle-23': secret[37:60], 'suffix-17': secret[-17:],
    }
    for pad in range(3):
        for name, text in (('token-json', as_json), ('process-json', process), ('secret', secret)):
            data = (b'x' * pad) + text.encode('utf-8')
            forms['base64-%s-%d' % (name, pad)] = base64.b64encode(data).decode('ascii')
            forms['base64url-%s-%d' % (name, pad)] = base64.urlsafe_b64encode(data).decode('ascii')
    return forms


@pytest.mark.parametrize('which', ['session_token', 'secret_key'])
@pytest.mark.parametrize('how', ['filter', 'remembered'])
def test_item4_every_encoded_form_prefix_and_fragment_is_masked(which, how):
    from stsboto.logfilter import MASK, SecretMaskingFilter, mask_secrets, remember
    token = _long_token()
    secret = getattr(token, which)
    if how == 'filter':
        mask = SecretMaskingFilter([token]).mask
    else:
        remember(token)
        mask = mask_secrets
    for name, form in sorted(_forms(secret, token).items()):
        line = 'GET https://photos.s3.amazonaws.com/k?X-Amz-Security-Token=%s&x=1 body=%s end' % (
            form, form)
        masked = mask(line)
        assert MASK in masked, name
        assert 'end' in masked and 'GET https://photos.s3.amazonaws.com/k?' in masked, name
        if '-json-' not in name:   # base64 of a whole JSON document: the next test decodes it
            assert _visible_fragments(masked, form) == [], name


def test_item4_base64_of_the_token_json_shows_no_secret_when_decoded():
    import base64
    from stsboto.logfilter import SecretMaskingFilter
    token = _long_token()
    mask = SecretMaskingFilter([token]).mask
    for pad in range(3):
        data = b' ' * pad + token.to_json().encode('utf-8')
        masked = mask('creds=%s;' % base64.b64encode(data).decode('ascii'))
        blob = masked[len('creds='):-1]
        # decode what is left of each piece at every alignment: no 16 characters of a secret
        for piece in blob.split('<hidden>'):
            for start in range(4):
                chunk = piece[start:]
                chunk = chunk[:len(chunk) // 4 * 4]
                decoded = base64.b64decode(chunk.encode('ascii')) if chunk else b''
                for secret in (token.session_token, token.secret_key):
                    text = decoded.decode('latin-1')
                    assert _visible_fragments(text, secret) == []


def test_item4_fifteen_characters_stay_and_other_text_is_untouched():
    from stsboto.logfilter import SecretMaskingFilter
    token = _long_token()
    mask = SecretMaskingFilter([token]).mask
    line = 'id=%s piece=%s next' % (token.access_key, token.session_token[100:115])
    assert mask(line) == line


def test_item4_a_filter_keeps_masking_its_tokens_after_the_registry_forgot_them():
    import hashlib
    from stsboto import logfilter
    token = _long_token()
    log_filter = logfilter.SecretMaskingFilter([token])
    line = 'prefix=%s' % token.session_token[:120]
    assert log_filter.mask(line) == 'prefix=' + logfilter.MASK
    for i in range(logfilter._REMEMBER_MAX + 1):
        logfilter.remember(hashlib.sha256(str(i).encode('ascii')).hexdigest())
    assert logfilter.mask_secrets(line) == line          # the registry forgot it
    assert log_filter.mask(line) == 'prefix=' + logfilter.MASK


from tests.cli_support import aws, connections, transfers as cli_transfers  # noqa: E402,F401


@pytest.mark.applies(hasattr(__import__('os'), 'mkfifo'), reason='FIFOs are POSIX')
@pytest.mark.parametrize('kind', ['fifo', pytest.param('device', marks=pytest.mark.applies(
    _can_mknod(), reason='creating a character device needs CAP_MKNOD'))])
@pytest.mark.usefixtures('cli_transfers')
def test_item1_stsboto_get_writes_into_a_fifo_or_device_in_place(tmpdir, monkeypatch, kind):
    import os
    import stat
    import threading
    from tests.cli_support import DOWNLOADED, run, save_token
    monkeypatch.chdir(tmpdir)
    token = save_token(tmpdir)
    got = []
    if kind == 'fifo':
        target = str(tmpdir.join('pipe'))
        os.mkfifo(target)
        reader = threading.Thread(target=lambda: got.append(open(target, 'rb').read()))
        reader.daemon = True
        reader.start()
    else:
        target = _char_device(tmpdir)
    before = os.lstat(target)
    result = run(['get', 'photos/k.bin', target, '--token', token])
    assert result.code == 0, result.err
    after = os.lstat(target)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert not stat.S_ISREG(after.st_mode)
    assert sorted(os.listdir(str(tmpdir))) == sorted([os.path.basename(target), 'token.json'])
    if kind == 'fifo':
        reader.join(10)
        assert got == [DOWNLOADED]
