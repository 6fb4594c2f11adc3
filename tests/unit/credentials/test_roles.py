"""Unit tests for stsboto.credentials.roles: assume-role profiles and web identity.

STS is faked at ``stsboto.sts`` (the ``fake_sts`` fixture, or a stand-in
connection); credential_source = Ec2InstanceMetadata, against a loopback
emulator, is in tests/functional/credentials/test_roles.py.
"""
from __future__ import absolute_import, unicode_literals

import io
import sys

import pytest
import six

import stsboto
from stsboto.exceptions import CredentialConfigError, StsbotoError
from stsboto.refresh import RefreshableToken
from stsboto.token import format_expiration
from tests.credentials_support import write_aws_config
from tests.credentials_support import ROLE_ARN, keys, write
from tests.factories import FAR, make_token


# -- assume-role profiles -----------------------------------------------------------

def test_assume_role_chain_of_source_profiles(home, fake_sts, monkeypatch):
    write(home.join('.aws', 'credentials'), keys('base', 1))
    write(home.join('.aws', 'config'), '''
        [profile top]
        role_arn = arn:aws:iam::123456789012:role/top
        source_profile = middle
        role_session_name = top-session
        external_id = ext-123
        duration_seconds = 1800
        region = eu-north-1
        [profile middle]
        role_arn = arn:aws:iam::123456789012:role/middle
        source_profile = base
    ''')
    monkeypatch.setenv(str('AWS_ENDPOINT_URL_STS'), str('http://127.0.0.1:5999'))
    source = stsboto.find_token('top')
    assert isinstance(source, RefreshableToken) and source.method == 'assume-role'
    assert fake_sts.calls == []
    token = source.get()
    assert token.method == 'assume-role' and token.access_key == 'ASIA%016d' % 2
    middle, top = fake_sts.calls
    assert middle['role_arn'].endswith('role/middle')
    assert middle['aws_access_key_id'] == 'AKIA%016d' % 1
    assert middle['security_token'] is None
    assert top['role_arn'].endswith('role/top')
    assert top['aws_access_key_id'] == 'ASIA%016d' % 1    # the middle role's credentials
    assert top['security_token'] == make_token(serial=1).session_token
    assert (top['session_name'], top['external_id'], top['duration']) == ('top-session', 'ext-123', 1800)
    assert top['region'] == 'eu-north-1' and top['regional'] is True
    assert top['endpoint_url'].port == 5999


def test_assume_role_from_profile_in_credentials_file_with_self_source(home, fake_sts):
    # botocore allows a profile with static keys to be its own source_profile
    write(home.join('.aws', 'credentials'), keys('self', 3) + 'role_arn = %s\nsource_profile = self\n'
          % ROLE_ARN)
    token = stsboto.find_token('self').get()
    assert fake_sts.calls[0]['aws_access_key_id'] == 'AKIA%016d' % 3
    assert token.method == 'assume-role'


def test_source_profile_loop_is_a_clear_error(home, fake_sts):
    write(home.join('.aws', 'config'), '''
        [profile a]
        role_arn = %s
        source_profile = b
        [profile b]
        role_arn = %s
        source_profile = a
    ''' % (ROLE_ARN, ROLE_ARN))
    with pytest.raises(CredentialConfigError) as info:
        stsboto.find_token('a')
    message = six.text_type(info.value)
    assert 'loop' in message and 'a -> b -> a' in message
    assert info.value.field == 'source_profile' and isinstance(info.value, ValueError)
    assert fake_sts.calls == []


@pytest.mark.parametrize('extra, words', [
    ('source_profile = base\ncredential_source = Environment\n', 'both'),
    ('', 'neither'),
    ('credential_source = Moon\n', 'not one of'),
    ('source_profile = ghost\n', 'does not exist'),
    ('source_profile = base\nduration_seconds = long\n', 'duration_seconds'),
])
def test_assume_role_config_errors(home, fake_sts, extra, words):
    write(home.join('.aws', 'credentials'), keys('base', 1))
    write(home.join('.aws', 'config'), '[profile r]\nrole_arn = %s\n%s' % (ROLE_ARN, extra))
    with pytest.raises(CredentialConfigError) as info:
        stsboto.find_token('r')
    assert words in six.text_type(info.value) and 'profile r' in six.text_type(info.value)


def test_credential_source_environment(home, fake_sts, monkeypatch):
    write(home.join('.aws', 'config'), '[profile r]\nrole_arn = %s\ncredential_source = Environment\n'
          % ROLE_ARN)
    monkeypatch.setenv(str('AWS_ACCESS_KEY_ID'), str('test'))
    monkeypatch.setenv(str('AWS_SECRET_ACCESS_KEY'), str('test'))
    stsboto.find_token('r').get()
    assert fake_sts.calls[0]['aws_access_key_id'] == 'test'


def test_credential_source_without_credentials_is_an_error(home, fake_sts):
    write(home.join('.aws', 'config'), '[profile r]\nrole_arn = %s\ncredential_source = Environment\n'
          % ROLE_ARN)
    with pytest.raises(StsbotoError) as info:
        stsboto.find_token('r').get()
    assert 'Environment' in six.text_type(info.value)


