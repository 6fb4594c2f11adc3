"""Settings as the AWS SDKs read them: one resolver for the API, the CLI and patched boto.

Usage::

    from stsboto.config import Settings
    settings = Settings()                              # os.environ and the selected profile
    settings.get('max_attempts', env='AWS_MAX_ATTEMPTS', boto=('Boto', 'num_retries'))
    settings.profile_name                              # 'default', or the one selected

Precedence, highest first (the AWS SDKs and Tools Reference Guide, "Settings
precedence"; botocore's ``configprovider.py`` chains): an explicit argument,
then the environment variable, then the key of the selected profile in the
shared config file (``AWS_CONFIG_FILE``, default ``~/.aws/config``, with the
shared credentials file merged in as botocore's ``Session.full_config``
does), then boto 2's own config (``BOTO_CONFIG``, else ``/etc/boto.cfg`` and
``~/.boto``), then the default.  An empty value counts as unset.

The profile is the explicit one, else ``AWS_DEFAULT_PROFILE``, else
``AWS_PROFILE`` (botocore reads ``AWS_DEFAULT_PROFILE`` first), else
``default``.

This module also reads the INI files themselves (:class:`SharedFiles`,
:func:`read_ini`): it sits low in the package (it imports only
``_compat`` and ``exceptions``), so the transport, the regions, the
credential chain and the patch all read their settings through it.
"""
from __future__ import absolute_import, unicode_literals

import errno
import os
import re
import stat
import string
import threading
import weakref

import six
from six.moves import configparser

from stsboto._compat import read_ini_file
from stsboto.exceptions import InvalidParameterError, InvalidTokenError, MissingCredentialsError

__all__ = ['Settings', 'SharedFiles', 'profile_name', 'read_ini', 'read_ini_cached', 'check_readable_file',
           'is_absent',
           'boto_config_files', 'MAX_CONFIG_FILE_SIZE', 'nested', 'is_true', 'REGION_ENV',
           'BOTO_REGION_KEYS', 'ENDPOINT_URL_ENV']

#: The most a credentials, config or boto config file may hold.
MAX_CONFIG_FILE_SIZE = 1024 * 1024

# botocore's default locations (botocore/configprovider.py)
_CREDENTIALS_FILE = os.path.join('~', '.aws', 'credentials')
_CONFIG_FILE = os.path.join('~', '.aws', 'config')
# BOTO_CONFIG, else these (boto 2's own defaults, boto/pyami/config.py; botocore's BotoProvider)
_BOTO_FILES = ('/etc/boto.cfg', os.path.join('~', '.boto'))


# -- reading INI files ---------------------------------------------------------------

def check_readable_file(path, limit, what, field=None):
    """Raise unless ``path`` is a regular file of at most ``limit`` bytes.

    Missing files raise the ``OSError``/``IOError`` of ``os.stat`` (ENOENT),
    so callers can treat absence as "nothing here".
    """
    info = os.stat(path)
    if stat.S_ISDIR(info.st_mode):
        raise InvalidParameterError('%s %s is a directory, not a file' % (what, path), field)
    if not stat.S_ISREG(info.st_mode):
        raise InvalidParameterError('%s %s is not a regular file' % (what, path), field)
    if info.st_size > limit:
        raise InvalidParameterError('%s %s is larger than %d bytes' % (what, path, limit), field)


def read_ini(path, what, field=None):
    """A RawConfigParser over ``path``; raises ``OSError`` (ENOENT) when it is absent."""
    check_readable_file(path, MAX_CONFIG_FILE_SIZE, what, field)
    try:
        return read_ini_file(path)
    except UnicodeDecodeError:
        six.raise_from(InvalidTokenError('the %s %s is not UTF-8 text' % (what, path)), None)
    except configparser.Error as error:
        # configparser's messages quote the offending line, which may hold a secret.
        lineno = getattr(error, 'lineno', None)
        if lineno is None and getattr(error, 'errors', None):
            lineno = error.errors[0][0]
        six.raise_from(InvalidTokenError(
            'the %s %s cannot be parsed as an INI file (%s at line %s)'
            % (what, path, type(error).__name__, lineno)), None)


_INI_CACHE = {}
_INI_CACHE_LOCK = threading.Lock()
_INI_CACHE_SIZE = 32


