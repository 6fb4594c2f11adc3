"""Issuing tokens, and a drop-in for ``boto.sts``.

Usage::

    from stsboto import issue_token
    token = issue_token(bucket='photos', prefix='user-42/', name='uploader-42')

    from stsboto import sts                  # instead of: from boto import sts
    conn = sts.connect_to_region('eu-north-1')

Everything ``boto.sts`` offers stays reachable here (``sts.STSConnection``,
``sts.credentials``, ``sts.connection``, ``sts.regions()``), so an old script
changes only its import line.
"""
from __future__ import absolute_import, unicode_literals

import re
import socket
import ssl
import xml.sax

import six
from six.moves import http_client

from stsboto import policy as _policy
from stsboto import regions as _regions
from stsboto import signing as _signing
from stsboto.config import Settings
from stsboto import transport
from stsboto._boto import STSConnection as _ClockSTSConnection
from stsboto._boto import boto
from stsboto._validate import validate_int, validate_seconds
from stsboto.exceptions import (EndpointConnectionError, InvalidParameterError, InvalidTokenError,
                                MissingCredentialsError, STSEndpointConnectionError, StsbotoError,
                                TokenIssueError)
from stsboto.logfilter import mask_exception, mask_secrets, remember
from stsboto.token import Token, find_token

import boto.sts  # noqa: E402  (stsboto._boto made it importable)
import boto.sts.connection  # noqa: E402
import boto.sts.credentials  # noqa: E402
from boto.regioninfo import RegionInfo  # noqa: E402

# boto.sts re-exported, so ``from stsboto import sts`` is a drop-in.
connection = boto.sts.connection
credentials = boto.sts.credentials
STSConnection = boto.sts.connection.STSConnection
regions = boto.sts.regions

__all__ = ['connect_to_region', 'issue_token', 'assume_role', 'get_session_token', 'call_sts',
           'STSConnection', 'regions', 'connection', 'credentials', 'MIN_DURATION',
           'MAX_FEDERATION_DURATION', 'MAX_SESSION_DURATION', 'MAX_ROLE_DURATION',
           'DEFAULT_CONNECT_TIMEOUT']

# STS API reference, DurationSeconds of each action.
MIN_DURATION = 900
MAX_FEDERATION_DURATION = 129600
MAX_SESSION_DURATION = 129600
MAX_ROLE_DURATION = 43200
# AssumeRole API reference: RoleSessionName 2-64 of [\w+=,.@-]; ExternalId 2-1224 of [\w+=,.@:/-].
_SESSION_NAME = r'^[\w+=,.@-]{2,64}\Z'
_EXTERNAL_ID = r'^[\w+=,.@:/-]{2,1224}\Z'
_ROLE_ARN = r'^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}\Z'
# GetFederationToken API reference: Name, 2-32 characters of [\w+=,.@-].
_NAME = r'^[\w+=,.@-]{2,32}\Z'

#: Seconds to wait for a TCP connection (and TLS handshake) to STS (the transport's).
DEFAULT_CONNECT_TIMEOUT = transport.DEFAULT_CONNECT_TIMEOUT


class _STSConnection(_ClockSTSConnection):
    """``STSConnection`` that sends through :mod:`stsboto.transport`: its retry
    policy (``stsboto_policy``), its connect timeout, TLS context and proxies;
    an endpoint that cannot be reached raises
    :class:`stsboto.exceptions.EndpointConnectionError` at once.  It signs without
    boto's deprecated ``utcnow()`` (stsboto._boto: clean under
    ``-W error::DeprecationWarning`` on 3.12+)."""

    stsboto_policy = None
    stsboto_connect_timeout = DEFAULT_CONNECT_TIMEOUT

    @property
    def stsboto_retries(self):
        """Retries after the first attempt (0.2's name), from the policy."""
        rules = transport.policy_for(self)
        return rules.max_attempts - 1

    def _mexe(self, request, sender=None, override_num_retries=None, retry_handler=None):
        return transport.send(self, request, sender, override_num_retries, retry_handler)

    def new_http_connection(self, host, port, is_secure):
        return transport.new_http_connection(self, host, port, is_secure)


