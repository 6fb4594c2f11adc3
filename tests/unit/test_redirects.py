"""stsboto.redirects: where an S3 region redirect may go, decided from the answer
alone (botocore as the oracle)."""
from __future__ import absolute_import, unicode_literals

import sys

import pytest

import stsboto
from stsboto import redirects
from stsboto.exceptions import RedirectRefusedError
from tests.factories import make_token

import boto.connection  # noqa: E402
import boto.exception  # noqa: E402
import boto.s3.connection  # noqa: E402

PERMANENT = ('<Error><Code>PermanentRedirect</Code><Message>use the endpoint</Message>'
             '<Endpoint>photos.s3.eu-west-1.amazonaws.com</Endpoint></Error>')


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
