"""The ``stsboto vend`` configuration file: read, validated, and who may call.

Usage::

    config = load_config('vend.ini')          # every value checked; VendConfigError names [section] key
    check_issuer(config, stsboto.find_token())
    caller = config.caller_for_secret(secret)  # None for an unknown secret

The file is INI, as AWS's own config files::

    [vend]
    bucket = photos
    prefix = users/{caller}/
    mode = federation               ; or: mode = assume-role, role_arn = arn:aws:iam::...:role/NAME
    duration = 3600
    trusted_proxies = 10.0.0.0/8    ; whose X-Forwarded-Proto: https is believed
    metrics_from = 10.1.2.0/24      ; who may read /metrics besides loopback

    [caller mobile-app]
    token_sha256 = 6b86b273ff34...  ; hex SHA-256 of the caller's secret; several, comma-separated
    prefix = apps/{caller}/         ; bucket, prefix, actions and duration override [vend]

The file never holds a secret: ``stsboto vend add-caller NAME --config FILE``
makes one, prints it once and adds its hash.
"""
from __future__ import absolute_import, unicode_literals

import hashlib
import hmac
import io
import os
import re
import socket
import struct

import six
from six.moves import configparser

from stsboto import policy as _policy
from stsboto import regions as _regions
from stsboto import sts as _sts
from stsboto._compat import read_ini_file, replace_file
from stsboto.exceptions import InvalidInputError, VendConfigError

__all__ = ['VendConfig', 'Caller', 'Network', 'load_config', 'parse_config', 'check_issuer',
           'hash_secret', 'new_secret', 'add_caller', 'MIN_DURATION', 'DEFAULT_DURATION',
           'ROLE_CHAINING_MAX']

#: botocore refreshes container credentials with less than 15 minutes left (its
#: advisory window; 10 minutes mandatory), and the service answers only with
#: credentials that have more than 20 minutes left: a grant shorter than 30
#: minutes would be fetched again on nearly every client call.
MIN_DURATION = 1800
DEFAULT_DURATION = 3600
#: AssumeRole from role credentials is role chaining: AWS caps it at one hour
#: (IAM User Guide, "Role chaining").
ROLE_CHAINING_MAX = 3600
_MODES = ('federation', 'assume-role')
_VEND_KEYS = ('mode', 'role_arn', 'region', 'bucket', 'prefix', 'actions', 'duration',
              'trusted_proxies', 'metrics_from')
_CALLER_KEYS = ('token_sha256', 'bucket', 'prefix', 'actions', 'duration')
_SHA256_HEX = r'^[0-9a-f]{64}\Z'
_CALLER_SECTION = r'^caller\s+(\S+)\s*\Z'


def hash_secret(secret):
    """The hex SHA-256 of a caller's secret, as ``token_sha256`` holds it."""
    if isinstance(secret, six.text_type):
        secret = secret.encode('utf-8')
    return hashlib.sha256(secret).hexdigest()


def new_secret():
    """A new caller secret: 32 random bytes as URL-safe text (43 characters)."""
    import base64
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b'=').decode('ascii')


class Network(object):
    """An IPv4 or IPv6 CIDR (``10.0.0.0/8``, ``::1/128``; a bare address is /32 or /128).

    The standard library's ``ipaddress`` is not on Python 2: addresses are
    compared as integers from ``socket.inet_pton``.
    """

    __slots__ = ('text', 'family', 'network', 'mask')

    def __init__(self, text):
        address, _, bits = text.partition('/')
        family, number, width = _address(address)
        if family is None:
            raise ValueError('%s is not an IPv4 or IPv6 address' % address)
        if bits:
            if not bits.isdigit() or not 0 <= int(bits) <= width:
                raise ValueError('the prefix length of %s must be 0-%d' % (text, width))
            bits = int(bits)
        else:
            bits = width
        self.mask = ((1 << bits) - 1) << (width - bits)
        if number & ~self.mask & ((1 << width) - 1):
            raise ValueError('%s has host bits set (write %s)' % (
                text, _format(family, number & self.mask) + '/%d' % bits))
        self.text = text
        self.family = family
        self.network = number

    def __contains__(self, address):
        family, number, _ = _address(address)
        return family == self.family and number & self.mask == self.network

    def __repr__(self):
        return str('Network(%r)' % str(self.text))


