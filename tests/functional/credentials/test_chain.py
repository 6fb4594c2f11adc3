"""Functional tests for stsboto.credentials.chain: every source at once, and every way one fails.

STS is faked at ``stsboto.sts``; container credentials and instance metadata
are served by tests/emulators.py.
"""
from __future__ import absolute_import, unicode_literals

import sys

import pytest
import six

import stsboto
from stsboto.credentials.chain import METHODS
from stsboto.exceptions import StsbotoError
from stsboto.token import Token
from tests.credentials_support import ROLE_ARN, keys, process_profile, write
from tests.emulators import container_endpoint, imds
from tests.factories import SECRET_KEY, SESSION_TOKEN, make_token


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


# -- errors never show secrets --------------------------------------------------------

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
