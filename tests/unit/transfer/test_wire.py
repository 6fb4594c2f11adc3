# -*- coding: utf-8 -*-
"""stsboto.transfer.wire: payload hashes per signer and scheme, bodies in blocks, the PUT sender, hints."""
from __future__ import absolute_import, division, print_function, unicode_literals

import hashlib
import io
import socket

import pytest

import stsboto
from stsboto.transfer import wire
from tests.transfer_support import SECRET_KEY, SESSION_TOKEN, TOKEN

import boto.exception  # noqa: E402  (after stsboto: importable on 3.12+)


def connection(scheme='http', sigv4=True):
    return stsboto.connect_with_token(TOKEN, endpoint_url='%s://s3.fake.test' % scheme, sigv4=sigv4)


def s3_error(status, code='AccessDenied', message='Access Denied'):
    body = '<Error><Code>%s</Code><Message>%s</Message></Error>' % (code, message)
    return boto.exception.S3ResponseError(status, 'Reason', body.encode('utf-8'))


# -- the payload hash -----------------------------------------------------------------------

SHA = hashlib.sha256(b'body').hexdigest()


@pytest.mark.parametrize('scheme, sigv4, signing, expected', [
    ('http', True, None, SHA),                     # plain HTTP: botocore signs the bytes
    ('https', True, None, 'UNSIGNED-PAYLOAD'),     # TLS and the CRC protect them
    ('https', True, True, SHA),
    ('http', True, False, 'UNSIGNED-PAYLOAD'),
    ('http', False, None, None),                   # SigV2 has no payload hash
    ('https', False, True, None),
], ids=['http', 'https', 'https-forced', 'http-off', 'sigv2', 'sigv2-forced'])
def test_payload_hash_per_signer_scheme_and_setting(scheme, sigv4, signing, expected):
    conn = connection(scheme, sigv4)
    assert wire.payload_hash(conn, b'body', signing) == expected
    assert wire.signs_payload(conn, signing) is {SHA: True, 'UNSIGNED-PAYLOAD': False}.get(expected)


def test_a_connection_without_a_signer_is_not_sigv4():
    class Bare(object):
        is_secure = False
    assert wire.is_sigv4(Bare()) is False and wire.payload_hash(Bare(), b'x', True) is None


# -- bodies in blocks -------------------------------------------------------------------------


def test_a_file_body_is_its_slice_in_blocks_and_starts_over_when_sent_again(monkeypatch):
    monkeypatch.setattr(wire, '_SEND_BLOCK', 4)
    body = wire.FileBody(io.BytesIO(b'abcdefghijklmnop'), 2, 9)
    assert len(body) == 9
    assert list(body.blocks()) == [b'cdef', b'ghij', b'k']
    assert list(wire._blocks(body)) == [b'cdef', b'ghij', b'k']        # a retry: read again


def test_a_file_body_whose_source_ends_early_says_how_much_was_missing(monkeypatch):
    monkeypatch.setattr(wire, '_SEND_BLOCK', 4)
    blocks = wire.FileBody(io.BytesIO(b'abcdefg'), 1, 9).blocks()
    assert [next(blocks), next(blocks)] == [b'bcde', b'fg']
    with pytest.raises(IOError) as info:
        next(blocks)
    assert str(info.value) == 'the source ended 3 bytes early while it was sent'


@pytest.mark.parametrize('data', [b'abcdefghij', bytearray(b'abcdefghij')], ids=['bytes', 'bytearray'])
def test_bytes_go_out_as_views_of_one_block_each(monkeypatch, data):
    monkeypatch.setattr(wire, '_SEND_BLOCK', 4)
    blocks = list(wire._blocks(data))
    assert all(isinstance(block, memoryview) for block in blocks)     # no copies
    assert [block.tobytes() for block in blocks] == [b'abcd', b'efgh', b'ij']
    assert list(wire._blocks(b'')) == []


class RecordingSocket(object):
    def __init__(self, failure=None):
        self.options = []
        self.failure = failure

    def setsockopt(self, *option):
        if self.failure is not None:
            raise self.failure
        self.options.append(option)


def test_no_delay_is_set_on_a_tcp_socket_and_skipped_on_anything_else():
    tcp = RecordingSocket()
    wire._no_delay(tcp)
    assert tcp.options == [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)    # TCP_NODELAY: not supported
    try:
        wire._no_delay(unix)
    finally:
        unix.close()
    wire._no_delay(None)                                        # no socket at all
    wire._no_delay(RecordingSocket(ValueError('a proxy object')))


# -- the PUT sender ---------------------------------------------------------------------------


class Answer(object):
    def __init__(self, status, body=b''):
        self.status, self.reason, self._body = status, 'Reason', body

    def read(self):
        return self._body


class FakeHTTPConnection(object):
    """What boto's pool hands the sender: records what is written."""

    def __init__(self, status, debuglevel=0):
        self.sock = None
        self.status = status
        self.debuglevel = debuglevel
        self.wrote = []

    def connect(self):
        self.sock = RecordingSocket()

    def putrequest(self, method, path, **skips):
        self.wrote.append(('request', method, path, skips))

    def putheader(self, name, value):
        self.wrote.append(('header', name, value))

    def endheaders(self):
        self.wrote.append(('end',))

    def set_debuglevel(self, level):
        self.wrote.append(('debuglevel', level))

    def send(self, block):
        self.wrote.append(('send', memoryview(block).tobytes()))

    def getresponse(self):
        return Answer(self.status, b'<Error><Code>AccessDenied</Code></Error>'
                      if self.status >= 300 else b'')


