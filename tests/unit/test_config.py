"""stsboto.config: the one settings resolver (argument, environment, profile, boto config)."""
from __future__ import absolute_import, unicode_literals

import os

import pytest

from stsboto.config import Settings, profile_name
from stsboto.exceptions import MissingCredentialsError


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
