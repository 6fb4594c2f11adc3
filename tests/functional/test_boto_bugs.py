"""The boto 2 bugs of issue 18 item 1, on the wire: boto's real request code, only the socket faked.

Each rule is checked in stsboto's own connections (``connect_with_token``) and
under the patch (plain ``boto.connect_s3()`` and friends), and where a
signature is involved against botocore's signer (py3 test envs).
"""
from __future__ import absolute_import, unicode_literals

import datetime
import io
import pickle
import re
import xml.sax

import pytest
import six

import stsboto
from stsboto import signing
from stsboto._compat import UTC
from tests.fakehttp import ISSUED
from tests.functional.test_wire import _sent_signature_matches_botocore

import boto  # noqa: E402  (after stsboto)
import boto.auth  # noqa: E402
import boto.ec2  # noqa: E402
import boto.exception  # noqa: E402
import boto.s3.connection  # noqa: E402
import boto.s3.multipart  # noqa: E402

ENDPOINT = 'http://127.0.0.1:9000'
ENV_KEYS = {'AWS_ACCESS_KEY_ID': 'ASIAENVIRONMENTKEY01', 'AWS_SECRET_ACCESS_KEY': 'envSecret/0123456789',
            'AWS_SESSION_TOKEN': 'envSessionToken//0123456789=='}
# Header sets boto sends that hold a header name which is a prefix of another
# (boto sorted "name:value" lines, so the longer name came first).
HEADER_SETS = {
    'copy with range': {'x-amz-copy-source': '/photos/src',
                        'x-amz-copy-source-range': 'bytes=0-5242879'},
    'metadata prefixes': {'x-amz-meta-a': '1', 'x-amz-meta-a-b': '2', 'Content-Type': 'text/plain'},
    'sse-c': {'x-amz-server-side-encryption-customer-algorithm': 'AES256',
              'x-amz-server-side-encryption-customer-key': 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
              'x-amz-server-side-encryption-customer-key-MD5': 'zcnc1eDyHf5UzDYgrCqb4w=='},
    'sse-c copy': {'x-amz-copy-source': '/photos/src',
                   'x-amz-copy-source-server-side-encryption-customer-algorithm': 'AES256',
                   'x-amz-copy-source-server-side-encryption-customer-key':
                       'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
                   'x-amz-server-side-encryption-customer-algorithm': 'AES256'},
}


def _setenv(monkeypatch, **values):
    for key, value in values.items():
        monkeypatch.setenv(str(key), str(value))


@pytest.fixture
def patched():
    stsboto.patch_boto()
    yield
    stsboto.unpatch_boto()


def _signed_names(request):
    return re.search(r'SignedHeaders=([^,]+)', request.header('authorization')).group(1).split(';')


# -- canonical headers ordered by name ------------------------------------------------

def test_boto_orders_canonical_headers_by_line_not_by_name():
    """The bug, pinned: boto's own canonical block disagrees with the signed-headers order."""
    headers = HEADER_SETS['copy with range']
    ours = signing.canonical_headers(headers)
    assert [line.split(':')[0] for line in ours.split('\n')] == \
        ['x-amz-copy-source', 'x-amz-copy-source-range']
    original = boto.auth.HmacAuthV4Handler.__dict__['canonical_headers']
    assert original(None, headers).split('\n')[0].startswith('x-amz-copy-source-range:')


def test_the_patch_orders_every_sigv4_signer_by_name(patched):
    headers = dict(HEADER_SETS['metadata prefixes'])
    block = boto.auth.HmacAuthV4Handler.__dict__['canonical_headers'](None, headers)
    assert [line.split(':')[0] for line in block.split('\n')] == \
        ['content-type', 'x-amz-meta-a', 'x-amz-meta-a-b']


@pytest.mark.parametrize('name', sorted(HEADER_SETS))
def test_own_connection_signs_every_header_set_by_name(fake_aws, name):
    conn = stsboto.connect_with_token(dict(ISSUED), endpoint_url=ENDPOINT)
    conn.make_request('PUT', 'photos', 'dst', headers=dict(HEADER_SETS[name]), data=b'x')
    (request,) = fake_aws.requests
    for header in HEADER_SETS[name]:
        assert header.lower() in _signed_names(request)
    if six.PY3:
        assert _sent_signature_matches_botocore(request, 'us-east-1', ISSUED)


