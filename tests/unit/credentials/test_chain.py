"""Unit tests for stsboto.credentials: the chain's order, each file/env/process/role
source, and the configuration errors.  STS is faked at ``stsboto.sts``; the
metadata sources have their own tests (test_credentials_metadata.py).
"""
from __future__ import absolute_import, unicode_literals

import io
import os
import sys
import textwrap

import pytest
import six

import stsboto
from stsboto.credentials.chain import METHODS
from stsboto.exceptions import (CredentialConfigError, CredentialSourceError, InvalidTokenError,
                                MissingCredentialsError, StsbotoError)
from stsboto.refresh import RefreshableToken
from stsboto.token import Token, format_expiration
from tests.emulators import container_endpoint, imds
from tests.factories import FAR, SECRET_KEY, SECRETS, SESSION_TOKEN, FakeClock, make_token

ROLE_ARN = 'arn:aws:iam::123456789012:role/deploy'


def write(path, text, mode=0o600):
    with io.open(str(path), 'w', encoding='utf-8') as stream:
        stream.write(textwrap.dedent(text).lstrip())
    os.chmod(str(path), mode)
    return str(path)


def assert_no_secret(error):
    text = six.text_type(error) + repr(error)
    for secret in SECRETS:
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


def keys(name, serial):
    return ('[%s]\naws_access_key_id = AKIA%016d\naws_secret_access_key = secret%04d/x+y\n'
            % (name, serial, serial))


# -- the order: one source after another is removed ----------------------------------

def test_chain_order_is_botocores(home, tmpdir, monkeypatch, fake_sts):
    """Every source configured at once; removing the winner each time gives the next
    one, in botocore's order (the table in stsboto.credentials.chain)."""
    monkeypatch.delenv(str('AWS_EC2_METADATA_DISABLED'))
    helper = write(tmpdir.join('helper.py'), '''
        import json
        print(json.dumps({"Version": 1, "AccessKeyId": "AKIAPROCESS000000001",
                          "SecretAccessKey": "process-secret"}))
    ''')
    web_token = write(tmpdir.join('jwt'), 'eyJhbGciOi.web.identity')
    boto_cfg = write(tmpdir.join('boto.cfg'), keys('Credentials', 7))
    layers = {
        'credentials_role': 'role_arn = %s\nsource_profile = base\n' % ROLE_ARN,
        'shared': 'aws_access_key_id = AKIASHARED0000000001\naws_secret_access_key = shared-secret\n',
        'sso': 'sso_session = corp\nsso_account_id = 111122223333\nsso_role_name = dev\n',
        'process': 'credential_process = "%s" "%s"\n' % (sys.executable, helper),
        'config': 'aws_access_key_id = AKIACONFIG0000000001\naws_secret_access_key = config-secret\n',
    }
    with container_endpoint([make_token(serial=8)]) as container, \
            imds([make_token(serial=9)]) as metadata:
        environ = {'AWS_ACCESS_KEY_ID': 'test', 'AWS_SECRET_ACCESS_KEY': 'test',
                   'BOTO_CONFIG': boto_cfg,
                   'AWS_WEB_IDENTITY_TOKEN_FILE': web_token, 'AWS_ROLE_ARN': ROLE_ARN,
                   'AWS_CONTAINER_CREDENTIALS_FULL_URI': container.url + 'creds',
                   'AWS_EC2_METADATA_SERVICE_ENDPOINT': metadata.url}
        seen = []

        def configure():
            creds = keys('base', 1)
            config = '[profile base]\n[sso-session corp]\nsso_start_url = https://x/start\n' \
                     'sso_region = eu-west-1\n'
            default_creds, default_config = [], []
            for name in ('credentials_role', 'shared'):
                if name in layers:
                    default_creds.append(layers[name])
            for name in ('sso', 'process', 'config'):
                if name in layers:
                    default_config.append(layers[name])
            creds += '[default]\n' + ''.join(default_creds) if default_creds else ''
            config += '[default]\n' + ''.join(default_config) if default_config else ''
            write(home.join('.aws', 'credentials'), creds)
            write(home.join('.aws', 'config'), config)

        order = [('env', lambda: [environ.pop('AWS_ACCESS_KEY_ID'),
                                  environ.pop('AWS_SECRET_ACCESS_KEY')]),
                 ('assume-role', lambda: layers.pop('credentials_role')),
                 ('assume-role-with-web-identity', lambda: environ.pop('AWS_WEB_IDENTITY_TOKEN_FILE')),
                 ('sso', lambda: layers.pop('sso')),
                 ('shared-credentials-file', lambda: layers.pop('shared')),
                 ('custom-process', lambda: layers.pop('process')),
                 ('config-file', lambda: layers.pop('config')),
                 ('boto-config', lambda: environ.update(BOTO_CONFIG=str(tmpdir.join('none')))),
                 ('container-role', lambda: environ.pop('AWS_CONTAINER_CREDENTIALS_FULL_URI')),
                 ('iam-role', lambda: environ.update(AWS_EC2_METADATA_DISABLED='true'))]
        for method, remove in order:
            configure()
            found = stsboto.find_token(environ=environ)
            seen.append(found.method)
            assert found.method == method
            remove()
        configure()
        assert stsboto.find_token(environ=environ) is None
    assert tuple(seen) == METHODS
    assert fake_sts.calls == []   # role and SSO sources call STS / the portal on first use only


