"""stsboto.sts over the wire: STS on loopback stand-ins (timeouts, refused and
unresolvable endpoints, retries, malformed answers)."""
from __future__ import absolute_import, unicode_literals

import socket
import time
import traceback

import mock
import pytest
import six

import stsboto
from stsboto import transport
from stsboto.exceptions import EndpointConnectionError, STSEndpointConnectionError
from tests.localhttp import free_port, scripted


ISSUER_SECRET = 'issuer/Secret+Key0123456789abcdefghijklm'
ISSUER = {'aws_access_key_id': 'AKIAISSUERKEY0000001', 'aws_secret_access_key': ISSUER_SECRET}


@pytest.fixture
def sleeps(monkeypatch):
    """The back-off sleeps between retries, recorded instead of slept; jitter fixed at 1."""
    slept = []
    monkeypatch.setattr(transport, '_sleep', slept.append)
    monkeypatch.setattr(transport, '_random', lambda: 0.5)
    return slept


def _http(status_line, body):
    return (status_line + '\r\nContent-Length: %d\r\nContent-Type: text/xml\r\n\r\n' % len(body)
            ).encode('ascii') + body.encode('utf-8')


LEAKED = 'FwoGZXIvYXdzEAnswerTokenThatMustNotLeak0123456789abcdef//=='


@pytest.mark.parametrize('call', [
    lambda **kw: stsboto.issue_token(bucket='photos', **kw),
    lambda **kw: stsboto.assume_role('arn:aws:iam::123456789012:role/r', 'job-7', **kw),
    lambda **kw: stsboto.get_session_token(**kw),
], ids=['issue_token', 'assume_role', 'get_session_token'])
def test_a_refused_endpoint_is_reported_fast_naming_it(call):
    port = free_port()
    began = time.time()
    with pytest.raises(STSEndpointConnectionError) as info:
        call(endpoint_url='http://127.0.0.1:%d' % port, **ISSUER)
    took = time.time() - began
    error = info.value
    assert isinstance(error, EndpointConnectionError) and isinstance(error, stsboto.TokenIssueError)
    assert error.endpoint == 'http://127.0.0.1:%d' % port
    assert '127.0.0.1:%d' % port in str(error) and 'could not reach' in str(error)
    assert took < 5, took


def test_retries_are_counted_and_backed_off(sleeps):
    with scripted([(503, 'busy')]) as server:
        with pytest.raises(stsboto.TokenIssueError) as info:
            stsboto.issue_token(bucket='photos', retries=3, **dict(
                ISSUER, endpoint_url='http://127.0.0.1:%d' % server.server_port))
    assert info.value.status == 503
    assert len(server.seen) == 4
    assert sleeps == [0.5, 1.0, 2.0]  # random() * 2 ** (attempt - 1)


def test_a_refused_endpoint_is_never_retried(sleeps):
    with pytest.raises(STSEndpointConnectionError):
        stsboto.issue_token(bucket='photos', endpoint_url='http://127.0.0.1:%d' % free_port(),
                            retries=3, **ISSUER)
    assert sleeps == []


def test_retries_zero_tries_once(sleeps):
    with scripted([(500, 'busy')]) as server:
        with pytest.raises(stsboto.TokenIssueError):
            stsboto.get_session_token(retries=0, **dict(
                ISSUER, endpoint_url='http://127.0.0.1:%d' % server.server_port))
    assert sleeps == [] and len(server.seen) == 1


def test_the_boto_config_num_retries_is_the_default(sleeps, monkeypatch):
    import boto
    if not boto.config.has_section('Boto'):
        boto.config.add_section('Boto')
    boto.config.set('Boto', 'num_retries', '1')
    try:
        with scripted([(500, 'busy')]) as server:
            with pytest.raises(stsboto.TokenIssueError):
                stsboto.get_session_token(**dict(
                    ISSUER, endpoint_url='http://127.0.0.1:%d' % server.server_port))
    finally:
        boto.config.remove_option('Boto', 'num_retries')
    assert len(sleeps) == 1 and len(server.seen) == 2


