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

Where credentials live (the AWS CLI's order; see :func:`find_token`)::

    token = Token.from_env()             # AWS_ACCESS_KEY_ID, ... or None
    token = Token.from_profile('name')   # ~/.aws/credentials
    token.save(path); Token.load(path)   # a 0600 JSON file
    os.environ.update(token.to_env())
"""
from __future__ import absolute_import, unicode_literals

import binascii
import datetime
import errno
import io
import json
import os
import re

import six
from six.moves import configparser

from stsboto._compat import EPOCH as _EPOCH
from stsboto._compat import UTC, read_ini_file, replace_file, utcnow
from stsboto.exceptions import InvalidParameterError, InvalidTokenError, MissingCredentialsError

__all__ = ['Token', 'UTC', 'parse_expiration', 'format_expiration', 'find_token', 'ENV_VARIABLES']


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


# AWS API reference (AccessKeyId: 16-128 characters, pattern [\w]*).
_ACCESS_KEY = r'^[A-Za-z0-9_]{16,128}\Z'
# Secrets and tokens go into HTTP headers: printable ASCII, no white space.
_SECRET_CHARS = r'^[\x21-\x7e]+\Z'
_FIELDS = ('access_key', 'secret_key', 'session_token', 'expiration', 'arn')


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

    Tokens are immutable and compare equal when all fields are equal.  Neither
    ``repr()`` nor ``str()`` shows the secret key or the session token.
    """

    __slots__ = _FIELDS

    def __init__(self, access_key, secret_key, session_token=None, expiration=None, arn=None):
        access_key = _text(access_key, 'access_key', True)
        if not re.match(_ACCESS_KEY, access_key):
            raise InvalidTokenError('token field access_key must be 16-128 letters or digits', 'access_key')
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
        setter = object.__setattr__
        setter(self, 'access_key', access_key)
        setter(self, 'secret_key', secret_key)
        setter(self, 'session_token', session_token)
        setter(self, 'expiration', parse_expiration(expiration))
        setter(self, 'arn', arn)

    def __setattr__(self, name, value):
        raise AttributeError('Token is immutable; build a new one with Token.replace()')

    def __delattr__(self, name):
        raise AttributeError('Token is immutable; build a new one with Token.replace()')

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

    # -- where credentials live: environment, shared credentials file, token file

    @classmethod
    def from_env(cls, environ=None):
        """A Token from the AWS environment variables, or None when none are set.

        Usage: ``token = Token.from_env()`` (or ``Token.from_env(my_env_dict)``)

        Reads ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, the session
        token from ``AWS_SESSION_TOKEN`` or the legacy ``AWS_SECURITY_TOKEN``
        (boto 2 reads only the legacy one, boto issue 3298), and
        ``AWS_CREDENTIAL_EXPIRATION`` (ISO-8601).  An empty variable counts as
        unset, as in the AWS CLI.

        :param environ: a mapping to read instead of ``os.environ``.
        :returns: a :class:`Token`, or None when neither ``AWS_ACCESS_KEY_ID``
            nor ``AWS_SECRET_ACCESS_KEY`` is set (no credentials in the
            environment is not an error: see :func:`find_token`).
        :raises InvalidTokenError: only one of the two key variables is set;
            both token variables are set and differ; a value breaks a
            :class:`Token` rule.  The message names the variables, never
            their values; ``field`` is the variable's name.
        """
        environ = os.environ if environ is None else environ
        values = dict((name, environ.get(name) or None) for name in ENV_VARIABLES)
        if values['AWS_ACCESS_KEY_ID'] is None and values['AWS_SECRET_ACCESS_KEY'] is None:
            return None
        for name, other in (('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'),
                            ('AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID')):
            if values[name] is None:
                raise InvalidTokenError('%s is set but %s is not: set both or neither'
                                        % (other, name), name)
        session_token = _one_token(values, 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', '')
        expiration = parse_expiration(values['AWS_CREDENTIAL_EXPIRATION'],
                                      'AWS_CREDENTIAL_EXPIRATION')
        return _build_token(cls, 'environment variable ', {
            'access_key': ('AWS_ACCESS_KEY_ID', values['AWS_ACCESS_KEY_ID']),
            'secret_key': ('AWS_SECRET_ACCESS_KEY', values['AWS_SECRET_ACCESS_KEY']),
            'session_token': session_token,
            'expiration': ('AWS_CREDENTIAL_EXPIRATION', expiration)})

    @classmethod
    def from_profile(cls, name=None, path=None, environ=None):
        """A Token from a profile of the shared credentials file (``~/.aws/credentials``).

        Usage: ``token = Token.from_profile('uploader')``

        The file is ``path``, else ``AWS_SHARED_CREDENTIALS_FILE``, else
        ``~/.aws/credentials``; the profile is ``name``, else ``AWS_PROFILE``,
        else ``default``.  The profile's ``aws_access_key_id`` and
        ``aws_secret_access_key`` are required; the session token is
        ``aws_session_token`` or the legacy ``aws_security_token`` (the value
        must agree when both are present).  Values are read raw: ``%`` in a
        secret is not an interpolation.

        Absence is an error only when something was asked for.  With no
        ``name``, no ``path`` and neither ``AWS_PROFILE`` nor
        ``AWS_SHARED_CREDENTIALS_FILE`` set, a missing ``~/.aws/credentials``
        or a file without a ``[default]`` profile means "no credentials here"
        and gives None, as :meth:`from_env` does for an empty environment.  A
        file or profile that was named but is not there raises.

        :param str name: the profile (section) name.
        :param str path: the credentials file.
        :param environ: a mapping to read instead of ``os.environ``.
        :returns: a :class:`Token`, or None (see above).
        :raises MissingCredentialsError: the named file or profile does not
            exist (the message names the file and the profile).
        :raises InvalidTokenError: the file cannot be parsed, or the profile
            lacks a key or has a bad value (the message names the profile and
            the key, never a value; ``field`` is the key).
        """
        environ = os.environ if environ is None else environ
        asked = bool(name or path or environ.get('AWS_PROFILE') or
                     environ.get('AWS_SHARED_CREDENTIALS_FILE'))
        name = name or environ.get('AWS_PROFILE') or 'default'
        path = os.path.expanduser(path or environ.get('AWS_SHARED_CREDENTIALS_FILE') or
                                  os.path.join('~', '.aws', 'credentials'))
        parser = _read_ini(path, name, asked)
        if parser is None:
            return None
        if not parser.has_section(name):
            if not asked:
                return None
            raise MissingCredentialsError('profile %s not found in the shared credentials file %s'
                                          % (name, path))
        where = 'profile %s in %s: ' % (name, path)
        values = {}
        for key in _PROFILE_KEYS:
            value = parser.get(name, key).strip() if parser.has_option(name, key) else ''
            values[key] = value or None
        for key in ('aws_access_key_id', 'aws_secret_access_key'):
            if values[key] is None:
                raise InvalidTokenError('%s%s is missing' % (where, key), key)
        session_token = _one_token(values, 'aws_session_token', 'aws_security_token', where)
        return _build_token(cls, where, {
            'access_key': ('aws_access_key_id', values['aws_access_key_id']),
            'secret_key': ('aws_secret_access_key', values['aws_secret_access_key']),
            'session_token': session_token,
            'expiration': ('expiration', None)})

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

        The JSON is :meth:`to_json` (``Version``, ``AccessKeyId``,
        ``SecretAccessKey``, ``SessionToken``, ``Expiration``).  It is written
        to a new temporary file in the same directory, created with mode 0600
        from the first instant (never wider, whatever the umask) and set to
        exactly 0600, flushed to disk, then renamed over ``path`` in one
        atomic step: a reader sees the old file or the new one, never half of
        one.  An existing file at ``path`` is replaced (and its permissions
        with it).  On platforms without ``O_NOFOLLOW`` or ``fchmod`` (Windows)
        the file gets what the platform offers.

        :param str path: the file to write.
        :raises InvalidParameterError: ``path`` is a symbolic link (stsboto
            does not write a token through a link to a place it did not
            choose); ``field`` is ``path``.
        :raises EnvironmentError: the directory is missing or not writable.
        """
        # A link planted after this check is harmless: rename() replaces the link
        # itself, and the temporary file is opened with O_EXCL (and O_NOFOLLOW).
        if os.path.islink(path):
            raise InvalidParameterError('path %s is a symbolic link; a token is saved only to a '
                                        'regular file (remove the link or save elsewhere)'
                                        % (path,), 'path')
        directory = os.path.dirname(os.path.abspath(path))
        data = (self.to_json(indent=2) + '\n').encode('ascii')
        fd, temp = _create_private_file(directory, os.path.basename(path))
        try:
            try:
                if hasattr(os, 'fchmod'):
                    # Exactly 0600 even under a umask such as 0277.
                    os.fchmod(fd, 0o600)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
            replace_file(temp, path)
        except BaseException:
            try:
                os.unlink(temp)
            except OSError:
                pass
            raise
        _fsync_directory(directory)

    @classmethod
    def load(cls, path):
        """A Token from a file holding JSON of any shape :meth:`from_json` takes.

        Usage: ``token = Token.load(path)`` (reads what :meth:`save` writes,
        ``aws sts ...`` output, a credential_process answer, ...)

        :param str path: the file to read.
        :raises InvalidTokenError: the content is not a token (the message
            names the file and the field, never a value).
        :raises EnvironmentError: the file cannot be read.
        """
        with io.open(path, 'rb') as stream:
            data = stream.read()
        try:
            return cls.from_json(data)
        except InvalidTokenError as error:
            raise InvalidTokenError('token file %s: %s' % (path, error), error.field)


def _position(error):
    lineno = getattr(error, 'lineno', None)
    if lineno is not None:
        return 'line %s column %s' % (lineno, error.colno)
    match = re.search(r'line \d+ column \d+', six.text_type(error))
    return match.group(0) if match else 'cannot parse'


#: Every environment variable :meth:`Token.from_env` reads and :meth:`Token.to_env` writes.
ENV_VARIABLES = ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
                 'AWS_SECURITY_TOKEN', 'AWS_CREDENTIAL_EXPIRATION')
_PROFILE_KEYS = ('aws_access_key_id', 'aws_secret_access_key', 'aws_session_token',
                 'aws_security_token')


def find_token(environ=None):
    """The credentials configured for this process: environment first, then profile.

    Usage: ``token = find_token()`` (None when nothing is configured)

    The order the AWS CLI uses: :meth:`Token.from_env`, then
    :meth:`Token.from_profile` (``AWS_PROFILE`` or ``default``; setting
    ``AWS_PROFILE`` does not hide keys in the environment).  Credentials that
    are configured but broken raise; they are never skipped silently.

    :param environ: a mapping to read instead of ``os.environ``.
    :returns: a :class:`Token`, or None.
    :raises InvalidTokenError: as :meth:`Token.from_env` and :meth:`Token.from_profile`.
    :raises MissingCredentialsError: ``AWS_PROFILE`` or
        ``AWS_SHARED_CREDENTIALS_FILE`` names something that does not exist.
    """
    token = Token.from_env(environ)
    if token is None:
        token = Token.from_profile(environ=environ)
    return token


def _one_token(values, name, legacy, where):
    """(name, value) of the session token from two spellings that must agree."""
    if values[name] is not None and values[legacy] is not None and values[name] != values[legacy]:
        raise InvalidTokenError('%s%s and %s are both set and differ; keep one, or give both '
                                'the same value' % (where, name, legacy), name)
    if values[name] is None and values[legacy] is not None:
        return legacy, values[legacy]
    return name, values[name]


def _build_token(cls, where, fields):
    """A Token from {field: (source name, value)}; errors name the source, not the field."""
    try:
        return cls(**dict((field, value) for field, (_, value) in fields.items()))
    except InvalidTokenError as error:
        source = fields.get(error.field, (error.field,))[0]
        message = six.text_type(error).replace('token field %s ' % error.field, '')
        raise InvalidTokenError('%s%s %s' % (where, source, message), source)


def _read_ini(path, name, asked):
    """A RawConfigParser over ``path``; None if it is absent and nothing was asked for."""
    try:
        parser = read_ini_file(path)
    except (IOError, OSError) as error:
        if error.errno not in (errno.ENOENT, errno.ENOTDIR):
            raise
        if not asked:
            return None
        raise MissingCredentialsError('the shared credentials file %s does not exist (looking for '
                                      'profile %s)' % (path, name))
    except UnicodeDecodeError:
        raise InvalidTokenError('the shared credentials file %s is not UTF-8 text' % (path,))
    except configparser.Error as error:
        # configparser's messages quote the offending line, which may hold a secret.
        lineno = getattr(error, 'lineno', None)
        if lineno is None and getattr(error, 'errors', None):
            lineno = error.errors[0][0]
        six.raise_from(InvalidTokenError(
            'the shared credentials file %s cannot be parsed as an INI file (%s at line %s)'
            % (path, type(error).__name__, lineno)), None)
    return parser


def _create_private_file(directory, base):
    """(fd, path) of a new file in ``directory``, created with mode 0600 (never wider)."""
    flags = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_NOFOLLOW', 0) |
             getattr(os, 'O_CLOEXEC', 0) | getattr(os, 'O_BINARY', 0))
    for _ in range(100):
        suffix = binascii.hexlify(os.urandom(8)).decode('ascii')
        temp = os.path.join(directory, '.%s.%s.tmp' % (base, suffix))
        try:
            return os.open(temp, flags, 0o600), temp
        except OSError as error:
            if error.errno != errno.EEXIST:
                raise
    raise OSError(errno.EEXIST, 'no free temporary file name', directory)


def _fsync_directory(directory):
    """Make the rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except (OSError, IOError):
        return
    try:
        os.fsync(fd)
    except (OSError, IOError):
        pass
    finally:
        os.close(fd)
