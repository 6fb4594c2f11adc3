"""Signing fixes for boto 2 connections, usable on ANY connection boto built.

Usage::

    from stsboto import signing
    conn = boto.s3.connection.S3Connection(host='s3.eu-north-1.amazonaws.com', ...)
    signing.fix_s3_connection(conn, region='eu-north-1')   # SigV4 for the region, fixed signer
    signing.attach_token_source(conn, refreshable_token)   # sign every attempt from one snapshot
    url = signing.generate_url(conn, 600, 'GET', 'photos', 'cat.jpg')

What is fixed, and why (boto 2.49; 2.40 has the same code):

* :class:`S3SigV4Handler` replaces boto's ``S3HmacAuthV4Handler``: the Host
  header with its port once (boto signs ``host:port:port``), ``User-Agent``
  and ``Expect`` left unsigned, the session token header sent once, ``/`` and
  the other reserved characters of a query string sent exactly as signed
  (boto signs ``prefix=a%2F`` and sends ``prefix=a/``), non-ASCII keys on
  Python 2, presigned URLs with the connection's scheme.
* :func:`fix_s3_connection` gives an ``S3Connection`` that signer for its
  region, in place of boto's SigV2 (refused by buckets made after 2020-06-24)
  or boto's own SigV4 signer.
* :func:`generate_url`: no session token in ``query_auth=False`` URLs (boto
  issue 1477), the port kept with ``force_http``, a SigV4 presigned URL that
  carries the token, and ``expires_in`` checked.
* :func:`attach_token_source`: boto reads ``access_key``, ``secret_key`` and
  ``security_token`` one by one from the connection's provider while another
  thread may be replacing them, and it re-signs every retry of a request
  (``AWSAuthConnection._mexe`` calls ``request.authorize`` in its retry loop)
  with whatever the provider holds then.  Here every attempt, retries
  included, is signed from one immutable :class:`stsboto.Token` taken from
  the source at that moment (botocore's ``get_frozen_credentials`` serves the
  same purpose), after checking that it does not expire within a small
  margin.  Error answers are masked before boto turns them into exceptions
  (S3's ``InvalidToken`` / ``ExpiredToken`` echo the session token), and
  connection failures become :class:`stsboto.exceptions.EndpointConnectionError`.

(Over 600 lines, on purpose: these four pieces all reach into the same boto
internals, the auth handler and ``_mexe`` of one connection, and the boto
patch (``stsboto.patch_boto``) applies them together; split, each module
would import the others' private helpers.)
"""
from __future__ import absolute_import, division, unicode_literals

import functools
import logging
import socket
import threading
import time
from xml.sax.saxutils import escape as xml_escape

import six
from six.moves.urllib.parse import unquote_plus

from stsboto import regions as _regions
from stsboto import transport
from stsboto._boto import boto, handler_class_without_utcnow
from stsboto._boto import HmacAuthV4Handler as _ClockHmacAuthV4Handler
from stsboto._boto import S3HmacAuthV4Handler as _ClockS3HmacAuthV4Handler
from stsboto._compat import EPOCH, PY2, quote_text, utcnow
from stsboto._validate import validate_number, validate_timedelta
from stsboto.exceptions import EndpointConnectionError, InvalidParameterError, StsbotoError
from stsboto.logfilter import mask_secrets, scrub_boto_error
from stsboto.refresh import RefreshableToken
from stsboto.token import Token, token_expired_error

import boto.auth  # noqa: E402  (stsboto._boto made boto importable)
import boto.exception  # noqa: E402
import boto.utils  # noqa: E402

__all__ = ['S3SigV4Handler', 'fix_s3_connection', 'generate_url', 'attach_token_source',
           'current_token', 'canonical_headers', 'user_agent', 'send_app_id', 'AppIdV4Handler',
           'TOKEN_HEADER', 'MAX_PRESIGNED_SECONDS',
           'EXPIRY_MARGIN']

