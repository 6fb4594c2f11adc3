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

import copy
import logging
import re
import time

import six

from stsboto import regions as _regions
from stsboto._boto import boto
from stsboto._compat import quote_text
from stsboto.exceptions import InvalidParameterError, MissingCredentialsError, TokenExpiredError
from stsboto.refresh import RefreshableToken
from stsboto.token import Token, find_token, format_expiration

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

__all__ = ['connect_with_token', 'connect_to_region', 'TokenS3Connection', 'TOKEN_HEADER',
           'AutoCallingFormat', 'MAX_PRESIGNED_SECONDS', 'key', 'bucket', 'connection',
           'S3Connection', 'OrdinaryCallingFormat']

TOKEN_HEADER = 'x-amz-security-token'
#: The longest a SigV4 presigned URL may live (AWS S3 API reference,
#: "Authenticating Requests: Using Query Parameters": X-Amz-Expires <= 604800).
MAX_PRESIGNED_SECONDS = 604800
log = logging.getLogger(__name__)
_EXPIRED_CODES = ('ExpiredToken', 'TokenRefreshRequired')
_EXPIRED_CODE = re.compile(r'<Code>(%s)</Code>' % '|'.join(_EXPIRED_CODES))
# Headers botocore's SigV4 signer leaves out (botocore/auth.py SIGNED_HEADERS_BLACKLIST):
# proxies and HTTP libraries may change them, and servers that sign with
# botocore (moto, MinIO clients) then compute another signature.
_UNSIGNED_HEADERS = ('authorization', 'user-agent', 'expect', 'x-amzn-trace-id')


def _default_port(port, secure):
    return port is None or (port == 443 and secure) or (port == 80 and not secure)