@pytest.mark.parametrize('name', sorted(HEADER_SETS))
def test_patched_boto_signs_every_header_set_by_name(fake_aws, patched, monkeypatch, name):
    _setenv(monkeypatch, **ENV_KEYS)
    _setenv(monkeypatch, AWS_ENDPOINT_URL=ENDPOINT)
    conn = boto.connect_s3()
    conn.make_request('PUT', 'photos', 'dst', headers=dict(HEADER_SETS[name]), data=b'x')
    (request,) = fake_aws.requests
    if six.PY3:
        token = {'access_key': ENV_KEYS['AWS_ACCESS_KEY_ID'],
                 'secret_key': ENV_KEYS['AWS_SECRET_ACCESS_KEY'],
                 'session_token': ENV_KEYS['AWS_SESSION_TOKEN']}
        assert _sent_signature_matches_botocore(request, 'us-east-1', token)


def test_ranged_copy_part_is_signed_by_name(fake_aws):
    """luigi's multipart copy: boto's copy_part_from_key sends both copy-source headers."""
    conn = stsboto.connect_with_token(dict(ISSUED), endpoint_url=ENDPOINT)
    upload = boto.s3.multipart.MultiPartUpload(conn.get_bucket('photos'))
    upload.key_name, upload.id = 'dst', 'upload-1'
    with pytest.raises(xml.sax.SAXParseException):  # the fake S3 answers a copy with no XML
        upload.copy_part_from_key('photos', 'src', 1, 0, 5242879)
    (request,) = fake_aws.requests
    assert request.header('x-amz-copy-source-range') == 'bytes=0-5242879'
    names = _signed_names(request)
    assert names.index('x-amz-copy-source') < names.index('x-amz-copy-source-range')
    if six.PY3:
        assert _sent_signature_matches_botocore(request, 'us-east-1', ISSUED)


# -- pickling -----------------------------------------------------------------------

def _soon(seconds):
    return (datetime.datetime.now(UTC) + datetime.timedelta(seconds=seconds)).strftime(
        '%Y-%m-%dT%H:%M:%SZ')


def test_patched_keys_pickle_and_sign_with_the_same_token(fake_aws, patched, monkeypatch):
    _setenv(monkeypatch, **ENV_KEYS)
    _setenv(monkeypatch, AWS_ENDPOINT_URL=ENDPOINT)
    key = boto.connect_s3().get_bucket('photos', validate=False).new_key('k')
    loaded = pickle.loads(pickle.dumps(key, 2))
    assert type(loaded.bucket.connection) is boto.s3.connection.S3Connection
    loaded.set_contents_from_string(b'payload')
    (request,) = fake_aws.requests
    assert request.header('x-amz-security-token') == ENV_KEYS['AWS_SESSION_TOKEN']
    assert fake_aws.objects[('photos', 'k')] == b'payload'
    if six.PY3:
        token = {'access_key': ENV_KEYS['AWS_ACCESS_KEY_ID'],
                 'secret_key': ENV_KEYS['AWS_SECRET_ACCESS_KEY'],
                 'session_token': ENV_KEYS['AWS_SESSION_TOKEN']}
        assert _sent_signature_matches_botocore(request, 'us-east-1', token)


def test_the_pickle_holds_the_current_keys_not_the_source(fake_aws):
    calls = []

    def refresh():
        calls.append(1)
        return dict(ISSUED)
    conn = stsboto.connect_with_token(dict(ISSUED), endpoint_url=ENDPOINT, refresh=refresh)
    data = pickle.dumps(conn.get_bucket('photos').new_key('k'), 2)
    assert ISSUED['session_token'].encode('ascii') in data   # what boto's pickle holds too
    assert b'refresh' not in data                            # not the caller's function
    loaded = pickle.loads(data)
    assert isinstance(loaded.bucket.connection, stsboto.s3.TokenS3Connection)
    assert loaded.bucket.connection.token == stsboto.Token.coerce(dict(ISSUED))