def _address(text):
    """``(family, integer, bits)`` of an address, or ``(None, None, None)``."""
    if not isinstance(text, six.string_types):
        return None, None, None
    text = text.strip()
    if text.startswith('::ffff:') and '.' in text:  # an IPv4 client on a dual-stack socket
        text = text[len('::ffff:'):]
    for family, width in ((socket.AF_INET, 32), (socket.AF_INET6, 128)):
        try:
            packed = socket.inet_pton(family, str(text))
        except (socket.error, ValueError, UnicodeError):
            continue
        number = 0
        for part in struct.unpack('!%dI' % (width // 32), packed):
            number = (number << 32) | part
        return family, number, width
    return None, None, None


def _format(family, number):
    width = 32 if family == socket.AF_INET else 128
    packed = struct.pack('!%dI' % (width // 32), *[(number >> (32 * i)) & 0xffffffff
                                                   for i in reversed(range(width // 32))])
    return socket.inet_ntop(family, packed)


def is_loopback(address):
    """127.0.0.0/8 or ::1 (also as ``::ffff:127.x.y.z``)."""
    return address in _LOOPBACK[0] or address in _LOOPBACK[1]


_LOOPBACK = (Network('127.0.0.0/8'), Network('::1/128'))


class Caller(object):
    """One client: its name, the hashes of its secrets, and its grant.

    :ivar str name: the section's NAME; AssumeRole's RoleSessionName and
        GetFederationToken's Name.
    :ivar tuple hashes: hex SHA-256 of each accepted secret (rotation: several).
    :ivar str bucket: :ivar str prefix: (``{caller}`` filled in) :ivar list actions:
    :ivar int duration: seconds of each issued credential.
    :ivar dict policy: the session policy sent to STS (stsboto.policy.bucket_policy).
    :ivar key: what identifies the grant: a cached credential is reused only for the same key.
    """

    def __init__(self, name, hashes, bucket, prefix, actions, duration, policy, mode, role_arn):
        self.name = name
        self.hashes = tuple(hashes)
        self.bucket = bucket
        self.prefix = prefix
        self.actions = list(actions)
        self.duration = duration
        self.policy = policy
        self.key = (name, mode, role_arn, duration, _policy.to_json(policy))

    def grant(self):
        """The grant in words, for the audit log: ``s3:GetObject,s3:PutObject on photos/users/a/*``."""
        return '%s on %s/%s*' % (','.join(self.actions), self.bucket, self.prefix)

    def __repr__(self):
        return str('Caller(%r)' % str(self.name))


class VendConfig(object):
    """A validated configuration: ``mode``, ``role_arn``, ``region``,
    ``trusted_proxies`` and ``metrics_from`` (lists of :class:`Network`) and
    ``callers`` (``{name: Caller}``)."""

    def __init__(self, mode, role_arn, region, trusted_proxies, metrics_from, callers, path=None):
        self.mode = mode
        self.role_arn = role_arn
        self.region = region
        self.trusted_proxies = tuple(trusted_proxies)
        self.metrics_from = tuple(metrics_from)
        self.callers = dict(callers)
        self.path = path
        # bytes: Python 2's compare_digest takes no unicode
        self._hashes = [(h.encode('ascii'), caller) for caller in self.callers.values()
                        for h in caller.hashes]

    def caller_for_secret(self, secret):
        """The :class:`Caller` whose secret this is, or None.

        Every hash is compared, each with ``hmac.compare_digest``, whether or
        not one matched already: the time taken does not depend on which
        caller (if any) the secret belongs to.
        """
        if not secret:
            return None
        digest = hash_secret(secret).encode('ascii')
        found = None
        for expected, caller in self._hashes:
            if hmac.compare_digest(digest, expected):
                found = caller
        return found

    def trusted_proxy(self, address):
        return any(address in network for network in self.trusted_proxies)

    def may_read_metrics(self, address):
        return is_loopback(address) or any(address in network for network in self.metrics_from)


def _list(value):
    return [part.strip() for part in value.split(',') if part.strip()]


def _networks(value, section, key):
    out = []
    for part in _list(value):
        try:
            out.append(Network(part))
        except ValueError as error:
            raise VendConfigError('[%s] %s: %s (a comma-separated list of CIDRs such as '
                                  '10.0.0.0/8)' % (section, key, error), section, key)
    return out


def _duration(value, section, high, why):
    if not re.match(r'^\d{1,9}\Z', value.strip()):
        raise VendConfigError('[%s] duration must be a whole number of seconds' % section,
                              section, 'duration')
    seconds = int(value)
    if seconds < MIN_DURATION:
        raise VendConfigError(
            '[%s] duration must be at least %d seconds: botocore fetches container credentials '
            'again once less than 15 minutes are left, and this service answers only with '
            'credentials that have more than 20 minutes left, so a shorter grant would be '
            'fetched again on nearly every client call' % (section, MIN_DURATION),
            section, 'duration')
    if seconds > high:
        raise VendConfigError('[%s] duration must be at most %d seconds (%s)' % (section, high, why),
                              section, 'duration')
    return seconds


def _wrap(section, key):
    """Turn an InvalidInputError from stsboto's validators into one naming [section] key."""
    class _Wrapper(object):
        def __enter__(self):
            return self

        def __exit__(self, kind, error, tb):
            if isinstance(error, InvalidInputError) and not isinstance(error, VendConfigError):
                six.raise_from(VendConfigError('[%s] %s: %s' % (section, key, error), section, key),
                               None)
            return False
    return _Wrapper()


def load_config(path):
    """Read and validate the configuration file at ``path``; returns a :class:`VendConfig`.

    :raises VendConfigError: the file cannot be read or parsed, or a value
        breaks a rule (the message names the section and the key).
    """
    try:
        parser = read_ini_file(path)
    except EnvironmentError as error:
        raise VendConfigError('cannot read the configuration file %s: %s'
                              % (path, error.strerror or error))
    except (configparser.Error, UnicodeDecodeError) as error:
        raise VendConfigError('the configuration file %s is not a valid INI file: %s'
                              % (path, ' '.join(six.text_type(error).split())))
    return parse_config(parser, path)


def parse_config(parser, path=None):
    """A :class:`VendConfig` from a ``RawConfigParser`` (see :func:`load_config`)."""
    if not parser.has_section('vend'):
        raise VendConfigError('the configuration needs a [vend] section', 'vend')
    vend = dict(parser.items('vend'))
    unknown = sorted(set(vend) - set(_VEND_KEYS))
    if unknown:
        raise VendConfigError('[vend] has unknown key %s (known: %s)'
                              % (unknown[0], ', '.join(_VEND_KEYS)), 'vend', unknown[0])
    mode = vend.get('mode', 'federation').strip()
    if mode not in _MODES:
        raise VendConfigError('[vend] mode must be federation or assume-role', 'vend', 'mode')
    role_arn = vend.get('role_arn', '').strip() or None
    if mode == 'assume-role':
        if role_arn is None or not re.match(_sts._ROLE_ARN, role_arn):
            raise VendConfigError('[vend] role_arn must be a role ARN such as '
                                  'arn:aws:iam::123456789012:role/NAME (mode = assume-role)',
                                  'vend', 'role_arn')
    elif role_arn is not None:
        raise VendConfigError('[vend] role_arn goes with mode = assume-role', 'vend', 'role_arn')
    region = vend.get('region', 'us-east-1').strip()
    with _wrap('vend', 'region'):
        _regions.validate_region(region, 'region')
    trusted = _networks(vend.get('trusted_proxies', ''), 'vend', 'trusted_proxies')
    metrics_from = _networks(vend.get('metrics_from', ''), 'vend', 'metrics_from')
    if mode == 'federation':
        high, why = _sts.MAX_FEDERATION_DURATION, 'GetFederationToken DurationSeconds'
        name_rule, name_why = _sts._NAME, '2-32 characters of letters, digits and +=,.@_- ' \
                                          '(GetFederationToken Name rule)'
    else:
        high, why = _sts.MAX_ROLE_DURATION, 'AssumeRole DurationSeconds; the role\'s ' \
                                            'MaxSessionDuration may allow less'
        name_rule, name_why = _sts._SESSION_NAME, '2-64 characters of letters, digits and ' \
                                                  '+=,.@_- (AssumeRole RoleSessionName rule)'
    if 'duration' in vend:
        _duration(vend['duration'], 'vend', high, why)
    callers = {}
    seen = {}
    for section in parser.sections():
        if section == 'vend':
            continue
        found = re.match(_CALLER_SECTION, section)
        if not found:
            raise VendConfigError('[%s] is not a section this file may have: [vend] and '
                                  '[caller NAME] only' % section, section)
        name = found.group(1)
        if not re.match(name_rule, name):
            raise VendConfigError('[%s]: the caller name must be %s: it is the session name STS '
                                  'records' % (section, name_why), section)
        values = dict(parser.items(section))
        unknown = sorted(set(values) - set(_CALLER_KEYS))
        if unknown:
            raise VendConfigError('[%s] has unknown key %s (known: %s)'
                                  % (section, unknown[0], ', '.join(_CALLER_KEYS)), section,
                                  unknown[0])
        hashes = [h.lower() for h in _list(values.get('token_sha256', ''))]
        if not hashes:
            raise VendConfigError('[%s] needs token_sha256: the hex SHA-256 of the caller\'s '
                                  'secret (stsboto vend add-caller makes one)' % section,
                                  section, 'token_sha256')
        for digest in hashes:
            if not re.match(_SHA256_HEX, digest):
                raise VendConfigError('[%s] token_sha256 must be 64 hex digits per secret (the '
                                      'SHA-256 of the secret, never the secret itself), '
                                      'comma-separated' % section, section, 'token_sha256')
            if digest in seen:
                raise VendConfigError('[%s] token_sha256: the same secret is also [%s]\'s; each '
                                      'secret names one caller' % (section, seen[digest]),
                                      section, 'token_sha256')
            seen[digest] = section

        def value(key, default=None):
            return values.get(key, vend.get(key, default))
        bucket = value('bucket')
        if not bucket:
            raise VendConfigError('[%s] needs a bucket (here or in [vend])' % section, section,
                                  'bucket')
        key_of = dict((k, section if k in values else 'vend') for k in _CALLER_KEYS)
        with _wrap(key_of['bucket'], 'bucket'):
            bucket = _policy.validate_bucket_name(bucket.strip(), 'bucket')
        prefix = value('prefix', '').strip()
        if '{caller}' not in prefix and ('{' in prefix or '}' in prefix):
            raise VendConfigError('[%s] prefix may hold {caller} and no other braces'
                                  % key_of['prefix'], key_of['prefix'], 'prefix')
        prefix = prefix.replace('{caller}', name)
        with _wrap(key_of['prefix'], 'prefix'):
            _policy.validate_prefix(prefix, 'prefix')
        with _wrap(key_of['actions'], 'actions'):
            actions = _policy.validate_actions(_list(value('actions', '')) or
                                               list(_policy.DEFAULT_ACTIONS), 'actions')
        duration = _duration(value('duration', str(DEFAULT_DURATION)), key_of['duration'], high, why)
        with _wrap(section, 'prefix'):
            grant = _policy.bucket_policy(bucket, actions=actions, prefix=prefix,
                                          partition=_regions.partition(region))
        callers[name] = Caller(name, hashes, bucket, prefix, actions, duration, grant, mode, role_arn)
    return VendConfig(mode, role_arn, region, trusted, metrics_from, callers, path)


def check_issuer(config, token):
    """Refuse, at start-up, issuer credentials that cannot do what ``config`` asks.

    GetFederationToken needs an IAM user's long-term keys (STS refuses
    temporary ones); AssumeRole from temporary credentials is role chaining,
    which AWS caps at one hour.

    :param token: what the credential chain found (:func:`stsboto.find_token`), or None.
    :raises VendConfigError: naming the rule.
    """
    if token is None:
        raise VendConfigError('no issuer credentials: the service signs its STS calls with the '
                              'credentials the AWS credential chain finds (environment, profile, '
                              'instance or container role); none were found')
    from stsboto.token import Token
    current = Token.coerce(token)
    temporary = bool(current.session_token) or current.access_key.startswith('ASIA')
    if config.mode == 'federation' and temporary:
        raise VendConfigError(
            '[vend] mode = federation needs an IAM user\'s long-term keys: GetFederationToken '
            'refuses temporary credentials, and the issuer credentials found (%s, access key %s) '
            'are temporary; use mode = assume-role with a role_arn'
            % (getattr(token, 'method', None) or 'credential chain', current.access_key),
            'vend', 'mode')
    if config.mode == 'assume-role' and temporary:
        for caller in config.callers.values():
            if caller.duration > ROLE_CHAINING_MAX:
                raise VendConfigError(
                    '[caller %s] duration %d is longer than AWS allows here: the issuer '
                    'credentials are temporary (a role\'s), and assuming a role from them is role '
                    'chaining, capped at %d seconds' % (caller.name, caller.duration,
                                                        ROLE_CHAINING_MAX),
                    'caller %s' % caller.name, 'duration')


def add_caller(path, name, secret):
    """Add the hash of ``secret`` to ``[caller NAME]`` in the file at ``path`` (creating
    the section, or adding a hash for rotation), keeping the rest of the file as it is.

    The new file is checked with :func:`load_config` before it replaces the old one.
    """
    digest = hash_secret(secret)
    with io.open(path, 'r', encoding='utf-8-sig') as stream:
        lines = stream.read().splitlines()
    header = None
    for i, line in enumerate(lines):
        found = re.match(r'^\s*\[\s*caller\s+(\S+)\s*\]\s*$', line)
        if found and found.group(1) == name:
            header = i
            break
    if header is None:
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ['', '[caller %s]' % name, 'token_sha256 = %s' % digest]
    else:
        end = header + 1
        while end < len(lines) and not re.match(r'^\s*\[', lines[end]):
            end += 1
        for i in range(header + 1, end):
            found = re.match(r'^(\s*token_sha256\s*[=:]\s*)(.*?)\s*$', lines[i])
            if found:
                hashes = _list(found.group(2))
                lines[i] = found.group(1) + ', '.join(hashes + [digest])
                break
        else:
            lines.insert(header + 1, 'token_sha256 = %s' % digest)
    text = '\n'.join(lines) + '\n'
    temporary = '%s.%d.tmp' % (path, os.getpid())
    with io.open(temporary, 'w', encoding='utf-8') as stream:
        stream.write(text)
    try:
        os.chmod(temporary, os.stat(path).st_mode & 0o7777)
        load_config(temporary)
        replace_file(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return digest