def read_ini_cached(path, what, field=None):
    """:func:`read_ini`, remembered while the file stays the same (same inode,
    size and modification time): settings are looked up for every connection
    boto makes under the patch, and parsing the files each time cost about
    5 ms per connection (``benchmarks/settings.py``).  The parser returned is
    shared: read it, never change it."""
    info = os.stat(path)  # absent: the OSError (ENOENT) read_ini would raise
    key = (info.st_ino, info.st_size, getattr(info, 'st_mtime_ns', info.st_mtime))
    with _INI_CACHE_LOCK:
        found = _INI_CACHE.get(path)
    if found is not None and found[0] == key:
        return found[1]
    parser = read_ini(path, what, field)
    with _INI_CACHE_LOCK:
        if len(_INI_CACHE) >= _INI_CACHE_SIZE:
            _INI_CACHE.clear()
        _INI_CACHE[path] = (key, parser)
    return parser


def is_absent(error):
    """True when ``error`` (from opening a file) means the file is not there."""
    return isinstance(error, (IOError, OSError)) and error.errno in (errno.ENOENT, errno.ENOTDIR)


_SECTIONS = weakref.WeakKeyDictionary()


def _sections(parser, config_style):
    """{profile name: {key: value}}; the config file spells profiles ``[profile NAME]``.

    Remembered per parser (the parsers of :func:`read_ini_cached` are shared):
    read the result, never change it.
    """
    try:
        known = _SECTIONS.setdefault(parser, {})
    except TypeError:  # a parser that takes no weak reference: nothing remembered
        known = {}
    if config_style not in known:
        known[config_style] = _read_sections(parser, config_style)
    return known[config_style]


def _read_sections(parser, config_style):
    profiles = {}
    for section in parser.sections():
        name = section
        if config_style:
            match = re.match(r'^profile\s+(\S.*?)\s*$', section)
            if match:
                name = match.group(1)
            elif section != 'default':
                continue  # sso-session, services, ...: not profiles
        values = dict((key, value.strip()) for key, value in parser.items(section))
        profiles.setdefault(name, {}).update(values)
    return profiles


def boto_config_files(environ):
    """The boto config files, in the order boto reads them (a later file wins)."""
    paths = [environ['BOTO_CONFIG']] if environ.get('BOTO_CONFIG') else _BOTO_FILES
    return [os.path.expanduser(path) for path in paths]


class SharedFiles(object):
    """The shared credentials file and the shared config file, read once.

    Usage: ``files = SharedFiles(environ); files.profile('uploader')``

    Paths: ``AWS_SHARED_CREDENTIALS_FILE`` (default ``~/.aws/credentials``) and
    ``AWS_CONFIG_FILE`` (default ``~/.aws/config``).  A default file that is
    absent is "nothing configured"; a file named by its variable that is
    absent raises :class:`MissingCredentialsError` (stsboto 0.1 did so for the
    credentials file; botocore ignores it silently).
    """

    def __init__(self, environ):
        self.environ = environ
        self.credentials_path = os.path.expanduser(
            environ.get('AWS_SHARED_CREDENTIALS_FILE') or _CREDENTIALS_FILE)
        self.config_path = os.path.expanduser(environ.get('AWS_CONFIG_FILE') or _CONFIG_FILE)
        self._credentials = self._config = self._parser = None

    def _read(self, path, variable, what):
        try:
            return read_ini_cached(path, what, variable)
        except (IOError, OSError) as error:
            if not is_absent(error):
                raise
            if self.environ.get(variable):
                raise MissingCredentialsError('the %s %s (%s) does not exist' % (what, path, variable))
            return None

    @property
    def credentials(self):
        """{profile: {key: value}} of the shared credentials file."""
        if self._credentials is None:
            parser = self._read(self.credentials_path, 'AWS_SHARED_CREDENTIALS_FILE',
                                'shared credentials file')
            self._credentials = {} if parser is None else _sections(parser, False)
        return self._credentials

    @property
    def config_parser(self):
        """The config file's parser (for ``[services NAME]``, ``[sso-session NAME]``), or None."""
        if self._parser is None:
            self._parser = [self._read(self.config_path, 'AWS_CONFIG_FILE', 'config file')]
        return self._parser[0]

    @property
    def config(self):
        """{profile: {key: value}} of the shared config file."""
        if self._config is None:
            parser = self.config_parser
            self._config = {} if parser is None else _sections(parser, True)
        return self._config

    def section(self, kind, name):
        """{key: value} of the config file's ``[KIND NAME]`` section, or None.

        ``KIND`` is ``services`` or ``sso-session``; sub-sections stay raw text.
        """
        parser = self.config_parser
        if parser is None:
            return None
        for section in parser.sections():
            match = re.match(r'^(\S+)\s+(\S.*?)\s*$', section)
            if match and match.group(1) == kind and match.group(2) == name:
                return dict((key, value.strip()) for key, value in parser.items(section))
        return None

    def has_profile(self, name):
        return name in self.credentials or name in self.config

    def profile(self, name):
        """The profile's keys from both files; the credentials file wins, as in botocore."""
        merged = dict(self.config.get(name, {}))
        merged.update(self.credentials.get(name, {}))
        return merged

    def where(self, name):
        """``profile NAME in FILE``: the file that defines most of the profile, for messages."""
        path = self.credentials_path if name in self.credentials else self.config_path
        return 'profile %s in %s' % (name, path)