TOKEN_HEADER = 'x-amz-security-token'
#: The longest a SigV4 presigned URL may live (AWS S3 API reference,
#: "Authenticating Requests: Using Query Parameters": X-Amz-Expires <= 604800).
MAX_PRESIGNED_SECONDS = 604800
#: Seconds before its expiration from which a token is no longer used to sign:
#: a request signed just in time may still reach AWS after the expiry, and
#: clocks differ by a few seconds (AWS allows 15 minutes of skew for the
#: request time, but none for a session token's expiration).
EXPIRY_MARGIN = 5
log = logging.getLogger(__name__)
# Headers stsboto leaves out of S3 SigV4 signatures.  This is our own short
# list, not botocore's: botocore/auth.py SIGNED_HEADERS_BLACKLIST is longer
# (hop-by-hop and tracing headers such as connection, transfer-encoding,
# traceparent too) and never signs authorization.  These four are the ones boto
# 2 sends or signs itself that a proxy or HTTP library may rewrite, and that
# servers checking signatures the botocore way (moto, MinIO) leave out when
# they recompute the signature; boto sends none of the others.
_UNSIGNED_HEADERS = ('authorization', 'user-agent', 'expect', 'x-amzn-trace-id')
# Characters a SigV4 canonical query string leaves unencoded (AWS General
# Reference, "Create a canonical request": the unreserved characters).
_UNRESERVED = '-_.~'
_XML_QUOTES = {'"': '&quot;', "'": '&apos;'}


def _default_port(port, secure):
    return port is None or (port == 443 and secure) or (port == 80 and not secure)


def _requote_query(path):
    """``path`` with its query string encoded the way SigV4 signs it.

    boto's S3 signer reads the query from the request's ``auth_path``, decodes
    it as a form (``+`` is a space) and signs every character but the
    unreserved ones percent-encoded; the request line, though, keeps what
    boto's callers wrote (``quote()`` leaves ``/`` as it is, so a listing with
    ``prefix='a/'`` goes out as ``prefix=a/`` while ``prefix=a%2F`` was
    signed).  Servers that check signatures strictly refuse the mismatch;
    botocore sends the signed form, and so does this.  Parameters without a
    value (``?uploads``) stay without ``=``; the order is kept.
    """
    base, mark, query = path.partition('?')
    if not mark or not query:
        return path
    native = query.encode('utf-8') if PY2 and isinstance(query, six.text_type) else query
    pieces = []
    for piece in native.split(str('&')):
        name, equals, value = piece.partition(str('='))
        encoded = quote_text(unquote_plus(name), safe=_UNRESERVED)
        if equals:
            encoded += str('=') + quote_text(unquote_plus(value), safe=_UNRESERVED)
        pieces.append(encoded)
    requoted = str('&').join(pieces)
    if isinstance(base, six.text_type) and not isinstance(requoted, six.text_type):
        requoted = requoted.decode('ascii')
    return base + '?' + requoted


class S3SigV4Handler(_ClockS3HmacAuthV4Handler):
    """boto's S3 SigV4 signer with these boto 2.49 bugs fixed:

    * On a port other than 80/443 boto sends and signs ``Host: host:port:port``
      (the request's host already carries the port, and ``host_header`` adds it
      again): here the port appears once.
    * boto signs ``User-Agent`` and ``Expect``; botocore does not, so servers
      that verify with botocore's rules refuse boto's signature.
    * A session token header set by the caller in another letter case is
      dropped, so the connection's token is sent and signed once.
    * A query string goes out encoded as it was signed (``prefix=a%2F``, not
      ``prefix=a/``): see :func:`_requote_query`.
    * Presigned URLs keep the connection's scheme (boto 2.40 wrote https always).
    * Non-ASCII keys sign on Python 2 (boto's canonical URI raised KeyError).
    * Canonical headers ordered by name (see :func:`canonical_headers`).
    * S3 access point hosts signed for their own region.
    * No ``datetime.utcnow()`` (deprecated on 3.12+): see stsboto._boto.
    """

    def host_header(self, host, http_request):
        name = http_request.host
        if name.count(':') == 1:  # "host:port"; IPv6 literals are bracketed
            name = name.rsplit(':', 1)[0]
        secure = http_request.protocol == 'https'
        if _default_port(http_request.port, secure):
            return name
        return '%s:%s' % (name, http_request.port)

    def canonical_uri(self, http_request):
        # Python 2: boto unquotes a text path into text holding the UTF-8 bytes
        # as code points, then urllib.quote() raises KeyError on any non-ASCII
        # key (boto/auth.py S3HmacAuthV4Handler.canonical_uri): work on bytes.
        if PY2 and isinstance(http_request.path, six.text_type):
            http_request = _shallow_copy(http_request)
            http_request.path = http_request.path.encode('utf-8')
        return super(S3SigV4Handler, self).canonical_uri(http_request)

    def canonical_headers(self, headers_to_sign):
        return canonical_headers(headers_to_sign)

    def determine_region_name(self, host):
        # An access point signs for the region in its ARN, which its host names.
        if '.s3-accesspoint' in (host or ''):
            return _regions.region_from_s3_host(host)
        return super(S3SigV4Handler, self).determine_region_name(host)

    def credential_scope(self, http_request):
        # A request redirected to its bucket's region (stsboto.redirects) carries
        # the region to sign for; the connection's region stays for the others.
        region = getattr(http_request, 'signing_region', None)
        if region is None:
            return super(S3SigV4Handler, self).credential_scope(http_request)
        http_request.timestamp = http_request.headers['X-Amz-Date'][0:8]
        http_request.region_name = region
        http_request.service_name = self.determine_service_name(http_request.host)
        return '/'.join([http_request.timestamp, region, http_request.service_name, 'aws4_request'])

    def headers_to_sign(self, http_request):
        signed = super(S3SigV4Handler, self).headers_to_sign(http_request)
        for name in list(signed):
            if name.lower() in _UNSIGNED_HEADERS:
                del signed[name]
        return signed

    def add_auth(self, req, **kwargs):
        if self._provider.security_token:
            _drop_token_headers(req.headers)  # boto adds the provider's: once
        # Send the Host that is signed, on every attempt (a redirect changes
        # the host): boto sets it only once, and only when the connection
        # asked for SigV4 itself (AWSAuthConnection._mexe).
        for name in list(req.headers):
            if name.lower() == 'host':
                del req.headers[name]
        req.headers['Host'] = self.host_header(self.host, req)
        user_agent = getattr(self, 'user_agent', None)
        if user_agent:  # AWS_SDK_UA_APP_ID (boto's HTTPRequest.authorize set its own)
            req.headers['User-Agent'] = user_agent
        result = super(S3SigV4Handler, self).add_auth(req, **kwargs)
        req.path = _requote_query(req.path)
        return result

    def presign(self, req, expires, iso_date=None):
        url = super(S3SigV4Handler, self).presign(req, expires, iso_date=iso_date)
        # Older boto (2.40 among them) writes "https://" whatever the connection's protocol.
        return '%s://%s' % (req.protocol, url.split('://', 1)[1])


