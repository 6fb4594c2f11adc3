# -*- coding: utf-8 -*-
"""stsboto.transfer.downloader: range planning, the checksum a HEAD offers, what is checked, and errors."""
from __future__ import absolute_import, division, print_function, unicode_literals

import base64
import hashlib
import io
import socket
import struct
import threading
import zlib

import pytest

from stsboto import transfer
from stsboto.transfer import IntegrityError, TransferConfig, TransferError, TransferInterrupted
from stsboto.transfer import checksums, downloader
from tests.transfer_support import SECRET_KEY, SESSION_TOKEN

import boto.exception  # noqa: E402  (after stsboto: importable on 3.12+)

DATA = b'0123456789'                               # 10 bytes: ranges of 4 are 0-3, 4-7, 8-9
MULTIPART_ETAG = '"%s-3"' % hashlib.md5(b'parts').hexdigest()
TINY = TransferConfig(threshold=4, part_size=4, workers=3, use_threads=False)


def plain(data):
    return '"%s"' % hashlib.md5(data).hexdigest()


def crc32_header(data):
    return base64.b64encode(struct.pack('>I', zlib.crc32(data) & 0xffffffff)).decode('ascii')


class Response(object):
    """What boto hands back: a status, headers, a body read in pieces."""

    def __init__(self, status=200, headers=None, body=b'', fail=None):
        self.status = status
        self.headers = dict(headers or {})
        self._body = io.BytesIO(body)
        self._fail = fail
        self.reads = 0

    def getheader(self, name, default=None):
        return self.headers.get(name, default)

    def read(self, size=-1):
        self.reads += 1
        if self._fail is not None:
            raise self._fail
        return self._body.read(size)


class Stored(object):
    """The HEAD's answer as boto's Key has it."""

    def __init__(self, size, etag, encrypted):
        self.size, self.etag, self.encrypted = size, etag, encrypted


class ReadKey(object):
    """``bucket.new_key(name)`` of the fake: open_read() answers from the bucket's bytes."""

    def __init__(self, bucket):
        self.bucket = bucket
        self.resp = None
        self.closed = None

    def open_read(self, headers=None):
        self.bucket.requests.append(('GET', dict(headers)))
        body = self.bucket.data
        status = 200
        if 'Range' in headers:
            first, last = [int(n) for n in headers['Range'][len('bytes='):].split('-')]
            body = body[first:last + 1]
            status = self.bucket.range_status
        self.resp = Response(status, body=body, fail=self.bucket.fail_read)

    def close(self, fast=False):
        self.closed = 'fast' if fast else 'read to the end'
        self.bucket.closed.append(self.closed)


class FakeBucket(object):
    """A boto Bucket as the downloader uses it, in memory: HEAD, GETs, the token's secrets."""

    def __init__(self, data=DATA, etag=None, head=None, size=None, encrypted=None,
                 range_status=206, fail_read=None, name='photos'):
        self.name = name
        self.data = data
        self.stored = Stored(len(data) if size is None else size,
                             plain(data) if etag is None else etag, encrypted)
        self.head = dict(head or {})
        self.range_status = range_status
        self.fail_read = fail_read
        self.requests = []
        self.closed = []
        self.provider = type(str('Provider'), (object,), {})()
        self.provider.secret_key, self.provider.security_token = SECRET_KEY, SESSION_TOKEN
        self.connection = self

    def _get_key_internal(self, name, headers, query_args_l):
        self.requests.append(('HEAD', dict(headers)))
        if self.stored is None:
            return None, Response(404)
        return self.stored, Response(200, self.head)

    def new_key(self, name):
        return ReadKey(self)

    def make_request(self, method, bucket, key, headers=None):
        self.requests.append((method, dict(headers)))
        return self.answer_to_get


def gets(bucket):
    return [headers for method, headers in bucket.requests if method == 'GET']


@pytest.fixture
def crt_everywhere(monkeypatch):
    """CRC32C and CRC64NVME parse (and "compute") whatever awscrt says: the choice is tested,
    not the arithmetic, and on every Python (awscrt is a py3.8+ test dependency)."""
    monkeypatch.setattr(checksums, '_find_crt', lambda name: lambda data, previous=0: 0)
    monkeypatch.setattr(checksums, '_CACHE', {})


def head_choice(bucket):
    _, stored = downloader._Download(bucket, 'k', None, TINY, {}, None)._head()
    return None if stored is None else (stored[0].name, stored[1])


# -- range planning ----------------------------------------------------------------------


