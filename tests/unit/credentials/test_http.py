# -*- coding: utf-8 -*-
"""stsboto.credentials.http: URL, proxy and TLS choices, the limits and the deadline, on fake connections."""
from __future__ import absolute_import, unicode_literals

import socket

import pytest
from six.moves import http_client

from stsboto import transport
from stsboto.credentials import http
from stsboto.exceptions import EndpointConnectionError, InvalidParameterError


class FakeSocket(object):
    def __init__(self, failure=None):
        self.shut = []
        self.failure = failure

    def shutdown(self, how):
        self.shut.append(how)
        if self.failure is not None:
            raise self.failure


class FakeResponse(object):
    def __init__(self, status=200, body=b'', length=None):
        self.status = status
        self.body = body
        self.length = length
        self.reads = []

    def getheader(self, name):
        return self.length if name == 'content-length' else None

    def read(self, size):
        self.reads.append(size)
        return self.body[:size]


class Endpoint(object):
    """The connections request() makes, and what they answer (transport's classes replaced)."""

    def __init__(self):
        self.made = []
        self.connect_error = None
        self.answer = FakeResponse(200, b'{"Code": "Success"}')
        self.answer_error = None

    def connection(self, secure):
        endpoint = self

        class FakeConnection(object):
            stsboto_target = None

            def __init__(self, host, port, timeout=None, context=None):
                self.host, self.port, self.timeout, self.context = host, port, timeout, context
                self.secure = secure
                self.tunnel = None
                self.sock = None
                self.sent = []
                self.closed = False
                endpoint.made.append(self)

            def set_tunnel(self, host, port, headers):
                self.tunnel = (host, port, headers)

            def connect(self):
                if endpoint.connect_error is not None:
                    raise endpoint.connect_error
                self.sock = FakeSocket()

            def request(self, method, path, body=None, headers=None):
                self.sent.append((method, path, body, headers))

            def getresponse(self):
                if endpoint.answer_error is not None:
                    raise endpoint.answer_error
                return endpoint.answer

            def close(self):
                self.closed = True
        return FakeConnection


class FakeTimer(object):
    """threading.Timer as request() uses it; ``expire_at_start`` plays a deadline already past."""

    made = []
    expire_at_start = False

    def __init__(self, interval, function, args):
        self.interval, self.function, self.args = interval, function, args
        self.cancelled = False
        FakeTimer.made.append(self)

    def start(self):
        if FakeTimer.expire_at_start:
            self.function(*self.args)

    def cancel(self):
        self.cancelled = True


@pytest.fixture
def endpoint(monkeypatch):
    fake = Endpoint()
    monkeypatch.setattr(transport, 'HTTPConnection', fake.connection(False))
    monkeypatch.setattr(transport, 'HTTPSConnection', fake.connection(True))
    monkeypatch.setattr(http.threading, 'Timer', FakeTimer)
    monkeypatch.setattr(FakeTimer, 'made', [])
    monkeypatch.setattr(FakeTimer, 'expire_at_start', False)
    return fake


# -- what is asked of whom -------------------------------------------------------------------


def test_the_url_becomes_host_port_and_path_and_the_headers_strings(endpoint):
    assert http.request('PUT', 'http://127.0.0.1:1338/latest/api/token?a=1&b=2',
                        {'X-aws-ec2-metadata-token-ttl-seconds': 21600}, timeout=2.5,
                        body=b'x') == (200, b'{"Code": "Success"}')
    (conn,) = endpoint.made
    assert (conn.host, conn.port, conn.timeout, conn.secure) == ('127.0.0.1', 1338, 2.5, False)
    assert conn.sent == [('PUT', '/latest/api/token?a=1&b=2', b'x',
                          {'X-aws-ec2-metadata-token-ttl-seconds': '21600'})]
    assert all(type(part) is str for part in conn.sent[0][:2] + tuple(conn.sent[0][3].items())[0])
    assert conn.stsboto_endpoint == 'http://127.0.0.1:1338' and conn.stsboto_proxy is None
    assert conn.stsboto_connect_timeout == 2.5 and conn.stsboto_target is None
    assert conn.closed is True