def user_agent(settings=None, base=None):
    """boto's User-Agent plus `` app/ID`` when ``AWS_SDK_UA_APP_ID`` /
    ``sdk_ua_app_id`` is set (the AWS SDKs' application id), else None."""
    from stsboto.config import Settings
    app_id = (settings if settings is not None else Settings()).app_id()
    if not app_id:
        return None
    base = boto.UserAgent if base is None else base
    return str('%s app/%s' % (base, app_id))


class AppIdV4Handler(_ClockHmacAuthV4Handler):
    """boto's SigV4 signer that sends ``AWS_SDK_UA_APP_ID`` in the User-Agent
    (``app/ID``), for stsboto's own STS connections: boto's request sets its
    global User-Agent just before signing, so the signer sets it again.  Not a
    direct subclass of boto's ``AuthHandler``: boto's plugin lookup never picks
    it for another connection."""

    user_agent = None

    def add_auth(self, req, **kwargs):
        if self.user_agent:
            req.headers['User-Agent'] = self.user_agent
        return super(AppIdV4Handler, self).add_auth(req, **kwargs)


def send_app_id(conn, settings=None):
    """Give ``conn`` (whose signer is boto's SigV4 one) the configured
    application id in its User-Agent; returns ``conn``."""
    agent = user_agent(settings)
    handler = getattr(conn, '_auth_handler', None)
    # boto's SigV4 signer, or its clock-fixed subclass (stsboto._boto), not an S3 one
    if agent and type(handler) in (boto.auth.HmacAuthV4Handler, _ClockHmacAuthV4Handler):
        fixed = object.__new__(AppIdV4Handler)
        fixed.__dict__.update(handler.__dict__)
        fixed.user_agent = agent
        conn._auth_handler = fixed
    return conn


def canonical_headers(headers_to_sign):
    """The canonical headers block of a SigV4 canonical request, ordered by header name.

    boto 2.49's ``HmacAuthV4Handler.canonical_headers`` sorts the joined
    ``name:value`` lines, so ``x-amz-copy-source-range:...`` comes before
    ``x-amz-copy-source:...`` (``-`` sorts before ``:``), while the
    ``SignedHeaders`` list is sorted by name: a ranged copy
    (``copy_part_from_key``) or ``x-amz-meta-a`` with ``x-amz-meta-a-b`` gets
    SignatureDoesNotMatch from a strict server.  AWS's rule ("Create a
    canonical request", AWS General Reference) sorts by lowercase name; values
    are trimmed and inner runs of spaces folded, as boto (and botocore) do.
    """
    lines = []
    for name in headers_to_sign:
        raw = str(headers_to_sign[name])
        value = raw.strip() if '"' in raw else str(' ').join(raw.strip().split())
        lines.append((str(name.lower().strip()), value))  # native str, as boto's
    lines.sort(key=lambda pair: pair[0])
    return str('\n').join(str('%s:%s') % pair for pair in lines)


