"""A small, bounded HTTP client for the metadata endpoints (IMDS, container credentials).

Usage::

    from stsboto.credentials.http import request
    status, body = request('GET', 'http://127.0.0.1:8080/creds', {'Authorization': t}, timeout=1)

Not boto's or urllib's: no proxies from the environment (a metadata endpoint is
link-local or loopback; botocore's container fetcher uses none either), no
redirects, a timeout on connect and on every read, and at most
:data:`MAX_RESPONSE_SIZE` bytes of body.
"""
from __future__ import absolute_import, unicode_literals

import socket

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


def request(method, url, headers=None, timeout=1.0, limit=MAX_RESPONSE_SIZE, body=None):
    """``(status, body bytes)`` of one HTTP request; raises the exceptions above.

    ``body``: bytes to send (the SSO OIDC ``CreateToken`` call), or None.

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
    connection = cls(parts.hostname, port, timeout=timeout)
    try:
        try:
            connection.connect()
        except (socket.error, socket.timeout, OSError) as error:
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
        except (socket.error, http_client.HTTPException, OSError) as error:
            six.raise_from(MetadataTimeout('broken answer (%s)' % type(error).__name__), None)
        if len(body) > limit:
            raise Oversized()
        return response.status, body
    finally:
        connection.close()