def _connection_error(error, endpoint, connect_timeout=None, action=None):
    if isinstance(error, socket.gaierror):
        why = ': its host name does not resolve'
    elif isinstance(error, ssl.SSLError):
        why = ': the TLS handshake failed'
    elif isinstance(error, socket.timeout):
        why = (': no connection within %s s' % connect_timeout if connect_timeout is not None
               else ': no answer in time')
    else:
        why = ''
    new = STSEndpointConnectionError('STS%s failed: could not reach the endpoint %s%s (%s)' % (
        ' %s' % action if action else '', endpoint, why, _describe_socket_error(error)),
        endpoint=endpoint, cause=error)
    new.__cause__ = error
    return new


def _describe_socket_error(error):
    return mask_secrets('%s: %s' % (type(error).__name__, error))


def connect_to_region(region_name, **kw_params):
    """An ``STSConnection`` for ``region_name``: boto's signature, any region.

    Unlike boto 2.49, which knows only the regions of 2018 and answers None
    for the rest, this builds the regional endpoint for any region name that
    follows AWS's pattern and raises ``ValueError`` for one that does not.

    :param str region_name: e.g. ``eu-north-1``.
    :param kw_params: passed to ``STSConnection`` (keys, ``is_secure``,
        ``port``, ``proxy``, ...); ``region`` (a boto RegionInfo) overrides
        the endpoint; ``regional=False`` (or the environment variable
        ``AWS_STS_REGIONAL_ENDPOINTS=legacy``) uses the global endpoint;
        ``endpoint_url='http://127.0.0.1:5000'`` names a local or compatible
        server (default: ``AWS_ENDPOINT_URL_STS`` or ``AWS_ENDPOINT_URL``);
        ``retries=N`` (tries after the first; default: the settings, see
        :func:`stsboto.transport.policy`) and ``connect_timeout=S``
        (seconds).  The connection (a subclass of ``STSConnection``) sends
        through :mod:`stsboto.transport`: an endpoint it cannot reach is
        reported at once, instead of boto's minute of retries.
    :raises MissingCredentialsError: no keys passed and none found where boto
        looks (also a ``boto.exception.NoAuthHandlerFound``).
    """
    retries = kw_params.pop('retries', None)
    connect_timeout = kw_params.pop('connect_timeout', None)
    rules = transport.policy(retries=retries)
    if connect_timeout is not None:
        connect_timeout = validate_seconds(connect_timeout, 'connect_timeout', low=0, high=3600,
                                           low_inclusive=False)
    cls = _STSConnection
    regional = kw_params.pop('regional', None)
    endpoint_url = kw_params.pop('endpoint_url', None)
    region = kw_params.pop('region', None)
    if region is not None and endpoint_url is None and _boto_own_region(region) and \
            _regions.configured_endpoint('sts') is not None:
        # boto's own RegionInfo (from boto.sts.regions()) chooses a region, not an
        # endpoint: the configured endpoint still applies (issue 18).
        region_name, region = region.name, None
    if region is None:
        _regions.validate_region(region_name, 'region_name')
        settings = Settings()
        endpoint = _regions.resolve_endpoint('sts', endpoint_url, settings=settings)
        if endpoint is not None:
            host = endpoint.host
            kw_params.setdefault('is_secure', endpoint.is_secure)
            if endpoint.port:
                kw_params.setdefault('port', endpoint.port)
        else:
            fips, dualstack = _regions.endpoint_variant(settings, 'sts')
            if fips or dualstack:
                host = _regions.variant_host('sts', region_name, fips, dualstack)
            else:
                if regional is None:
                    # The AWS SDKs' switch (AWS SDKs and Tools Reference Guide, "AWS STS
                    # Regional endpoints"): "legacy" means the global endpoint for
                    # the regions botocore lists.
                    regional = _regions.sts_regional(region_name, settings)
                host = _regions.sts_host(region_name, regional)
        region = RegionInfo(name=region_name, endpoint=host, connection_cls=cls)
    elif endpoint_url is not None:
        raise InvalidParameterError('pass either endpoint_url or region, not both', 'endpoint_url')
    if not any(kw_params.get(name) for name in ('aws_access_key_id', 'aws_secret_access_key',
                                                'security_token', 'profile_name', 'anon')):
        # boto ignores AWS_SESSION_TOKEN / aws_session_token (boto issue 3298)
        found = find_token()
        if found is not None:
            # the chain may answer with a RefreshableToken: a boto STSConnection takes
            # fixed keys, so it gets the current token
            kw_params.update(Token.coerce(found).to_boto_kwargs())
    try:
        conn = cls(region=region, **kw_params)
    except boto.exception.NoAuthHandlerFound as error:
        six.raise_from(MissingCredentialsError(
            'no AWS credentials for STS: pass aws_access_key_id and aws_secret_access_key, '
            'or set them in the environment or a boto/AWS config file'), error)
    # Sign for the region we talk to, whatever the host looks like (custom
    # endpoints, new regions): boto would otherwise guess from the host name.
    conn.auth_region_name = region.name
    conn.auth_service_name = 'sts'
    _signing.send_app_id(conn)  # AWS_SDK_UA_APP_ID / sdk_ua_app_id
    conn.stsboto_policy = rules
    if connect_timeout is not None:
        conn.stsboto_connect_timeout = connect_timeout
    return conn


