# -*- coding: utf-8 -*-
"""stsboto.transfer against a real local S3 (moto server): the user stories.

A token holder uploads text and large files and gets back exactly what was
sent; a failed or interrupted multipart upload leaves nothing stored on the
server; and, with IAM enforcement on, the permissions a token needs for all
that are the real ones (no s3:ListMultipartUploadParts; s3:AbortMultipartUpload
for clean-up).

moto enforces the 5 MiB minimum for every part but the last (as S3 does) and
does not check Content-MD5, so the MD5 checks here are stsboto's own.
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import hashlib
import io
import os
import socket
import threading

import mock
import pytest

import stsboto
from stsboto import transfer
from stsboto.transfer import MiB, TransferConfig, TransferError, TransferInterrupted
from tests.integration.support import ADMIN_KEY, ADMIN_SECRET, create_assumable_role

import boto.exception  # noqa: E402  (after stsboto)
import boto.s3.multipart  # noqa: E402

pytestmark = pytest.mark.integration

BUCKET = 'transfers'
TEXT = 'Gr\u00fc\u00dfe, caf\u00e9, \u65e5\u672c\u8a9e, \u2603, \U0001F600\n' * 50
PARTS = TransferConfig(threshold=5 * MiB, part_size=5 * MiB, workers=4)


def data_of(size, seed=b'transfer'):
    block = hashlib.sha256(seed).digest() * 4096                  # 128 KiB
    chunks = [hashlib.md5(str(i).encode('ascii')).digest() + block[16:]
              for i in range(size // len(block) + 1)]
    return b''.join(chunks)[:size]


def multipart_etag(data, part_size):
    digests = b''.join(hashlib.md5(data[i:i + part_size]).digest()
                       for i in range(0, len(data), part_size))
    return '%s-%d' % (hashlib.md5(digests).hexdigest(), -(-len(data) // part_size))


@pytest.fixture
def admin_bucket(server, admin_s3):
    return admin_s3.create_bucket(BUCKET)


@pytest.fixture
def bucket(server, admin_bucket):
    """The bucket as a token holder sees it (federation token, SigV4, token header)."""
    token = stsboto.issue_token(bucket=BUCKET, endpoint_url=server.endpoint_url,
                                aws_access_key_id=ADMIN_KEY, aws_secret_access_key=ADMIN_SECRET)
    return stsboto.connect_with_token(token, endpoint_url=server.endpoint_url).get_bucket(BUCKET)


def stored(admin_bucket, name):
    return admin_bucket.get_key(name).get_contents_as_string()


# ---------------------------------------------------------------------------
# Text


def test_non_ascii_text_from_stringio_round_trips(bucket, admin_bucket):
    result = transfer.upload(bucket, 'notes/stringio.txt', io.StringIO(TEXT))
    expected = TEXT.encode('utf-8')
    assert stored(admin_bucket, 'notes/stringio.txt') == expected
    assert result.etag == hashlib.md5(expected).hexdigest() and result.size == len(expected)
    assert admin_bucket.get_key('notes/stringio.txt').content_type == 'text/plain;charset=utf-8'

    back = io.StringIO()
    transfer.download(bucket, 'notes/stringio.txt', back)
    assert back.getvalue() == TEXT


def test_non_ascii_text_file_round_trips(bucket, admin_bucket, tmpdir):
    path = str(tmpdir.join('notes.txt'))
    with io.open(path, 'w', encoding='utf-8') as handle:
        handle.write(TEXT)
    with io.open(path, 'r', encoding='utf-8') as handle:          # text mode on 2 and 3
        transfer.upload(bucket, 'notes/file.txt', handle)
    with open(path, 'r') as handle:                                # bytes on 2, text on 3
        transfer.upload(bucket, 'notes/builtin.txt', handle)
    with io.open(path, 'rb') as handle:
        on_disk = handle.read()
    assert stored(admin_bucket, 'notes/file.txt') == on_disk == TEXT.encode('utf-8')
    assert stored(admin_bucket, 'notes/builtin.txt') == on_disk

    copy = str(tmpdir.join('copy.txt'))
    with io.open(copy, 'w', encoding='utf-8') as handle:
        transfer.download(bucket, 'notes/file.txt', handle)
    with io.open(copy, 'r', encoding='utf-8') as handle:
        assert handle.read() == TEXT


def test_large_text_goes_multipart_sized_in_bytes(bucket, admin_bucket):
    text = '\u00e9\u2603' * (MiB + 100)                          # 5 MiB + 500 bytes as UTF-8
    result = transfer.upload(bucket, 'notes/big.txt', io.StringIO(text), config=PARTS)
    assert result.parts == 2
    assert stored(admin_bucket, 'notes/big.txt') == text.encode('utf-8')
    assert result.etag == multipart_etag(text.encode('utf-8'), 5 * MiB)


# ---------------------------------------------------------------------------
# Multipart and parallel downloads


def test_multipart_round_trip_checks_md5(bucket, admin_bucket, tmpdir):
    data = data_of(2 * 5 * MiB + 4321)                              # 3 parts
    source = tmpdir.join('in.bin')
    source.write_binary(data)
    seen = []
    result = transfer.upload(bucket, 'big/three.bin', str(source),
                             config=PARTS.replace(checksum='md5'),
                             progress=lambda done, total: seen.append((done, total)))
    assert result.parts == 3 and result.verified
    assert result.etag == multipart_etag(data, 5 * MiB)
    assert admin_bucket.get_key('big/three.bin').etag.strip('"') == result.etag
    assert stored(admin_bucket, 'big/three.bin') == data
    assert seen[-1] == (len(data), len(data))
    assert admin_bucket.get_all_multipart_uploads() == []

    dest = tmpdir.join('out.bin')
    back = transfer.download(bucket, 'big/three.bin', str(dest), part_size=2 * MiB, threshold=MiB)
    assert dest.read_binary() == data and back.parts == 6
    assert sorted(p.basename for p in tmpdir.listdir()) == ['in.bin', 'out.bin']


def test_crc32_multipart_against_moto_is_stored_but_not_claimed_verified(bucket, admin_bucket):
    # moto 5.2 keeps the CRC32 it is given without checking it, and answers
    # UploadPart without it: stsboto must not say the server verified it.
    data = data_of(2 * 5 * MiB + 1)
    result = transfer.upload(bucket, 'big/crc.bin', io.BytesIO(data), config=PARTS)
    assert result.parts == 3 and result.verified is False
    assert stored(admin_bucket, 'big/crc.bin') == data
    small = transfer.upload(bucket, 'small/crc.bin', io.BytesIO(b'abc'))
    assert small.verified is True                  # moto answers a PUT with the checksum sent


def test_crc32_stored_by_a_single_put_checks_a_ranged_download(bucket, admin_bucket):
    data = data_of(7 * MiB + 3)
    transfer.upload(bucket, 'one-put-crc.bin', io.BytesIO(data), threshold=8 * MiB)
    out = io.BytesIO()
    result = transfer.download(bucket, 'one-put-crc.bin', out, part_size=MiB, threshold=MiB)
    assert out.getvalue() == data and result.verified is True and result.parts == 8


def test_parallel_ranged_download_of_a_single_put_object_is_md5_checked(bucket, admin_bucket):
    data = data_of(7 * MiB + 1)
    admin_bucket.new_key('one-put.bin').set_contents_from_string(data)
    out = io.BytesIO()
    result = transfer.download(bucket, 'one-put.bin', out, part_size=MiB, threshold=MiB,
                               workers=4)
    assert out.getvalue() == data
    assert result.parts == 8 and result.verified is True
    assert result.etag == hashlib.md5(data).hexdigest()


def test_stream_of_unknown_length(bucket, admin_bucket):
    data = data_of(11 * MiB)

    class Pipe(object):
        def __init__(self):
            self._data = io.BytesIO(data)

        def read(self, size=-1):
            return self._data.read(min(size, 100000) if size and size > 0 else -1)

    result = transfer.upload(bucket, 'pipe.bin', Pipe(), config=PARTS)
    assert result.parts == 3 and stored(admin_bucket, 'pipe.bin') == data


# ---------------------------------------------------------------------------
# Failures leave nothing on the server


def part_number(query_args):
    return int(dict(q.split('=', 1) for q in (query_args or '').split('&') if q)
               .get('partNumber', 0))


def on_part(number, action):
    """Run ``action()`` just before part ``number`` is sent (it may raise)."""
    real = transfer.uploader.put_body

    def put_body(bucket, name, data, headers, query_args=None, sent=None):
        if part_number(query_args) == number:
            action()
        return real(bucket, name, data, headers, query_args=query_args, sent=sent)
    return mock.patch.object(transfer.uploader, 'put_body', put_body)


def failing_part(number, error):
    def fail():
        raise error
    return on_part(number, fail)


def test_failure_in_part_3_of_5_leaves_no_upload_and_no_object(bucket, admin_bucket):
    data = data_of(4 * 5 * MiB + 99)                                # 5 parts
    with failing_part(3, socket.error('connection reset by peer')):
        with pytest.raises(TransferError) as info:
            transfer.upload(bucket, 'big/five.bin', io.BytesIO(data), config=PARTS)
    error = info.value
    assert error.aborted is True and isinstance(error.cause, socket.error)
    assert 'part 3 of 5' in str(error) and 'aborted' in str(error)
    assert admin_bucket.get_all_multipart_uploads() == []
    assert admin_bucket.get_key('big/five.bin') is None


def test_ctrl_c_during_part_3_leaves_no_upload_and_no_object(bucket, admin_bucket, ctrl_c):
    with on_part(3, ctrl_c):                                    # Ctrl-C, as the terminal sends it
        with pytest.raises(TransferInterrupted) as info:
            transfer.upload(bucket, 'big/interrupted.bin', io.BytesIO(data_of(4 * 5 * MiB + 1)),
                            config=PARTS)
    assert isinstance(info.value, KeyboardInterrupt) and info.value.aborted is True
    assert admin_bucket.get_all_multipart_uploads() == []
    assert admin_bucket.get_key('big/interrupted.bin') is None


def test_missing_key_and_no_partial_file(bucket, tmpdir):
    with pytest.raises(TransferError) as info:
        transfer.download(bucket, 'nothing-here', str(tmpdir.join('x')))
    assert 'does not exist' in str(info.value)
    assert tmpdir.listdir() == []


# ---------------------------------------------------------------------------
# With IAM enforcement: the permissions a token really needs


def role_token(server, iam, actions):
    """A token for a role allowed ``actions`` on BUCKET/*, with enforcement then on."""
    policy = {'Version': '2012-10-17', 'Statement': [{
        'Effect': 'Allow', 'Action': list(actions), 'Resource': 'arn:aws:s3:::%s/*' % BUCKET}]}
    key, secret, role_arn = create_assumable_role(iam, 'mover', 'job-user', policy)
    server.enforce_iam()
    return stsboto.assume_role(role_arn, 'job-1', endpoint_url=server.endpoint_url,
                               aws_access_key_id=key, aws_secret_access_key=secret)


def enforced_bucket(server, token):
    return stsboto.connect_with_token(token, endpoint_url=server.endpoint_url).get_bucket(BUCKET)


def test_put_and_get_are_enough_for_multipart_and_ranged_transfers(server, iam, admin_bucket):
    token = role_token(server, iam, ['s3:PutObject', 's3:GetObject'])
    bucket = enforced_bucket(server, token)
    data = data_of(2 * 5 * MiB + 1)
    transfer.upload(bucket, 'big/enforced.bin', io.BytesIO(data), config=PARTS)
    out = io.BytesIO()
    transfer.download(bucket, 'big/enforced.bin', out, part_size=2 * MiB, threshold=MiB)
    assert out.getvalue() == data
    # boto's own complete_upload() lists the parts first (ListParts), which
    # this token may not do; boto 2.49 then fails with a TypeError, as
    # MultiPartUpload.get_all_parts returns None on a 403.
    upload = bucket.initiate_multipart_upload('big/boto-way.bin')
    upload.upload_part_from_file(io.BytesIO(b'x'), 1)
    server.start_recording()
    with pytest.raises((TypeError, boto.exception.S3ResponseError)):
        upload.complete_upload()
    server.stop_recording()
    listing = [r for r in server.recorded_requests() if r.method == 'GET']
    assert listing and 'uploadId' in listing[0].query


def test_abort_refused_without_abort_permission_is_reported(server, iam, admin_s3):
    admin_s3.create_bucket(BUCKET)
    token = role_token(server, iam, ['s3:PutObject', 's3:GetObject'])
    with failing_part(2, socket.error('connection reset by peer')):
        with pytest.raises(TransferError) as info:
            transfer.upload(enforced_bucket(server, token), 'big/stuck.bin',
                            io.BytesIO(data_of(3 * 5 * MiB)), config=PARTS)
    error = info.value
    assert error.aborted is False and error.abort_error.status == 403
    assert 's3:AbortMultipartUpload' in str(error) and error.upload_id in str(error)
    server.enforce_iam(False)
    listed = admin_s3.get_bucket(BUCKET).get_all_multipart_uploads()
    assert [u.id for u in listed] == [error.upload_id]


def test_abort_permission_lets_the_token_clean_up(server, iam, admin_s3):
    admin_s3.create_bucket(BUCKET)
    token = role_token(server, iam, ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'])
    with failing_part(2, socket.error('connection reset by peer')):
        with pytest.raises(TransferError) as info:
            transfer.upload(enforced_bucket(server, token), 'big/clean.bin',
                            io.BytesIO(data_of(3 * 5 * MiB)), config=PARTS)
    assert info.value.aborted is True
    server.enforce_iam(False)
    assert admin_s3.get_bucket(BUCKET).get_all_multipart_uploads() == []


# boto's own SigV4 signer cannot sign a non-ASCII key on Python 2;
# stsboto.s3.S3SigV4Handler.canonical_uri can.  Without IAM
# enforcement: moto 5.2's own SigV4 check refuses every percent-encoded path
# (non-ASCII, '+', '=', '%'...), from boto3 as well; boto's canonical path
# equals botocore's for those keys.
def test_non_ascii_key_name(bucket, admin_bucket):
    name = 'd\u00e9j\u00e0 vu/\u65e5\u672c ~+.txt'
    transfer.upload(bucket, name, io.StringIO(TEXT))
    assert [k.name for k in admin_bucket.list()] == [name]
    back = io.StringIO()
    transfer.download(bucket, name, back)
    assert back.getvalue() == TEXT


def test_no_stray_files_or_threads(bucket, tmpdir):
    before = threading.active_count()
    transfer.upload(bucket, 'k', io.BytesIO(data_of(6 * MiB)), config=PARTS)
    transfer.download(bucket, 'k', str(tmpdir.join('k')), part_size=MiB, threshold=MiB)
    assert threading.active_count() == before
    assert os.listdir(str(tmpdir)) == ['k']
