"""Issuing tokens and the STS drop-in, with the STS connection mocked."""
from __future__ import absolute_import, unicode_literals

import json
import traceback

import mock
import pytest

import stsboto
from stsboto import sts, transport

import boto.exception  # noqa: E402
from boto.sts.connection import STSConnection  # noqa: E402
from boto.sts.credentials import AssumedRole, Credentials, FederationToken, User  # noqa: E402

KEYS = {'aws_access_key_id': 'AKIAISSUERKEY0000001', 'aws_secret_access_key': 'issuer/secret+x'}
SECRET = 'fedSecret/abc+123'
SESSION = 'SessionTokenValue//xyz=='


def _credentials():
    creds = Credentials()
    creds.access_key = 'ASIAFEDERATED0000001'
    creds.secret_key = SECRET
    creds.session_token = SESSION
    creds.expiration = '2099-01-01T00:00:00.000Z'
    return creds


def _federation_token(name='uploader-42'):
    result = FederationToken()
    result.credentials = _credentials()
    result.federated_user_arn = 'arn:aws:sts::123456789012:federated-user/%s' % name
    return result


def _connection():
    conn = mock.Mock(spec=STSConnection)
    conn.get_federation_token.return_value = _federation_token()
    conn.provider = mock.Mock(secret_key=KEYS['aws_secret_access_key'], security_token=None)
    conn.region = mock.Mock()
    conn.region.name = 'us-east-1'
    return conn


def test_issue_token_calls_get_federation_token_with_compact_policy():
    conn = _connection()
    token = stsboto.issue_token(bucket='photos', name='uploader-42', connection=conn)
    conn.get_federation_token.assert_called_once_with(
        'uploader-42', duration=900,
        policy=stsboto.policy.to_json(stsboto.bucket_policy('photos')))
    assert token.access_key == 'ASIAFEDERATED0000001'
    assert token.arn.endswith('federated-user/uploader-42')


def test_issue_token_with_policy_json_text_sends_it_compact():
    conn = _connection()
    text = json.dumps({'Version': '2012-10-17', 'Statement': [
        {'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': 'arn:aws:s3:::b/*'}]}, indent=4)
    stsboto.issue_token(policy=text, name='reader', duration=3600, connection=conn)
    sent = conn.get_federation_token.call_args[1]['policy']
    assert '\n' not in sent and ': ' not in sent
    assert json.loads(sent) == json.loads(text)
    assert conn.get_federation_token.call_args[1]['duration'] == 3600


@pytest.mark.parametrize('kwargs, field', [
    ({}, 'bucket'),
    ({'bucket': 'photos', 'policy': {'Statement': {'Effect': 'Allow'}}}, 'bucket'),
    ({'policy': {'Statement': {'Effect': 'Allow'}}, 'prefix': 'a/'}, 'prefix'),
    ({'bucket': 'photos', 'name': 'a'}, 'name'),
    ({'bucket': 'photos', 'name': 'bad/name'}, 'name'),
    ({'bucket': 'photos', 'duration': 129601}, 'duration'),
    ({'bucket': 'photos', 'duration': True}, 'duration'),
    ({'bucket': 'photos', 'duration': 900.0}, 'duration'),
    ({'bucket': 'photos', 'actions': ['s3:Frobnicate']}, 'actions'),
    ({'bucket': 'xn--photos'}, 'bucket'),
])
def test_issue_token_rejects_bad_input_before_calling_sts(kwargs, field):
    conn = _connection()
    with pytest.raises(stsboto.InvalidInputError) as info:
        stsboto.issue_token(connection=conn, **kwargs)
    assert info.value.field == field
    assert field in str(info.value)
    assert not conn.get_federation_token.called


def test_duration_limits_are_inclusive():
    conn = _connection()
    stsboto.issue_token(bucket='photos', duration=900, connection=conn)
    stsboto.issue_token(bucket='photos', duration=129600, connection=conn)
    assert conn.get_federation_token.call_count == 2


def test_issue_token_uses_the_partition_of_the_region():
    with mock.patch.object(sts, '_STSConnection') as cls:
        cls.return_value = _connection()
        stsboto.issue_token(bucket='photos', region='cn-north-1', **KEYS)
    policy = json.loads(cls.return_value.get_federation_token.call_args[1]['policy'])
    assert policy['Statement'][0]['Resource'] == 'arn:aws-cn:s3:::photos/*'
    assert cls.call_args[1]['region'].endpoint == 'sts.cn-north-1.amazonaws.com.cn'


def test_server_error_keeps_code_status_request_id_and_cause():
    conn = _connection()
    error = boto.exception.BotoServerError(400, 'Bad Request', body=(
        '<ErrorResponse><Error><Code>MalformedPolicyDocument</Code><Message>bad</Message>'
        '</Error><RequestId>rid-1</RequestId></ErrorResponse>'))
    conn.get_federation_token.side_effect = error
    with pytest.raises(stsboto.TokenIssueError) as info:
        stsboto.issue_token(bucket='photos', connection=conn)
    assert info.value.code == 'MalformedPolicyDocument'
    assert info.value.status == 400
    assert info.value.request_id == 'rid-1'
    assert info.value.cause is error


