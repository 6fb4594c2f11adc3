"""``Token``: one set of temporary AWS credentials, immutable.

Usage::

    token = Token.coerce(anything_that_holds_credentials)
    token.expired(margin=60)
    json_text = token.to_json()     # the credential_process shape

A token can be built from boto's own STS results (``FederationToken``,
``AssumedRole``, ``boto.sts.credentials.Credentials``), from the dict boto's
``Credentials.to_dict()`` writes, from the JSON shapes the AWS APIs, the AWS CLI
and ``credential_process`` use, from a JSON string of any of those, or from
another Token.
"""
from __future__ import absolute_import, unicode_literals

import datetime
import json
import re

import six

from stsboto.exceptions import InvalidTokenError

__all__ = ['Token', 'UTC', 'parse_expiration', 'format_expiration']


class _UTC(datetime.tzinfo):
    """UTC as a tzinfo that also exists on Python 2."""

    def utcoffset(self, dt):
        return datetime.timedelta(0)

    def dst(self, dt):
        return datetime.timedelta(0)

    def tzname(self, dt):
        return 'UTC'

    def __repr__(self):
        return 'UTC'

    def __reduce__(self):
        return (_utc, ())


def _utc():
    return UTC


UTC = _UTC()
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)

_ISO = re.compile(
    r'^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?'
    r'\s*(Z|z|UTC|[+-]\d{2}:?\d{2})?$')


def utcnow():
    """The current time as an aware UTC datetime."""
    return datetime.datetime.now(UTC)


def parse_expiration(value, field='expiration'):
    """An aware UTC datetime from what an API or a file says, or None.

    :param value: None, an ISO-8601 string (``2026-11-27T21:15:00Z``, with
        fractions or an offset; no offset means UTC, as boto and STS write it),
        a datetime (naive means UTC), or seconds since the epoch.
    """
    if value is None or value == '':
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    if isinstance(value, bool):
        raise InvalidTokenError('%s must be an ISO-8601 time, not a boolean' % field, field)
    if isinstance(value, six.integer_types + (float,)):
        return _EPOCH + datetime.timedelta(seconds=value)
    if isinstance(value, six.binary_type):
        value = value.decode('ascii', 'replace')
    if not isinstance(value, six.string_types):
        raise InvalidTokenError('%s must be an ISO-8601 time string or a datetime, not %s'
                                % (field, type(value).__name__), field)
    match = _ISO.match(value.strip())
    if not match:
        raise InvalidTokenError('%s must be an ISO-8601 time such as 2026-11-27T21:15:00Z'
                                % field, field)
    year, month, day, hour, minute, second, frac, zone = match.groups()
    micro = int((frac or '0')[:6].ljust(6, '0'))
    try:
        when = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute),
                                 int(second), micro, tzinfo=UTC)
    except ValueError:
        raise InvalidTokenError('%s is not a valid calendar time' % field, field)
    if zone and zone not in ('Z', 'z', 'UTC'):
        sign = -1 if zone[0] == '-' else 1
        digits = zone[1:].replace(':', '')
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        when -= sign * offset
    return when


def format_expiration(when):
    """``2026-11-27T21:15:00Z``: the form STS and credential_process use."""
    if when is None:
        return None
    when = when.astimezone(UTC)
    return when.strftime('%Y-%m-%dT%H:%M:%S') + 'Z'


# AWS API reference (AccessKeyId: 16-128 characters, pattern [\w]*).
_ACCESS_KEY = re.compile(r'^\w{16,128}$', re.UNICODE)
# Secrets and tokens go into HTTP headers: printable ASCII, no white space.
_SECRET_CHARS = re.compile(r'^[\x21-\x7e]+$')
_FIELDS = ('access_key', 'secret_key', 'session_token', 'expiration', 'arn')


def _text(value, field, required):
    if value is None or value == '':
        if required:
            raise InvalidTokenError('token field %s is missing' % field, field)
        return None
    if isinstance(value, six.binary_type):
        try:
            value = value.decode('ascii')
        except UnicodeDecodeError:
            raise InvalidTokenError('token field %s must be ASCII text' % field, field)
    if not isinstance(value, six.string_types):
        raise InvalidTokenError('token field %s must be a string, not %s'
                                % (field, type(value).__name__), field)
    return six.text_type(value)


