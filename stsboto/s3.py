"""Using a token with S3: ``connect_with_token`` and a drop-in for ``boto.s3``.

Usage::

    from stsboto import connect_with_token
    conn = connect_with_token(token)                 # a TokenS3Connection
    bucket = conn.get_bucket('photos')               # no request is made
    bucket.new_key('user-42/cat.jpg').set_contents_from_filename('cat.jpg')

    from stsboto import s3                           # instead of: from boto import s3
    conn = s3.connect_to_region('eu-north-1', token=token)

``TokenS3Connection`` is a subclass of boto's ``S3Connection``; buckets and
keys are boto's own classes.  ``s3.key``, ``s3.bucket``, ``s3.connection`` and
the rest of ``boto.s3`` stay reachable here, so an old script changes only its
import line.
"""
from __future__ import absolute_import, unicode_literals

import logging
import re

import six

from stsboto import redirects
from stsboto import regions as _regions
from stsboto import signing
from stsboto import transport
from stsboto.config import Settings, is_true
from stsboto._boto import boto
from stsboto.exceptions import (GET_ANOTHER_TOKEN, InvalidParameterError, MissingCredentialsError,
                                TokenExpiredError)
from stsboto.refresh import RefreshableToken
from stsboto.signing import MAX_PRESIGNED_SECONDS, TOKEN_HEADER, S3SigV4Handler  # noqa: F401
from stsboto.token import Token, find_token, format_expiration, token_expired_error

import boto.auth  # noqa: E402  (stsboto._boto made boto importable)
import boto.s3  # noqa: E402
import boto.s3.acl  # noqa: E402
import boto.s3.bucket  # noqa: E402
import boto.s3.bucketlistresultset  # noqa: E402
import boto.s3.connection  # noqa: E402
import boto.s3.deletemarker  # noqa: E402
import boto.s3.key  # noqa: E402
import boto.s3.multipart  # noqa: E402
import boto.s3.prefix  # noqa: E402
import boto.s3.user  # noqa: E402
import boto.utils  # noqa: E402

# boto.s3 re-exported, so ``from stsboto import s3`` is a drop-in.
acl = boto.s3.acl
bucket = boto.s3.bucket
bucketlistresultset = boto.s3.bucketlistresultset
connection = boto.s3.connection
deletemarker = boto.s3.deletemarker
key = boto.s3.key
multipart = boto.s3.multipart
prefix = boto.s3.prefix
user = boto.s3.user
S3RegionInfo = boto.s3.S3RegionInfo
regions = boto.s3.regions
S3Connection = boto.s3.connection.S3Connection
OrdinaryCallingFormat = boto.s3.connection.OrdinaryCallingFormat
SubdomainCallingFormat = boto.s3.connection.SubdomainCallingFormat
NO_HOST = boto.s3.connection.NoHostProvided

__all__ = ['connect_with_token', 'connect_to_region', 'TokenS3Connection', 'TOKEN_HEADER',
           'AutoCallingFormat', 'MAX_PRESIGNED_SECONDS', 'S3SigV4Handler',
           'DEFAULT_CONNECT_TIMEOUT', 'key', 'bucket', 'connection', 'S3Connection',
           'OrdinaryCallingFormat']

#: Seconds to wait for a connection by default (the transport's).
DEFAULT_CONNECT_TIMEOUT = transport.DEFAULT_CONNECT_TIMEOUT
log = logging.getLogger(__name__)
_EXPIRED_CODES = ('ExpiredToken', 'TokenRefreshRequired')
_EXPIRED_CODE = r'<Code>(%s)</Code>' % '|'.join(_EXPIRED_CODES)


# A bucket name usable as a DNS label under the S3 host and covered by the
# *.s3.amazonaws.com certificate: no dots, no upper case (AWS SDKs' "auto"
# addressing makes the same choice; see the S3 User Guide, "Virtual hosting of buckets").
_VIRTUAL_BUCKET = r'^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\Z'


def access_point_host(bucket):
    """``(host, signing region)`` when ``bucket`` is an S3 access point ARN, else None
    (FIPS / dual-stack as configured; see :func:`stsboto.regions.access_point_host`)."""
    if not isinstance(bucket, six.string_types) or not bucket.startswith('arn:'):
        return None
    return _regions.access_point_host(bucket)


