"""Presigned URLs fetched from the local server, and token expiry with a real endpoint."""
from __future__ import absolute_import, print_function, unicode_literals

import datetime

import pytest
from six.moves.urllib import error as urlerror
from six.moves.urllib import request as urlrequest

import stsboto
from tests.factories import FakeClock
from tests.integration.support import ADMIN_KEY, ADMIN_SECRET

pytestmark = pytest.mark.integration
BUCKET = 'presign-photos'


def _fetch(url, method='GET', data=None):
    opener = urlrequest.build_opener(urlrequest.ProxyHandler({}))
    request = urlrequest.Request(url, data=data)
    if data is not None:  # urllib would say form-urlencoded, and moto would parse it as a form
        request.add_header('Content-Type', 'application/octet-stream')
    request.get_method = lambda: method
    response = opener.open(request, timeout=10)
    try:
        return response.getcode(), response.read()
    finally:
        response.close()


@pytest.fixture
def token(server, admin_s3):
    admin_s3.create_bucket(BUCKET)
    return stsboto.issue_token(bucket=BUCKET, name='presigner', endpoint_url=server.endpoint_url,
                               aws_access_key_id=ADMIN_KEY, aws_secret_access_key=ADMIN_SECRET)


def test_presigned_get_and_put_urls_work(server, token):
    conn = stsboto.connect_with_token(token, endpoint_url=server.endpoint_url)
    put_url = conn.generate_url(300, 'PUT', BUCKET, 'shared/report.txt')
    assert 'X-Amz-Security-Token=' in put_url
    status, _ = _fetch(put_url, 'PUT', b'made by a browser')
    assert status == 200
    get_url = conn.generate_url(300, 'GET', BUCKET, 'shared/report.txt')
    assert _fetch(get_url) == (200, b'made by a browser')


def test_presigned_sigv2_url_works(server, token, admin_s3):
    admin_s3.get_bucket(BUCKET).new_key('v2.txt').set_contents_from_string(b'legacy')
    conn = stsboto.connect_with_token(token, endpoint_url=server.endpoint_url, sigv4=False)
    url = conn.generate_url(300, 'GET', BUCKET, 'v2.txt')
    assert 'x-amz-security-token=' in url and 'Signature=' in url
    assert _fetch(url) == (200, b'legacy')


def test_plain_url_carries_no_token(server, token, admin_s3):
    admin_s3.get_bucket(BUCKET).new_key('public.txt').set_contents_from_string(
        b'open', policy='public-read')
    conn = stsboto.connect_with_token(token, endpoint_url=server.endpoint_url)
    url = conn.generate_url(300, 'GET', BUCKET, 'public.txt', query_auth=False)
    assert url == '%s/%s/public.txt' % (server.endpoint_url, BUCKET)
    assert token.session_token not in url
    assert _fetch(url) == (200, b'open')  # works without credentials: the object is public
    private = conn.generate_url(300, 'GET', BUCKET, 'v2.txt', query_auth=False)
    admin_s3.get_bucket(BUCKET).new_key('v2.txt').set_contents_from_string(b'private')
    with pytest.raises(urlerror.HTTPError) as info:
        _fetch(private)
    assert info.value.code == 403


def test_expired_token_is_refused_locally_with_no_request(server, token):
    clock = FakeClock('real')
    conn = stsboto.connect_with_token(token, endpoint_url=server.endpoint_url,
                                      time_fetcher=clock)
    bucket = conn.get_bucket(BUCKET)
    server.start_recording()
    # the token runs out between connecting and uploading
    clock.now = token.expiration + datetime.timedelta(seconds=1)
    with pytest.raises(stsboto.TokenExpiredError):
        bucket.new_key('late.txt').set_contents_from_string(b'too late')
    with pytest.raises(stsboto.TokenExpiredError):
        conn.generate_url(60, 'GET', BUCKET, 'late.txt')
    server.stop_recording()
    assert server.recorded_requests() == []


def test_refreshing_connection_keeps_an_upload_loop_running(server, admin_s3):
    admin_s3.create_bucket(BUCKET)
    issued = []

    def refresh():
        token = stsboto.issue_token(bucket=BUCKET, name='looper-%d' % len(issued),
                                    endpoint_url=server.endpoint_url,
                                    aws_access_key_id=ADMIN_KEY, aws_secret_access_key=ADMIN_SECRET)
        issued.append(token)
        return token

    clock = [stsboto.token.utcnow()]
    first = refresh()
    source = stsboto.RefreshableToken(first, refresh, time_fetcher=lambda: clock[0])
    conn = stsboto.connect_with_token(source, endpoint_url=server.endpoint_url)
    bucket = conn.get_bucket(BUCKET)
    server.start_recording()
    for i in range(6):
        if i == 3:  # jump into the mandatory window: the next request must refresh first
            clock[0] = first.expiration - datetime.timedelta(seconds=60)
        bucket.new_key('loop/%d.txt' % i).set_contents_from_string(b'x' * i)
    server.stop_recording()
    assert len(issued) == 2, 'exactly one refresh'
    puts = [r for r in server.recorded_requests() if r.get('method') == 'PUT']
    assert len(puts) == 6
    assert all(r.session_token for r in puts)
    sts_calls = [r for r in server.recorded_requests() if r.action == 'GetFederationToken']
    assert len(sts_calls) == 1
    assert sorted(k.name for k in admin_s3.get_bucket(BUCKET).list('loop/')) == [
        'loop/%d.txt' % i for i in range(6)]
