"""Unit tests for ``stsboto.regions``: region names, partitions and hosts."""
from __future__ import absolute_import, unicode_literals

import pytest

from stsboto import regions
from stsboto.exceptions import InvalidParameterError, StsbotoError
from stsboto.regions import (GLOBAL_STS_HOST, KNOWN_REGIONS, SERVICES, dns_suffix,
                             endpoint_from_env, parse_endpoint_url, partition, region_from_s3_host, s3_host,
                             service_endpoint, service_env_name, signing_name, sts_host,
                             validate_region)
from tests.factories import SERVICES_CONFIG
from tests.factories import settings_in as settings


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
    ('b.s3-eu-west-1.amazonaws.com', 'eu-west-1'),
    ('s3-fips.dualstack.us-east-2.amazonaws.com', 'us-east-2'),
    ('s3.dualstack.eu-west-1.amazonaws.com', 'eu-west-1'),
    ('ap-123456789012.s3-accesspoint-fips.dualstack.us-west-2.amazonaws.com', 'us-west-2'),
    ('b.s3-accelerate.amazonaws.com', 'us-east-1'),
])
def test_region_from_s3_host(host, region):
    assert region_from_s3_host(host) == region


# -- configuration keys that decide regions and hosts (issue 18 item 2) ---------------------


def test_region_precedence_argument_aws_region_default_region_profile_boto(tmpdir):
    config = '[default]\nregion = ap-south-1\n'
    boto = '[Boto]\nsqs_region_name = sa-east-1\n'
    env = {'AWS_REGION': 'eu-west-1', 'AWS_DEFAULT_REGION': 'eu-west-2'}
    assert regions.configured_region('sqs', 'us-west-1', settings(tmpdir, env, config, boto)) == 'us-west-1'
    assert regions.configured_region('sqs', settings=settings(tmpdir, env, config, boto)) == 'eu-west-1'
    env.pop('AWS_REGION')
    assert regions.configured_region('sqs', settings=settings(tmpdir, env, config, boto)) == 'eu-west-2'
    assert regions.configured_region('sqs', settings=settings(tmpdir, {}, config, boto)) == 'ap-south-1'
    assert regions.configured_region('sqs', settings=settings(tmpdir, {}, '', boto)) == 'sa-east-1'
    assert regions.configured_region('sqs', settings=settings(tmpdir), default='us-east-1') == 'us-east-1'


def test_a_bad_region_names_where_it_came_from(tmpdir):
    with pytest.raises(InvalidParameterError) as caught:
        regions.configured_region(settings=settings(tmpdir, {'AWS_DEFAULT_REGION': 'Europe'}))
    assert 'AWS_DEFAULT_REGION' in str(caught.value)
    with pytest.raises(InvalidParameterError) as caught:
        regions.configured_region(settings=settings(tmpdir, config='[default]\nregion = mars\n'))
    assert 'profile default' in str(caught.value)


def test_services_section_keys_are_snake_case_sdk_ids(tmpdir):
    endpoint = regions.configured_endpoint('logs', settings(tmpdir, {}, SERVICES_CONFIG))
    assert endpoint.url == 'http://127.0.0.1:3'
    assert regions.service_key('logs') == 'cloudwatch_logs'
    assert regions.service_key('elasticloadbalancing') == 'elastic_load_balancing'


def test_a_bad_configured_endpoint_names_its_source(tmpdir):
    with pytest.raises(InvalidParameterError) as caught:
        regions.configured_endpoint('s3', settings(tmpdir, {'AWS_ENDPOINT_URL_S3': 'ftp://x'}))
    assert 'AWS_ENDPOINT_URL_S3' in str(caught.value)


@pytest.mark.parametrize('env, config, expected', [
    ({}, '', (False, False)),
    ({'AWS_USE_FIPS_ENDPOINT': 'true'}, '', (True, False)),
    ({'AWS_USE_DUALSTACK_ENDPOINT': 'true'}, '', (False, True)),
    ({}, '[default]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = true\n', (True, True)),
    ({'AWS_USE_FIPS_ENDPOINT': 'false'}, '[default]\nuse_fips_endpoint = true\n', (False, False)),
])
def test_fips_and_dualstack_flags(tmpdir, env, config, expected):
    assert regions.endpoint_variant(settings(tmpdir, env, config), 'sqs') == expected


def test_s3_dualstack_sub_key_is_for_s3_only(tmpdir):
    found = settings(tmpdir, config='[default]\ns3 =\n  use_dualstack_endpoint = true\n')
    assert regions.endpoint_variant(found, 's3') == (False, True)
    assert regions.endpoint_variant(found, 'sqs') == (False, False)


@pytest.mark.parametrize('env, config, host', [
    ({}, '', 's3.amazonaws.com'),
    ({'AWS_S3_US_EAST_1_REGIONAL_ENDPOINT': 'regional'}, '', 's3.us-east-1.amazonaws.com'),
    ({}, '[default]\ns3_us_east_1_regional_endpoint = regional\n', 's3.us-east-1.amazonaws.com'),
    ({}, '[default]\ns3 =\n  us_east_1_regional_endpoint = regional\n', 's3.us-east-1.amazonaws.com'),
    ({'AWS_S3_US_EAST_1_REGIONAL_ENDPOINT': 'legacy'},
     '[default]\ns3_us_east_1_regional_endpoint = regional\n', 's3.amazonaws.com'),
])
def test_s3_us_east_1_regional_endpoint(tmpdir, env, config, host):
    assert regions.s3_regional_host('us-east-1', settings(tmpdir, env, config)) == host
    assert regions.s3_regional_host('eu-west-1', settings(tmpdir, env, config)) == \
        's3.eu-west-1.amazonaws.com'


