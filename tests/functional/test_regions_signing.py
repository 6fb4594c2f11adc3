"""Every region and partition: hosts, signers, signing regions, ARNs, presigned URLs."""
from __future__ import absolute_import, unicode_literals

import datetime
import json
import re
import time

import pytest
import six
from six.moves.urllib.parse import parse_qs, urlsplit

import stsboto
from stsboto import regions, s3, sts
from stsboto._compat import UTC
from tests.factories import FakeClock
from tests.fakehttp import ISSUED

ISSUER = {'aws_access_key_id': 'AKIAISSUERKEY0000001', 'aws_secret_access_key': 'issuer/secret'}

# region -> (partition, DNS suffix); the unseen names follow the pattern only.
TABLE = [(r, regions.partition(r), regions.dns_suffix(r)) for r in regions.KNOWN_REGIONS] + [
    ('ap-southeast-9', 'aws', 'amazonaws.com'),
    ('eu-west-9', 'aws', 'amazonaws.com'),
    ('cn-south-7', 'aws-cn', 'amazonaws.com.cn'),
    ('us-gov-north-3', 'aws-us-gov', 'amazonaws.com'),
]
NEW_SINCE_BOTO = ['eu-north-1', 'eu-south-2', 'me-central-1', 'il-central-1', 'ap-southeast-5',
                  'mx-central-1', 'ca-west-1']


def _scope(request):
    return re.search(r'Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request',
                     request.header('authorization')).groups()


def test_table_has_the_regions_boto_does_not_know():
    import boto.s3
    for region in NEW_SINCE_BOTO:
        assert region in regions.KNOWN_REGIONS
        assert boto.s3.connect_to_region(region) is None  # the gap we close


@pytest.mark.parametrize('region, partition, suffix', TABLE)
def test_s3_host_signer_and_signing_region(fake_aws, region, partition, suffix):
    conn = stsboto.connect_with_token(dict(ISSUED), region=region)
    expected_host = 's3.amazonaws.com' if region == 'us-east-1' else 's3.%s.%s' % (region, suffix)
    assert conn.host == expected_host
    assert isinstance(conn._auth_handler, s3.S3SigV4Handler)
    conn.get_bucket('photos').new_key('k').set_contents_from_string(b'x')
    (request,) = fake_aws.requests
    assert request.host == 'photos.%s:443' % expected_host  # virtual-hosted
    assert request.header('host') == 'photos.%s' % expected_host
    assert _scope(request) == (region, 's3')
    # the drop-in gives the same, never None
    assert s3.connect_to_region(region, token=dict(ISSUED)).host == expected_host


@pytest.mark.parametrize('region, partition, suffix', TABLE)
def test_sts_regional_host_signing_region_and_policy_partition(fake_aws, region, partition,
                                                               suffix):
    assert sts.connect_to_region(region, **ISSUER).host == 'sts.%s.%s' % (region, suffix)
    stsboto.issue_token(bucket='photos', region=region, **ISSUER)
    (request,) = fake_aws.requests
    assert request.host == 'sts.%s.%s:443' % (region, suffix)
    assert _scope(request) == (region, 'sts')
    policy = json.loads(request.form['Policy'])
    assert policy['Statement'][0]['Resource'] == 'arn:%s:s3:::photos/*' % partition


@pytest.mark.parametrize('region, partition, suffix', TABLE)
def test_issuer_policy_uses_the_partition(region, partition, suffix):
    policy = stsboto.issuer_policy('photos', partition=regions.partition(region))
    assert [s['Resource'] for s in policy['Statement']] == ['*', 'arn:%s:s3:::photos/*' % partition]


