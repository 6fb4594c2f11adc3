"""With moto's IAM enforcement on: what a token may do, and what is refused.

moto checks the SigV4 signature (with boto, that needs stsboto's S3 signer
fixes), the session token of assumed-role keys, and the policies of the
assumed ROLE.  It does not check session policies, so every grant here comes
from a role policy (see stsboto.local.LocalServer.enforce_iam).

Setup (buckets, user, role) happens before enforcement is turned on.
"""
from __future__ import absolute_import, print_function, unicode_literals

import collections
import json

import pytest
import six

import stsboto
from tests.integration.support import (create_assumable_role, create_user_with_keys, object_policy,
                                       sample_bytes)

from boto.exception import S3ResponseError  # noqa: E402  (after stsboto)

pytestmark = pytest.mark.integration

BUCKET = 'photos'
OTHER = 'other-bucket'

Setup = collections.namedtuple('Setup', 'user_key user_secret role_arn')


@pytest.fixture
def enforced(server, admin_s3, iam):
    """Buckets, a user that may assume a role, the role (Put/Get on BUCKET/*), then enforcement."""
    admin_s3.create_bucket(BUCKET)
    admin_s3.create_bucket(OTHER)
    key, secret, role_arn = create_assumable_role(iam, 'uploader', 'job-user', object_policy(BUCKET))
    server.enforce_iam()
    return Setup(key, secret, role_arn)


def assume(server, setup, **kwargs):
    return stsboto.assume_role(setup.role_arn, 'job-1', endpoint_url=server.endpoint_url,
                               aws_access_key_id=setup.user_key,
                               aws_secret_access_key=setup.user_secret, **kwargs)


def refused(call):
    """The S3ResponseError ``call`` raises (the test fails if it does not)."""
    with pytest.raises(S3ResponseError) as info:
        call()
    return info.value


def test_assumed_role_token_puts_and_gets(server, enforced):
    token = assume(server, enforced)
    assert token.arn == 'arn:aws:sts::123456789012:assumed-role/uploader/job-1'
    assert token.access_key.startswith('ASIA')

    bucket = stsboto.connect_with_token(token, endpoint_url=server.endpoint_url).get_bucket(BUCKET)
    bucket.new_key('job-1/data.bin').set_contents_from_string(sample_bytes())
    assert bucket.new_key('job-1/data.bin').get_contents_as_string() == sample_bytes()


def test_enforcement_is_real(server, enforced):
    """The same requests signed with keys moto does not know are refused (so a
    pass above means the token was checked, not ignored)."""
    stranger = stsboto.s3.connect_to_region('us-east-1', aws_access_key_id='AKIASTRANGER00000000',
                                            aws_secret_access_key='stranger-secret',
                                            endpoint_url=server.endpoint_url)
    error = refused(lambda: stranger.get_bucket(BUCKET).new_key('x').set_contents_from_string(b'x'))
    assert (error.status, error.error_code) == (403, 'InvalidAccessKeyId')


def test_same_keys_without_the_token_are_refused(server, enforced):
    token = assume(server, enforced)
    no_token = stsboto.s3.connect_to_region('us-east-1', aws_access_key_id=token.access_key,
                                            aws_secret_access_key=token.secret_key,
                                            endpoint_url=server.endpoint_url)
    server.start_recording()
    error = refused(lambda: no_token.get_bucket(BUCKET).new_key('x').set_contents_from_string(b'x'))
    server.stop_recording()
    assert (error.status, error.error_code) == (403, 'InvalidAccessKeyId')
    [request] = server.recorded_requests()
    assert request.session_token is None
    assert request.access_key == token.access_key


def test_wrong_token_is_refused(server, enforced):
    token = assume(server, enforced)
    forged = token.replace(session_token=token.session_token[:-8] + 'AAAAAAAA')
    assert forged.session_token != token.session_token
    bucket = stsboto.connect_with_token(forged, endpoint_url=server.endpoint_url).get_bucket(BUCKET)
    error = refused(lambda: bucket.new_key('x').set_contents_from_string(b'x'))
    assert (error.status, error.error_code) == (400, 'InvalidToken')


def test_actions_outside_the_role_policy_are_refused(server, enforced):
    token = assume(server, enforced)
    conn = stsboto.connect_with_token(token, endpoint_url=server.endpoint_url)
    bucket = conn.get_bucket(BUCKET)
    bucket.new_key('keep.txt').set_contents_from_string(b'keep')

    error = refused(lambda: bucket.delete_key('keep.txt'))
    assert (error.status, error.error_code) == (403, 'AccessDenied')
    other = conn.get_bucket(OTHER)
    error = refused(lambda: other.new_key('x').set_contents_from_string(b'x'))
    assert (error.status, error.error_code) == (403, 'AccessDenied')
    # still there: the refused delete did nothing
    assert bucket.new_key('keep.txt').get_contents_as_string() == b'keep'


