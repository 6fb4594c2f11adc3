"""S3 region redirects over real sockets on 127.0.0.1 (issue 17 item 6).

A stand-in S3 endpoint answers a request signed for the wrong region the way
S3 does (301 PermanentRedirect, 400 AuthorizationHeaderMalformed, 307, a bare
HEAD 400, each with or without ``x-amz-bucket-region``) and a request signed
for the bucket's region with 200.  A second server plays a foreign host that a
``Location`` names: it must never see a connection.  botocore's own
``S3RegionRedirectorv2`` is the oracle for which answers are redirects (py3).
"""
from __future__ import absolute_import, unicode_literals


import pytest

import stsboto
from stsboto import redirects
from stsboto.exceptions import RedirectRefusedError
from tests.factories import make_token
from tests.localhttp import scripted

import boto.connection  # noqa: E402
import boto.exception  # noqa: E402
import boto.s3.connection  # noqa: E402

MALFORMED = ('<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region is wrong'
             '</Message><Region>%s</Region></Error>')
PERMANENT = ('<Error><Code>PermanentRedirect</Code><Message>use the endpoint</Message>'
             '<Endpoint>photos.s3.eu-west-1.amazonaws.com</Endpoint></Error>')
ILLEGAL = ('<Error><Code>IllegalLocationConstraintException</Code><Message>opt-in region'
           '</Message></Error>')


def _region(headers):
    auth = headers.get('authorization', '')
    if 'Credential=' not in auth:
        return None
    return auth.split('Credential=')[1].split('/')[2]


def _answer_in(server, request):
    """S3 in ``server.region``: 200 to requests signed for it, ``server.wrong`` to the
    others (``(status, headers, body)``, or a callable of method and path giving one)."""
    if _region(request.headers) == server.region:
        return 200, 'hello'
    wrong = server.wrong(request.method, request.path) if callable(server.wrong) else server.wrong
    status, headers, body = wrong
    return status, body, headers


@pytest.fixture
def front():
    with scripted() as httpd:
        httpd.region, httpd.wrong = 'eu-west-1', (500, {}, '')
        httpd.script = [lambda request: _answer_in(httpd, request)]
        yield httpd


@pytest.fixture
def foreign():
    """A host a Location names: ``connections`` counts every connection it is offered."""
    with scripted([(200, '')]) as httpd:
        yield httpd


def _seen(front):
    return [(r.method, r.path, _region(r.headers)) for r in front.seen]


def _connect(front, **kwargs):
    return stsboto.connect_with_token(make_token(1), region='us-east-1',
                                      endpoint_url='http://127.0.0.1:%d' % front.server_port,
                                      retries=0, **kwargs)


def _regions(front):
    return [region for _, _, region in _seen(front)]


def test_permanent_redirect_is_resent_once_signed_for_the_bucket_region(front):
    front.wrong = (301, {'x-amz-bucket-region': 'eu-west-1'}, PERMANENT)
    conn = _connect(front)
    assert conn.get_bucket('photos').new_key('k').get_contents_as_string() == b'hello'
    assert _regions(front) == ['us-east-1', 'eu-west-1']
    # remembered for the connection: the next request goes to the bucket's region at once
    assert conn.get_bucket('photos').new_key('k2').get_contents_as_string() == b'hello'
    assert _regions(front) == ['us-east-1', 'eu-west-1', 'eu-west-1']
    assert redirects.for_connection(conn).regions == {'photos': 'eu-west-1'}


def test_authorization_header_malformed_names_the_region_in_its_body(front):
    front.region = 'eu-central-1'
    front.wrong = (400, {}, MALFORMED % 'eu-central-1')
    conn = _connect(front)
    assert conn.get_bucket('photos').new_key('k').get_contents_as_string() == b'hello'
    assert _regions(front) == ['us-east-1', 'eu-central-1']


def test_a_bare_head_400_with_the_region_header_is_redirected(front):
    front.wrong = (400, {'x-amz-bucket-region': 'eu-west-1'}, '')
    key = _connect(front).get_bucket('photos').get_key('k')
    assert key is not None
    assert [(m, r) for m, _, r in _seen(front)] == [('HEAD', 'us-east-1'), ('HEAD', 'eu-west-1')]


def test_no_region_anywhere_asks_head_bucket_once(front):
    def wrong(command, path):
        if command == 'HEAD':  # S3 puts the header on its HeadBucket answers
            return 301, {'x-amz-bucket-region': 'eu-west-1'}, ''
        return 301, {}, PERMANENT
    front.wrong = wrong
    assert _connect(front).get_bucket('photos').new_key('k').get_contents_as_string() == b'hello'
    assert _seen(front) == [('GET', '/photos/k', 'us-east-1'), ('HEAD', '/photos/', 'us-east-1'),
                            ('GET', '/photos/k', 'eu-west-1')]


