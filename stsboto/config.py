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

import six
from six.moves import configparser

from stsboto._compat import read_ini_file
from stsboto.exceptions import (InvalidParameterError, InvalidTokenError, LocalFileError,
                                MissingCredentialsError)

__all__ = ['Settings', 'SharedFiles', 'profile_name', 'read_ini', 'check_readable_file', 'is_absent',
           'boto_config_files', 'MAX_CONFIG_FILE_SIZE']

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
    """A RawConfigParser over ``path``; raises ``OSError`` (ENOENT) when it is absent.

    A file that is there but cannot be read (no permission, a symbolic link
    loop, an I/O error) raises :class:`stsboto.LocalFileError` naming the file,
    the variable and the reason (an ``OSError`` too, with its ``errno``).
    """
    try:
        check_readable_file(path, MAX_CONFIG_FILE_SIZE, what, field)
        return read_ini_file(path)
    except (IOError, OSError) as error:
        if is_absent(error) or isinstance(error, LocalFileError):
            raise
        six.raise_from(LocalFileError('the %s %s cannot be read (%s)' % (
            what, path, getattr(error, 'strerror', None) or type(error).__name__), field, path,
            getattr(error, 'errno', None)), None)
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


def is_absent(error):
    """True when ``error`` (from opening a file) means the file is not there."""
    return isinstance(error, (IOError, OSError)) and error.errno in (errno.ENOENT, errno.ENOTDIR)


def _sections(parser, config_style):
    """{profile name: {key: value}}; the config file spells profiles ``[profile NAME]``."""
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
            return read_ini(path, what, variable)
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
    """

    def __init__(self, environ=None, profile=None):
        self.environ = os.environ if environ is None else environ
        self.profile_name = profile_name(self.environ, profile)
        self.files = SharedFiles(self.environ)
        self._boto = None

    @property
    def profile(self):
        """{key: value} of the selected profile (both shared files merged)."""
        return self.files.profile(self.profile_name)

    def boto(self, section, option):
        """boto 2's config value ``[section] option``, or None (the later file wins)."""
        if self._boto is None:
            self._boto = {}
            for path in boto_config_files(self.environ):
                try:
                    parser = read_ini(path, 'boto config file', 'BOTO_CONFIG')
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
