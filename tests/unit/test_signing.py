"""stsboto.signing on boto's own connections: the S3 fixes, generate_url, snapshots."""
from __future__ import absolute_import, unicode_literals

import datetime
import threading
import time

import pytest
import six

import stsboto
from stsboto import signing
from stsboto._compat import UTC
from tests.factories import SECRETS, FakeClock, make_token

import boto.auth  # noqa: E402
import boto.connection  # noqa: E402
import boto.s3.connection  # noqa: E402
import boto.sqs.connection  # noqa: E402
from boto.regioninfo import RegionInfo  # noqa: E402

REAL = make_token(serial=1)


def plain_s3(token=REAL, host='127.0.0.1', port=9000, **kwargs):
    """boto's own S3Connection, as a program built on boto makes it."""
    return boto.s3.connection.S3Connection(
        aws_access_key_id=token.access_key, aws_secret_access_key=token.secret_key,
        security_token=token.session_token, host=host, port=port, is_secure=False,
        calling_format=boto.s3.connection.OrdinaryCallingFormat(), **kwargs)


def signed(conn, method='GET', path='/photos/k', headers=None):
    request = conn.build_base_http_request(method, path, path, headers=dict(headers or {}),
                                           host=conn.server_name())
    request.authorize(connection=conn)
    return request


def header_values(request, name):
    return [v for k, v in request.headers.items() if k.lower() == name]


# -- / and other reserved characters in query strings ----------------------------

@pytest.mark.parametrize('path, sent', [
    ('/photos/?prefix=a/&delimiter=/', '/photos/?prefix=a%2F&delimiter=%2F'),
    ('/photos/?prefix=a%2F', '/photos/?prefix=a%2F'),                 # already right: unchanged
    ('/photos/?prefix=a%20b%2Bc', '/photos/?prefix=a%20b%2Bc'),
    ('/photos/?prefix=a+b', '/photos/?prefix=a%20b'),                 # signed as a form: + is a space
    ('/photos/?prefix=x:y,z=', '/photos/?prefix=x%3Ay%2Cz%3D'),
    ('/photos/k?uploads', '/photos/k?uploads'),                       # no value: no "="
    ('/photos/k?partNumber=3&uploadId=a.b-c_d~e', '/photos/k?partNumber=3&uploadId=a.b-c_d~e'),
    ('/photos/k', '/photos/k'),
    ('/photos/a/b?', '/photos/a/b?'),
    ('/photos/?prefix=%C3%A9t%C3%A9/', '/photos/?prefix=%C3%A9t%C3%A9%2F'),
])
def test_query_goes_out_as_it_is_signed(path, sent):
    assert signing._requote_query(path) == sent
    assert signing._requote_query(sent) == sent  # a retry re-signs the same request


def test_listing_with_a_slash_is_sent_and_signed_with_2f():
    conn = signing.fix_s3_connection(plain_s3())
    request = conn.build_base_http_request('GET', '/photos/?delimiter=/&prefix=a/',
                                           '/photos/?delimiter=/&prefix=a/', headers={},
                                           host='127.0.0.1:9000')
    request.authorize(connection=conn)
    assert request.path == '/photos/?delimiter=%2F&prefix=a%2F'
    # boto's own signer signs %2F but sends the raw "/": the bug fixed here
    boto_conn = plain_s3()
    boto_conn._auth_handler = boto.auth.S3HmacAuthV4Handler('127.0.0.1', boto.config,
                                                            boto_conn.provider)
    boto_conn._auth_handler.region_name = 'us-east-1'
    request = boto_conn.build_base_http_request('GET', '/photos/?prefix=a/', '/photos/?prefix=a/',
                                                headers={}, host='127.0.0.1:9000')
    request.authorize(connection=boto_conn)
    assert request.path == '/photos/?prefix=a/'


# -- fix_s3_connection ------------------------------------------------------------