def _shallow_copy(obj):
    clone = object.__new__(type(obj))
    clone.__dict__.update(obj.__dict__)
    return clone


def _drop_token_headers(headers):
    for name in list(headers):
        if name.lower() == TOKEN_HEADER:
            del headers[name]


# -- fix_s3_connection ---------------------------------------------------------

def fix_s3_connection(conn, region=None, sigv4=True):
    """Give a boto ``S3Connection`` the fixed SigV4 signer; returns ``conn``.

    Usage: ``fix_s3_connection(boto.connect_s3(host=...), region='eu-north-1')``

    Call it after ``S3Connection.__init__``.  Anonymous connections and
    other storage providers (``provider='google'``) are left as they are.  A
    token source attached with :func:`attach_token_source` stays attached.

    :param conn: a ``boto.s3.connection.S3Connection`` (or subclass).
    :param str region: the region to sign for; default: the region boto's
        signer was given, else the one in the host name, else ``us-east-1``.
    :param bool sigv4: False keeps boto's choice of signer (SigV2 on the
        classic endpoints) and only fixes boto's SigV4 signer where boto chose it.
    """
    if getattr(conn, 'anon', False) or getattr(conn.provider, 'name', 'aws') != 'aws':
        return conn
    handler = conn._auth_handler
    guard = getattr(handler, '_stsboto_guard', None)
    if not sigv4 and not isinstance(handler, boto.auth.S3HmacAuthV4Handler):
        return conn
    try:
        fixed = S3SigV4Handler(conn.host, boto.config, conn.provider)
    except boto.auth_handler.NotReadyToAuthenticate:  # no keys: boto's handler stays
        return conn
    fixed.user_agent = user_agent()
    fixed.region_name = (region or getattr(handler, 'region_name', None) or
                         _regions.region_from_s3_host(conn.host))
    conn._auth_handler = fixed if guard is None else _guarded_handler(fixed, guard)
    if 'hmac-v4-s3' not in conn._required_auth_capability():
        # boto's Key computes the payload hash a SigV4 request needs only when
        # the connection says it signs with SigV4 (boto/s3/key.py send_file).
        conn._required_auth_capability = _SigV4Capability(conn)
    return conn


class _SigV4Capability(object):
    """``conn._required_auth_capability``: SigV4 for S3.  An object of a
    module-level class, not a bound function, so that the connection pickles
    (a ``types.MethodType`` of a module function does not)."""

    def __init__(self, conn):
        self.conn = conn

    def __call__(self):
        return ['anon'] if getattr(self.conn, 'anon', False) else ['hmac-v4-s3']


# -- snapshot signing ------------------------------------------------------------

class _StaticSource(object):
    """A token source that always gives the same token (``RefreshableToken``'s ``get``)."""

    def __init__(self, token):
        self.token = token

    def get(self):
        return self.token


class _TokenGuard(object):
    """What a connection signs with: the source, the clock and the margin.

    One per connection; shared by every thread using the connection.  The
    refreshing is the source's: a :class:`RefreshableToken` is asked for a
    token with time left beyond the margin (it refreshes, once for all
    threads, when there is none); any other source's token is checked here.
    """

    def __init__(self, source, margin, time_fetcher, on_token):
        self.source = source
        self.margin = margin
        self.clock = time_fetcher or utcnow
        self.on_token = on_token
        self.last = None
        self.previous = None

    def now(self):
        return self.clock()

    def current(self, now=None):
        """The token to sign the next attempt with, refreshed first when due.

        :param now: check against this time rather than the clock.
        :raises TokenExpiredError: it expires within the margin and could
            not be refreshed; nothing is sent.
        """
        if isinstance(self.source, RefreshableToken):
            token = self.source.get(margin=self.margin)  # on the source's own clock
        else:
            token = Token.coerce(self.source.get())
            now = self.now() if now is None else now
            refresh_now = getattr(self.source, 'refresh_now', None)
            if callable(refresh_now) and token.expired(margin=self.margin, now=now):
                token = Token.coerce(refresh_now())  # another kind of source: its own way
                now = self.now()
        if now is not None and token.expired(margin=self.margin, now=now):
            raise token_expired_error(token, now, self._detail())
        self._seen(token)
        return token

    def _detail(self):
        return ('nothing was sent (a token is not used in its last %d seconds, so that no '
                'request reaches AWS after it expires)' % self.margin.total_seconds())

    def remember(self, token):
        """Note ``token`` as the one in use (``conn.provider`` follows)."""
        self._seen(token)

    def _seen(self, token):
        last = self.last
        if token is last:
            return
        if last is not None and token == last:
            return
        self.previous, self.last = last, token
        if self.on_token is not None:
            self.on_token(token)

    def secrets(self):
        """The secrets of the tokens in use, also as an XML answer would echo them."""
        found = set()
        for token in (self.last, self.previous):
            if token is not None:
                for secret in (token.secret_key, token.session_token):
                    if secret:
                        found.update((secret, xml_escape(secret, _XML_QUOTES)))
        return sorted(found)