def nested(value):
    """{key: value} of a nested config value (``s3 =`` followed by indented
    ``key = value`` lines, as botocore's config loader reads them); {} for
    a plain value."""
    found = {}
    for line in (value or '').splitlines():
        key, equals, sub = line.partition('=')
        if equals and key.strip():
            found[key.strip().lower()] = sub.strip()
    return found


def is_true(value):
    """botocore's ``ensure_boolean`` for text: ``true`` in any case is True, all else False."""
    if isinstance(value, bool):
        return value
    return isinstance(value, six.string_types) and value.strip().lower() == 'true'


_UA_CHARACTERS = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~,")
#: The region variables, in order: the AWS SDKs and Tools Reference Guide's
#: ``AWS_REGION`` first (botocore reads only ``AWS_DEFAULT_REGION``).
REGION_ENV = ('AWS_REGION', 'AWS_DEFAULT_REGION')
#: The global endpoint variable (``AWS_ENDPOINT_URL_<SERVICE>`` comes first).
ENDPOINT_URL_ENV = 'AWS_ENDPOINT_URL'
#: boto 2's own per-service region keys (boto/<service>/connection.py
#: ``DefaultRegionName``, boto/dynamodb/layer1.py, boto/sdb, boto/swf).
BOTO_REGION_KEYS = {
    'autoscaling': ('Boto', 'autoscale_region_name'),
    'cloudformation': ('Boto', 'cfn_region_name'),
    'cloudsearch': ('Boto', 'cs_region_name'),
    'cloudwatch': ('Boto', 'cloudwatch_region_name'),
    'dynamodb': ('DynamoDB', 'region'),
    'ec2': ('Boto', 'ec2_region_name'),
    'elasticloadbalancing': ('Boto', 'elb_region_name'),
    'elasticmapreduce': ('Boto', 'emr_region_name'),
    'sdb': ('SDB', 'region'),
    'sns': ('Boto', 'sns_region_name'),
    'sqs': ('Boto', 'sqs_region_name'),
    'swf': ('SWF', 'region'),
}


# -- the resolver --------------------------------------------------------------------

def profile_name(environ=None, explicit=None):
    """The profile in force: ``explicit``, ``AWS_DEFAULT_PROFILE``, ``AWS_PROFILE``, ``default``."""
    environ = os.environ if environ is None else environ
    return explicit or environ.get('AWS_DEFAULT_PROFILE') or environ.get('AWS_PROFILE') or 'default'