def access_point_path(bucket, key):
    """The request path of ``key`` in an access point (the host names the access point)."""
    return '/%s' % six.moves.urllib.parse.quote(boto.utils.get_utf8_value(key))


class _AccessPoints(object):
    """Mixed into boto's calling formats: an S3 access point ARN as the bucket
    name goes to the access point's own host (the AWS SDKs accept ARNs where
    a bucket name goes; botocore's S3 endpoint rules)."""

    def build_host(self, server, bucket):
        found = access_point_host(bucket)
        if found is not None:
            return found[0]
        return super(_AccessPoints, self).build_host(server, bucket)

    def build_path_base(self, bucket, key=''):
        if access_point_host(bucket) is not None:
            return access_point_path(bucket, key)
        return super(_AccessPoints, self).build_path_base(bucket, key)

    def build_auth_path(self, bucket, key=''):
        if access_point_host(bucket) is not None:
            return access_point_path(bucket, key)
        return super(_AccessPoints, self).build_auth_path(bucket, key)


class PathCallingFormat(_AccessPoints, OrdinaryCallingFormat):
    """boto's path-style ``OrdinaryCallingFormat`` (``addressing_style = path``), access point ARNs too."""


class VirtualCallingFormat(_AccessPoints, SubdomainCallingFormat):
    """boto's virtual-hosted ``SubdomainCallingFormat`` (``addressing_style = virtual``),
    access point ARNs too."""


class AutoCallingFormat(_AccessPoints, SubdomainCallingFormat):
    """Virtual-hosted style (``bucket.s3.amazonaws.com``) where the bucket name
    allows it, path style (``s3.amazonaws.com/bucket``) otherwise
    (``addressing_style = auto``); access point ARNs go to their own host."""

    def virtual(self, bucket):
        return bool(re.match(_VIRTUAL_BUCKET, bucket or ''))

    def get_bucket_server(self, server, bucket):
        if self.virtual(bucket):
            return '%s.%s' % (bucket, server)
        return server

    def build_path_base(self, bucket, key=''):
        if access_point_host(bucket) is not None:
            return access_point_path(bucket, key)
        if not bucket or self.virtual(bucket):
            return SubdomainCallingFormat.build_path_base(self, bucket, key)
        return OrdinaryCallingFormat.build_path_base(_ORDINARY, bucket, key)


_ORDINARY = OrdinaryCallingFormat()
#: botocore's ``addressing_style`` names -> boto calling formats.
ADDRESSING = {'auto': AutoCallingFormat, 'virtual': VirtualCallingFormat,
              'path': PathCallingFormat}
_ADDRESSING = ADDRESSING


def _connect_timeout(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, six.integer_types + (float,)) or \
            not 0 < value < float('inf'):
        raise InvalidParameterError('connect_timeout must be a finite number of seconds above 0',
                                    'connect_timeout')
    return value


def _time_fetcher(value):
    if value is not None and not callable(value):
        raise InvalidParameterError('time_fetcher must be a callable returning the current time',
                                    'time_fetcher')
    return value


