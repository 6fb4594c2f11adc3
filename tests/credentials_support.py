"""Helpers shared by the tests of stsboto.credentials, unit and functional.

Usage::

    from tests.credentials_support import ROLE_ARN, keys, write
    write(home.join('.aws', 'credentials'), keys('base', 1))

The fixtures here (``home``, ``fake_sts``, ``imds_on``, ``clock``) reach the
tests through the ``conftest.py`` of ``tests/unit/credentials`` and
``tests/functional/credentials``; the SSO tests take ``sso_home`` (a fixture
named ``home``) instead.
"""
from __future__ import absolute_import, unicode_literals

import datetime
import hashlib
import io
import json
import os
import sys
import textwrap

import pytest
import six

import stsboto
from stsboto.token import format_expiration
from tests.factories import SECRETS, FakeClock, make_token

# -- profiles, roles and helpers in the shared files ---------------------------------

ROLE_ARN = 'arn:aws:iam::123456789012:role/deploy'


def write(path, text, mode=0o600):
    """Write ``text`` (dedented) to ``path`` with ``mode``; the path as a str."""
    with io.open(str(path), 'w', encoding='utf-8') as stream:
        stream.write(textwrap.dedent(text).lstrip())
    os.chmod(str(path), mode)
    return str(path)


def keys(name, serial):
    """A profile ``[name]`` with static keys made distinct by ``serial``."""
    return ('[%s]\naws_access_key_id = AKIA%016d\naws_secret_access_key = secret%04d/x+y\n'
            % (name, serial, serial))


def process_profile(home, tmpdir, script, name='p'):
    """A profile ``name`` whose ``credential_process`` runs ``script`` with ``--flag``."""
    helper = write(tmpdir.join('helper_%s.py' % name), script)
    write(home.join('.aws', 'config'), '[profile %s]\ncredential_process = "%s" "%s" --flag\n'
          % (name, sys.executable, helper))


def assert_no_secret(error, secrets=SECRETS):
    """Neither str nor repr of ``error`` holds any of ``secrets``."""
    text = six.text_type(error) + repr(error)
    for secret in secrets:
        assert secret not in text


class FakeSts(object):
    """Records stsboto.sts.assume_role calls; answers with distinct tokens."""

    def __init__(self):
        self.calls = []

    def assume_role(self, role_arn, session_name, **kwargs):
        self.calls.append(dict(kwargs, role_arn=role_arn, session_name=session_name))
        return make_token(serial=len(self.calls), arn='arn:aws:sts::123456789012:assumed-role/x/y')


@pytest.fixture
def fake_sts(monkeypatch):
    fake = FakeSts()
    monkeypatch.setattr(stsboto.sts, 'assume_role', fake.assume_role)
    return fake


@pytest.fixture
def home(isolated_environment):
    home = isolated_environment
    home.mkdir('.aws')
    return home


@pytest.fixture
def imds_on(monkeypatch):
    """IMDS allowed for this test (the root conftest switches it off)."""
    monkeypatch.delenv(str('AWS_EC2_METADATA_DISABLED'))


# -- the environment, the credentials file and token files (Token.from_env, ...) -------
#
# Environments are plain dicts passed as ``environ=``; files live in pytest's
# ``tmpdir``.  Every error test also checks that no secret or session token
# leaks into the message.

ACCESS_KEY = 'ASIAIOSFODNN7EXAMPLE'
SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY'
SESSION_TOKEN = 'FwoGZXIvYXdzEBYaDH7EXAMPLESESSIONTOKENVALUE+/=='
OTHER_TOKEN = 'IQoJb3JpZ2luX2VjEOTHERSESSIONTOKENVALUE'
EXPIRATION = '2026-11-27T21:15:00Z'
ENV_SECRETS = (SECRET_KEY, SESSION_TOKEN, OTHER_TOKEN)