def test_mfa_serial_calls_the_callback_each_time(home, monkeypatch):
    write(home.join('.aws', 'credentials'), keys('base', 1))
    write(home.join('.aws', 'config'), '[profile r]\nrole_arn = %s\nsource_profile = base\n'
          'mfa_serial = arn:aws:iam::123456789012:mfa/me\n' % ROLE_ARN)
    calls, codes = [], iter(['123456', '654321'])

    class Connection(object):
        provider = None

        def assume_role(self, role_arn, session_name, **kwargs):
            calls.append(kwargs)
            return make_token(serial=len(calls))

    monkeypatch.setattr(stsboto.sts, 'connect_to_region', lambda region, **kwargs: Connection())
    asked = []
    source = stsboto.find_token('r', mfa_callback=lambda serial: asked.append(serial) or next(codes))
    source.get()
    source.refresh_now()
    assert asked == ['arn:aws:iam::123456789012:mfa/me'] * 2
    assert [c['mfa_token'] for c in calls] == ['123456', '654321']
    assert calls[0]['mfa_serial_number'] == 'arn:aws:iam::123456789012:mfa/me'


def test_mfa_without_callback_or_terminal_is_a_clear_error(home, monkeypatch):
    write(home.join('.aws', 'credentials'), keys('base', 1))
    write(home.join('.aws', 'config'), '[profile r]\nrole_arn = %s\nsource_profile = base\n'
          'mfa_serial = arn:aws:iam::123456789012:mfa/me\n' % ROLE_ARN)
    monkeypatch.setattr(sys, 'stdin', io.StringIO())
    with pytest.raises(StsbotoError) as info:
        stsboto.find_token('r').get()
    assert 'mfa_callback' in six.text_type(info.value)


# -- web identity ----------------------------------------------------------------------

class FakeWebIdentitySts(object):
    def __init__(self):
        self.calls = []

    def connect_to_region(self, region, **kwargs):
        fake = self

        class Connection(object):
            provider = None

            def get_object(self, action, params, cls, verb='GET'):
                fake.calls.append(dict(kwargs, action=action, params=params, verb=verb, region=region))
                token = make_token(serial=len(fake.calls))
                return {'Credentials': {'AccessKeyId': token.access_key,
                                        'SecretAccessKey': token.secret_key,
                                        'SessionToken': token.session_token,
                                        'Expiration': format_expiration(FAR)}}
        return Connection()


def test_web_identity_from_environment_is_unsigned_and_rereads_the_file(tmpdir, monkeypatch):
    fake = FakeWebIdentitySts()
    monkeypatch.setattr(stsboto.sts, 'connect_to_region', fake.connect_to_region)
    path = write(tmpdir.join('token'), 'first.jwt.value')
    env = {'AWS_WEB_IDENTITY_TOKEN_FILE': path, 'AWS_ROLE_ARN': ROLE_ARN,
           'AWS_ROLE_SESSION_NAME': 'pod-7', 'AWS_REGION': 'eu-west-1'}
    source = stsboto.find_token(environ=env)
    assert source.method == 'assume-role-with-web-identity' and fake.calls == []
    assert source.get().method == 'assume-role-with-web-identity'
    write(path, 'second.jwt.value')     # Kubernetes rotated the projected token
    source.refresh_now()
    assert [c['params']['WebIdentityToken'] for c in fake.calls] == ['first.jwt.value',
                                                                     'second.jwt.value']
    call = fake.calls[0]
    assert call['anon'] is True and call['verb'] == 'POST'
    assert 'aws_access_key_id' not in call
    assert (call['params']['RoleArn'], call['params']['RoleSessionName']) == (ROLE_ARN, 'pod-7')
    assert call['region'] == 'eu-west-1'


def test_web_identity_from_profile_and_missing_role(home, tmpdir, monkeypatch):
    fake = FakeWebIdentitySts()
    monkeypatch.setattr(stsboto.sts, 'connect_to_region', fake.connect_to_region)
    path = write(tmpdir.join('token'), 'jwt')
    write(home.join('.aws', 'config'), '[profile w]\nweb_identity_token_file = %s\nrole_arn = %s\n'
          % (path, ROLE_ARN))
    assert stsboto.find_token('w').get().method == 'assume-role-with-web-identity'
    with pytest.raises(CredentialConfigError) as info:
        stsboto.find_token(environ={'AWS_WEB_IDENTITY_TOKEN_FILE': path})
    assert 'AWS_ROLE_ARN' in six.text_type(info.value)


def test_web_identity_token_file_missing_or_too_big(tmpdir, monkeypatch):
    fake = FakeWebIdentitySts()
    monkeypatch.setattr(stsboto.sts, 'connect_to_region', fake.connect_to_region)
    for path in (str(tmpdir.join('nope')), '/dev/zero', str(tmpdir)):
        source = stsboto.find_token(environ={'AWS_WEB_IDENTITY_TOKEN_FILE': path,
                                             'AWS_ROLE_ARN': ROLE_ARN})
        with pytest.raises(StsbotoError):
            source.get()
    assert fake.calls == []


# -- the second security review (issue 19): one test per finding, each failing on 0.2.0 --


def test_item5_a_source_profile_chain_600_deep_is_a_config_error():
    from stsboto.credentials.roles import MAX_ROLE_CHAIN
    from stsboto.exceptions import CredentialConfigError
    home = __import__('os').environ['HOME']
    lines = []
    for n in range(600):
        lines.append('[profile p%d]\nrole_arn = arn:aws:iam::123456789012:role/r%d\n'
                     'source_profile = p%d\n' % (n, n, n + 1))
    lines.append('[profile p600]\naws_access_key_id = AKIDEXAMPLE\n'
                 'aws_secret_access_key = secret-secret\n')
    write_aws_config(home, ''.join(lines))
    with pytest.raises(CredentialConfigError) as caught:
        stsboto.find_token('p0')
    message = six.text_type(caught.value)
    assert 'longer than %d role profiles' % MAX_ROLE_CHAIN in message
    assert caught.value.field == 'source_profile'