class TokenS3Connection(S3Connection):
    """An ``S3Connection`` that carries a session token and checks it first.

    Usage: ``TokenS3Connection(token=token, host='s3.eu-north-1.amazonaws.com')``;
    more often built by :func:`connect_with_token`.

    Takes every argument ``S3Connection`` takes, plus:

    :param token: anything :meth:`stsboto.Token.coerce` accepts; supplies the
        access key, secret key and session token.  Without it the connection
        uses the keys passed (and ``security_token``), like ``S3Connection``.
        A :class:`stsboto.RefreshableToken` is asked for its token before
        every attempt (share one between connections to share refreshes).
    :param refresh: a callable returning a new token: the connection wraps
        ``token`` (which may then be None) in a :class:`stsboto.RefreshableToken`.
    :param str region: the region to sign for (SigV4); default: boto's choice.
    :param bool sigv4: sign with SigV4 (default True when ``region`` is given).
    :param int retries: retries of a failed request (attempts = retries + 1);
        default: the settings (``AWS_MAX_ATTEMPTS``, the profile's
        ``max_attempts``, ``[Boto] num_retries``), else 2 (see
        :func:`stsboto.transport.policy`).
    :param connect_timeout: seconds to wait for a connection; default
        :data:`DEFAULT_CONNECT_TIMEOUT`; None: boto's socket timeout.
    :param time_fetcher: a callable returning the current time as an aware
        UTC datetime, for the expiry checks (and for the RefreshableToken
        made from ``refresh=``); default: the system clock.

    Every attempt of every request (boto's retries included) is signed from
    one token, checked first: a token that expires within
    :data:`stsboto.signing.EXPIRY_MARGIN` seconds raises
    :class:`TokenExpiredError` and nothing is sent (see
    :func:`stsboto.signing.attach_token_source`).  Error answers reach boto
    with the token's secrets masked; an endpoint that cannot be reached
    raises :class:`stsboto.exceptions.EndpointConnectionError`.
    """

    # send_checked is this class's own _mexe: attach_token_source adds no second one.
    _stsboto_checked_mexe = True

    def __init__(self, *args, **kwargs):
        token = kwargs.pop('token', None)
        refresh = kwargs.pop('refresh', None)
        region = kwargs.pop('region', None)
        sigv4 = kwargs.pop('sigv4', region is not None)
        time_fetcher = _time_fetcher(kwargs.pop('time_fetcher', None))
        self.stsboto_policy = transport.policy(retries=kwargs.pop('retries', None))
        self.stsboto_connect_timeout = _connect_timeout(
            kwargs.pop('connect_timeout', DEFAULT_CONNECT_TIMEOUT))
        source = _token_source(token, refresh, time_fetcher)
        if source is not None:
            token = source.get()
        if token is not None:
            token = Token.coerce(token)
            if args:
                raise InvalidParameterError('with token, pass the other arguments by keyword',
                                            'token')
            for name in ('aws_access_key_id', 'aws_secret_access_key', 'security_token'):
                if kwargs.get(name) is not None:
                    raise InvalidParameterError('pass either token or %s, not both' % name, name)
            kwargs.update(token.to_boto_kwargs())
        self._stsboto_source = source
        self._stsboto_sigv4 = bool(sigv4)
        if not args and kwargs.get('host', NO_HOST) is NO_HOST and not boto.config.get('s3', 'host'):
            # boto's HostRequiredError with S3_USE_SIGV4 and no host: SigV4 needs a
            # region, and S3's host names it (us-east-1's when none is configured).
            kwargs['host'] = _regions.s3_host(region or _regions.configured_region(
                's3', default='us-east-1'))
        super(TokenS3Connection, self).__init__(*args, **kwargs)
        if token is None and self.provider.access_key and self.provider.secret_key:
            # keys (and perhaps a token) found by boto: keep them as a Token too
            token = Token(self.provider.access_key, self.provider.secret_key,
                          self.provider.security_token)
        signing.fix_s3_connection(self, region, sigv4=sigv4)
        if token is not None and not getattr(self, 'anon', False):
            signing.attach_token_source(self, source if source is not None else token,
                                        time_fetcher=time_fetcher)
            signing.token_guard(self).remember(token)

    def __getstate__(self):
        # Pickled as boto pickles an S3Connection (smart_open's s3_iter_bucket
        # sends keys to worker processes): the attempt counter is per thread
        # and the token source may hold locks and callables; the signer
        # pickles with the token in use and, loaded elsewhere, refreshes
        # through that process's credential chain (stsboto.signing).
        state = dict(self.__dict__)
        state['_stsboto_source'] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    def _required_auth_capability(self):
        # Called by AWSAuthConnection.__init__ to pick boto's signer, and by
        # boto's Key to decide whether to hash the payload for SigV4.
        if not getattr(self, 'anon', False) and (
                getattr(self, '_stsboto_sigv4', False) or
                isinstance(getattr(self, '_auth_handler', None), boto.auth.S3HmacAuthV4Handler)):
            return ['hmac-v4-s3']
        return super(TokenS3Connection, self)._required_auth_capability()

    @property
    def token(self):
        """The :class:`stsboto.Token` last signed with (or to sign with), or None when anonymous."""
        guard = signing.token_guard(self)
        return guard.last if guard is not None else None

    @property
    def token_source(self):
        """The :class:`stsboto.RefreshableToken` behind the token, or None."""
        return self._stsboto_source

    def set_token(self, token):
        """Sign every later request with this token (and hand it to the token source).

        Usage: ``conn.set_token(new_token)``

        :param token: anything :meth:`stsboto.Token.coerce` accepts.
        """
        token = Token.coerce(token)
        guard = signing.token_guard(self)
        if guard is None:
            raise InvalidParameterError('an anonymous connection has no token to replace', 'token')
        if self._stsboto_source is not None:
            self._stsboto_source.set_token(token)
        else:
            guard.source.token = token  # the fixed token given at construction
        guard.remember(token)

    def check_token(self, now=None):
        """The token the next request is signed with: refreshed first if it has a source and is due.

        Usage: ``token = conn.check_token()``

        :param now: the time to check against (aware datetime); default: the
            connection's clock (``time_fetcher``).
        :raises TokenExpiredError: the token expires within
            :data:`stsboto.signing.EXPIRY_MARGIN` seconds (and could not be refreshed).
        :raises stsboto.TokenRefreshError: a refresh due before expiry failed.
        """
        return signing.current_token(self, now)

    def get_bucket(self, bucket_name, validate=False, headers=None):
        """boto's ``get_bucket``, without the validation request by default.

        A token scoped to ``bucket/*`` or a prefix may not do the HEAD (or
        GET ?max-keys=0) that ``validate=True`` sends: it needs s3:ListBucket.
        The returned object is boto's ``Bucket``.
        """
        return super(TokenS3Connection, self).get_bucket(bucket_name, validate=validate,
                                                         headers=headers)

    def new_http_connection(self, host, port, is_secure):
        return transport.new_http_connection(self, host, port, is_secure)

    def _mexe(self, request, sender=None, override_num_retries=None, retry_handler=None):
        # Every attempt of every request goes through here (boto's Key, Bucket
        # and multipart code included): the transport's retries and redirects,
        # error answers masked, unreachable endpoints named.
        redirector = redirects.for_connection(self)

        def send(request, sender, override_num_retries, retry_handler=None):
            return transport.send(self, request, sender, override_num_retries, retry_handler,
                                  redirector=redirector)
        return signing.send_checked(self, send, request, sender, override_num_retries,
                                    retry_handler=retry_handler)

    def make_request(self, method, bucket='', key='', headers=None, *args, **kwargs):
        # Every S3 request of boto (bucket, key, multipart) goes through here.
        try:
            response = super(TokenS3Connection, self).make_request(
                method, bucket, key, headers, *args, **kwargs)
        except boto.exception.BotoServerError as error:
            # uploads raise from inside boto's sender, before we see a response
            if error.error_code in _EXPIRED_CODES and self.token is not None:
                six.raise_from(self._expired_on_server(
                    'S3 refused the session token (%s)' % error.error_code), error)
            raise
        if response.status in (400, 403):
            self._raise_if_token_refused(method, response)
        return response

    def _expired_on_server(self, reason):
        token = self.token
        expiration = format_expiration(token.expiration) if token.expiration else 'unknown'
        # Not token_expired_error(): by this machine's clock the token is still valid.
        return TokenExpiredError(
            '%s: access key %s, expiration %s by this machine\'s clock (check the clock); '
            'to go on, %s' % (reason, token.access_key, expiration, GET_ANOTHER_TOKEN),
            expiration=token.expiration)

    def _raise_if_token_refused(self, method, response):
        """Turn S3's answers to an expired token into :class:`TokenExpiredError`.

        S3 says ``ExpiredToken`` (or ``TokenRefreshRequired``) in the error
        body; to a HEAD it can only answer a bare 400, which boto reports as
        "400 Bad Request" with nothing else.  Reached only when this machine's
        clock thinks the token is still valid: clock skew, or a token revoked
        early.
        """
        token = self.token
        if token is None or not token.session_token:
            return
        body = response.read()  # boto's HTTPResponse caches it for the caller (masked)
        if isinstance(body, bytes):
            body = body.decode('utf-8', 'replace')
        match = re.search(_EXPIRED_CODE, body or '')
        if match:
            reason = 'S3 refused the session token (%s)' % match.group(1)
        elif method == 'HEAD' and response.status == 400 and not body:
            reason = ('S3 answered a HEAD with a bare 400, its answer to an expired session '
                      'token')
        else:
            return
        raise self._expired_on_server(reason)

    def generate_url(self, expires_in, method, bucket='', key='', headers=None, query_auth=True,
                     force_http=False, response_headers=None, expires_in_absolute=False,
                     version_id=None):
        """boto's ``generate_url``, made right for token holders: see
        :func:`stsboto.signing.generate_url`.

        A presigned URL stops working when the token expires, whatever
        ``expires_in`` says; SigV4 URLs live at most 7 days (604800 s).
        """
        return signing.generate_url(self, expires_in, method, bucket, key, headers, query_auth,
                                    force_http, response_headers, expires_in_absolute,
                                    version_id)


