"""Every credential source against moto with IAM enforcement on: the chain finds
the credentials, names the source (``method``), and a request signed with them
succeeds; a source that serves credentials about to expire is refreshed and the
next request uses the new ones.

STS (AssumeRole, AssumeRoleWithWebIdentity) is moto; IMDS and the container
endpoint are the loopback emulators of tests/emulators.py.  Every address is
127.0.0.1.
"""
from __future__ import absolute_import, print_function, unicode_literals

import collections
import datetime
import io
import json
import os
import sys

import pytest

import stsboto
from stsboto.refresh import RefreshableToken
from stsboto.token import Token
from tests.emulators import container_endpoint, imds
from tests.factories import FakeClock
from tests.integration.support import create_assumable_role, create_user_with_keys, object_policy

pytestmark = pytest.mark.integration

BUCKET = 'photos'
Setup = collections.namedtuple('Setup', 'user_key user_secret role_arn static_key static_secret')


@pytest.fixture
def enforced(server, admin_s3, iam):
    """A role (Put/Get on BUCKET/*), a user who may assume it, a user with S3 rights of its own."""
    admin_s3.create_bucket(BUCKET)
    key, secret, role_arn = create_assumable_role(iam, 'app', 'app-user', object_policy(BUCKET))
    static_key, static_secret = create_user_with_keys(iam, 'static-user', {'s3': object_policy(BUCKET)})
    server.enforce_iam()
    return Setup(key, secret, role_arn, static_key, static_secret)


def assume(server, setup, name='session-1'):
    return stsboto.assume_role(setup.role_arn, name, endpoint_url=server.endpoint_url,
                               aws_access_key_id=setup.user_key, aws_secret_access_key=setup.user_secret)


def put_and_get(server, found, key='k.txt'):
    """A PUT and a GET under enforcement with what the chain found."""
    bucket = stsboto.connect_with_token(found, endpoint_url=server.endpoint_url).get_bucket(BUCKET)
    data = ('%s via %s' % (key, found.method)).encode('ascii')
    bucket.new_key(key).set_contents_from_string(data)
    assert bucket.new_key(key).get_contents_as_string() == data


def write(path, text):
    with io.open(str(path), 'w', encoding='utf-8') as stream:
        stream.write(text)
    os.chmod(str(path), 0o600)
    return str(path)


def test_env(server, enforced):
    token = assume(server, enforced)
    found = stsboto.find_token(environ=token.to_env())
    assert isinstance(found, Token) and found.method == 'env' and found == token.replace(arn=None)
    put_and_get(server, found)


@pytest.mark.parametrize('where, method', [('credentials', 'shared-credentials-file'),
                                           ('config', 'config-file'), ('boto', 'boto-config')])
def test_static_keys_in_files(server, enforced, isolated_environment, where, method):
    aws = isolated_environment.mkdir('.aws')
    keys = 'aws_access_key_id = %s\naws_secret_access_key = %s\n' % (enforced.static_key,
                                                                     enforced.static_secret)
    environ = {}
    if where == 'credentials':
        write(aws.join('credentials'), '[default]\n' + keys)
    elif where == 'config':
        write(aws.join('config'), '[default]\n' + keys)
    else:
        environ['BOTO_CONFIG'] = write(aws.join('boto'), '[Credentials]\n' + keys)
    found = stsboto.find_token(environ=environ)
    assert found.method == method
    put_and_get(server, found)


def test_assume_role_profile(server, enforced, isolated_environment):
    aws = isolated_environment.mkdir('.aws')
    write(aws.join('credentials'), '[app-user]\naws_access_key_id = %s\naws_secret_access_key = %s\n'
          % (enforced.user_key, enforced.user_secret))
    write(aws.join('config'), '[profile app]\nrole_arn = %s\nsource_profile = app-user\n'
          'role_session_name = from-profile\nduration_seconds = 900\n' % enforced.role_arn)
    environ = {'AWS_ENDPOINT_URL_STS': server.endpoint_url}
    found = stsboto.find_token('app', environ=environ)
    assert isinstance(found, RefreshableToken) and found.method == 'assume-role'
    put_and_get(server, found)
    assert found.token.arn == 'arn:aws:sts::123456789012:assumed-role/app/from-profile'
    assert found.token.method == 'assume-role'


