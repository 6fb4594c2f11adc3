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
import logging
import math
import re

import six

from stsboto.exceptions import InvalidPolicyError
from stsboto.regions import PARTITIONS

__all__ = ['bucket_policy', 'issuer_policy', 'to_json', 'validate_bucket_name',
           'validate_actions', 'validate_prefix', 'OBJECT_ACTIONS', 'BUCKET_ACTIONS',
           'DEFAULT_ACTIONS', 'MAX_POLICY_LENGTH', 'SAFE_POLICY_VARIABLES']

log = logging.getLogger(__name__)

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

#: The IAM policy variables a prefix may hold once the caller opts in
#: (``bucket_policy(..., policy_variables=['aws:userid'])``).  IAM evaluates
#: policy variables in session policies too (IAM User Guide, "IAM policy
#: elements: Variables and tags"), so a variable is only as trustworthy as
#: what it is filled from.  These come from the signed-in principal, which the
#: token holder cannot choose: ``aws:userid`` (for a federated user
#: ``ACCOUNT:NAME``, for an assumed role ``ROLEID:SESSION``), ``aws:username``
#: (IAM users only) and ``aws:PrincipalAccount``.  Refused always:
#: ``aws:UserAgent``, ``aws:Referer`` and ``s3:x-amz-*`` are copied from
#: request headers the client writes, ``aws:SourceIp`` and ``aws:CurrentTime``
#: are not identities, and tag variables can be set by whoever tags the session.
SAFE_POLICY_VARIABLES = ('aws:userid', 'aws:username', 'aws:PrincipalAccount')
_SAFE_LOWER = dict((name.lower(), name) for name in SAFE_POLICY_VARIABLES)
# a plain pattern: re compiles and caches it on first use (import stays cheap)
_VARIABLE = r'\$\{([^}]*)\}'
_VARIABLE_CHARS = '${}'
# A policy is at most 2048 characters; real ones nest 4-5 levels.  Anything
# deeper is refused before json parses it (which recurses: RecursionError).
_MAX_DEPTH = 32
# Pretty-printed policy text may be longer than the compact 2048 characters,
# but not by this much.
_MAX_TEXT_LENGTH = 65536


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
    if any(c in bucket for c in _VARIABLE_CHARS):
        # Checked before the naming rules so the message says why: IAM would
        # read ${...} as a policy variable (issue 11); no bucket name holds one.
        raise InvalidPolicyError('%s must not contain $, { or } (IAM reads ${...} as a policy '
                                 'variable; bucket names never take one)' % field, field)
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


def validate_prefix(prefix, field='prefix', policy_variables=None):
    """Return a key prefix usable in an ARN, or raise :class:`InvalidPolicyError`.

    Usage: ``validate_prefix('users/42/')``;
    ``validate_prefix('home/${aws:userid}/', policy_variables=['aws:userid'])``

    ``$``, ``{`` and ``}`` are refused: IAM reads ``${...}`` in a policy as a
    variable filled in at request time, so ``'users/%s/' % name`` with a
    ``name`` of ``${aws:UserAgent}`` would give a token whose scope the
    client picks with its User-Agent header (issue 11).

    :param policy_variables: names of variables the caller means to use
        (each one of :data:`SAFE_POLICY_VARIABLES`); only these may appear,
        and only as ``${name}``.
    """
    if prefix is None or prefix == '':
        return ''
    if not isinstance(prefix, six.string_types):
        raise InvalidPolicyError('%s must be a string' % field, field)
    if '*' in prefix or '?' in prefix:
        raise InvalidPolicyError('%s must not contain * or ? (they are wildcards in a policy ARN)'
                                 % field, field)
    _check_variables(prefix, field, _allowed_variables(policy_variables))
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


def _allowed_variables(policy_variables):
    """The lower-cased names the caller opted in to, each checked against the safe list."""
    if policy_variables is None:
        return frozenset()
    if isinstance(policy_variables, six.string_types):
        policy_variables = [policy_variables]
    try:
        names = list(policy_variables)
    except TypeError:
        raise InvalidPolicyError('policy_variables must be a list of variable names such as '
                                 '"aws:userid"', 'policy_variables')
    allowed = set()
    for name in names:
        if not isinstance(name, six.string_types) or name.lower() not in _SAFE_LOWER:
            raise InvalidPolicyError(
                'policy_variables: %s is not a variable stsboto allows; only principal-derived '
                'ones are safe: %s (see stsboto.policy.SAFE_POLICY_VARIABLES)'
                % (_quote(name) if isinstance(name, six.string_types) else type(name).__name__,
                   ', '.join(SAFE_POLICY_VARIABLES)), 'policy_variables')
        allowed.add(name.lower())
    return frozenset(allowed)


