# -*- coding: utf-8 -*-
"""Functional tests of stsboto.transfer.checksums: the checksums uploads send and downloads check.

CRC32 flexible checksums (issue 14).  The server that proves a corrupted
body is refused is ours (tests/s3server.py, loopback): moto 5.2 does not
verify the checksums a client sends.

S3's CRC64NVME and CRC32C (issue 23 item 1).  S3 stores a full-object
CRC64NVME with every object uploaded without a checksum since December 2024
(FakeS3 does the same: ``default_crc64nvme`` for every test here); downloads
check it per range in the workers when awscrt is installed, and fall back to
the MD5 of a plain ETag without it.  Uploads send CRC64NVME only when asked.
The references here are not stsboto's: tests/fakehttp.py's table CRC64NVME,
and awscrt where installed (a test dependency on Python 3.8+).
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import hashlib
import io
import logging
import xml.etree.ElementTree as ET

import pytest

import stsboto
from stsboto import transfer
from stsboto.exceptions import UnverifiedUploadWarning
from stsboto.transfer import MiB, TransferConfig, TransferError, checksums
from tests.factories import payload
from tests.fakehttp import FakeS3, crc32_b64, crc64nvme_b64
from tests.s3server import serving_s3
from tests.transfer_support import BUCKET, PARTS, TOKEN, bucket_of, needs_crt, plain

pytestmark = pytest.mark.usefixtures('default_crc64nvme')

CRC64NVME_PARTS = PARTS.replace(checksum='crc64nvme')
KiB = 1024


@pytest.fixture
def no_md5(monkeypatch):
    monkeypatch.setattr(transfer.downloader, 'Md5Follower', None)


def flip_byte_of_part(number):
    """Corrupt one byte of part ``number`` (or of a single PUT: 0) on its way to the server."""
    def mangle(method, key, query, body):
        if query.get('partNumber', '0') == str(number) and body:
            changed = bytearray(body)
            changed[100] ^= 0xff
            return bytes(changed)
        return None
    return mangle


# ---------------------------------------------------------------------------
# CRC32 is sent (issue 14 item 1)


def test_single_put_carries_crc32_and_no_md5(s3):
    data = payload(1000)
    result = transfer.upload(bucket_of(s3), 'small.bin', io.BytesIO(data))
    (put,) = s3.requests('PUT')
    assert put[3]['x-amz-checksum-crc32'] == crc32_b64(data)
    assert 'Content-MD5' not in put[3]
    assert result.verified is True and s3.objects['small.bin'][0] == data


def test_multipart_declares_crc32_and_lists_it_at_completion(s3):
    data = payload(12 * MiB + 5)
    result = transfer.upload(bucket_of(s3), 'big.bin', io.BytesIO(data), config=PARTS)
    (start,) = s3.requests('POST', 'uploads')
    assert start[3]['x-amz-checksum-algorithm'] == 'CRC32'
    parts = sorted(s3.requests('PUT', 'partNumber'), key=lambda r: int(r[2]['partNumber']))
    chunks = [data[i:i + 5 * MiB] for i in range(0, len(data), 5 * MiB)]
    assert [r[3]['x-amz-checksum-crc32'] for r in parts] == [crc32_b64(c) for c in chunks]
    assert all('Content-MD5' not in r[3] for r in parts)
    assert s3.objects['big.bin'][0] == data
    assert result.verified is True and result.parts == 3


# ---------------------------------------------------------------------------
# A corrupted body is refused by the verifying server (loopback).  The payload
# is not signed here, as over HTTPS: over HTTP the SigV4 payload hash alone
# would already refuse it (XAmzContentSHA256Mismatch).


@pytest.mark.parametrize('checksum', ['crc32', 'md5'])
def test_corrupted_part_is_refused_and_the_upload_aborted(checksum):
    with serving_s3(FakeS3(BUCKET)) as (s3, endpoint_url):
        s3.mangle = flip_byte_of_part(2)
        bucket = stsboto.connect_with_token(TOKEN, endpoint_url=endpoint_url).get_bucket(BUCKET)
        with pytest.raises(TransferError) as info:
            transfer.upload(bucket, 'big.bin', io.BytesIO(payload(12 * MiB)),
                            config=PARTS.replace(checksum=checksum,
                                                 payload_signing_enabled=False))
    assert info.value.cause.status == 400 and info.value.cause.error_code == 'BadDigest'
    assert '(part 2 of 3)' in str(info.value) and info.value.aborted is True
    assert s3.uploads == {} and 'big.bin' not in s3.objects


def test_corrupted_single_put_is_refused():
    with serving_s3(FakeS3(BUCKET)) as (s3, endpoint_url):
        s3.mangle = flip_byte_of_part(0)
        bucket = stsboto.connect_with_token(TOKEN, endpoint_url=endpoint_url).get_bucket(BUCKET)
        with pytest.raises(TransferError) as info:
            transfer.upload(bucket, 'small.bin', io.BytesIO(payload(4000)),
                            payload_signing_enabled=False)
    assert info.value.cause.error_code == 'BadDigest'
    assert 'nothing was stored' in str(info.value) and s3.objects == {}


def test_server_without_flexible_checksums_is_not_taken_as_verified(s3, caplog):
    s3.flexible_checksums = False        # ignores x-amz-checksum-*, never answers with one
    with caplog.at_level(logging.WARNING, logger='stsboto.transfer'):
        # a warning of its own class too, for programs that do not read logs, pointing
        # at the caller's line (the single PUT and the multipart path alike)
        with pytest.warns(UnverifiedUploadWarning) as caught:
            small = transfer.upload(bucket_of(s3), 'a', io.BytesIO(b'abc'))
            big = transfer.upload(bucket_of(s3), 'b', io.BytesIO(payload(6 * MiB)), config=PARTS)
    assert small.verified is False and big.verified is False
    assert "checksum='md5'" in caplog.text
    ours = [w for w in caught if issubclass(w.category, UnverifiedUploadWarning)]
    assert [str(w.message).split(': ')[0] for w in ours] == ['s3://%s/a' % BUCKET, 's3://%s/b' % BUCKET]
    assert set(w.filename for w in ours) == set([__file__.replace('.pyc', '.py')])
    md5 = transfer.upload(bucket_of(s3), 'c', io.BytesIO(b'abc'), checksum='md5')
    assert md5.verified is True


def test_wrong_crc32_in_the_answer_is_an_integrity_error(s3):
    real = s3.check_body

    def lying(headers, body):
        failure, answer = real(headers, body)
        answer['x-amz-checksum-crc32'] = 'AAAAAA=='
        return failure, answer
    s3.check_body = lying
    with pytest.raises(transfer.IntegrityError) as info:
        transfer.upload(bucket_of(s3), 'k', io.BytesIO(payload(6 * MiB)), config=PARTS)
    assert 'CRC32' in str(info.value) and info.value.aborted is True


# ---------------------------------------------------------------------------
# Downloads check the stored CRC32 per range, in the workers (issue 14 item 3)


@pytest.mark.parametrize('dest', ['path', 'stream'])
def test_parallel_download_checks_the_stored_crc32_without_md5(s3, tmpdir, dest, monkeypatch):
    data = payload(5 * MiB + 3)
    s3.objects['k'] = (data, '"%s"' % hashlib.md5(data).hexdigest(), {})
    s3.checksums['k'] = crc32_b64(data)
    monkeypatch.setattr(transfer.downloader, 'Md5Follower', None)   # no MD5 at all
    out = str(tmpdir.join('out')) if dest == 'path' else io.BytesIO()
    result = transfer.download(bucket_of(s3), 'k', out, part_size=MiB, threshold=MiB)
    assert result.verified is True and result.parts == 6
    assert s3.requests('HEAD')[0][3]['x-amz-checksum-mode'] == 'ENABLED'


@pytest.mark.parametrize('threshold', [MiB, 100 * MiB])
def test_bytes_that_do_not_match_the_stored_crc32_are_refused(s3, tmpdir, threshold):
    data = payload(3 * MiB)
    s3.objects['k'] = (data, '"%s-3"' % ('0' * 32), {})
    s3.checksums['k'] = crc32_b64(data[:-1] + b'!')
    dest = tmpdir.join('out')
    with pytest.raises(transfer.IntegrityError) as info:
        transfer.download(bucket_of(s3), 'k', str(dest), part_size=MiB, threshold=threshold)
    assert 'CRC32' in str(info.value) and tmpdir.listdir() == []


def test_our_single_put_is_read_back_checked_by_its_crc32(s3):
    data = payload(3 * MiB)
    transfer.upload(bucket_of(s3), 'k', io.BytesIO(data))
    s3.objects['k'] = (data, '"%s-1"' % ('0' * 32), {})    # not an MD5 ETag
    assert transfer.download(bucket_of(s3), 'k', io.BytesIO(), part_size=MiB,
                             threshold=MiB).verified is True


def test_a_composite_checksum_is_not_taken_for_the_bytes_crc32(s3):
    transfer.upload(bucket_of(s3), 'k', io.BytesIO(payload(12 * MiB)), config=PARTS)
    assert s3.checksums['k'].endswith('-3')
    result = transfer.download(bucket_of(s3), 'k', io.BytesIO(), part_size=MiB, threshold=MiB)
    assert result.verified is False                 # a multipart ETag, a composite checksum


def test_a_multipart_object_whose_checksum_lost_its_suffix_is_not_checked_against_it(s3):
    # moto 5.2 answers a composite checksum without "-N" and without a type.
    transfer.upload(bucket_of(s3), 'k', io.BytesIO(payload(12 * MiB)), config=PARTS)
    s3.checksums['k'] = s3.checksums['k'].split('-')[0]
    s3.checksum_types = False
    result = transfer.download(bucket_of(s3), 'k', io.BytesIO(), part_size=MiB, threshold=MiB)
    assert result.verified is False


# ---------------------------------------------------------------------------
# CRC64NVME and CRC32C downloads (issue 23 item 1)


@needs_crt
@pytest.mark.parametrize('dest', ['path', 'stream'])
@pytest.mark.parametrize('etag', ['plain', 'multipart'])
def test_parallel_download_checks_the_default_crc64nvme_per_range(s3, tmpdir, dest, etag, no_md5):
    data = payload(5 * MiB + 3)
    s3.objects['k'] = (data, plain(data) if etag == 'plain' else '"%s-2"' % ('0' * 32), {})
    out = str(tmpdir.join('out')) if dest == 'path' else io.BytesIO()
    result = transfer.download(bucket_of(s3), 'k', out, part_size=MiB, threshold=MiB)
    assert result.verified is True and result.parts == 6
    (head,) = s3.requests('HEAD')
    assert head[3]['x-amz-checksum-mode'] == 'ENABLED'
    assert all('x-amz-checksum-mode' not in r[3] for r in s3.requests('GET'))
    got = tmpdir.join('out').read_binary() if dest == 'path' else out.getvalue()
    assert got == data


@needs_crt
def test_single_get_checks_the_default_crc64nvme(s3, no_md5):
    data = payload(300 * KiB)
    s3.objects['k'] = (data, '"%s-1"' % ('0' * 32), {})
    result = transfer.download(bucket_of(s3), 'k', io.BytesIO())
    assert result.verified is True and result.parts == 1


@needs_crt
@pytest.mark.parametrize('threshold', [MiB, 100 * MiB])
def test_bytes_that_do_not_match_the_stored_crc64nvme_are_refused(s3, tmpdir, threshold):
    data = payload(3 * MiB)
    s3.objects['k'] = (data, plain(data), {})
    s3.other_checksums['k'] = ('CRC64NVME', crc64nvme_b64(data[:-1] + b'!'))
    with pytest.raises(transfer.IntegrityError) as info:
        transfer.download(bucket_of(s3), 'k', str(tmpdir.join('out')), part_size=MiB,
                          threshold=threshold)
    assert 'CRC64NVME' in str(info.value) and crc64nvme_b64(data[:-1] + b'!') in str(info.value)
    assert tmpdir.listdir() == []
    assert s3.requests('GET')        # the bytes were fetched, then refused


@needs_crt
def test_a_stored_crc32c_is_checked_and_a_composite_one_is_not(s3, no_md5):
    from tests.fakehttp import crc32c_b64
    data = payload(3 * MiB + 1)
    s3.objects['k'] = (data, '"%s-3"' % ('0' * 32), {})
    s3.other_checksums['k'] = ('CRC32C', crc32c_b64(data))
    assert transfer.download(bucket_of(s3), 'k', io.BytesIO(), part_size=MiB,
                             threshold=MiB).verified is True
    s3.other_checksums['k'] = ('CRC32C', crc32c_b64(data[1:]))
    with pytest.raises(transfer.IntegrityError) as info:
        transfer.download(bucket_of(s3), 'k', io.BytesIO(), part_size=MiB, threshold=MiB)
    assert 'CRC32C' in str(info.value)
    s3.other_checksums['k'] = ('CRC32C', crc32c_b64(b'parts') + '-3')
    assert transfer.download(bucket_of(s3), 'k', io.BytesIO(), part_size=MiB,
                             threshold=MiB).verified is False


@pytest.mark.parametrize('threshold', [64 * KiB, 10 * MiB])
def test_without_awscrt_a_plain_etag_is_md5_checked_instead(s3, no_crt, threshold):
    data = payload(300 * KiB)
    s3.objects['k'] = (data, plain(data), {})
    result = transfer.download(bucket_of(s3), 'k', io.BytesIO(), part_size=64 * KiB,
                               threshold=threshold)
    head = s3.requests('HEAD')[0]
    assert head[3]['x-amz-checksum-mode'] == 'ENABLED'
    assert s3.other_checksums['k'][0] == 'CRC64NVME'      # the server did answer with it
    assert result.verified is True
    s3.objects['k'] = (data, plain(data[1:]), {})           # and the MD5 is what checks
    with pytest.raises(transfer.IntegrityError) as info:
        transfer.download(bucket_of(s3), 'k', io.BytesIO(), part_size=64 * KiB,
                          threshold=threshold)
    assert 'MD5' in str(info.value)


def test_without_awscrt_a_multipart_etag_object_is_not_verified(s3, no_crt):
    data = payload(300 * KiB)
    s3.objects['k'] = (data, '"%s-2"' % ('0' * 32), {})
    result = transfer.download(bucket_of(s3), 'k', io.BytesIO(), part_size=64 * KiB,
                               threshold=64 * KiB)
    assert result.verified is False and result.size == len(data)


@needs_crt
def test_the_md5_thread_is_not_started_when_a_crc64nvme_is_stored(s3, monkeypatch):
    started = []
    original = transfer.downloader.Md5Follower

    def follower(*args, **kwargs):
        started.append(args)
        return original(*args, **kwargs)
    monkeypatch.setattr(transfer.downloader, 'Md5Follower', follower)
    data = payload(2 * MiB)
    s3.objects['new'] = (data, plain(data), {})
    transfer.download(bucket_of(s3), 'new', io.BytesIO(), part_size=MiB, threshold=MiB)
    assert started == []
    s3.default_crc64nvme = False             # an object stored before December 2024
    s3.objects['old'] = (data, plain(data), {})
    assert transfer.download(bucket_of(s3), 'old', io.BytesIO(), part_size=MiB,
                             threshold=MiB).verified is True
    assert len(started) == 1


# ---------------------------------------------------------------------------
# CRC64NVME uploads


def test_crc32_stays_the_default(s3):
    data = payload(1000)
    transfer.upload(bucket_of(s3), 'k', io.BytesIO(data))
    (put,) = s3.requests('PUT')
    assert put[3]['x-amz-checksum-crc32'] == crc32_b64(data)
    assert 'x-amz-checksum-crc64nvme' not in put[3]
    assert TransferConfig().checksum == 'crc32'


@needs_crt
def test_single_put_with_crc64nvme(s3, no_md5):
    data = payload(2 * MiB + 1)           # sent from the file in blocks
    result = transfer.upload(bucket_of(s3), 'k', io.BytesIO(data), checksum='crc64nvme')
    (put,) = s3.requests('PUT')
    assert put[3]['x-amz-checksum-crc64nvme'] == crc64nvme_b64(data)
    assert put[3]['x-amz-sdk-checksum-algorithm'] == 'CRC64NVME'
    assert 'x-amz-checksum-crc32' not in put[3] and 'Content-MD5' not in put[3]
    assert result.verified is True and s3.objects['k'][0] == data
    assert s3.other_checksums['k'] == ('CRC64NVME', crc64nvme_b64(data))
    assert transfer.download(bucket_of(s3), 'k', io.BytesIO(), part_size=MiB,
                             threshold=MiB).verified is True


@needs_crt
def test_multipart_with_crc64nvme_is_full_object_and_sends_the_combined_value(s3, no_md5):
    data = payload(12 * MiB + 5)
    result = transfer.upload(bucket_of(s3), 'big', io.BytesIO(data), config=CRC64NVME_PARTS)
    (start,) = s3.requests('POST', 'uploads')
    assert start[3]['x-amz-checksum-algorithm'] == 'CRC64NVME'
    assert start[3]['x-amz-checksum-type'] == 'FULL_OBJECT'
    parts = sorted(s3.requests('PUT', 'partNumber'), key=lambda r: int(r[2]['partNumber']))
    chunks = [data[i:i + 5 * MiB] for i in range(0, len(data), 5 * MiB)]
    assert [r[3]['x-amz-checksum-crc64nvme'] for r in parts] == [crc64nvme_b64(c) for c in chunks]
    (complete,) = s3.requests('POST', 'uploadId')
    assert complete[3]['x-amz-checksum-crc64nvme'] == crc64nvme_b64(data)
    assert complete[3]['x-amz-checksum-type'] == 'FULL_OBJECT'
    assert result.verified is True and result.parts == 3
    assert s3.other_checksums['big'] == ('CRC64NVME', crc64nvme_b64(data))
    # A multipart object with a full-object checksum is checked when read back.
    got = io.BytesIO()
    assert transfer.download(bucket_of(s3), 'big', got, part_size=MiB,
                             threshold=MiB).verified is True
    assert got.getvalue() == data


@needs_crt
def test_a_stream_of_unknown_length_goes_full_object_too(s3, no_md5):
    data = payload(11 * MiB + 9)

    class Pipe(object):                    # no seek, no tell, no length
        def __init__(self):
            self.left = io.BytesIO(data)

        def read(self, size=-1):
            return self.left.read(size)
    result = transfer.upload(bucket_of(s3), 'piped', Pipe(), config=CRC64NVME_PARTS)
    assert result.verified is True and result.parts == 3 and result.size == len(data)
    (complete,) = s3.requests('POST', 'uploadId')
    assert complete[3]['x-amz-checksum-crc64nvme'] == crc64nvme_b64(data)


@needs_crt
def test_completion_lists_each_parts_crc64nvme(s3):
    bodies = []
    original = s3.complete

    def complete(upload_id, upload, body, headers=None):
        bodies.append(body)
        return original(upload_id, upload, body, headers)
    s3.complete = complete
    data = payload(11 * MiB)
    transfer.upload(bucket_of(s3), 'big', io.BytesIO(data), config=CRC64NVME_PARTS)
    root = ET.fromstring(bodies[0])
    listed = [p.find('ChecksumCRC64NVME').text for p in root]
    assert listed == [crc64nvme_b64(data[i:i + 5 * MiB]) for i in range(0, len(data), 5 * MiB)]


@needs_crt
def test_a_corrupted_part_is_refused_and_the_upload_aborted(s3):
    def mangle(method, key, query, body):
        if query.get('partNumber') == '2':
            return body[:100] + b'!' + body[101:]
        return None
    s3.mangle = mangle
    with pytest.raises(transfer.TransferError) as info:      # unsigned: the CRC must catch it
        transfer.upload(bucket_of(s3), 'big', io.BytesIO(payload(11 * MiB)), config=CRC64NVME_PARTS,
                        payload_signing_enabled=False)
    assert 'BadDigest' in str(info.value) and info.value.aborted is True
    assert s3.uploads == {} and 'big' not in s3.objects


@needs_crt
def test_a_wrong_combined_value_is_refused_at_completion(s3, monkeypatch):
    # If the combine were wrong, S3 would refuse the completion: the fake does too.
    monkeypatch.setattr(checksums.Crc, 'combine', lambda self, a, b, n: a ^ b)
    with pytest.raises(transfer.TransferError) as info:
        transfer.upload(bucket_of(s3), 'big', io.BytesIO(payload(11 * MiB)), config=CRC64NVME_PARTS)
    assert 'BadDigest' in str(info.value) and 'completing' in str(info.value)
    assert 'big' not in s3.objects


@needs_crt
def test_a_server_that_answers_another_full_object_checksum_is_an_integrity_error(s3):
    original = s3.complete

    def complete(upload_id, upload, body, headers=None):
        status, answer, text = original(upload_id, upload, body, headers)
        stored = s3.other_checksums['big'][1]
        return status, answer, text.replace(stored.encode('ascii'),
                                            crc64nvme_b64(b'other').encode('ascii'))
    s3.complete = complete
    with pytest.raises(transfer.IntegrityError) as info:
        transfer.upload(bucket_of(s3), 'big', io.BytesIO(payload(11 * MiB)), config=CRC64NVME_PARTS)
    assert 'CRC64NVME' in str(info.value)


# ---------------------------------------------------------------------------
# the loopback server answers as S3 does


def _request(endpoint_url, method, path, headers=None, body=None):
    from six.moves import http_client
    host, port = endpoint_url.split('//')[1].split(':')
    conn = http_client.HTTPConnection(host, int(port), timeout=10)
    try:
        # native strings: Python 2's httplib joins them with the (byte) body
        conn.request(str(method), str(path), body=body,
                     headers=dict((str(k), str(v)) for k, v in (headers or {}).items()))
        response = conn.getresponse()
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), \
            response.read()
    finally:
        conn.close()


def test_loopback_server_stores_and_returns_crc64nvme_as_s3_does():
    data = payload(200 * KiB)
    with serving_s3() as (s3, url):
        status, _, _ = _request(url, 'PUT', '/photos/k', {'Content-MD5': __import__(
            'base64').b64encode(hashlib.md5(data).digest()).decode('ascii')}, data)
        assert status == 200
        enabled = {'x-amz-checksum-mode': 'ENABLED'}
        for method in ('HEAD', 'GET'):
            status, headers, _ = _request(url, method, '/photos/k', enabled)
            assert headers['x-amz-checksum-crc64nvme'] == crc64nvme_b64(data)
            assert headers['x-amz-checksum-type'] == 'FULL_OBJECT'
            _, headers, _ = _request(url, method, '/photos/k')
            assert 'x-amz-checksum-crc64nvme' not in headers       # only when asked
        ranged = dict(enabled, Range='bytes=0-99')
        status, headers, body = _request(url, 'GET', '/photos/k', ranged)
        assert status == 206 and body == data[:100]
        assert not [h for h in headers if h.startswith('x-amz-checksum')]   # never for a range
        status, _, body = _request(url, 'PUT', '/photos/bad', {
            'x-amz-checksum-crc64nvme': crc64nvme_b64(data[1:])}, data)
        assert status == 400 and b'BadDigest' in body and 'bad' not in s3.objects
        status, headers, _ = _request(url, 'PUT', '/photos/good', {
            'x-amz-checksum-crc64nvme': crc64nvme_b64(data)}, data)
        assert status == 200 and headers['x-amz-checksum-crc64nvme'] == crc64nvme_b64(data)
        s3.default_crc64nvme = False
        s3.objects['old'] = (data, plain(data), {})
        _, headers, _ = _request(url, 'HEAD', '/photos/old', enabled)
        assert 'x-amz-checksum-crc64nvme' not in headers