def test_a_location_to_a_foreign_host_is_never_followed(front, foreign):
    location = 'http://127.0.0.1:%d/photos/k' % foreign.server_port
    front.wrong = (307, {'Location': location}, '')
    conn = _connect(front)
    with pytest.raises(RedirectRefusedError) as info:
        conn.get_bucket('photos').new_key('k').get_contents_as_string()
    assert location in str(info.value) and info.value.location == location
    assert foreign.connections == 0
    # the request, then one HeadBucket to the configured endpoint (no region found either)
    assert [m for m, _, _ in _seen(front)] == ['GET', 'HEAD']


def test_a_location_with_a_region_goes_to_the_configured_endpoint_not_the_location(front, foreign):
    location = 'http://127.0.0.1:%d/photos/k' % foreign.server_port
    front.wrong = (307, {'Location': location, 'x-amz-bucket-region': 'eu-west-1'}, '')
    conn = _connect(front)
    assert conn.get_bucket('photos').new_key('k').get_contents_as_string() == b'hello'
    assert _regions(front) == ['us-east-1', 'eu-west-1']
    assert foreign.connections == 0


def test_a_second_redirect_is_refused(front):
    front.region = 'ap-south-1'
    front.wrong = (301, {'x-amz-bucket-region': 'eu-west-1'}, PERMANENT)
    with pytest.raises(RedirectRefusedError) as info:
        _connect(front).get_bucket('photos').new_key('k').get_contents_as_string()
    assert 'second time' in str(info.value)
    assert _regions(front) == ['us-east-1', 'eu-west-1']


def test_create_bucket_is_not_redirected(front):
    front.wrong = (400, {}, ILLEGAL)
    with pytest.raises(boto.exception.S3ResponseError) as info:
        _connect(front).create_bucket('photos')
    assert info.value.error_code == 'IllegalLocationConstraintException'
    assert len(front.seen) == 1


def test_an_error_that_is_no_redirect_reaches_the_caller_untouched(front):
    front.wrong = (403, {}, '<Error><Code>AccessDenied</Code><Message>no</Message></Error>')
    with pytest.raises(boto.exception.S3ResponseError) as info:
        _connect(front).get_bucket('photos').new_key('k').get_contents_as_string()
    assert info.value.error_code == 'AccessDenied'
    assert len(front.seen) == 1


def _boto_s3(front):
    token = make_token(2)
    return boto.s3.connection.S3Connection(
        token.access_key, token.secret_key, security_token=token.session_token,
        host='127.0.0.1', port=front.server_port, is_secure=False,
        calling_format=boto.s3.connection.OrdinaryCallingFormat())


def test_unpatched_boto_follows_a_location_to_a_foreign_host(front, foreign):
    # the bug being fixed, shown on boto itself: the foreign host gets the signed request
    front.wrong = (307, {'Location': 'http://127.0.0.1:%d/photos/k' % foreign.server_port}, '')
    conn = _boto_s3(front)
    conn.get_bucket('photos', validate=False).new_key('k').get_contents_as_string()
    assert foreign.connections == 1


def test_patched_boto_does_not(front, foreign, patched):
    front.wrong = (307, {'Location': 'http://127.0.0.1:%d/photos/k' % foreign.server_port}, '')
    conn = _boto_s3(front)
    with pytest.raises(RedirectRefusedError):
        conn.get_bucket('photos', validate=False).new_key('k').get_contents_as_string()
    assert foreign.connections == 0


def test_patched_boto_follows_a_region_redirect(front, patched):
    front.wrong = (400, {}, MALFORMED % 'eu-west-1')
    conn = _boto_s3(front)
    assert conn.get_bucket('photos', validate=False).new_key('k').get_contents_as_string() == \
        b'hello'
    assert _regions(front) == ['us-east-1', 'eu-west-1']


def test_patched_non_s3_connections_follow_no_location(front, foreign, patched):
    import boto.sqs.connection
    from boto.regioninfo import RegionInfo
    front.wrong = (307, {'Location': 'http://127.0.0.1:%d/' % foreign.server_port}, '')
    token = make_token(3)
    conn = boto.sqs.connection.SQSConnection(
        token.access_key, token.secret_key, security_token=token.session_token,
        region=RegionInfo(name='us-east-1', endpoint='127.0.0.1'), port=front.server_port,
        is_secure=False)
    with pytest.raises(boto.exception.BotoServerError) as info:
        conn.get_all_queues()
    assert info.value.status == 307
    assert foreign.connections == 0
