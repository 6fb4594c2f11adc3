"""S3 region redirects over real sockets on 127.0.0.1 (issue 17 item 6).

A stand-in S3 endpoint answers a request signed for the wrong region the way
S3 does (301 PermanentRedirect, 400 AuthorizationHeaderMalformed, 307, a bare
HEAD 400, each with or without ``x-amz-bucket-region``) and a request signed
for the bucket's region with 200.  A second server plays a foreign host that a
``Location`` names: it must never see a connection.  botocore's own
``S3RegionRedirectorv2`` is the oracle for which answers are redirects (py3).
"""
from __future__ import absolute_import, unicode_literals

import sys

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


# -- AWS hosts: the partition's S3 endpoints, no other ------------------------------------

class _Answer(object):
    def __init__(self, status, headers=None, body=b''):
        self.status = status
        self.headers = dict((k.lower(), v) for k, v in (headers or {}).items())
        self.body = body

    def getheader(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def read(self):
        return self.body


def _aws_request(host, calling_format):
    token = make_token(4)
    conn = stsboto.connect_with_token(token, region='us-east-1', host=host,
                                      calling_format=calling_format)
    request = conn.build_base_http_request(
        'GET', calling_format.build_path_base('photos', 'k'),
        calling_format.build_auth_path('photos', 'k'),
        host=calling_format.build_host(conn.server_name(), 'photos'))
    return conn, request


@pytest.mark.parametrize('host, fmt, region, expected', [
    ('s3.amazonaws.com', 'path', 'eu-west-1', 's3.eu-west-1.amazonaws.com'),
    ('s3.amazonaws.com', 'virtual', 'eu-west-1', 'photos.s3.eu-west-1.amazonaws.com'),
    ('s3.eu-north-1.amazonaws.com', 'virtual', 'us-east-1', 'photos.s3.amazonaws.com'),
    ('s3.dualstack.us-west-2.amazonaws.com', 'path', 'eu-west-1',
     's3.dualstack.eu-west-1.amazonaws.com'),
    ('s3.cn-north-1.amazonaws.com.cn', 'path', 'cn-northwest-1', 's3.cn-northwest-1.amazonaws.com.cn'),
])
def test_aws_redirects_go_to_the_region_s3_endpoint(host, fmt, region, expected):
    calling_format = (boto.s3.connection.OrdinaryCallingFormat() if fmt == 'path'
                      else boto.s3.connection.SubdomainCallingFormat())
    conn, request = _aws_request(host, calling_format)
    answer = _Answer(301, {'x-amz-bucket-region': region,
                           'Location': 'http://evil.invalid/photos/k'}, PERMANENT.encode())
    assert redirects.for_connection(conn)(conn, request, answer, False) is True
    assert request.host == expected
    assert request.signing_region == region


@pytest.mark.parametrize('host, region', [
    ('s3.amazonaws.com', 'cn-north-1'),
    ('s3.cn-north-1.amazonaws.com.cn', 'us-east-1'),
    ('s3.us-gov-west-1.amazonaws.com', 'eu-west-1'),
])
def test_a_region_in_another_partition_is_refused(host, region):
    conn, request = _aws_request(host, boto.s3.connection.OrdinaryCallingFormat())
    before = request.host
    with pytest.raises(RedirectRefusedError) as info:
        redirects.for_connection(conn)(conn, request, _Answer(301, {'x-amz-bucket-region': region}),
                                       False)
    assert 'partition' in str(info.value)
    assert request.host == before


def test_a_region_that_is_not_one_is_refused():
    conn, request = _aws_request('s3.amazonaws.com', boto.s3.connection.OrdinaryCallingFormat())
    with pytest.raises(RedirectRefusedError):
        redirects.for_connection(conn)(
            conn, request, _Answer(301, {'x-amz-bucket-region': 'evil.invalid/x'}), False)


# -- botocore as the oracle of which answers are redirects --------------------------------

ORACLE_CASES = [
    # (operation, method, status, code, x-amz-bucket-region, Region in body)
    ('GetObject', 'GET', 301, 'PermanentRedirect', 'eu-west-1', None),
    ('GetObject', 'GET', 400, 'AuthorizationHeaderMalformed', None, 'eu-west-1'),
    ('GetObject', 'GET', 400, 'AuthorizationHeaderMalformed', None, None),
    ('GetObject', 'GET', 307, 'TemporaryRedirect', 'eu-west-1', None),
    ('GetObject', 'GET', 302, 'Found', 'eu-west-1', None),
    ('GetObject', 'GET', 400, 'IllegalLocationConstraintException', 'eu-west-1', None),
    ('CreateBucket', 'PUT', 400, 'IllegalLocationConstraintException', 'eu-west-1', None),
    ('GetObject', 'GET', 403, 'AccessDenied', 'eu-west-1', None),
    ('GetObject', 'GET', 400, 'InvalidArgument', 'eu-west-1', None),
    ('GetObject', 'GET', 404, 'NoSuchKey', 'eu-west-1', None),
    ('HeadBucket', 'HEAD', 400, '400', 'eu-west-1', None),
    ('HeadBucket', 'HEAD', 301, '301', 'eu-west-1', None),
    ('HeadBucket', 'HEAD', 403, '403', 'eu-west-1', None),
    ('HeadObject', 'HEAD', 301, '301', 'eu-west-1', None),
]


def _botocore_redirects(operation, status, code, header, body_region):
    from botocore.utils import S3RegionRedirectorv2

    class Endpoint(object):
        url = 'https://s3.eu-west-1.amazonaws.com'
        properties = {}

    class Resolver(object):
        def construct_endpoint(self, **kwargs):
            return Endpoint()

    class Client(object):
        _ruleset_resolver = Resolver()

    class Operation(object):
        name = operation

    class Http(object):
        status_code = status

    client = Client()
    redirector = S3RegionRedirectorv2(None, client)
    error = {'Code': code}
    if body_region:
        error['Region'] = body_region
    headers = {'x-amz-bucket-region': header} if header else {}
    request = {'url': 'https://s3.amazonaws.com/photos/k',
               'context': {'s3_redirect': {'bucket': 'photos', 'params': {'Bucket': 'photos'},
                                           'redirected': False}, 'signing': {}}}
    parsed = {'Error': error, 'ResponseMetadata': {'HTTPHeaders': headers}}
    return redirector.redirect_from_error(request, (Http(), parsed), Operation()) == 0


def _has_redirector_v2():
    try:
        from botocore.utils import S3RegionRedirectorv2  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.applies(sys.version_info[0] > 2 and _has_redirector_v2(),
                     reason='botocore with S3RegionRedirectorv2 (the oracle) is installed on py3.7+')
@pytest.mark.parametrize('case', ORACLE_CASES, ids=lambda case: '%s-%d-%s' % (case[0], case[2],
                                                                              case[3]))
def test_the_same_answers_are_redirects_as_for_botocore(case):
    import inspect
    from botocore.utils import S3RegionRedirectorv2
    operation, method, status, code, header, body_region = case
    expected = _botocore_redirects(operation, status, code, header, body_region)
    if code == 'IllegalLocationConstraintException' and \
            code not in inspect.getsource(S3RegionRedirectorv2):
        expected = operation != 'CreateBucket'  # the opt-in region rule came with later botocore
    conn, request = _aws_request('s3.amazonaws.com', boto.s3.connection.OrdinaryCallingFormat())
    request.method = method
    if operation == 'CreateBucket':
        request.auth_path = '/photos/'
    body = b''
    if method != 'HEAD':
        body = ('<Error><Code>%s</Code>%s</Error>' % (
            code, '<Region>%s</Region>' % body_region if body_region else '')).encode()
    answer = _Answer(status, {'x-amz-bucket-region': header} if header else {}, body)
    redirector = redirects.for_connection(conn)
    assert redirector(conn, request, answer, False) is expected
