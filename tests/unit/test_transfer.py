# -*- coding: utf-8 -*-
"""stsboto.transfer: sizing, text, integrity, abort, interrupt and progress rules.

The S3 here is ``tests.fakehttp.FakeS3`` under boto's real code: a real
``TokenS3Connection`` builds, signs and sends every request, and only the
socket is replaced (``tests/s3server.py`` serves the same fake on loopback).
The fake checks ``Content-MD5``, CRC32 checksums and SigV4 payload hashes as
S3 does, and records every request, so the tests see the wire behaviour:
which requests were made, in which order, with which headers.
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import base64
import hashlib
import io
import os
import signal
import threading

import mock
import pytest
import six
from six.moves import _thread

import stsboto
from stsboto import transfer
from stsboto.exceptions import InvalidParameterError, StsbotoError
from stsboto.transfer import (MiB, IntegrityError, TransferConfig, TransferError,
                              TransferInterrupted, plan_parts)
from tests.factories import make_token
from tests.fakehttp import FakeS3, Headers
from tests.s3server import serving_s3

import boto.exception  # noqa: E402
import boto.s3.multipart  # noqa: E402

TOKEN = make_token(serial=7)
ACCESS_KEY, SECRET_KEY, SESSION_TOKEN = TOKEN.access_key, TOKEN.secret_key, TOKEN.session_token
BUCKET = 'photos'
TEXT = 'caf\u00e9 \u2603 na\u00efve \U0001F600 \u65e5\u672c\n'
MD5 = TransferConfig(checksum='md5')


class TransferS3(FakeS3):
    """FakeS3 plus what every request here must carry: the token, SigV4."""

    def answer(self, method, target, headers, body):
        headers = Headers(headers)
        assert headers.get('x-amz-security-token') == SESSION_TOKEN, (method, target)
        assert headers.get('Authorization', '').startswith('AWS4-HMAC-SHA256 '), (method, target)
        return FakeS3.answer(self, method, target, headers, body)

    def bucket(self):
        return self.connect(TOKEN).get_bucket(BUCKET)


@pytest.fixture
def s3():
    s3 = TransferS3(BUCKET)
    # Objects stored before December 2024 have no checksum unless the client
    # sent one: the MD5 and byte-count paths (the CRC64NVME that S3 stores
    # for every newer object is tested in test_transfer_crc64nvme.py).
    s3.default_crc64nvme = False
    return s3


def fail_part(number, status=403, code='AccessDenied', extra=''):
    """A hook failing the upload of part ``number``."""
    def hook(method, key, query, headers):
        if method == 'PUT' and query.get('partNumber') == str(number):
            return status, code, extra
        return None
    return hook


def payload(size, seed=b'stsboto'):
    """``size`` bytes that differ from part to part (so a misplaced part shows)."""
    block = hashlib.sha256(seed).digest() * 2048        # 64 KiB
    count = size // len(block) + 1
    data = b''.join(hashlib.md5(str(i).encode('ascii')).digest() + block[16:]
                    for i in range(count))
    return data[:size]


def settle():
    """Wait (bounded) for any transfer worker still running, so that a request a
    buggy transfer left in flight reaches the fake before the assertions."""
    for thread in threading.enumerate():
        if thread.name.startswith('stsboto-'):
            thread.join(10)


FIVE_PARTS = 4 * 5 * MiB + 12345              # 5 parts of 5 MiB (the last one smaller)
SMALL_PARTS = TransferConfig(threshold=5 * MiB, part_size=5 * MiB, workers=4)


class NonSeekable(object):
    """A pipe-like binary stream: no tell/seek, short reads."""

    def __init__(self, data, step=70000):
        self._data = io.BytesIO(data)
        self._step = step

    def read(self, size=-1):
        if size is None or size < 0:
            return self._data.read()
        return self._data.read(min(size, self._step))


# ---------------------------------------------------------------------------
# Part sizing and configuration


def test_plan_parts_default_is_8_mib():
    assert plan_parts(100 * MiB) == (8 * MiB, 13)
    assert plan_parts(8 * MiB) == (8 * MiB, 1)


def test_plan_parts_never_below_5_mib():
    assert plan_parts(100 * MiB, part_size=1 * MiB) == (5 * MiB, 20)
    assert plan_parts(12 * MiB, part_size=1) == (5 * MiB, 3)


def test_plan_parts_keeps_to_10000_parts():
    assert plan_parts(10000 * 8 * MiB) == (8 * MiB, 10000)
    part_size, count = plan_parts(10000 * 8 * MiB + 1)
    assert part_size == 9 * MiB and count <= 10000
    for size in (10 ** 11, 2 * 1024 ** 4 + 7, transfer.MAX_OBJECT_SIZE):
        part_size, count = plan_parts(size)
        assert count <= transfer.MAX_PARTS
        assert part_size >= transfer.MIN_PART_SIZE and part_size % MiB == 0
        assert (count - 1) * part_size < size <= count * part_size


def test_plan_parts_rejects_objects_above_5_tib():
    with pytest.raises(InvalidParameterError) as info:
        plan_parts(transfer.MAX_OBJECT_SIZE + 1)
    assert info.value.field == 'size'


def test_plan_parts_of_empty_object_is_one_part():
    assert plan_parts(0) == (8 * MiB, 1)


@pytest.mark.parametrize('field,value', [
    ('threshold', -1), ('threshold', 1.5), ('threshold', True), ('part_size', 0),
    ('part_size', transfer.MAX_PART_SIZE + 1), ('workers', 0), ('workers', '4'),
])
def test_config_rejects_bad_values(field, value):
    with pytest.raises(InvalidParameterError) as info:
        TransferConfig(**{field: value})
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


def test_config_is_immutable_and_replace_keeps_unset_fields():
    config = TransferConfig(threshold=1, workers=2)
    with pytest.raises(AttributeError):
        config.workers = 3
    assert config.replace(workers=None, part_size=6 * MiB) == TransferConfig(1, 6 * MiB, 2)
    assert TransferConfig() == TransferConfig(8 * MiB, None, 4)


def test_arguments_override_config(s3):
    bucket = s3.bucket()
    transfer.upload(bucket, 'a.bin', io.BytesIO(b'x' * 100), threshold=100,
                    config=TransferConfig(threshold=10 ** 6))
    assert s3.requests('POST', 'uploads')                 # 100 >= threshold 100: multipart


def test_bad_arguments_send_nothing(s3):
    bucket = s3.bucket()
    with pytest.raises(InvalidParameterError):
        transfer.upload(bucket, 'a', io.BytesIO(b'x'), encoding='no-such-codec')
    with pytest.raises(InvalidParameterError):
        transfer.upload(bucket, '', io.BytesIO(b'x'))
    with pytest.raises(InvalidParameterError):
        transfer.upload(bucket, 'a', 42)
    with pytest.raises(InvalidParameterError):
        transfer.download(bucket, 'a', io.BytesIO(), progress='not callable')
    assert s3.log == []


# ---------------------------------------------------------------------------
# Threshold: one PUT below, multipart at or above


def test_below_threshold_is_one_put_with_content_md5(s3):
    data = payload(999)
    result = transfer.upload(s3.bucket(), 'small.bin', io.BytesIO(data), threshold=1000,
                             checksum='md5')
    assert [r[0] for r in s3.log] == ['PUT']
    assert s3.log[0][3]['Content-MD5'] == base64.b64encode(hashlib.md5(data).digest()).decode()
    assert s3.objects['small.bin'][0] == data
    assert result == transfer.TransferResult('small.bin', 999, hashlib.md5(data).hexdigest(),
                                             1, True)


def test_at_threshold_is_multipart(s3):
    data = payload(1000)
    result = transfer.upload(s3.bucket(), 'edge.bin', io.BytesIO(data), threshold=1000)
    assert [(r[0], sorted(r[2])) for r in s3.log] == [
        ('POST', ['uploads']), ('PUT', ['partNumber', 'uploadId']), ('POST', ['uploadId'])]
    assert s3.objects['edge.bin'][0] == data
    assert result.parts == 1 and result.etag.endswith('-1')


def test_empty_source_is_one_put_even_with_zero_threshold(s3):
    transfer.upload(s3.bucket(), 'empty', io.BytesIO(b''), threshold=0)
    transfer.upload(s3.bucket(), 'empty2', NonSeekable(b''), threshold=0)
    assert [r[0] for r in s3.log] == ['PUT', 'PUT']
    assert s3.objects['empty'][0] == s3.objects['empty2'][0] == b''


def test_multipart_parts_carry_content_md5_and_final_etag_is_checked(s3, tmpdir):
    data = payload(FIVE_PARTS)
    path = tmpdir.join('big.bin')
    path.write_binary(data)
    result = transfer.upload(s3.bucket(), 'big.bin', str(path),
                             config=SMALL_PARTS.replace(checksum='md5'))
    parts = s3.requests('PUT', 'partNumber')
    assert sorted(int(r[2]['partNumber']) for r in parts) == [1, 2, 3, 4, 5]
    for number in range(5):
        chunk = data[number * 5 * MiB:(number + 1) * 5 * MiB]
        sent = [r for r in parts if r[2]['partNumber'] == str(number + 1)][0]
        assert sent[3]['Content-MD5'] == base64.b64encode(hashlib.md5(chunk).digest()).decode()
    digests = b''.join(hashlib.md5(data[i:i + 5 * MiB]).digest()
                       for i in range(0, len(data), 5 * MiB))
    assert result.etag == '%s-5' % hashlib.md5(digests).hexdigest()
    assert s3.objects['big.bin'][0] == data
    assert s3.uploads == {}


def test_completing_does_not_list_parts(s3):
    # boto's complete_upload() sends ListParts first, which needs
    # s3:ListMultipartUploadParts: an upload-only token would be refused.
    transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(6 * MiB)), config=SMALL_PARTS)
    assert not [r for r in s3.log if r[0] == 'GET']


def test_one_connection_serves_all_workers_without_sharing_a_socket(s3):
    transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(FIVE_PARTS)),
                    config=SMALL_PARTS.replace(workers=5))
    assert s3.overlaps == []
    assert 1 <= s3.connections <= 5 + 1          # one per worker at most (+ the caller's)


def test_real_keep_alive_connections_are_shared_safely(s3):
    """The same fake behind a real HTTP/1.1 server on 127.0.0.1: boto's pool
    hands each thread a socket nobody else is using and reuses them."""
    with serving_s3(s3) as (_, endpoint_url):
        bucket = stsboto.connect_with_token(TOKEN, endpoint_url=endpoint_url).get_bucket(BUCKET)
        data = payload(FIVE_PARTS)
        config = SMALL_PARTS.replace(workers=3)
        transfer.upload(bucket, 'k', io.BytesIO(data), config=config)
        out = io.BytesIO()
        transfer.download(bucket, 'k', out, part_size=MiB, threshold=MiB, workers=3)
    clients = s3.clients
    assert s3.objects['k'][0] == data == out.getvalue()
    sockets = set(clients)
    assert len(clients) >= 5 + 6 + 3 and len(sockets) <= 3 + 1    # reused, one per thread


def test_content_type_is_guessed_and_headers_are_sent(s3):
    transfer.upload(s3.bucket(), 'pic.jpg', io.BytesIO(b'x'), headers={'x-amz-meta-owner': 'u42'})
    stored = Headers(s3.objects['pic.jpg'][2])
    assert stored['Content-Type'] == 'image/jpeg'
    assert stored['x-amz-meta-owner'] == 'u42'


def test_sse_c_headers_go_with_every_part(s3):
    sse = {'x-amz-server-side-encryption-customer-algorithm': 'AES256',
           'x-amz-server-side-encryption-customer-key': 'a2V5',
           'x-amz-server-side-encryption-customer-key-MD5': 'bWQ1'}
    headers = dict(sse, **{'x-amz-meta-a': 'b'})
    transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(6 * MiB)), headers=headers,
                    config=SMALL_PARTS)
    for request in s3.requests('PUT', 'partNumber'):
        for name, value in sse.items():
            assert request[3][name] == value
        assert 'x-amz-meta-a' not in request[3]


def test_unknown_length_stream_decides_after_reading_the_threshold(s3):
    data = payload(FIVE_PARTS)
    seen = []
    result = transfer.upload(s3.bucket(), 'pipe.bin', NonSeekable(data), config=SMALL_PARTS,
                             progress=lambda done, total: seen.append((done, total)))
    assert s3.objects['pipe.bin'][0] == data
    assert result.parts == 5 and result.size == len(data)
    assert seen[0] == (0, None) and seen[-1] == (len(data), len(data))
    assert all(total is None for _, total in seen[:-1])


def test_stream_beyond_10000_parts_is_refused_and_aborted(s3):
    class Endless(object):
        def read(self, size):
            return b'\0' * size

    with mock.patch.object(transfer.uploader, "MAX_PARTS", 3):
        with pytest.raises(TransferError) as info:
            transfer.upload(s3.bucket(), 'k', Endless(), config=SMALL_PARTS.replace(workers=1))
    assert 'larger part_size' in str(info.value)
    assert info.value.aborted is True
    assert s3.uploads == {} and 'k' not in s3.objects


def test_source_that_shrinks_while_read_is_an_integrity_error(s3):
    class Liar(io.BytesIO):
        def tell(self):                               # at the end, claims 8 MiB more
            position = io.BytesIO.tell(self)
            return position + 8 * MiB if position == len(self.getvalue()) else position

    with pytest.raises(IntegrityError) as info:
        transfer.upload(s3.bucket(), 'k', Liar(payload(3 * MiB)), config=SMALL_PARTS)
    assert 'shrank' in str(info.value)
    assert s3.uploads == {} and 'k' not in s3.objects


# ---------------------------------------------------------------------------
# Text is encoded before it is sized and hashed (boto issue 2868)


def test_boto_alone_mangles_non_ascii_text(s3):
    # boto sizes the text in characters and hashes other bytes than it sends:
    # a server that checks (as S3 does, and this fake) refuses the request.
    key = s3.bucket().new_key('raw.txt')
    with pytest.raises(boto.exception.S3ResponseError) as info:
        key.set_contents_from_file(io.StringIO(TEXT))
    assert info.value.error_code in ('XAmzContentSHA256Mismatch', 'BadDigest')
    assert 'raw.txt' not in s3.objects


def test_stringio_is_sent_as_utf8(s3):
    result = transfer.upload(s3.bucket(), 'note.txt', io.StringIO(TEXT))
    expected = TEXT.encode('utf-8')
    assert s3.objects['note.txt'][0] == expected
    assert result.size == len(expected) and result.etag == hashlib.md5(expected).hexdigest()
    assert Headers(s3.objects['note.txt'][2])['Content-Type'] == 'text/plain;charset=utf-8'


def test_text_file_is_sent_in_the_encoding_asked(s3, tmpdir):
    path = str(tmpdir.join('note.txt'))
    with io.open(path, 'w', encoding='utf-8') as handle:
        handle.write(TEXT * 100)
    with io.open(path, 'r', encoding='utf-8') as handle:
        transfer.upload(s3.bucket(), 'a.txt', handle)
    with io.open(path, 'r', encoding='utf-8') as handle:
        transfer.upload(s3.bucket(), 'b.txt', handle, encoding='utf-16-le')
    utf16 = (TEXT * 100).encode('utf-16-le')
    assert s3.objects['a.txt'][0] == (TEXT * 100).encode('utf-8')
    assert s3.objects['b.txt'][:2] == (utf16, '"%s"' % hashlib.md5(utf16).hexdigest())


def test_large_text_goes_multipart_in_bytes_not_characters(s3):
    text = '\u2603' * (2 * MiB) + 'end'               # 6 MiB + 3 bytes once encoded
    result = transfer.upload(s3.bucket(), 'snow.txt', io.StringIO(text), config=SMALL_PARTS)
    assert s3.objects['snow.txt'][0] == text.encode('utf-8')
    assert result.parts == 2 and result.size == 6 * MiB + 3


class ReadsAllOnZero(object):
    """A duck-typed reader for which read(0) means "everything" (as boto's Key.read does)."""

    def __init__(self, data):
        self._data = io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data)

    def read(self, size=0):
        return self._data.read() if not size else self._data.read(size)