def test_network_error_becomes_token_issue_error():
    import socket
    conn = _connection()
    conn.get_federation_token.side_effect = socket.error(111, 'Connection refused')
    with pytest.raises(stsboto.TokenIssueError) as info:
        stsboto.issue_token(bucket='photos', connection=conn)
    assert info.value.code is None and info.value.status is None
    assert 'could not reach' in str(info.value)


def test_unrelated_errors_are_not_translated():
    conn = _connection()
    conn.get_federation_token.side_effect = KeyError('boom')
    with pytest.raises(KeyError):
        stsboto.issue_token(bucket='photos', connection=conn)


def test_assume_role_validates_and_passes_arguments():
    conn = _connection()
    role = AssumedRole()
    role.credentials = _credentials()
    role.user = User()
    role.user.arn = 'arn:aws:sts::123456789012:assumed-role/uploader/job-7'
    conn.assume_role.return_value = role
    token = stsboto.assume_role('arn:aws:iam::123456789012:role/uploader', 'job-7',
                                policy={'Statement': [{'Effect': 'Allow', 'Action': 's3:*',
                                                       'Resource': '*'}]},
                                duration=43200, external_id='ext-1', connection=conn)
    args, kwargs = conn.assume_role.call_args
    assert args == ('arn:aws:iam::123456789012:role/uploader', 'job-7')
    assert kwargs['duration_seconds'] == 43200 and kwargs['external_id'] == 'ext-1'
    assert ' ' not in kwargs['policy']
    assert token.arn == role.user.arn


@pytest.mark.parametrize('kwargs, field', [
    ({'role_arn': 'uploader'}, 'role_arn'),
    ({'session_name': 'x'}, 'session_name'),
    ({'session_name': 's' * 65}, 'session_name'),
    ({'duration': 43201}, 'duration'),
    ({'duration': 899}, 'duration'),
    ({'external_id': 'x'}, 'external_id'),
])
def test_assume_role_rejects_bad_input(kwargs, field):
    conn = _connection()
    args = {'role_arn': 'arn:aws:iam::123456789012:role/uploader', 'session_name': 'job-7'}
    args.update(kwargs)
    with pytest.raises(stsboto.InvalidParameterError) as info:
        stsboto.assume_role(connection=conn, **args)
    assert info.value.field == field
    assert not conn.assume_role.called


def test_get_session_token_asks_for_a_fresh_token():
    conn = _connection()
    conn.get_session_token.return_value = _credentials()
    token = stsboto.get_session_token(duration=7200, connection=conn)
    conn.get_session_token.assert_called_once_with(duration=7200, force_new=True,
                                                   mfa_serial_number=None, mfa_token=None)
    assert token.session_token == SESSION
    with pytest.raises(stsboto.InvalidParameterError):
        stsboto.get_session_token(mfa_token='123456', connection=conn)


# -- the drop-in ----------------------------------------------------------------

def test_drop_in_keeps_boto_names():
    import boto.sts
    assert sts.STSConnection is boto.sts.connection.STSConnection
    assert sts.credentials is boto.sts.credentials
    assert sts.connection is boto.sts.connection
    assert sts.regions is boto.sts.regions


@pytest.mark.parametrize('region, host', [
    ('us-east-1', 'sts.us-east-1.amazonaws.com'),
    ('eu-north-1', 'sts.eu-north-1.amazonaws.com'),
    ('mx-central-1', 'sts.mx-central-1.amazonaws.com'),
    ('cn-northwest-1', 'sts.cn-northwest-1.amazonaws.com.cn'),
    ('us-gov-west-1', 'sts.us-gov-west-1.amazonaws.com'),
])
def test_connect_to_region_builds_the_regional_endpoint(region, host):
    conn = sts.connect_to_region(region, **KEYS)
    assert isinstance(conn, STSConnection)
    assert conn.host == host
    assert conn.auth_region_name == region and conn.auth_service_name == 'sts'


def test_connect_to_region_global_endpoint_on_request():
    assert sts.connect_to_region('eu-west-1', regional=False, **KEYS).host == 'sts.amazonaws.com'


@pytest.mark.parametrize('region', ['', 'moon', 'US-EAST-1', None])
def test_connect_to_region_rejects_impossible_regions(region):
    with pytest.raises(ValueError):
        sts.connect_to_region(region, **KEYS)


def test_connect_to_region_endpoint_url_and_environment(monkeypatch):
    conn = sts.connect_to_region('us-east-1', endpoint_url='http://127.0.0.1:5000', **KEYS)
    assert (conn.host, conn.port, conn.is_secure) == ('127.0.0.1', 5000, False)
    monkeypatch.setenv(str('AWS_ENDPOINT_URL'), str('http://localhost:4566'))
    monkeypatch.setenv(str('AWS_ENDPOINT_URL_STS'), str('https://sts.local:8443'))
    conn = sts.connect_to_region('us-east-1', **KEYS)
    assert (conn.host, conn.port, conn.is_secure) == ('sts.local', 8443, True)
    conn = sts.connect_to_region('us-east-1', endpoint_url='http://127.0.0.1:5000', **KEYS)
    assert conn.host == '127.0.0.1', 'the explicit argument wins'
    monkeypatch.setenv(str('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'), str('true'))
    assert sts.connect_to_region('us-east-1', **KEYS).host == 'sts.us-east-1.amazonaws.com'