def _boto_own_region(region):
    """True for a RegionInfo that is boto's own entry for its name (boto's endpoints.json)."""
    return any(known.name == getattr(region, 'name', None) and
               known.endpoint == getattr(region, 'endpoint', None) for known in regions())


def validate_name(name, field='name'):
    """Return ``name`` if STS accepts it as a federated user name, else raise."""
    if not isinstance(name, six.string_types) or not re.match(_NAME, name):
        raise InvalidParameterError(
            '%s must be 2-32 characters from letters, digits and +=,.@_- '
            '(GetFederationToken Name rule)' % field, field)
    return name


def validate_duration(duration, low, high, field='duration'):
    """Return ``duration`` as an int if ``low <= duration <= high`` seconds, else raise."""
    return validate_int(duration, field, low, high, unit='seconds')


def _retry_settings(connection, retries, connect_timeout):
    """(retries, connect_timeout) checked, with the defaults; before any request."""
    if connection is not None:
        for name, value in (('retries', retries), ('connect_timeout', connect_timeout)):
            if value is not None:
                raise InvalidParameterError(
                    '%s applies to the connection stsboto makes; with connection= set it on '
                    'that connection (boto: [Boto] num_retries, http_socket_timeout)' % name, name)
        return None, None
    if retries is not None:
        retries = validate_int(retries, 'retries', 0, 100)
    if connect_timeout is None:
        connect_timeout = DEFAULT_CONNECT_TIMEOUT
    connect_timeout = validate_seconds(connect_timeout, 'connect_timeout', low=0, high=3600,
                                       low_inclusive=False)
    return retries, connect_timeout


