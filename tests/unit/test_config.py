"""stsboto.config: the one settings resolver (argument, environment, profile, boto config)."""
from __future__ import absolute_import, unicode_literals

import os
import time

import pytest
import six

import stsboto
from stsboto.config import Settings, is_true, nested, profile_name, read_ini
from stsboto.exceptions import InvalidParameterError, MissingCredentialsError
from tests.factories import looping_path, write_ini
from tests.factories import SERVICES_CONFIG
from tests.factories import settings_in as settings


@pytest.fixture
def files(tmpdir):
    config = tmpdir.join('config')
    config.write('[default]\nmax_attempts = 4\nregion = eu-west-1\n\n'
                 '[profile other]\nmax_attempts = 6\n\n'
                 '[services dev]\ns3 =\n  endpoint_url = http://127.0.0.1:9\n')
    credentials = tmpdir.join('credentials')
    credentials.write('[other]\nregion = ap-south-2\n')
    boto = tmpdir.join('boto.cfg')
    boto.write('[Boto]\nnum_retries = 9\nmax_retry_delay = 5\n')
    return {'AWS_CONFIG_FILE': str(config), 'AWS_SHARED_CREDENTIALS_FILE': str(credentials),
            'BOTO_CONFIG': str(boto)}


def test_precedence_is_argument_environment_profile_boto_default(files):
    env = dict(files, AWS_MAX_ATTEMPTS='2')
    spec = dict(key='max_attempts', env='AWS_MAX_ATTEMPTS', boto=('Boto', 'num_retries'))
    assert Settings(env).lookup(explicit='1', **spec) == ('1', 'argument')
    assert Settings(env).lookup(**spec) == ('2', 'AWS_MAX_ATTEMPTS')
    assert Settings(files).lookup(**spec) == ('4', 'profile default')
    assert Settings(files, profile='nowhere').lookup(**spec) == ('9', 'boto config [Boto] num_retries')
    assert Settings({}).get(default=3, **spec) == 3


def test_an_empty_variable_counts_as_unset(files):
    env = dict(files, AWS_MAX_ATTEMPTS='  ')
    assert Settings(env).get('max_attempts', env='AWS_MAX_ATTEMPTS') == '4'


def test_profile_is_explicit_then_aws_default_profile_then_aws_profile():
    assert profile_name({}) == 'default'
    assert profile_name({'AWS_PROFILE': 'b'}) == 'b'
    assert profile_name({'AWS_PROFILE': 'b', 'AWS_DEFAULT_PROFILE': 'a'}) == 'a'
    assert profile_name({'AWS_PROFILE': 'b', 'AWS_DEFAULT_PROFILE': 'a'}, 'c') == 'c'


def test_the_credentials_file_is_merged_into_the_profile(files):
    settings = Settings(dict(files, AWS_PROFILE='other'))
    assert settings.get('region') == 'ap-south-2'
    assert settings.get('max_attempts') == '6'


def test_named_sections_of_the_config_file(files):
    settings = Settings(files)
    assert settings.files.section('services', 'dev') == {'s3': 'endpoint_url = http://127.0.0.1:9'}
    assert settings.files.section('services', 'prod') is None


def test_a_config_file_named_by_its_variable_must_exist(tmpdir):
    settings = Settings({'AWS_CONFIG_FILE': str(tmpdir.join('missing'))})
    with pytest.raises(MissingCredentialsError) as caught:
        settings.get('region')
    assert 'AWS_CONFIG_FILE' in str(caught.value)


def test_a_file_rewritten_in_place_within_the_clock_s_granularity_is_read_again(tmpdir):
    # same size, same inode, possibly the same mtime: the settings cache must not
    # hand back what the file said before (a profile replaced by another of the same length)
    path = tmpdir.join('config')
    path.write('[profile alpha]\nregion = eu-west-1\n')
    env = {'AWS_CONFIG_FILE': str(path)}
    assert Settings(env, profile='alpha').get('region') == 'eu-west-1'
    stamp = os.stat(str(path))
    with open(str(path), 'r+') as handle:
        handle.write('[profile omega]\nregion = eu-west-2\n')
    os.utime(str(path), (stamp.st_atime, stamp.st_mtime))   # the same mtime, as a coarse clock gives
    assert Settings(env, profile='omega').get('region') == 'eu-west-2'
    assert Settings(env, profile='alpha').get('region') is None


# -- every configuration key, one rule per test (issue 18 item 2) ---------------------------


@pytest.mark.parametrize('service, section, option', [
    ('ec2', 'Boto', 'ec2_region_name'), ('dynamodb', 'DynamoDB', 'region'), ('swf', 'SWF', 'region'),
    ('elasticloadbalancing', 'Boto', 'elb_region_name'), ('sdb', 'SDB', 'region'),
])
def test_boto_config_region_keys_are_per_service(tmpdir, service, section, option):
    found = settings(tmpdir, boto='[%s]\n%s = eu-south-2\n' % (section, option))
    assert found.region(service) == ('eu-south-2', 'boto config [%s] %s' % (section, option))
    assert found.region('s3') == (None, None)  # boto has no S3 region key


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


def test_true_is_the_only_true_value_as_in_botocore():
    assert [is_true(v) for v in ('true', 'TRUE', ' True ', '1', 'yes', 'on', '', None)] == \
        [True, True, True, False, False, False, False, False]


def test_nested_values_are_read_as_botocore_reads_them():
    assert nested('\naddressing_style = path\nUse_Accelerate_Endpoint = true') == {
        'addressing_style': 'path', 'use_accelerate_endpoint': 'true'}
    assert nested('plain') == {}