def test_token_methods_and_types(home, monkeypatch, fake_sts):
    write(home.join('.aws', 'credentials'), keys('default', 1))
    token = stsboto.find_token()
    assert isinstance(token, Token) and token.method == 'shared-credentials-file'
    assert token == token.replace(method=None)   # method is not part of equality
    monkeypatch.setenv(str('AWS_ACCESS_KEY_ID'), str('test'))
    monkeypatch.setenv(str('AWS_SECRET_ACCESS_KEY'), str('test'))
    assert stsboto.find_token().method == 'env'
    assert stsboto.token.find_token().method == 'env'      # the delegate other modules call
    assert stsboto.find_token(profile='default').method == 'shared-credentials-file'


def test_explicit_profile_skips_environment_keys_aws_profile_does_not(home):
    write(home.join('.aws', 'credentials'), keys('default', 1) + keys('up', 2))
    env = {'AWS_ACCESS_KEY_ID': 'testing', 'AWS_SECRET_ACCESS_KEY': 'testing', 'AWS_PROFILE': 'up'}
    assert stsboto.find_token(environ=env).access_key == 'testing'
    assert stsboto.find_token('up', environ=env).access_key == 'AKIA%016d' % 2


def test_profile_in_config_file_only(home):
    write(home.join('.aws', 'config'), '[profile up]\naws_access_key_id = minioadmin\n'
          'aws_secret_access_key = minioadmin\n[sso-session x]\naws_access_key_id = nope\n')
    token = stsboto.find_token('up')
    assert (token.access_key, token.method) == ('minioadmin', 'config-file')


@pytest.mark.parametrize('how', ['argument', 'AWS_PROFILE'])
def test_missing_named_profile_is_an_error(home, how):
    write(home.join('.aws', 'credentials'), keys('default', 1))
    with pytest.raises(MissingCredentialsError) as info:
        if how == 'argument':
            stsboto.find_token('nope')
        else:
            stsboto.find_token(environ={'AWS_PROFILE': 'nope'})
    assert 'profile nope' in six.text_type(info.value)