class _FrozenProvider(object):
    """A boto ``Provider`` whose keys are one token's, fixed: everything else
    (header names, the provider name) comes from the connection's provider."""

    def __init__(self, provider, token):
        self._provider = provider
        self.access_key = token.access_key
        self.secret_key = token.secret_key
        self.security_token = token.session_token

    def __getattr__(self, name):
        return getattr(self._provider, name)


class _SnapshotSigning(object):
    """Mixed into the class of a connection's auth handler by
    :func:`attach_token_source`: each call signs with a private copy of the
    handler that holds one token's keys, so concurrent threads and refreshes
    never mix the keys of two tokens in one signature."""

    _stsboto_base = None   # the handler class this mixin was combined with
    _stsboto_guard = None

    def _stsboto_signer(self, token):
        signer = object.__new__(self._stsboto_base)
        signer.__dict__.update(self.__dict__)
        signer.__dict__.pop('_stsboto_guard', None)
        signer.update_provider(_FrozenProvider(self._provider, token))
        return signer

    def add_auth(self, http_request, **kwargs):
        # boto calls this before every attempt of a request, retries included.
        token = self._stsboto_guard.current()
        if token.session_token and isinstance(self, _S3_HANDLERS):
            _drop_token_headers(http_request.headers)
        return self._stsboto_signer(token).add_auth(http_request, **kwargs)

    def presign(self, req, expires, iso_date=None):
        return self._stsboto_signer(self._stsboto_guard.current()).presign(
            req, expires, iso_date=iso_date)

    def sign_string(self, string_to_sign):
        return self._stsboto_signer(self._stsboto_guard.current()).sign_string(string_to_sign)

    def __reduce__(self):
        # The class is built at run time (one per boto handler class), so
        # pickle cannot name it: pickle the handler boto would have (its
        # class, its state: the provider with the current keys) and the
        # token in use, and rebuild the guard around them on loading
        # (smart_open's s3_iter_bucket pickles boto keys into worker processes).
        base = self._stsboto_base
        state = dict(self.__getstate__() if hasattr(self, '__getstate__') else self.__dict__)
        guard = state.pop('_stsboto_guard')  # every handler of this class has one
        return _unpickle_guarded, (base, state, guard.last, guard.margin)


_S3_HANDLERS = (boto.auth.HmacAuthV1Handler, boto.auth.S3HmacAuthV4Handler)
_GUARDED_CLASSES = {}
_CLASSES_LOCK = threading.Lock()


def _guarded_class(base):
    with _CLASSES_LOCK:
        cls = _GUARDED_CLASSES.get(base)
        if cls is None:
            # Not a direct subclass of AuthHandler: boto's plugin lookup
            # (boto.plugin.get_plugin) never picks it for another connection.
            cls = type(str('Snapshot' + base.__name__), (_SnapshotSigning, base),
                       {'_stsboto_base': base, '__module__': __name__})
            _GUARDED_CLASSES[base] = cls
        return cls


def _refresh_from_chain():
    """A new token from the credential chain of this process (for handlers
    unpickled here: the process that pickled them had its own source)."""
    from stsboto.exceptions import MissingCredentialsError
    from stsboto.token import find_token
    source = find_token()
    if source is None:
        raise MissingCredentialsError('the token of an unpickled connection expired and the '
                                      'credential chain of this process found no credentials')
    return source.get() if callable(getattr(source, 'get', None)) else source


