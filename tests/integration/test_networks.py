"""Production networks against loopback stand-ins, moto behind them (issue 17 items 3-5, 7).

* TLS: a front whose certificate comes from a CA made at test time (openssl),
  forwarding to moto; ``AWS_CA_BUNDLE``, the profile's ``ca_bundle`` and boto's
  ``ca_certificates_file``; SNI and the hostname check, Python 2.7 included.
* Proxies: proxy.py (a real CONNECT proxy, from the tools venv) with basic auth.
* Failing fast: a refused port and a name under ``.invalid`` (never resolves),
  through stsboto and through patched boto classes.
"""
from __future__ import absolute_import, unicode_literals

import socket
import time

import pytest

import stsboto
from stsboto import transport
from stsboto.exceptions import EndpointConnectionError, RedirectRefusedError
from tests.factories import make_token
from tests.localhttp import free_port, scripted
from tests.netfronts import generate_certificates, proxy_py, tls_front

import boto  # noqa: E402
import boto.s3.connection  # noqa: E402
import boto.sqs  # noqa: E402

PASSWORD = 'proxy-pass-s3cr3t'


@pytest.fixture(scope='module')
def certs(tmpdir_factory):
    return generate_certificates(str(tmpdir_factory.mktemp('ca')))


@pytest.fixture
def front(server, certs):
    with tls_front(certs['localhost.pem'], certs['localhost.key'], ('127.0.0.1', server.port)) as f:
        yield f


def _round_trip(conn, bucket='photos'):
    conn.create_bucket(bucket)
    key = conn.get_bucket(bucket, validate=False).new_key('cat.txt')
    key.set_contents_from_string(b'meow')
    return conn.get_bucket(bucket, validate=False).new_key('cat.txt').get_contents_as_string()


def _https(front, **kwargs):
    return stsboto.connect_with_token(make_token(1), endpoint_url='https://localhost:%d' % front.port,
                                      **kwargs)


# -- TLS (item 4) --------------------------------------------------------------------------

def test_aws_ca_bundle_is_trusted_with_sni_and_hostname_check(front, certs, monkeypatch):
    monkeypatch.setenv(str('AWS_CA_BUNDLE'), str(certs['ca.pem']))
    assert _round_trip(_https(front)) == b'meow'
    assert front.names and set(front.names) == {'localhost'}


def test_the_profile_ca_bundle_is_trusted(front, certs, isolated_environment):
    isolated_environment.mkdir('.aws').join('config').write(
        '[default]\nca_bundle = %s\n' % certs['ca.pem'])
    assert _round_trip(_https(front)) == b'meow'


def test_without_the_bundle_the_handshake_fails_once_and_fast(front):
    began = time.time()
    with pytest.raises(EndpointConnectionError) as info:
        _https(front).get_bucket('photos').new_key('k').get_contents_as_string()
    assert time.time() - began < 5
    assert 'TLS handshake failed' in str(info.value)
    assert 'https://localhost:%d' % front.port in str(info.value)
    assert front.connections == 1  # not retried: a certificate does not change


def test_a_certificate_for_another_host_is_refused(server, certs, monkeypatch):
    monkeypatch.setenv(str('AWS_CA_BUNDLE'), str(certs['ca.pem']))
    with tls_front(certs['wrong-host.pem'], certs['wrong-host.key'],
                   ('127.0.0.1', server.port)) as wrong:
        with pytest.raises(EndpointConnectionError) as info:
            _https(wrong).get_bucket('photos').new_key('k').get_contents_as_string()
    assert 'TLS handshake failed' in str(info.value)


def _boto_https(front, **kwargs):
    token = make_token(2)
    return boto.s3.connection.S3Connection(
        token.access_key, token.secret_key, security_token=token.session_token, host='localhost',
        port=front.port, is_secure=True, calling_format=boto.s3.connection.OrdinaryCallingFormat(),
        **kwargs)


def test_patched_boto_trusts_aws_ca_bundle_and_sends_sni(front, certs, monkeypatch, patched):
    monkeypatch.setenv(str('AWS_CA_BUNDLE'), str(certs['ca.pem']))
    assert _round_trip(_boto_https(front)) == b'meow'
    assert front.names and set(front.names) == {'localhost'}  # Python 2.7 too