@pytest.mark.parametrize('content', [b'\x00\xffbinary' * 1000, TEXT * 100])
def test_duck_typed_sources_are_not_probed_with_read_0(s3, content):
    transfer.upload(s3.bucket(), 'k', ReadsAllOnZero(content))
    expected = content if isinstance(content, bytes) else content.encode('utf-8')
    assert s3.objects['k'][0] == expected


def test_sources_are_classified_by_type():
    assert transfer.streams._kind_of(io.StringIO(), transfer.streams._TEXT_READERS) == 'text'
    assert transfer.streams._kind_of(io.BytesIO(), transfer.streams._TEXT_READERS) == 'binary'
    assert transfer.streams._kind_of(ReadsAllOnZero(b''), transfer.streams._TEXT_READERS) is None


def test_duck_typed_destinations_get_no_empty_write_and_text_is_detected(s3):
    stored(s3, 'k', TEXT.encode('utf-8'))

    class Chunked(object):                    # an empty write would end the body
        def __init__(self):
            self.parts = []

        def write(self, data):
            assert data, 'empty write'
            self.parts.append(data)

    class TextOnly(Chunked):
        def write(self, data):
            if not isinstance(data, six.text_type):
                raise TypeError('text expected')
            Chunked.write(self, data)

    binary, text = Chunked(), TextOnly()
    transfer.download(s3.bucket(), 'k', binary)
    transfer.download(s3.bucket(), 'k', text)
    assert b''.join(binary.parts) == TEXT.encode('utf-8')
    assert ''.join(text.parts) == TEXT