def test_app_id_is_read_and_made_safe_for_a_user_agent(tmpdir):
    assert settings(tmpdir, {'AWS_SDK_UA_APP_ID': 'billing#2 (nightly)'}).app_id() == 'billing#2--nightly-'
    assert settings(tmpdir, config='[default]\nsdk_ua_app_id = reports\n').app_id() == 'reports'
    assert settings(tmpdir).app_id() is None


def test_a_changed_config_file_is_read_again(tmpdir):
    path = tmpdir.join('config')
    path.write('[default]\nregion = eu-west-1\n')
    environ = {'AWS_CONFIG_FILE': str(path)}
    assert Settings(environ).region() == ('eu-west-1', 'profile default')
    # a file changed within the last seconds is read every time (it may change again
    # within the clock's granularity); an older one is remembered
    assert Settings(environ).files.config_parser is not Settings(environ).files.config_parser
    an_hour_ago = time.time() - 3600
    os.utime(str(path), (an_hour_ago, an_hour_ago))
    assert Settings(environ).files.config_parser is Settings(environ).files.config_parser  # remembered
    path.write('[default]\nregion = ap-southeast-2\n')
    assert Settings(environ).region() == ('ap-southeast-2', 'profile default')
    path.remove()
    with pytest.raises(Exception) as caught:
        Settings(environ).region()
    assert 'does not exist' in str(caught.value)


# -- issue 19 item 10: one INI parser behaviour on every Python (botocore's) ----------------------


def test_item10_a_semicolon_after_a_space_is_part_of_the_value(tmpdir):
    path = write_ini(tmpdir, '[default]\ncredential_process = helper --a ; rm -rf x # y\n'
                             'aws_secret_access_key = abc ;def\n; a comment\n  # an indented comment\n'
                             'region = eu-west-1\n')
    parser = read_ini(path, 'config file')
    values = dict(parser.items('default'))
    assert values == {'credential_process': 'helper --a ; rm -rf x # y',
                      'aws_secret_access_key': 'abc ;def', 'region': 'eu-west-1'}


@pytest.mark.parametrize('text, kind, line', [
    ('[default]\nregion = a\n[default]\nregion = b\n', 'DuplicateSectionError', 3),
    ('[p]\nregion = a\nRegion = b\n', 'DuplicateOptionError', 3),
    ('[DEFAULT]\nx = 1\n[DEFAULT]\nx = 2\n', 'DuplicateOptionError', 4),
    ('region = a\n', 'MissingSectionHeaderError', 1),
    ('[p]\nno delimiter here\nregion = a\n', 'ParsingError', 2),
])
def test_item10_duplicates_and_bad_lines_are_errors_naming_the_file(tmpdir, text, kind, line):
    from stsboto.exceptions import InvalidTokenError
    path = write_ini(tmpdir, text + 'aws_secret_access_key = SECRET-never-shown\n')
    with pytest.raises(InvalidTokenError) as caught:
        read_ini(path, 'config file')
    message = six.text_type(caught.value)
    assert path in message and '%s at line %d' % (kind, line) in message
    assert 'SECRET-never-shown' not in message


def test_item10_continuations_defaults_and_empty_lines(tmpdir):
    path = write_ini(tmpdir, '[DEFAULT]\nshared = yes\n[s3]\nlist =\n  one\n\n  two\n\n'
                             '# between\nafter: x : y\n')
    parser = read_ini(path, 'config file')
    assert parser.sections() == ['s3']
    assert sorted(parser.items('s3')) == [('after', 'x : y'), ('list', '\none\n\ntwo'),
                                          ('shared', 'yes')]


# -- issue 19 item 5: broken configuration is a named stsboto error -----------------------

@pytest.mark.applies(hasattr(__import__('os'), 'symlink'), reason='symbolic links')
def test_item5_an_unreadable_config_file_is_a_local_file_error(tmpdir):
    import errno
    from stsboto.exceptions import LocalFileError
    path = looping_path(tmpdir)
    with pytest.raises(LocalFileError) as caught:
        stsboto.find_token(environ={'AWS_CONFIG_FILE': path})
    assert caught.value.errno == errno.ELOOP and caught.value.field == 'AWS_CONFIG_FILE'
    assert caught.value.path == path
    assert 'the config file %s cannot be read' % path in six.text_type(caught.value)
    assert isinstance(caught.value, EnvironmentError) and isinstance(caught.value, ValueError)


def test_item5_a_file_without_permission_is_a_local_file_error(tmpdir, monkeypatch):
    # Tests run as root here, which reads any file: EACCES comes from os.stat instead.
    import errno
    import os
    from stsboto import config
    from stsboto.exceptions import LocalFileError
    path = write_ini(tmpdir, '[default]\nregion = x\n', 'credentials')
    real_stat = os.stat

    def stat(name, *args, **kwargs):
        if name == path:
            raise OSError(errno.EACCES, 'Permission denied', name)
        return real_stat(name, *args, **kwargs)
    monkeypatch.setattr(config.os, 'stat', stat)
    with pytest.raises(LocalFileError) as caught:
        stsboto.find_token(environ={'AWS_SHARED_CREDENTIALS_FILE': path})
    assert caught.value.errno == errno.EACCES
    assert 'Permission denied' in six.text_type(caught.value)
    assert caught.value.field == 'AWS_SHARED_CREDENTIALS_FILE'
