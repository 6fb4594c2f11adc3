"""The requests transfers send through boto, and how their failures read.

Usage::

    response = put_body(bucket, 'k', data, headers, query_args='partNumber=1&uploadId=...')

boto 2 cannot send S3's flexible checksums or ``UNSIGNED-PAYLOAD`` by itself,
and its ``Key.set_contents_from_file`` hashes every body twice before sending
it 8 KiB at a time (MD5 for ``Content-MD5``, SHA-256 for SigV4).  Here a body
already in memory goes out through boto's own ``make_request`` (signing,
token header, retries, connection pool) with a ``sender`` that writes it in
large blocks; the checksum and payload-hash headers are set by the caller.
boto's signer takes an ``x-amz-content-sha256`` header the request already
has as the payload hash (boto/auth.py ``S3HmacAuthV4Handler.payload``), so
``UNSIGNED-PAYLOAD`` needs no change to ``stsboto.s3.S3SigV4Handler``.
"""
from __future__ import absolute_import, division, unicode_literals

import hashlib
import socket

import six

from stsboto._boto import boto
from stsboto.logfilter import describe_boto_error, scrub_boto_error

import boto.auth  # noqa: E402  (stsboto._boto made boto importable)
import boto.exception  # noqa: E402
import boto.utils  # noqa: E402

__all__ = ['put_body', 'payload_hash', 'signs_payload', 'FileBody', 'secrets_of', 'describe',
           'scrub', 'UNSIGNED_PAYLOAD']

#: The SigV4 payload hash that says "not signed" (AWS S3 API reference,
#: "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk").
UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'
# Bytes per socket write of a body.  Large writes keep the interpreter out of
# the loop (one sendall per MiB instead of boto's one per 8 KiB).
_SEND_BLOCK = 1024 * 1024


def is_sigv4(connection):
    return isinstance(getattr(connection, '_auth_handler', None), boto.auth.S3HmacAuthV4Handler)


def signs_payload(connection, signing):
    """True: sign the SHA-256 of the body; False: send ``UNSIGNED-PAYLOAD``; None: not SigV4.

    ``signing`` is the config's ``payload_signing_enabled``: None signs over
    plain HTTP only, as botocore does (over HTTPS, TLS already protects the
    bytes and the CRC32 checksum covers their integrity).
    """
    if not is_sigv4(connection):
        return None
    if signing is None:
        signing = not connection.is_secure
    return bool(signing)


def payload_hash(connection, data, signing):
    """The ``x-amz-content-sha256`` value for ``data``, or None when the request is not SigV4."""
    decision = signs_payload(connection, signing)
    if decision is None:
        return None
    return hashlib.sha256(data).hexdigest() if decision else UNSIGNED_PAYLOAD


class FileBody(object):
    """``size`` bytes of a seekable file from ``start``: a body sent without reading it
    into memory (read again from ``start`` when boto retries)."""

    def __init__(self, fp, start, size):
        self.fp = fp
        self.start = start
        self.size = size

    def __len__(self):
        return self.size

    def blocks(self):
        self.fp.seek(self.start)
        left = self.size
        while left > 0:
            block = self.fp.read(min(_SEND_BLOCK, left))
            if not block:
                raise IOError('the source ended %d bytes early while it was sent' % left)
            left -= len(block)
            yield block


def put_body(bucket, name, data, headers, query_args=None, sent=None):
    """PUT ``data`` (bytes or a :class:`FileBody`) as the body of a request for key ``name``.

    Returns the boto response.  ``sent(bytes_so_far)`` is called as blocks
    leave.  A 2xx response has been read (``response.body``); anything else
    raises boto's ``S3ResponseError``, as ``Key.set_contents_from_file`` would.
    """
    connection = bucket.connection
    provider = connection.provider
    size = len(data)
    headers = dict(headers)
    headers['Content-Length'] = str(size)

    def sender(http_conn, method, path, body, request_headers):
        if getattr(http_conn, 'sock', None) is None:
            http_conn.connect()
        _no_delay(http_conn.sock)
        skips = {}
        if boto.utils.find_matching_headers('host', request_headers):
            skips['skip_host'] = 1
        if boto.utils.find_matching_headers('accept-encoding', request_headers):
            skips['skip_accept_encoding'] = 1
        http_conn.putrequest(method, path, **skips)
        for header, value in request_headers.items():
            http_conn.putheader(header, value)
        http_conn.endheaders()
        if getattr(http_conn, 'debuglevel', 0) < 4:
            http_conn.set_debuglevel(0)          # do not print the body (boto's rule)
        offset = 0
        for block in _blocks(data):
            http_conn.send(block)
            offset += len(block)
            if sent is not None:
                sent(offset)
        response = http_conn.getresponse()
        response.body = response.read()
        # 5xx: boto's make_request retries (calling this again: the body is
        # still here); anything else that is not a success is the answer.
        if not 200 <= response.status < 300 and response.status not in (500, 502, 503, 504):
            raise provider.storage_response_error(response.status, response.reason,
                                                  response.body)
        return response

    response = connection.make_request('PUT', bucket.name, name, headers=headers,
                                       sender=sender, query_args=query_args)
    if not 200 <= response.status < 300:
        raise provider.storage_response_error(response.status, response.reason,
                                              getattr(response, 'body', b''))
    return response


def _blocks(data):
    if isinstance(data, FileBody):
        return data.blocks()
    view = memoryview(data)
    return (view[offset:offset + _SEND_BLOCK] for offset in range(0, len(data), _SEND_BLOCK))


def _no_delay(sock):
    """Send small writes at once (TCP_NODELAY), as Python 3's http.client does itself.

    Python 2's httplib leaves Nagle's algorithm on: the headers go in one
    write, the end of the body in another, and the second waits for the
    server's delayed ACK of the first (about 40 ms a request on Linux).
    """
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (AttributeError, socket.error, ValueError):
        pass                                  # not a TCP socket (a test's fake, a proxy)


def secrets_of(bucket):
    provider = getattr(getattr(bucket, 'connection', None), 'provider', None)
    return [s for s in (getattr(provider, 'secret_key', None),
                        getattr(provider, 'security_token', None)) if s]


def scrub(error, secrets):
    return scrub_boto_error(error, secrets)


def describe(error, secrets):
    """One line about ``error`` (secrets masked), with what a transfer's user can do about it."""
    text = describe_boto_error(error, secrets)
    status = getattr(error, 'status', None) if isinstance(
        error, boto.exception.BotoServerError) else None
    if status == 412:
        text += ' (the object changed while it was read)'
    elif status == 403:
        text += ' (does the token allow this action on this key?)'
    return text


def header(response, name):
    """A response header (boto's responses and http.client's), or None."""
    value = response.getheader(name)
    if value is None:
        value = response.getheader(name.lower())
    if isinstance(value, six.binary_type):
        value = value.decode('ascii', 'replace')
    return value
