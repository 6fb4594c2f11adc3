"""Zero code change: unchanged boto 2 programs, STSBOTO_PATCH_BOTO=1, an assumed role's
credentials in the environment only, moto with IAM enforcement on.

moto then checks every request's SigV4 signature and the session token of the
role's keys (a request without AWS_SESSION_TOKEN's token is refused), so each
pass here means boto itself sent the token, signed right, for S3, SQS, SNS and DynamoDB.
"""
from __future__ import absolute_import, print_function, unicode_literals

import json
import os
import subprocess
import sys

import pytest

import stsboto
from tests.integration.support import create_assumable_role
from tests import processes

pytestmark = pytest.mark.integration

SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'patch_scripts')
BUCKET = 'legacy-reports'
ROLE_POLICY = {'Version': '2012-10-17', 'Statement': [{
    'Effect': 'Allow', 'Action': ['s3:*', 'sqs:*', 'sns:*', 'dynamodb:*'], 'Resource': '*'}]}


def _native(text):
    return text if isinstance(text, str) else text.encode('utf-8')


@pytest.fixture
def role_env(server, child_env, admin_s3, iam):
    """A child environment holding only an assumed role's credentials, enforcement on."""
    admin_s3.create_bucket(BUCKET)
    key, secret, role_arn = create_assumable_role(iam, 'reporter', 'report-job', ROLE_POLICY)
    server.enforce_iam()
    token = stsboto.assume_role(role_arn, 'nightly', endpoint_url=server.endpoint_url,
                                aws_access_key_id=key, aws_secret_access_key=secret)
    env = dict(child_env)
    env.update((_native(k), _native(v)) for k, v in token.to_env().items())
    env.pop(_native('AWS_SECURITY_TOKEN'), None)  # only the modern name, which boto ignores
    env[_native('AWS_ENDPOINT_URL')] = _native(server.endpoint_url)
    env[_native('AWS_REGION')] = _native('us-east-1')
    env[_native('STSBOTO_PATCH_BOTO')] = _native('1')
    return env, token


def run(script, env, *args, **kwargs):
    command = [sys.executable] + list(kwargs.get('python_flags', ())) + [
        os.path.join(SCRIPTS, script)] + list(args)
    process = processes.popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = process.communicate()
    out, err = out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')
    assert process.returncode == 0, 'script failed:\n%s\n%s' % (out, err)
    return json.loads(out.split('RESULT:', 1)[1]), err


EXPECTED = {
    'get': 'first quarter',
    'list': ['reports/2026/q1.txt', 'reports/2026/q2.txt'],
    'dirs': ['reports/2025/', 'reports/2026/'],
    'bare': 'last year',
    'sqs': ['render q1'],
    'sns': True,
    'dynamodb': 'rendered',
}


def check_every_request_carried_the_token(server, token):
    requests = server.recorded_requests()
    services = set(r.service for r in requests)
    assert {'s3', 'sqs', 'sns', 'dynamodb'} <= services, services
    for request in requests:
        assert request.signature_version == 'v4', request.url
        assert request.access_key == token.access_key, request.url
        assert request.session_token == token.session_token, request.url
    return requests


def test_unchanged_boto_program_with_role_credentials_from_the_environment(server, role_env):
    env, token = role_env
    server.start_recording()
    result, _ = run('boto_user_story.py', env, BUCKET)
    server.stop_recording()
    assert result == EXPECTED
    requests = check_every_request_carried_the_token(server, token)
    # the SQS calls went as POST, as the AWS SDKs send them
    assert all(r.method == 'POST' for r in requests if r.service == 'sqs')


