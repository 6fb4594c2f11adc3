# -*- coding: utf-8 -*-
"""Functional tests of stsboto.transfer.downloader: ranges, order, integrity and errors, over the fake S3."""
from __future__ import absolute_import, division, print_function, unicode_literals

import hashlib
import io
import os

import pytest

from stsboto import transfer
from stsboto.transfer import MiB, IntegrityError, TransferError
from tests.factories import payload
from tests.transfer_support import SMALL_PARTS, TOKEN, stored


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
