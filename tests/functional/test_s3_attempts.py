"""Every attempt of a request, boto's retries included, over real sockets on 127.0.0.1.

A small HTTP server plays S3 from a script (answer 500, drop the connection,
echo the token in an error, ...); the connection's clock is a fake one that
the server moves, so a token expires between two attempts of one request.
boto's retry sleeps are recorded instead of slept.
"""
from __future__ import absolute_import, unicode_literals

import socket
import traceback
from xml.sax.saxutils import escape

import mock
import pytest
import six

import stsboto
from stsboto import s3
from stsboto.exceptions import EndpointConnectionError
from tests.factories import FakeClock, make_token
from tests.factories import connect_to as connect
from tests.localhttp import free_port

import boto.connection  # noqa: E402
import boto.exception  # noqa: E402
import boto.s3.connection  # noqa: E402


def credential(headers):
    return headers['authorization'].split('Credential=')[1].split('/')[0]


# -- issue 11 item 4: a check before every attempt ---------------------------------

def test_retry_after_500_is_refused_once_the_token_expired(server, sleeps):
    clock = FakeClock('real')
    token = make_token(1, clock, 60)
    conn = connect(server, token, time_fetcher=clock, retries=3)
    server.script = [(500, 'busy'), (200, 'late')]
    server.before[0] = lambda: clock.advance(120)  # the token expires during the first attempt
    with pytest.raises(stsboto.TokenExpiredError) as info:
        conn.get_bucket('photos').get_key('k')
    assert len(server.seen) == 1, 'no request may leave after expiry'
    assert info.value.expiration == token.expiration
    assert len(sleeps) == 1  # boto did go for its retry: the check stopped it


def test_retry_after_500_is_signed_with_the_refreshed_token(server, sleeps):
    clock = FakeClock('real')
    old, new = make_token(2, clock, 900), make_token(3, clock, 3600)
    source = stsboto.RefreshableToken(old, lambda: new, time_fetcher=clock)
    conn = connect(server, source, time_fetcher=clock)
    server.script = [(500, 'busy'), (200, 'hello')]
    server.before[0] = lambda: clock.advance(850)  # into the mandatory window, not expired
    assert conn.get_bucket('photos').new_key('k').get_contents_as_string() == b'hello'
    (_, _, first, _), (_, _, second, _) = server.seen
    assert credential(first) == old.access_key
    assert first['x-amz-security-token'] == old.session_token
    assert credential(second) == new.access_key
    assert second['x-amz-security-token'] == new.session_token
    assert conn.token == new


def test_retry_after_a_dropped_connection_is_checked_too(server, sleeps):
    clock = FakeClock('real')
    token = make_token(4, clock, 60)
    conn = connect(server, token, time_fetcher=clock, retries=3)
    server.script = ['drop', (200, '')]
    server.before[0] = lambda: clock.advance(58)  # inside the margin: not sent
    with pytest.raises(stsboto.TokenExpiredError):
        conn.get_bucket('photos').new_key('k').set_contents_from_string(b'data')
    assert len(server.seen) == 1


def test_plain_boto_retries_the_expired_token(server, sleeps):
    """What the check prevents: boto re-signs the retry with the same keys."""
    conn = boto.s3.connection.S3Connection(
        'ASIAPLAINBOTO0000001', 'plain/secret', security_token='TOKEN' * 10, host='127.0.0.1',
        port=server.server_port, is_secure=False,
        calling_format=boto.s3.connection.OrdinaryCallingFormat())
    server.script = [(500, 'busy'), (200, '')]
    conn.make_request('GET', 'photos', 'k').read()
    assert len(server.seen) == 2


# -- issue 11 item 2: no secret in a boto error raised through the connection -------

REALISTIC = make_token(5, session_token='IQoJb3JpZ2luX2VjEXAMPLE/realistic+TOKEN' * 8 + '==')


def _echo(code, token):
    """S3's answer to a bad token: it echoes the token (XML-escaped) in <Token-0>."""
    echoed = escape(token.session_token, {'"': '&quot;'})
    return ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>The provided '
            'token is malformed or otherwise invalid.</Message><Token-0>%s</Token-0>'
            '<RequestId>REQ1</RequestId></Error>' % (code, echoed))


def _slices(secret, size=16):
    return set(secret[i:i + size] for i in range(0, len(secret) - size + 1))


