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

Where credentials come from is :mod:`stsboto.credentials` (botocore's
provider chain); the methods here hand the work to it::

    token = Token.from_env()             # AWS_ACCESS_KEY_ID, ... or None
    token = Token.from_profile('name')   # ~/.aws/credentials
    token.save(path); Token.load(path)   # a 0600 JSON file
    os.environ.update(token.to_env())

This module is a value layer: it imports nothing of stsboto but the errors and
the compat module.  The credential package sits above it and does file and
environment I/O, so ``from_env``, ``from_profile``, ``save`` and ``load``
reach it through :data:`_SOURCES`, a table of callables that
``stsboto.credentials`` fills when it is imported (``import stsboto`` imports
it), the way botocore hands its assume-role provider a client creator instead
of importing STS.  The package keeps its own imports lazy, so filling the
table costs nothing at start-up.
"""
from __future__ import absolute_import, unicode_literals

import datetime
import json
import re

import six

from stsboto._compat import EPOCH as _EPOCH
from stsboto._compat import UTC, utcnow
from stsboto._validate import validate_json_depth, validate_timedelta
from stsboto.exceptions import (GET_ANOTHER_TOKEN, InvalidParameterError, InvalidTokenError,
                                StsbotoError, TokenExpiredError)

__all__ = ['Token', 'parse_expiration', 'format_expiration', 'token_expired_error', 'describe_age',
           'ENV_VARIABLES']


# Patterns here and in the other modules are plain strings: ``re`` compiles and
# caches them on first use, which keeps ``import stsboto`` cheap (docs/BENCHMARKS.rst).
_ISO = (
    r'^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?'
    r'\s*(Z|z|UTC|[+-]\d{2}:?\d{2})?$')


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
            value = value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise InvalidTokenError('%s is out of range' % field, field)
    if isinstance(value, bool):
        raise InvalidTokenError('%s must be an ISO-8601 time, not a boolean' % field, field)
    if isinstance(value, six.integer_types + (float,)):
        try:
            return _EPOCH + datetime.timedelta(seconds=value)
        except (OverflowError, ValueError):
            raise InvalidTokenError('%s is not a usable time in seconds since 1970' % field, field)
    if isinstance(value, six.binary_type):
        value = value.decode('ascii', 'replace')
    if not isinstance(value, six.string_types):
        raise InvalidTokenError('%s must be an ISO-8601 time string or a datetime, not %s'
                                % (field, type(value).__name__), field)
    match = re.match(_ISO, value.strip())
    if not match:
        raise InvalidTokenError('%s must be an ISO-8601 time such as 2026-11-27T21:15:00Z'
                                % field, field)
    year, month, day, hour, minute, second, frac, zone = match.groups()
    micro = int((frac or '0')[:6].ljust(6, '0'))
    try:
        when = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute),
                                 int(second), micro, tzinfo=UTC)
        if zone and zone not in ('Z', 'z', 'UTC'):
            sign = -1 if zone[0] == '-' else 1
            digits = zone[1:].replace(':', '')
            when -= sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    except (OverflowError, ValueError):
        raise InvalidTokenError('%s is not a valid calendar time' % field, field)
    return when


def format_expiration(when):
    """``2026-11-27T21:15:00Z``: the form STS and credential_process use
    (with ``.ffffff`` before the Z only when the time has a fraction)."""
    if when is None:
        return None
    when = when.astimezone(UTC)
    # not strftime: it does not pad years before 1000, and fails before 1900 on Python 2
    text = '%04d-%02d-%02dT%02d:%02d:%02d' % (when.year, when.month, when.day, when.hour,
                                              when.minute, when.second)
    if when.microsecond:
        text += '.%06d' % when.microsecond
    return text + 'Z'


# Keys, secrets and tokens go into HTTP headers: printable ASCII, no white space
# or control characters.  That is all every server needs: AWS's own 16-128
# letters-or-digits rule for AccessKeyId is AWS's server check, and local
# servers use short keys (LocalStack ``test``, moto ``testing``, MinIO
# ``minioadmin``), which plain boto and boto3 accept (issue 12).
_SECRET_CHARS = r'^[\x21-\x7e]+\Z'
# The access key also goes into SigV4's ``Credential=KEY/date/region/service/aws4_request,
# SignedHeaders=...``: a "/", "," or "=" in it breaks that header on every server (and a
# secret key passed as the access key, base64 with "/", is caught here before it is shown).
_ACCESS_KEY = r'^[\x21-\x2b\x2d\x2e\x30-\x3c\x3e-\x7e]+\Z'
_FIELDS = ('access_key', 'secret_key', 'session_token', 'expiration', 'arn')
# ``method`` says which credential source made the token (botocore's names:
# ``env``, ``assume-role``, ``iam-role``, ...).  It is provenance, not part of
# the credentials: equality and hashing ignore it; pickling and replace() keep it.
_SLOTS = _FIELDS + ('method',)
#: The most JSON text ``Token.from_json`` parses (a token is under 4 KiB).
MAX_JSON_SIZE = 64 * 1024
#: The deepest nesting of arrays and objects ``Token.from_json`` accepts: a token
#: is at most two levels deep (``aws sts`` output: ``{"Credentials": {...}}``).
MAX_JSON_DEPTH = 32


def _text(value, field, required):
    if isinstance(value, six.binary_type):
        try:
            value = value.decode('ascii')
        except UnicodeDecodeError:
            raise InvalidTokenError('token field %s must be ASCII text' % field, field)
    if value is None or value == '':
        if required:
            raise InvalidTokenError('token field %s is missing' % field, field)
        return None
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
    :param str method: which credential source made the token, in botocore's
        words (``env``, ``shared-credentials-file``, ``assume-role``,
        ``iam-role``, ...; see :func:`stsboto.find_token`), or None.

    Tokens are immutable and compare equal when all credential fields are
    equal (``method`` is provenance and does not count).  Neither ``repr()``
    nor ``str()`` shows the secret key or the session token.
    """

    __slots__ = _SLOTS

    def __init__(self, access_key, secret_key, session_token=None, expiration=None, arn=None,
                 method=None):
        access_key = _text(access_key, 'access_key', True)
        if not re.match(_ACCESS_KEY, access_key):
            raise InvalidTokenError('token field access_key must be printable ASCII without spaces, '
                                    '"/", "," or "="', 'access_key')
        secret_key = _text(secret_key, 'secret_key', True)
        if not re.match(_SECRET_CHARS, secret_key):
            raise InvalidTokenError('token field secret_key must be printable ASCII without spaces',
                                    'secret_key')
        session_token = _text(session_token, 'session_token', False)
        if session_token is not None and not re.match(_SECRET_CHARS, session_token):
            raise InvalidTokenError('token field session_token must be printable ASCII without spaces',
                                    'session_token')
        arn = _text(arn, 'arn', False)
        if arn is not None and not arn.startswith('arn:'):
            raise InvalidTokenError('token field arn must start with "arn:"', 'arn')
        if method is not None and not isinstance(method, six.string_types):
            raise InvalidParameterError('method must be a source name such as "env", not %s'
                                        % type(method).__name__, 'method')
        setter = object.__setattr__
        setter(self, 'access_key', access_key)
        setter(self, 'secret_key', secret_key)
        setter(self, 'session_token', session_token)
        setter(self, 'expiration', parse_expiration(expiration))
        setter(self, 'arn', arn)
        setter(self, 'method', None if method is None else six.text_type(method))

    def __setattr__(self, name, value):
        raise AttributeError('Token is immutable; build a new one with Token.replace()')

    def __delattr__(self, name):
        raise AttributeError('Token is immutable; build a new one with Token.replace()')

    def __reduce__(self):
        return (Token, tuple(getattr(self, f) for f in _SLOTS))

    def replace(self, **changes):
        """A copy with some fields changed: ``token.replace(arn=None)`` (``method`` is kept
        unless changed too)."""
        unknown = set(changes) - set(_SLOTS)
        if unknown:
            raise TypeError('Token has no field %s' % ', '.join(sorted(unknown)))
        fields = dict((f, getattr(self, f)) for f in _SLOTS)
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
        parts = ['access_key=%s' % _quoted(self.access_key),
                 'secret_key=<hidden>',
                 'session_token=%s' % ('<hidden>' if self.session_token else 'None'),
                 'expiration=%s' % (_quoted(format_expiration(self.expiration))
                                    if self.expiration else None)]
        if self.arn:
            parts.append('arn=%s' % _quoted(self.arn))
        if self.method:
            parts.append('method=%s' % _quoted(self.method))
        # ASCII only (non-ASCII is escaped), so Python 2's repr() and str() cannot
        # fail with UnicodeEncodeError on an ARN with non-ASCII characters (issue 11).
        return str('Token(%s)' % ', '.join(parts))

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
        :raises InvalidParameterError: ``margin`` is not a finite number of
            seconds or a timedelta (``field`` is ``margin``).
        """
        margin = _margin(margin)
        left = self.remaining(now)
        if left is None:
            return False
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
            names = {'access_key': 'AccessKeyId', 'secret_key': 'SecretAccessKey',
                     'session_token': 'SessionToken', 'expiration': 'Expiration', 'arn': 'Arn'}
        elif 'access_key' in data or 'secret_key' in data:
            names = dict((k, k) for k in _FIELDS)
        else:
            raise InvalidTokenError(
                'token has no credentials: expected AccessKeyId and SecretAccessKey '
                '(AWS shape) or access_key and secret_key (boto shape)', 'AccessKeyId')
        arn = data.get(names['arn'], arn)
        try:
            return cls(access_key=data.get(names['access_key']),
                       secret_key=data.get(names['secret_key']),
                       session_token=data.get(names['session_token']),
                       expiration=parse_expiration(data.get(names['expiration']),
                                                   names['expiration']),
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
        if len(text) > MAX_JSON_SIZE:
            raise InvalidTokenError('token JSON is larger than %d characters' % MAX_JSON_SIZE)
        # Checked before parsing, the same on every Python: json recurses per level
        # up to 3.13 (RecursionError) and not on 3.14+ (issue 11, issue 24).
        validate_json_depth(text, 'token JSON', MAX_JSON_DEPTH, InvalidTokenError)
        try:
            data = json.loads(text)
        except ValueError as error:
            # The parser's message gives only a position, never the text.
            raise InvalidTokenError('token is not valid JSON (%s)' % _position(error))
        except RuntimeError:
            # RecursionError (a RuntimeError) from a parser that recurses, whatever
            # the check above let through (a smaller recursion limit).
            six.raise_from(InvalidTokenError('token JSON is nested too deeply to be a token'), None)
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
        if callable(getattr(value, 'refresh_now', None)) and callable(getattr(value, 'get', None)):
            # a stsboto.RefreshableToken (what find_token returns for expiring
            # sources): its current token, refreshed first if due
            return value.get()
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

    # -- where credentials live: thin delegates to stsboto.credentials -------

    @classmethod
    def from_env(cls, environ=None):
        """A Token from the AWS environment variables, or None when none are set.

        Usage: ``token = Token.from_env()`` (or ``Token.from_env(my_env_dict)``)

        Done by :func:`stsboto.credentials.env.token_from_env`, which
        documents the variables and errors.
        """
        return _source('from_env')(environ, cls)

    @classmethod
    def from_profile(cls, name=None, path=None, environ=None):
        """A Token from a profile of the shared credentials file (``~/.aws/credentials``).

        Usage: ``token = Token.from_profile('uploader')``

        Done by :func:`stsboto.credentials.files.token_from_profile`,
        which documents the file and profile rules and the errors.
        """
        return _source('from_profile')(name, path, environ, cls)

    def to_env(self):
        """The environment variables that hand these credentials to other tools.

        Usage: ``os.environ.update(token.to_env())`` or
        ``subprocess.call(cmd, env=dict(os.environ, **token.to_env()))``

        ``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY``; the session token
        as both ``AWS_SESSION_TOKEN`` (current SDKs and the AWS CLI) and
        ``AWS_SECURITY_TOKEN`` (boto 2 and older tools); and
        ``AWS_CREDENTIAL_EXPIRATION`` when the expiration is known.  A
        variable without a value is left out, so a stale one in the
        environment you update would survive: remove every name in
        ``stsboto.token.ENV_VARIABLES`` first.  Values are native ``str``.

        :rtype: dict
        """
        out = {'AWS_ACCESS_KEY_ID': self.access_key, 'AWS_SECRET_ACCESS_KEY': self.secret_key}
        if self.session_token:
            out['AWS_SESSION_TOKEN'] = out['AWS_SECURITY_TOKEN'] = self.session_token
        if self.expiration:
            out['AWS_CREDENTIAL_EXPIRATION'] = format_expiration(self.expiration)
        # All values are ASCII (checked by __init__), so str() is safe on Python 2.
        return dict((str(key), str(value)) for key, value in out.items())

    def save(self, path):
        """Write the token to ``path`` as credential_process JSON, readable by its owner only.

        Usage: ``token.save(os.path.expanduser('~/.cache/uploader-token.json'))``

        Done by :func:`stsboto.credentials.files.save_token` (0600 from
        the first instant, atomic rename, symlinks refused, no temporary file
        left behind on SIGTERM).
        """
        _source('save')(self, path)

    @classmethod
    def load(cls, path):
        """A Token from a file holding JSON of any shape :meth:`from_json` takes.

        Usage: ``token = Token.load(path)``

        Done by :func:`stsboto.credentials.files.load_token` (reads at
        most :data:`stsboto.credentials.files.MAX_TOKEN_FILE_SIZE` bytes).
        """
        return _source('load')(path, cls)


def _position(error):
    lineno = getattr(error, 'lineno', None)
    if lineno is not None:
        return 'line %s column %s' % (lineno, error.colno)
    match = re.search(r'line \d+ column \d+', six.text_type(error))
    return match.group(0) if match else 'cannot parse'


#: Every environment variable :meth:`Token.from_env` reads and :meth:`Token.to_env` writes.
ENV_VARIABLES = ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
                 'AWS_SECURITY_TOKEN', 'AWS_CREDENTIAL_EXPIRATION')


#: What the credential package (a layer above) does for Token: ``from_env``,
#: ``from_profile``, ``save``, ``load`` and ``find_token``, filled by
#: ``stsboto.credentials`` when it is imported (see the module docstring).
_SOURCES = {}


def _source(name):
    try:
        return _SOURCES[name]
    except KeyError:
        # Only when stsboto.credentials failed to import (import stsboto imports it).
        raise StsbotoError('%s needs stsboto.credentials, which is not imported' % name)


def find_token(environ=None, profile=None, **options):
    """What :func:`stsboto.find_token` answers, for the layers below the credential chain.

    Usage: ``token = find_token()`` in ``stsboto.sts`` and ``stsboto.s3``
    (the chain sits above them).  Other code calls :func:`stsboto.find_token`,
    whose first argument is ``profile``; this one keeps the ``environ``-first
    order of stsboto 0.2.
    """
    return _source('find_token')(profile=profile, environ=environ, **options)


def describe_age(seconds):
    """``'90 seconds'``, ``'14 minutes'``, ``'5 hours'``, ``'12 days'``, ``'3 years'``: a person's unit.

    Whole units, rounded down; seconds up to two minutes, minutes up to two
    hours, hours up to two days, days up to sixty, months (30.44 days) up to
    two years, then years (365.25 days).
    """
    seconds = int(abs(seconds))
    for limit, size, unit in ((120, 1, 'second'), (7200, 60, 'minute'), (172800, 3600, 'hour'),
                              (5184000, 86400, 'day'), (63115200, 2629800, 'month')):
        if seconds < limit:
            count = seconds // size
            return '%d %s%s' % (count, unit, '' if count == 1 else 's')
    count = seconds // 31557600
    return '%d year%s' % (count, '' if count == 1 else 's')


def token_expired_error(token, now=None, detail='nothing was sent'):
    """The :class:`~stsboto.exceptions.TokenExpiredError` for ``token``, worded the one way
    stsboto says it.

    Usage: ``raise token_expired_error(token, now)``

    :param token: the :class:`Token` that expired.
    :param now: the current time (aware datetime); default: the clock.
    :param str detail: what happened to the request (``nothing was sent``).
    """
    left = token.remaining(now)
    ago = int(-left.total_seconds()) if left is not None else 0
    when = format_expiration(token.expiration.replace(microsecond=0)) if token.expiration \
        else 'an unknown time'
    return TokenExpiredError('the session token (access key %s) expired at %s, %s ago; '
                             '%s. To go on, %s.' % (token.access_key, when, describe_age(max(ago, 0)),
                                                    detail, GET_ANOTHER_TOKEN),
                             expiration=token.expiration)


def _quoted(text):
    """``'text'`` with non-ASCII escaped, and no ``u`` prefix on Python 2."""
    quoted = repr(six.text_type(text))
    quoted = quoted[1:] if quoted.startswith('u') else quoted
    return quoted.encode('ascii', 'backslashreplace').decode('ascii')


def _margin(margin):
    if isinstance(margin, datetime.timedelta):
        return margin  # any timedelta, negative too: "expired 5 minutes from now"
    return validate_timedelta(margin, 'margin', low=None)