def test_text_that_cannot_be_encoded_fails_before_anything_is_stored(s3):
    with pytest.raises(TransferError) as info:
        transfer.upload(s3.bucket(), 'k', io.StringIO(TEXT), encoding='ascii')
    assert isinstance(info.value.cause, UnicodeEncodeError)
    assert s3.log == []


# ---------------------------------------------------------------------------
# Failures: abort, cause, nothing left behind


def test_failure_in_part_3_of_5_aborts_once_and_keeps_the_cause(s3):
    s3.hooks.append(fail_part(3))
    real_cancel = boto.s3.multipart.MultiPartUpload.cancel_upload
    with mock.patch.object(boto.s3.multipart.MultiPartUpload, 'cancel_upload', autospec=True,
                           side_effect=real_cancel) as cancel:
        with pytest.raises(TransferError) as info:
            transfer.upload(s3.bucket(), 'big.bin', io.BytesIO(payload(FIVE_PARTS)),
                            config=SMALL_PARTS)
    error = info.value
    assert cancel.call_count == 1
    assert isinstance(error, StsbotoError) and not isinstance(error, IntegrityError)
    assert isinstance(error.cause, boto.exception.S3ResponseError)
    assert error.cause.status == 403
    if six.PY3:
        assert error.__cause__ is error.cause
    assert error.key == 'big.bin' and error.bucket == BUCKET
    assert error.upload_id and error.aborted is True and error.abort_error is None
    message = str(error)
    assert 'part 3 of 5' in message and 'AccessDenied' in message
    assert 'aborted' in message and error.upload_id in message
    settle()
    assert s3.uploads == {} and 'big.bin' not in s3.objects
    # The abort came after every part in flight had ended: nothing can land after it.
    assert s3.log[-1][0] == 'DELETE' and s3.late_parts == []


