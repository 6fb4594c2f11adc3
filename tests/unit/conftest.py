"""Unit tests run in memory: no socket, no fake network (issue 21).

A unit test that opens, binds or connects a socket, or sends through
``tests.fakehttp.FakeAWS`` (boto's connection code over an in-memory AWS),
fails here; such tests belong in ``tests/functional`` (loopback servers and
the fake network) or ``tests/integration`` (moto and the real programs).
"""
from __future__ import absolute_import, unicode_literals

import socket

import pytest

from tests import fakehttp

_WHERE = ('a unit test opens no socket and uses no fake network: it belongs in '
          'tests/functional or tests/integration')


class SocketInUnitTest(AssertionError):
    """What a unit test gets when it reaches for the network."""


def _refuse(*args, **kwargs):
    raise SocketInUnitTest(_WHERE)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    for name in ('bind', 'connect', 'connect_ex', 'listen'):
        monkeypatch.setattr(socket.socket, name, _refuse)
    monkeypatch.setattr(socket, 'create_connection', _refuse)
    monkeypatch.setattr(socket, 'getaddrinfo', _refuse)
    monkeypatch.setattr(fakehttp.FakeAWS, 'connection_factory', _refuse)
    monkeypatch.setattr(fakehttp.FakeHTTPConnection, 'connect', _refuse)