def test_fix_gives_boto_s3_connection_sigv4_for_the_region():
    conn = plain_s3()
    assert isinstance(conn._auth_handler, boto.auth.HmacAuthV1Handler)  # boto: SigV2
    assert signing.fix_s3_connection(conn, region='eu-north-1') is conn
    assert type(conn._auth_handler) is signing.S3SigV4Handler
    assert conn._auth_handler.region_name == 'eu-north-1'
    assert 'hmac-v4-s3' in conn._required_auth_capability()  # boto's Key hashes payloads then
    request = signed(conn)
    assert request.headers['Host'] == '127.0.0.1:9000'  # not 127.0.0.1:9000:9000
    authorization = request.headers['Authorization']
    assert '/eu-north-1/s3/aws4_request' in authorization
    assert 'user-agent' not in authorization and 'host' in authorization
    assert header_values(request, 'x-amz-security-token') == [REAL.session_token]


@pytest.mark.parametrize('host, region', [
    ('s3.amazonaws.com', 'us-east-1'),
    ('s3.eu-north-1.amazonaws.com', 'eu-north-1'),
    ('s3-eu-west-1.amazonaws.com', 'eu-west-1'),
    ('s3.dualstack.ap-southeast-5.amazonaws.com', 'ap-southeast-5'),
    ('s3.cn-north-1.amazonaws.com.cn', 'cn-north-1'),
    ('s3-external-1.amazonaws.com', 'us-east-1'),
    ('127.0.0.1', 'us-east-1'),
    ('minio.test:9000', 'us-east-1'),
])
def test_fix_signs_for_the_region_in_the_host_name(host, region):
    conn = signing.fix_s3_connection(plain_s3(host=host, port=None))
    assert conn._auth_handler.region_name == region


def test_fix_keeps_the_region_boto_was_given_and_can_keep_sigv2():
    conn = plain_s3()
    conn._auth_handler = boto.auth.S3HmacAuthV4Handler('127.0.0.1', boto.config, conn.provider,
                                                       region_name='ap-south-2')
    signing.fix_s3_connection(conn)
    assert type(conn._auth_handler) is signing.S3SigV4Handler
    assert conn._auth_handler.region_name == 'ap-south-2'
    legacy = signing.fix_s3_connection(plain_s3(), sigv4=False)
    assert type(legacy._auth_handler) is boto.auth.HmacAuthV1Handler


def test_fix_leaves_anonymous_and_other_providers_alone():
    anon = boto.s3.connection.S3Connection(anon=True, host='127.0.0.1')
    handler = anon._auth_handler
    assert signing.fix_s3_connection(anon)._auth_handler is handler
    google = boto.s3.connection.S3Connection('GOOGKEY', 'googsecret', provider='google',
                                             host='127.0.0.1')
    handler = google._auth_handler
    assert signing.fix_s3_connection(google)._auth_handler is handler


def _botocore_signature(request, region, token):
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    names = request.headers['Authorization'].split('SignedHeaders=')[1].split(',')[0].split(';')
    headers = dict((k, v) for k, v in request.headers.items() if k.lower() in names)
    url = 'http://%s%s' % (request.headers['Host'], request.path)
    aws_request = AWSRequest(method=request.method, url=url, headers=headers, data=request.body)
    aws_request.context['timestamp'] = request.headers['X-Amz-Date']
    signer = S3SigV4Auth(Credentials(token.access_key, token.secret_key, token.session_token),
                         's3', region)
    signer._modify_request_before_signing(aws_request)
    canonical = signer.canonical_request(aws_request)
    return signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)


if six.PY3:
    def test_fixed_boto_connection_signs_as_botocore_does():
        conn = signing.fix_s3_connection(plain_s3(), region='eu-west-3')
        request = signed(conn, 'PUT', '/photos/dir/a%20b.txt?prefix=a/',
                         headers={'Content-Type': 'text/plain', 'x-amz-meta-note': 'n'})
        signature = request.headers['Authorization'].split('Signature=')[1]
        assert signature == _botocore_signature(request, 'eu-west-3', REAL)
        assert signature != _botocore_signature(request, 'eu-west-3', make_token(serial=2))


# -- generate_url -------------------------------------------------------------------

@pytest.mark.parametrize('expires_in', [float('nan'), float('inf'), float('-inf'), '600', None,
                                        True, b'600', [600]])