def test_failure_with_one_worker_stops_taking_parts(s3):
    s3.hooks.append(fail_part(3))
    with pytest.raises(TransferError):
        transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(FIVE_PARTS)),
                        config=SMALL_PARTS.replace(workers=1))
    assert sorted(r[2]['partNumber'] for r in s3.requests('PUT', 'partNumber')) == ['1', '2', '3']


def test_abort_that_fails_is_reported_with_the_upload_id(s3):
    s3.hooks.append(fail_part(2))
    s3.hooks.append(lambda method, key, query, headers:
                    (403, 'AccessDenied') if method == 'DELETE' else None)
    with pytest.raises(TransferError) as info:
        transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(FIVE_PARTS)), config=SMALL_PARTS)
    error = info.value
    assert error.aborted is False
    assert isinstance(error.abort_error, boto.exception.S3ResponseError)
    assert 'aborting multipart upload %s failed too' % error.upload_id in str(error)
    assert 's3:AbortMultipartUpload' in str(error)
    assert list(s3.uploads) == [error.upload_id]


def test_failed_single_put_says_nothing_was_stored(s3):
    s3.hooks.append(lambda method, key, query, headers: (403, 'AccessDenied'))
    with pytest.raises(TransferError) as info:
        transfer.upload(s3.bucket(), 'k', io.BytesIO(b'data'))
    assert info.value.upload_id is None and info.value.aborted is False
    assert 'nothing was stored' in str(info.value)