def test_unpickled_connection_refreshes_through_this_process_chain(fake_aws, monkeypatch):
    """A token in its last seconds when it is loaded: the chain of the loading process gives the next."""
    expiring = dict(ISSUED, expiration=_soon(3))   # inside EXPIRY_MARGIN (5 s)
    conn = stsboto.connect_with_token(expiring, endpoint_url=ENDPOINT)
    data = pickle.dumps(conn.get_bucket('photos').new_key('k'), 2)
    _setenv(monkeypatch, **ENV_KEYS)
    loaded = pickle.loads(data)
    loaded.set_contents_from_string(b'fresh')
    (request,) = fake_aws.requests
    assert ENV_KEYS['AWS_ACCESS_KEY_ID'] in request.header('authorization')
    assert request.header('x-amz-security-token') == ENV_KEYS['AWS_SESSION_TOKEN']
    assert loaded.bucket.connection.provider.access_key == ENV_KEYS['AWS_ACCESS_KEY_ID']


def test_unpickled_expired_connection_without_credentials_sends_nothing(fake_aws):
    conn = stsboto.connect_with_token(dict(ISSUED, expiration=_soon(3)), endpoint_url=ENDPOINT)
    loaded = pickle.loads(pickle.dumps(conn.get_bucket('photos').new_key('k'), 2))
    with pytest.raises(stsboto.TokenExpiredError) as caught:
        loaded.set_contents_from_string(b'late')
    assert 'credential chain of this process found no credentials' in str(caught.value)
    assert fake_aws.requests == []


# -- a RegionInfo from boto's own table yields to the configured endpoint -----------------

def test_boto_own_regioninfo_yields_to_aws_endpoint_url(fake_aws, patched, monkeypatch):
    _setenv(monkeypatch, **ENV_KEYS)
    _setenv(monkeypatch, AWS_ENDPOINT_URL_EC2='http://127.0.0.1:9001')
    region = [r for r in boto.ec2.regions() if r.name == 'eu-west-1'][0]   # list_instances' way
    conn = boto.connect_ec2(region=region)
    assert (conn.host, conn.port, conn.is_secure) == ('127.0.0.1', 9001, False)
    with pytest.raises(boto.exception.EC2ResponseError):   # the fake knows no EC2
        conn.get_all_instances()
    (request,) = fake_aws.requests
    assert request.host == '127.0.0.1:9001'
    assert '/eu-west-1/ec2/aws4_request' in request.header('authorization')


def test_boto_own_regioninfo_yields_in_connect_to_region_too(patched, monkeypatch):
    _setenv(monkeypatch, **ENV_KEYS)
    _setenv(monkeypatch, AWS_ENDPOINT_URL_EC2='http://127.0.0.1:9001')
    region = boto.ec2.get_region('eu-west-1')
    conn = boto.ec2.connect_to_region('eu-west-1', region=region)
    assert (conn.host, conn.port) == ('127.0.0.1', 9001)


def test_an_endpoint_the_program_wrote_wins(patched, monkeypatch):
    _setenv(monkeypatch, **ENV_KEYS)
    _setenv(monkeypatch, AWS_ENDPOINT_URL_EC2='http://127.0.0.1:9001')
    own = boto.ec2.regioninfo.RegionInfo(name='eu-west-1', endpoint='ec2.internal.example')
    conn = boto.connect_ec2(region=own)
    assert conn.host == 'ec2.internal.example'
    conn = boto.ec2.connect_to_region('eu-west-1', region=own)
    assert conn.host == 'ec2.internal.example'


def test_without_a_configured_endpoint_boto_own_regioninfo_is_kept(patched, monkeypatch):
    _setenv(monkeypatch, **ENV_KEYS)
    conn = boto.connect_ec2(region=boto.ec2.get_region('eu-west-1'))
    assert conn.host == 'ec2.eu-west-1.amazonaws.com'


# -- text uploads through boto's Key ----------------------------------------------------

