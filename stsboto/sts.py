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

import os
import re
import socket

import six

from stsboto import policy as _policy
from stsboto import regions as _regions
from stsboto._boto import boto
from stsboto.exceptions import (InvalidParameterError, MissingCredentialsError,
                                TokenIssueError)
from stsboto.logfilter import mask_secrets
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

__all__ = ['connect_to_region', 'issue_token', 'assume_role', 'get_session_token',
           'STSConnection', 'regions', 'connection', 'credentials', 'MIN_DURATION',
           'MAX_FEDERATION_DURATION', 'MAX_SESSION_DURATION', 'MAX_ROLE_DURATION']

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
        server (default: ``AWS_ENDPOINT_URL_STS`` or ``AWS_ENDPOINT_URL``).
    :raises MissingCredentialsError: no keys passed and none found where boto
        looks (also a ``boto.exception.NoAuthHandlerFound``).
    """
    regional = kw_params.pop('regional', None)
    if regional is None:
        # The AWS SDKs' switch (AWS SDKs and Tools Reference Guide, "AWS STS
        # Regional endpoints"): "legacy" means the global endpoint.
        regional = os.environ.get('AWS_STS_REGIONAL_ENDPOINTS', '').lower() != 'legacy'
    endpoint_url = kw_params.pop('endpoint_url', None)
    region = kw_params.pop('region', None)
    if region is None:
        _regions.validate_region(region_name, 'region_name')
        endpoint = _regions.resolve_endpoint('sts', endpoint_url)
        if endpoint is not None:
            host = endpoint.host
            kw_params.setdefault('is_secure', endpoint.is_secure)
            if endpoint.port:
                kw_params.setdefault('port', endpoint.port)
        else:
            host = _regions.sts_host(region_name, regional)
        region = RegionInfo(name=region_name, endpoint=host, connection_cls=STSConnection)
    elif endpoint_url is not None:
        raise InvalidParameterError('pass either endpoint_url or region, not both', 'endpoint_url')
    if not any(kw_params.get(name) for name in ('aws_access_key_id', 'aws_secret_access_key',
                                                'security_token', 'profile_name', 'anon')):
        # boto ignores AWS_SESSION_TOKEN / aws_session_token (boto issue 3298)
        found = find_token()
        if found is not None:
            kw_params.update(found.to_boto_kwargs())
    try:
        conn = STSConnection(region=region, **kw_params)
    except boto.exception.NoAuthHandlerFound as error:
        six.raise_from(MissingCredentialsError(
            'no AWS credentials for STS: pass aws_access_key_id and aws_secret_access_key, '
            'or set them in the environment or a boto/AWS config file'), error)
    # Sign for the region we talk to, whatever the host looks like (custom
    # endpoints, new regions): boto would otherwise guess from the host name.
    conn.auth_region_name = region.name
    conn.auth_service_name = 'sts'
    return conn


def validate_name(name, field='name'):
    """Return ``name`` if STS accepts it as a federated user name, else raise."""
    if not isinstance(name, six.string_types) or not re.match(_NAME, name):
        raise InvalidParameterError(
            '%s must be 2-32 characters from letters, digits and +=,.@_- '
            '(GetFederationToken Name rule)' % field, field)
    return name


def validate_duration(duration, low, high, field='duration'):
    """Return ``duration`` as an int if ``low <= duration <= high`` seconds, else raise."""
    if isinstance(duration, bool) or not isinstance(duration, six.integer_types):
        raise InvalidParameterError('%s must be a whole number of seconds, not %s'
                                    % (field, type(duration).__name__), field)
    if not low <= duration <= high:
        raise InvalidParameterError('%s must be between %d and %d seconds, got %d'
                                    % (field, low, high, duration), field)
    return int(duration)


def issue_token(bucket=None, prefix=None, actions=_policy.DEFAULT_ACTIONS, policy=None,
                name='stsboto', duration=MIN_DURATION, region='us-east-1',
                aws_access_key_id=None, aws_secret_access_key=None, connection=None,
                **connect_kwargs):
    """Issue a scoped federation token (STS GetFederationToken).

    Usage: ``issue_token(bucket='photos', name='uploader-42', duration=900)``

    Every argument is checked before any request is made.

    :param str bucket: grant ``actions`` on this bucket (see
        :func:`stsboto.policy.bucket_policy`); exactly one of bucket and policy.
    :param str prefix: with ``bucket``: only keys under this prefix.
    :param actions: with ``bucket``: the S3 actions to grant.
    :param policy: a complete policy, as a dict or JSON text; sent as compact JSON.
    :param str name: the federated user name (2-32 characters of ``[\\w+=,.@-]``).
    :param int duration: seconds, 900-129600 (STS caps root users at 3600).
    :param str region: where to call STS (regional endpoint) and which ARN
        partition the generated policy uses.
    :param aws_access_key_id: the issuing user's keys; by default boto looks in
        the environment and config files.
    :param connection: an existing ``STSConnection`` to use instead of a new one.
    :param connect_kwargs: passed to :func:`connect_to_region`.
    :returns: :class:`stsboto.Token` with the federated user's ARN.
    :raises TokenIssueError: STS refused or could not be reached (``.code``,
        ``.status``, ``.request_id``; the boto error is kept as the cause).
    """
    if (bucket is None) == (policy is None):
        raise InvalidParameterError('pass exactly one of bucket and policy', 'bucket')
    validate_name(name)
    duration = validate_duration(duration, MIN_DURATION, MAX_FEDERATION_DURATION)
    if connection is None:
        _regions.validate_region(region)
    if bucket is not None:
        policy = _policy.bucket_policy(bucket, actions=actions, prefix=prefix,
                                       partition=_regions.partition(region) if connection is None
                                       else _partition_of(connection, region))
    elif prefix is not None:
        raise InvalidParameterError('prefix goes with bucket, not with policy', 'prefix')
    policy_json = _policy.to_json(policy)
    connection = _sts_connection(connection, region, aws_access_key_id, aws_secret_access_key,
                                 connect_kwargs)
    with translate_sts_errors('GetFederationToken', _connection_secrets(connection)):
        result = connection.get_federation_token(name, duration=duration, policy=policy_json)
    return Token.coerce(result)


def _sts_connection(connection, region, aws_access_key_id, aws_secret_access_key,
                    connect_kwargs):
    if connection is not None:
        return connection
    return connect_to_region(region, aws_access_key_id=aws_access_key_id,
                             aws_secret_access_key=aws_secret_access_key, **connect_kwargs)


def assume_role(role_arn, session_name, policy=None, duration=3600, external_id=None,
                region='us-east-1', aws_access_key_id=None, aws_secret_access_key=None,
                connection=None, **connect_kwargs):
    """Assume an IAM role (STS AssumeRole) and return its :class:`stsboto.Token`.

    Usage: ``assume_role('arn:aws:iam::123456789012:role/uploader', 'job-7')``

    :param str role_arn: the role's ARN.
    :param str session_name: 2-64 characters of ``[\\w+=,.@-]`` (shows in CloudTrail).
    :param policy: an optional session policy (dict or JSON text) that narrows
        the role's permissions; sent as compact JSON.
    :param int duration: seconds, 900-43200 (also capped by the role's
        MaxSessionDuration, which only STS knows).
    :param str external_id: the external id the role's trust policy asks for.
    :raises TokenIssueError: STS refused or could not be reached.
    """
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
                                 connect_kwargs)
    with translate_sts_errors('AssumeRole', _connection_secrets(connection)):
        result = connection.assume_role(role_arn, session_name, policy=policy_json,
                                        duration_seconds=duration, external_id=external_id)
    return Token.coerce(result)


def get_session_token(duration=3600, region='us-east-1', aws_access_key_id=None,
                      aws_secret_access_key=None, mfa_serial_number=None, mfa_token=None,
                      connection=None, **connect_kwargs):
    """Temporary credentials for the calling user itself (STS GetSessionToken).

    Usage: ``get_session_token(duration=3600)``

    :param int duration: seconds, 900-129600 (STS caps root users at 3600).
    :param str mfa_serial_number: with ``mfa_token``, for MFA-protected APIs.
    :raises TokenIssueError: STS refused or could not be reached.
    """
    duration = validate_duration(duration, MIN_DURATION, MAX_SESSION_DURATION)
    if (mfa_serial_number is None) != (mfa_token is None):
        raise InvalidParameterError('pass both mfa_serial_number and mfa_token, or neither',
                                    'mfa_token')
    if connection is None:
        _regions.validate_region(region)
    connection = _sts_connection(connection, region, aws_access_key_id, aws_secret_access_key,
                                 connect_kwargs)
    with translate_sts_errors('GetSessionToken', _connection_secrets(connection)):
        # force_new: boto caches session tokens per connection; a caller asking
        # for a token wants a fresh one with the duration it asked for.
        result = connection.get_session_token(duration=duration, force_new=True,
                                              mfa_serial_number=mfa_serial_number,
                                              mfa_token=mfa_token)
    return Token.coerce(result)


def _partition_of(connection, default_region):
    region = getattr(getattr(connection, 'region', None), 'name', None) or default_region
    try:
        return _regions.partition(region)
    except InvalidParameterError:
        return 'aws'


def _connection_secrets(connection):
    provider = getattr(connection, 'provider', None)
    return [getattr(provider, 'secret_key', None), getattr(provider, 'security_token', None)]


class translate_sts_errors(object):
    """Context manager: boto and socket errors from an STS call become
    :class:`TokenIssueError`, with the cause kept and no secret in the message."""

    def __init__(self, action, secrets=()):
        self.action = action
        self.secrets = list(secrets)

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if error is None or not isinstance(error, Exception):
            return False
        if isinstance(error, boto.exception.BotoServerError):
            code = error.error_code
            detail = error.error_message or error.reason or ''
            message = 'STS %s failed: %s %s%s%s' % (
                self.action, error.status, code or 'error',
                ': %s' % detail if detail else '',
                ' (request id %s)' % error.request_id if error.request_id else '')
            new = TokenIssueError(mask_secrets(message, self.secrets), code=code, status=error.status,
                                  request_id=error.request_id or None, cause=error)
        elif isinstance(error, (socket.error, IOError, boto.exception.BotoClientError)):
            message = 'STS %s failed: could not reach the endpoint (%s: %s)' % (
                self.action, type(error).__name__, error)
            new = TokenIssueError(mask_secrets(message, self.secrets), cause=error)
        else:
            return False
        six.raise_from(new, error)