def test_failed_initiation_has_nothing_to_abort(s3):
    s3.hooks.append(lambda method, key, query, headers: (403, 'AccessDenied'))
    with pytest.raises(TransferError) as info:
        transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(6 * MiB)), config=SMALL_PARTS)
    assert info.value.upload_id is None
    assert 'starting the multipart upload' in str(info.value)
    assert [r[0] for r in s3.log] == ['POST']


def test_messages_and_causes_never_hold_the_token_or_secret(s3):
    # S3 echoes the token in InvalidToken and ExpiredToken answers.
    s3.hooks.append(fail_part(2, 400, 'InvalidToken', '<Token-0>%s</Token-0>' % SESSION_TOKEN))
    with pytest.raises(TransferError) as info:
        transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(FIVE_PARTS)), config=SMALL_PARTS)
    for text in (str(info.value), str(info.value.cause), repr(info.value.cause.args)):
        assert SESSION_TOKEN not in text and SECRET_KEY not in text
    assert 'InvalidToken' in str(info.value)


def test_wrong_single_put_etag_is_an_integrity_error(s3):
    s3.etag_override = {'put': '"%s"' % ('0' * 32)}
    with pytest.raises(IntegrityError) as info:
        transfer.upload(s3.bucket(), 'k', io.BytesIO(b'data'), checksum='md5')
    assert info.value.upload_id is None
    assert 'the object was stored' in str(info.value)      # S3 answered 200: it is there


def test_failed_completion_aborts(s3):
    s3.hooks.append(lambda method, key, query, headers:
                    (400, 'InvalidPart') if method == 'POST' and 'uploadId' in query else None)
    with pytest.raises(TransferError) as info:
        transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(6 * MiB)), config=SMALL_PARTS)
    assert '(completing the upload)' in str(info.value) and info.value.aborted is True
    assert s3.uploads == {} and 'k' not in s3.objects