def issue_token(bucket=None, prefix=None, actions=_policy.DEFAULT_ACTIONS, policy=None,
                name='stsboto', duration=MIN_DURATION, region='us-east-1',
                aws_access_key_id=None, aws_secret_access_key=None, connection=None,
                policy_variables=None, retries=None, connect_timeout=None, **connect_kwargs):
    """Issue a scoped federation token (STS GetFederationToken).

    Usage: ``issue_token(bucket='photos', name='uploader-42', duration=900)``

    Every argument is checked before any request is made.

    :param str bucket: grant ``actions`` on this bucket (see
        :func:`stsboto.policy.bucket_policy`); exactly one of bucket and policy.
    :param str prefix: with ``bucket``: only keys under this prefix.
    :param actions: with ``bucket``: the S3 actions to grant.
    :param policy_variables: with ``bucket``: the IAM policy variables the
        prefix may use (``['aws:userid']``); see
        :data:`stsboto.policy.SAFE_POLICY_VARIABLES`.
    :param policy: a complete policy, as a dict or JSON text; sent as compact JSON.
    :param str name: the federated user name (2-32 characters of ``[\\w+=,.@-]``).
    :param int duration: seconds, 900-129600 (STS caps root users at 3600).
    :param str region: where to call STS (regional endpoint) and which ARN
        partition the generated policy uses.
    :param str aws_access_key_id: the issuing user's access key id; by default
        boto looks in the environment and config files.
    :param str aws_secret_access_key: the issuing user's secret key.
    :param connection: an existing ``STSConnection`` to use instead of a new one.
    :param int retries: tries after the first when STS answers 5xx or
        throttles (default: the settings, see :func:`stsboto.transport.policy`);
        not with ``connection=``.
    :param float connect_timeout: seconds to wait for the connection (default
        :data:`DEFAULT_CONNECT_TIMEOUT`); not with ``connection=``.
    :param connect_kwargs: passed to :func:`connect_to_region` (``endpoint_url``,
        ``regional``, ``is_secure``, ``port``, ``proxy``, ...).
    :returns: :class:`stsboto.Token` with the federated user's ARN.
    :raises STSEndpointConnectionError: STS could not be reached (``.endpoint``;
        also a TokenIssueError).
    :raises TokenIssueError: STS refused, or answered with something that is
        not a token (``.code``, ``.status``, ``.request_id``; the boto error,
        its secrets masked, is kept as the cause).
    """
    retries, connect_timeout = _retry_settings(connection, retries, connect_timeout)
    if (bucket is None) == (policy is None):
        raise InvalidParameterError('pass exactly one of bucket and policy', 'bucket')
    validate_name(name)
    duration = validate_duration(duration, MIN_DURATION, MAX_FEDERATION_DURATION)
    if connection is None:
        _regions.validate_region(region)
    if bucket is not None:
        policy = _policy.bucket_policy(bucket, actions=actions, prefix=prefix,
                                       partition=_regions.partition(region) if connection is None
                                       else _partition_of(connection, region),
                                       policy_variables=policy_variables)
    elif prefix is not None:
        raise InvalidParameterError('prefix goes with bucket, not with policy', 'prefix')
    elif policy_variables is not None:
        raise InvalidParameterError('policy_variables goes with bucket and prefix, not with policy',
                                    'policy_variables')
    policy_json = _policy.to_json(policy)
    connection = _sts_connection(connection, region, aws_access_key_id, aws_secret_access_key,
                                 retries, connect_timeout, connect_kwargs)
    return _call_sts('GetFederationToken', connection, retries, lambda: connection.get_federation_token(
        name, duration=duration, policy=policy_json))


def _sts_connection(connection, region, aws_access_key_id, aws_secret_access_key,
                    retries, connect_timeout, connect_kwargs):
    if connection is not None:
        return connection
    return connect_to_region(region, aws_access_key_id=aws_access_key_id,
                             aws_secret_access_key=aws_secret_access_key, retries=retries,
                             connect_timeout=connect_timeout, **connect_kwargs)


def assume_role(role_arn, session_name, policy=None, duration=3600, external_id=None,
                region='us-east-1', aws_access_key_id=None, aws_secret_access_key=None,
                connection=None, retries=None, connect_timeout=None, **connect_kwargs):
    """Assume an IAM role (STS AssumeRole) and return its :class:`stsboto.Token`.

    Usage: ``assume_role('arn:aws:iam::123456789012:role/uploader', 'job-7')``

    :param str role_arn: the role's ARN.
    :param str session_name: 2-64 characters of ``[\\w+=,.@-]`` (shows in CloudTrail).
    :param policy: an optional session policy (dict or JSON text) that narrows
        the role's permissions; sent as compact JSON.
    :param int duration: seconds, 900-43200 (also capped by the role's
        MaxSessionDuration, which only STS knows).
    :param str external_id: the external id the role's trust policy asks for.
    :param str region: where to call STS, as for :func:`issue_token`.
    :param str aws_access_key_id: the calling user's access key id, as for
        :func:`issue_token`.
    :param str aws_secret_access_key: the calling user's secret key.
    :param connection: an existing ``STSConnection`` to use instead of a new one.
    :param int retries: as for :func:`issue_token`.
    :param float connect_timeout: as for :func:`issue_token`.
    :param connect_kwargs: passed to :func:`connect_to_region`, as for :func:`issue_token`.
    :returns: :class:`stsboto.Token` with the assumed role's ARN.
    :raises STSEndpointConnectionError: STS could not be reached.
    :raises TokenIssueError: STS refused, or answered with something that is not a token.
    """
    retries, connect_timeout = _retry_settings(connection, retries, connect_timeout)
    if not isinstance(role_arn, six.string_types) or not re.match(_ROLE_ARN, role_arn):
        raise InvalidParameterError('role_arn must look like arn:aws:iam::123456789012:role/NAME',
                                    'role_arn')
    if not isinstance(session_name, six.string_types) or not re.match(_SESSION_NAME, session_name):
        raise InvalidParameterError('session_name must be 2-64 characters from letters, digits and '
                                    '+=,.@_- (AssumeRole RoleSessionName rule)', 'session_name')
    duration = validate_duration(duration, MIN_DURATION, MAX_ROLE_DURATION)
    if external_id is not None and (not isinstance(external_id, six.string_types) or
                                    not re.match(_EXTERNAL_ID, external_id)):
        raise InvalidParameterError('external_id must be 2-1224 characters from letters, digits '
                                    'and +=,.@:/_- (AssumeRole ExternalId rule)', 'external_id')
    policy_json = None if policy is None else _policy.to_json(policy)
    if connection is None:
        _regions.validate_region(region)
    connection = _sts_connection(connection, region, aws_access_key_id, aws_secret_access_key,
                                 retries, connect_timeout, connect_kwargs)
    return _call_sts('AssumeRole', connection, retries, lambda: connection.assume_role(
        role_arn, session_name, policy=policy_json, duration_seconds=duration,
        external_id=external_id))


