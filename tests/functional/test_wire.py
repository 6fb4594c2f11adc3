"""What goes on the wire: boto's real request code, only the socket faked."""
from __future__ import absolute_import, unicode_literals

import datetime
import json
import re

import pytest
import six

import stsboto
from stsboto import policy
from stsboto._compat import UTC
from tests.factories import FakeClock
from tests.fakehttp import ISSUED

import boto.exception  # noqa: E402

ISSUER = {'aws_access_key_id': 'AKIAISSUERKEY0000001',
          'aws_secret_access_key': 'issuerSecret/DoNotLeak+0123456789abcdef'}


def _issue(**kwargs):
    args = dict(bucket='photos', name='uploader-42', duration=900)
    args.update(ISSUER)
    args.update(kwargs)
    return stsboto.issue_token(**args)


def test_federation_request_carries_name_duration_and_compact_policy(fake_aws):
    _issue(prefix='user-42/')
    (request,) = fake_aws.requests
    form = request.form
    assert request.method == 'POST'
    assert request.host == 'sts.us-east-1.amazonaws.com:443'
    assert form['Action'] == 'GetFederationToken'
    assert form['Name'] == 'uploader-42'
    assert form['DurationSeconds'] == '900'
    expected = policy.to_json(policy.bucket_policy('photos', prefix='user-42/'))
    assert form['Policy'] == expected
    assert ': ' not in form['Policy'] and ', ' not in form['Policy']
    assert json.loads(form['Policy'])['Statement'][0]['Resource'] == 'arn:aws:s3:::photos/user-42/*'
    # SigV4 for the regional endpoint, signed for us-east-1/sts
    assert '/us-east-1/sts/aws4_request' in request.header('authorization')


def test_issued_token_is_parsed_from_the_response(fake_aws):
    token = _issue()
    assert token.access_key == ISSUED['access_key']
    assert token.secret_key == ISSUED['secret_key']
    assert token.session_token == ISSUED['session_token']
    assert token.arn == 'arn:aws:sts::123456789012:federated-user/uploader-42'
    assert stsboto.token.format_expiration(token.expiration) == ISSUED['expiration']


def test_sts_error_becomes_token_issue_error_with_cause(fake_aws):
    fake_aws.sts_error = (403, 'AccessDenied', 'User is not authorized to perform '
                          'sts:GetFederationToken; key %s' % ISSUER['aws_secret_access_key'])
    with pytest.raises(stsboto.TokenIssueError) as info:
        _issue()
    error = info.value
    assert (error.code, error.status, error.request_id) == ('AccessDenied', 403, 'req-0042')
    assert isinstance(error.cause, boto.exception.BotoServerError)
    if six.PY3:
        assert error.__cause__ is error.cause
    # the server echoed the secret: we never do
    assert ISSUER['aws_secret_access_key'] not in str(error)
    assert ISSUER['aws_secret_access_key'] not in repr(error)
    assert 'AccessDenied' in str(error) and 'req-0042' in str(error)


@pytest.mark.parametrize('kwargs', [
    {'name': 'x'},
    {'name': 'has space'},
    {'name': 'n' * 33},
    {'duration': 899},
    {'duration': 129601},
    {'duration': '900'},
    {'bucket': 'Bad_Bucket'},
    {'actions': ['s3:*']},
    {'prefix': 'a*'},
    {'bucket': None},
    {'policy': {'Statement': []}, 'bucket': None},
    {'policy': '{"Statement": [{"Effect": "Allow"}]}'},
    {'region': 'Mars'},
])
def test_bad_input_fails_before_any_request(fake_aws, kwargs):
    with pytest.raises(ValueError) as info:
        _issue(**kwargs)
    assert isinstance(info.value, stsboto.StsbotoError)
    assert fake_aws.requests == []
    assert ISSUER['aws_secret_access_key'] not in str(info.value)


def test_user_story_every_s3_request_carries_the_token(fake_aws):
    token = _issue()
    sts_requests = len(fake_aws.requests)
    conn = stsboto.connect_with_token(token.to_json())
    bucket = conn.get_bucket('photos')
    assert len(fake_aws.requests) == sts_requests, 'get_bucket must not send a request'
    key = bucket.new_key('user-42/hello.txt')
    key.set_contents_from_string(b'hello world')
    assert bucket.get_key('user-42/hello.txt').get_contents_as_string() == b'hello world'
    s3_requests = fake_aws.requests[sts_requests:]
    # PUT, then HEAD (get_key) and GET: one request per object operation
    assert [r.method for r in s3_requests] == ['PUT', 'HEAD', 'GET']
    for request in s3_requests:
        # exactly once: a duplicate would arrive as "token,token"
        assert request.header('x-amz-security-token') == ISSUED['session_token']
        assert request.header('authorization').startswith('AWS4-HMAC-SHA256 ')
        assert 'x-amz-security-token' in request.header('authorization')
    assert fake_aws.objects[('photos', 'user-42/hello.txt')] == b'hello world'