def test_bucket_scoped_token_uploads_without_list_permission(server, enforced):
    token = assume(server, enforced)
    conn = stsboto.connect_with_token(token, endpoint_url=server.endpoint_url)
    # the token really lacks s3:ListBucket: boto's validating get_bucket fails ...
    error = refused(lambda: conn.get_bucket(BUCKET, validate=True))
    assert error.status == 403
    # ... and stsboto's get_bucket sends nothing, so the upload is the only request
    server.start_recording()
    conn.get_bucket(BUCKET).new_key('up.txt').set_contents_from_string(b'up')
    server.stop_recording()
    assert [(r.method, r.path) for r in server.recorded_requests()] == [
        ('PUT', '/%s/up.txt' % BUCKET)]


def test_assume_role_with_a_session_policy_signs_correctly(server, enforced):
    """A session policy is sent as compact JSON, which keeps the SigV4 signature
    valid through moto's re-encoding of the form body; moto then ignores the
    session policy itself (it enforces only the role's policies)."""
    session_policy = object_policy(BUCKET, actions=['s3:GetObject'])
    token = assume(server, enforced, policy=json.dumps(session_policy, indent=2))
    bucket = stsboto.connect_with_token(token, endpoint_url=server.endpoint_url).get_bucket(BUCKET)
    bucket.new_key('p.txt').set_contents_from_string(b'p')  # moto: allowed by the role
    assert bucket.new_key('p.txt').get_contents_as_string() == b'p'


def test_issuer_policy_lets_the_issuer_issue(server, admin_s3, iam):
    """A user with stsboto.issuer_policy may call GetFederationToken; one without may not."""
    admin_s3.create_bucket(BUCKET)
    key, secret = create_user_with_keys(iam, 'issuer', {'issuer': stsboto.issuer_policy(BUCKET)})
    other_key, other_secret = create_user_with_keys(iam, 'nobody')
    server.enforce_iam()

    token = stsboto.issue_token(bucket=BUCKET, name='uploader-42', endpoint_url=server.endpoint_url,
                                aws_access_key_id=key, aws_secret_access_key=secret)
    assert token.arn.endswith(':federated-user/uploader-42')
    with pytest.raises(stsboto.TokenIssueError) as info:
        stsboto.issue_token(bucket=BUCKET, name='uploader-42', endpoint_url=server.endpoint_url,
                            aws_access_key_id=other_key, aws_secret_access_key=other_secret)
    assert (info.value.status, info.value.code) == (403, 'AccessDenied')


# -- issue 9: "/" in query strings, boto's own S3Connection, refresh mid-upload --------

def bucket_policy_for_role(bucket):
    """Objects and listing of ``bucket`` (and multipart uploads there), nothing else."""
    return {'Version': '2012-10-17', 'Statement': [
        {'Effect': 'Allow', 'Action': 's3:*', 'Resource': 'arn:aws:s3:::%s/*' % bucket},
        {'Effect': 'Allow', 'Action': ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
         'Resource': 'arn:aws:s3:::%s' % bucket}]}


@pytest.fixture
def lister(server, admin_s3, iam):
    """Keys under a/ in BUCKET, a role that may list and write BUCKET, then enforcement."""
    bucket = admin_s3.create_bucket(BUCKET)
    for name in ('a/1.txt', 'a/b/2.txt', 'top.txt'):
        bucket.new_key(name).set_contents_from_string(name.encode('ascii'))
    key, secret, role_arn = create_assumable_role(iam, 'lister', 'list-user',
                                                  bucket_policy_for_role(BUCKET))
    server.enforce_iam()
    return Setup(key, secret, role_arn)


def _listing(bucket, prefix='a/', delimiter='/'):
    found = bucket.get_all_keys(prefix=prefix, delimiter=delimiter)
    return sorted(item.name for item in found)


def test_listing_with_slash_prefix_and_delimiter_under_enforcement(server, lister):
    token = assume(server, lister)
    conn = stsboto.connect_with_token(token, endpoint_url=server.endpoint_url)
    bucket = conn.get_bucket(BUCKET)
    assert _listing(bucket, prefix='a', delimiter=None) == ['a/1.txt', 'a/b/2.txt']
    # moto 5.2.1 refused this (and botocore's own listing); the tools pin 5.2.5
    # (tests/tools-requirements.txt).  What goes on the wire: tests/functional/test_wire.py.
    assert _listing(bucket) == ['a/1.txt', 'a/b/']


def _plain_boto(server, token):
    import boto.s3.connection
    return boto.s3.connection.S3Connection(
        token.access_key, token.secret_key, security_token=token.session_token,
        host='127.0.0.1', port=server.port, is_secure=False,
        calling_format=boto.s3.connection.OrdinaryCallingFormat())


