# -*- coding: utf-8 -*-
"""stsboto.transfer: CRC32 flexible checksums, payload signing, the synchronous crew,
keyword-only tuning, file modes and signals (issues 14, 13 and 11).

The server that proves a corrupted body is refused is ours (tests/s3server.py,
loopback): moto 5.2 does not verify the checksums a client sends.
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import base64
import hashlib
import io
import logging
import os
import signal
import stat
import struct
import threading
import zlib

import pytest
import six

import stsboto
from stsboto import transfer
from stsboto.exceptions import UnverifiedUploadWarning
from stsboto.transfer import MiB, TransferConfig, TransferError, TransferInterrupted
from tests.factories import make_token
from tests.fakehttp import FakeS3, crc32_b64
from tests.s3server import serving_s3
from tests import processes

TOKEN = make_token(serial=9)
BUCKET = 'photos'
PARTS = TransferConfig(threshold=5 * MiB, part_size=5 * MiB, workers=3)


def payload(size, seed=b'checksums'):
    block = hashlib.sha256(seed).digest() * 2048
    return b''.join(hashlib.md5(str(i).encode('ascii')).digest() + block[16:]
                    for i in range(size // len(block) + 1))[:size]


@pytest.fixture
def s3():
    return FakeS3(BUCKET)


def bucket_of(s3, endpoint_url='http://s3.fake.test:8000'):
    return s3.connect(TOKEN, endpoint_url=endpoint_url).get_bucket(BUCKET)


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


def test_crc32_header_value_is_big_endian_base64():
    # S3 User Guide, "Checking object integrity": CRC32 of "hello" is 0x3610a686.
    assert transfer.checksums.crc32_b64(b'hello') == base64.b64encode(
        b'\x36\x10\xa6\x86').decode('ascii')


def test_composite_crc32_is_the_crc32_of_the_part_checksums_and_their_count():
    # S3 User Guide, "Checking object integrity" (multipart uploads): the checksum of
    # the checksums, base64, then "-" and the number of parts.
    parts = [b'hello', b'world', b'!']
    raw = b''.join(struct.pack('>I', zlib.crc32(part) & 0xffffffff) for part in parts)
    wanted = base64.b64encode(struct.pack('>I', zlib.crc32(raw) & 0xffffffff)).decode('ascii')
    part_values = [base64.b64encode(raw[i:i + 4]).decode('ascii') for i in range(0, len(raw), 4)]
    assert transfer.checksums.composite_crc32(part_values) == wanted + '-3'
    # "hello" twice: CRC32 0x3610a686 twice, whose CRC32 is computed here the same way
    twice = base64.b64encode(struct.pack('>I', zlib.crc32(b'\x36\x10\xa6\x86' * 2) & 0xffffffff))
    assert transfer.checksums.composite_crc32(['NhCmhg==', 'NhCmhg==']) == twice.decode('ascii') + '-2'


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
# Memory: a single PUT of a file is sent from the file (issue 14 item 3, issue 12 item 7)


def test_single_put_of_a_file_is_sent_from_the_file_and_resent_on_retry(s3, tmpdir, monkeypatch):
    data = payload(3 * MiB + 5)
    path = tmpdir.join('in.bin')
    path.write_binary(data)
    bodies = []
    real = transfer.uploader.put_body

    def spy(bucket, name, body, headers, **kwargs):
        bodies.append(type(body).__name__)
        return real(bucket, name, body, headers, **kwargs)
    monkeypatch.setattr(transfer.uploader, 'put_body', spy)
    failed = []

    def once(method, key, query, headers):          # a 500 first: boto sends it again
        if method == 'PUT' and not failed:
            failed.append(1)
            return 500, 'InternalError'
    s3.hooks.append(once)
    bucket = bucket_of(s3)
    bucket.connection.num_retries = 1
    monkeypatch.setattr('random.random', lambda: 0.0)     # boto's back-off: no sleep
    result = transfer.upload(bucket, 'k', str(path), threshold=8 * MiB)
    assert bodies == ['FileBody'] and len(s3.requests('PUT')) == 2
    assert s3.objects['k'][0] == data and result.verified is True


# ---------------------------------------------------------------------------
# Downloads check the stored CRC32 per range, in the workers (issue 14 item 3)


def test_crc32_combine_matches_zlib():
    import zlib
    combine = transfer.checksums.crc32_combine
    for a, b in ((b'', b'x'), (b'abc', b''), (payload(1000), payload(77777, b'b')),
                 (payload(3), payload(5 * MiB, b'c'))):
        assert combine(zlib.crc32(a) & 0xffffffff, zlib.crc32(b) & 0xffffffff,
                       len(b)) == zlib.crc32(a + b) & 0xffffffff


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
# UNSIGNED-PAYLOAD over HTTPS (issue 14 item 2)


def put_hashes(s3):
    return [r[3].get('x-amz-content-sha256') for r in s3.requests('PUT')]


def test_https_sends_unsigned_payload_and_signs_that(s3):
    data = payload(6 * MiB)
    transfer.upload(bucket_of(s3, 'https://s3.fake.test'), 'k', io.BytesIO(data), config=PARTS)
    transfer.upload(bucket_of(s3, 'https://s3.fake.test'), 's', io.BytesIO(b'small'))
    assert put_hashes(s3) == ['UNSIGNED-PAYLOAD'] * 3
    for request in s3.requests('PUT'):
        assert 'x-amz-content-sha256' in request[3]['Authorization'].split('SignedHeaders=')[1]
    assert s3.objects['k'][0] == data


def test_http_signs_the_payload_and_the_option_forces_it(s3):
    transfer.upload(bucket_of(s3), 'k', io.BytesIO(b'over http'))
    transfer.upload(bucket_of(s3, 'https://s3.fake.test'), 'k2', io.BytesIO(b'over https'),
                    payload_signing_enabled=True)
    transfer.upload(bucket_of(s3), 'k3', io.BytesIO(b'unsigned'), payload_signing_enabled=False)
    assert put_hashes(s3) == [hashlib.sha256(b'over http').hexdigest(),
                              hashlib.sha256(b'over https').hexdigest(), 'UNSIGNED-PAYLOAD']


@pytest.mark.applies(six.PY3, reason='botocore, the reference signer, is in the py3 envs only')
def test_the_signature_matches_botocore_for_unsigned_payload(s3):
    import botocore.auth as botocore_auth
    import botocore.awsrequest
    import botocore.credentials
    transfer.upload(bucket_of(s3, 'https://s3.fake.test'), 'k', io.BytesIO(b'x'))
    (put,) = s3.requests('PUT')
    headers = put[3]
    request = botocore.awsrequest.AWSRequest(method='PUT', url='https://s3.fake.test/photos/k',
                                             data=b'x')
    for name in ('x-amz-checksum-crc32', 'Content-Type', 'x-amz-security-token',
                 'x-amz-content-sha256'):
        request.headers[name] = headers[name]
    request.context['timestamp'] = headers['x-amz-date']
    credentials = botocore.credentials.Credentials(TOKEN.access_key, TOKEN.secret_key,
                                                   TOKEN.session_token)
    signer = botocore_auth.S3SigV4Auth(credentials, 's3', 'us-east-1')
    signer._modify_request_before_signing = lambda request: None
    ours = dict(p.strip().split('=', 1) for p in headers['Authorization'].split(' ', 1)[1]
                .split(','))
    names = ours['SignedHeaders'].split(';')
    for name in list(request.headers.keys()):
        if name.lower() not in names:
            del request.headers[name]
    request.headers['host'] = 's3.fake.test'
    for name in names:
        if name not in [n.lower() for n in request.headers.keys()]:
            request.headers[name] = headers[name]
    # signed from the pieces, at the time we signed: botocore's add_auth() reads its own
    # clock, and a second boundary between the two signings made this test flaky
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    assert expected == ours['Signature']


# ---------------------------------------------------------------------------
# One crew, synchronous when asked (issue 13 item 1)


@pytest.mark.parametrize('dest', ['path', 'stream'])
def test_use_threads_false_runs_everything_in_the_calling_thread(s3, tmpdir, dest):
    data = payload(12 * MiB + 1)
    seen = []

    def progress(done, total):
        seen.append([t.name for t in threading.enumerate() if t.name.startswith('stsboto-')])
    config = PARTS.replace(use_threads=False)
    transfer.upload(bucket_of(s3), 'k', io.BytesIO(data), config=config, progress=progress)
    out = str(tmpdir.join('out')) if dest == 'path' else io.BytesIO()
    result = transfer.download(bucket_of(s3), 'k', out, config=config, part_size=MiB,
                               threshold=MiB, progress=progress)
    back = tmpdir.join('out').read_binary() if dest == 'path' else out.getvalue()
    assert back == data and result.parts == 13
    assert len(seen) > 20 and all(names == [] for names in seen)


def test_tuning_is_keyword_only_for_both_directions(s3):
    bucket = bucket_of(s3)
    with pytest.raises(TypeError):
        transfer.upload(bucket, 'k', io.BytesIO(b'x'), 100)
    with pytest.raises(TypeError):
        transfer.download(bucket, 'k', io.BytesIO(), 4)
    with pytest.raises(TypeError) as info:
        transfer.upload(bucket, 'k', io.BytesIO(b'x'), wokers=4)
    assert 'wokers' in str(info.value)
    with pytest.raises(TypeError):
        transfer.download(bucket, 'k', io.BytesIO(), checksm='md5')
    with pytest.raises(stsboto.InvalidParameterError) as info:
        transfer.upload(bucket, 'k', io.BytesIO(b'x'), checksum='sha1')
    assert info.value.field == 'checksum'
    assert s3.log == []


# ---------------------------------------------------------------------------
# Files and signals (issue 11 item 7)


@pytest.mark.parametrize('size', [10, 3 * MiB + 1])
def test_download_replacing_a_0600_file_keeps_its_mode(s3, tmpdir, size):
    s3.objects['k'] = (payload(size), '"%s"' % hashlib.md5(payload(size)).hexdigest(), {})
    dest = tmpdir.join('secret.bin')
    dest.write_binary(b'old')
    os.chmod(str(dest), 0o600)
    transfer.download(bucket_of(s3), 'k', str(dest), part_size=MiB, threshold=MiB)
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o600
    assert dest.read_binary() == payload(size)


def test_download_to_a_new_file_follows_the_umask(s3, tmpdir):
    s3.objects['k'] = (b'abc', '"%s"' % hashlib.md5(b'abc').hexdigest(), {})
    old = os.umask(0o027)
    try:
        transfer.download(bucket_of(s3), 'k', str(tmpdir.join('new')))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(str(tmpdir.join('new'))).st_mode) == 0o640


def test_ctrl_c_during_a_single_put_is_a_transfer_interrupted(s3):
    def progress(done, total):
        if done:
            raise KeyboardInterrupt()
    with pytest.raises(TransferInterrupted) as info:
        transfer.upload(bucket_of(s3), 'k', io.BytesIO(payload(3 * MiB)), progress=progress)
    assert 'interrupted' in str(info.value) and 'nothing was stored' in str(info.value)
    assert info.value.upload_id is None and s3.objects == {}


def test_ctrl_c_inside_the_socket_write_of_a_single_put(s3):
    def hook(method, key, query, headers):
        raise KeyboardInterrupt()            # as if pressed while boto wrote the body
    s3.hooks.append(hook)
    with pytest.raises(TransferInterrupted):
        transfer.upload(bucket_of(s3), 'k', io.BytesIO(b'data'))


def test_sigterm_as_interrupt_aborts_a_multipart_upload(s3):
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    sent = []

    def hook(method, key, query, headers):
        if method == 'PUT' and query.get('partNumber') == '2' and not sent:
            sent.append(1)
            os.kill(os.getpid(), signal.SIGTERM)   # the main thread gets it
    s3.hooks.append(hook)
    before = signal.getsignal(signal.SIGTERM)
    with transfer.sigterm_as_interrupt():
        with pytest.raises(TransferInterrupted) as info:
            transfer.upload(bucket_of(s3), 'k', io.BytesIO(payload(12 * MiB)), config=PARTS)
    assert signal.getsignal(signal.SIGTERM) is before
    assert info.value.aborted is True and s3.uploads == {} and 'k' not in s3.objects


def test_sigterm_as_interrupt_without_a_transfer_raises_keyboard_interrupt():
    with pytest.raises(KeyboardInterrupt):
        with transfer.sigterm_as_interrupt():
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(1000):
                threading.Event().wait(0.01)


def test_import_stsboto_does_not_import_transfer():
    import sys
    code = ('import sys, stsboto; assert "stsboto.transfer" not in sys.modules; '
            'from stsboto import transfer; assert transfer.TransferError is '
            'stsboto.exceptions.TransferError')
    processes.check_call([sys.executable, '-c', code])


def test_a_source_file_that_cannot_be_read_is_a_stsboto_error_before_any_request(s3, tmpdir):
    """The error contract (issue 12 item 4): stsboto's own calls raise stsboto errors;
    the error is still the OSError code that caught open()'s keeps catching."""
    import errno
    from stsboto.exceptions import LocalFileError, StsbotoError
    missing = str(tmpdir.join('nowhere.bin'))
    with pytest.raises(LocalFileError) as info:
        transfer.upload(bucket_of(s3), 'k', missing)
    error = info.value
    assert isinstance(error, StsbotoError) and isinstance(error, ValueError)
    assert isinstance(error, EnvironmentError) and error.errno == errno.ENOENT
    assert error.field == 'source' and missing in str(error)
    assert s3.log == []