@pytest.mark.parametrize('url, port, path, shown', [
    ('http://127.0.0.1', 80, '/', 'http://127.0.0.1:80'),
    ('https://localhost', 443, '/', 'https://localhost:443'),
    ('https://localhost:8443/v1/creds', 8443, '/v1/creds', 'https://localhost:8443'),
], ids=['http', 'https', 'https-port-and-path'])
def test_default_ports_and_path(endpoint, url, port, path, shown):
    http.request('GET', url)
    (conn,) = endpoint.made
    assert conn.port == port and conn.sent[0][1] == path and conn.sent[0][3] == {}
    assert conn.stsboto_endpoint == shown


def test_https_uses_the_transports_tls_context_and_its_ca_bundle(endpoint, monkeypatch, tmpdir):
    http.request('GET', 'https://localhost/')
    assert endpoint.made[0].context is transport.tls_context(None)
    monkeypatch.setenv(str('AWS_CA_BUNDLE'), str(tmpdir.join('missing.pem')))
    with pytest.raises(InvalidParameterError) as info:
        http.request('GET', 'https://localhost/')
    assert info.value.field == 'ca_bundle' and 'missing.pem is not a file' in str(info.value)
    assert len(endpoint.made) == 1                     # refused before any connection


# -- proxies ---------------------------------------------------------------------------------


def test_container_requests_ignore_the_proxy_and_imds_ones_go_through_it(endpoint, monkeypatch):
    monkeypatch.setenv(str('HTTP_PROXY'), str('http://me:pw@proxy.test:3128'))
    http.request('GET', 'http://127.0.0.1:8080/creds', proxies=False)
    http.request('GET', 'http://127.0.0.1:8080/creds', proxies=True)
    direct, proxied = endpoint.made
    assert (direct.host, direct.port, direct.stsboto_proxy) == ('127.0.0.1', 8080, None)
    assert (proxied.host, proxied.port) == ('proxy.test', 3128)
    assert proxied.stsboto_target == 'http://127.0.0.1:8080'
    assert proxied.stsboto_proxy.authorization == 'Basic bWU6cHc='
    assert proxied.stsboto_endpoint == 'http://127.0.0.1:8080'      # errors name the endpoint


def test_an_ipv6_endpoint_keeps_its_brackets_through_a_proxy(endpoint, monkeypatch):
    # an IPv6 address (as IMDS's fd00:ec2::254; tests stay on loopback): the request
    # target a proxy gets, and the endpoint errors name, are URLs (RFC 3986 brackets)
    monkeypatch.setenv(str('HTTP_PROXY'), str('http://proxy.test:3128'))
    http.request('GET', 'http://[::1]/latest/meta-data/', proxies=True)
    (proxied,) = endpoint.made
    assert proxied.stsboto_target == 'http://[::1]:80'
    assert proxied.stsboto_endpoint == 'http://[::1]:80'


def test_no_proxy_is_honoured_and_https_goes_through_a_tunnel(endpoint, monkeypatch):
    monkeypatch.setenv(str('HTTP_PROXY'), str('http://proxy.test:3128'))
    monkeypatch.setenv(str('HTTPS_PROXY'), str('http://me:pw@proxy.test:3128'))
    monkeypatch.setenv(str('NO_PROXY'), str('localhost'))
    http.request('GET', 'http://localhost:8080/', proxies=True)
    http.request('GET', 'https://127.0.0.1:8443/', proxies=True)
    bypassed, tunnelled = endpoint.made
    assert (bypassed.host, bypassed.stsboto_proxy) == ('localhost', None)
    assert (tunnelled.host, tunnelled.port, tunnelled.secure) == ('proxy.test', 3128, True)
    assert tunnelled.tunnel == ('127.0.0.1', 8443, {'Proxy-Authorization': 'Basic bWU6cHc='})
    monkeypatch.setenv(str('HTTPS_PROXY'), str('http://proxy.test:3128'))
    http.request('GET', 'https://127.0.0.1:8443/', proxies=True)
    assert endpoint.made[-1].tunnel == ('127.0.0.1', 8443, {})


# -- limits and failures ---------------------------------------------------------------------


def test_a_declared_length_over_the_limit_is_refused_before_reading(endpoint):
    endpoint.answer = FakeResponse(200, b'x' * 11, length='11')
    with pytest.raises(http.Oversized):
        http.request('GET', 'http://127.0.0.1/', limit=10)
    assert endpoint.answer.reads == [] and endpoint.made[0].closed is True


