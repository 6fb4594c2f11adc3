"""stsboto's STS calls against a real endpoint: the tokens they return, and
the TokenIssueError an STS refusal becomes."""
from __future__ import absolute_import, print_function, unicode_literals

import datetime

import pytest

import stsboto
from stsboto.token import utcnow
from tests.integration.support import (ADMIN_KEY, ADMIN_SECRET, create_assumable_role, create_role,
                                       object_policy)

pytestmark = pytest.mark.integration


def assert_expires_in(token, seconds):
    left = token.remaining().total_seconds()
    assert seconds - 60 < left <= seconds + 5, left


def admin_kwargs(server):
    return dict(endpoint_url=server.endpoint_url, aws_access_key_id=ADMIN_KEY,
                aws_secret_access_key=ADMIN_SECRET)


def test_get_session_token_returns_a_token(server):
    token = stsboto.get_session_token(duration=1800, **admin_kwargs(server))
    assert isinstance(token, stsboto.Token)
    assert token.access_key and token.secret_key and token.session_token
    assert_expires_in(token, 1800)


def test_assume_role_returns_a_token(server, iam):
    role_arn = create_role(iam, 'reader', 'someone', object_policy('photos'))
    token = stsboto.assume_role(role_arn, 'job-7', duration=1200, **admin_kwargs(server))
    assert token.arn == 'arn:aws:sts::123456789012:assumed-role/reader/job-7'
    assert token.access_key.startswith('ASIA')
    assert token.session_token and token.secret_key
    assert_expires_in(token, 1200)


def test_issue_token_returns_a_federation_token(server):
    token = stsboto.issue_token(bucket='photos', name='uploader-42', duration=3600,
                                **admin_kwargs(server))
    assert token.arn == 'arn:aws:sts::123456789012:federated-user/uploader-42'
    assert token.session_token
    assert_expires_in(token, 3600)
    # the credential_process JSON it hands over parses back to the same token
    assert stsboto.Token.from_json(token.to_json()) == token


@pytest.fixture
def job_user(server, iam):
    """An IAM user allowed to assume one role; IAM enforcement on."""
    key, secret, role_arn = create_assumable_role(iam, 'uploader', 'job-user', object_policy('photos'))
    server.enforce_iam()
    return key, secret, role_arn


def check_error(error, secret, status, code):
    assert isinstance(error, stsboto.TokenIssueError)
    assert (error.status, error.code) == (status, code)
    # moto's error bodies carry no RequestId: stsboto must not invent one
    assert error.request_id is None
    assert error.cause is not None
    for text in (str(error), repr(error), ' '.join('%s' % a for a in error.args)):
        assert secret not in text
    assert code in str(error)


def test_bad_secret_becomes_token_issue_error(server, job_user):
    key, secret, role_arn = job_user
    wrong_secret = secret[:-4] + 'XXXX'
    with pytest.raises(stsboto.TokenIssueError) as info:
        stsboto.assume_role(role_arn, 'job-1', endpoint_url=server.endpoint_url,
                            aws_access_key_id=key, aws_secret_access_key=wrong_secret)
    check_error(info.value, wrong_secret, 403, 'SignatureDoesNotMatch')
    assert secret not in str(info.value)


def test_unknown_access_key_becomes_token_issue_error(server, job_user):
    with pytest.raises(stsboto.TokenIssueError) as info:
        stsboto.get_session_token(endpoint_url=server.endpoint_url,
                                  aws_access_key_id='AKIAUNKNOWNUSER00000',
                                  aws_secret_access_key=ADMIN_SECRET)
    check_error(info.value, ADMIN_SECRET, 403, 'InvalidClientTokenId')


def test_role_that_does_not_exist_becomes_token_issue_error(server, job_user):
    key, secret, role_arn = job_user
    with pytest.raises(stsboto.TokenIssueError) as info:
        stsboto.assume_role(role_arn.replace('uploader', 'no-such-role'), 'job-1',
                            endpoint_url=server.endpoint_url, aws_access_key_id=key,
                            aws_secret_access_key=secret)
    check_error(info.value, secret, 403, 'AccessDenied')
    assert 'sts:AssumeRole' in str(info.value)


def test_token_expiry_is_in_the_future(server):
    token = stsboto.get_session_token(duration=900, **admin_kwargs(server))
    assert token.expiration > utcnow() + datetime.timedelta(seconds=800)


# -- failing fast and keeping secrets out of chains (issues 11 and 12) ---------------------

def test_an_assumed_role_token_used_as_issuer_is_not_in_the_error_chain(server, job_user):
    """A temporary issuer (role keys + session token) refused by STS: the token is
    in no part of the error or of its printed traceback."""
    import traceback
    key, secret, role_arn = job_user
    role = stsboto.assume_role(role_arn, 'job-1', endpoint_url=server.endpoint_url,
                               aws_access_key_id=key, aws_secret_access_key=secret)
    with pytest.raises(stsboto.TokenIssueError) as info:
        stsboto.get_session_token(endpoint_url=server.endpoint_url,
                                  aws_access_key_id=role.access_key,
                                  aws_secret_access_key=role.secret_key,
                                  security_token=role.session_token[:-8] + 'XXXXXXXX')
    text = ''.join(traceback.format_exception(type(info.value), info.value, info.tb))
    for shown in (text, str(info.value), repr(info.value.cause)):
        assert role.secret_key not in shown and role.session_token[:-8] not in shown


def test_issue_token_with_a_policy_variable_opted_in(server):
    token = stsboto.issue_token(bucket='photos', prefix='home/${aws:userid}/',
                                policy_variables=['aws:userid'], name='uploader-42',
                                **admin_kwargs(server))
    assert token.session_token
    with pytest.raises(stsboto.InvalidPolicyError):
        stsboto.issue_token(bucket='photos', prefix='home/${aws:UserAgent}/', **admin_kwargs(server))


def test_a_stopped_server_is_reported_in_under_five_seconds(server):
    import socket
    import time
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    began = time.time()
    with pytest.raises(stsboto.exceptions.STSEndpointConnectionError) as info:
        stsboto.issue_token(bucket='photos', endpoint_url='http://127.0.0.1:%d' % port,
                            aws_access_key_id=ADMIN_KEY, aws_secret_access_key=ADMIN_SECRET)
    assert time.time() - began < 5
    assert info.value.endpoint == 'http://127.0.0.1:%d' % port
    # the same call against the running server, with the same defaults, works
    assert stsboto.issue_token(bucket='photos', **admin_kwargs(server)).session_token