@pytest.mark.parametrize('variable', ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE'])
def test_named_file_that_is_missing_is_an_error(tmpdir, variable):
    with pytest.raises(MissingCredentialsError) as info:
        stsboto.find_token(environ={variable: str(tmpdir.join('nope'))})
    assert variable in six.text_type(info.value)


def test_boto_config_credentials_section(tmpdir):
    path = write(tmpdir.join('boto'), '[Credentials]\naws_access_key_id = test\n'
                 'aws_secret_access_key = %s\naws_security_token = %s\n' % (SECRET_KEY, SESSION_TOKEN))
    token = stsboto.find_token(environ={'BOTO_CONFIG': path})
    assert (token.access_key, token.session_token, token.method) == ('test', SESSION_TOKEN, 'boto-config')


def test_nothing_configured_is_none():
    assert stsboto.find_token() is None
    assert stsboto.find_token(environ={}) is None


def test_profile_argument_is_checked():
    with pytest.raises(ValueError):
        stsboto.find_token(profile='')


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


def test_credential_source_ec2_instance_metadata(home, fake_sts, monkeypatch):
    monkeypatch.delenv(str('AWS_EC2_METADATA_DISABLED'))
    with imds([make_token(serial=5)]) as server:
        write(home.join('.aws', 'config'), '[profile r]\nrole_arn = %s\ncredential_source = '
              'Ec2InstanceMetadata\nec2_metadata_service_endpoint = %s\n' % (ROLE_ARN, server.url))
        stsboto.find_token('r').get()
    assert fake_sts.calls[0]['aws_access_key_id'] == 'ASIA%016d' % 5


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


# -- credential_process -----------------------------------------------------------------

def process_profile(home, tmpdir, script, name='p'):
    helper = write(tmpdir.join('helper_%s.py' % name), script)
    write(home.join('.aws', 'config'), '[profile %s]\ncredential_process = "%s" "%s" --flag\n'
          % (name, sys.executable, helper))


def test_credential_process_version_1(home, tmpdir):
    process_profile(home, tmpdir, '''
        import json, sys
        assert sys.argv[1:] == ['--flag']
        print(json.dumps({"Version": 1, "AccessKeyId": "test", "SecretAccessKey": "test",
                          "SessionToken": "tok"}))
    ''')
    token = stsboto.find_token('p')
    assert isinstance(token, Token)
    assert (token.access_key, token.session_token, token.method) == ('test', 'tok', 'custom-process')


def test_credential_process_with_expiration_refreshes(home, tmpdir):
    counter = tmpdir.join('count')
    process_profile(home, tmpdir, '''
        import json, os
        path = %r
        n = int(open(path).read()) + 1 if os.path.exists(path) else 1
        open(path, 'w').write(str(n))
        print(json.dumps({"Version": 1, "AccessKeyId": "AKIA%%016d" %% n, "SecretAccessKey": "s",
                          "SessionToken": "t", "Expiration": "2026-11-27T13:00:00Z"}))
    ''' % str(counter))
    clock = FakeClock()   # 12:00; the credentials expire at 13:00
    source = stsboto.find_token('p', time_fetcher=clock)
    assert isinstance(source, RefreshableToken) and source.method == 'custom-process'
    assert source.get().access_key == 'AKIA%016d' % 1
    clock.advance(55 * 60)            # 5 minutes left: mandatory window
    token = source.get()
    assert token.access_key == 'AKIA%016d' % 2 and token.method == 'custom-process'


@pytest.mark.parametrize('script, words', [
    ('import sys\nsys.stderr.write("helper says: no session\\n")\nsys.exit(3)\n', 'status 3'),
    ('print("not json %s")\n' % SECRET_KEY, 'did not print JSON'),
    ('import json\nprint(json.dumps({"Version": 2, "AccessKeyId": "a", "SecretAccessKey": "%s"}))\n'
     % SECRET_KEY, '"Version": 1'),
    ('import json\nprint(json.dumps({"Version": 1, "AccessKeyId": "a"}))\n', 'SecretAccessKey'),
    ('import json\nprint(json.dumps({"Version": 1, "AccessKeyId": "a b", "SecretAccessKey": "%s"}))\n'
     % SECRET_KEY, 'AccessKeyId'),
    ('import sys\nsys.stdout.write("x" * 70000)\n', 'more than'),
    ('print("[1, 2]")\n', 'not an object'),
])
def test_credential_process_failures_name_the_profile_never_the_secret(
        home, tmpdir, capfd, script, words):
    process_profile(home, tmpdir, script, name='helper')
    with pytest.raises(CredentialSourceError) as info:
        stsboto.find_token('helper')
    message = six.text_type(info.value)
    assert words in message and 'profile helper' in message
    assert info.value.method == 'custom-process' and info.value.profile == 'helper'
    assert SECRET_KEY not in message and SECRET_KEY not in repr(info.value)
    if 'status' in words:
        assert 'helper says: no session' in capfd.readouterr().err   # passed through


def test_credential_process_that_cannot_start(home):
    write(home.join('.aws', 'config'), '[profile p]\ncredential_process = /nonexistent/helper\n')
    with pytest.raises(CredentialSourceError) as info:
        stsboto.find_token('p')
    assert 'could not start' in six.text_type(info.value)


# -- errors never show secrets --------------------------------------------------------

def test_bad_profile_value_names_the_key_not_the_value(home):
    write(home.join('.aws', 'credentials'), '[default]\naws_access_key_id = a b\n'
          'aws_secret_access_key = %s\n' % SECRET_KEY)
    with pytest.raises(InvalidTokenError) as info:
        stsboto.find_token()
    assert 'aws_access_key_id' in six.text_type(info.value)
    assert_no_secret(info.value)


def test_no_secret_in_any_traceback_of_a_failing_source(home, tmpdir, monkeypatch):
    """Every way a source fails: str, repr and the whole formatted traceback (causes
    included) hold neither the secret nor the token, nor any 16-character slice."""
    import traceback
    monkeypatch.delenv(str('AWS_EC2_METADATA_DISABLED'))
    leaky = ('import json, sys\nsys.stdout.write(json.dumps({"Version": 1, "AccessKeyId": "a b", '
             '"SecretAccessKey": %r, "SessionToken": %r}))\n' % (SECRET_KEY, SESSION_TOKEN))
    exits = 'import sys\nsys.stdout.write(%r)\nsys.exit(1)\n' % (SECRET_KEY + SESSION_TOKEN)
    failures = []
    for name, script in (('leaky', leaky), ('exits', exits)):
        process_profile(home, tmpdir, script, name=name)
        failures.append(lambda name=name: stsboto.find_token(name))
    write(home.join('.aws', 'credentials'), '[bad]\naws_access_key_id = a,b\naws_secret_access_key = %s\n'
          'aws_session_token = %s\n' % (SECRET_KEY, SESSION_TOKEN))
    failures.append(lambda: stsboto.find_token('bad'))
    failures.append(lambda: Token.coerce('{"AccessKeyId": "x y", "SecretAccessKey": "%s"' % SECRET_KEY))
    with imds([make_token(secret_key=SECRET_KEY, session_token=SESSION_TOKEN)]) as server:
        server.mode = 'bad-key'
        failures.append(lambda: stsboto.find_token(
            environ={'AWS_EC2_METADATA_SERVICE_ENDPOINT': server.url}))
        texts = []
        for fail in failures:
            with pytest.raises(StsbotoError) as info:
                fail()
            error = info.value
            texts.append(six.text_type(error) + repr(error) +
                         ''.join(traceback.format_exception(type(error), error, info.tb)))
    for text in texts:
        for secret in (SECRET_KEY, SESSION_TOKEN):
            for start in range(len(secret) - 15):
                assert secret[start:start + 16] not in text


def test_aws_default_profile_comes_before_aws_profile_as_in_botocore(home):
    write(home.join('.aws', 'credentials'),
          '[first]\naws_access_key_id = AKIDFIRST\naws_secret_access_key = s1\n'
          '[second]\naws_access_key_id = AKIDSECOND\naws_secret_access_key = s2\n')
    env = {'AWS_DEFAULT_PROFILE': 'first', 'AWS_PROFILE': 'second'}
    assert stsboto.find_token(environ=env).access_key == 'AKIDFIRST'
    assert Token.from_profile(environ=env).access_key == 'AKIDFIRST'
    assert stsboto.find_token(environ={'AWS_PROFILE': 'second'}).access_key == 'AKIDSECOND'
    with pytest.raises(MissingCredentialsError):   # named by the variable: it must exist
        stsboto.find_token(environ={'AWS_DEFAULT_PROFILE': 'nowhere'})