@pytest.mark.parametrize('absolute', [False, True])
@pytest.mark.parametrize('sigv4', [True, False])
def test_generate_url_refuses_what_is_not_a_number_of_seconds(expires_in, absolute, sigv4):
    conn = stsboto.connect_with_token(REAL, sigv4=sigv4)
    with pytest.raises(stsboto.InvalidParameterError) as info:
        conn.generate_url(expires_in, 'GET', 'photos', 'k', expires_in_absolute=absolute)
    assert info.value.field == 'expires_in'
    assert 'expires_in' in str(info.value)
    with pytest.raises(stsboto.InvalidParameterError):
        signing.generate_url(plain_s3(), expires_in, 'GET', 'photos', 'k',
                             expires_in_absolute=absolute)


@pytest.mark.parametrize('seconds', [0, -5, 604801, 1e300])
def test_sigv4_url_lifetime_is_checked_for_absolute_times_too(seconds):
    clock = FakeClock()
    conn = stsboto.connect_with_token(REAL, time_fetcher=clock)
    epoch = (clock.now - datetime.datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()
    with pytest.raises(stsboto.InvalidParameterError) as info:
        conn.generate_url(epoch + seconds, 'GET', 'photos', 'k', expires_in_absolute=True)
    assert info.value.field == 'expires_in'


def test_plain_url_of_a_boto_connection_has_no_token():
    conn = plain_s3()
    leaked = conn.generate_url(60, 'GET', 'photos', 'k', query_auth=False)
    assert 'x-amz-security-token=' in leaked  # boto issue 1477: the bug fixed here
    url = signing.generate_url(conn, 60, 'GET', 'photos', 'k', query_auth=False,
                               response_headers={'response-content-type': 'text/plain'})
    assert url == 'http://127.0.0.1:9000/photos/k?response-content-type=text%2Fplain'


@pytest.mark.parametrize('sigv4', [True, False])
@pytest.mark.parametrize('endpoint_url, prefix', [
    ('https://minio.test:9000', 'http://minio.test:9000/photos/k'),
    ('https://minio.test', 'http://minio.test/photos/k'),
    ('http://127.0.0.1:8080', 'http://127.0.0.1:8080/photos/k'),
])
def test_force_http_keeps_a_custom_port(endpoint_url, prefix, sigv4):
    conn = stsboto.connect_with_token(REAL, endpoint_url=endpoint_url, sigv4=sigv4)
    assert conn.generate_url(60, 'GET', 'photos', 'k', force_http=True).startswith(prefix + '?')
    assert conn.generate_url(60, 'GET', 'photos', 'k', force_http=True,
                             query_auth=False) == prefix


def test_boto_drops_the_port_with_force_http():
    url = plain_s3().generate_url(60, 'GET', 'photos', 'k', force_http=True)
    assert url.startswith('http://127.0.0.1/photos/k?')  # boto's bug, fixed above


def test_sigv4_presigned_url_of_a_boto_connection_carries_the_token():
    conn = signing.fix_s3_connection(plain_s3(), region='eu-north-1')
    url = signing.generate_url(conn, 600, 'GET', 'photos', 'k')
    assert 'X-Amz-Security-Token=' in url and 'X-Amz-Expires=600' in url
    assert '%2Feu-north-1%2Fs3%2Faws4_request' in url


if six.PY3:
    @pytest.mark.parametrize('force_http', [False, True])
    def test_presigned_url_matches_botocore_with_force_http(force_http):
        from tests.functional.test_regions_signing import _botocore_presigned_signature, _query
        token = dict(access_key=REAL.access_key, secret_key=REAL.secret_key,
                     session_token=REAL.session_token)
        conn = stsboto.connect_with_token(REAL, endpoint_url='https://minio.test:9000')
        url = conn.generate_url(900, 'GET', 'photos', 'a b.txt', force_http=force_http)
        assert _query(url)['X-Amz-Signature'] == _botocore_presigned_signature(
            url, 'GET', 'us-east-1', token)


# -- attach_token_source --------------------------------------------------------------

def test_attach_signs_with_the_source_token_and_updates_the_provider():
    clock = FakeClock()
    first, second = make_token(2, clock, 3600), make_token(3, clock, 7200)
    source = stsboto.RefreshableToken(first, lambda: second, time_fetcher=clock)
    conn = signing.attach_token_source(plain_s3(), source, time_fetcher=clock)
    assert isinstance(conn._auth_handler, boto.auth.HmacAuthV1Handler)  # still boto's class
    assert first.access_key in signed(conn).headers['Authorization']
    clock.advance(3300)  # mandatory window: the next attempt refreshes first
    request = signed(conn)
    assert second.access_key in request.headers['Authorization']
    assert header_values(request, 'x-amz-security-token') == [second.session_token]
    assert (conn.provider.access_key, conn.provider.secret_key,
            conn.provider.security_token) == (second.access_key, second.secret_key,
                                              second.session_token)


def test_attach_refuses_a_token_in_its_last_seconds_and_sends_nothing():
    clock = FakeClock()
    token = make_token(4, clock, 60)
    conn = signing.attach_token_source(plain_s3(), token, margin=10, time_fetcher=clock)
    clock.advance(49)
    signed(conn)
    clock.advance(1)
    with pytest.raises(stsboto.TokenExpiredError) as info:
        signed(conn)
    text = str(info.value)
    assert token.access_key in text and 'last 10 seconds' in text
    assert 'get a new token' in text  # says how to go on
    assert not any(secret in text for secret in SECRETS + (token.secret_key,))


def test_attach_refreshes_in_the_margin_when_the_source_can():
    clock = FakeClock()
    old, new = make_token(5, clock, 3600), make_token(6, clock, 7200)
    calls = []

    def refresh():
        calls.append(1)
        return new

    # windows smaller than the margin: get() would hand out the old token
    source = stsboto.RefreshableToken(old, refresh, advisory_window=1, mandatory_window=1,
                                      time_fetcher=clock)
    conn = signing.attach_token_source(plain_s3(), source, margin=30, time_fetcher=clock)
    clock.advance(3580)
    assert new.access_key in signed(conn).headers['Authorization']
    assert len(calls) == 1


def test_attach_on_another_service_signs_each_attempt_from_the_snapshot():
    clock = FakeClock()
    first, second = make_token(7, clock, 3600), make_token(8, clock, 7200)
    conn = boto.sqs.connection.SQSConnection(
        first.access_key, first.secret_key, security_token=first.session_token,
        region=RegionInfo(name='eu-north-1', endpoint='127.0.0.1'), is_secure=False, port=9324)
    source = stsboto.RefreshableToken(first, lambda: second, time_fetcher=clock)
    signing.attach_token_source(conn, source, time_fetcher=clock)
    request = conn.build_base_http_request('POST', '/', '/', params={'Action': 'ListQueues'},
                                           headers={}, host='127.0.0.1:9324')
    request.authorize(connection=conn)
    assert first.access_key in request.headers['Authorization']
    assert request.headers['X-Amz-Security-Token'] == first.session_token
    clock.advance(3500)
    request.authorize(connection=conn)  # a retry of the same request
    assert second.access_key in request.headers['Authorization']
    assert request.headers['X-Amz-Security-Token'] == second.session_token


@pytest.mark.parametrize('margin', [float('nan'), float('inf'), -1, '5', None, True])
def test_attach_margin_must_be_a_duration(margin):
    with pytest.raises(stsboto.InvalidParameterError) as info:
        signing.attach_token_source(plain_s3(), REAL, margin=margin)
    assert info.value.field == 'margin'


def test_concurrent_signers_never_mix_two_tokens():
    """16 threads sign while another replaces the token 40 times: every
    signature is the one the claimed token's secret gives."""
    clock = FakeClock()
    tokens = [make_token(100 + i, clock, 3600) for i in range(40)]
    by_key = dict((t.access_key, t) for t in tokens)
    source = stsboto.RefreshableToken(tokens[0], lambda: tokens[0], time_fetcher=clock)
    conn = signing.attach_token_source(signing.fix_s3_connection(plain_s3()), source,
                                       time_fetcher=clock)
    # conn.provider follows the token one key at a time, slowly here: a signer
    # that read it (as boto's does) would mix two tokens' keys
    conn.provider = _SlowProvider(conn.provider)
    done = threading.Event()
    results, errors = [], []

    def sign():
        try:
            while not done.is_set() and len(results) < 3000:  # the check re-signs each
                request = signed(conn, 'PUT', '/photos/k')
                results.append(dict(request.headers))
                time.sleep(0.001)  # room for the thread that swaps tokens
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=sign) for _ in range(16)]
    for thread in threads:
        thread.start()
    for token in tokens[1:]:
        source.set_token(token)
        time.sleep(0.002)  # the signers sign with this token meanwhile
    done.set()
    for thread in threads:
        thread.join()
    assert not errors
    used = set()
    for headers in results:
        key = headers['Authorization'].split('Credential=')[1].split('/')[0]
        token = by_key[key]
        used.add(key)
        assert headers['X-Amz-Security-Token'] == token.session_token
        assert headers['Authorization'].endswith('Signature=' + _resign(headers, token))
    assert len(results) > 16 and len(used) > 2


