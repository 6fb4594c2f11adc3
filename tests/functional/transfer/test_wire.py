# -*- coding: utf-8 -*-
"""Functional tests of stsboto.transfer.wire: the requests transfers send and how their failures read."""
from __future__ import absolute_import, division, print_function, unicode_literals

import hashlib
import io

import pytest
import six

import stsboto
from stsboto import transfer
from stsboto.transfer import MiB, TransferError
from tests.factories import payload
from tests.s3server import serving_s3
from tests.transfer_support import (BUCKET, FIVE_PARTS, PARTS, SECRET_KEY, SESSION_TOKEN, SMALL_PARTS,
                                    TOKEN, bucket_of, fail_part)


# ---------------------------------------------------------------------------
# Connections: the workers share the bucket's, never a socket


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


# ---------------------------------------------------------------------------
# Failures read without the token or the secret


def test_messages_and_causes_never_hold_the_token_or_secret(s3):
    # S3 echoes the token in InvalidToken and ExpiredToken answers.
    s3.hooks.append(fail_part(2, 400, 'InvalidToken', '<Token-0>%s</Token-0>' % SESSION_TOKEN))
    with pytest.raises(TransferError) as info:
        transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(FIVE_PARTS)), config=SMALL_PARTS)
    for text in (str(info.value), str(info.value.cause), repr(info.value.cause.args)):
        assert SESSION_TOKEN not in text and SECRET_KEY not in text
    assert 'InvalidToken' in str(info.value)


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