def test_wrong_part_etag_aborts(s3):
    s3.etag_override = {'part': '"%s"' % ('0' * 32)}
    with pytest.raises(IntegrityError) as info:
        transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(6 * MiB)),
                        config=SMALL_PARTS.replace(checksum='md5'))
    assert info.value.aborted is True and s3.uploads == {}


def test_wrong_final_etag_says_the_object_was_written(s3):
    s3.etag_override = {'complete': '"%s-2"' % ('0' * 32)}
    with pytest.raises(IntegrityError) as info:
        transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(6 * MiB)),
                        config=SMALL_PARTS.replace(checksum='md5'))
    assert 'was written' in str(info.value) and info.value.aborted is False
    assert 'k' in s3.objects


# ---------------------------------------------------------------------------
# Ctrl-C


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


def test_ctrl_c_is_deferred_only_under_pythons_default_handler():
    def own(signum, frame):
        pass
    previous = signal.signal(signal.SIGINT, own)
    try:
        ctrl_c = transfer.crew.CtrlC().install()
        assert signal.getsignal(signal.SIGINT) is own
        ctrl_c.restore()
    finally:
        signal.signal(signal.SIGINT, previous)
    ctrl_c = transfer.crew.CtrlC().install()
    try:
        assert signal.getsignal(signal.SIGINT) == ctrl_c._handler
        ctrl_c._handler(signal.SIGINT, None)
        with pytest.raises(KeyboardInterrupt):
            ctrl_c.check()
        ctrl_c.check()                          # one press, one KeyboardInterrupt
    finally:
        ctrl_c.restore()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_while_the_upload_is_created_still_aborts_it(s3, ctrl_c):
    # pressed while S3 creates the multipart upload (SIGTERM under the CLI): before,
    # the KeyboardInterrupt left the new upload open on the server
    def hook(method, key, query, headers):
        if method == 'POST' and 'uploads' in query:
            ctrl_c()
    s3.hooks.append(hook)
    with pytest.raises(TransferInterrupted) as info:
        transfer.upload(s3.bucket(), 'big.bin', io.BytesIO(payload(FIVE_PARTS)), config=SMALL_PARTS)
    assert info.value.aborted is True and 'aborted' in str(info.value)
    settle()
    assert s3.uploads == {} and 'big.bin' not in s3.objects


def test_ctrl_c_during_part_3_aborts_and_stays_a_keyboard_interrupt(s3, ctrl_c):
    def hook(method, key, query, headers):
        if method == 'PUT' and query.get('partNumber') == '3':
            ctrl_c()
            # Part 3 is in flight: the abort must wait for it.  Give an abort
            # sent too early the time to arrive first (bounded: the right
            # behaviour just waits the whole time).
            s3.aborted.wait(1)
    s3.hooks.append(hook)
    real_cancel = boto.s3.multipart.MultiPartUpload.cancel_upload
    with mock.patch.object(boto.s3.multipart.MultiPartUpload, 'cancel_upload', autospec=True,
                           side_effect=real_cancel) as cancel:
        with pytest.raises(KeyboardInterrupt) as info:
            transfer.upload(s3.bucket(), 'big.bin', io.BytesIO(payload(FIVE_PARTS)),
                            config=SMALL_PARTS)
    error = info.value
    assert isinstance(error, TransferInterrupted) and not isinstance(error, Exception)
    assert cancel.call_count == 1
    assert error.aborted is True and 'aborted' in str(error)
    settle()
    assert s3.uploads == {} and 'big.bin' not in s3.objects
    assert s3.log[-1][0] == 'DELETE' and s3.late_parts == []


def test_ctrl_c_in_the_calling_thread_aborts(s3):
    def progress(done, total):
        if done > 5 * MiB:
            raise KeyboardInterrupt()
    with pytest.raises(TransferInterrupted) as info:
        transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(FIVE_PARTS)), config=SMALL_PARTS,
                        progress=progress)
    assert info.value.aborted is True and s3.uploads == {}


def test_ctrl_c_during_download_leaves_no_file(s3, ctrl_c, tmpdir):
    s3.objects['big.bin'] = (payload(FIVE_PARTS), '"x"', {})
    s3.hooks.append(lambda method, key, query, headers:
                    ctrl_c() if headers.get('Range', '').startswith('bytes=%d-' % (2 * MiB))
                    else None)
    dest = tmpdir.join('big.bin')
    with pytest.raises(TransferInterrupted):
        transfer.download(s3.bucket(), 'big.bin', str(dest), part_size=1 * MiB, threshold=MiB)
    assert tmpdir.listdir() == []


# ---------------------------------------------------------------------------
# Progress


