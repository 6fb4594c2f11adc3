"""stsboto._boto: boto 2 on every Python, 2.7 to 3.15 (issue 24).

stsboto's SigV4 signers never call boto's ``datetime.utcnow()`` (deprecated on
3.12+) and stay out of boto's plugin lookup; the fixes that make boto import
on 3.12+ are on exactly where they are needed.
"""
from __future__ import absolute_import, unicode_literals

import datetime
import sys
import warnings

import pytest

import stsboto
from stsboto import _boto, _compat, signing, sts
from tests.factories import make_token

import boto.auth  # noqa: E402
import boto.auth_handler  # noqa: E402
import boto.plugin  # noqa: E402
import boto.s3.connection  # noqa: E402


# -- boto's clock without utcnow() ------------------------------------------------------

@pytest.fixture
def deprecations_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter('error', DeprecationWarning)
        yield


def _sts_connection():
    return sts._STSConnection(aws_access_key_id='AKIACLOCKTEST0000001', aws_secret_access_key='s',
                              security_token='token')


def _amz_date(request):
    stamp = datetime.datetime.strptime(request.headers['X-Amz-Date'], '%Y%m%dT%H%M%SZ')
    return stamp.replace(tzinfo=_compat.UTC)


def test_stsboto_sts_connections_sign_now_without_utcnow(deprecations_are_errors):
    conn = _sts_connection()
    assert type(conn._auth_handler) is _boto.HmacAuthV4Handler
    request = conn.build_base_http_request('POST', '/', None, {'Action': 'GetCallerIdentity'})
    before = _compat.utcnow().replace(microsecond=0)
    request.authorize(connection=conn)
    assert before <= _amz_date(request) <= _compat.utcnow()
    assert request.headers['Authorization'].startswith('AWS4-HMAC-SHA256 Credential=AKIACLOCKTEST0000001/')


def test_session_token_cache_check_reads_no_utcnow(deprecations_are_errors):
    conn = _sts_connection()
    cached = boto.sts.credentials.Credentials()
    cached.expiration = '2000-01-01T00:00:00Z'
    boto.sts.connection._session_token_cache['py314-test'] = cached
    try:
        assert conn._check_token_cache('py314-test') is None  # expired long ago
    finally:
        boto.sts.connection._session_token_cache.pop('py314-test', None)


def test_stsboto_s3_signer_signs_and_presigns_without_utcnow(deprecations_are_errors):
    conn = stsboto.connect_with_token(make_token(), endpoint_url='http://127.0.0.1:9')
    assert isinstance(conn._auth_handler, _boto.S3HmacAuthV4Handler)
    url = conn.generate_url(60, 'GET', 'photos', 'cat.jpg')
    assert 'X-Amz-Signature=' in url and 'X-Amz-Date=' in url
    request = conn.build_base_http_request('GET', '/photos/cat.jpg', None, host='127.0.0.1:9')
    request.authorize(connection=conn)
    assert abs((_compat.utcnow() - _amz_date(request)).total_seconds()) < 5


def test_attached_token_sources_sign_with_the_clock_fixed_class(deprecations_are_errors):
    conn = boto.connect_sqs('AKIACLOCKTEST0000001', 's')
    conn.auth_region_name, conn.auth_service_name = 'us-east-1', 'sqs'
    assert type(conn._auth_handler) is boto.auth.HmacAuthV4Handler
    signing.attach_token_source(conn, make_token())
    assert isinstance(conn._auth_handler, _boto.HmacAuthV4Handler)
    request = conn.build_base_http_request('POST', '/', None, {'Action': 'ListQueues'})
    request.authorize(connection=conn)
    assert 'X-Amz-Date' in request.headers


def test_the_clock_fixed_classes_are_not_offered_to_other_connections():
    found = boto.plugin.get_plugin(boto.auth_handler.AuthHandler, ['hmac-v4'])
    assert boto.auth.HmacAuthV4Handler in found
    assert not any(issubclass(cls, (_boto.HmacAuthV4Handler, _boto.S3HmacAuthV4Handler)) for cls in found)


def test_the_clock_follows_datetime_now(monkeypatch):
    """The rebound functions read datetime.datetime.now at call time (a test clock counts)."""
    fixed = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=_compat.UTC)

    class Frozen(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return fixed.astimezone(tz) if tz else fixed.replace(tzinfo=None)

    monkeypatch.setattr(datetime, 'datetime', Frozen)
    assert _boto._CLOCK_DATETIME.datetime.utcnow() == fixed.replace(tzinfo=None)


@pytest.mark.applies(sys.version_info >= (3, 12), reason='datetime.utcnow() warns on Python 3.12+ only')
def test_boto_own_handler_still_warns_so_the_tests_above_can_fail(deprecations_are_errors):
    conn = boto.connect_sqs('AKIACLOCKTEST0000001', 's')
    request = conn.build_base_http_request('POST', '/', None, {'Action': 'ListQueues'})
    with pytest.raises(DeprecationWarning):
        request.authorize(connection=conn)


# -- the version checks -------------------------------------------------------------------

def test_boto_fixes_are_on_from_3_12_on_every_newer_python():
    assert _compat.BOTO_NEEDS_FIXES is (sys.version_info >= (3, 12))
    assert _boto.install() is _compat.BOTO_NEEDS_FIXES


@pytest.mark.applies(sys.version_info >= (3, 12), reason='stsboto answers boto.vendored.six on 3.12+ only')
def test_aliased_six_moves_leave_each_module_its_own_loader():
    """3.14+ warns when formatting a traceback through a module whose __loader__ is
    not its __spec__.loader; six's importer left its spec on ``queue``."""
    import importlib
    module = importlib.import_module('boto.vendored.six.moves.queue')
    assert module is sys.modules['queue']
    aliased = [(name, m) for name, m in list(sys.modules.items())
               if name.startswith('boto.vendored.six') and m is not None]
    assert len(aliased) > 2
    assert [name for name, m in aliased
            if getattr(m, '__loader__', None) is not None and m.__spec__.loader is not m.__loader__] == []