def test_validating_get_bucket_sends_one_request_with_the_token(fake_aws):
    conn = stsboto.connect_with_token(dict(ISSUED))
    conn.get_bucket('photos', validate=True)
    (request,) = fake_aws.requests
    assert request.header('x-amz-security-token') == ISSUED['session_token']


def test_expired_token_sends_nothing(fake_aws):
    token = stsboto.Token(ISSUED['access_key'], ISSUED['secret_key'], ISSUED['session_token'],
                          expiration='2001-01-01T00:00:00Z')
    with pytest.raises(stsboto.TokenExpiredError) as info:
        stsboto.connect_with_token(token)
    assert ISSUED['session_token'] not in str(info.value)
    assert ISSUED['secret_key'] not in str(info.value)
    assert fake_aws.requests == []


def test_token_expiring_after_connect_is_refused_before_the_request(fake_aws):
    clock = FakeClock(datetime.datetime(2098, 12, 31, 23, 0, tzinfo=UTC))
    conn = stsboto.connect_with_token(dict(ISSUED), time_fetcher=clock)
    bucket = conn.get_bucket('photos')
    clock.advance(3600)
    with pytest.raises(stsboto.TokenExpiredError) as info:
        bucket.new_key('late.txt').set_contents_from_string(b'x')
    assert '2099-01-01T00:00:00Z' in str(info.value)
    assert fake_aws.requests == []


def test_custom_port_sends_and_signs_host_once(fake_aws):
    conn = stsboto.connect_with_token(dict(ISSUED), endpoint_url='http://127.0.0.1:9000')
    conn.get_bucket('photos').new_key('k').set_contents_from_string(b'data')
    (request,) = fake_aws.requests
    assert request.header('host') == '127.0.0.1:9000'
    assert request.path == '/photos/k'  # path-style for custom endpoints
    signed = re.search(r'SignedHeaders=([^,]+)', request.header('authorization')).group(1)
    assert 'host' in signed.split(';')
    assert 'user-agent' not in signed.split(';')
    assert 'expect' not in signed.split(';')


def test_listing_prefix_and_delimiter_are_sent_as_signed(fake_aws):
    """boto signs prefix=a%2F and sent prefix=a/ (issue 9): now the query goes out as signed."""
    conn = stsboto.connect_with_token(dict(ISSUED), endpoint_url='http://127.0.0.1:9000')
    conn.get_bucket('photos').get_all_keys(prefix='a/b c/', delimiter='/')
    (request,) = fake_aws.requests
    assert sorted(request.raw_query.split('&')) == ['delimiter=%2F', 'prefix=a%2Fb%20c%2F']
    assert request.query == {'delimiter': ['/'], 'prefix': ['a/b c/']}
    if six.PY3:
        assert _sent_signature_matches_botocore(request, 'us-east-1', ISSUED)


def _sent_signature_matches_botocore(request, region, token):
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    auth_header = request.header('authorization')
    signed = re.search(r'SignedHeaders=([^,]+)', auth_header).group(1).split(';')
    headers = dict((name, request.header(name)) for name in signed if name != 'host')
    url = 'http://%s%s' % (request.host, request.target)
    aws_request = AWSRequest(method=request.method, url=url, headers=headers, data=request.body)
    aws_request.context['timestamp'] = request.header('x-amz-date')
    signer = S3SigV4Auth(Credentials(token['access_key'], token['secret_key'],
                                     token['session_token']), 's3', region)
    signer._modify_request_before_signing(aws_request)
    canonical = signer.canonical_request(aws_request)
    expected = signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)
    return re.search(r'Signature=([0-9a-f]+)', auth_header).group(1) == expected


if six.PY3:
    @pytest.mark.parametrize('endpoint_url, region', [
        ('http://127.0.0.1:9000', 'us-east-1'),
        ('http://localhost:4566', 'eu-north-1'),
        ('http://minio.test', 'ap-southeast-5'),
    ])
    def test_sigv4_signature_equals_botocores(fake_aws, endpoint_url, region):
        conn = stsboto.connect_with_token(dict(ISSUED), region=region, endpoint_url=endpoint_url)
        key = conn.get_bucket('photos').new_key('dir/a file+1.txt')
        key.set_contents_from_string(b'payload', headers={'Content-Type': 'text/plain'})
        key.get_contents_as_string()
        assert len(fake_aws.requests) == 2
        for request in fake_aws.requests:
            assert _sent_signature_matches_botocore(request, region, ISSUED)

    def test_botocore_oracle_can_fail(fake_aws):
        conn = stsboto.connect_with_token(dict(ISSUED), endpoint_url='http://127.0.0.1:9000')
        conn.get_bucket('photos').new_key('k').set_contents_from_string(b'data')
        wrong = dict(ISSUED, secret_key='another-secret')
        assert not _sent_signature_matches_botocore(fake_aws.requests[0], 'us-east-1', wrong)
