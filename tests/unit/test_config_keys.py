"""Issue 18 item 2: every configuration key, one rule per test (stsboto.config + stsboto.regions)."""
from __future__ import absolute_import, unicode_literals

import pytest

from stsboto import regions
from stsboto.config import Settings, is_true, nested
from stsboto.exceptions import InvalidParameterError


def settings(tmpdir, env=None, config='', boto=None, **kwargs):
    path = tmpdir.join('config')
    path.write(config)
    environ = {'AWS_CONFIG_FILE': str(path)}
    if boto is not None:
        boto_path = tmpdir.join('boto.cfg')
        boto_path.write(boto)
        environ['BOTO_CONFIG'] = str(boto_path)
    environ.update(env or {})
    return Settings(environ, **kwargs)


# -- region -------------------------------------------------------------------------

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


@pytest.mark.parametrize('service, section, option', [
    ('ec2', 'Boto', 'ec2_region_name'), ('dynamodb', 'DynamoDB', 'region'), ('swf', 'SWF', 'region'),
    ('elasticloadbalancing', 'Boto', 'elb_region_name'), ('sdb', 'SDB', 'region'),
])
def test_boto_config_region_keys_are_per_service(tmpdir, service, section, option):
    found = settings(tmpdir, boto='[%s]\n%s = eu-south-2\n' % (section, option))
    assert found.region(service) == ('eu-south-2', 'boto config [%s] %s' % (section, option))
    assert found.region('s3') == (None, None)  # boto has no S3 region key


def test_a_bad_region_names_where_it_came_from(tmpdir):
    with pytest.raises(InvalidParameterError) as caught:
        regions.configured_region(settings=settings(tmpdir, {'AWS_DEFAULT_REGION': 'Europe'}))
    assert 'AWS_DEFAULT_REGION' in str(caught.value)
    with pytest.raises(InvalidParameterError) as caught:
        regions.configured_region(settings=settings(tmpdir, config='[default]\nregion = mars\n'))
    assert 'profile default' in str(caught.value)


# -- endpoint_url ---------------------------------------------------------------------

SERVICES_CONFIG = ('[default]\nservices = local\nendpoint_url = http://127.0.0.1:1\n'
                   '[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:2\n'
                   'cloudwatch_logs =\n  endpoint_url = http://127.0.0.1:3\n')


def test_endpoint_order_service_env_global_env_services_section_profile(tmpdir):
    env = {'AWS_ENDPOINT_URL_S3': 'http://127.0.0.1:10', 'AWS_ENDPOINT_URL': 'http://127.0.0.1:11'}
    assert settings(tmpdir, env, SERVICES_CONFIG).endpoint_url('s3') == (
        'http://127.0.0.1:10', 'AWS_ENDPOINT_URL_S3')
    env.pop('AWS_ENDPOINT_URL_S3')
    assert settings(tmpdir, env, SERVICES_CONFIG).endpoint_url('s3') == (
        'http://127.0.0.1:11', 'AWS_ENDPOINT_URL')
    assert settings(tmpdir, {}, SERVICES_CONFIG).endpoint_url('s3') == (
        'http://127.0.0.1:2', 'services local s3.endpoint_url')
    assert settings(tmpdir, {}, SERVICES_CONFIG).endpoint_url('sts') == (
        'http://127.0.0.1:1', 'profile default')


def test_services_section_keys_are_snake_case_sdk_ids(tmpdir):
    endpoint = regions.configured_endpoint('logs', settings(tmpdir, {}, SERVICES_CONFIG))
    assert endpoint.url == 'http://127.0.0.1:3'
    assert regions.service_key('logs') == 'cloudwatch_logs'
    assert regions.service_key('elasticloadbalancing') == 'elastic_load_balancing'


@pytest.mark.parametrize('env, config', [
    ({'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS': 'TRUE'}, SERVICES_CONFIG),
    ({}, SERVICES_CONFIG.replace('[default]\n', '[default]\nignore_configured_endpoint_urls = true\n')),
])
def test_ignore_configured_endpoint_urls(tmpdir, env, config):
    env = dict(env, AWS_ENDPOINT_URL='http://127.0.0.1:11')
    assert settings(tmpdir, env, config).endpoint_url('s3') == (None, None)
    assert settings(tmpdir, {'AWS_ENDPOINT_URL': 'http://127.0.0.1:11'}, SERVICES_CONFIG).endpoint_url(
        's3')[0] == 'http://127.0.0.1:11'


def test_a_missing_services_section_is_an_error_naming_it(tmpdir):
    with pytest.raises(InvalidParameterError) as caught:
        settings(tmpdir, config='[default]\nservices = nowhere\n').endpoint_url('s3')
    assert "'nowhere'" in str(caught.value) and caught.value.field == 'services'


def test_a_bad_configured_endpoint_names_its_source(tmpdir):
    with pytest.raises(InvalidParameterError) as caught:
        regions.configured_endpoint('s3', settings(tmpdir, {'AWS_ENDPOINT_URL_S3': 'ftp://x'}))
    assert 'AWS_ENDPOINT_URL_S3' in str(caught.value)


# -- flags and S3 sub-keys -------------------------------------------------------------

def test_true_is_the_only_true_value_as_in_botocore():
    assert [is_true(v) for v in ('true', 'TRUE', ' True ', '1', 'yes', 'on', '', None)] == \
        [True, True, True, False, False, False, False, False]


def test_nested_values_are_read_as_botocore_reads_them():
    assert nested('\naddressing_style = path\nUse_Accelerate_Endpoint = true') == {
        'addressing_style': 'path', 'use_accelerate_endpoint': 'true'}
    assert nested('plain') == {}


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


def test_app_id_is_read_and_made_safe_for_a_user_agent(tmpdir):
    assert settings(tmpdir, {'AWS_SDK_UA_APP_ID': 'billing#2 (nightly)'}).app_id() == 'billing#2--nightly-'
    assert settings(tmpdir, config='[default]\nsdk_ua_app_id = reports\n').app_id() == 'reports'
    assert settings(tmpdir).app_id() is None


# -- hosts -----------------------------------------------------------------------------

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


@pytest.mark.parametrize('host, region', [
    ('s3.amazonaws.com', 'us-east-1'), ('b.s3-eu-west-1.amazonaws.com', 'eu-west-1'),
    ('s3-fips.dualstack.us-east-2.amazonaws.com', 'us-east-2'),
    ('s3.dualstack.eu-west-1.amazonaws.com', 'eu-west-1'),
    ('ap-123456789012.s3-accesspoint-fips.dualstack.us-west-2.amazonaws.com', 'us-west-2'),
    ('b.s3-accelerate.amazonaws.com', 'us-east-1'), ('127.0.0.1:9000', 'us-east-1'),
])
def test_region_from_s3_host(host, region):
    assert regions.region_from_s3_host(host) == region


# -- parsed files are remembered while they stay the same -------------------------------

def test_a_changed_config_file_is_read_again(tmpdir):
    path = tmpdir.join('config')
    path.write('[default]\nregion = eu-west-1\n')
    environ = {'AWS_CONFIG_FILE': str(path)}
    assert Settings(environ).region() == ('eu-west-1', 'profile default')
    assert Settings(environ).files.config_parser is Settings(environ).files.config_parser  # remembered
    path.write('[default]\nregion = ap-southeast-2\n')
    assert Settings(environ).region() == ('ap-southeast-2', 'profile default')
    path.remove()
    with pytest.raises(Exception) as caught:
        Settings(environ).region()
    assert 'does not exist' in str(caught.value)