class Token(object):
    """Temporary AWS credentials: access key, secret key, session token, expiration.

    Usage: ``Token(access_key, secret_key, session_token, expiration=None, arn=None)``
    or, more often, ``Token.coerce(x)``.

    :param str access_key: the access key id (``ASIA...`` for temporary keys).
    :param str secret_key: the secret access key.
    :param str session_token: the session token; None only for long-term keys.
    :param expiration: when the credentials stop working: ISO-8601 text or a
        datetime; stored as an aware UTC datetime.  None means unknown.
    :param str arn: the federated user or assumed role the token belongs to.

    Tokens are immutable and compare equal when all fields are equal.  Neither
    ``repr()`` nor ``str()`` shows the secret key or the session token.
    """

    __slots__ = _FIELDS

    def __init__(self, access_key, secret_key, session_token=None, expiration=None, arn=None):
        access_key = _text(access_key, 'access_key', True)
        if not _ACCESS_KEY.match(access_key):
            raise InvalidTokenError('token field access_key must be 16-128 letters or digits', 'access_key')
        secret_key = _text(secret_key, 'secret_key', True)
        if not _SECRET_CHARS.match(secret_key):
            raise InvalidTokenError('token field secret_key must be printable ASCII without spaces',
                                    'secret_key')
        session_token = _text(session_token, 'session_token', False)
        if session_token is not None and not _SECRET_CHARS.match(session_token):
            raise InvalidTokenError('token field session_token must be printable ASCII without spaces',
                                    'session_token')
        arn = _text(arn, 'arn', False)
        if arn is not None and not arn.startswith('arn:'):
            raise InvalidTokenError('token field arn must start with "arn:"', 'arn')
        setter = object.__setattr__
        setter(self, 'access_key', access_key)
        setter(self, 'secret_key', secret_key)
        setter(self, 'session_token', session_token)
        setter(self, 'expiration', parse_expiration(expiration))
        setter(self, 'arn', arn)

    def __setattr__(self, name, value):
        raise AttributeError('Token is immutable; build a new one with Token.replace()')

    __delattr__ = __setattr__

    def __reduce__(self):
        return (Token, tuple(getattr(self, f) for f in _FIELDS))

    def replace(self, **changes):
        """A copy with some fields changed: ``token.replace(arn=None)``."""
        unknown = set(changes) - set(_FIELDS)
        if unknown:
            raise TypeError('Token has no field %s' % ', '.join(sorted(unknown)))
        fields = dict((f, getattr(self, f)) for f in _FIELDS)
        fields.update(changes)
        return Token(**fields)

    def __eq__(self, other):
        if not isinstance(other, Token):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in _FIELDS)

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self):
        return hash(tuple(getattr(self, f) for f in _FIELDS))

    def __repr__(self):
        parts = ['access_key=%r' % str(self.access_key),
                 'secret_key=<hidden>',
                 'session_token=%s' % ('<hidden>' if self.session_token else 'None'),
                 'expiration=%r' % (str(format_expiration(self.expiration))
                                    if self.expiration else None)]
        if self.arn:
            parts.append('arn=%r' % str(self.arn))
        return 'Token(%s)' % ', '.join(parts)

    __str__ = __repr__

    # -- time ---------------------------------------------------------------

    def remaining(self, now=None):
        """Time left as a timedelta (negative once expired), or None if unknown.

        :param now: the current time (aware, or naive UTC); defaults to the clock.
        """
        if self.expiration is None:
            return None
        now = utcnow() if now is None else parse_expiration(now, 'now')
        return self.expiration - now

    def expired(self, margin=0, now=None):
        """True when the token has expired, or will within ``margin`` seconds.

        A token without an expiration never counts as expired.

        :param margin: seconds (or a timedelta) of safety before the real expiry.
        :param now: the current time; defaults to the clock.
        """
        left = self.remaining(now)
        if left is None:
            return False
        if not isinstance(margin, datetime.timedelta):
            margin = datetime.timedelta(seconds=margin)
        return left <= margin

    # -- conversion ---------------------------------------------------------

    def to_dict(self):
        """The credential_process JSON shape, which every AWS SDK reads.

        ``{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken",
        "Expiration"}``; ``SessionToken`` and ``Expiration`` only when known,
        plus ``Arn`` when known (SDKs ignore keys they do not use).
        """
        out = {'Version': 1, 'AccessKeyId': self.access_key, 'SecretAccessKey': self.secret_key}
        if self.session_token:
            out['SessionToken'] = self.session_token
        if self.expiration:
            out['Expiration'] = format_expiration(self.expiration)
        if self.arn:
            out['Arn'] = self.arn
        return out

    def to_json(self, indent=None):
        """``to_dict()`` as JSON text (keys sorted, so the output is stable)."""
        return json.dumps(self.to_dict(), indent=indent, sort_keys=True,
                          separators=(',', ': ') if indent else (',', ':'))

    def to_boto_kwargs(self):
        """The keyword arguments boto 2 connections take for these credentials."""
        return {'aws_access_key_id': self.access_key,
                'aws_secret_access_key': self.secret_key,
                'security_token': self.session_token}

    @classmethod
    def from_dict(cls, data):
        """A Token from any of the dict shapes listed in the module docstring."""
        if not isinstance(data, dict):
            raise InvalidTokenError('token must be a JSON object, not %s' % type(data).__name__)
        arn = None
        if 'Credentials' in data and isinstance(data.get('Credentials'), dict):
            # ``aws sts get-federation-token`` / ``assume-role`` output.
            for user in ('FederatedUser', 'AssumedRoleUser'):
                if isinstance(data.get(user), dict):
                    arn = data[user].get('Arn')
            data = data['Credentials']
        if 'Version' in data and data['Version'] != 1:
            raise InvalidTokenError('token field Version must be 1 (the credential_process format)',
                                    'Version')
        if 'AccessKeyId' in data or 'SecretAccessKey' in data:
            fields = {'access_key': ('AccessKeyId', 'access_key'),
                      'secret_key': ('SecretAccessKey', 'secret_key'),
                      'session_token': ('SessionToken', 'session_token'),
                      'expiration': ('Expiration', 'expiration')}
            names = dict((k, v[0]) for k, v in fields.items())
        elif 'access_key' in data or 'secret_key' in data:
            names = dict((k, k) for k in ('access_key', 'secret_key', 'session_token', 'expiration'))
        else:
            raise InvalidTokenError(
                'token has no credentials: expected AccessKeyId and SecretAccessKey '
                '(AWS shape) or access_key and secret_key (boto shape)', 'AccessKeyId')
        arn = data.get('Arn', data.get('arn', arn))
        try:
            return cls(access_key=data.get(names['access_key']),
                       secret_key=data.get(names['secret_key']),
                       session_token=data.get(names['session_token']),
                       expiration=data.get(names['expiration']),
                       arn=arn)
        except InvalidTokenError as error:
            # Report the field as it is spelled in the caller's data.
            if error.field in names and names[error.field] != error.field:
                raise InvalidTokenError(
                    six.text_type(error).replace('field %s ' % error.field,
                                                 'field %s ' % names[error.field]),
                    names[error.field])
            raise

    @classmethod
    def from_json(cls, text):
        """A Token from JSON text of any shape ``from_dict`` takes."""
        if isinstance(text, six.binary_type):
            try:
                text = text.decode('utf-8')
            except UnicodeDecodeError:
                raise InvalidTokenError('token JSON must be UTF-8 text')
        try:
            data = json.loads(text)
        except ValueError as error:
            # The parser's message gives only a position, never the text.
            raise InvalidTokenError('token is not valid JSON (%s)' % _position(error))
        return cls.from_dict(data)

    @classmethod
    def coerce(cls, value):
        """A Token from whatever holds credentials (see the module docstring)."""
        if isinstance(value, Token):
            return value
        if value is None:
            raise InvalidTokenError('token is missing (got None)')
        if isinstance(value, dict):
            return cls.from_dict(value)
        if isinstance(value, (six.text_type, six.binary_type)):
            return cls.from_json(value)
        # boto.sts.credentials.FederationToken / AssumedRole hold .credentials
        creds = getattr(value, 'credentials', None)
        if creds is not None and hasattr(creds, 'access_key'):
            arn = getattr(value, 'federated_user_arn', None)
            user = getattr(value, 'user', None)
            if arn is None and user is not None:
                arn = getattr(user, 'arn', None)
            return cls._from_boto_credentials(creds, arn)
        if hasattr(value, 'access_key') and hasattr(value, 'secret_key'):
            return cls._from_boto_credentials(value, getattr(value, 'arn', None))
        raise InvalidTokenError('cannot make a token from %s: pass a Token, a dict, JSON text '
                                'or a boto STS result' % type(value).__name__)

    @classmethod
    def _from_boto_credentials(cls, creds, arn):
        return cls(access_key=creds.access_key, secret_key=creds.secret_key,
                   session_token=getattr(creds, 'session_token', None),
                   expiration=getattr(creds, 'expiration', None), arn=arn)


def _position(error):
    lineno = getattr(error, 'lineno', None)
    if lineno is not None:
        return 'line %s column %s' % (lineno, error.colno)
    match = re.search(r'line \d+ column \d+', six.text_type(error))
    return match.group(0) if match else 'cannot parse'