@pytest.mark.parametrize('url', ['ftp://x', 'http://h/path', 'http://u:p@h', 'http://h:0',
                                 'http://h:99999', 'localhost:9000', ''])
def test_malformed_endpoint_url_is_a_value_error(url):
    with pytest.raises(ValueError) as info:
        sts.connect_to_region('us-east-1', endpoint_url=url, **KEYS)
    assert 'endpoint_url' in str(info.value)


def test_missing_credentials_is_also_boto_error(monkeypatch):
    for name in ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE'):
        monkeypatch.delenv(str(name), raising=False)
    error = boto.exception.NoAuthHandlerFound('no handler')
    with mock.patch.object(sts, 'STSConnection', side_effect=error):
        with pytest.raises(boto.exception.NoAuthHandlerFound) as info:
            sts.connect_to_region('us-east-1')
    assert isinstance(info.value, stsboto.MissingCredentialsError)


# -- failing fast (issue 12 item 3): the checks before any request ------------------------

ISSUER_SECRET = 'issuer/Secret+Key0123456789abcdefghijklm'
ISSUER = {'aws_access_key_id': 'AKIAISSUERKEY0000001', 'aws_secret_access_key': ISSUER_SECRET}


@pytest.mark.parametrize('kwargs, field', [
    ({'retries': -1}, 'retries'), ({'retries': True}, 'retries'), ({'retries': 1.5}, 'retries'),
    ({'retries': '2'}, 'retries'), ({'connect_timeout': 0}, 'connect_timeout'),
    ({'connect_timeout': float('nan')}, 'connect_timeout'),
    ({'connect_timeout': float('inf')}, 'connect_timeout'), ({'connect_timeout': '3'}, 'connect_timeout'),
])
def test_bad_retry_settings_are_refused_before_any_request(kwargs, field):
    with mock.patch.object(sts, '_STSConnection') as cls:
        with pytest.raises(stsboto.InvalidParameterError) as info:
            stsboto.issue_token(bucket='photos', **dict(ISSUER, **kwargs))
    assert info.value.field == field and field in str(info.value)
    assert not cls.called


def test_retry_settings_do_not_go_with_an_existing_connection():
    conn = _connection()
    with pytest.raises(stsboto.InvalidParameterError) as info:
        stsboto.issue_token(bucket='photos', connection=conn, retries=1)
    assert info.value.field == 'retries'
    assert not conn.get_federation_token.called


def test_connect_to_region_is_a_boto_connection_on_the_transport():
    plain = sts.connect_to_region('us-east-1', **KEYS)
    assert isinstance(plain, STSConnection)
    assert plain.stsboto_policy.max_attempts == transport.DEFAULT_MAX_ATTEMPTS
    tuned = sts.connect_to_region('us-east-1', retries=1, connect_timeout=2, **KEYS)
    assert isinstance(tuned, STSConnection)
    assert (tuned.stsboto_retries, tuned.stsboto_connect_timeout) == (1, 2.0)


LEAKED = 'FwoGZXIvYXdzEAnswerTokenThatMustNotLeak0123456789abcdef//=='


def test_server_error_cause_is_scrubbed_of_the_issuers_token():
    conn = _connection()
    conn.provider = mock.Mock(secret_key=ISSUER_SECRET, security_token=LEAKED)
    error = boto.exception.BotoServerError(403, 'Forbidden', body=(
        '<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>token %s is bad'
        '</Message></Error><RequestId>rid-2</RequestId></ErrorResponse>' % LEAKED))
    conn.get_federation_token.side_effect = error
    with pytest.raises(stsboto.TokenIssueError) as info:
        stsboto.issue_token(bucket='photos', connection=conn)
    text = ''.join(traceback.format_exception(type(info.value), info.value, info.tb))
    for shown in (text, str(info.value), repr(info.value.cause), str(info.value.cause.body),
                  repr(info.value.cause.args)):
        assert LEAKED not in shown
    assert info.value.code == 'InvalidClientTokenId' and info.value.cause is error


def test_prefix_with_a_policy_variable_is_refused_before_sts():
    conn = _connection()
    with pytest.raises(stsboto.InvalidPolicyError):
        stsboto.issue_token(bucket='photos', prefix='u/${aws:UserAgent}/', connection=conn)
    stsboto.issue_token(bucket='photos', prefix='u/${aws:userid}/', policy_variables=['aws:userid'],
                        connection=conn)
    sent = json.loads(conn.get_federation_token.call_args[1]['policy'])
    assert sent['Statement'][0]['Resource'] == 'arn:aws:s3:::photos/u/${aws:userid}/*'
    assert conn.get_federation_token.call_count == 1
