"""Policies for scoped tokens, checked before anything is sent.

Usage::

    grant = bucket_policy('my-bucket', prefix='uploads/42/')
    needed = issuer_policy('my-bucket')     # attach to the issuing IAM user
    text = to_json(grant)                   # compact JSON, as sent to STS

Rules come from the AWS documentation: "Bucket naming rules" (Amazon S3 User
Guide), "Actions, resources, and condition keys for Amazon S3" (Service
Authorization Reference) and the GetFederationToken / AssumeRole API reference
(Policy: 1-2048 characters from ``\\t \\n \\r`` and ``\\u0020-\\u00FF``).
"""
from __future__ import absolute_import, unicode_literals

import json
import re

import six

from stsboto.exceptions import InvalidPolicyError
from stsboto.regions import PARTITIONS

__all__ = ['bucket_policy', 'issuer_policy', 'to_json', 'validate_bucket_name',
           'validate_actions', 'OBJECT_ACTIONS', 'BUCKET_ACTIONS', 'DEFAULT_ACTIONS',
           'MAX_POLICY_LENGTH']

VERSION = '2012-10-17'
MAX_POLICY_LENGTH = 2048
# Get and put, plus the right to abort the token's own multipart uploads: without
# it a failed large upload leaves its parts stored (and billed), since the
# client may not clean up (S3 API reference, AbortMultipartUpload).
DEFAULT_ACTIONS = ('s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload')

#: Actions whose resource is an object ARN (``arn:aws:s3:::bucket/key``).
OBJECT_ACTIONS = (
    's3:AbortMultipartUpload', 's3:DeleteObject', 's3:DeleteObjectTagging',
    's3:DeleteObjectVersion', 's3:DeleteObjectVersionTagging', 's3:GetObject',
    's3:GetObjectAcl', 's3:GetObjectAttributes', 's3:GetObjectLegalHold',
    's3:GetObjectRetention', 's3:GetObjectTagging', 's3:GetObjectTorrent',
    's3:GetObjectVersion', 's3:GetObjectVersionAcl', 's3:GetObjectVersionAttributes',
    's3:GetObjectVersionTagging', 's3:ListMultipartUploadParts', 's3:PutObject',
    's3:PutObjectAcl', 's3:PutObjectLegalHold', 's3:PutObjectRetention',
    's3:PutObjectTagging', 's3:PutObjectVersionAcl', 's3:PutObjectVersionTagging',
    's3:RestoreObject',
)
#: Actions whose resource is the bucket ARN (``arn:aws:s3:::bucket``).
BUCKET_ACTIONS = (
    's3:GetBucketAcl', 's3:GetBucketCORS', 's3:GetBucketLocation', 's3:GetBucketLogging',
    's3:GetBucketNotification', 's3:GetBucketPolicy', 's3:GetBucketTagging',
    's3:GetBucketVersioning', 's3:GetBucketWebsite', 's3:GetLifecycleConfiguration',
    's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:ListBucketVersions',
)
# Bucket-level actions that list keys: with a prefix they are limited by the
# s3:prefix condition key, so the token sees only its own keys.
_LISTING_ACTIONS = ('s3:ListBucket', 's3:ListBucketVersions')
_CANONICAL = dict((a.lower(), a) for a in OBJECT_ACTIONS + BUCKET_ACTIONS)

# Amazon S3 User Guide, "General purpose bucket naming rules".
_BUCKET_CHARS = r'^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z'
_IP_ADDRESS = r'^\d{1,3}(\.\d{1,3}){3}\Z'
_BAD_PREFIXES = ('xn--', 'sthree-', 'amzn-s3-demo-')
_BAD_SUFFIXES = ('-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3')
# GetFederationToken API reference: the characters a policy may contain.
_POLICY_CHARS = '^[\t\n\r\u0020-\u00ff]*\\Z'


def _quote(value):
    """``"value"`` for a message, ASCII-safe on Python 2 (non-ASCII escaped)."""
    return '"%s"' % value.encode('ascii', 'backslashreplace').decode('ascii')


def validate_partition(partition, field='partition'):
    """Return ``partition`` if it is one stsboto knows (``aws``, ``aws-cn``, ...)."""
    if partition not in PARTITIONS:
        raise InvalidPolicyError('%s must be one of %s' % (field, ', '.join(PARTITIONS)), field)
    return partition


