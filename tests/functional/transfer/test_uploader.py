# -*- coding: utf-8 -*-
"""Functional tests of stsboto.transfer.uploader: sizing, integrity and abort, over the fake S3."""
from __future__ import absolute_import, division, print_function, unicode_literals

import base64
import hashlib
import io

import mock
import pytest
import six

from stsboto import transfer
from stsboto.exceptions import StsbotoError
from stsboto.transfer import MiB, IntegrityError, TransferError
from tests.factories import payload
from tests.fakehttp import Headers
from tests.transfer_support import BUCKET, FIVE_PARTS, SMALL_PARTS, fail_part, settle

import boto.exception  # noqa: E402
import boto.s3.multipart  # noqa: E402


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