def test_patched_boto_still_honours_its_ca_certificates_file(front, certs, patched):
    if not boto.config.has_section('Boto'):
        boto.config.add_section('Boto')
    boto.config.set('Boto', 'ca_certificates_file', str(certs['ca.pem']))
    try:
        assert _round_trip(_boto_https(front)) == b'meow'
    finally:
        boto.config.remove_option('Boto', 'ca_certificates_file')


def test_patched_boto_uses_path_style_for_dotted_buckets(front, certs, monkeypatch, patched):
    monkeypatch.setenv(str('AWS_CA_BUNDLE'), str(certs['ca.pem']))
    token = make_token(3)
    conn = boto.s3.connection.S3Connection(  # boto's default: virtual-hosted style
        token.access_key, token.secret_key, security_token=token.session_token,
        host='localhost', port=front.port, is_secure=True)
    assert conn.calling_format.build_host(conn.server_name(), 'my.dotted.bucket') == \
        'localhost:%d' % front.port
    assert _round_trip(conn, 'my.dotted.bucket') == b'meow'


def test_https_redirected_to_http_sends_nothing_there(certs, monkeypatch):
    monkeypatch.setenv(str('AWS_CA_BUNDLE'), str(certs['ca.pem']))
    with scripted() as plain:
        location = 'http://127.0.0.1:%d/photos/k' % plain.server_port
        with scripted([(307, '', {'Location': location})]) as redirecting:
            with tls_front(certs['localhost.pem'], certs['localhost.key'],
                           ('127.0.0.1', redirecting.server_port)) as secure:
                with pytest.raises(RedirectRefusedError) as info:
                    _https(secure).get_bucket('photos').new_key('k').get_contents_as_string()
        assert plain.connections == 0
    assert location in str(info.value)


# -- proxies (item 5) ------------------------------------------------------------------------

@pytest.fixture(scope='module')
def proxy():
    with proxy_py('--basic-auth', 'user:%s' % PASSWORD) as port:
        yield port


def test_https_through_a_connect_proxy_with_credentials(front, certs, proxy, monkeypatch):
    monkeypatch.setenv(str('AWS_CA_BUNDLE'), str(certs['ca.pem']))
    monkeypatch.setenv(str('HTTPS_PROXY'), str('http://user:%s@127.0.0.1:%d' % (PASSWORD, proxy)))
    assert _round_trip(_https(front)) == b'meow'
    assert set(front.names) == {'localhost'}  # SNI for the host behind the tunnel


def test_wrong_proxy_credentials_are_reported_once_and_masked(front, certs, proxy, monkeypatch):
    monkeypatch.setenv(str('AWS_CA_BUNDLE'), str(certs['ca.pem']))
    monkeypatch.setenv(str('HTTPS_PROXY'), str('http://user:wrong-%s@127.0.0.1:%d'
                                               % (PASSWORD, proxy)))
    with pytest.raises(EndpointConnectionError) as info:
        _https(front).get_bucket('photos').new_key('k').get_contents_as_string()
    text = str(info.value)
    assert '407' in text and 'http://user:***@127.0.0.1:%d' % proxy in text
    assert PASSWORD not in text and PASSWORD not in repr(info.value.cause)
    assert front.connections == 0


def test_no_proxy_goes_direct(front, certs, monkeypatch):
    monkeypatch.setenv(str('AWS_CA_BUNDLE'), str(certs['ca.pem']))
    monkeypatch.setenv(str('HTTPS_PROXY'), str('http://127.0.0.1:%d' % free_port()))  # refuses
    monkeypatch.setenv(str('NO_PROXY'), str('example.com,localhost'))
    assert _round_trip(_https(front)) == b'meow'


def test_plain_http_through_the_proxy(server, proxy, monkeypatch):
    monkeypatch.setenv(str('HTTP_PROXY'), str('http://user:%s@127.0.0.1:%d' % (PASSWORD, proxy)))
    conn = stsboto.connect_with_token(make_token(4), endpoint_url=server.endpoint_url)
    assert _round_trip(conn) == b'meow'


def test_patched_boto_through_the_proxy(front, certs, proxy, monkeypatch, patched):
    # boto's own proxy_ssl writes str to the socket on Python 3
    monkeypatch.setenv(str('AWS_CA_BUNDLE'), str(certs['ca.pem']))
    monkeypatch.setenv(str('HTTPS_PROXY'), str('http://user:%s@127.0.0.1:%d' % (PASSWORD, proxy)))
    assert _round_trip(_boto_https(front)) == b'meow'