def validate_bucket_name(bucket, field='bucket'):
    """Return ``bucket`` if it follows the S3 bucket naming rules, else raise
    :class:`InvalidPolicyError` naming the rule it breaks."""
    if not isinstance(bucket, six.string_types) or not bucket:
        raise InvalidPolicyError('%s must be a non-empty string' % field, field)
    if not 3 <= len(bucket) <= 63:
        raise InvalidPolicyError('%s must be 3-63 characters long (S3 bucket naming rules)' % field,
                                 field)
    if not re.match(_BUCKET_CHARS, bucket):
        raise InvalidPolicyError(
            '%s %s may contain only lowercase letters, digits, dots and hyphens, and must begin '
            'and end with a letter or digit (S3 bucket naming rules)' % (field, _quote(bucket)), field)
    if '..' in bucket:
        raise InvalidPolicyError('%s %s must not contain two adjacent dots' % (field, _quote(bucket)),
                                 field)
    if re.match(_IP_ADDRESS, bucket):
        raise InvalidPolicyError('%s %s must not look like an IP address' % (field, _quote(bucket)),
                                 field)
    for prefix in _BAD_PREFIXES:
        if bucket.startswith(prefix):
            raise InvalidPolicyError('%s %s must not start with %s (reserved by S3)'
                                     % (field, _quote(bucket), _quote(prefix)), field)
    for suffix in _BAD_SUFFIXES:
        if bucket.endswith(suffix):
            raise InvalidPolicyError('%s %s must not end with %s (reserved by S3)'
                                     % (field, _quote(bucket), _quote(suffix)), field)
    return bucket


def validate_prefix(prefix, field='prefix'):
    """Return a key prefix usable in an ARN, or raise :class:`InvalidPolicyError`."""
    if prefix is None or prefix == '':
        return ''
    if not isinstance(prefix, six.string_types):
        raise InvalidPolicyError('%s must be a string' % field, field)
    if '*' in prefix or '?' in prefix:
        raise InvalidPolicyError('%s must not contain * or ? (they are wildcards in a policy ARN)'
                                 % field, field)
    if len(prefix.encode('utf-8')) > 1024:
        raise InvalidPolicyError('%s must be at most 1024 bytes (S3 key length limit)' % field, field)
    if not re.match(_POLICY_CHARS, prefix) or any(c in prefix for c in '\t\n\r'):
        raise InvalidPolicyError('%s may contain only characters U+0020-U+00FF (policy character '
                                 'set of the STS API)' % field, field)
    return prefix


def validate_actions(actions, field='actions'):
    """Canonical S3 action names (``s3:GetObject``), or raise :class:`InvalidPolicyError`.

    Names are matched without regard to case, as IAM does.  Wildcards are
    refused: a scoped token should list what it may do.
    """
    if isinstance(actions, six.string_types):
        actions = [actions]
    try:
        actions = list(actions)
    except TypeError:
        raise InvalidPolicyError('%s must be a list of S3 action names' % field, field)
    if not actions:
        raise InvalidPolicyError('%s must name at least one S3 action' % field, field)
    out = []
    for action in actions:
        if not isinstance(action, six.string_types):
            raise InvalidPolicyError('%s must contain strings such as "s3:GetObject"' % field, field)
        if '*' in action or '?' in action:
            raise InvalidPolicyError('%s: wildcard %s is not accepted; list the S3 actions the token '
                                     'needs' % (field, _quote(action)), field)
        name = _CANONICAL.get(action.lower())
        if name is None:
            raise InvalidPolicyError(
                '%s: %s is not an S3 object or bucket action stsboto knows (see '
                'stsboto.policy.OBJECT_ACTIONS and BUCKET_ACTIONS; pass policy= for anything else)'
                % (field, _quote(action)), field)
        if name not in out:
            out.append(name)
    return out


def _statements(bucket, actions, prefix, partition):
    validate_partition(partition)
    bucket = validate_bucket_name(bucket)
    prefix = validate_prefix(prefix)
    actions = validate_actions(actions)
    objects = [a for a in actions if a in OBJECT_ACTIONS]
    buckets = [a for a in actions if a in BUCKET_ACTIONS]
    bucket_arn = 'arn:%s:s3:::%s' % (partition, bucket)
    statements = []
    if objects:
        statements.append({'Effect': 'Allow', 'Action': objects,
                           'Resource': '%s/%s*' % (bucket_arn, prefix)})
    listing = [a for a in buckets if a in _LISTING_ACTIONS]
    other = [a for a in buckets if a not in _LISTING_ACTIONS]
    if listing and prefix:
        statements.append({'Effect': 'Allow', 'Action': listing, 'Resource': bucket_arn,
                           'Condition': {'StringLike': {'s3:prefix': [prefix + '*']}}})
    elif listing:
        other = listing + other
    if other:
        statements.append({'Effect': 'Allow', 'Action': other, 'Resource': bucket_arn})
    return statements


