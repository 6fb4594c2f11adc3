"""Unit tests for stsboto.credentials.metadata: its settings, and the container hosts it allows or refuses.

The requests themselves, against loopback emulators, are in
tests/functional/credentials/test_metadata.py.
"""
from __future__ import absolute_import, unicode_literals

import pytest
import six

import stsboto
from stsboto.credentials import metadata
from stsboto.exceptions import CredentialConfigError


# -- IMDSv2 -------------------------------------------------------------------------

@pytest.mark.parametrize('variable, value', [
    ('AWS_METADATA_SERVICE_TIMEOUT', 'nan'), ('AWS_METADATA_SERVICE_TIMEOUT', '-1'),
    ('AWS_METADATA_SERVICE_NUM_ATTEMPTS', '0'), ('AWS_METADATA_SERVICE_NUM_ATTEMPTS', 'x'),
    ('AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE', 'IPv5'),
    ('AWS_EC2_METADATA_SERVICE_ENDPOINT', 'ftp://x'),
])
def test_imds_settings_are_checked(imds_on, variable, value):
    with pytest.raises(CredentialConfigError) as info:
        stsboto.find_token(environ={variable: value})
    assert variable in six.text_type(info.value) and isinstance(info.value, ValueError)


def test_imds_ipv6_mode_picks_the_ipv6_endpoint():
    source = metadata.InstanceMetadataSource({'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE': 'IPv6'})
    assert source.endpoint == 'http://[fd00:ec2::254]/'
    assert metadata.InstanceMetadataSource({}).endpoint == 'http://169.254.169.254/'
    assert (source.timeout, source.attempts) == (1.0, 1)   # botocore's defaults


# -- container credentials ---------------------------------------------------------------

@pytest.mark.parametrize('url', ['http://169.254.169.254/creds', 'http://10.0.0.1/creds',
                                 'http://example.com/creds', 'ftp://127.0.0.1/creds',
                                 'http://127.0.0.1.example.com/creds'])
def test_container_full_uri_on_other_hosts_is_refused_before_any_request(url,
                                                                         metadata_requests_stay_on_loopback):
    with pytest.raises(CredentialConfigError) as info:
        stsboto.find_token(environ={'AWS_CONTAINER_CREDENTIALS_FULL_URI': url})
    assert 'AWS_CONTAINER_CREDENTIALS_FULL_URI' in six.text_type(info.value)
    assert metadata_requests_stay_on_loopback == []


@pytest.mark.parametrize('url', ['https://creds.example.com/v1', 'http://127.0.0.2:80/x',
                                 'http://[::1]:8080/x', 'http://169.254.170.23/v1/credentials',
                                 'http://[fd00:ec2::23]/v1/credentials', 'http://localhost/x'])
def test_container_hosts_botocore_allows(url):
    metadata.check_container_url(url)


def test_container_relative_uri_uses_the_ecs_host():
    source = metadata.ContainerSource({'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI': '/v2/creds/abc'})
    assert source.url() == 'http://169.254.170.2/v2/creds/abc'


def test_container_authorization_with_newline_is_refused():
    env = {'AWS_CONTAINER_CREDENTIALS_FULL_URI': 'http://127.0.0.1:1/x',
           'AWS_CONTAINER_AUTHORIZATION_TOKEN': 'a\r\nX-Injected: 1'}
    with pytest.raises(CredentialConfigError):
        stsboto.find_token(environ=env)
