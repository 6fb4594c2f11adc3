"""Unit tests for ``stsboto.regions``: region names, partitions and hosts."""
from __future__ import absolute_import, unicode_literals

import pytest

from stsboto.exceptions import InvalidParameterError, StsbotoError
from stsboto.regions import (GLOBAL_STS_HOST, KNOWN_REGIONS, SERVICES, dns_suffix,
                             endpoint_from_env, parse_endpoint_url, partition, region_from_s3_host, s3_host,
                             service_endpoint, service_env_name, signing_name, sts_host,
                             validate_region)


def raises_invalid(func, *args, **kwargs):
    with pytest.raises(InvalidParameterError) as excinfo:
        func(*args, **kwargs)
    assert isinstance(excinfo.value, ValueError)
    assert isinstance(excinfo.value, StsbotoError)
    return excinfo.value


# -- validate_region ---------------------------------------------------------

@pytest.mark.parametrize('region', KNOWN_REGIONS)
def test_every_known_region_is_valid(region):
    assert validate_region(region) == region


def test_known_regions_cover_every_partition_without_duplicates():
    assert len(set(KNOWN_REGIONS)) == len(KNOWN_REGIONS)
    assert set(partition(r) for r in KNOWN_REGIONS) == {'aws', 'aws-cn', 'aws-us-gov'}
    assert {'us-east-1', 'eu-north-1', 'cn-north-1', 'cn-northwest-1', 'us-gov-west-1'} <= \
        set(KNOWN_REGIONS)


@pytest.mark.parametrize('region', ['ap-southeast-9', 'eu-central-3', 'mx-central-2',
                                    'us-gov-central-1', 'eusc-de-east-1', 'us-iso-east-1',
                                    'us-isob-east-1', 'eu-isoe-west-1', 'us-isof-south-1',
                                    'af-south-12'])
def test_unseen_region_following_the_pattern_is_valid(region):
    assert validate_region(region) == region


@pytest.mark.parametrize('region', [
    '', 'EU-WEST-1', 'Eu-west-1', 'us_east_1', 'useast1', 'us-east-1 ', ' us-east-1', 'us-east',
    'us-east-1a', 'us-east-123', 'us-east-', 'us--1', 'us-east-one', 'us.east.1', 'us-east-1/',
    'sts.amazonaws.com', 'https://sts.us-east-1.amazonaws.com', 'aws-global',
    None, 123, 0, 1.5, ['us-east-1'],
    # Regression guard (fixed bug in stsboto.regions._REGION): ``$`` matches before a final newline, so
    # 'us-east-1\n' is valid and s3_host() returns 's3.us-east-1\n.amazonaws.com'.
    # Fix: end the pattern with ``\Z`` (or use re.fullmatch on Python 3 only).
    pytest.param('us-east-1\n', id='trailing-newline'),
], ids=repr)
def test_bad_region_is_rejected(region):
    error = raises_invalid(validate_region, region)
    assert error.field == 'region'
    assert 'region' in str(error)


def test_rejection_names_the_bad_region():
    assert 'us_east_1' in str(raises_invalid(validate_region, 'us_east_1'))


def test_rejection_does_not_echo_long_junk():
    junk = 'x' * 200
    assert junk[:64] not in str(raises_invalid(validate_region, junk))


def test_region_field_can_be_renamed():
    assert raises_invalid(validate_region, 'nowhere', field='s3_region').field == 's3_region'


# -- partition / dns_suffix / s3_host / sts_host -----------------------------

@pytest.mark.parametrize('region, part, suffix, s3, sts', [
    ('us-east-1', 'aws', 'amazonaws.com', 's3.amazonaws.com', 'sts.us-east-1.amazonaws.com'),
    ('eu-north-1', 'aws', 'amazonaws.com', 's3.eu-north-1.amazonaws.com',
     'sts.eu-north-1.amazonaws.com'),
    ('cn-north-1', 'aws-cn', 'amazonaws.com.cn', 's3.cn-north-1.amazonaws.com.cn',
     'sts.cn-north-1.amazonaws.com.cn'),
    ('cn-northwest-1', 'aws-cn', 'amazonaws.com.cn', 's3.cn-northwest-1.amazonaws.com.cn',
     'sts.cn-northwest-1.amazonaws.com.cn'),
    ('us-gov-west-1', 'aws-us-gov', 'amazonaws.com', 's3.us-gov-west-1.amazonaws.com',
     'sts.us-gov-west-1.amazonaws.com'),
])
def test_hosts_and_partition(region, part, suffix, s3, sts):
    assert partition(region) == part
    assert dns_suffix(region) == suffix
    assert s3_host(region) == s3
    assert sts_host(region) == sts
    assert sts_host(region, regional=True) == sts