def _chain_source(token):
    """The token source of a handler loaded from a pickle: the token it was
    pickled with, then (in the margin only, as before pickling) what this
    process's credential chain gives."""
    return RefreshableToken(token, _refresh_from_chain, advisory_window=0, mandatory_window=0)


def _unpickle_guarded(base, state, token, margin):
    handler = object.__new__(base)
    if hasattr(handler, '__setstate__'):
        handler.__setstate__(state)
    else:
        handler.__dict__.update(state)
    provider = getattr(handler, '_provider', None)
    if token is None:
        if provider is None or not provider.access_key:
            return handler
        token = Token(provider.access_key, provider.secret_key, provider.security_token)
    on_token = functools.partial(_set_provider_keys, provider) if provider is not None else None
    guard = _TokenGuard(_chain_source(token), margin, None, on_token)
    guard.remember(token)
    return _guarded_handler(handler, guard)


def _guarded_handler(handler, guard):
    # boto's SigV4 handlers read utcnow(), deprecated on 3.12+: sign with stsboto._boto's
    base = handler_class_without_utcnow(getattr(handler, '_stsboto_base', None) or type(handler))
    wrapped = object.__new__(_guarded_class(base))
    wrapped.__dict__.update(handler.__dict__)
    wrapped._stsboto_guard = guard
    return wrapped


def attach_token_source(conn, source, margin=EXPIRY_MARGIN, time_fetcher=None):
    """Sign every request of ``conn`` from one snapshot of ``source``; returns ``conn``.

    Usage: ``attach_token_source(boto.connect_sqs(...), RefreshableToken(None, refresh=issue))``

    Works on any boto ``AWSAuthConnection`` (S3, SQS, SNS, DynamoDB, ...).
    Before every attempt of every request, boto's own retries after a 5xx
    or a socket error included, the connection takes the token ``source``
    gives at that moment, refuses to send if it expires within ``margin``
    seconds (refreshing it first when the source can), and signs with that
    token alone.  ``conn.provider`` is updated with each new token for code
    that reads it.  Error answers are masked before boto reads them, so no
    boto error raised through the connection holds the token's secrets, and
    connection failures become :class:`stsboto.exceptions.EndpointConnectionError`
    (also a ``socket.error``).

    :param conn: a boto connection with keys (not anonymous).
    :param source: a :class:`stsboto.RefreshableToken` (anything with a
        ``get()`` returning a token; ``refresh_now()`` is used when present),
        or a token (anything :meth:`stsboto.Token.coerce` accepts).
    :param margin: seconds (or a timedelta) before expiry from which the
        token is not used.  Default :data:`EXPIRY_MARGIN`.
    :param time_fetcher: a callable returning the current time as an aware
        UTC datetime, for the margin of a source that is not a
        :class:`stsboto.RefreshableToken` (which keeps its own clock);
        default: the system clock.
    :raises InvalidParameterError: ``margin`` is not a finite, non-negative duration.
    """
    margin = _margin(margin)
    if not callable(getattr(source, 'get', None)) or isinstance(source, (dict, Token)):
        source = _StaticSource(Token.coerce(source))
    guard = _TokenGuard(source, margin, time_fetcher,
                        functools.partial(_set_provider_keys, conn.provider))
    conn._auth_handler = _guarded_handler(conn._auth_handler, guard)
    if not getattr(type(conn), '_stsboto_checked_mexe', False):
        # boto's callers (S3's Key and Bucket, SQS, DynamoDB's layer1) all send through _mexe.
        conn._mexe = _CheckedMexe(conn)
    return conn


def _margin(margin):
    return validate_timedelta(margin, 'margin')


def _set_provider_keys(provider, token):
    provider.access_key = token.access_key
    provider.secret_key = token.secret_key
    provider.security_token = token.session_token


def token_guard(conn):
    """The guard :func:`attach_token_source` put on ``conn``, or None."""
    return getattr(conn._auth_handler, '_stsboto_guard', None)


def current_token(conn, now=None):
    """The token ``conn`` signs its next request with (checked), or None when anonymous.

    Usage: ``token = current_token(conn)``

    For a connection without :func:`attach_token_source`, a token of the
    keys in ``conn.provider`` (without expiration).

    :raises TokenExpiredError: the token expires within the margin.
    """
    guard = token_guard(conn)
    if guard is not None:
        return guard.current(now)
    provider = conn.provider
    if getattr(conn, 'anon', False) or not provider.access_key or not provider.secret_key:
        return None
    return Token(provider.access_key, provider.secret_key, provider.security_token)