def test_an_unresolvable_host_is_reported_without_retrying(sleeps):
    error = socket.gaierror(socket.EAI_NONAME, 'Name or service not known')
    with mock.patch('socket.getaddrinfo', side_effect=error):
        with pytest.raises(STSEndpointConnectionError) as info:
            stsboto.issue_token(bucket='photos', endpoint_url='http://sts.nowhere.invalid:8443',
                                **ISSUER)
    assert info.value.endpoint == 'http://sts.nowhere.invalid:8443'
    assert 'does not resolve' in str(info.value)
    assert sleeps == []


def test_a_connection_that_is_never_accepted_times_out():
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    waiting = []
    try:
        for _ in range(3):  # fill the accept queue: the next SYN is dropped
            client = socket.socket()
            client.setblocking(False)
            try:
                client.connect(('127.0.0.1', port))
            except socket.error:
                pass
            waiting.append(client)
        began = time.time()
        with pytest.raises(STSEndpointConnectionError) as info:
            stsboto.issue_token(bucket='photos', endpoint_url='http://127.0.0.1:%d' % port,
                                connect_timeout=0.2, retries=0, **ISSUER)
        took = time.time() - began
    finally:
        for client in waiting:
            client.close()
        listener.close()
    assert 'no connection within 0.2 s' in str(info.value)
    assert took < 3, took


@pytest.mark.parametrize('answer, words', [
    (_http('HTTP/1.1 200 OK', '<GetFederationTokenResponse><GetFederationTokenResult><Credentials>'
                              '<SessionToken>%s</SessionToken><SecretAccessKey>x' % LEAKED),
     'could not read'),
    (_http('HTTP/1.1 200 OK', '<html><body>Proxy login</body></html>'), 'without usable credentials'),
    (_http('HTTP/1.1 200 OK', '<GetFederationTokenResponse/>'), 'without usable credentials'),
    # a status line that echoes a secret stsboto knows (the issuer's key)
    # (Python 2's httplib reads a line that is not HTTP as an HTTP/0.9 body: unreadable XML)
    (b'SSH-2.0-OpenSSH_9.6 ' + ISSUER_SECRET.encode('ascii') + b'\r\n\r\n',
     'broken HTTP answer' if six.PY3 else 'could not read'),
], ids=['truncated-xml', 'html-page', 'no-credentials', 'bad-status-line'])
def test_malformed_sts_answers_are_token_issue_errors_naming_the_service(answer, words, sleeps):
    with scripted([answer]) as server:
        with pytest.raises(stsboto.TokenIssueError) as info:
            stsboto.issue_token(bucket='photos', retries=0, **dict(
                ISSUER, endpoint_url='http://127.0.0.1:%d' % server.server_port))
    error = info.value
    assert type(error) is stsboto.TokenIssueError
    assert 'STS GetFederationToken' in str(error) and words in str(error)
    text = ''.join(traceback.format_exception(type(error), error, info.tb))
    for shown in (text, str(error), repr(error), repr(error.args), repr(error.cause)):
        assert LEAKED not in shown and LEAKED[:16] not in shown and ISSUER_SECRET not in shown


def test_a_failed_tls_handshake_is_reported_once_not_retried(sleeps):
    """An https endpoint that does not speak TLS: no retry would help."""
    import threading
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(5)
    accepted = []

    def answer_garbage():
        while True:
            try:
                client, _ = listener.accept()
            except socket.error:
                return
            accepted.append(1)
            client.sendall(b'this is not TLS\r\n\r\n')
            client.close()
    thread = threading.Thread(target=answer_garbage)
    thread.daemon = True
    thread.start()
    try:
        with pytest.raises(STSEndpointConnectionError) as info:
            stsboto.issue_token(bucket='photos', retries=3, **dict(
                ISSUER, endpoint_url='https://localhost:%d' % listener.getsockname()[1]))
    finally:
        listener.close()
    assert 'TLS handshake failed' in str(info.value)
    assert sleeps == [] and len(accepted) == 1
