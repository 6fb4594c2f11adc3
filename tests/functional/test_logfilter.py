"""stsboto.logfilter with boto's real request code: what reaches the log over the fake network."""
from __future__ import absolute_import, unicode_literals

import logging

import pytest

import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
from stsboto.logfilter import MASK, install_log_filter
from stsboto.token import Token
from tests.localhttp import scripted

import boto.s3.connection  # noqa: E402

ACCESS_KEY = 'ASIAIOSFODNN7EXAMPLE'
SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY'
SESSION_TOKEN = 'FwoGZXIvYXdzEBYaDH7EXAMPLESESSIONTOKENVALUE+/=='
TOKEN = Token(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)


# -- a real boto request -----------------------------------------------------------

@pytest.fixture
def http_server():
    with scripted() as server:
        yield server


def boto_request(server, sigv4=True):
    """One GET through boto; the signature the server received."""
    conn = stsboto.connect_with_token(
        TOKEN, host='127.0.0.1', port=server.server_port, is_secure=False,
        calling_format=boto.s3.connection.OrdinaryCallingFormat(), sigv4=sigv4)
    response = conn.make_request('GET', 'photos', 'cat.txt')
    response.read()
    assert response.status == 200
    sent = server.seen[-1].headers
    assert sent['x-amz-security-token'] == SESSION_TOKEN
    authorization = sent['authorization']
    return authorization.rsplit('Signature=' if sigv4 else ':', 1)[1]


SIGNING = pytest.mark.parametrize('sigv4', [True, False], ids=['sigv4', 'sigv2'])


# -- mask_exception: causes that tracebacks print (issue 11 item 2) ----------------------


@SIGNING
def test_without_the_filter_boto_logs_the_session_token(http_server, boto_log, sigv4):
    signature = boto_request(http_server, sigv4)
    assert 'Token: %s' % SESSION_TOKEN in boto_log.text
    assert signature in boto_log.text


@SIGNING
@pytest.mark.parametrize('register', [True, False], ids=['token-registered', 'patterns-only'])
def test_with_the_filter_boto_logs_no_secret(http_server, boto_log, register, sigv4):
    install_log_filter('boto', tokens=[TOKEN] if register else ())
    signature = boto_request(http_server, sigv4)
    text = boto_log.text
    assert 'Token: %s' % MASK in text                # the request was logged, masked
    assert SESSION_TOKEN not in text and SECRET_KEY not in text
    assert len(signature) > 20 and signature not in text
    if sigv4:
        assert 'Signature=%s' % MASK in text
    else:
        assert 'AWS %s:%s' % (ACCESS_KEY, MASK) in text
        assert 'Signature:\nAWS %s:%s' % (ACCESS_KEY, MASK) in text
    assert ACCESS_KEY in text
    assert 'Signature:\n%s' % MASK in text or not sigv4


def test_issue_token_and_refresh_remember_their_tokens(boto_log):
    import mock
    from tests.fakehttp import FakeAWS, ISSUED
    install_log_filter('boto')
    aws = FakeAWS()
    with mock.patch.object(boto.connection.AWSAuthConnection, 'new_http_connection',
                           aws.connection_factory()):
        token = stsboto.issue_token(bucket='photos', aws_access_key_id='AKIAISSUER0000000001',
                                    aws_secret_access_key='issuer-secret/abc+0123456789')
    assert token.session_token == ISSUED['session_token']
    logging.getLogger('boto').warning('later: %s', token.session_token)
    assert boto_log.lines[-1].endswith('later: %s' % MASK)
    refreshed = Token('ASIAREFRESHED0000001', 'refreshed-secret-0123456789abcdef', 'refreshed-token-'
                      '0123456789abcdefghij')
    stsboto.RefreshableToken(refreshed, lambda: refreshed)
    logging.getLogger('boto').warning('%s', refreshed.session_token)
    assert boto_log.lines[-1] == MASK
