"""stsboto.local.admin: the admin connections, the issuer's policies and keys, with boto mocked."""
from __future__ import absolute_import, unicode_literals

import json

import mock
import pytest

import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
from stsboto import policy
from stsboto.exceptions import InvalidParameterError, InvalidPolicyError
from stsboto.local import admin
from tests.local_support import ISSUER_KEY, ISSUER_SECRET, access_key_response

import boto.exception  # noqa: E402
import boto.iam.connection  # noqa: E402
import boto.s3.connection  # noqa: E402

URL = 'http://127.0.0.1:4567'


@pytest.fixture
def iam():
    """The IAMConnection admin_iam would return: a mock that records the calls."""
    conn = mock.Mock(spec=boto.iam.connection.IAMConnection)
    conn.create_access_key.return_value = access_key_response()
    with mock.patch.object(admin, 'admin_iam', return_value=conn) as made:
        conn.made = made
        yield conn


def test_admin_iam_signs_sigv4_for_iam_in_us_east_1_with_the_admin_keys():
    conn = admin.admin_iam(URL)
    assert (conn.host, conn.port, conn.is_secure) == ('127.0.0.1', 4567, False)
    assert (conn.aws_access_key_id, conn.aws_secret_access_key) == (admin.ADMIN_KEY,
                                                                    admin.ADMIN_SECRET)
    assert (conn.auth_region_name, conn.auth_service_name) == ('us-east-1', 'iam')
    other = admin.admin_iam('https://localhost:9443', 'AKIAOTHER', 'other-secret')
    assert (other.host, other.port, other.is_secure) == ('localhost', 9443, True)
    assert (other.aws_access_key_id, other.aws_secret_access_key) == ('AKIAOTHER', 'other-secret')


def test_admin_connections_refuse_an_endpoint_that_is_not_scheme_host_port():
    with pytest.raises(InvalidParameterError) as info:
        admin.admin_iam('127.0.0.1:4567')
    assert str(info.value) == 'endpoint_url must start with http:// or https://'
    with pytest.raises(InvalidParameterError) as info:
        admin.admin_s3(URL + '/moto-api')
    assert 'endpoint_url must be scheme, host and port only' in str(info.value)


def test_admin_s3_is_an_s3_connection_to_the_endpoint_with_the_admin_keys():
    conn = admin.admin_s3(URL)
    assert isinstance(conn, boto.s3.connection.S3Connection)
    assert (conn.host, conn.port, conn.is_secure) == ('127.0.0.1', 4567, False)
    assert (conn.aws_access_key_id, conn.aws_secret_access_key) == (admin.ADMIN_KEY,
                                                                    admin.ADMIN_SECRET)
    with mock.patch.object(admin._s3, 'connect_to_region') as connect:
        admin.admin_s3(URL)
    connect.assert_called_once_with('us-east-1', aws_access_key_id=admin.ADMIN_KEY,
                                    aws_secret_access_key=admin.ADMIN_SECRET, endpoint_url=URL)


def test_access_key_of_reads_the_key_and_secret_and_fails_on_another_shape():
    assert admin.access_key_of(access_key_response()) == (ISSUER_KEY, ISSUER_SECRET)
    with pytest.raises(KeyError) as info:
        admin.access_key_of({'create_user_response': {}})
    assert info.value.args == ('create_access_key_response',)


def test_create_buckets_creates_each_in_order_with_one_admin_connection():
    conn = mock.Mock()
    with mock.patch.object(admin, 'admin_s3', return_value=conn) as made:
        admin.create_buckets(URL, ['photos', 'videos', 'logs'])
        admin.create_buckets(URL, [])
    assert made.call_args_list == [mock.call(URL), mock.call(URL)]
    assert conn.method_calls == [mock.call.create_bucket('photos'), mock.call.create_bucket('videos'),
                                 mock.call.create_bucket('logs')]


def test_create_buckets_stops_at_the_first_refusal():
    conn = mock.Mock()
    refusal = boto.exception.S3CreateError(409, 'Conflict', '<Error><Code>BucketAlreadyExists'
                                                            '</Code></Error>')
    conn.create_bucket.side_effect = [None, refusal, None]
    with mock.patch.object(admin, 'admin_s3', return_value=conn):
        with pytest.raises(boto.exception.S3CreateError) as info:
            admin.create_buckets(URL, ['one', 'two', 'three'])
    assert info.value.status == 409
    assert conn.create_bucket.call_args_list == [mock.call('one'), mock.call('two')]


def test_create_issuer_makes_the_user_one_policy_per_bucket_then_its_keys(iam):
    keys = admin.create_issuer(URL, 'photo-issuer', ['photos', 'videos'])
    assert keys == (ISSUER_KEY, ISSUER_SECRET)
    iam.made.assert_called_once_with(URL)
    names = [call[0] for call in iam.method_calls]
    assert names == ['create_user', 'put_user_policy', 'put_user_policy', 'create_access_key']
    assert iam.create_user.call_args == mock.call('photo-issuer')
    assert iam.create_access_key.call_args == mock.call('photo-issuer')
    for call, bucket in zip(iam.put_user_policy.call_args_list, ['photos', 'videos']):
        user, name, document = call[0]
        assert (user, name) == ('photo-issuer', 'stsboto-issuer-%s' % bucket)
        assert json.loads(document) == policy.issuer_policy(bucket)


def test_create_issuer_policy_is_federation_plus_the_token_actions_on_the_bucket(iam):
    admin.create_issuer(URL, 'issuer', ['photos'])
    assert json.loads(iam.put_user_policy.call_args[0][2]) == {
        'Version': '2012-10-17', 'Statement': [
            {'Effect': 'Allow', 'Action': ['sts:GetFederationToken'], 'Resource': '*'},
            {'Effect': 'Allow', 'Action': ['s3:GetObject', 's3:PutObject',
                                           's3:AbortMultipartUpload'],
             'Resource': 'arn:aws:s3:::photos/*'}]}


def test_create_issuer_without_buckets_may_only_get_federation_tokens(iam):
    admin.create_issuer(URL, 'bare-issuer', [])
    user, name, document = iam.put_user_policy.call_args[0]
    assert iam.put_user_policy.call_count == 1
    assert (user, name) == ('bare-issuer', 'stsboto-issuer')
    assert json.loads(document) == {'Version': '2012-10-17', 'Statement': [
        {'Effect': 'Allow', 'Action': 'sts:GetFederationToken', 'Resource': '*'}]}


def test_create_issuer_creates_no_keys_when_the_user_cannot_be_created(iam):
    iam.create_user.side_effect = boto.exception.BotoServerError(
        409, 'Conflict', '<ErrorResponse><Error><Code>EntityAlreadyExists</Code></Error>'
                         '</ErrorResponse>')
    with pytest.raises(boto.exception.BotoServerError) as info:
        admin.create_issuer(URL, 'issuer', ['photos'])
    assert (info.value.status, info.value.error_code) == (409, 'EntityAlreadyExists')
    assert not iam.put_user_policy.called and not iam.create_access_key.called


def test_create_issuer_with_a_bad_bucket_name_fails_before_anything_is_created(iam):
    with pytest.raises(InvalidPolicyError) as info:
        admin.create_issuer(URL, 'issuer', ['photos', 'Bad_Bucket'])
    assert str(info.value).startswith('bucket "Bad_Bucket" may contain only lowercase letters')
    assert iam.mock_calls == []  # no user, no policy, no key left half made