# -- sending: masked error answers, named endpoints -------------------------------

unreachable = transport.unreachable  # where 0.2 had it; the transport owns the rule


def endpoint_of(conn, request=None):
    """``scheme://host:port`` a request (or an http.client connection) of
    ``conn`` goes to, for error messages."""
    host = getattr(request, 'host', None) or conn.host
    port = getattr(request, 'port', None) or conn.port
    if host and host.count(':') == 1:
        host, port = host.split(':')
    return '%s://%s:%s' % (conn.protocol, host, port)


class _CheckedMexe(object):
    """``conn._mexe`` through :func:`send_checked`; an object of a module-level
    class (not a bound function) so that the connection still pickles."""

    def __init__(self, conn):
        self.conn = conn

    def __call__(self, request, *args, **kwargs):
        conn = self.conn
        return send_checked(conn, functools.partial(type(conn)._mexe, conn), request, *args,
                            **kwargs)


def send_checked(conn, mexe, request, *args, **kwargs):
    """``mexe(request, ...)`` (boto's ``_mexe``), with error answers masked and
    unreachable endpoints named.

    * An answer of 400 or more has its body read and the connection's
      secrets (and every token-shaped value) masked before boto's caller
      builds its exception from it (S3 echoes the session token in
      ``<Token-0>`` of ``InvalidToken`` and ``ExpiredToken``).
    * A boto error raised inside (an upload's sender, retries exhausted) is
      masked in place (:func:`stsboto.logfilter.scrub_boto_error`) and re-raised.
    * A refused, unresolvable or timed-out endpoint, after boto's retries,
      raises :class:`EndpointConnectionError` naming the endpoint.
    """
    guard = token_guard(conn)
    try:
        response = mexe(request, *args, **kwargs)
    except boto.exception.BotoServerError as error:
        scrub_boto_error(error, guard.secrets() if guard is not None else ())
        raise
    except (socket.error, IOError) as error:
        if not unreachable(error) or isinstance(error, StsbotoError):
            raise
        endpoint = endpoint_of(conn, request)
        six.raise_from(EndpointConnectionError(
            'could not reach %s (or it did not answer in time): %s: %s'
            % (endpoint, type(error).__name__, error),
            endpoint=endpoint), error)
    if response is not None and getattr(response, 'status', 200) >= 400:
        _mask_body(response, guard.secrets() if guard is not None else ())
    return response


def _mask_body(response, secrets):
    if not hasattr(response, '_cached_response'):
        return  # not boto's HTTPResponse: nothing cached to replace
    body = response.read()
    if not body:
        return
    masked = mask_secrets(body, secrets)
    response._cached_response = masked.encode('utf-8') if isinstance(body, bytes) else masked


# -- generate_url ------------------------------------------------------------------

def _expires(value, absolute, now):
    """Seconds the URL lives (relative), from what the caller passed."""
    value = validate_number(value, 'expires_in', unit='seconds')
    if absolute:
        return value - (now - EPOCH).total_seconds()
    return value


