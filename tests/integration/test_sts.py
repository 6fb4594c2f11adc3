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