def _assert_no_secret(error, token):
    texts = [six.text_type(error), repr(error), repr(error.args)]
    tb = getattr(error, '__traceback__', None)
    texts.extend(traceback.format_exception(type(error), error, tb))
    for name in ('body', 'error_message', 'reason', 'message'):
        value = vars(error).get(name)  # (getattr: Python 2's deprecated BaseException.message)
        if value is not None:
            if isinstance(value, bytes):
                value = value.decode('utf-8', 'replace')
            texts.append(six.text_type(value))
    text = '\n'.join(texts)
    for secret in (token.secret_key, token.session_token):
        assert secret not in text
        pieces = _slices(escape(secret, {'"': '&quot;'}))
        leaked = [piece for piece in pieces if piece in text]
        assert not leaked, leaked[:3]


@pytest.mark.parametrize('token', [REALISTIC, make_token(6)], ids=['base64', 'xml-special'])
@pytest.mark.parametrize('call', ['get', 'put', 'list', 'make_request'])
def test_invalid_token_errors_hold_no_secret(server, token, call):
    conn = connect(server, token)
    bucket = conn.get_bucket('photos')
    server.script = [(400, _echo('InvalidToken', token))]
    actions = {
        'get': lambda: bucket.new_key('k').get_contents_as_string(),
        'put': lambda: bucket.new_key('k').set_contents_from_string(b'data'),  # raised in boto's sender
        'list': lambda: bucket.get_all_keys(prefix='a/'),
        'make_request': lambda: conn.make_request('GET', 'photos', 'k').read(),
    }
    if call == 'make_request':
        body = actions[call]()
        assert b'InvalidToken' in body and token.session_token.encode('utf-8') not in body
        return
    with pytest.raises(boto.exception.S3ResponseError) as info:
        actions[call]()
    error = info.value
    assert error.error_code == 'InvalidToken'  # boto's error, unchanged for drop-in code
    _assert_no_secret(error, token)


def test_the_leak_check_can_fail(server):
    token = REALISTIC
    conn = boto.s3.connection.S3Connection(
        token.access_key, token.secret_key, security_token=token.session_token, host='127.0.0.1',
        port=server.server_port, is_secure=False,
        calling_format=boto.s3.connection.OrdinaryCallingFormat())
    server.script = [(400, _echo('InvalidToken', token))]
    with pytest.raises(boto.exception.S3ResponseError) as info:
        conn.get_bucket('photos', validate=False).new_key('k').get_contents_as_string()
    with pytest.raises(AssertionError):
        _assert_no_secret(info.value, token)


@pytest.mark.parametrize('call', ['get', 'put'])
def test_expired_on_server_chains_a_scrubbed_error(server, call):
    token = REALISTIC
    conn = connect(server, token)
    server.script = [(400, _echo('ExpiredToken', token))]
    key = conn.get_bucket('photos').new_key('k')
    with pytest.raises(stsboto.TokenExpiredError) as info:
        if call == 'get':
            key.get_contents_as_string()
        else:
            key.set_contents_from_string(b'data')
    error = info.value
    _assert_no_secret(error, token)
    if six.PY3 and error.__cause__ is not None:
        _assert_no_secret(error.__cause__, token)
    assert 'ExpiredToken' in str(error) and 'get a new token' in str(error)


# -- issue 12 item 3: failing fast, naming the endpoint -------------------------------


@pytest.mark.parametrize('retries', [None, 0, 4])
def test_refused_endpoint_is_reported_at_once(sleeps, retries):
    # issue 17 item 3: nothing listens there; trying again cannot help
    port = free_port()
    kwargs = {} if retries is None else {'retries': retries}
    conn = stsboto.connect_with_token(make_token(7), endpoint_url='http://127.0.0.1:%d' % port,
                                      **kwargs)
    connects = []
    real = socket.create_connection

    def counting(*args, **kw):
        connects.append(kw.get('timeout', args[1] if len(args) > 1 else None))
        return real(*args, **kw)

    with mock.patch.object(socket, 'create_connection', counting):
        with pytest.raises(EndpointConnectionError) as info:
            conn.get_bucket('photos').new_key('k').set_contents_from_string(b'x')
    error = info.value
    assert error.endpoint == 'http://127.0.0.1:%d' % port
    assert error.endpoint in str(error) and 'refused' in str(error).lower()
    assert isinstance(error, socket.error) and isinstance(error, stsboto.StsbotoError)
    assert len(connects) == 1
    assert connects[0] == s3.DEFAULT_CONNECT_TIMEOUT
    assert sleeps == []