class FakeS3Connection(object):
    """``bucket.connection``: make_request hands the sender one HTTP connection."""

    class provider(object):
        storage_response_error = boto.exception.S3ResponseError

    def __init__(self, status, debuglevel=0):
        self.http = FakeHTTPConnection(status, debuglevel)
        self.calls = []

    def make_request(self, method, bucket, key, headers=None, sender=None, query_args=None):
        self.calls.append((method, bucket, key, dict(headers), query_args))
        return sender(self.http, method, '/%s/%s' % (bucket, key), None,
                      dict(headers, Host='s3.fake.test'))


class Bucket(object):
    name = 'photos'

    def __init__(self, status, debuglevel=0):
        self.connection = FakeS3Connection(status, debuglevel)


def test_put_body_sends_the_headers_then_the_blocks_and_reports_progress(monkeypatch):
    monkeypatch.setattr(wire, '_SEND_BLOCK', 4)
    bucket = Bucket(200)
    headers = {'x-amz-checksum-crc32': 'AAAAAA=='}
    sent = []
    response = wire.put_body(bucket, 'k', b'abcdefghij', headers, query_args='partNumber=1',
                             sent=sent.append)
    assert response.status == 200 and response.body == b''
    assert bucket.connection.calls == [('PUT', 'photos', 'k', {
        'x-amz-checksum-crc32': 'AAAAAA==', 'Content-Length': '10'}, 'partNumber=1')]
    assert headers == {'x-amz-checksum-crc32': 'AAAAAA=='}      # the caller's, unchanged
    http = bucket.connection.http
    assert http.sock.options == [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    assert http.wrote[0] == ('request', 'PUT', '/photos/k', {'skip_host': 1})
    assert sorted(w for w in http.wrote if w[0] == 'header') == [
        ('header', 'Content-Length', '10'), ('header', 'Host', 's3.fake.test'),
        ('header', 'x-amz-checksum-crc32', 'AAAAAA==')]
    assert http.wrote[-5:] == [('end',), ('debuglevel', 0), ('send', b'abcd'), ('send', b'efgh'),
                               ('send', b'ij')]
    assert sent == [4, 8, 10]


def test_put_body_keeps_the_body_out_of_a_debug_print_below_level_4():
    bucket = Bucket(200, debuglevel=4)
    wire.put_body(bucket, 'k', b'x', {})
    assert ('debuglevel', 0) not in bucket.connection.http.wrote


@pytest.mark.parametrize('status, raised_in', [(403, 'sender'), (503, 'put_body')])
def test_put_body_raises_a_refusal_and_leaves_5xx_to_botos_retries(status, raised_in):
    bucket = Bucket(status)
    real_make_request = bucket.connection.make_request
    answered = []

    def make_request(*args, **kwargs):
        answered.append(real_make_request(*args, **kwargs).status)  # only when the sender returns
        return Answer(status)
    bucket.connection.make_request = make_request
    with pytest.raises(boto.exception.S3ResponseError) as info:
        wire.put_body(bucket, 'k', b'x', {})
    assert info.value.status == status
    assert answered == ([] if raised_in == 'sender' else [status])


# -- how failures read ------------------------------------------------------------------------


@pytest.mark.parametrize('status, hint', [
    (412, ' (the object changed while it was read)'),
    (403, ' (does the token allow this action on this key?)'),
    (404, ''),
], ids=['412', '403', '404'])
def test_describe_adds_what_the_user_can_do_and_masks_the_secrets(status, hint):
    error = s3_error(status, message='token %s' % SESSION_TOKEN)
    text = wire.describe(error, [SECRET_KEY, SESSION_TOKEN])
    assert text.startswith('%d Reason AccessDenied: token ' % status) and text.endswith(hint)
    assert SESSION_TOKEN not in text and len(text) > len('%d Reason AccessDenied: token ' % status)


def test_describe_gives_hints_for_s3_answers_only():
    class Refused(Exception):
        status = 403
    assert wire.describe(Refused('no'), []) == 'Refused: no'


def test_secrets_of_a_bucket_are_its_tokens_and_scrub_masks_them_in_place():
    bucket = connection().get_bucket('photos', validate=False)
    assert wire.secrets_of(bucket) == [SECRET_KEY, SESSION_TOKEN]
    assert wire.secrets_of(object()) == []
    error = s3_error(400, 'InvalidToken', SESSION_TOKEN)
    assert wire.scrub(error, wire.secrets_of(bucket)) is error
    body = error.body.decode('utf-8') if isinstance(error.body, bytes) else error.body
    assert SESSION_TOKEN not in error.error_message and SESSION_TOKEN not in body
    assert 'InvalidToken' in body and SESSION_TOKEN not in repr(error.args)


class Headers(object):
    def __init__(self, **values):
        self.values = values

    def getheader(self, name):
        return self.values.get(name)


def test_header_reads_bytes_values_and_falls_back_to_the_lower_case_name():
    assert wire.header(Headers(ETag=b'"abc"'), 'ETag') == '"abc"'
    assert wire.header(Headers(etag='"abc"'), 'ETag') == '"abc"'
    assert wire.header(Headers(etag=b'caf\xc3\xa9'), 'ETag') == 'caf\ufffd\ufffd'
    assert wire.header(Headers(), 'ETag') is None