def test_ranges_cover_the_object_exactly_and_carry_the_callers_headers():
    bucket = FakeBucket()
    headers = {'x-amz-request-payer': 'requester'}
    out = io.BytesIO()
    result = transfer.download(bucket, 'k', out, config=TINY, headers=headers)
    assert out.getvalue() == DATA
    assert result == transfer.TransferResult('k', 10, hashlib.md5(DATA).hexdigest(), 3, True)
    assert bucket.requests[0] == ('HEAD', {'x-amz-request-payer': 'requester',
                                           'x-amz-checksum-mode': 'ENABLED'})
    assert gets(bucket) == [{'x-amz-request-payer': 'requester', 'If-Match': plain(DATA),
                             'Range': 'bytes=%s' % span} for span in ('0-3', '4-7', '8-9')]
    assert headers == {'x-amz-request-payer': 'requester'}           # the caller's dict as it was
    assert bucket.closed == ['read to the end'] * 3


@pytest.mark.parametrize('options', [
    {'threshold': 11},                   # below the threshold
    {'workers': 1},                      # one worker: one stream
    {'part_size': 10},                   # a single range
], ids=['below-threshold', 'one-worker', 'one-part'])
def test_one_plain_get_when_ranges_would_not_help(options):
    bucket = FakeBucket()
    out = io.BytesIO()
    result = transfer.download(bucket, 'k', out, config=TINY, **options)
    assert out.getvalue() == DATA and result.parts == 1 and result.verified is True
    assert gets(bucket) == [{'If-Match': plain(DATA)}]


def test_a_ranged_get_answered_with_the_whole_object_is_refused():
    bucket = FakeBucket(range_status=200)            # a server that ignores Range
    with pytest.raises(TransferError) as info:
        transfer.download(bucket, 'k', io.BytesIO(), config=TINY)
    assert str(info.value) == (
        'download of s3://photos/k failed (bytes 0-3): the server answered a ranged GET with '
        'HTTP 200, not 206 Partial Content; use a threshold above the object size; the '
        'destination holds the first 0 bytes')
    assert bucket.closed == ['fast'] and type(info.value) is TransferError


def test_a_cancelled_fetch_returns_none_without_reading_and_no_etag_means_no_if_match():
    bucket = FakeBucket()
    cancelled = threading.Event()
    cancelled.set()
    keys = []
    bucket.new_key = lambda name: keys.append(ReadKey(bucket)) or keys[-1]
    got = downloader._fetch(bucket, 'k', 4, 7, None, {'h': 'v'}, lambda chunk: 1 / 0, cancelled)
    assert got is None and keys[0].resp.reads == 0 and keys[0].closed == 'fast'
    assert gets(bucket) == [{'h': 'v', 'Range': 'bytes=4-7'}]


# -- what is checked -----------------------------------------------------------------------


@pytest.mark.parametrize('encrypted, headers', [
    ('aws:kms', {}),
    (None, {'X-Amz-Server-Side-Encryption-Customer-Algorithm': 'AES256'}),
], ids=['sse-kms', 'sse-c'])
def test_an_encrypted_objects_etag_is_not_taken_for_its_md5(encrypted, headers):
    bucket = FakeBucket(etag=plain(b'not these bytes'), encrypted=encrypted)
    out = io.BytesIO()
    result = transfer.download(bucket, 'k', out, config=TINY, headers=headers)
    assert out.getvalue() == DATA and result.verified is False


def test_an_sse_s3_objects_etag_is_still_its_md5():
    bucket = FakeBucket(etag=plain(b'not these bytes'), encrypted='AES256')
    with pytest.raises(IntegrityError) as info:
        transfer.download(bucket, 'k', io.BytesIO(), config=TINY)
    assert 'the MD5 of the bytes received is %s; the ETag says %s' % (
        hashlib.md5(DATA).hexdigest(), hashlib.md5(b'not these bytes').hexdigest()) in str(info.value)


def test_fewer_bytes_than_the_head_said_is_an_integrity_error_even_without_a_checksum():
    bucket = FakeBucket(size=11, etag=MULTIPART_ETAG)       # nothing else to check it by
    with pytest.raises(IntegrityError) as info:
        transfer.download(bucket, 'k', io.BytesIO(), config=TINY, threshold=100)
    assert str(info.value) == ('download of s3://photos/k failed: 10 bytes received, the object '
                               'has 11; the destination holds the first 10 bytes')


# -- the checksum a HEAD offers ------------------------------------------------------------


@pytest.mark.parametrize('kind, etag, taken', [
    (None, plain(DATA), True),
    ('FULL_OBJECT', MULTIPART_ETAG, True),
    ('COMPOSITE', plain(DATA), False),
    (None, MULTIPART_ETAG, False),                  # moto 5.2: a composite without its type
], ids=['untyped-plain-etag', 'full-object', 'composite', 'untyped-multipart-etag'])
def test_a_crc32_is_taken_only_when_it_is_of_the_whole_object(kind, etag, taken):
    head = {'x-amz-checksum-crc32': crc32_header(DATA)}
    if kind is not None:
        head['x-amz-checksum-type'] = kind
    expected = ('CRC32', zlib.crc32(DATA) & 0xffffffff) if taken else None
    assert head_choice(FakeBucket(etag=etag, head=head)) == expected


