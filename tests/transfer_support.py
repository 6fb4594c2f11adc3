# -*- coding: utf-8 -*-
"""What the tests of stsboto.transfer share, unit and functional: the token, the fake S3, test data.

The S3 here is ``tests.fakehttp.FakeS3`` under boto's real code: a real
``TokenS3Connection`` builds, signs and sends every request, and only the
socket is replaced (``tests/s3server.py`` serves the same fake on loopback).
The fake checks ``Content-MD5``, CRC32 checksums and SigV4 payload hashes as
S3 does, and records every request, so the tests see the wire behaviour:
which requests were made, in which order, with which headers.

The fixtures here (``s3``, ``default_crc64nvme``, ``no_crt``) reach the tests
through ``tests/unit/transfer/conftest.py`` and ``tests/functional/transfer/conftest.py``.
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import hashlib
import io
import signal
import threading

import mock
import pytest
from six.moves import _thread

import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
from stsboto import transfer
from stsboto.transfer import MiB, TransferConfig, checksums
from tests.factories import make_token
from tests.fakehttp import FakeS3, Headers, _crt_function

TOKEN = make_token(serial=7)
SECRET_KEY, SESSION_TOKEN = TOKEN.secret_key, TOKEN.session_token
BUCKET = 'photos'
TEXT = 'caf\u00e9 \u2603 na\u00efve \U0001F600 \u65e5\u672c\n'

FIVE_PARTS = 4 * 5 * MiB + 12345              # 5 parts of 5 MiB (the last one smaller)
SMALL_PARTS = TransferConfig(threshold=5 * MiB, part_size=5 * MiB, workers=4)
PARTS = TransferConfig(threshold=5 * MiB, part_size=5 * MiB, workers=3)

HAVE_CRT = _crt_function('crc64nvme') is not None
NO_CRT = 'awscrt (CRC32C, CRC64NVME) is a test dependency on Python 3.8+ only'
needs_crt = pytest.mark.applies(HAVE_CRT, reason=NO_CRT)


class TransferS3(FakeS3):
    """FakeS3 plus what every request here must carry: the token, SigV4."""

    def answer(self, method, target, headers, body):
        headers = Headers(headers)
        assert headers.get('x-amz-security-token') == SESSION_TOKEN, (method, target)
        assert headers.get('Authorization', '').startswith('AWS4-HMAC-SHA256 '), (method, target)
        return FakeS3.answer(self, method, target, headers, body)

    def bucket(self):
        return bucket_of(self)


def bucket_of(s3, endpoint_url='http://s3.fake.test:8000'):
    return s3.connect(TOKEN, endpoint_url=endpoint_url).get_bucket(BUCKET)


@pytest.fixture
def s3():
    s3 = TransferS3(BUCKET)
    # Objects stored before December 2024 have no checksum unless the client
    # sent one: the MD5 and byte-count paths (the CRC64NVME that S3 stores
    # for every newer object is tested in tests/functional/transfer/test_checksums.py).
    s3.default_crc64nvme = False
    return s3


@pytest.fixture
def default_crc64nvme(s3):
    """``s3`` as S3 is since December 2024: an object stored without a checksum gets a
    full-object CRC64NVME (FakeS3's own default).  Used as
    ``@pytest.mark.usefixtures('default_crc64nvme')``, on a test or a module."""
    s3.default_crc64nvme = True
    return s3


@pytest.fixture
def no_crt(monkeypatch):
    """stsboto without awscrt: the detection finds nothing (the fake keeps its own)."""
    monkeypatch.setattr(checksums, '_find_crt', lambda name: None)
    monkeypatch.setattr(checksums, '_CACHE', {})


def plain(data):
    """The ETag of ``data`` stored by a single PUT: its MD5."""
    return '"%s"' % hashlib.md5(data).hexdigest()


def stored(s3, key, data):
    s3.objects[key] = (data, plain(data), {})


def fail_part(number, status=403, code='AccessDenied', extra=''):
    """A hook failing the upload of part ``number``."""
    def hook(method, key, query, headers):
        if method == 'PUT' and query.get('partNumber') == str(number):
            return status, code, extra
        return None
    return hook


def settle():
    """Wait (bounded) for any transfer worker still running, so that a request a
    buggy transfer left in flight reaches the fake before the assertions."""
    for thread in threading.enumerate():
        if thread.name.startswith('stsboto-'):
            thread.join(10)


class ReadsAllOnZero(object):
    """A duck-typed reader for which read(0) means "everything" (as boto's Key.read does)."""

    def __init__(self, data):
        self._data = io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data)

    def read(self, size=0):
        return self._data.read() if not size else self._data.read(size)


@pytest.fixture
def ctrl_c():
    """Press Ctrl-C from a worker, as the terminal would: SIGINT for the main thread.

    Python's own SIGINT handler stays in place (what stsboto.transfer looks
    for); ``press()`` returns once the transfer has recorded the press, so the
    worker that pressed is still in flight when the main thread reacts.
    """
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    recorded = threading.Event()
    real_handler = transfer.crew.CtrlC._handler

    def handler(self, signum, frame):
        real_handler(self, signum, frame)
        recorded.set()

    def press():
        _thread.interrupt_main()
        assert recorded.wait(10), 'the main thread never got the interrupt'
    with mock.patch.object(transfer.crew.CtrlC, '_handler', handler):
        yield press
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
