from __future__ import absolute_import, unicode_literals

import mock
import pytest

from tests.fakehttp import FakeAWS

import stsboto  # noqa: F401
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
