"""A small, bounded HTTP client for the metadata endpoints (IMDS, container credentials).

Usage::

    from stsboto.credentials.http import request
    status, body = request('GET', 'http://127.0.0.1:8080/creds', {'Authorization': t}, timeout=1)

Not boto's or urllib's: no proxies from the environment (a metadata endpoint is
link-local or loopback; botocore's container fetcher uses none either), no
redirects, a timeout on connect and on every read, a total deadline for the
whole request (an endpoint that trickles one byte at a time cannot keep a
caller waiting past it: issue 19), and at most :data:`MAX_RESPONSE_SIZE`
bytes of body.
"""
from __future__ import absolute_import, unicode_literals

import socket
import threading

import six
from six.moves import http_client
from six.moves.urllib.parse import urlsplit

__all__ = ['request', 'MetadataUnreachable', 'MetadataTimeout', 'MAX_RESPONSE_SIZE']

#: The most body read from a metadata answer (credentials are under 4 KiB).
MAX_RESPONSE_SIZE = 64 * 1024


class MetadataUnreachable(Exception):
    """No connection (refused, unreachable, connect timeout).  Internal: sources turn
    it into "no credentials here" or a :class:`stsboto.CredentialSourceError`."""


class MetadataTimeout(MetadataUnreachable):
    """Connected, but the answer did not come in time."""


class Oversized(Exception):
    """The answer is larger than the limit."""


def request(method, url, headers=None, timeout=1.0, limit=MAX_RESPONSE_SIZE, body=None,
            deadline=None):
    """``(status, body bytes)`` of one HTTP request; raises the exceptions above.

    ``body``: bytes to send (the SSO OIDC ``CreateToken`` call), or None.

    :param float timeout: the most any one step (connect, each read) may wait.
    :param float deadline: the most the whole request may take, connect to last
        byte (default: ``timeout``).  A socket timeout alone restarts with every
        byte received; past the deadline the socket is shut down from a timer
        thread, which ends any read in progress.

    :raises MetadataUnreachable: no connection could be made.
    :raises MetadataTimeout: connected, but no complete answer in time.
    :raises Oversized: the body exceeds ``limit`` bytes.
    """
    parts = urlsplit(url)
    cls = http_client.HTTPSConnection if parts.scheme == 'https' else http_client.HTTPConnection
    port = parts.port or (443 if parts.scheme == 'https' else 80)
    path = parts.path or '/'
    if parts.query:
        path += '?' + parts.query
    total = timeout if deadline is None else deadline
    connection = cls(parts.hostname, port, timeout=timeout)
    expired = threading.Event()
    timer = threading.Timer(total, _cut, (connection, expired))
    timer.daemon = True
    timer.start()
    try:
        try:
            connection.connect()
        except (socket.error, socket.timeout, OSError) as error:
            if expired.is_set():
                six.raise_from(MetadataUnreachable('no connection within %s s' % total), None)
            six.raise_from(MetadataUnreachable('%s: %s' % (type(error).__name__, error)), None)
        try:
            connection.request(str(method), str(path), body=body, headers=dict(
                (str(k), str(v)) for k, v in (headers or {}).items()))
            response = connection.getresponse()
            declared = response.getheader('content-length')
            if declared and declared.isdigit() and int(declared) > limit:
                raise Oversized()
            body = response.read(limit + 1)
        except socket.timeout:
            six.raise_from(MetadataTimeout('no answer within %s s' % timeout), None)
        except (socket.error, http_client.HTTPException, OSError, ValueError, AttributeError) as error:
            if expired.is_set():
                six.raise_from(MetadataTimeout('no complete answer within %s s' % total), None)
            six.raise_from(MetadataTimeout('broken answer (%s)' % type(error).__name__), None)
        if expired.is_set():
            raise MetadataTimeout('no complete answer within %s s' % total)
        if len(body) > limit:
            raise Oversized()
        return response.status, body
    finally:
        timer.cancel()
        connection.close()


def _cut(connection, expired):
    """The deadline passed: end whatever read or connect is in progress."""
    expired.set()
    sock = getattr(connection, 'sock', None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except (socket.error, OSError):
            pass