def _check_variables(text, field, allowed):
    if not any(c in text for c in _VARIABLE_CHARS):
        return
    rest = re.sub(_VARIABLE, lambda m: '' if m.group(1).lower() in allowed else m.group(0), text)
    if any(c in rest for c in _VARIABLE_CHARS):
        if allowed:
            rule = ('only ${%s} as opted in with policy_variables'
                    % '}, ${'.join(_SAFE_LOWER[name] for name in sorted(allowed)))
        else:
            rule = ('opt in with policy_variables=[...] to use one of the principal-derived '
                    'variables %s' % ', '.join('${%s}' % v for v in SAFE_POLICY_VARIABLES))
        raise InvalidPolicyError('%s must not contain $, { or }: IAM reads ${...} as a policy '
                                 'variable, and some are filled from headers the client chooses; '
                                 '%s' % (field, rule), field)


def _statements(bucket, actions, prefix, partition, policy_variables=None):
    validate_partition(partition)
    bucket = validate_bucket_name(bucket)
    prefix = validate_prefix(prefix, policy_variables=policy_variables)
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


def bucket_policy(bucket, actions=DEFAULT_ACTIONS, prefix=None, partition='aws',
                  policy_variables=None):
    """The policy to pass to STS so a token may do ``actions`` on ``bucket``.

    Usage: ``bucket_policy('photos', prefix='user-42/')``

    :param str bucket: the bucket name (checked against the S3 naming rules).
    :param actions: S3 action names; object actions apply to
        ``arn:aws:s3:::bucket/prefix*``, bucket actions to the bucket ARN.
    :param str prefix: limit object actions to keys under this prefix, and
        ``s3:ListBucket`` to it through the ``s3:prefix`` condition.
    :param str partition: ``aws``, ``aws-cn`` or ``aws-us-gov``.
    :param policy_variables: IAM policy variables the prefix may use, e.g.
        ``['aws:userid']`` with ``prefix='home/${aws:userid}/'``; only
        :data:`SAFE_POLICY_VARIABLES` are accepted.  Without it ``$``, ``{``
        and ``}`` in the prefix are refused.
    :returns: the policy as a dict (send it with :func:`to_json`).
    :raises InvalidPolicyError: on a bad bucket, prefix or action, or if the
        result would exceed what STS accepts.
    """
    policy = {'Version': VERSION,
              'Statement': _statements(bucket, actions, prefix, partition, policy_variables)}
    to_json(policy)  # size and character check now, before any request
    return policy


def issuer_policy(bucket, actions=DEFAULT_ACTIONS, prefix=None, partition='aws',
                  policy_variables=None):
    """The IAM policy the issuing user needs to hand out ``bucket_policy`` tokens.

    A federation token can do only what both its own policy and the issuing
    user's policies allow (GetFederationToken API reference), so the issuer
    needs ``sts:GetFederationToken`` plus every S3 action it grants.

    :returns: the policy as a dict, ready for ``json.dumps`` and IAM.
    """
    statements = [{'Effect': 'Allow', 'Action': ['sts:GetFederationToken'], 'Resource': '*'}]
    statements.extend(_statements(bucket, actions, prefix, partition, policy_variables))
    return {'Version': VERSION, 'Statement': statements}