class S3SigV4Handler(boto.auth.S3HmacAuthV4Handler):
    """boto 2.49's S3 SigV4 signer with two bugs fixed.

    * On a port other than 80/443, boto sends and signs ``Host: host:port:port``
      (the request's host already carries the port, and ``host_header`` adds it
      again): here the port appears once.
    * boto signs ``User-Agent`` and ``Expect``; botocore does not, so servers
      that verify with botocore's rules refuse boto's signature.
    * A session token header set by the caller in another letter case is
      merged with boto's own, so it is sent and signed once.
    * Presigned URLs keep the connection's scheme (old boto always wrote https).
    * Non-ASCII keys sign on Python 2 (boto's canonical URI raised KeyError).
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
        if six.PY2 and isinstance(http_request.path, six.text_type):
            http_request = copy.copy(http_request)
            http_request.path = http_request.path.encode('utf-8')
        return super(S3SigV4Handler, self).canonical_uri(http_request)

    def headers_to_sign(self, http_request):
        signed = super(S3SigV4Handler, self).headers_to_sign(http_request)
        for name in list(signed):
            if name.lower() in _UNSIGNED_HEADERS:
                del signed[name]
        return signed

    def add_auth(self, req, **kwargs):
        for name in list(req.headers):
            if name.lower() == TOKEN_HEADER:
                del req.headers[name]
        return super(S3SigV4Handler, self).add_auth(req, **kwargs)

    def presign(self, req, expires, iso_date=None):
        url = super(S3SigV4Handler, self).presign(req, expires, iso_date=iso_date)
        # Older boto (2.40 among them) writes "https://" whatever the connection's protocol.
        return '%s://%s' % (req.protocol, url.split('://', 1)[1])


# A bucket name usable as a DNS label under the S3 host and covered by the
# *.s3.amazonaws.com certificate: no dots, no upper case (AWS SDKs' "auto"
# addressing makes the same choice; see the S3 User Guide, "Virtual hosting of buckets").
_VIRTUAL_BUCKET = r'^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\Z'


class AutoCallingFormat(SubdomainCallingFormat):
    """Virtual-hosted style (``bucket.s3.amazonaws.com``) where the bucket name
    allows it, path style (``s3.amazonaws.com/bucket``) otherwise."""

    def virtual(self, bucket):
        return bool(re.match(_VIRTUAL_BUCKET, bucket or ''))

    def get_bucket_server(self, server, bucket):
        if self.virtual(bucket):
            return '%s.%s' % (bucket, server)
        return server

    def build_path_base(self, bucket, key=''):
        if not bucket or self.virtual(bucket):
            return SubdomainCallingFormat.build_path_base(self, bucket, key)
        return OrdinaryCallingFormat.build_path_base(_ORDINARY, bucket, key)


_ORDINARY = OrdinaryCallingFormat()
_ADDRESSING = {'auto': AutoCallingFormat, 'virtual': SubdomainCallingFormat,
               'path': OrdinaryCallingFormat}


class TokenS3Connection(S3Connection):
    """An ``S3Connection`` that carries a session token and checks it first.

    Usage: ``TokenS3Connection(token=token, host='s3.eu-north-1.amazonaws.com')``;
    more often built by :func:`connect_with_token`.

    Takes every argument ``S3Connection`` takes, plus:

    :param token: anything :meth:`stsboto.Token.coerce` accepts; supplies the
        access key, secret key and session token.  Without it the connection
        uses the keys passed (and ``security_token``), like ``S3Connection``.
        A :class:`stsboto.RefreshableToken` is asked for its token before
        every request (share one between connections to share refreshes).
    :param refresh: a callable returning a new token: the connection wraps
        ``token`` (which may then be None) in a :class:`stsboto.RefreshableToken`.
    :param str region: the region to sign for (SigV4); default: boto's choice.
    :param bool sigv4: sign with SigV4 (default True when ``region`` is given).

    Every request made through the connection first checks that the token has
    not expired (:class:`TokenExpiredError`, nothing sent) and carries the
    ``x-amz-security-token`` header.
    """

    def __init__(self, *args, **kwargs):
        token = kwargs.pop('token', None)
        refresh = kwargs.pop('refresh', None)
        region = kwargs.pop('region', None)
        sigv4 = kwargs.pop('sigv4', region is not None)
        source = _token_source(token, refresh)
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
        self._stsboto_token = token
        self._stsboto_source = source
        self._stsboto_sigv4 = bool(sigv4)
        super(TokenS3Connection, self).__init__(*args, **kwargs)
        if self._stsboto_token is None and self.provider.access_key and self.provider.secret_key:
            # keys (and perhaps a token) found by boto: keep them as a Token too
            self._stsboto_token = Token(self.provider.access_key, self.provider.secret_key,
                                        self.provider.security_token)
        if isinstance(self._auth_handler, boto.auth.S3HmacAuthV4Handler):
            handler = S3SigV4Handler(self.host, boto.config, self.provider)
            handler.region_name = region or getattr(self._auth_handler, 'region_name', None)
            self._auth_handler = handler

    def _required_auth_capability(self):
        # Called by AWSAuthConnection.__init__ to pick boto's signer.
        if not getattr(self, 'anon', False) and getattr(self, '_stsboto_sigv4', False):
            return ['hmac-v4-s3']
        return super(TokenS3Connection, self)._required_auth_capability()

    @property
    def token(self):
        """The :class:`stsboto.Token` in use, or None for an anonymous connection."""
        return self._stsboto_token

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
        if self._stsboto_source is not None:
            self._stsboto_source.set_token(token)
        self._use_token(token)

    def _use_token(self, token):
        self._stsboto_token = token
        self.provider.access_key = token.access_key
        self.provider.secret_key = token.secret_key
        self.provider.security_token = token.session_token
        # boto's HMAC signers keep keys derived from the secret (boto/auth.py
        # HmacKeys.update_provider); the anonymous handler has none.
        update = getattr(self._auth_handler, 'update_provider', None)
        if update is not None:
            update(self.provider)

    def check_token(self, now=None):
        """The token to sign with: refreshed first if it has a source and is due.

        :raises TokenExpiredError: the token has expired (and could not be refreshed).
        :raises stsboto.TokenRefreshError: a refresh due before expiry failed.
        """
        if self._stsboto_source is not None:
            current = self._stsboto_source.get()
            if current != self._stsboto_token:
                self._use_token(current)
        token = self._stsboto_token
        if token is not None and token.expired(now=now):
            raise TokenExpiredError(
                'the session token (access key %s) expired at %s, %d seconds ago; nothing was '
                'sent. Get a new token (stsboto.issue_token or your issuing service) and '
                'connect again.' % (token.access_key, format_expiration(token.expiration),
                                    int(-token.remaining(now).total_seconds())),
                expiration=token.expiration)
        return token

    def _with_token_header(self, headers):
        token = self.check_token()
        headers = dict(headers or {})
        if token is not None and token.session_token and \
                not any(name.lower() == TOKEN_HEADER for name in headers):
            # Older boto releases and hand-built requests do not add it themselves.
            headers[TOKEN_HEADER] = token.session_token
        return headers

    def get_bucket(self, bucket_name, validate=False, headers=None):
        """boto's ``get_bucket``, without the validation request by default.

        A token scoped to ``bucket/*`` or a prefix may not do the HEAD (or
        GET ?max-keys=0) that ``validate=True`` sends: it needs s3:ListBucket.
        The returned object is boto's ``Bucket``.
        """
        if validate:  # only then is a request sent, so only then is the token checked
            headers = self._with_token_header(headers)
        return super(TokenS3Connection, self).get_bucket(bucket_name, validate=validate,
                                                         headers=headers)

    def make_request(self, method, bucket='', key='', headers=None, *args, **kwargs):
        # Every S3 request of boto (bucket, key, multipart) goes through here.
        headers = self._with_token_header(headers)
        try:
            response = super(TokenS3Connection, self).make_request(
                method, bucket, key, headers, *args, **kwargs)
        except boto.exception.BotoServerError as error:
            # uploads raise from inside boto's sender, before we see a response
            if error.error_code in _EXPIRED_CODES and self._stsboto_token is not None:
                six.raise_from(self._expired_on_server(
                    'S3 refused the session token (%s)' % error.error_code), error)
            raise
        if response.status in (400, 403):
            self._raise_if_token_refused(method, response)
        return response

    def _expired_on_server(self, reason):
        token = self._stsboto_token
        expiration = format_expiration(token.expiration) if token.expiration else 'unknown'
        return TokenExpiredError(
            '%s: access key %s, expiration %s by this machine\'s clock (check the clock); '
            'get a new token and connect again, or use connect_with_token(refresh=...)'
            % (reason, token.access_key, expiration), expiration=token.expiration)

    def _raise_if_token_refused(self, method, response):
        """Turn S3's answers to an expired token into :class:`TokenExpiredError`.

        S3 says ``ExpiredToken`` (or ``TokenRefreshRequired``) in the error
        body; to a HEAD it can only answer a bare 400, which boto reports as
        "400 Bad Request" with nothing else.  Reached only when this machine's
        clock thinks the token is still valid: clock skew, or a token revoked
        early.
        """
        token = self._stsboto_token
        if token is None or not token.session_token:
            return
        body = response.read()  # boto's HTTPResponse caches it for the caller
        if isinstance(body, bytes):
            body = body.decode('utf-8', 'replace')
        match = _EXPIRED_CODE.search(body or '')
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
        """boto's ``generate_url``, made right for token holders.

        * With SigV4 (the default) the URL carries ``X-Amz-Security-Token``
          and is signed for the connection's region; ``expires_in_absolute``
          and ``force_http`` work there too (boto ignores them for SigV4).
        * With SigV2 (``sigv4=False``) the token goes in the signed query, as boto does.
        * ``query_auth=False`` gives a plain URL with no credentials at all:
          boto appends the session token to it anyway (boto issue 1477).

        A presigned URL stops working when the token expires, whatever
        ``expires_in`` says; SigV4 URLs live at most 7 days (604800 s).
        """
        if not query_auth:
            return self._plain_url(method, bucket, key, force_http, response_headers, version_id)
        token = self.check_token()
        if not isinstance(self._auth_handler, boto.auth.S3HmacAuthV4Handler):
            return super(TokenS3Connection, self).generate_url(
                expires_in, method, bucket, key, headers, query_auth, force_http,
                response_headers, expires_in_absolute, version_id)
        if expires_in_absolute:
            expires_in = int(expires_in - time.time())
        if not 1 <= int(expires_in) <= MAX_PRESIGNED_SECONDS:
            raise InvalidParameterError('expires_in must be 1-%d seconds for a SigV4 presigned URL'
                                        % MAX_PRESIGNED_SECONDS, 'expires_in')
        left = token.remaining() if token is not None else None
        if left is not None and left.total_seconds() < expires_in:
            log.warning('presigned URL asked to live %d s, but the token (access key %s) expires '
                        'in %d s; the URL stops working then', expires_in, token.access_key,
                        left.total_seconds())
        url = super(TokenS3Connection, self).generate_url_sigv4(
            int(expires_in), method, bucket=bucket, key=key, headers=headers,
            response_headers=response_headers, version_id=version_id)
        if force_http and url.startswith('https://'):
            # The scheme is not signed; the host is, without its default port.
            url = 'http://' + url[len('https://'):]
        return url

    def _plain_url(self, method, bucket, key, force_http, response_headers, version_id):
        protocol, port = ('http', 80) if force_http else (self.protocol, self.port)
        server = self.host if _default_port(port, protocol == 'https') else '%s:%s' % (
            self.host, port)
        url = self.calling_format.build_url_base(self, protocol, server, bucket, key)
        params = []
        if version_id is not None:
            params.append('versionId=%s' % quote_text(version_id))
        for name, value in sorted((response_headers or {}).items()):
            params.append('%s=%s' % (quote_text(name), quote_text(value)))
        return url + ('?' + '&'.join(params) if params else '')


def connect_with_token(token, region='us-east-1', endpoint_url=None, refresh=None, **boto_kwargs):
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
        signing region.
    :param str endpoint_url: ``http(s)://host[:port]`` of an S3-compatible
        server (moto, MinIO, Ceph); path-style addressing.  Default:
        ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL`` if set, else AWS.
    :param str addressing: ``auto`` (AWS default: virtual-hosted where the
        bucket name allows, else path), ``virtual`` or ``path`` (default for
        custom endpoints).
    :param bool sigv4: False restores boto's legacy signer choice (SigV2 on
        the classic endpoints); default True: SigV4 for ``region``.
    :param boto_kwargs: passed to ``S3Connection`` (``host``, ``port``,
        ``is_secure``, ``calling_format``, ``proxy``, ...).
    :raises InvalidTokenError: the token is malformed (names the field).
    :raises TokenExpiredError: the token has already expired; nothing is sent.
    """
    source = _token_source(token, refresh)
    if source is not None:
        return _connect(region, endpoint_url, token=source, **boto_kwargs)
    if token is None:
        token = find_token()
        if token is None:
            raise MissingCredentialsError(
                'no token: pass one, or set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and '
                'AWS_SESSION_TOKEN, or a profile in the shared credentials file')
    token = Token.coerce(token)
    if token.expired():
        raise TokenExpiredError('the session token (access key %s) expired at %s; nothing was sent'
                                % (token.access_key, format_expiration(token.expiration)),
                                expiration=token.expiration)
    return _connect(region, endpoint_url, token=token, **boto_kwargs)


def _token_source(token, refresh):
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
    return RefreshableToken(token, refresh)


def _connect(region, endpoint_url=None, addressing=None, **kwargs):
    _regions.validate_region(region)
    if addressing is not None and addressing not in _ADDRESSING:
        raise InvalidParameterError('addressing must be "auto", "virtual" or "path"', 'addressing')
    custom = True
    if kwargs.get('host') in (None, ''):
        kwargs.pop('host', None)
        endpoint = _regions.resolve_endpoint('s3', endpoint_url)
        if endpoint is not None:
            for name, value in endpoint.boto_kwargs().items():
                kwargs.setdefault(name, value)
        else:
            kwargs['host'] = _regions.s3_host(region)
            custom = False
    elif endpoint_url is not None:
        raise InvalidParameterError('pass either endpoint_url or host, not both', 'endpoint_url')
    if 'calling_format' not in kwargs:
        # Custom servers answer on one host name: path style; AWS: virtual
        # hosted where the bucket name allows it.
        kwargs['calling_format'] = _ADDRESSING[addressing or ('path' if custom else 'auto')]()
    elif addressing is not None:
        raise InvalidParameterError('pass either addressing or calling_format, not both',
                                    'addressing')
    kwargs.setdefault('region', region)
    return TokenS3Connection(**kwargs)


def connect_to_region(region_name, **kw_params):
    """boto's ``s3.connect_to_region``, for any region, plus ``token=`` and ``endpoint_url=``.

    Returns a :class:`TokenS3Connection` (an ``S3Connection``), never None:
    a region name that is not an AWS region raises ``ValueError``.

    :param str region_name: e.g. ``eu-north-1``.
    :param token: optional; anything :meth:`stsboto.Token.coerce` accepts.
    :param str endpoint_url: optional, as for :func:`connect_with_token`.
    :param kw_params: passed to ``S3Connection``, as with boto.
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