def full_env(**changes):
    env = {'AWS_ACCESS_KEY_ID': ACCESS_KEY, 'AWS_SECRET_ACCESS_KEY': SECRET_KEY,
           'AWS_SESSION_TOKEN': SESSION_TOKEN, 'AWS_CREDENTIAL_EXPIRATION': EXPIRATION}
    env.update(changes)
    return dict((k, v) for k, v in env.items() if v is not None)


def raises(error_class, func, *args, **kwargs):
    with pytest.raises(error_class) as info:
        func(*args, **kwargs)
    assert_no_secret(info.value, ENV_SECRETS)
    return info.value


def write_text(path, text):
    """Write ``text`` to ``path`` as it is (no dedent, no chmod); the path as a str."""
    with io.open(str(path), 'w', encoding='utf-8') as stream:
        stream.write(six.text_type(text))
    return str(path)


def setenv(monkeypatch, name, value):
    # os.environ holds native str on Python 2 as well
    monkeypatch.setenv(str(name), str(value))


def profile_text(name='default', **keys):
    fields = {'aws_access_key_id': ACCESS_KEY, 'aws_secret_access_key': SECRET_KEY,
              'aws_session_token': SESSION_TOKEN}
    fields.update(keys)
    lines = ['[%s]' % name] + ['%s = %s' % (k, v) for k, v in sorted(fields.items())
                               if v is not None]
    return '\n'.join(lines) + '\n'


# -- IAM Identity Center (SSO) ---------------------------------------------------------

ACCOUNT, ROLE = '111122223333', 'ReadOnly'
START_URL = 'https://corp.awsapps.com/start'
ACCESS = 'cached-access-token-aoiJOIjoi24/+=='
REFRESH = 'cached-refresh-token-XyZ/+=='
CLIENT_ID, CLIENT_SECRET = 'client-id-123', 'client-secret-eyJraWQiOi/+=='

SESSION_CONFIG = '''
    [profile dev]
    sso_session = corp
    sso_account_id = %s
    sso_role_name = %s
    region = eu-west-1

    [sso-session corp]
    sso_start_url = %s
    sso_region = eu-west-1
    sso_registration_scopes = sso:account:access
''' % (ACCOUNT, ROLE, START_URL)

LEGACY_CONFIG = '''
    [profile legacy]
    sso_start_url = %s
    sso_region = us-east-2
    sso_account_id = %s
    sso_role_name = %s
''' % (START_URL, ACCOUNT, ROLE)


@pytest.fixture(name='home')
def sso_home(isolated_environment):
    """The SSO tests' ``home``: the empty HOME with ``~/.aws/sso/cache``."""
    home = isolated_environment
    home.mkdir('.aws').mkdir('sso').mkdir('cache')
    return home


@pytest.fixture
def clock():
    return FakeClock()


def cache_token(name, expires_at, refreshable=True, registration_ends=None, mode=0o600, **extra):
    """Write what `aws sso login` caches for ``name`` (session name or start URL); its path."""
    data = {'startUrl': START_URL, 'region': 'eu-west-1', 'accessToken': ACCESS,
            'expiresAt': format_expiration(expires_at)}
    if refreshable:
        data.update(refreshToken=REFRESH, clientId=CLIENT_ID, clientSecret=CLIENT_SECRET,
                    registrationExpiresAt=format_expiration(
                        registration_ends or expires_at + datetime.timedelta(days=80)))
    data.update(extra)
    path = os.path.join(os.path.expanduser('~'), '.aws', 'sso', 'cache',
                        hashlib.sha1(name.encode('utf-8')).hexdigest() + '.json')
    with io.open(path, 'w', encoding='utf-8') as stream:
        stream.write(six.text_type(json.dumps(data)))
    os.chmod(path, mode)
    return path


def write_aws_config(home, text):
    """Write ``text`` as ``~/.aws/config`` under ``home`` (as it is); its path."""
    folder = os.path.join(str(home), '.aws')
    if not os.path.isdir(folder):
        os.makedirs(folder)
    path = os.path.join(folder, 'config')
    with io.open(path, 'w', encoding='utf-8') as stream:
        stream.write(text)
    return path