def test_unresolvable_endpoint_is_named(sleeps):
    conn = stsboto.connect_with_token(make_token(8), endpoint_url='http://s3.nowhere.test:9000')

    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, 'Name or service not known')

    with mock.patch.object(socket, 'getaddrinfo', no_dns):
        with pytest.raises(EndpointConnectionError) as info:
            conn.get_bucket('photos').get_key('k')
    assert info.value.endpoint == 'http://s3.nowhere.test:9000'
    assert 'gaierror' in str(info.value) and 'does not resolve' in str(info.value)
    assert sleeps == []


def test_drop_in_fails_fast_too(sleeps):
    port = free_port()
    conn = s3.connect_to_region('us-east-1', token=make_token(9),
                                endpoint_url='http://127.0.0.1:%d' % port)
    with pytest.raises(EndpointConnectionError):
        conn.get_bucket('photos').get_key('k')
    assert sleeps == []


def test_connect_timeout_is_for_connecting_only(server):
    conn = connect(server, make_token(10), connect_timeout=2.5)
    seen = []
    real = socket.create_connection

    def recording(*args, **kwargs):
        sock = real(*args, **kwargs)
        seen.append((kwargs.get('timeout', args[1] if len(args) > 1 else None), sock))
        return sock

    reading = []
    server.before[0] = lambda: reading.append(seen[0][1].gettimeout())  # while boto waits
    with mock.patch.object(socket, 'create_connection', recording):
        conn.get_bucket('photos').new_key('k').set_contents_from_string(b'x')
    ((timeout, _),) = seen
    assert timeout == 2.5
    assert reading == [boto.config.getint('Boto', 'http_socket_timeout', 70)]


def test_boto_config_num_retries_is_respected_when_retries_is_not_given(server, sleeps):
    server.script = [(500, 'busy')]
    if not boto.config.has_section('Boto'):
        boto.config.add_section('Boto')
    boto.config.set('Boto', 'num_retries', '1')
    try:
        conn = connect(server, make_token(11))
        with pytest.raises(boto.exception.S3ResponseError) as info:
            conn.get_bucket('photos').get_key('k')
    finally:
        boto.config.remove_option('Boto', 'num_retries')
    assert info.value.status == 500
    assert len(server.seen) == 2 and len(sleeps) == 1


@pytest.mark.parametrize('name, value', [
    ('retries', -1), ('retries', 1.5), ('retries', '3'), ('retries', True),
    ('connect_timeout', 0), ('connect_timeout', float('nan')), ('connect_timeout', float('inf')),
    ('connect_timeout', '5'),
])
def test_bad_retries_and_timeouts_are_refused_before_any_request(name, value):
    with pytest.raises(stsboto.InvalidParameterError) as info:
        stsboto.connect_with_token(make_token(12), **{name: value})
    assert info.value.field == name


# -- the same on boto's own S3Connection, through stsboto.signing ----------------------

def _boto_connection(port, token):
    return boto.s3.connection.S3Connection(
        token.access_key, token.secret_key, security_token=token.session_token,
        host='127.0.0.1', port=port, is_secure=False,
        calling_format=boto.s3.connection.OrdinaryCallingFormat())


def test_attached_boto_connection_masks_error_answers(server):
    from stsboto import signing
    token = REALISTIC
    conn = signing.attach_token_source(
        signing.fix_s3_connection(_boto_connection(server.server_port, token)), token)
    server.script = [(400, _echo('InvalidToken', token))]
    with pytest.raises(boto.exception.S3ResponseError) as info:
        conn.get_bucket('photos', validate=False).new_key('k').get_contents_as_string()
    assert info.value.error_code == 'InvalidToken'
    _assert_no_secret(info.value, token)


def test_attached_boto_connection_checks_every_retry(server, sleeps):
    from stsboto import signing
    clock = FakeClock('real')
    token = make_token(13, clock, 60)
    conn = signing.attach_token_source(_boto_connection(server.server_port, token), token,
                                       time_fetcher=clock)
    server.script = [(500, 'busy'), (200, '')]
    server.before[0] = lambda: clock.advance(120)
    with pytest.raises(stsboto.TokenExpiredError):
        conn.make_request('GET', 'photos', 'k')
    assert len(server.seen) == 1


def test_attached_boto_connection_names_an_unreachable_endpoint(sleeps):
    from stsboto import signing
    port = free_port()
    conn = signing.attach_token_source(_boto_connection(port, make_token(14)), make_token(14))
    with pytest.raises(EndpointConnectionError) as info:
        conn.make_request('GET', 'photos', 'k')
    assert info.value.endpoint == 'http://127.0.0.1:%d' % port
    assert len(sleeps) == 7  # boto's own schedule: 6 retries, a sleep after each attempt