def test_bad_regional_choices_are_errors_naming_the_setting(tmpdir):
    with pytest.raises(InvalidParameterError) as caught:
        regions.s3_regional_host('us-east-1', settings(tmpdir, {'AWS_S3_US_EAST_1_REGIONAL_ENDPOINT': 'yes'}))
    assert 'AWS_S3_US_EAST_1_REGIONAL_ENDPOINT' in str(caught.value)
    with pytest.raises(InvalidParameterError) as caught:
        regions.sts_regional('eu-west-1', settings(tmpdir, config='[default]\nsts_regional_endpoints = x\n'))
    assert 'profile default' in str(caught.value)


@pytest.mark.parametrize('region, legacy_global', [
    ('eu-west-1', True), ('us-east-1', True), ('ap-east-1', False), ('eu-south-1', False),
    ('cn-north-1', False),
])
def test_sts_legacy_means_global_only_in_botocores_list(tmpdir, region, legacy_global):
    legacy = settings(tmpdir, {'AWS_STS_REGIONAL_ENDPOINTS': 'legacy'})
    assert regions.sts_regional(region, legacy) is (not legacy_global)
    assert regions.sts_regional(region, settings(tmpdir)) is True


@pytest.mark.parametrize('service, region, fips, dualstack, host', [
    ('sqs', 'us-east-2', True, False, 'sqs-fips.us-east-2.amazonaws.com'),
    ('sqs', 'us-gov-west-1', True, False, 'sqs.us-gov-west-1.amazonaws.com'),
    ('sqs', 'eu-west-1', False, True, 'sqs.eu-west-1.api.aws'),
    ('sts', 'cn-north-1', False, True, 'sts.cn-north-1.api.amazonwebservices.com.cn'),
    ('s3', 'us-east-2', True, True, 's3-fips.dualstack.us-east-2.amazonaws.com'),
    ('iam', 'eu-west-1', True, False, 'iam-fips.amazonaws.com'),
    ('sqs', 'ap-southeast-9', True, False, 'sqs-fips.ap-southeast-9.amazonaws.com'),  # a future region
    ('sqs', 'eu-north-1', False, False, 'sqs.eu-north-1.amazonaws.com'),
])
def test_variant_hosts(service, region, fips, dualstack, host):
    assert regions.variant_host(service, region, fips, dualstack) == host


def test_no_fips_endpoint_is_an_error_naming_service_and_region():
    with pytest.raises(InvalidParameterError) as caught:
        regions.variant_host('s3', 'cn-north-1', fips=True)
    message = str(caught.value)
    assert 'service s3' in message and 'FIPS' in message and 'cn-north-1' in message
    assert caught.value.field == 'use_fips_endpoint'


def test_accelerate_host_and_where_there_is_none():
    assert regions.s3_accelerate_host('eu-west-1') == 's3-accelerate.amazonaws.com'
    assert regions.s3_accelerate_host('eu-west-1', dualstack=True) == 's3-accelerate.dualstack.amazonaws.com'
    with pytest.raises(InvalidParameterError) as caught:
        regions.s3_accelerate_host('cn-north-1')
    assert 'accelerate' in str(caught.value) and 'cn-north-1' in str(caught.value)
    with pytest.raises(InvalidParameterError) as caught:
        regions.s3_accelerate_host('us-east-2', fips=True)
    assert caught.value.field == 'use_accelerate_endpoint' and 'FIPS' in str(caught.value)


def test_access_point_arns(tmpdir):
    arn = 'arn:aws:s3:eu-west-1:123456789012:accesspoint/reports'
    assert regions.parse_access_point(arn) == ('eu-west-1', 'reports', '123456789012')
    assert regions.parse_access_point('arn:aws:s3:eu-west-1:123456789012:accesspoint:reports') == \
        ('eu-west-1', 'reports', '123456789012')
    assert regions.parse_access_point('photos') is None
    assert regions.access_point_host(arn, settings(tmpdir)) == (
        'reports-123456789012.s3-accesspoint.eu-west-1.amazonaws.com', 'eu-west-1')
    assert regions.access_point_host(arn, settings(tmpdir, {'AWS_USE_FIPS_ENDPOINT': 'true'}))[0] == \
        'reports-123456789012.s3-accesspoint-fips.eu-west-1.amazonaws.com'


@pytest.mark.parametrize('arn', [
    'arn:aws:s3:eu-west-1:123:accesspoint/reports',             # account
    'arn:aws:s3:eu-west-1:123456789012:bucket/reports',        # not an access point
    'arn:aws-cn:s3:eu-west-1:123456789012:accesspoint/reports',  # partition
    'arn:aws:s3:eu-west-1:123456789012:accesspoint/Reports',   # name
])
def test_bad_access_point_arns_are_errors_naming_the_bucket(arn):
    with pytest.raises(InvalidParameterError) as caught:
        regions.parse_access_point(arn)
    assert caught.value.field == 'bucket'