def record_progress():
    calls = []

    def progress(done, total):
        calls.append((done, total, threading.current_thread()))
    return calls, progress


@pytest.mark.parametrize('size', [10, FIVE_PARTS])
def test_upload_progress_runs_in_the_calling_thread_and_ends_at_the_total(s3, size):
    calls, progress = record_progress()
    transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(size)), config=SMALL_PARTS,
                    progress=progress)
    assert calls[0][:2] == (0, size) and calls[-1][:2] == (size, size)
    assert all(c[2] is threading.current_thread() for c in calls)
    done = [c[0] for c in calls]
    assert done == sorted(done) and len(set(done)) == len(done)
    assert all(c[1] == size for c in calls)


def test_download_progress_runs_in_the_calling_thread_and_ends_at_the_total(s3):
    data = payload(3 * MiB + 5)
    s3.objects['k'] = (data, '"%s"' % hashlib.md5(data).hexdigest(), {})
    calls, progress = record_progress()
    transfer.download(s3.bucket(), 'k', io.BytesIO(), part_size=MiB, threshold=MiB,
                      progress=progress)
    assert calls[0][:2] == (0, len(data)) and calls[-1][:2] == (len(data), len(data))
    assert all(c[2] is threading.current_thread() for c in calls)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def test_progress_callback_failure_aborts_and_is_the_cause(s3):
    def progress(done, total):
        if done:
            raise RuntimeError('progress bar broke')
    with pytest.raises(TransferError) as info:
        transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(6 * MiB)), config=SMALL_PARTS,
                        progress=progress)
    assert isinstance(info.value.cause, RuntimeError) and info.value.aborted is True


# ---------------------------------------------------------------------------
# Downloads


def stored(s3, key, data):
    s3.objects[key] = (data, '"%s"' % hashlib.md5(data).hexdigest(), {})


def test_parallel_ranged_download_writes_in_order_and_checks_md5(s3, tmpdir):
    data = payload(5 * MiB + 7)
    stored(s3, 'k', data)
    dest = tmpdir.join('out.bin')
    result = transfer.download(s3.bucket(), 'k', str(dest), part_size=MiB, threshold=MiB)
    assert dest.read_binary() == data
    assert result == transfer.TransferResult('k', len(data), hashlib.md5(data).hexdigest(), 6,
                                             True)
    ranges = sorted(r[3]['Range'] for r in s3.requests('GET'))
    assert len(ranges) == 6 and 'bytes=%d-%d' % (5 * MiB, 5 * MiB + 6) in ranges
    assert all(r[3]['If-Match'] == s3.objects['k'][1] for r in s3.requests('GET'))
    assert s3.overlaps == []
    assert tmpdir.listdir() == [dest]


def test_download_to_a_non_seekable_stream(s3):
    data = payload(4 * MiB)
    stored(s3, 'k', data)
    chunks = []

    class Pipe(object):
        def write(self, chunk):
            chunks.append(bytes(chunk))
    transfer.download(s3.bucket(), 'k', Pipe(), part_size=MiB, threshold=MiB, workers=3)
    assert b''.join(chunks) == data