class _SlowProvider(object):
    def __init__(self, provider):
        self.__dict__['_provider'] = provider

    def __getattr__(self, name):
        return getattr(self._provider, name)

    def __setattr__(self, name, value):
        time.sleep(0.001)
        setattr(self._provider, name, value)


def _resign(headers, token):
    """The signature a fresh boto signer holding only ``token`` gives for these headers."""
    handler = signing.fix_s3_connection(plain_s3(token))._auth_handler
    request = plain_s3(token).build_base_http_request('PUT', '/photos/k', '/photos/k',
                                                      headers={}, host='127.0.0.1:9000')
    names = headers['Authorization'].split('SignedHeaders=')[1].split(',')[0].split(';')
    request.headers.update((k, v) for k, v in headers.items() if k.lower() in names)
    request = handler.mangle_path_and_params(request)
    canonical = handler.canonical_request(request)
    return handler.signature(request, handler.string_to_sign(request, canonical))


def test_fix_after_attach_keeps_the_snapshot_signing():
    clock = FakeClock()
    token = make_token(9, clock, 60)
    conn = signing.attach_token_source(plain_s3(), token, time_fetcher=clock)
    signing.fix_s3_connection(conn, region='eu-west-1')
    assert isinstance(conn._auth_handler, signing.S3SigV4Handler)
    assert '/eu-west-1/s3/' in signed(conn).headers['Authorization']
    clock.advance(60)
    with pytest.raises(stsboto.TokenExpiredError):
        signed(conn)