@pytest.mark.parametrize('size, length', [(10, None), (10, '10'), (10, 'chunked?')],
                         ids=['no-length', 'declared', 'not-a-number'])
def test_a_body_up_to_the_limit_is_read_with_one_byte_to_spare(endpoint, size, length):
    endpoint.answer = FakeResponse(200, b'x' * size, length=length)
    assert http.request('GET', 'http://127.0.0.1/', limit=10) == (200, b'x' * 10)
    assert endpoint.answer.reads == [11]


def test_a_body_over_the_limit_without_a_declared_length_is_refused(endpoint):
    endpoint.answer = FakeResponse(200, b'x' * 11)
    with pytest.raises(http.Oversized):
        http.request('GET', 'http://127.0.0.1/', limit=10)


class Refused(socket.error):
    pass


@pytest.mark.parametrize('where, failure, kind, message', [
    ('connect', Refused(111, 'Connection refused'), http.MetadataUnreachable,
     'Refused: [Errno 111] Connection refused'),
    ('connect', EndpointConnectionError('could not connect to http://127.0.0.1:1'),
     http.MetadataUnreachable, 'EndpointConnectionError: could not connect to http://127.0.0.1:1'),
    ('answer', socket.timeout('timed out'), http.MetadataTimeout, 'no answer within 0.5 s'),
    ('answer', http_client.BadStatusLine('HTTP/9'), http.MetadataTimeout,
     'broken answer (BadStatusLine)'),
    ('answer', Refused(104, 'Connection reset by peer'), http.MetadataTimeout,
     'broken answer (Refused)'),
], ids=['refused', 'endpoint-error', 'read-timeout', 'bad-status-line', 'reset'])
def test_failures_say_whether_anything_answered(endpoint, where, failure, kind, message):
    if where == 'connect':
        endpoint.connect_error = failure
    else:
        endpoint.answer_error = failure
    with pytest.raises(kind) as info:
        http.request('GET', 'http://127.0.0.1/', timeout=0.5, deadline=3)
    assert type(info.value) is kind and str(info.value) == message
    assert endpoint.made[0].closed is True and FakeTimer.made[0].cancelled is True


# -- the deadline ----------------------------------------------------------------------------


def test_the_deadline_timer_is_the_timeout_unless_given_and_always_cancelled(endpoint):
    http.request('GET', 'http://127.0.0.1/', timeout=0.7)
    http.request('GET', 'http://127.0.0.1/', timeout=0.7, deadline=4)
    assert [(t.interval, t.cancelled) for t in FakeTimer.made] == [(0.7, True), (4, True)]
    assert FakeTimer.made[1].function is http._cut
    assert FakeTimer.made[1].args[0] is endpoint.made[1]


@pytest.mark.parametrize('where, kind, message', [
    ('connect', http.MetadataUnreachable, 'no connection within 2 s'),
    ('answer', http.MetadataTimeout, 'no complete answer within 2 s'),
    (None, http.MetadataTimeout, 'no complete answer within 2 s'),    # the last byte came late
], ids=['connect', 'read', 'complete-but-late'])
def test_past_the_deadline_the_failure_says_so(endpoint, where, kind, message):
    FakeTimer.expire_at_start = True
    if where == 'connect':
        endpoint.connect_error = socket.timeout('timed out')
    elif where == 'answer':
        endpoint.answer_error = socket.error(9, 'Bad file descriptor')    # the shutdown's
    with pytest.raises(kind) as info:
        http.request('GET', 'http://127.0.0.1/', timeout=1, deadline=2)
    assert type(info.value) is kind and str(info.value) == message


def test_cut_shuts_the_socket_down_and_survives_one_already_gone():
    class Connection(object):
        sock = None
    connection = Connection()
    expired = http.threading.Event()
    http._cut(connection, expired)                      # not connected yet: only the flag
    assert expired.is_set()
    connection.sock = FakeSocket()
    http._cut(connection, http.threading.Event())
    assert connection.sock.shut == [socket.SHUT_RDWR]
    connection.sock = FakeSocket(failure=socket.error(107, 'Transport endpoint is not connected'))
    gone = http.threading.Event()
    http._cut(connection, gone)
    assert connection.sock.shut == [socket.SHUT_RDWR] and gone.is_set()