def to_json(policy, field='policy'):
    """The compact JSON text STS receives for ``policy`` (a dict or JSON text).

    Usage: ``text = to_json({'Version': '2012-10-17', 'Statement': [...]})``

    Policy variables (``${...}``) outside :data:`SAFE_POLICY_VARIABLES` are
    allowed here (the caller wrote the whole policy) but logged as a warning
    on the ``stsboto.policy`` logger, naming the variables only.

    :raises InvalidPolicyError: when it is not a JSON object with a
        ``Statement``, nests deeper than 32 levels, holds a value JSON cannot
        carry (a set, an object, ``NaN``, ``Infinity``), is longer than 2048
        characters once compact, or holds characters outside the STS policy
        character set.
    """
    if isinstance(policy, six.binary_type):
        try:
            policy = policy.decode('utf-8')
        except UnicodeDecodeError:
            raise InvalidPolicyError('%s must be UTF-8 text' % field, field)
    if isinstance(policy, six.string_types):
        policy = _parse_json(policy, field)
    if not isinstance(policy, dict):
        raise InvalidPolicyError('%s must be a JSON object (a dict), not %s'
                                 % (field, type(policy).__name__), field)
    _check_values(policy, field)
    statement = policy.get('Statement')
    if not statement or not isinstance(statement, (list, dict)):
        raise InvalidPolicyError('%s must have a non-empty "Statement"' % field, field)
    for item in statement if isinstance(statement, list) else [statement]:
        if not isinstance(item, dict) or item.get('Effect') not in ('Allow', 'Deny'):
            raise InvalidPolicyError('%s: every statement needs "Effect": "Allow" or "Deny"' % field,
                                     field)
    # allow_nan=False: Python would write NaN / Infinity, which are not JSON (RFC 8259)
    # and which STS refuses; _check_values has refused them already.
    text = json.dumps(policy, separators=(',', ':'), sort_keys=True, ensure_ascii=False,
                      allow_nan=False)
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
    _warn_variables(text, field)
    return text


def _refuse_constant(name):
    raise ValueError('%s is not JSON' % name)


def _parse_json(text, field):
    if len(text) > _MAX_TEXT_LENGTH:
        raise InvalidPolicyError('%s is %d characters of JSON text; a policy is at most %d '
                                 'characters once compact' % (field, len(text), MAX_POLICY_LENGTH),
                                 field)
    # json.loads recurses once per level (RecursionError, or RuntimeError on
    # Python 2, for deep input): count the depth first, outside strings.
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == '\\':
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in '[{':
            depth += 1
            deepest = max(deepest, depth)
            if deepest > _MAX_DEPTH:
                raise InvalidPolicyError('%s nests deeper than %d levels' % (field, _MAX_DEPTH),
                                         field)
        elif char in ']}':
            depth -= 1
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except ValueError as error:
        raise InvalidPolicyError('%s is not valid JSON: %s' % (field, error), field)


_SCALARS = six.string_types + (bool, type(None)) + six.integer_types


def _check_values(policy, field):
    """Refuse what JSON cannot carry, by path, without recursing (cycles and depth too)."""
    pending = [(policy, field, 1)]
    while pending:
        value, path, depth = pending.pop()
        if depth > _MAX_DEPTH:
            raise InvalidPolicyError('%s nests deeper than %d levels (or refers to itself)'
                                     % (field, _MAX_DEPTH), field)
        if isinstance(value, _SCALARS):
            continue
        if isinstance(value, float):
            if math.isnan(value) or math.isinf(value):
                raise InvalidPolicyError('%s is %r, which JSON cannot carry (RFC 8259) and STS '
                                         'refuses' % (path, value), field)
        elif isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, six.string_types):
                    raise InvalidPolicyError('%s has a key of type %s; policy keys are strings'
                                             % (path, type(key).__name__), field)
                pending.append((item, '%s.%s' % (path, _quote(key)[1:-1]), depth + 1))
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                pending.append((item, '%s[%d]' % (path, index), depth + 1))
        else:
            raise InvalidPolicyError('%s is a %s; a policy holds only strings, numbers, '
                                     'true/false, null, lists and objects'
                                     % (path, type(value).__name__), field)


def _warn_variables(text, field):
    if '${' not in text:
        return
    unsafe = sorted(set(name for name in re.findall(_VARIABLE, text)
                        if name.lower() not in _SAFE_LOWER))
    if unsafe:
        log.warning('%s uses IAM policy variables %s; IAM fills them in at request time, and some '
                    '(aws:UserAgent, aws:Referer, s3:x-amz-*) from headers the token holder '
                    'chooses. Principal-derived ones are safe: %s', field,
                    ', '.join('${%s}' % _quote(name)[1:-1] for name in unsafe),
                    ', '.join(SAFE_POLICY_VARIABLES))


def _first_bad_char(text):
    if re.match(_POLICY_CHARS, text):
        return None
    for index, char in enumerate(text):
        if not re.match(_POLICY_CHARS, char):
            return index
    return None  # pragma: no cover