def test_attaching_twice_replaces_the_source():
    conn = signing.attach_token_source(plain_s3(), make_token(10))
    signing.attach_token_source(conn, make_token(11))
    assert make_token(11).access_key in signed(conn).headers['Authorization']
    assert signing.current_token(conn) == make_token(11)


@pytest.mark.parametrize('extra', [{}, {'version_id': 'v1'},
                                   {'response_headers': {'response-content-type': 'text/plain'}},
                                   {'headers': {'x-amz-meta-a': 'b'}}])
def test_sigv2_presigned_url_signs_as_boto_does(extra):
    from six.moves.urllib.parse import parse_qs, urlsplit
    conn = plain_s3(port=80)
    expires = 2000000000
    ours = signing.generate_url(conn, expires, 'GET', 'photos', 'a b.txt',
                                expires_in_absolute=True, **extra)
    boto_url = conn.generate_url(expires, 'GET', 'photos', 'a b.txt', expires_in_absolute=True,
                                 **extra)
    assert urlsplit(ours).path == urlsplit(boto_url).path
    assert parse_qs(urlsplit(ours).query) == parse_qs(urlsplit(boto_url).query)
    assert 'Signature' in parse_qs(urlsplit(ours).query)


def test_presigned_url_outliving_the_token_is_signed_with_a_warning(caplog):
    clock = FakeClock()
    token = make_token(12, clock, 600)
    conn = stsboto.connect_with_token(token, time_fetcher=clock)
    with caplog.at_level('WARNING', logger='stsboto.signing'):
        url = conn.generate_url(3600, 'GET', 'photos', 'k')
    assert 'X-Amz-Expires=3600' in url
    (record,) = [r for r in caplog.records if r.name == 'stsboto.signing']
    assert 'stops working' in record.getMessage() and token.access_key in record.getMessage()
    assert token.session_token not in record.getMessage()
    caplog.clear()
    with caplog.at_level('WARNING', logger='stsboto.signing'):
        conn.generate_url(300, 'GET', 'photos', 'k')
    assert not [r for r in caplog.records if r.name == 'stsboto.signing']