TEXT = 'caf\xe9 \u2603 na\xefve\n' * 50


def test_stringio_uploads_as_utf8_under_the_patch(fake_aws, patched, monkeypatch):
    _setenv(monkeypatch, **ENV_KEYS)
    _setenv(monkeypatch, AWS_ENDPOINT_URL=ENDPOINT)
    key = boto.connect_s3().get_bucket('photos', validate=False).new_key('text.txt')
    key.set_contents_from_file(io.StringIO(TEXT))
    assert fake_aws.objects[('photos', 'text.txt')] == TEXT.encode('utf-8')
    (request,) = fake_aws.requests
    assert request.header('content-length') == str(len(TEXT.encode('utf-8')))


def test_stringio_rewind_is_honoured(fake_aws, patched, monkeypatch):
    _setenv(monkeypatch, **ENV_KEYS)
    _setenv(monkeypatch, AWS_ENDPOINT_URL=ENDPOINT)
    source = io.StringIO(TEXT)
    source.read(10)
    key = boto.connect_s3().get_bucket('photos', validate=False).new_key('text.txt')
    key.set_contents_from_file(source, rewind=True)
    assert fake_aws.objects[('photos', 'text.txt')] == TEXT.encode('utf-8')


@pytest.mark.applies(six.PY3, reason='io.StringIO through boto 2 breaks on Python 3 only')
def test_stringio_is_corrupted_without_the_patch(fake_aws, monkeypatch):
    """The bug, pinned (boto issue 2868): the same upload through unpatched boto."""
    _setenv(monkeypatch, **ENV_KEYS)
    conn = boto.s3.connection.S3Connection(host='127.0.0.1', port=9000, is_secure=False,
                                           calling_format=boto.s3.connection.OrdinaryCallingFormat())
    key = conn.get_bucket('photos', validate=False).new_key('text.txt')
    try:
        key.set_contents_from_file(io.StringIO(TEXT))
    except (boto.exception.BotoClientError, boto.exception.S3ResponseError, TypeError,
            UnicodeError) as error:
        assert error is not None   # refused outright is the other way it fails
        return
    assert fake_aws.objects.get(('photos', 'text.txt')) != TEXT.encode('utf-8')


# -- SigV4 without a region ---------------------------------------------------------------

def test_s3_use_sigv4_without_host_or_region_under_the_patch(fake_aws, patched, monkeypatch):
    _setenv(monkeypatch, **ENV_KEYS)
    _setenv(monkeypatch, S3_USE_SIGV4='True')
    conn = boto.connect_s3()   # boto: HostRequiredError
    assert conn.host == 's3.amazonaws.com'
    conn.get_bucket('photos', validate=False).new_key('k').set_contents_from_string(b'v4')
    (request,) = fake_aws.requests
    assert request.header('authorization').startswith('AWS4-HMAC-SHA256 ')
    assert '/us-east-1/s3/aws4_request' in request.header('authorization')


def test_s3_use_sigv4_takes_the_configured_region_under_the_patch(patched, monkeypatch):
    _setenv(monkeypatch, **ENV_KEYS)
    _setenv(monkeypatch, S3_USE_SIGV4='True')
    _setenv(monkeypatch, AWS_DEFAULT_REGION='eu-north-1')
    conn = boto.connect_s3()
    assert conn.host == 's3.eu-north-1.amazonaws.com'
    assert conn._auth_handler.region_name == 'eu-north-1'


def test_s3_use_sigv4_without_host_in_own_connection(monkeypatch):
    _setenv(monkeypatch, S3_USE_SIGV4='True')
    conn = stsboto.s3.TokenS3Connection(token=dict(ISSUED))   # boto: HostRequiredError
    assert conn.host == 's3.amazonaws.com'


def test_boto_itself_requires_a_host_with_sigv4(monkeypatch):
    """The bug, pinned: unpatched boto refuses the same call."""
    _setenv(monkeypatch, **ENV_KEYS)
    _setenv(monkeypatch, S3_USE_SIGV4='True')
    with pytest.raises(boto.s3.connection.HostRequiredError):
        boto.connect_s3()