def get_session_token(duration=3600, region='us-east-1', aws_access_key_id=None,
                      aws_secret_access_key=None, mfa_serial_number=None, mfa_token=None,
                      connection=None, retries=None, connect_timeout=None, **connect_kwargs):
    """Temporary credentials for the calling user itself (STS GetSessionToken).

    Usage: ``get_session_token(duration=3600)``

    :param int duration: seconds, 900-129600 (STS caps root users at 3600).
    :param str region: where to call STS, as for :func:`issue_token`.
    :param str aws_access_key_id: the calling user's long-term access key id,
        as for :func:`issue_token`.
    :param str aws_secret_access_key: the calling user's secret key.
    :param str mfa_serial_number: with ``mfa_token``, for MFA-protected APIs.
    :param str mfa_token: the code the MFA device shows now.
    :param connection: an existing ``STSConnection`` to use instead of a new one.
    :param int retries: as for :func:`issue_token`.
    :param float connect_timeout: as for :func:`issue_token`.
    :param connect_kwargs: passed to :func:`connect_to_region`, as for :func:`issue_token`.
    :returns: :class:`stsboto.Token` (no ARN: GetSessionToken returns none).
    :raises STSEndpointConnectionError: STS could not be reached.
    :raises TokenIssueError: STS refused, or answered with something that is not a token.
    """
    retries, connect_timeout = _retry_settings(connection, retries, connect_timeout)
    duration = validate_duration(duration, MIN_DURATION, MAX_SESSION_DURATION)
    if (mfa_serial_number is None) != (mfa_token is None):
        raise InvalidParameterError('pass both mfa_serial_number and mfa_token, or neither',
                                    'mfa_token')
    if connection is None:
        _regions.validate_region(region)
    connection = _sts_connection(connection, region, aws_access_key_id, aws_secret_access_key,
                                 retries, connect_timeout, connect_kwargs)
    # force_new: boto caches session tokens per connection; a caller asking
    # for a token wants a fresh one with the duration it asked for.
    return _call_sts('GetSessionToken', connection, retries, lambda: connection.get_session_token(
        duration=duration, force_new=True, mfa_serial_number=mfa_serial_number,
        mfa_token=mfa_token))


def _partition_of(connection, default_region):
    region = getattr(getattr(connection, 'region', None), 'name', None) or default_region
    try:
        return _regions.partition(region)
    except InvalidParameterError:
        return 'aws'


def _connection_secrets(connection):
    provider = getattr(connection, 'provider', None)
    return [getattr(provider, 'secret_key', None), getattr(provider, 'security_token', None)]


def _endpoint(connection):
    host = getattr(connection, 'host', None)
    port = getattr(connection, 'port', None)
    if not isinstance(host, six.string_types):
        return None
    return '%s:%s' % (host, port) if isinstance(port, six.integer_types) else host