def test_crc64nvme_comes_first_and_is_always_of_the_whole_object(crt_everywhere):
    head = {'x-amz-checksum-crc32': crc32_header(DATA),
            'x-amz-checksum-crc64nvme': base64.b64encode(struct.pack('>Q', 42)).decode('ascii'),
            'x-amz-checksum-crc32c': base64.b64encode(struct.pack('>I', 7)).decode('ascii')}
    assert head_choice(FakeBucket(head=head)) == ('CRC64NVME', 42)
    assert head_choice(FakeBucket(head=head, etag=MULTIPART_ETAG)) == ('CRC64NVME', 42)


def test_a_checksum_that_cannot_be_read_or_computed_gives_way_to_the_next(no_crt):
    crc32 = ('CRC32', zlib.crc32(DATA) & 0xffffffff)
    unreadable = {'x-amz-checksum-crc32c': 'not base64!', 'x-amz-checksum-crc32': crc32_header(DATA)}
    without_crt = {'x-amz-checksum-crc64nvme': 'AAAAAAAAACo=', 'x-amz-checksum-crc32': crc32_header(DATA)}
    assert head_choice(FakeBucket(head=unreadable)) == crc32
    assert head_choice(FakeBucket(head=without_crt)) == crc32
    assert head_choice(FakeBucket(head={'x-amz-checksum-crc32': 'AAAA'})) is None   # 3 bytes


def test_a_boto_without_get_key_internal_heads_through_get_key():
    class OldBucket(FakeBucket):
        _get_key_internal = None

        def get_key(self, name, headers=None):
            self.requests.append(('get_key', dict(headers)))
            return self.stored
    bucket = OldBucket(head={'x-amz-checksum-crc32': crc32_header(DATA)})
    download = downloader._Download(bucket, 'k', None, TINY, {'a': 'b'}, None)
    assert download._head() == (bucket.stored, None)
    assert bucket.requests == [('get_key', {'a': 'b', 'x-amz-checksum-mode': 'ENABLED'})]


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize('answer', [socket.error('connection reset'), 'a 403'],
                         ids=['no-connection', 'a-403'])
def test_a_missing_key_stays_missing_when_the_bucket_question_gets_no_answer(answer):
    bucket = FakeBucket()
    bucket.stored = None
    if isinstance(answer, socket.error):
        def make_request(*args, **kwargs):
            raise answer
        bucket.make_request = make_request
    else:
        bucket.answer_to_get = Response(403, body=b'<Error><Code>NoSuchBucket</Code></Error>')
    with pytest.raises(TransferError) as info:
        transfer.download(bucket, 'nope', io.BytesIO())
    assert str(info.value) == 's3://photos/nope does not exist'
    assert info.value.bucket == 'photos' and info.value.key == 'nope'


def test_a_refused_head_names_the_step_masks_the_secret_and_leaves_the_file(tmpdir):
    bucket = FakeBucket()
    body = ('<Error><Code>AccessDenied</Code><Message>no, %s</Message></Error>'
            % SESSION_TOKEN).encode('utf-8')

    def refused(name, headers, query_args_l):
        raise boto.exception.S3ResponseError(403, 'Forbidden', body)
    bucket._get_key_internal = refused
    dest = tmpdir.join('cat.jpg')
    dest.write_binary(b'old')
    with pytest.raises(TransferError) as info:
        transfer.download(bucket, 'k', str(dest))
    message = str(info.value)
    assert message.startswith('download of s3://photos/k failed (reading its size (HEAD)): '
                              '403 Forbidden AccessDenied: no, ')
    assert message.endswith(' (does the token allow this action on this key?)')
    assert SESSION_TOKEN not in message and SESSION_TOKEN not in str(info.value.cause.body)
    assert info.value.cause.status == 403 and type(info.value) is TransferError
    assert tmpdir.listdir() == [dest] and dest.read_binary() == b'old'


@pytest.mark.parametrize('failure, kind, text', [
    (boto.exception.StorageDataError('truncated'), IntegrityError,
     'download of s3://photos/k failed: StorageDataError: BotoClientError: truncated; '
     'nothing was written to '),
    (KeyboardInterrupt(), TransferInterrupted,
     'download of s3://photos/k interrupted; nothing was written to '),
], ids=['storage-data-error', 'ctrl-c'])
def test_a_failure_while_reading_is_classified_and_the_temporary_file_removed(
        tmpdir, failure, kind, text):
    dest = tmpdir.join('cat.jpg')
    with pytest.raises(kind) as info:
        transfer.download(FakeBucket(fail_read=failure), 'k', str(dest))
    assert str(info.value) == text + str(dest) and info.value.cause is failure
    assert tmpdir.listdir() == []


def test_an_exit_while_reading_passes_through_unwrapped(tmpdir):
    with pytest.raises(SystemExit) as info:
        transfer.download(FakeBucket(fail_read=SystemExit(3)), 'k', str(tmpdir.join('cat.jpg')))
    assert info.value.code == 3 and tmpdir.listdir() == []
