"""connect_with_token, TokenS3Connection and the S3 drop-in, with requests mocked."""
from __future__ import absolute_import, unicode_literals

import datetime

import mock
import pytest

import stsboto
from stsboto import s3, signing
from stsboto.exceptions import InvalidParameterError
from stsboto.refresh import RefreshableToken
from tests.factories import FakeClock, make_token

import boto.connection  # noqa: E402
import boto.s3.bucket  # noqa: E402
from boto.s3.connection import OrdinaryCallingFormat, S3Connection  # noqa: E402

TOKEN = {'AccessKeyId': 'ASIATOKENHOLDER00001', 'SecretAccessKey': 'holder/secret+1',
         'SessionToken': 'Session//Token==', 'Expiration': '2099-01-01T00:00:00Z'}


def test_connect_with_token_returns_a_boto_s3_connection_with_the_token():
    conn = stsboto.connect_with_token(TOKEN)
    assert isinstance(conn, S3Connection)
    assert isinstance(conn, stsboto.TokenS3Connection)
    assert conn.provider.access_key == TOKEN['AccessKeyId']
    assert conn.provider.secret_key == TOKEN['SecretAccessKey']
    assert conn.provider.security_token == TOKEN['SessionToken']
    assert conn.token == stsboto.Token.coerce(TOKEN)


@pytest.mark.parametrize('value', [TOKEN, stsboto.Token.coerce(TOKEN).to_json(),
                                   {'Credentials': TOKEN}, stsboto.Token.coerce(TOKEN)])
def test_connect_with_token_accepts_every_token_shape(value):
    assert stsboto.connect_with_token(value).provider.security_token == TOKEN['SessionToken']


def test_malformed_token_names_the_field_and_hides_the_secret():
    bad = dict(TOKEN)
    del bad['AccessKeyId']
    with pytest.raises(stsboto.InvalidTokenError) as info:
        stsboto.connect_with_token(bad)
    assert 'AccessKeyId' in str(info.value)
    assert TOKEN['SecretAccessKey'] not in str(info.value)
    assert TOKEN['SessionToken'] not in str(info.value)


def test_get_bucket_makes_no_request_and_returns_boto_bucket():
    conn = stsboto.connect_with_token(TOKEN)
    with mock.patch.object(S3Connection, 'make_request') as make_request:
        bucket = conn.get_bucket('photos')
    assert not make_request.called
    assert type(bucket) is boto.s3.bucket.Bucket
    assert bucket.name == 'photos' and bucket.connection is conn


def test_get_bucket_passes_the_callers_headers_unchanged():
    conn = stsboto.connect_with_token(TOKEN)
    with mock.patch.object(S3Connection, 'get_bucket') as get_bucket:
        conn.get_bucket('photos', validate=True, headers={'x-custom': '1'})
    name, validate, headers = (get_bucket.call_args[0][0], get_bucket.call_args[1]['validate'],
                               get_bucket.call_args[1]['headers'])
    assert (name, validate) == ('photos', True)
    assert headers == {'x-custom': '1'}  # the signer adds the token (next test)


def _signed(conn, headers):
    request = conn.build_base_http_request('GET', '/photos/k', '/photos/k', headers=headers,
                                           host=conn.host)
    request.authorize(connection=conn)
    return request


@pytest.mark.parametrize('sigv4', [True, False], ids=['sigv4', 'sigv2'])
def test_the_signer_sends_the_connections_token_once(sigv4):
    conn = stsboto.connect_with_token(TOKEN, sigv4=sigv4)
    # a caller's own header, in another letter case, would be a second token
    request = _signed(conn, {'X-Amz-Security-Token': 'theirs', 'x-custom': '1'})
    sent = [v for k, v in request.headers.items() if k.lower() == 'x-amz-security-token']
    assert sent == [TOKEN['SessionToken']]
    assert request.headers['x-custom'] == '1'


def test_callers_headers_dict_is_not_modified():
    conn = stsboto.connect_with_token(TOKEN)
    mine = {'x-custom': '1'}
    with mock.patch.object(S3Connection, 'get_bucket'):
        conn.get_bucket('photos', headers=mine)
    assert mine == {'x-custom': '1'}


def test_every_request_checks_expiry_first():
    clock = FakeClock('real')
    token = stsboto.Token.coerce(TOKEN).replace(expiration=clock.now + datetime.timedelta(hours=1))
    conn = stsboto.connect_with_token(token, time_fetcher=clock)
    clock.advance(3600)
    with mock.patch.object(boto.connection.AWSAuthConnection, 'new_http_connection') as new:
        with pytest.raises(stsboto.TokenExpiredError) as info:
            conn.make_request('GET', 'photos', 'k')
    assert not new.return_value.request.called  # nothing sent
    assert info.value.expiration == token.expiration
    assert TOKEN['SessionToken'] not in str(info.value)


