"""The second security review (issue 19): the findings that need the wire, on loopback stand-ins.

Each test fails on stsboto 0.2.0 and names the finding it proves (``item N``).
The findings that need no network are tested with their modules, under the
same names (``tests/unit/test_logfilter.py``, ``test_config.py``,
``test_compat.py``, ``test_patch.py``, ``credentials/test_process.py``,
``credentials/test_roles.py``; item 8 in ``tests/functional/test_patch_startup.py``).
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


# -- item 4: masking sees encoded forms, prefixes and fragments ---------------------------


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
