"""A small, bounded HTTP client for the metadata endpoints (IMDS, container credentials).

Usage::

    from stsboto.credentials.http import request
    status, body = request('GET', 'http://127.0.0.1:8080/creds', {'Authorization': t}, timeout=1)

Not boto's or urllib's: the transport's TLS context (``AWS_CA_BUNDLE``, ...) and
connection classes, no redirects, a timeout on connect and on every read, a total
deadline for the whole request (an endpoint that trickles one byte at a time cannot
keep a caller waiting past it: issue 19), and at most :data:`MAX_RESPONSE_SIZE` bytes
of body.  Proxies follow botocore's rule: the instance metadata service honours
``HTTP_PROXY`` / ``NO_PROXY`` (``proxies=True``; botocore's ``IMDSFetcher`` uses
``get_environ_proxies``), container credentials never go through a proxy (botocore's
``ContainerMetadataFetcher`` has none).
"""
from __future__ import absolute_import, unicode_literals

import socket
import threading

import six
from six.moves import http_client
from six.moves.urllib.parse import urlsplit

from stsboto import transport

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
            deadline=None, proxies=False):
    """``(status, body bytes)`` of one HTTP request; raises the exceptions above.

    ``body``: bytes to send (the SSO OIDC ``CreateToken`` call), or None.

    :param float timeout: the most any one step (connect, each read) may wait.
    :param float deadline: the most the whole request may take, connect to last
        byte (default: ``timeout``).  A socket timeout alone restarts with every
        byte received; past the deadline the socket is shut down from a timer
        thread, which ends any read in progress.
    :param bool proxies: go through the environment's proxy for the URL (see above).

    :raises MetadataUnreachable: no connection could be made.
    :raises MetadataTimeout: connected, but no complete answer in time.
    :raises Oversized: the body exceeds ``limit`` bytes.
    """
    parts = urlsplit(url)
    secure = parts.scheme == 'https'
    port = parts.port or (443 if secure else 80)
    path = parts.path or '/'
    # An IPv6 address (IMDS's fd00:ec2::254) keeps its brackets in a URL (RFC 3986).
    host = '[%s]' % parts.hostname if ':' in parts.hostname else parts.hostname
    if parts.query:
        path += '?' + parts.query
    proxy = transport.proxy_for(parts.scheme, parts.hostname) if proxies else None
    where = (proxy.host, proxy.port) if proxy is not None else (parts.hostname, port)
    if secure:
        connection = transport.HTTPSConnection(
            where[0], where[1], timeout=timeout,
            context=transport.tls_context(transport.ca_bundle()[0]))
        if proxy is not None:
            connection.set_tunnel(parts.hostname, port, {'Proxy-Authorization': proxy.authorization}
                                  if proxy.authorization else {})
    else:
        connection = transport.HTTPConnection(where[0], where[1], timeout=timeout)
        if proxy is not None:
            connection.stsboto_target = 'http://%s:%d' % (host, port)
    connection.stsboto_endpoint = '%s://%s:%d' % (parts.scheme, host, port)
    connection.stsboto_proxy = proxy
    connection.stsboto_connect_timeout = timeout
    total = timeout if deadline is None else deadline
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