def test_global_sts_endpoint_on_request(fake_aws, monkeypatch):
    stsboto.issue_token(bucket='photos', region='eu-west-1', regional=False, **ISSUER)
    assert fake_aws.requests[-1].host == 'sts.amazonaws.com:443'
    monkeypatch.setenv(str('AWS_STS_REGIONAL_ENDPOINTS'), str('legacy'))
    assert sts.connect_to_region('eu-west-1', **ISSUER).host == 'sts.amazonaws.com'
    # China has no global endpoint
    assert sts.connect_to_region('cn-north-1', **ISSUER).host == 'sts.cn-north-1.amazonaws.com.cn'


@pytest.mark.parametrize('region', ['', 'earth', 'eu_west_1', 'EU-WEST-1', 'eu-west-1a', 'eu-west'])
def test_impossible_region_is_a_value_error(region):
    with pytest.raises(ValueError):
        stsboto.connect_with_token(dict(ISSUED), region=region)
    with pytest.raises(ValueError):
        s3.connect_to_region(region, token=dict(ISSUED))
    with pytest.raises(ValueError):
        sts.connect_to_region(region, **ISSUER)


def test_legacy_signing_opt_out(fake_aws):
    conn = stsboto.connect_with_token(dict(ISSUED), sigv4=False)
    conn.get_bucket('photos').new_key('k').set_contents_from_string(b'x')
    (request,) = fake_aws.requests
    assert request.header('authorization').startswith('AWS %s:' % ISSUED['access_key'])
    assert request.header('x-amz-security-token') == ISSUED['session_token']


@pytest.mark.parametrize('bucket, addressing, host, path', [
    ('photos', None, 'photos.s3.eu-west-1.amazonaws.com', '/k'),
    ('my.photos', None, 's3.eu-west-1.amazonaws.com', '/my.photos/k'),
    ('photos', 'path', 's3.eu-west-1.amazonaws.com', '/photos/k'),
    ('my.photos', 'virtual', 'my.photos.s3.eu-west-1.amazonaws.com', '/k'),
])
def test_addressing(fake_aws, bucket, addressing, host, path):
    conn = stsboto.connect_with_token(dict(ISSUED), region='eu-west-1', addressing=addressing)
    conn.get_bucket(bucket).new_key('k').set_contents_from_string(b'x')
    (request,) = fake_aws.requests
    assert (request.header('host'), request.path) == (host, path)


def test_custom_endpoint_defaults_to_path_style_and_can_be_virtual(fake_aws):
    conn = stsboto.connect_with_token(dict(ISSUED), endpoint_url='http://minio.test:9000')
    conn.get_bucket('photos').new_key('k').set_contents_from_string(b'x')
    conn = stsboto.connect_with_token(dict(ISSUED), endpoint_url='http://minio.test:9000',
                                      addressing='virtual')
    conn.get_bucket('photos').new_key('k').set_contents_from_string(b'x')
    first, second = fake_aws.requests
    assert (first.header('host'), first.path) == ('minio.test:9000', '/photos/k')
    assert (second.header('host'), second.path) == ('photos.minio.test:9000', '/k')


def test_bad_addressing_is_a_value_error():
    with pytest.raises(stsboto.InvalidParameterError):
        stsboto.connect_with_token(dict(ISSUED), addressing='dns')


# -- presigned URLs --------------------------------------------------------------

def _query(url):
    return dict((k, v[0]) for k, v in parse_qs(urlsplit(url).query).items())


def test_presigned_url_carries_the_token_and_region():
    conn = stsboto.connect_with_token(dict(ISSUED), region='eu-north-1')
    url = conn.generate_url(600, 'GET', 'photos', 'dir/a b.txt')
    query = _query(url)
    assert url.startswith('https://photos.s3.eu-north-1.amazonaws.com/dir/a%20b.txt?')
    assert query['X-Amz-Security-Token'] == ISSUED['session_token']
    assert '/eu-north-1/s3/aws4_request' in query['X-Amz-Credential']
    assert query['X-Amz-Expires'] == '600'


