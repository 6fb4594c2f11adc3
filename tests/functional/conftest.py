from __future__ import absolute_import, unicode_literals

import time

import mock
import pytest

from tests.fakehttp import FakeAWS
from tests.localhttp import scripted

import stsboto  # noqa: F401
from stsboto import transport

import boto.connection  # noqa: E402


@pytest.fixture
def fake_aws(monkeypatch):
    """boto's real connection code over an in-memory STS + S3 (see tests/fakehttp.py)."""
    for name in ('AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_STS',
                 'S3_USE_SIGV4'):
        monkeypatch.delenv(str(name), raising=False)
    aws = FakeAWS()
    with mock.patch.object(boto.connection.AWSAuthConnection, 'new_http_connection',
                           aws.connection_factory()):
        yield aws


@pytest.fixture
def server():
    """An S3 stand-in on 127.0.0.1 that answers from ``server.script`` (tests/localhttp.py)."""
    with scripted() as httpd:
        yield httpd


class _Sleeps(object):
    """Stands in for the ``time`` module boto.connection uses: sleeps are recorded."""

    def __init__(self):
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)

    def __getattr__(self, name):
        return getattr(time, name)


@pytest.fixture
def sleeps():
    fake = _Sleeps()
    with mock.patch.object(boto.connection, 'time', fake), \
            mock.patch.object(transport, '_sleep', fake.sleep):
        yield fake.sleeps