def connect_with_token(token, region=None, endpoint_url=None, refresh=None, addressing=None,
                       sigv4=None, retries=None, connect_timeout=DEFAULT_CONNECT_TIMEOUT,
                       time_fetcher=None, **boto_kwargs):
    """A :class:`TokenS3Connection` for a token holder.

    Usage: ``conn = connect_with_token(token_json_or_dict_or_Token)``

    :param token: anything :meth:`stsboto.Token.coerce` accepts, or a
        :class:`stsboto.RefreshableToken`; None when ``refresh`` gets the first
        one, or to use the environment (``AWS_ACCESS_KEY_ID``, ...,
        ``AWS_SESSION_TOKEN``) and then the shared credentials file.
    :param refresh: a callable returning a new token (anything
        ``Token.coerce`` accepts): the connection refreshes the token before
        it expires (see :class:`stsboto.RefreshableToken`).
    :param str region: the token's S3 region; picks the endpoint and the
        signing region.  Default: ``AWS_REGION``, ``AWS_DEFAULT_REGION``, the
        profile's ``region``, else ``us-east-1``.
    :param str endpoint_url: ``http(s)://host[:port]`` of an S3-compatible
        server (moto, MinIO, Ceph); path-style addressing.  Default: the
        configured one (``AWS_ENDPOINT_URL_S3``, ``AWS_ENDPOINT_URL``, the
        profile's ``services`` section or ``endpoint_url``), else AWS: the
        region's host, FIPS / dual-stack / accelerate as configured.
    :param str addressing: ``auto`` (AWS default: virtual-hosted where the
        bucket name allows, else path), ``virtual`` or ``path`` (default for
        custom endpoints).
    :param bool sigv4: False restores boto's legacy signer choice (SigV2 on
        the classic endpoints); default (None) True: SigV4 for ``region``.
    :param int retries: retries of a failed request; default: the settings
        (see :func:`stsboto.transport.policy`).
    :param connect_timeout: seconds to wait for a connection; default
        :data:`DEFAULT_CONNECT_TIMEOUT`.
    :param time_fetcher: the clock for expiry checks (see :class:`TokenS3Connection`).
    :param boto_kwargs: boto's own connection arguments, passed to
        ``S3Connection`` (``host``, ``port``, ``is_secure``, ``calling_format``,
        ``proxy``, ...).
    :raises InvalidTokenError: the token is malformed (names the field).
    :raises MissingCredentialsError: ``token`` is None and none was found.
    :raises TokenExpiredError: the token has already expired; nothing is sent.
    """
    own = dict(addressing=addressing, retries=retries, connect_timeout=connect_timeout,
               time_fetcher=time_fetcher)
    if sigv4 is not None:
        own['sigv4'] = sigv4
    boto_kwargs.update(own)
    time_fetcher = _time_fetcher(time_fetcher)
    source = _token_source(token, refresh, time_fetcher)
    if source is not None:
        return _connect(region, endpoint_url, token=source, **boto_kwargs)
    if token is None:
        token = find_token()
        if token is None:
            raise MissingCredentialsError(
                'no token: pass one, or set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and '
                'AWS_SESSION_TOKEN, or a profile in the shared credentials file')
    token = Token.coerce(token)
    now = time_fetcher() if time_fetcher is not None else None
    if token.expired(now=now):
        raise token_expired_error(token, now)
    return _connect(region, endpoint_url, token=token, **boto_kwargs)


