"""Issue 18 item 1 against moto with IAM enforcement: what moto checks is the signature
(canonical headers by name) and the session token of an assumed role's keys."""
from __future__ import absolute_import, print_function, unicode_literals

import base64
import datetime
import pickle
import subprocess
import sys

import pytest

import stsboto
from stsboto._compat import UTC
from tests.integration.support import create_assumable_role
from tests.integration.test_patch_scripts import BUCKET, ROLE_POLICY, _native, role_env, run

pytestmark = pytest.mark.integration
__all__ = ['role_env']  # the fixture, used here too

UNPICKLE_AND_PUT = (
    'import base64, sys, stsboto.signing\n'
    'import pickle\n'
    'key = pickle.loads(base64.b64decode(sys.stdin.read()))\n'
    'key.set_contents_from_string(b"from the child")\n'
    'print("RESULT:" + key.bucket.connection.provider.access_key)\n')


def test_ranged_copy_and_prefixed_metadata_pass_enforcement(server, role_env):
    env, token = role_env
    server.start_recording()
    result, _ = run('copy_and_metadata.py', env, BUCKET)
    server.stop_recording()
    assert result == {'copied': 5 * 1024 * 1024 + 4, 'meta': ['one', 'two']}
    requests = server.recorded_requests()
    ranged = [r for r in requests if 'partNumber=1' in r.url and r.method == 'PUT']
    assert ranged, [r.url for r in requests]
    for request in requests:
        assert request.signature_version == 'v4', request.url
        assert request.session_token == token.session_token, request.url


def _child(env, data):
    process = subprocess.Popen([sys.executable, '-c', UNPICKLE_AND_PUT], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = process.communicate(base64.b64encode(data))
    out, err = out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')
    assert process.returncode == 0, 'child failed:\n%s\n%s' % (out, err)
    return out.split('RESULT:', 1)[1].strip()


def test_patched_key_pickled_here_signs_in_another_process(server, role_env, child_env, monkeypatch):
    env, token = role_env
    for name, value in token.to_env().items():
        monkeypatch.setenv(str(name), str(value))
    monkeypatch.delenv(str('AWS_SECURITY_TOKEN'), raising=False)
    monkeypatch.setenv(str('AWS_ENDPOINT_URL'), str(server.endpoint_url))
    stsboto.patch_boto()
    try:
        import boto
        key = boto.connect_s3().get_bucket(BUCKET, validate=False).new_key('pickled/patched.txt')
        data = pickle.dumps(key, 2)
    finally:
        stsboto.unpatch_boto()
    bare = dict(child_env)   # no credentials at all in the child: the pickle carries the keys
    server.start_recording()
    assert _child(bare, data) == token.access_key
    server.stop_recording()
    (request,) = server.recorded_requests()
    assert (request.method, request.session_token) == ('PUT', token.session_token)


@pytest.fixture
def two_tokens(server, child_env, admin_s3, iam):
    """Two assumed-role tokens of the same role (A and B), enforcement on."""
    admin_s3.create_bucket(BUCKET)
    key, secret, role_arn = create_assumable_role(iam, 'worker', 'pool-user', ROLE_POLICY)
    server.enforce_iam()
    first, second = [stsboto.assume_role(role_arn, name, endpoint_url=server.endpoint_url,
                                         aws_access_key_id=key, aws_secret_access_key=secret)
                     for name in ('parent', 'child')]
    assert first.access_key != second.access_key
    return first, second


def test_unpickled_connection_refreshes_through_the_chain_of_its_process(server, two_tokens, child_env):
    """A: the parent's token, in its last seconds when the child loads it; B: the
    child's own credentials (its environment).  The child signs with B."""
    first, second = two_tokens
    expiring = first.replace(expiration=datetime.datetime.now(UTC) + datetime.timedelta(seconds=4))
    key = stsboto.connect_with_token(expiring, endpoint_url=server.endpoint_url).get_bucket(
        BUCKET).new_key('pickled/refreshed.txt')
    data = pickle.dumps(key, 2)
    env = dict(child_env)
    env.update((_native(k), _native(v)) for k, v in second.to_env().items())
    server.start_recording()
    assert _child(env, data) == second.access_key
    server.stop_recording()
    (request,) = server.recorded_requests()
    assert (request.access_key, request.session_token) == (second.access_key, second.session_token)


def test_the_same_pickle_without_credentials_in_the_child_fails_clearly(server, two_tokens, child_env):
    """The control: with no credentials in the child's chain nothing is sent."""
    first, _ = two_tokens
    expiring = first.replace(expiration=datetime.datetime.now(UTC) + datetime.timedelta(seconds=4))
    key = stsboto.connect_with_token(expiring, endpoint_url=server.endpoint_url).get_bucket(
        BUCKET).new_key('pickled/refused.txt')
    data = pickle.dumps(key, 2)
    with pytest.raises(AssertionError) as caught:
        _child(dict(child_env), data)
    assert 'found no credentials' in str(caught.value)