@pytest.mark.parametrize('region, expected', [
    ('us-east-1', GLOBAL_STS_HOST),
    ('eu-north-1', GLOBAL_STS_HOST),
    ('ap-southeast-9', GLOBAL_STS_HOST),
    ('cn-north-1', 'sts.cn-north-1.amazonaws.com.cn'),
    ('cn-northwest-1', 'sts.cn-northwest-1.amazonaws.com.cn'),
    ('us-gov-west-1', 'sts.us-gov-west-1.amazonaws.com'),
    ('us-gov-east-1', 'sts.us-gov-east-1.amazonaws.com'),
])
def test_global_sts_host_only_in_the_aws_partition(region, expected):
    assert GLOBAL_STS_HOST == 'sts.amazonaws.com'
    assert sts_host(region, regional=False) == expected


@pytest.mark.parametrize('region', KNOWN_REGIONS)
def test_hosts_of_every_known_region_follow_the_pattern(region):
    suffix = dns_suffix(region)
    assert sts_host(region) == 'sts.%s.%s' % (region, suffix)
    if region != 'us-east-1':
        assert s3_host(region) == 's3.%s.%s' % (region, suffix)


@pytest.mark.parametrize('func', [
    partition, dns_suffix, s3_host, sts_host, lambda region: sts_host(region, regional=False),
], ids=['partition', 'dns_suffix', 's3_host', 'sts_host', 'sts_host-global'])
@pytest.mark.parametrize('region', ['', 'EU-WEST-1', None])
def test_every_helper_validates_the_region(func, region):
    raises_invalid(func, region)


# Regression guard (fixed bug in stsboto.regions.partition): validate_region accepts every region of the
# AWS European Sovereign Cloud and ISO partitions (they follow the pattern),
# but partition() calls them all 'aws', so dns_suffix(), s3_host(), sts_host()
# give hosts that do not exist (sts.eusc-de-east-1.amazonaws.com) and
# sts_host(regional=False) gives the global commercial endpoint.  botocore's
# data/partitions.json: aws-eusc ^eusc-(de)-\w+-\d+$ -> amazonaws.eu;
# aws-iso ^us-iso- -> c2s.ic.gov; aws-iso-b ^us-isob- -> sc2s.sgov.gov;
# aws-iso-e ^eu-isoe- -> cloud.adc-e.uk; aws-iso-f ^us-isof- -> csp.hci.ic.gov.
# Fix: a table of (prefix, partition, dns suffix) checked in that order, or
# reject regions of partitions stsboto does not support.
@pytest.mark.parametrize('region, part, suffix', [
    ('eusc-de-east-1', 'aws-eusc', 'amazonaws.eu'),
    ('us-iso-east-1', 'aws-iso', 'c2s.ic.gov'),
    ('us-isob-east-1', 'aws-iso-b', 'sc2s.sgov.gov'),
    ('eu-isoe-west-1', 'aws-iso-e', 'cloud.adc-e.uk'),
    ('us-isof-south-1', 'aws-iso-f', 'csp.hci.ic.gov'),
])
def test_regions_of_other_partitions_get_their_partition_and_hosts(region, part, suffix):
    assert partition(region) == part
    assert dns_suffix(region) == suffix
    assert sts_host(region) == 'sts.%s.%s' % (region, suffix)
    assert sts_host(region, regional=False) == 'sts.%s.%s' % (region, suffix)


# -- endpoint_url that does not parse (issue 11 item 6) ---------------------------

@pytest.mark.parametrize('url', ['http://[::1', 'http://[::1/', 'https://[fe80::1:443'])
def test_unclosed_ipv6_endpoint_url_names_the_field(url):
    error = raises_invalid(parse_endpoint_url, url)
    assert error.field == 'endpoint_url'
    assert 'endpoint_url' in str(error)
    assert 'Invalid IPv6 URL' not in str(error)


def test_unclosed_ipv6_in_an_environment_variable_names_the_variable():
    error = raises_invalid(endpoint_from_env, 'sqs', {'AWS_ENDPOINT_URL_SQS': 'http://[::1'})
    assert error.field == 'AWS_ENDPOINT_URL_SQS'


def test_bracketed_ipv6_endpoint_still_parses():
    endpoint = parse_endpoint_url('http://[::1]:9000')
    assert (endpoint.host, endpoint.port, endpoint.is_secure) == ('[::1]', 9000, False)


# -- every boto 2 service -----------------------------------------------------------