def _token_source(token, refresh, time_fetcher=None):
    """The RefreshableToken for ``token=`` and ``refresh=``, or None."""
    if isinstance(token, RefreshableToken):
        if refresh is not None:
            raise InvalidParameterError('pass refresh to the RefreshableToken, not with it',
                                        'refresh')
        return token
    if refresh is None:
        return None
    if not callable(refresh):
        raise InvalidParameterError('refresh must be a callable that returns a new token',
                                    'refresh')
    return RefreshableToken(token, refresh, time_fetcher=time_fetcher)


def _connect(region, endpoint_url=None, addressing=None, **kwargs):
    settings = Settings()
    region = _regions.configured_region('s3', explicit=region, settings=settings,
                                        default='us-east-1')
    if addressing is not None and addressing not in ADDRESSING:
        raise InvalidParameterError('addressing must be "auto", "virtual" or "path"', 'addressing')
    custom = True
    if kwargs.get('host') in (None, ''):
        kwargs.pop('host', None)
        endpoint = _regions.resolve_endpoint('s3', endpoint_url, settings=settings)
        if endpoint is not None:
            for name, value in endpoint.boto_kwargs().items():
                kwargs.setdefault(name, value)
        else:
            custom = False
            fips, dualstack = _regions.endpoint_variant(settings, 's3')
            if is_true(settings.s3('use_accelerate_endpoint')[0]) and \
                    kwargs.get('calling_format') is None and addressing in (None, 'virtual'):
                # S3 Transfer Acceleration: one global host, buckets as sub-domains
                # (botocore: s3.use_accelerate_endpoint; no FIPS variant).
                kwargs['host'] = _regions.s3_accelerate_host(region, dualstack, fips)
                addressing = 'virtual'
            else:
                kwargs['host'] = _regions.s3_regional_host(region, settings, fips, dualstack)
    elif endpoint_url is not None:
        raise InvalidParameterError('pass either endpoint_url or host, not both', 'endpoint_url')
    if 'calling_format' not in kwargs:
        # Custom servers answer on one host name: path style; AWS: virtual
        # hosted where the bucket name allows it; the profile's
        # s3.addressing_style when set.
        if addressing is None:
            configured, where = settings.s3('addressing_style')
            if configured is not None:
                addressing = configured.strip().lower()
                if addressing not in ADDRESSING:
                    raise InvalidParameterError('%s must be auto, virtual or path, not %r'
                                                % (where, configured[:20]), 'addressing_style')
        kwargs['calling_format'] = ADDRESSING[addressing or ('path' if custom else 'auto')]()
    elif addressing is not None:
        raise InvalidParameterError('pass either addressing or calling_format, not both',
                                    'addressing')
    kwargs.setdefault('region', region)
    try:
        return TokenS3Connection(**kwargs)
    except boto.exception.NoAuthHandlerFound as error:
        if isinstance(error, MissingCredentialsError):
            raise
        # The same error as stsboto.sts.connect_to_region's: a stsboto error
        # that is also boto's NoAuthHandlerFound.
        six.raise_from(MissingCredentialsError(
            'no AWS credentials for S3: pass token= (or aws_access_key_id and '
            'aws_secret_access_key), or set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and '
            'AWS_SESSION_TOKEN, or a profile in the shared credentials file'), error)