def test_download_to_text_decodes_across_range_boundaries(s3):
    text = 'a' + '\u2603' * (MiB // 2) + '\U0001F600'    # ranges cut characters in two
    stored(s3, 'k', text.encode('utf-8'))
    out = io.StringIO()
    transfer.download(s3.bucket(), 'k', out, part_size=MiB, threshold=MiB)
    assert out.getvalue() == text
    out = io.StringIO()
    stored(s3, 'k16', text.encode('utf-16'))
    transfer.download(s3.bucket(), 'k16', out, encoding='utf-16')
    assert out.getvalue() == text


def test_download_of_corrupt_bytes_fails_and_keeps_the_old_file(s3, tmpdir):
    s3.objects['k'] = (payload(3 * MiB), '"%s"' % hashlib.md5(b'other').hexdigest(), {})
    dest = tmpdir.join('out.bin')
    dest.write_binary(b'previous')
    with pytest.raises(IntegrityError) as info:
        transfer.download(s3.bucket(), 'k', str(dest), part_size=MiB, threshold=MiB)
    assert 'MD5' in str(info.value) and 'nothing was written' in str(info.value)
    assert dest.read_binary() == b'previous'
    assert tmpdir.listdir() == [dest]


def test_short_range_is_an_integrity_error(s3):
    stored(s3, 'k', payload(3 * MiB))
    real_get = s3.get

    def short_get(method, key, headers):
        status, answer, body = real_get(method, key, headers)
        if headers.get('Range', '').startswith('bytes=%d-' % MiB):
            body = body[:-1]                       # a server that sends one byte less
        return status, answer, body
    s3.get = short_get
    with pytest.raises(IntegrityError) as info:
        transfer.download(s3.bucket(), 'k', io.BytesIO(), part_size=MiB, threshold=MiB)
    assert 'bytes %d-%d' % (MiB, 2 * MiB - 1) in str(info.value)


def test_object_changed_during_download_fails_with_412(s3):
    stored(s3, 'k', payload(3 * MiB))

    def change(method, key, query, headers):
        if method == 'GET' and 'Range' in headers:
            stored(s3, 'k', payload(3 * MiB, seed=b'new version'))
    s3.hooks.append(change)
    out = io.BytesIO()
    with pytest.raises(TransferError) as info:
        transfer.download(s3.bucket(), 'k', out, part_size=MiB, threshold=MiB)
    assert '412' in str(info.value) and 'changed' in str(info.value)
    assert 'the destination holds the first' in str(info.value)


def test_multipart_etag_is_not_taken_for_an_md5(s3):
    data = payload(2 * MiB)
    s3.objects['k'] = (data, '"%s-2"' % hashlib.md5(b'x').hexdigest(), {})
    out = io.BytesIO()
    result = transfer.download(s3.bucket(), 'k', out, part_size=MiB, threshold=MiB)
    assert out.getvalue() == data and result.verified is False


def test_missing_key(s3):
    with pytest.raises(TransferError) as info:
        transfer.download(s3.bucket(), 'nope', io.BytesIO())
    assert str(info.value) == 's3://photos/nope does not exist' and info.value.key == 'nope'


def test_missing_bucket_is_not_reported_as_a_missing_key(s3):
    # the HEAD's 404 has no body to tell them apart; one ranged GET reads S3's code
    bucket = s3.connect(TOKEN).get_bucket('albums', validate=False)
    with pytest.raises(TransferError) as info:
        transfer.download(bucket, 'nope', io.BytesIO())
    assert str(info.value) == 'the bucket albums does not exist (asked for s3://albums/nope)'
    assert info.value.bucket == 'albums' and info.value.key == 'nope'


def test_small_object_is_one_get(s3, tmpdir):
    stored(s3, 'k', b'hello')
    path = tmpdir.join('x')
    result = transfer.download(s3.bucket(), 'k', str(path))
    assert path.read_binary() == b'hello' and result.parts == 1 and result.verified
    assert [r[0] for r in s3.log] == ['HEAD', 'GET'] and 'Range' not in s3.log[1][3]


def test_empty_object(s3):
    stored(s3, 'k', b'')
    out = io.BytesIO()
    assert transfer.download(s3.bucket(), 'k', out, threshold=0).size == 0
    assert out.getvalue() == b''


def test_round_trip_through_the_fake(s3, tmpdir):
    data = payload(11 * MiB + 3)
    source = tmpdir.join('in.bin')
    source.write_binary(data)
    bucket = s3.bucket()
    transfer.upload(bucket, 'dir/photo.bin', str(source), config=SMALL_PARTS)
    dest = tmpdir.join('out.bin')
    transfer.download(bucket, 'dir/photo.bin', str(dest), config=SMALL_PARTS)
    assert dest.read_binary() == data
    if hasattr(os, 'fspath'):
        import pathlib
        transfer.download(bucket, 'dir/photo.bin', pathlib.Path(str(dest)))
        assert dest.read_binary() == data


# The boto #2558 / #2846 family (stsboto.s3.S3SigV4Handler.canonical_uri signs them on 2.7).
def test_non_ascii_key_names(s3):
    name = 'dir/\u00e9t\u00e9 ~\u65e5.bin'
    data = payload(6 * MiB)
    transfer.upload(s3.bucket(), name, io.BytesIO(data), config=SMALL_PARTS)
    out = io.BytesIO()
    transfer.download(s3.bucket(), name, out, part_size=MiB, threshold=MiB)
    assert s3.objects[name][0] == data == out.getvalue()


def test_a_crew_interrupted_while_starting_lets_its_started_workers_finish():
    # SIGTERM (a KeyboardInterrupt in the CLI) during Crew.start(): some workers never
    # started; draining the crew must not try to join those (RuntimeError before).
    from stsboto.transfer.crew import Crew
    crew = Crew(3, lambda c: None, 'test')
    real_start = crew._threads[1].start

    def interrupted():
        raise KeyboardInterrupt()
    crew._threads[1].start = interrupted
    with pytest.raises(KeyboardInterrupt):
        crew.start()
    crew._threads[1].start = real_start
    assert list(crew.messages()) == []          # the one started worker found no task
    assert crew._threads[2].ident is None