def test_without_the_patch_boto_drops_the_session_token(server, role_env):
    """The control: boto alone drops AWS_SESSION_TOKEN (boto issue 3298), so the pass above
    is the patch's doing."""
    env, _ = role_env
    env.pop(_native('STSBOTO_PATCH_BOTO'))
    command = [sys.executable, '-c', 'import stsboto, boto\n'
               'conn = boto.connect_s3(host="127.0.0.1", port=%d, is_secure=False)\n'
               'conn.auth_region_name = "us-east-1"\n'
               'print(conn.provider.security_token)' % server.port]
    out = processes.check_output(command, env=env).decode('utf-8')
    assert out.strip() == 'None'


@pytest.mark.applies(sys.version_info >= (3, 12), reason='the warning exists on Python 3.12+ only')
def test_user_story_runs_under_error_on_deprecation_warnings(server, role_env):
    env, token = role_env
    server.start_recording()
    result, err = run('boto_user_story.py', env, BUCKET,
                      python_flags=['-W', 'error::DeprecationWarning'])
    server.stop_recording()
    assert result == EXPECTED
    assert 'DeprecationWarning' not in err
    check_every_request_carried_the_token(server, token)


# -- a real third-party boto 2 consumer, unmodified: django-storages 1.8
# (storages/backends/s3boto.py) with Django 3.2.  It builds boto's
# S3Connection itself; boto would sign with SigV2, which moto refuses under
# enforcement: the patch gives that connection SigV4 and stsboto's S3 signer.
# tox installs the two on Python 3.6-3.12 (Django 3.2 needs cgi, gone in 3.13).

django_storages = pytest.mark.applies(
    (3, 6) <= sys.version_info < (3, 13),
    reason='django-storages 1.8 with Django 3.2 installs on Python 3.6-3.12 only')


@django_storages
def test_django_storages_s3boto_unmodified(server, role_env):
    import storages  # noqa: F401  (tox installs it here: fail, never skip, when it is missing)
    env, token = role_env
    env.pop(_native('AWS_ENDPOINT_URL'))  # the app's settings name the endpoint
    server.start_recording()
    result, _ = run('django_storage.py', env, BUCKET, str(server.port))
    server.stop_recording()
    assert result == {'saved': 'uploads/report 1.txt', 'content': 'quarterly numbers',
                      'exists': True, 'missing': False,
                      'listdir': [[], ['report 1.txt']], 'url_has_token': True}
    requests = server.recorded_requests()
    assert requests
    for request in requests:
        assert request.signature_version == 'v4', request.url
        assert request.session_token == token.session_token, request.url


@django_storages
def test_the_same_django_app_without_the_patch_is_refused(server, role_env, tmpdir):
    env, _ = role_env
    config = tmpdir.join('boto.cfg')
    config.write('[Boto]\nnum_retries = 0\n')  # moto answers SigV2 with a 500: no retries
    env[_native('BOTO_CONFIG')] = _native(str(config))
    env.pop(_native('AWS_ENDPOINT_URL'))
    env.pop(_native('STSBOTO_PATCH_BOTO'))
    with pytest.raises(AssertionError) as info:
        run('django_storage.py', env, BUCKET, str(server.port))
    assert 'script failed' in str(info.value)


@pytest.mark.applies(sys.version_info[0] >= 3, reason='botocore (the reference client) is in the py3 envs')
def test_the_server_accepts_a_botocore_listing_with_a_slash_prefix(server, role_env):
    """The oracle for the listings above: under enforcement moto 5.2.1 refuses
    botocore's own ListObjects with ``Prefix='reports/'`` (SignatureDoesNotMatch;
    seen for prefixes holding ``/``, ``:`` or ``,``), 5.2.5 accepts it.  When this
    fails, the server is too old, not the client."""
    import botocore.session
    _, token = role_env
    client = botocore.session.get_session().create_client(
        's3', region_name='us-east-1', endpoint_url=server.endpoint_url,
        aws_access_key_id=token.access_key, aws_secret_access_key=token.secret_key,
        aws_session_token=token.session_token)
    assert client.list_objects(Bucket=BUCKET, Prefix='reports/')['ResponseMetadata'][
        'HTTPStatusCode'] == 200