def connect_to_region(region_name, **kw_params):
    """boto's ``s3.connect_to_region``, for any region, plus ``token=`` and ``endpoint_url=``.

    Returns a :class:`TokenS3Connection` (an ``S3Connection``), never None:
    a region name that is not an AWS region raises ``ValueError``.

    :param str region_name: e.g. ``eu-north-1``.
    :param token: optional; anything :meth:`stsboto.Token.coerce` accepts.
    :param str endpoint_url: optional, as for :func:`connect_with_token`.
    :param kw_params: passed to ``S3Connection``, as with boto (and
        ``retries``, ``connect_timeout``, ``time_fetcher`` as for
        :class:`TokenS3Connection`).
    :raises MissingCredentialsError: no credentials passed and none found
        (also boto's ``NoAuthHandlerFound``, as boto raises there).
    """
    token = kw_params.pop('token', None)
    if token is None and not _has_credentials(kw_params):
        # boto ignores AWS_SESSION_TOKEN / aws_session_token (boto issue 3298):
        # read them ourselves so that a session token is never dropped.
        token = find_token()
    if token is not None:
        return connect_with_token(token, region_name, **kw_params)
    return _connect(region_name, kw_params.pop('endpoint_url', None), **kw_params)


def _has_credentials(kw_params):
    return any(kw_params.get(name) for name in ('aws_access_key_id', 'aws_secret_access_key',
                                                'security_token', 'profile_name', 'anon',
                                                'refresh'))
