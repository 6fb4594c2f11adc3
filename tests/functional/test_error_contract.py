"""The error contract of README "Errors", clause by clause (S3 and the two drop-ins)."""
from __future__ import absolute_import, unicode_literals

import errno
import socket

import mock
import pytest

import stsboto
from stsboto import s3, signing, sts
from tests.factories import FakeClock, make_token
from tests.factories import connect_to as connect

import boto.exception  # noqa: E402
import boto.provider  # noqa: E402


@pytest.fixture
def no_instance_metadata():
    """boto looks for keys on the EC2 metadata server (169.254.169.254) when it finds
    none: never from a test.  Records whether boto went there."""
    calls = []
    with mock.patch.object(boto.provider.Provider, '_populate_keys_from_metadata_server',
                           lambda provider: calls.append(provider)):
        yield calls


# 1. stsboto's own calls raise stsboto errors ----------------------------------------

@pytest.mark.parametrize('call', [
    lambda: stsboto.connect_with_token({'AccessKeyId': 'ASIAONLYKEY000000001'}),
    lambda: stsboto.connect_with_token(make_token(1), region='mars-1'),
    lambda: stsboto.connect_with_token(make_token(1), addressing='dns'),
    lambda: stsboto.connect_with_token(make_token(1), retries=-1),
    lambda: stsboto.connect_with_token(make_token(1), refresh='not callable'),
    lambda: stsboto.connect_with_token(make_token(1), time_fetcher='now'),
    lambda: stsboto.connect_with_token(make_token(1)).generate_url('600', 'GET', 'b', 'k'),
    lambda: stsboto.connect_with_token(make_token(1)).set_token({'AccessKeyId': 'x'}),
    lambda: signing.attach_token_source(stsboto.connect_with_token(make_token(1)), make_token(2),
                                        margin=float('nan')),
    lambda: s3.connect_to_region('not a region', token=make_token(1)),
], ids=['token', 'region', 'addressing', 'retries', 'refresh', 'time_fetcher', 'expires_in',
        'set_token', 'margin', 'drop-in region'])
def test_bad_input_to_stsboto_calls_is_an_invalid_input_error(call, server):
    with pytest.raises(stsboto.InvalidInputError) as info:
        call()
    assert isinstance(info.value, ValueError) and info.value.field
    assert server.seen == []  # raised before any request


def test_an_expired_token_is_a_token_expired_error_from_stsboto_calls():
    clock = FakeClock()
    token = make_token(2, clock, 60)
    with pytest.raises(stsboto.TokenExpiredError):
        stsboto.connect_with_token(token, time_fetcher=FakeClock(clock.advance(120)))
    conn = stsboto.connect_with_token(make_token(3, clock, 60), time_fetcher=clock)
    clock.advance(60)
    for call in (conn.check_token, lambda: conn.generate_url(30, 'GET', 'photos', 'k')):
        with pytest.raises(stsboto.TokenExpiredError):
            call()


# 2. both drop-ins alike -----------------------------------------------------------------

@pytest.mark.parametrize('drop_in', [s3, sts], ids=['s3', 'sts'])
def test_drop_ins_without_credentials_raise_missing_credentials(drop_in, no_instance_metadata):
    with pytest.raises(stsboto.MissingCredentialsError) as info:
        drop_in.connect_to_region('eu-north-1')
    assert isinstance(info.value, boto.exception.NoAuthHandlerFound)  # what boto raises
    assert isinstance(info.value, stsboto.StsbotoError)
    assert 'credentials' in str(info.value)
    assert no_instance_metadata  # boto did look everywhere it looks


def test_plain_boto_raises_no_auth_handler_found_there(no_instance_metadata):
    import boto.s3.connection
    with pytest.raises(boto.exception.NoAuthHandlerFound) as info:
        boto.s3.connection.S3Connection(host='s3.eu-north-1.amazonaws.com')
    assert not isinstance(info.value, stsboto.StsbotoError)


@pytest.mark.parametrize('drop_in', [s3, sts], ids=['s3', 'sts'])
@pytest.mark.parametrize('region', ['eu-north-1', 'ap-southeast-5', 'mx-central-1'])
def test_drop_ins_never_return_none(drop_in, region):
    kwargs = {'token': make_token(4)} if drop_in is s3 else {
        'aws_access_key_id': 'AKIAISSUER0000000001', 'aws_secret_access_key': 'issuer/secret'}
    conn = drop_in.connect_to_region(region, **kwargs)
    assert conn is not None and region in conn.host


# 3. boto's objects raise boto's errors, unchanged ------------------------------------------

NO_SUCH_KEY = ('<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>'
               '<Key>k</Key></Error>')
ACCESS_DENIED = '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'


def test_no_such_key_is_boto_s3_response_error(server):
    bucket = connect(server, make_token(5)).get_bucket('photos')
    server.script = [(404, NO_SUCH_KEY)]
    with pytest.raises(boto.exception.S3ResponseError) as info:
        bucket.new_key('k').get_contents_as_string()
    error = info.value
    assert type(error) is boto.exception.S3ResponseError
    assert (error.status, error.error_code) == (404, 'NoSuchKey')
    assert b'NoSuchKey' in error.body if isinstance(error.body, bytes) else 'NoSuchKey' in error.body
    assert bucket.get_key('k') is None  # HEAD 404: None, as with boto


def test_access_denied_is_boto_s3_response_error(server, sleeps):
    bucket = connect(server, make_token(6)).get_bucket('photos')
    server.script = [(403, ACCESS_DENIED)]
    for call in (lambda: bucket.new_key('k').set_contents_from_string(b'x'),
                 lambda: bucket.get_all_keys(prefix='a/'),
                 lambda: bucket.initiate_multipart_upload('big')):
        with pytest.raises(boto.exception.S3ResponseError) as info:
            call()
        assert (info.value.status, info.value.error_code) == (403, 'AccessDenied')
        assert not isinstance(info.value, stsboto.StsbotoError)


def test_a_missing_file_given_to_boto_is_what_python_raises(server, tmpdir):
    bucket = connect(server, make_token(7)).get_bucket('photos')
    with pytest.raises(EnvironmentError) as info:
        bucket.new_key('k').set_contents_from_filename(str(tmpdir.join('missing.bin')))
    assert info.value.errno == errno.ENOENT
    assert server.seen == []


# 4. the three conditions boto has no error for ------------------------------------------------

def test_boto_objects_raise_token_refresh_error_when_a_due_refresh_fails(server):
    clock = FakeClock('real')

    def issuer_down():
        raise IOError('issuer unreachable')

    source = stsboto.RefreshableToken(make_token(8, clock, 900), issuer_down, time_fetcher=clock)
    bucket = connect(server, source, time_fetcher=clock).get_bucket('photos')
    clock.advance(850)  # mandatory window, not expired
    with pytest.raises(stsboto.TokenRefreshError):
        bucket.new_key('k').set_contents_from_string(b'x')
    assert server.seen == []


def test_unreachable_endpoint_from_a_boto_object_is_also_a_socket_error(sleeps):
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    bucket = stsboto.connect_with_token(make_token(9), endpoint_url='http://127.0.0.1:%d' % port,
                                        retries=0).get_bucket('photos')
    try:
        bucket.new_key('k').set_contents_from_string(b'x')
    except socket.error as error:  # an old script's except clause
        assert isinstance(error, stsboto.EndpointConnectionError)
        assert error.endpoint == 'http://127.0.0.1:%d' % port
    else:
        pytest.fail('no error')
