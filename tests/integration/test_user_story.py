"""The README's user story over real HTTP: issue a scoped token, hand it over as
JSON, upload and read back with it; and what went over the wire while doing so.

IAM enforcement is off here (moto accepts any keys), so these tests are about
what stsboto sends; test_iam_enforced.py is about what a server refuses.
"""
from __future__ import absolute_import, print_function, unicode_literals

import pytest

import stsboto
from tests.integration.support import ADMIN_KEY, ADMIN_SECRET, sample_bytes

pytestmark = pytest.mark.integration

BUCKET = 'photos'
KEY = 'uploads/uploader-42/cat.bin'


def issue(server, **kwargs):
    kwargs.setdefault('bucket', BUCKET)
    return stsboto.issue_token(name='uploader-42', duration=900, endpoint_url=server.endpoint_url,
                               aws_access_key_id=ADMIN_KEY, aws_secret_access_key=ADMIN_SECRET,
                               **kwargs)


def test_user_story_upload_and_read_back(server, admin_s3, tmpdir):
    admin_s3.create_bucket(BUCKET)
    token = issue(server)
    token_json = token.to_json()  # what the issuing service hands to the client

    conn = stsboto.connect_with_token(token_json, endpoint_url=server.endpoint_url)
    bucket = conn.get_bucket(BUCKET)
    source = tmpdir.join('cat.bin')
    source.write_binary(sample_bytes())
    bucket.new_key(KEY).set_contents_from_filename(str(source))

    target = tmpdir.join('back.bin')
    bucket.new_key(KEY).get_contents_to_filename(str(target))
    assert target.read_binary() == sample_bytes()
    # and the admin, with its own keys, sees the same object
    assert admin_s3.get_bucket(BUCKET).get_key(KEY).get_contents_as_string() == sample_bytes()
    assert token.arn == 'arn:aws:sts::123456789012:federated-user/uploader-42'


def test_user_story_requests_on_the_wire(server, admin_s3):
    admin_s3.create_bucket(BUCKET)
    server.start_recording()  # after the admin's setup

    token = issue(server)
    conn = stsboto.connect_with_token(token.to_json(), endpoint_url=server.endpoint_url)
    bucket = conn.get_bucket(BUCKET)
    bucket.new_key(KEY).set_contents_from_string(b'hello')
    assert bucket.new_key(KEY).get_contents_as_string() == b'hello'
    server.stop_recording()

    requests = server.recorded_requests()
    summary = [(r.method, r.path, r.service, r.access_key) for r in requests]
    # one STS request (signed by the issuer), one per object operation (signed by the token)
    assert summary == [
        ('POST', '/', 'sts', ADMIN_KEY),
        ('PUT', '/%s/%s' % (BUCKET, KEY), 's3', token.access_key),
        ('GET', '/%s/%s' % (BUCKET, KEY), 's3', token.access_key),
    ]
    assert requests[0].action == 'GetFederationToken'
    assert requests[0].session_token is None
    for request in requests[1:]:
        assert request.session_token == token.session_token
        assert request.signature_version == 'v4'


def test_get_bucket_sends_no_request(server, admin_s3):
    admin_s3.create_bucket(BUCKET)
    token = issue(server)
    conn = stsboto.connect_with_token(token, endpoint_url=server.endpoint_url)
    server.start_recording()
    bucket = conn.get_bucket(BUCKET)
    server.stop_recording()
    assert server.recorded_requests() == []
    assert bucket.name == BUCKET

    # the recorder does see requests (so the empty list above means something)
    server.start_recording()
    conn.get_bucket(BUCKET, validate=True)
    server.stop_recording()
    assert [(r.method, r.path) for r in server.recorded_requests()] in (
        [('HEAD', '/%s/' % BUCKET)], [('GET', '/%s/' % BUCKET)])


def test_every_token_request_carries_the_token(server, admin_s3):
    """Bucket and multi-request operations too, not only single PUT/GET."""
    admin_s3.create_bucket(BUCKET)
    token = issue(server, actions=['s3:PutObject', 's3:GetObject', 's3:DeleteObject',
                                   's3:ListBucket'])
    conn = stsboto.connect_with_token(token, endpoint_url=server.endpoint_url)
    server.start_recording()
    bucket = conn.get_bucket(BUCKET)
    bucket.new_key('a.txt').set_contents_from_string(b'a')
    assert [k.name for k in bucket.list()] == ['a.txt']
    bucket.copy_key('b.txt', BUCKET, 'a.txt')
    bucket.delete_key('a.txt')
    server.stop_recording()

    requests = server.recorded_requests()
    assert len(requests) == 4
    assert all(r.session_token == token.session_token for r in requests)
    assert all(r.access_key == token.access_key for r in requests)