def test_boto_s3connection_with_the_signing_fixes_lists_puts_and_gets(server, lister):
    from stsboto import signing
    token = assume(server, lister)
    conn = signing.fix_s3_connection(_plain_boto(server, token), region='us-east-1')
    bucket = conn.get_bucket(BUCKET, validate=False)
    assert _listing(bucket, prefix='a', delimiter=None) == ['a/1.txt', 'a/b/2.txt']
    bucket.new_key('a/new.bin').set_contents_from_string(sample_bytes())
    assert bucket.get_key('a/new.bin').get_contents_as_string() == sample_bytes()


@pytest.fixture
def small_parts_server(monkeypatch):
    """A second moto server whose multipart parts may be small (S3_UPLOAD_PART_MIN_SIZE),
    so that a 16-thread upload has many parts without hundreds of MiB."""
    from stsboto.local import LocalServer
    monkeypatch.setenv(str('S3_UPLOAD_PART_MIN_SIZE'), str('1024'))
    server = LocalServer()
    try:
        server.start()
    except stsboto.StsbotoError as error:
        pytest.fail('could not start a second moto server: %s' % error, pytrace=False)
    try:
        yield server
    finally:
        server.stop()


def _setup_on(server):
    import boto.iam.connection
    from tests.integration.support import ADMIN_KEY, ADMIN_SECRET
    stsboto.s3.connect_to_region('us-east-1', aws_access_key_id=ADMIN_KEY,
                                 aws_secret_access_key=ADMIN_SECRET,
                                 endpoint_url=server.endpoint_url).create_bucket(BUCKET)
    iam = boto.iam.connection.IAMConnection(ADMIN_KEY, ADMIN_SECRET, host='127.0.0.1',
                                            port=server.port, is_secure=False)
    iam.auth_region_name, iam.auth_service_name = 'us-east-1', 'iam'
    key, secret, role_arn = create_assumable_role(iam, 'uploader', 'up-user',
                                                  bucket_policy_for_role(BUCKET))
    server.enforce_iam()
    return Setup(key, secret, role_arn)


def test_refresh_in_the_middle_of_a_16_thread_multipart_upload(small_parts_server, monkeypatch):
    """16 threads upload the 64 parts of one object over one connection while its
    token is refreshed twice: moto checks every signature and session token, so
    no refusal means no request was signed with a mix of two tokens; the
    headers boto sent are checked against the token each request names, too."""
    import threading
    import boto.connection
    from six.moves import queue
    from tests.factories import FakeClock

    server = small_parts_server
    setup = _setup_on(server)
    issued = []

    def refresh():
        token = assume(server, setup)
        issued.append(token)
        return token

    clock = FakeClock('real')
    first = refresh()
    source = stsboto.RefreshableToken(first, refresh, time_fetcher=clock)
    conn = stsboto.connect_with_token(source, endpoint_url=server.endpoint_url, time_fetcher=clock)
    sent, lock = [], threading.Lock()
    authorize = boto.connection.HTTPRequest.authorize

    def recording_authorize(request, connection, **kwargs):
        authorize(request, connection, **kwargs)
        if connection is not conn:
            return  # the refreshes' own STS calls
        with lock:
            sent.append((request.headers.get('Authorization'),
                         request.headers.get('X-Amz-Security-Token')))

    monkeypatch.setattr(boto.connection.HTTPRequest, 'authorize', recording_authorize)
    parts, size = 64, 64 * 1024
    upload = conn.get_bucket(BUCKET).initiate_multipart_upload('big/object.bin')
    todo, done, errors = queue.Queue(), [], []
    for number in range(1, parts + 1):
        todo.put(number)

    def worker():
        while True:
            try:
                number = todo.get_nowait()
            except queue.Empty:
                return
            try:
                upload.upload_part_from_file(six.BytesIO(_part(number, size)), part_num=number)
            except Exception as error:
                errors.append(error)
                return
            with lock:
                done.append(number)
                if len(done) in (16, 40):
                    # into the current token's mandatory window: the next attempt refreshes
                    clock.now = source.token.expiration - source.mandatory_window / 2

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    upload.complete_upload()
    assert len(issued) == 3, 'one refresh per jump, shared by the 16 threads'
    by_key = dict((token.access_key, token) for token in issued)
    used = set()
    for authorization, session_token in sent:
        access_key = authorization.split('Credential=')[1].split('/')[0]
        assert session_token == by_key[access_key].session_token  # never a mix
        used.add(access_key)
    assert used == set(by_key) and len(sent) >= parts + 2
    key = conn.get_bucket(BUCKET).get_key('big/object.bin')
    assert key.size == parts * size


def _part(number, size):
    return (b'%04d' % number) * (size // 4)