def test_the_check_has_a_margin_for_clock_skew():
    clock = FakeClock('real')
    token = stsboto.Token.coerce(TOKEN).replace(expiration=clock.now + datetime.timedelta(hours=1))
    conn = stsboto.connect_with_token(token, time_fetcher=clock)
    clock.advance(3600 - signing.EXPIRY_MARGIN - 1)
    assert conn.check_token() == token
    clock.advance(1)
    with pytest.raises(stsboto.TokenExpiredError) as info:
        conn.check_token()
    assert 'last %d seconds' % signing.EXPIRY_MARGIN in str(info.value)


def test_make_request_passes_the_callers_arguments_through():
    conn = stsboto.connect_with_token(TOKEN)
    with mock.patch.object(S3Connection, 'make_request') as make_request:
        conn.make_request('PUT', 'photos', 'k', {'Content-Type': 'text/plain'}, b'data')
    args = make_request.call_args[0]
    assert args[:3] == ('PUT', 'photos', 'k')
    assert args[3] == {'Content-Type': 'text/plain'}
    assert args[4] == b'data'


def test_already_expired_token_raises_before_connecting():
    token = dict(TOKEN, Expiration='2001-01-01T00:00:00Z')
    with mock.patch.object(s3, 'TokenS3Connection') as cls:
        with pytest.raises(stsboto.TokenExpiredError):
            stsboto.connect_with_token(token)
    assert not cls.called


def test_token_and_keys_together_are_refused():
    with pytest.raises(stsboto.InvalidParameterError) as info:
        stsboto.connect_with_token(TOKEN, aws_access_key_id='AKIAOTHER00000000001')
    assert info.value.field == 'aws_access_key_id'


def test_boto_kwargs_pass_through():
    fmt = OrdinaryCallingFormat()
    conn = stsboto.connect_with_token(TOKEN, host='s3.example.test', port=8443, is_secure=True,
                                      calling_format=fmt, debug=0)
    assert (conn.host, conn.port, conn.is_secure) == ('s3.example.test', 8443, True)
    assert conn.calling_format is fmt


@pytest.mark.parametrize('region, host', [
    ('us-east-1', 's3.amazonaws.com'),
    ('eu-north-1', 's3.eu-north-1.amazonaws.com'),
    ('il-central-1', 's3.il-central-1.amazonaws.com'),
    ('cn-north-1', 's3.cn-north-1.amazonaws.com.cn'),
])
def test_connect_to_region_never_returns_none(region, host):
    conn = s3.connect_to_region(region, token=TOKEN)
    assert isinstance(conn, stsboto.TokenS3Connection)
    assert conn.host == host
    assert conn._auth_handler.region_name == region


def test_connect_to_region_without_token_uses_boto_keys():
    conn = s3.connect_to_region('eu-north-1', aws_access_key_id='AKIAPLAINKEY00000001',
                                aws_secret_access_key='plain')
    assert isinstance(conn, S3Connection)
    assert conn.provider.security_token is None
    assert conn.token.access_key == 'AKIAPLAINKEY00000001'


def test_connect_to_region_rejects_impossible_region():
    with pytest.raises(ValueError):
        s3.connect_to_region('not a region', token=TOKEN)


def test_endpoint_url_means_path_style_on_that_host(monkeypatch):
    conn = stsboto.connect_with_token(TOKEN, endpoint_url='http://127.0.0.1:9000')
    assert (conn.host, conn.port, conn.is_secure) == ('127.0.0.1', 9000, False)
    assert isinstance(conn.calling_format, OrdinaryCallingFormat)
    monkeypatch.setenv(str('AWS_ENDPOINT_URL_S3'), str('https://minio.test'))
    assert stsboto.connect_with_token(TOKEN).host == 'minio.test'
    assert stsboto.connect_with_token(TOKEN, host='s3.amazonaws.com').host == 's3.amazonaws.com'
    with pytest.raises(ValueError):
        stsboto.connect_with_token(TOKEN, host='x', endpoint_url='http://y')


def test_drop_in_keeps_boto_names():
    import boto.s3
    assert s3.key.Key is boto.s3.key.Key
    assert s3.bucket.Bucket is boto.s3.bucket.Bucket
    assert s3.connection.OrdinaryCallingFormat is OrdinaryCallingFormat
    assert s3.connection.S3Connection is S3Connection
    assert s3.S3RegionInfo is boto.s3.S3RegionInfo
    assert s3.multipart is boto.s3.multipart
    assert s3.acl is boto.s3.acl


def test_refresh_with_a_refreshable_token_is_refused():
    clock = FakeClock('real')
    source = RefreshableToken(make_token(9, clock, 900), lambda: None, time_fetcher=clock)
    with pytest.raises(InvalidParameterError):
        stsboto.connect_with_token(source, refresh=lambda: None)
