"""An IAM Identity Center (SSO) user, end to end: `aws sso login` has cached a token, the
profile names an sso-session, and an unchanged boto 2 program runs with STSBOTO_PATCH_BOTO=1
and nothing else: no keys anywhere.

The portal and SSO OIDC are a loopback stand-in (tests/emulators.py ``sso_portal``,
through AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC); the role credentials it hands
out are a real assumed role's on moto, which checks every request under IAM enforcement.
"""
from __future__ import absolute_import, print_function, unicode_literals

import datetime
import hashlib
import io
import json
import os
import stat
import textwrap

import pytest

import stsboto
from stsboto.token import format_expiration, utcnow
from tests.emulators import sso_portal
from tests.integration import test_patch_scripts
from tests.integration.support import create_assumable_role
from tests.integration.test_patch_scripts import BUCKET, EXPECTED, ROLE_POLICY, _native

pytestmark = pytest.mark.integration

ACCOUNT, ROLE = '123456789012', 'ReportWriter'
CONFIG = '''
    [profile reports]
    sso_session = corp
    sso_account_id = %s
    sso_role_name = %s

    [sso-session corp]
    sso_start_url = https://corp.awsapps.com/start
    sso_region = eu-west-1
''' % (ACCOUNT, ROLE)


def test_unchanged_boto_program_with_an_sso_profile(server, child_env, admin_s3, iam, tmpdir):
    admin_s3.create_bucket(BUCKET)
    key, secret, role_arn = create_assumable_role(iam, 'reporter', 'report-job', ROLE_POLICY)
    server.enforce_iam()
    role = stsboto.assume_role(role_arn, 'sso-user', endpoint_url=server.endpoint_url,
                               aws_access_key_id=key, aws_secret_access_key=secret)
    home = tmpdir.mkdir('home')
    home.mkdir('.aws').join('config').write(textwrap.dedent(CONFIG))
    cache = home.join('.aws').mkdir('sso').mkdir('cache').join(
        hashlib.sha1(b'corp').hexdigest() + '.json')
    now = utcnow().replace(microsecond=0)
    # expired an hour ago: the child renews it with the refresh token first
    cache.write(json.dumps({
        'startUrl': 'https://corp.awsapps.com/start', 'region': 'eu-west-1',
        'accessToken': 'expired-access-token', 'expiresAt': format_expiration(
            now - datetime.timedelta(hours=1)),
        'refreshToken': 'refresh-token-1', 'clientId': 'client-1', 'clientSecret': 'client-secret-1',
        'registrationExpiresAt': format_expiration(now + datetime.timedelta(days=30))}))
    os.chmod(str(cache), 0o644)
    with sso_portal({(ACCOUNT, ROLE): [role]}, [], {'refresh-token-1': ('client-1', 'client-secret-1')},
                    expires_in=3600) as portal:
        env = dict(child_env)
        for name in list(env):
            if name.startswith(_native('AWS_')):
                del env[name]
        env.update((_native(k), _native(v)) for k, v in {
            'HOME': str(home), 'AWS_PROFILE': 'reports', 'AWS_REGION': 'us-east-1',
            'AWS_ENDPOINT_URL': server.endpoint_url,
            'AWS_ENDPOINT_URL_SSO': portal.url.rstrip('/'),
            'AWS_ENDPOINT_URL_SSO_OIDC': portal.url.rstrip('/'),
            'AWS_EC2_METADATA_DISABLED': 'true', 'STSBOTO_PATCH_BOTO': '1'}.items())
        server.start_recording()
        result, _ = test_patch_scripts.run('boto_user_story.py', env, BUCKET)
        server.stop_recording()
    assert result == EXPECTED
    test_patch_scripts.check_every_request_carried_the_token(server, role)
    # the child renewed the SSO token once (later chain walks read the renewed cache), then
    # bought the role's credentials with it (under the patch each new boto connection walks
    # the chain: one GetRoleCredentials per connection)
    calls = [(method, path.split('?')[0], headers.get('x-amz-sso_bearer_token'))
             for method, path, headers in portal.requests]
    assert calls[0] == ('POST', '/token', None)
    assert calls[1:] and set(calls[1:]) == {('GET', '/federation/credentials', 'renewed-access-token-1')}
    assert stat.S_IMODE(os.stat(str(cache)).st_mode) == 0o600
    with io.open(str(cache), encoding='utf-8') as stream:
        renewed = json.load(stream)
    assert (renewed['accessToken'], renewed['refreshToken']) == (
        'renewed-access-token-1', 'renewed-refresh-token-1')
