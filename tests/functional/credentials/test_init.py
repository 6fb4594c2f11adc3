"""Functional tests for stsboto.credentials (__init__.py): find_token's answer, from a loopback endpoint.

What find_token returns is what Token.coerce and connect_with_token(None) take.
"""
from __future__ import absolute_import, unicode_literals

import os

import stsboto
from stsboto.token import Token
from tests.factories import make_token


def test_coerce_and_connect_with_token_none_accept_what_the_chain_returns():
    """connect_with_token(None) and Token.coerce take a RefreshableToken from the chain."""
    from tests.emulators import container_endpoint
    token = make_token(serial=6, arn=None)
    with container_endpoint([token]) as server:
        env = {'AWS_CONTAINER_CREDENTIALS_FULL_URI': server.url}
        found = stsboto.find_token(environ=env)
        assert Token.coerce(found) == token and Token.coerce(found).method == 'container-role'
        os.environ[str('AWS_CONTAINER_CREDENTIALS_FULL_URI')] = str(server.url)
        try:
            conn = stsboto.connect_with_token(None, endpoint_url='http://127.0.0.1:9000')
        finally:
            del os.environ[str('AWS_CONTAINER_CREDENTIALS_FULL_URI')]
    assert conn.aws_access_key_id == token.access_key