def bucket_policy(bucket, actions=DEFAULT_ACTIONS, prefix=None, partition='aws'):
    """The policy to pass to STS so a token may do ``actions`` on ``bucket``.

    Usage: ``bucket_policy('photos', prefix='user-42/')``

    :param str bucket: the bucket name (checked against the S3 naming rules).
    :param actions: S3 action names; object actions apply to
        ``arn:aws:s3:::bucket/prefix*``, bucket actions to the bucket ARN.
    :param str prefix: limit object actions to keys under this prefix, and
        ``s3:ListBucket`` to it through the ``s3:prefix`` condition.
    :param str partition: ``aws``, ``aws-cn`` or ``aws-us-gov``.
    :returns: the policy as a dict (send it with :func:`to_json`).
    :raises InvalidPolicyError: on a bad bucket, prefix or action, or if the
        result would exceed what STS accepts.
    """
    policy = {'Version': VERSION, 'Statement': _statements(bucket, actions, prefix, partition)}
    to_json(policy)  # size and character check now, before any request
    return policy


def issuer_policy(bucket, actions=DEFAULT_ACTIONS, prefix=None, partition='aws'):
    """The IAM policy the issuing user needs to hand out ``bucket_policy`` tokens.

    A federation token can do only what both its own policy and the issuing
    user's policies allow (GetFederationToken API reference), so the issuer
    needs ``sts:GetFederationToken`` plus every S3 action it grants.

    :returns: the policy as a dict, ready for ``json.dumps`` and IAM.
    """
    statements = [{'Effect': 'Allow', 'Action': ['sts:GetFederationToken'], 'Resource': '*'}]
    statements.extend(_statements(bucket, actions, prefix, partition))
    return {'Version': VERSION, 'Statement': statements}


def to_json(policy, field='policy'):
    """The compact JSON text STS receives for ``policy`` (a dict or JSON text).

    :raises InvalidPolicyError: when it is not a JSON object with a
        ``Statement``, is longer than 2048 characters once compact, or holds
        characters outside the STS policy character set.
    """
    if isinstance(policy, six.binary_type):
        try:
            policy = policy.decode('utf-8')
        except UnicodeDecodeError:
            raise InvalidPolicyError('%s must be UTF-8 text' % field, field)
    if isinstance(policy, six.string_types):
        try:
            policy = json.loads(policy)
        except ValueError as error:
            raise InvalidPolicyError('%s is not valid JSON: %s' % (field, error), field)
    if not isinstance(policy, dict):
        raise InvalidPolicyError('%s must be a JSON object (a dict), not %s'
                                 % (field, type(policy).__name__), field)
    statement = policy.get('Statement')
    if not statement or not isinstance(statement, (list, dict)):
        raise InvalidPolicyError('%s must have a non-empty "Statement"' % field, field)
    for item in statement if isinstance(statement, list) else [statement]:
        if not isinstance(item, dict) or item.get('Effect') not in ('Allow', 'Deny'):
            raise InvalidPolicyError('%s: every statement needs "Effect": "Allow" or "Deny"' % field,
                                     field)
    text = json.dumps(policy, separators=(',', ':'), sort_keys=True, ensure_ascii=False)
    if not isinstance(text, six.text_type):  # Python 2 may hand back bytes
        text = text.decode('utf-8')
    bad = _first_bad_char(text)
    if bad is not None:
        raise InvalidPolicyError('%s contains character U+%04X at position %d; STS accepts only '
                                 'tab, newline, carriage return and U+0020-U+00FF'
                                 % (field, ord(text[bad]), bad), field)
    if len(text) > MAX_POLICY_LENGTH:
        raise InvalidPolicyError('%s is %d characters as compact JSON; STS accepts at most %d '
                                 '(use a shorter prefix or fewer actions)'
                                 % (field, len(text), MAX_POLICY_LENGTH), field)
    return text


def _first_bad_char(text):
    if re.match(_POLICY_CHARS, text):
        return None
    for index, char in enumerate(text):
        if not re.match(_POLICY_CHARS, char):
            return index
    return None  # pragma: no cover
