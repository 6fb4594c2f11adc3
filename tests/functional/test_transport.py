"""stsboto.transport on the wire: retries, throttling, quotas and proxies against loopback servers."""
from __future__ import absolute_import, unicode_literals


import pytest

import stsboto
from stsboto import transport
from stsboto.transport import RetryPolicy, RetryQuota
from tests.factories import make_token
from tests.localhttp import scripted

import boto  # noqa: E402
import boto.exception  # noqa: E402
import boto.s3.connection  # noqa: E402


# -- retries on the wire: a front that throttles N times ---------------------------------------

def _throttling(failures, failure):
    """A front that answers ``failure`` (status, body) ``failures`` times, then 200 "hello"."""
    return scripted([failure] * failures + [(200, 'hello')])


THROTTLING = ('<Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error>')
SLOWDOWN = ('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>'
            '</Error>')


def _get(server, rules, patched=False):
    token = make_token(1)
    if patched:
        conn = boto.s3.connection.S3Connection(
            token.access_key, token.secret_key, security_token=token.session_token,
            host='127.0.0.1', port=server.server_port, is_secure=False,
            calling_format=boto.s3.connection.OrdinaryCallingFormat())
    else:
        conn = stsboto.connect_with_token(token, endpoint_url='http://127.0.0.1:%d'
                                          % server.server_port)
    conn.stsboto_policy = rules
    return conn.get_bucket('photos', validate=False).new_key('k').get_contents_as_string()


# -- metadata credentials: botocore's proxy rule -----------------------------------------------

def _lines(server):
    """What ``server`` was asked for: (path, Proxy-Authorization) per request."""
    return [(r.path, r.headers.get('proxy-authorization')) for r in server.seen]


@pytest.mark.parametrize('failure', [(400, THROTTLING), (503, SLOWDOWN)], ids=['400', '503'])
def test_throttling_is_retried_with_backoff(failure):
    slept = []
    with _throttling(2, failure) as server:
        assert _get(server, RetryPolicy(3, sleep=slept.append, random=lambda: 0.5)) == b'hello'
    assert len(server.seen) == 3
    assert slept == [0.5, 1.0]


def test_attempts_are_the_budget_then_the_error_reaches_the_caller():
    slept = []
    with _throttling(10, (400, THROTTLING)) as server:
        with pytest.raises(boto.exception.S3ResponseError) as info:
            _get(server, RetryPolicy(4, sleep=slept.append, random=lambda: 0.25))
    assert info.value.error_code == 'Throttling'
    assert len(server.seen) == 4 and slept == [0.25, 0.5, 1.0]


def test_a_4xx_that_cannot_succeed_is_not_retried():
    invalid = (400, '<Error><Code>InvalidArgument</Code></Error>')
    with _throttling(10, invalid) as server:
        with pytest.raises(boto.exception.S3ResponseError):
            _get(server, RetryPolicy(3, sleep=lambda s: pytest.fail('slept')))
    assert len(server.seen) == 1


def test_a_spent_quota_stops_retrying():
    quota = RetryQuota(capacity=5)
    with _throttling(10, (503, SLOWDOWN)) as server:
        with pytest.raises(boto.exception.S3ResponseError):
            _get(server, RetryPolicy(5, sleep=lambda s: None, quota=quota))
    assert len(server.seen) == 2 and quota.available == 0  # one retry was all it paid for


def test_patched_boto_retries_throttling_as_well(patched, boto_config):
    boto_config('max_retry_delay', '1')  # boto itself: TypeError on Python 3
    slept = []
    with _throttling(1, (400, THROTTLING)) as server:
        assert _get(server, transport.policy(sleep=slept.append, random=lambda: 0.9),
                    patched=True) == b'hello'
    assert len(server.seen) == 2 and slept == [0.9]


def test_patched_boto_uses_num_retries_from_its_config(patched, boto_config, monkeypatch):
    boto_config('num_retries', '1')
    monkeypatch.setattr(transport, '_sleep', lambda seconds: None)
    with _throttling(10, (500, 'busy')) as server:
        token = make_token(2)
        conn = boto.s3.connection.S3Connection(
            token.access_key, token.secret_key, host='127.0.0.1', port=server.server_port,
            is_secure=False, calling_format=boto.s3.connection.OrdinaryCallingFormat())
        with pytest.raises(boto.exception.S3ResponseError):
            conn.get_bucket('photos', validate=False).new_key('k').get_contents_as_string()
    assert len(server.seen) == 2


def test_a_body_that_cannot_be_rewound_is_a_clear_error():
    import os
    read_end, write_end = os.pipe()
    os.write(write_end, b'once')
    os.close(write_end)
    body = os.fdopen(read_end, 'rb')  # a pipe: read once, no way back
    with _throttling(1, (500, 'busy')) as server:
        token = make_token(3)
        conn = stsboto.connect_with_token(token, endpoint_url='http://127.0.0.1:%d'
                                          % server.server_port)
        conn.stsboto_policy = RetryPolicy(3, sleep=lambda s: None)
        request = conn.build_base_http_request(
            'PUT', '/photos/k', '/photos/k', data=body,
            headers={'Content-Length': '4', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD'})
        try:
            with pytest.raises(stsboto.StsbotoError) as info:
                conn._mexe(request)
        finally:
            body.close()
    assert 'cannot be rewound' in str(info.value)
    assert len(server.seen) == 1


def test_adaptive_mode_on_the_wire_shares_one_limiter_per_endpoint(monkeypatch):
    monkeypatch.setenv(str('AWS_RETRY_MODE'), str('adaptive'))
    slept = []
    with _throttling(1, (400, THROTTLING)) as server:
        rules = transport.policy(sleep=slept.append, random=lambda: 0.5)
        assert _get(server, rules) == b'hello'
        limiter = transport.rate_limiter('http://127.0.0.1:%d' % server.server_port)
        assert limiter.enabled  # the endpoint throttled: every connection to it now waits
    assert len(server.seen) == 2


@pytest.mark.parametrize('proxies', [True, False], ids=['imds', 'container'])
def test_metadata_requests_follow_botocores_proxy_rule(proxies, monkeypatch):
    from stsboto.credentials import http
    with scripted([(200, 'ok')]) as proxy, scripted([(200, 'ok')]) as endpoint:
        monkeypatch.setenv(str('HTTP_PROXY'), str('http://me:pw@127.0.0.1:%d' % proxy.server_port))
        url = 'http://127.0.0.1:%d/latest/meta-data/' % endpoint.server_port
        assert http.request('GET', url, timeout=2, proxies=proxies) == (200, b'ok')
    if proxies:  # IMDS: through the proxy, absolute URL, credentials sent
        assert _lines(proxy) == [(url, 'Basic bWU6cHc=')] and _lines(endpoint) == []
    else:  # container credentials: never through a proxy
        assert _lines(proxy) == [] and _lines(endpoint) == [('/latest/meta-data/', None)]