def generate_url(conn, expires_in, method, bucket='', key='', headers=None, query_auth=True,
                 force_http=False, response_headers=None, expires_in_absolute=False,
                 version_id=None):
    """boto's ``S3Connection.generate_url``, made right for token holders.

    Usage: ``url = generate_url(conn, 600, 'GET', 'photos', 'cat.jpg')``

    * ``query_auth=False`` gives a plain URL with no credentials at all:
      boto appends the session token to it anyway (boto issue 1477).
    * ``force_http`` keeps a port other than 443 (boto drops it).
    * With SigV4 the URL carries ``X-Amz-Security-Token`` and is signed for
      the connection's region; ``expires_in_absolute`` and ``force_http`` work
      there too (boto ignores them); it lives 1-604800 seconds.
    * With SigV2 the token goes in the signed query, as boto does.
    * One token signs the whole URL (see :func:`attach_token_source`); a
      presigned URL stops working when that token expires, whatever
      ``expires_in`` says (a warning is logged).

    :param expires_in: seconds the URL lives, or with ``expires_in_absolute``
        the time (seconds since 1970) it stops.
    :raises InvalidParameterError: ``expires_in`` is not a finite number, or
        out of range for SigV4.
    :raises TokenExpiredError: the token expires within the margin.
    """
    guard = token_guard(conn)
    now = guard.now() if guard is not None else utcnow()
    seconds = _expires(expires_in, expires_in_absolute, now)
    if force_http:
        protocol = 'http'
        port = conn.port if conn.port not in (None, 443) else 80
    else:
        protocol, port = conn.protocol, conn.port
    if not query_auth:
        return _plain_url(conn, protocol, port, bucket, key, response_headers, version_id)
    handler = conn._auth_handler
    sigv4 = isinstance(handler, boto.auth.S3HmacAuthV4Handler)
    if sigv4 and not 1 <= seconds <= MAX_PRESIGNED_SECONDS:
        raise InvalidParameterError('expires_in must be 1-%d seconds for a SigV4 presigned URL'
                                    % MAX_PRESIGNED_SECONDS, 'expires_in')
    if getattr(conn, 'anon', False):
        return _plain_url(conn, protocol, port, bucket, key, response_headers, version_id)
    token = current_token(conn, now if guard is not None else None)
    left = token.remaining(now)
    if left is not None and left.total_seconds() < seconds:
        log.warning('presigned URL asked to live %d s, but the token (access key %s) '
                    'expires in %d s; the URL stops working then', seconds,
                    token.access_key, left.total_seconds())
    base = getattr(handler, '_stsboto_base', None) or type(handler)
    signer = object.__new__(base)
    signer.__dict__.update(handler.__dict__)
    signer.__dict__.pop('_stsboto_guard', None)
    signer.update_provider(_FrozenProvider(conn.provider, token))
    if sigv4:
        return _presign_v4(conn, signer, int(seconds), method, bucket, key, headers, protocol,
                           port, response_headers, version_id)
    expires = int(expires_in) if expires_in_absolute else int(time.time() + seconds)
    return _presign_v2(conn, signer, token, expires, method, bucket, key, headers, protocol,
                       port, response_headers, version_id)


def _server(conn, protocol, port):
    if _default_port(port, protocol == 'https'):
        return conn.host
    return '%s:%s' % (conn.host, port)


def _plain_url(conn, protocol, port, bucket, key, response_headers, version_id):
    url = conn.calling_format.build_url_base(conn, protocol, _server(conn, protocol, port),
                                             bucket, key)
    params = []
    if version_id is not None:
        params.append('versionId=%s' % quote_text(version_id))
    for name, value in sorted((response_headers or {}).items()):
        params.append('%s=%s' % (quote_text(name), quote_text(value)))
    return url + ('?' + '&'.join(params) if params else '')


def _presign_v4(conn, signer, seconds, method, bucket, key, headers, protocol, port,
                response_headers, version_id):
    params = dict(response_headers or {})
    if version_id is not None:
        params['VersionId'] = version_id
    host = conn.calling_format.build_host(_server(conn, protocol, port), bucket)
    request = conn.build_base_http_request(
        method, conn.calling_format.build_path_base(bucket, key),
        conn.calling_format.build_auth_path(bucket, key), headers=headers, host=host,
        params=params)
    # The signed Host is the one the URL names (scheme and port as given).
    request.protocol, request.port = protocol, port
    return signer.presign(request, seconds)


def _presign_v2(conn, signer, token, expires, method, bucket, key, headers, protocol, port,
                response_headers, version_id):
    # SigV2 query authentication (S3 Developer Guide, "Query string request
    # authentication alternative"): the sub-resources are signed, and the
    # x-amz-* headers that were signed travel in the query.
    headers = dict(headers or {})
    _drop_token_headers(headers)
    if token.session_token:
        headers[TOKEN_HEADER] = token.session_token
    resources = []
    if version_id is not None:
        resources.append('versionId=%s' % version_id)
    for name, value in sorted((response_headers or {}).items()):
        resources.append('%s=%s' % (name, quote_text(value)))
    auth_path = conn.get_path(conn.calling_format.build_auth_path(bucket, key))
    if resources:
        auth_path += ('&' if '?' in auth_path else '?') + '&'.join(resources)
    string_to_sign = boto.utils.canonical_string(method, auth_path, headers, expires,
                                                 signer._provider)
    query = ['Signature=%s' % quote_text(signer.sign_string(string_to_sign)),
             'Expires=%d' % expires, 'AWSAccessKeyId=%s' % quote_text(token.access_key)]
    query.extend(resources)
    prefix = conn.provider.header_prefix
    for name, value in sorted(headers.items()):
        if name.lower().startswith(prefix):
            query.append('%s=%s' % (name, quote_text(value)))
    url = conn.calling_format.build_url_base(conn, protocol, _server(conn, protocol, port),
                                             bucket, key)
    return url + '?' + '&'.join(query)