def test_presigned_url_without_query_auth_has_no_credentials():
    conn = stsboto.connect_with_token(dict(ISSUED), region='eu-north-1')
    url = conn.generate_url(600, 'GET', 'photos', 'a.txt', query_auth=False)
    assert url == 'https://photos.s3.eu-north-1.amazonaws.com/a.txt'
    conn = stsboto.connect_with_token(dict(ISSUED), sigv4=False)
    url = conn.generate_url(600, 'GET', 'photos', 'a.txt', query_auth=False,
                            version_id='v1')
    assert url == 'https://photos.s3.amazonaws.com/a.txt?versionId=v1'
    assert ISSUED['session_token'] not in url


def test_presigned_url_sigv2_when_chosen():
    conn = stsboto.connect_with_token(dict(ISSUED), sigv4=False)
    query = _query(conn.generate_url(600, 'GET', 'photos', 'a.txt'))
    assert query['x-amz-security-token'] == ISSUED['session_token']
    assert query['AWSAccessKeyId'] == ISSUED['access_key'] and 'Signature' in query


def test_presigned_url_absolute_expiry_and_force_http():
    conn = stsboto.connect_with_token(dict(ISSUED), region='eu-north-1')
    url = conn.generate_url(time.time() + 300, 'GET', 'photos', 'a.txt',
                            expires_in_absolute=True, force_http=True)
    assert url.startswith('http://photos.s3.eu-north-1.amazonaws.com/a.txt?')
    assert 295 <= int(_query(url)['X-Amz-Expires']) <= 300


@pytest.mark.parametrize('expires', [0, 604801])
def test_presigned_url_lifetime_limit(expires):
    conn = stsboto.connect_with_token(dict(ISSUED))
    with pytest.raises(stsboto.InvalidParameterError) as info:
        conn.generate_url(expires, 'GET', 'photos', 'a.txt')
    assert info.value.field == 'expires_in'


def test_presigned_url_refused_for_expired_token():
    clock = FakeClock(datetime.datetime(2098, 12, 31, 23, 0, tzinfo=UTC))
    conn = stsboto.connect_with_token(dict(ISSUED), time_fetcher=clock)
    clock.advance(3600)
    with pytest.raises(stsboto.TokenExpiredError):
        conn.generate_url(600, 'GET', 'photos', 'a.txt')


def _botocore_presigned_signature(url, method, region, token):
    from botocore.auth import S3SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    query = _query(url)
    parts = urlsplit(url)
    bare = '%s://%s%s' % (parts.scheme, parts.netloc, parts.path)
    request = AWSRequest(method=method, url=bare)
    request.context['timestamp'] = query['X-Amz-Date']
    signer = S3SigV4QueryAuth(Credentials(token['access_key'], token['secret_key'],
                                          token['session_token']), 's3', region,
                              expires=int(query['X-Amz-Expires']))
    signer._modify_request_before_signing(request)
    canonical = signer.canonical_request(request)
    return signer.signature(signer.string_to_sign(request, canonical), request)


if six.PY3:
    @pytest.mark.parametrize('region, endpoint_url, bucket, key', [
        ('us-east-1', None, 'photos', 'a.txt'),
        ('eu-north-1', None, 'photos', 'dir/a b+c.txt'),
        ('cn-north-1', None, 'my.photos', 'x'),
        ('us-east-1', 'http://127.0.0.1:9000', 'photos', 'k/\u00e9t\u00e9.txt'),
    ])
    def test_presigned_url_signature_equals_botocores(region, endpoint_url, bucket, key):
        conn = stsboto.connect_with_token(dict(ISSUED), region=region, endpoint_url=endpoint_url)
        url = conn.generate_url(900, 'GET', bucket, key)
        ours = _query(url)['X-Amz-Signature']
        assert ours == _botocore_presigned_signature(url, 'GET', region, ISSUED)
        wrong = dict(ISSUED, session_token='another-token')
        assert ours != _botocore_presigned_signature(url, 'GET', region, wrong)