def test_web_identity(server, enforced, tmpdir):
    token_file = write(tmpdir.join('jwt'), 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwb2QifQ.c2lnbmF0dXJl')
    environ = {'AWS_WEB_IDENTITY_TOKEN_FILE': token_file, 'AWS_ROLE_ARN': enforced.role_arn,
               'AWS_ROLE_SESSION_NAME': 'pod-1', 'AWS_ENDPOINT_URL_STS': server.endpoint_url}
    found = stsboto.find_token(environ=environ)
    assert found.method == 'assume-role-with-web-identity'
    # moto under enforcement answers an unsigned AssumeRoleWithWebIdentity only
    # within its unauthenticated allowance (docs FACTS): allow exactly that one call.
    server._post('/moto-api/reset-auth', b'1', 'text/plain')
    current = found.get()
    assert current.arn.endswith(':assumed-role/app/pod-1')
    put_and_get(server, found)


def test_credential_process(server, enforced, isolated_environment, tmpdir):
    token = assume(server, enforced)
    answer = write(tmpdir.join('answer.json'), token.to_json())
    helper = write(tmpdir.join('helper.py'), 'import sys\nsys.stdout.write(open(sys.argv[1]).read())\n')
    write(isolated_environment.mkdir('.aws').join('config'),
          '[default]\ncredential_process = "%s" "%s" "%s"\n' % (sys.executable, helper, answer))
    found = stsboto.find_token(environ={})
    assert isinstance(found, RefreshableToken) and found.method == 'custom-process'
    put_and_get(server, found)


def test_container_credentials(server, enforced):
    token = assume(server, enforced)
    with container_endpoint([token], authorization='Bearer task') as endpoint:
        found = stsboto.find_token(environ={
            'AWS_CONTAINER_CREDENTIALS_FULL_URI': endpoint.url + 'v2/credentials/task',
            'AWS_CONTAINER_AUTHORIZATION_TOKEN': 'Bearer task'})
        assert found.method == 'container-role'
        put_and_get(server, found)


def test_instance_metadata_refresh_across_expiry(server, enforced, monkeypatch):
    """IMDS serves credentials that expire in 2 minutes, then new ones: after the
    first expire (fake clock), the next request is signed with the new ones."""
    monkeypatch.delenv(str('AWS_EC2_METADATA_DISABLED'))
    clock = FakeClock('real')
    first = assume(server, enforced, 'first').replace(
        expiration=clock.now + datetime.timedelta(minutes=2), arn=None)
    second = assume(server, enforced, 'second').replace(arn=None)
    with imds([first, second]) as metadata:
        found = stsboto.find_token(environ={'AWS_EC2_METADATA_SERVICE_ENDPOINT': metadata.url},
                                   time_fetcher=clock)
        assert found.method == 'iam-role' and found.token == first
        metadata.rotate()
        clock.advance(3 * 60)            # the first credentials have expired
        server.start_recording()
        put_and_get(server, found, 'after-expiry.txt')
        server.stop_recording()
        assert metadata.served == 2
    assert found.token == second and found.token.method == 'iam-role'
    requests = server.recorded_requests()
    assert requests and all(r.access_key == second.access_key for r in requests)
    assert all(r.session_token == second.session_token for r in requests)


def test_credentials_never_reach_the_debug_log(server, enforced, caplog, tmpdir):
    import logging
    caplog.set_level(logging.DEBUG)
    token = assume(server, enforced)
    with container_endpoint([token]) as endpoint:
        found = stsboto.find_token(environ={'AWS_CONTAINER_CREDENTIALS_FULL_URI': endpoint.url})
        found.get()
    text = '\n'.join(r.getMessage() for r in caplog.records if r.name.startswith('stsboto'))
    assert token.secret_key not in text and token.session_token not in text
    assert json.loads(token.to_json())['SecretAccessKey'] == token.secret_key