# -- failing fast (item 3) -------------------------------------------------------------------

def _fails_fast(call, where):
    began = time.time()
    with pytest.raises(EndpointConnectionError) as info:
        call()
    took = time.time() - began
    assert took < 5, took
    assert where in str(info.value), str(info.value)
    return info.value


@pytest.mark.parametrize('host', ['127.0.0.1', 's3.nowhere.invalid'])
def test_stsboto_fails_fast(host):
    port = free_port()
    conn = stsboto.connect_with_token(make_token(5), endpoint_url='http://%s:%d' % (host, port))
    _fails_fast(lambda: conn.get_bucket('photos').new_key('k').get_contents_as_string(),
                '%s:%d' % (host, port))


@pytest.mark.parametrize('host', ['127.0.0.1', 'sts.nowhere.invalid'])
def test_issue_token_fails_fast(host):
    port = free_port()
    _fails_fast(lambda: stsboto.issue_token(
        bucket='photos', endpoint_url='http://%s:%d' % (host, port),
        aws_access_key_id='AKIAISSUER0000000001', aws_secret_access_key='issuer-secret/0123456789'),
        '%s:%d' % (host, port))


@pytest.mark.parametrize('host', ['127.0.0.1', 's3.nowhere.invalid'])
def test_patched_boto_connect_s3_get_bucket_fails_fast(host, patched, monkeypatch):
    monkeypatch.setenv(str('AWS_ACCESS_KEY_ID'), str('AKIAEXAMPLE000000001'))
    monkeypatch.setenv(str('AWS_SECRET_ACCESS_KEY'), str('example-secret/0123456789'))
    port = free_port()
    conn = boto.connect_s3(host=host, port=port, is_secure=False,
                           calling_format=boto.s3.connection.OrdinaryCallingFormat())
    _fails_fast(lambda: conn.get_bucket('photos'), '%s:%d' % (host, port))


@pytest.mark.parametrize('host', ['127.0.0.1', 's3.nowhere.invalid'])
def test_patched_boto_s3connection_from_the_environment_fails_fast(host, patched, monkeypatch):
    monkeypatch.setenv(str('AWS_ACCESS_KEY_ID'), str('AKIAEXAMPLE000000001'))
    monkeypatch.setenv(str('AWS_SECRET_ACCESS_KEY'), str('example-secret/0123456789'))
    port = free_port()
    monkeypatch.setenv(str('AWS_ENDPOINT_URL'), str('http://%s:%d' % (host, port)))
    conn = boto.s3.connection.S3Connection()
    _fails_fast(lambda: conn.get_all_buckets(), '%s:%d' % (host, port))


@pytest.mark.parametrize('host', ['127.0.0.1', 'sqs.nowhere.invalid'])
def test_patched_boto_sqs_fails_fast(host, patched, monkeypatch):
    monkeypatch.setenv(str('AWS_ACCESS_KEY_ID'), str('AKIAEXAMPLE000000001'))
    monkeypatch.setenv(str('AWS_SECRET_ACCESS_KEY'), str('example-secret/0123456789'))
    port = free_port()
    monkeypatch.setenv(str('AWS_ENDPOINT_URL'), str('http://%s:%d' % (host, port)))
    conn = boto.sqs.connect_to_region('us-east-1')
    _fails_fast(lambda: conn.get_all_queues(), '%s:%d' % (host, port))


def test_unpatched_boto_is_slow_to_fail(monkeypatch):
    # what the patch fixes, shown on boto itself: boto sleeps after every refused attempt
    slept = []
    monkeypatch.setattr(boto.connection.time, 'sleep', slept.append)
    token = make_token(6)
    conn = boto.s3.connection.S3Connection(
        token.access_key, token.secret_key, host='127.0.0.1', port=free_port(), is_secure=False,
        calling_format=boto.s3.connection.OrdinaryCallingFormat())
    with pytest.raises(socket.error):
        conn.get_all_buckets()
    assert len(slept) > 1 and sum(slept) > 0


def test_the_transport_default_is_standard_with_three_attempts():
    rules = transport.policy()
    assert (rules.mode, rules.max_attempts) == ('standard', 3)