class Settings(object):
    """What the environment, the selected profile and boto's config say, read lazily and once.

    Usage: ``Settings(environ=None, profile=None).get(key, env=..., boto=(section, option))``

    :param environ: a mapping to read instead of ``os.environ``.
    :param str profile: the profile; None: :func:`profile_name`'s rule.
    :param dict values: the profile's keys, already read (the credential
        chain's profiles); None: read from the shared files.
    """

    def __init__(self, environ=None, profile=None, values=None):
        self.environ = os.environ if environ is None else environ
        self.profile_name = profile_name(self.environ, profile)
        self.files = SharedFiles(self.environ)
        self._boto = None
        self._profile = None if values is None else dict(values)

    @property
    def profile(self):
        """{key: value} of the selected profile (both shared files merged).

        A shared credentials file that ``AWS_SHARED_CREDENTIALS_FILE`` names
        but that is absent adds nothing here (botocore ignores it); the
        credential chain is where that is an error.
        """
        if self._profile is None:
            try:
                credentials = self.files.credentials.get(self.profile_name, {})
            except MissingCredentialsError:
                credentials = {}
            merged = dict(self.files.config.get(self.profile_name, {}))
            merged.update(credentials)
            self._profile = merged
        return self._profile

    def boto(self, section, option):
        """boto 2's config value ``[section] option``, or None (the later file wins)."""
        if self._boto is None:
            self._boto = {}
            for path in boto_config_files(self.environ):
                try:
                    parser = read_ini_cached(path, 'boto config file', 'BOTO_CONFIG')
                except (IOError, OSError) as error:
                    if is_absent(error):
                        continue
                    raise
                for name in parser.sections():
                    self._boto.setdefault(name, {}).update(
                        (key, value.strip()) for key, value in parser.items(name))
        value = self._boto.get(section, {}).get(option.lower())
        return value if value else None

    def lookup(self, key=None, env=None, boto=None, explicit=None):
        """``(value, where)`` of the first setting found, or ``(None, None)``.

        ``where`` says where it came from, for messages and ``stsboto doctor``:
        ``'argument'``, the variable's name, ``'profile NAME'`` or ``'boto config [S] o'``.
        """
        if explicit is not None:
            return explicit, 'argument'
        names = (env,) if isinstance(env, six.string_types) else (env or ())
        for name in names:
            value = (self.environ.get(name) or '').strip()
            if value:
                return value, name
        if key is not None:
            value = (self.profile.get(key) or '').strip()
            if value:
                return value, 'profile %s' % self.profile_name
        if boto is not None:
            value = self.boto(*boto)
            if value:
                return value, 'boto config [%s] %s' % boto
        return None, None

    def get(self, key=None, env=None, boto=None, explicit=None, default=None):
        """The first of ``explicit``, ``env`` (names), the profile's ``key``, ``boto``, ``default``."""
        value, _ = self.lookup(key, env, boto, explicit)
        return default if value is None else value

    def flag(self, key=None, env=None, boto=None, explicit=None, default=False):
        """A true/false setting, read as botocore reads it (only ``true`` is true)."""
        if isinstance(explicit, bool):
            return explicit
        value, _ = self.lookup(key, env, boto, explicit)
        return default if value is None else is_true(value)

    def region(self, service=None, explicit=None):
        """``(region name, where)``, unchecked, or ``(None, None)``.

        Usage: ``Settings().region('sqs')``

        ``explicit``, ``AWS_REGION``, ``AWS_DEFAULT_REGION``, the profile's
        ``region``, then boto's own key for ``service`` (a boto 2 service
        name: ``[Boto] sqs_region_name``, ``[DynamoDB] region``...).  Checked
        by :func:`stsboto.regions.configured_region`.
        """
        return self.lookup('region', REGION_ENV, BOTO_REGION_KEYS.get(service), explicit)

    def s3(self, option, env=None, top=None):
        """``(value, where)`` of an S3 setting: ``env``, the profile's top-level
        key ``top`` (``s3_us_east_1_regional_endpoint``), then the profile's
        ``s3`` sub-key ``option`` (botocore ``DEFAULT_S3_CONFIG_VARS``)."""
        value, where = self.lookup(top, env)
        if value is not None:
            return value, where
        value = nested(self.profile.get('s3')).get(option)
        if value:
            return value, 'profile %s s3.%s' % (self.profile_name, option)
        return None, None

    def app_id(self):
        """``AWS_SDK_UA_APP_ID`` / ``sdk_ua_app_id``, made safe for a User-Agent
        (botocore's rule: characters other than ASCII letters, digits and
        ``!#$%&'*+-.^_`|~,`` become ``-``), or None."""
        value, _ = self.lookup('sdk_ua_app_id', 'AWS_SDK_UA_APP_ID')
        if value is None:
            return None
        return ''.join(c if c in _UA_CHARACTERS else '-' for c in value)

    def ignore_configured_endpoint_urls(self):
        """``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` / ``ignore_configured_endpoint_urls``."""
        return self.flag('ignore_configured_endpoint_urls', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS')

    def endpoint_url(self, service_key):
        """``(url, where)`` of the endpoint configured for a service, or ``(None, None)``.

        Usage: ``Settings().endpoint_url('cloudwatch_logs')``

        ``service_key`` is the SDK service id in snake case (``s3``, ``sts``,
        ``cloudwatch_logs``).  botocore's order (configprovider.py
        ``EndpointConfigurationResolver``): ``AWS_ENDPOINT_URL_<KEY>``,
        ``AWS_ENDPOINT_URL``, the key's ``endpoint_url`` in the profile's
        ``services`` section, the profile's ``endpoint_url``; none of them
        when ``ignore_configured_endpoint_urls`` is true.

        :raises InvalidParameterError: the profile names a ``services``
            section that the config file does not have.
        """
        if self.ignore_configured_endpoint_urls():
            return None, None
        value, where = self.lookup(env=('AWS_ENDPOINT_URL_%s' % service_key.upper(), ENDPOINT_URL_ENV))
        if value is not None:
            return value, where
        section = (self.profile.get('services') or '').strip()
        if section:
            values = self.files.section('services', section)
            if values is None:
                raise InvalidParameterError(
                    "profile %s names the services section '%s', which %s does not have"
                    % (self.profile_name, section, self.files.config_path), 'services')
            value = nested(values.get(service_key.lower())).get('endpoint_url')
            if value:
                return value, 'services %s %s.endpoint_url' % (section, service_key.lower())
        return self.lookup('endpoint_url')