def call_sts(action, connection, call, retries=None, secrets=()):
    """Make an STS call of one's own with stsboto's error mapping; returns its Token.

    Usage: ``token = call_sts('AssumeRole', conn, lambda: conn.assume_role(...))``

    For STS actions this module has no function for (AssumeRole with MFA,
    AssumeRoleWithWebIdentity in the credential chain): the answer becomes a
    :class:`stsboto.Token`, failures a :class:`TokenIssueError`
    (``STSEndpointConnectionError`` when unreachable), with the connection's
    secrets and ``secrets`` masked in the message and the chained cause.
    """
    return _call_sts(action, connection, retries, call, secrets)


def _call_sts(action, connection, retries, call, extra_secrets=()):
    """Make one STS call (``call()``), retry unreachable endpoints, return its Token.

    Errors from boto, the socket and the XML parser become TokenIssueError
    (``STSEndpointConnectionError`` for connections), with every secret of
    the issuing connection and of the answer masked in the message and in
    the chained cause (issue 11: tracebacks print causes).
    """
    secrets = [s for s in list(_connection_secrets(connection)) + list(extra_secrets)
               if isinstance(s, six.string_types)]
    for secret in secrets:
        remember(secret)  # boto logs the issuer's own security token at DEBUG
    error = _try_sts(action, connection, call, secrets)
    if isinstance(error, Token):
        remember(error)
        return error
    # Retries were the transport's (stsboto.transport.send): this is the outcome.
    cause = mask_exception(error.cause, secrets)
    error.cause = cause
    six.raise_from(error, cause)


def _try_sts(action, connection, call, secrets):
    """The Token, or the TokenIssueError to raise (returned, so that the
    exception it replaces is not chained as ``__context__``)."""
    try:
        result = call()
    except EndpointConnectionError as error:  # from the transport, which knows no action
        if isinstance(error, STSEndpointConnectionError):
            raise
        return _connection_error(error.cause if error.cause is not None else error,
                                 error.endpoint, getattr(connection, 'stsboto_connect_timeout', None),
                                 action)
    except StsbotoError:
        raise
    except Exception as error:  # noqa: B902  (translated below or re-raised)
        new = _translate(action, error, secrets, _endpoint(connection))
        if new is None:
            raise
        return new
    try:
        return Token.coerce(result)
    except InvalidTokenError as error:
        # STS answered 200 with XML that parsed but holds no usable
        # credentials: a response problem, not a caller's bad input.
        new = TokenIssueError('STS %s answered without usable credentials: %s'
                              % (action, mask_secrets(six.text_type(error), secrets)),
                              status=200, cause=error)
        return new


def _translate(action, error, secrets, endpoint):
    if isinstance(error, boto.exception.BotoServerError):
        code = error.error_code
        detail = error.error_message or error.reason or ''
        message = 'STS %s failed: %s %s%s%s' % (
            action, error.status, code or 'error',
            ': %s' % detail if detail else '',
            ' (request id %s)' % error.request_id if error.request_id else '')
        return TokenIssueError(mask_secrets(message, secrets), code=code, status=error.status,
                               request_id=error.request_id or None, cause=error)
    if isinstance(error, (socket.error, IOError)):
        return _connection_error(error, endpoint or 'the STS endpoint', action=action)
    if isinstance(error, xml.sax.SAXException):
        # boto parses a 200 answer without checking it: a proxy's HTML page
        # or a truncated body ends here as SAXParseException.
        return TokenIssueError('STS %s answered with XML stsboto could not read (%s); is the '
                               'endpoint %s an STS endpoint?'
                               % (action, _describe_socket_error(error), endpoint), cause=error)
    if isinstance(error, http_client.HTTPException):
        # BadStatusLine, IncompleteRead: not an HTTP answer, or a broken one.
        return TokenIssueError('STS %s failed: the endpoint %s sent a broken HTTP answer (%s)'
                               % (action, endpoint, mask_secrets('%s: %s' % (
                                   type(error).__name__, error), secrets)), cause=error)
    if isinstance(error, boto.exception.BotoClientError):
        return TokenIssueError('STS %s failed: %s' % (action, mask_secrets('%s: %s' % (
            type(error).__name__, error), secrets)), cause=error)
    return None