@pytest.mark.parametrize('service, region, host, signing_region', [
    ('sqs', 'eu-north-1', 'sqs.eu-north-1.amazonaws.com', 'eu-north-1'),
    ('cloudwatch', 'ap-southeast-7', 'monitoring.ap-southeast-7.amazonaws.com', 'ap-southeast-7'),
    ('ses', 'eu-west-1', 'email.eu-west-1.amazonaws.com', 'eu-west-1'),
    ('awslambda', 'cn-north-1', 'lambda.cn-north-1.amazonaws.com.cn', 'cn-north-1'),
    ('s3', 'us-east-1', 's3.amazonaws.com', 'us-east-1'),
    ('sdb', 'us-east-1', 'sdb.amazonaws.com', 'us-east-1'),
    ('sts', 'us-east-1', 'sts.us-east-1.amazonaws.com', 'us-east-1'),
    ('iam', 'eu-north-1', 'iam.amazonaws.com', 'us-east-1'),
    ('iam', 'cn-northwest-1', 'iam.cn-north-1.amazonaws.com.cn', 'cn-north-1'),
    ('iam', 'us-gov-east-1', 'iam.us-gov.amazonaws.com', 'us-gov-west-1'),
    ('route53', 'cn-north-1', 'route53.amazonaws.com.cn', 'cn-northwest-1'),
    ('support', 'ap-southeast-9', 'support.us-east-1.amazonaws.com', 'us-east-1'),
    ('iam', 'us-iso-east-1', 'iam.us-iso-east-1.c2s.ic.gov', 'us-iso-east-1'),
    ('dynamodb', 'eusc-de-east-1', 'dynamodb.eusc-de-east-1.amazonaws.eu', 'eusc-de-east-1'),
])
def test_service_endpoint(service, region, host, signing_region):
    assert service_endpoint(service, region) == (host, signing_region)


@pytest.mark.parametrize('service', sorted(SERVICES))
def test_every_service_has_a_host_in_its_partition(service):
    # one test per service, every region checked and every wrong one reported
    # (a test per pair made 1,600 tests whose fixtures cost more than the checks)
    wrong = []
    for region in KNOWN_REGIONS + ('ap-southeast-9',):
        host, signing_region = service_endpoint(service, region)
        if not host.endswith('.' + dns_suffix(region)) or \
                partition(signing_region) != partition(region):
            wrong.append((region, host, signing_region))
    assert wrong == []


@pytest.mark.parametrize('service, variable', [
    ('s3', 'AWS_ENDPOINT_URL_S3'), ('sqs', 'AWS_ENDPOINT_URL_SQS'),
    ('dynamodb', 'AWS_ENDPOINT_URL_DYNAMODB'), ('logs', 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS'),
    ('elasticloadbalancing', 'AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING'),
    ('autoscaling', 'AWS_ENDPOINT_URL_AUTO_SCALING'), ('route53', 'AWS_ENDPOINT_URL_ROUTE_53'),
    ('sdb', 'AWS_ENDPOINT_URL_SIMPLEDB'), ('elasticmapreduce', 'AWS_ENDPOINT_URL_EMR'),
])
def test_service_env_names_are_the_sdk_ids(service, variable):
    assert service_env_name(service) == variable
    environ = {variable: 'http://127.0.0.1:1234', 'AWS_ENDPOINT_URL': 'http://127.0.0.1:9'}
    assert endpoint_from_env(service, environ).port == 1234


def test_signing_names_differ_from_hosts_where_aws_says_so():
    assert signing_name('ses') == 'ses' and service_endpoint('ses', 'eu-west-1')[0].startswith('email.')
    assert signing_name('cloudsearchdomain') == 'cloudsearch'


def test_unknown_service_is_a_clear_error():
    error = raises_invalid(service_endpoint, 'nosuchservice', 'us-east-1')
    assert error.field == 'service' and 'nosuchservice' in str(error)


@pytest.mark.parametrize('host, region', [
    ('s3.eu-north-1.amazonaws.com', 'eu-north-1'),
    ('bucket.s3-eu-west-1.amazonaws.com', 'eu-west-1'),
    ('bucket.s3.dualstack.ap-south-1.amazonaws.com', 'ap-south-1'),
    ('s3-fips.us-gov-west-1.amazonaws.com', 'us-gov-west-1'),
    ('S3.CN-NORTH-1.amazonaws.com.cn:443', 'cn-north-1'),
    ('s3.amazonaws.com', 'us-east-1'),
    ('bucket.s3-accelerate.amazonaws.com', 'us-east-1'),
    ('s3-external-1.amazonaws.com', 'us-east-1'),
    ('127.0.0.1:9000', 'us-east-1'),
    (None, 'us-east-1'),
])
def test_region_from_s3_host(host, region):
    assert region_from_s3_host(host) == region
