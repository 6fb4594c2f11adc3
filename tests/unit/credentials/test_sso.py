"""Unit tests for stsboto.credentials.sso: the configuration of SSO profiles, and the hosts asked by default.

Without an endpoint variable the requests go to AWS's hosts: tests/conftest.py
stops them before they leave the machine.  The token cache, renewal and
GetRoleCredentials, against a loopback stand-in, are in
tests/functional/credentials/test_sso.py.
"""
from __future__ import absolute_import, unicode_literals

import datetime

import pytest
import six

import stsboto
from stsboto.config import SharedFiles
from stsboto.credentials.sso import SSOSource
from stsboto.exceptions import CredentialConfigError, TokenRefreshError
from tests.credentials_support import (ACCOUNT, LEGACY_CONFIG, ROLE, SESSION_CONFIG, START_URL, cache_token,
                                       write)
from tests.credentials_support import sso_home  # noqa: F401  (the fixture home, with ~/.aws/sso/cache)


# -- the two kinds of profile ----------------------------------------------------------

@pytest.mark.parametrize('region,portal,oidc', [
    ('eu-west-1', 'https://portal.sso.eu-west-1.amazonaws.com/federation/credentials',
     'https://oidc.eu-west-1.amazonaws.com/token'),
    ('cn-north-1', 'https://portal.sso.cn-north-1.amazonaws.com.cn/federation/credentials',
     'https://oidc.cn-north-1.amazonaws.com.cn/token'),
])
def test_default_endpoints_are_the_regions_portal_and_oidc_hosts(home, clock, region, portal, oidc,
                                                                 metadata_requests_stay_on_loopback):
    """Without an endpoint variable the calls go to AWS's hosts (botocore's rule sets);
    tests/conftest.py stops them before they leave the machine and records them."""
    write(home.join('.aws', 'config'), SESSION_CONFIG.replace('eu-west-1', region))
    cache_token('corp', clock.now + datetime.timedelta(minutes=5))   # due for renewal
    source = SSOSource(SharedFiles({}), 'dev', {}, time_fetcher=clock, sleep=lambda s: None)
    with pytest.raises(TokenRefreshError) as info:
        source.load().get()
    urls = [url.split('?')[0] for _, url in metadata_requests_stay_on_loopback]
    assert urls == [oidc] * 3 + [portal] * 3     # three attempts each, renewal first
    assert 'failed after 3 attempts' in six.text_type(info.value)


# -- configuration ---------------------------------------------------------------------------

@pytest.mark.parametrize('config,field,words', [
    (SESSION_CONFIG.replace('sso_session = corp', 'sso_session = other'), 'sso_session',
     'no [sso-session other] section'),
    (SESSION_CONFIG.replace('    sso_region = eu-west-1\n', ''), 'sso_region', 'lacks sso_region'),
    (SESSION_CONFIG.replace('sso_role_name = %s' % ROLE, ''), 'sso_role_name', 'lacks sso_role_name'),
    (LEGACY_CONFIG.replace('sso_start_url = %s' % START_URL, ''), 'sso_start_url',
     'lacks sso_start_url'),
    (SESSION_CONFIG.replace('region = eu-west-1\n\n', 'region = eu-west-1\n    sso_region = us-east-1\n\n'),
     'sso_region', 'sso_region differs between the profile and [sso-session corp]'),
    (LEGACY_CONFIG.replace('us-east-2', 'mars-1'), 'sso_region', 'not an AWS region name'),
])
def test_configuration_errors_are_raised_by_find_token(home, config, field, words):
    write(home.join('.aws', 'config'), config)
    name = 'legacy' if 'profile legacy' in config else 'dev'
    with pytest.raises(ValueError) as info:
        stsboto.find_token(name)
    assert info.value.field == field
    assert words in six.text_type(info.value)
    if field != 'sso_region' or 'mars' not in config:
        assert isinstance(info.value, CredentialConfigError) and info.value.profile == name


def test_a_token_only_profile_is_not_a_credential_source(home):
    """sso_session without account and role is for bearer tokens (botocore returns None)."""
    write(home.join('.aws', 'config'), SESSION_CONFIG.replace(
        'sso_account_id = %s\n    sso_role_name = %s\n' % (ACCOUNT, ROLE), 'aws_access_key_id = test\n'
        '    aws_secret_access_key = test\n'))
    assert stsboto.find_token('dev').method == 'config-file'


def test_the_cli_says_where_sso_credentials_come_from(home, clock):
    from stsboto.cli.options import find_credentials
    write(home.join('.aws', 'config'), SESSION_CONFIG)
    token, where = find_credentials({'AWS_PROFILE': 'dev'})
    assert token.method == 'sso' and where == 'profile dev of the config file'
