"""Credentials in files: the shared credentials and config files, boto's config,
and stsboto's own token files.

Usage::

    from stsboto.credentials.files import SharedFiles, save_token, load_token
    files = SharedFiles(environ)                 # ~/.aws/credentials + ~/.aws/config
    files.profile('uploader')                    # {key: value}, credentials file winning
    save_token(token, path); load_token(path)    # a 0600 JSON file

Sources here (botocore's names): ``shared-credentials-file``, ``config-file``,
``boto-config``.  Every file is checked before it is read: a directory or a
device is refused, and nothing bigger than a size limit is read, so a
misconfigured path (``/dev/zero``) is a clear error rather than a hang.
"""
from __future__ import absolute_import, unicode_literals

import binascii
import errno
import io
import os
import re
import signal
import stat
import threading
import time

import six

from stsboto._compat import replace_file
from stsboto.config import (MAX_CONFIG_FILE_SIZE, SharedFiles,  # noqa: F401 (re-exported)
                            boto_config_parsers, check_readable_file, is_absent, profile_name,
                            read_ini)
from stsboto.credentials.env import build_token, one_token
from stsboto.exceptions import (InvalidParameterError, InvalidTokenError, MissingCredentialsError,
                                TokenFileError)
from stsboto.token import Token

__all__ = ['SharedFiles', 'SharedCredentialsSource', 'ConfigFileSource', 'BotoConfigSource',
           'token_from_profile', 'save_token', 'load_token', 'write_private_file', 'MAX_TOKEN_FILE_SIZE',
           'MAX_CONFIG_FILE_SIZE', 'STALE_TEMP_SECONDS']

#: The most a token file may hold (a token is under 4 KiB).
MAX_TOKEN_FILE_SIZE = 64 * 1024
#: Temporary files of an interrupted ``save_token`` older than this are removed by the next save.
STALE_TEMP_SECONDS = 600

_PROFILE_KEYS = ('aws_access_key_id', 'aws_secret_access_key', 'aws_session_token',
                 'aws_security_token')


def static_token(values, where, method):
    """A Token from a profile's ``aws_access_key_id`` ... keys (errors name the key)."""
    values = dict((key, values.get(key) or None) for key in _PROFILE_KEYS)
    for key in ('aws_access_key_id', 'aws_secret_access_key'):
        if values[key] is None:
            raise InvalidTokenError('%s: %s is missing' % (where, key), key)
    session_token = one_token(values, 'aws_session_token', 'aws_security_token', where + ': ')
    return build_token(Token, where + ': ', {
        'access_key': ('aws_access_key_id', values['aws_access_key_id']),
        'secret_key': ('aws_secret_access_key', values['aws_secret_access_key']),
        'session_token': session_token,
        'expiration': ('expiration', None)}, method)


class SharedCredentialsSource(object):
    """botocore's ``SharedCredentialProvider``: keys of the profile in ``~/.aws/credentials``."""

    METHOD = 'shared-credentials-file'
    CANONICAL_NAME = 'SharedCredentials'

    def __init__(self, files, profile):
        self.files = files
        self.profile = profile

    def load(self):
        values = self.files.credentials.get(self.profile)
        if not values or 'aws_access_key_id' not in values:
            return None
        where = 'profile %s in %s' % (self.profile, self.files.credentials_path)
        return static_token(values, where, self.METHOD)


class ConfigFileSource(object):
    """botocore's ``ConfigProvider``: keys of the profile in ``~/.aws/config``."""

    METHOD = 'config-file'
    CANONICAL_NAME = 'SharedConfig'

    def __init__(self, files, profile):
        self.files = files
        self.profile = profile

    def load(self):
        values = self.files.config.get(self.profile)
        if not values or 'aws_access_key_id' not in values:
            return None
        where = 'profile %s in %s' % (self.profile, self.files.config_path)
        return static_token(values, where, self.METHOD)


class BotoConfigSource(object):
    """botocore's ``BotoProvider``: boto 2's ``[Credentials]`` section.

    The file is ``BOTO_CONFIG``, else ``/etc/boto.cfg`` and ``~/.boto`` (the
    later file wins, as boto reads them).  Keys ``aws_access_key_id``,
    ``aws_secret_access_key`` and, as boto 2 reads it, ``aws_security_token``.
    """

    METHOD = 'boto-config'
    CANONICAL_NAME = 'Boto2Config'

    def __init__(self, environ):
        self.environ = environ

    def load(self):
        values, where = {}, None
        for path, parser in boto_config_parsers(self.environ):
            if parser.has_section('Credentials'):
                values.update((k, v.strip()) for k, v in parser.items('Credentials'))
                where = '[Credentials] in %s' % path
        if 'aws_access_key_id' not in values:
            return None
        return static_token(values, where, self.METHOD)


def token_from_profile(name=None, path=None, environ=None, cls=Token):
    """A Token from a profile of the shared credentials file (``~/.aws/credentials``).

    Usage: ``token = token_from_profile('uploader')`` (also ``Token.from_profile``)

    The file is ``path``, else ``AWS_SHARED_CREDENTIALS_FILE``, else
    ``~/.aws/credentials``; the profile is ``name``, else ``AWS_DEFAULT_PROFILE``,
    else ``AWS_PROFILE``,
    else ``default``.  The profile's ``aws_access_key_id`` and
    ``aws_secret_access_key`` are required; the session token is
    ``aws_session_token`` or the legacy ``aws_security_token`` (the value
    must agree when both are present).  Values are read raw: ``%`` in a
    secret is not an interpolation.

    Absence is an error only when something was asked for.  With no
    ``name``, no ``path`` and neither ``AWS_PROFILE`` nor
    ``AWS_SHARED_CREDENTIALS_FILE`` set, a missing ``~/.aws/credentials``
    or a file without a ``[default]`` profile means "no credentials here"
    and gives None.  A file or profile that was named but is not there raises.

    :param str name: the profile (section) name.
    :param str path: the credentials file.
    :param environ: a mapping to read instead of ``os.environ``.
    :returns: a :class:`Token` (``method`` ``shared-credentials-file``), or None.
    :raises MissingCredentialsError: the named file or profile does not
        exist (the message names the file and the profile).
    :raises InvalidTokenError: the file cannot be parsed, or the profile
        lacks a key or has a bad value (the message names the profile and
        the key, never a value; ``field`` is the key).
    :raises InvalidParameterError: the path is a directory, a device, or
        larger than :data:`MAX_CONFIG_FILE_SIZE`.
    """
    environ = os.environ if environ is None else environ
    asked = bool(name or path or environ.get('AWS_DEFAULT_PROFILE') or environ.get('AWS_PROFILE') or
                 environ.get('AWS_SHARED_CREDENTIALS_FILE'))
    name = profile_name(environ, name)
    path = os.path.expanduser(path or environ.get('AWS_SHARED_CREDENTIALS_FILE') or
                              os.path.join('~', '.aws', 'credentials'))
    try:
        parser = read_ini(path, 'shared credentials file', 'path')
    except (IOError, OSError) as error:
        if not is_absent(error):
            raise
        if not asked:
            return None
        raise MissingCredentialsError('the shared credentials file %s does not exist (looking for '
                                      'profile %s)' % (path, name))
    if not parser.has_section(name):
        if not asked:
            return None
        raise MissingCredentialsError('profile %s not found in the shared credentials file %s'
                                      % (name, path))
    values = dict((key, value.strip()) for key, value in parser.items(name))
    token = static_token(values, 'profile %s in %s' % (name, path), SharedCredentialsSource.METHOD)
    return token if cls is Token else cls(**dict((f, getattr(token, f)) for f in
                                                 ('access_key', 'secret_key', 'session_token',
                                                  'expiration', 'arn', 'method')))


# -- token files --------------------------------------------------------------------

def load_token(path, cls=Token):
    """A Token from a file holding JSON of any shape ``Token.from_json`` takes.

    Usage: ``token = load_token(path)`` (also ``Token.load(path)``; reads what
    :func:`save_token` writes, ``aws sts ...`` output, a credential_process answer)

    At most :data:`MAX_TOKEN_FILE_SIZE` bytes are read: a larger file, or an
    endless one such as ``/dev/zero``, is refused.

    :raises InvalidTokenError: the content is not a token or is too large
        (the message names the file and the field, never a value).
    :raises TokenFileError: the file cannot be read (also an ``EnvironmentError``
        with its ``errno``).
    """
    try:
        with io.open(path, 'rb') as stream:
            data = stream.read(MAX_TOKEN_FILE_SIZE + 1)
    except (IOError, OSError) as error:
        six.raise_from(TokenFileError('cannot read the token file %s: %s'
                                      % (path, error.strerror or type(error).__name__),
                                      path=path, errno=error.errno), None)
    if len(data) > MAX_TOKEN_FILE_SIZE:
        raise InvalidTokenError('token file %s is larger than %d bytes; it is not a token file'
                                % (path, MAX_TOKEN_FILE_SIZE))
    try:
        return cls.from_json(data)
    except InvalidTokenError as error:
        raise InvalidTokenError('token file %s: %s' % (path, error), error.field)


def save_token(token, path):
    """Write ``token`` to ``path`` as credential_process JSON, readable by its owner only.

    Usage: ``save_token(token, os.path.expanduser('~/.cache/uploader-token.json'))``
    (also ``token.save(path)``)

    The JSON is ``token.to_json(indent=2)``.  It is written to a new
    temporary file ``.NAME.<16 hex>.tmp`` in the same directory, created with
    mode 0600 from the first instant (never wider, whatever the umask) and
    set to exactly 0600, flushed to disk, then renamed over ``path`` in one
    atomic step: a reader sees the old file or the new one, never half of
    one.  An existing file at ``path`` is replaced (and its permissions with
    it).  On platforms without ``O_NOFOLLOW`` or ``fchmod`` (Windows) the
    file gets what the platform offers.

    Interruptions: an exception (``KeyboardInterrupt`` included) removes the
    temporary file; so does SIGTERM while saving in the main thread (the
    temporary file is removed, then the signal gets its previous handling, so
    the process still ends).  SIGKILL cannot be caught: the next save to the
    same directory removes our temporary files for the same name that are
    older than :data:`STALE_TEMP_SECONDS`, are regular files, and belong to
    the current user.

    :raises InvalidParameterError: ``path`` is a symbolic link (stsboto
        does not write a token through a link to a place it did not
        choose), or is a device such as ``/dev/null`` or a FIFO (never
        replaced by the token file); ``field`` is ``path``.
    :raises EnvironmentError: the directory is missing or not writable.
    """
    write_private_file(path, (token.to_json(indent=2) + '\n').encode('ascii'))


def write_private_file(path, data, what='a token'):
    """Replace ``path`` atomically with ``data`` (bytes), mode 0600: :func:`save_token`'s writer.

    Usage: ``write_private_file(path, json_bytes, 'an SSO token cache')`` (the
    SSO source writes ``~/.aws/sso/cache/<sha1>.json`` back through it)

    Everything :func:`save_token` says about permissions, atomicity,
    interruptions and symbolic links holds.  ``what`` names the content in
    the symbolic-link error.
    """
    # A link planted after this check is harmless: rename() replaces the link
    # itself, and the temporary file is opened with O_EXCL (and O_NOFOLLOW).
    if os.path.islink(path):
        raise InvalidParameterError('path %s is a symbolic link; %s is saved only to a '
                                    'regular file (remove the link or save elsewhere)'
                                    % (path, what), 'path')
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        # rename() would replace a device or FIFO (/dev/null) with the token file (issue 19)
        raise InvalidParameterError('path %s is a device or a FIFO, not a regular file; '
                                    '%s is saved only to a regular file' % (path, what), 'path')
    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    _sweep_stale_temporaries(directory, base)
    with _RemovedOnSigterm() as guard:
        fd, temp = _create_private_file(directory, base)
        guard.path = temp
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
            guard.path = None
        except BaseException:
            guard.path = None
            _unlink_quietly(temp)
            raise
    _fsync_directory(directory)


def _temp_pattern(base):
    return r'^\.%s\.[0-9a-f]{16}\.tmp\Z' % re.escape(base)


def _sweep_stale_temporaries(directory, base, now=None):
    """Remove ``.BASE.<hex>.tmp`` files of ours left by a killed save (see save_token)."""
    now = time.time() if now is None else now
    pattern = _temp_pattern(base)
    uid = os.getuid() if hasattr(os, 'getuid') else None
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if not re.match(pattern, name):
            continue
        full = os.path.join(directory, name)
        try:
            info = os.lstat(full)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid):
            continue
        if now - info.st_mtime > STALE_TEMP_SECONDS:
            _unlink_quietly(full)


class _RemovedOnSigterm(object):
    """While saving in the main thread, SIGTERM first removes the temporary file.

    The previous handler then runs as it would have: the default one ends the
    process (the signal is sent again with the default action restored), an
    ignored signal stays ignored, a Python handler is called.
    """

    def __init__(self):
        self.path = None
        self._previous = None
        self._installed = False

    def __enter__(self):
        if threading.current_thread().name == 'MainThread' and hasattr(signal, 'SIGTERM'):
            try:
                self._previous = signal.signal(signal.SIGTERM, self._handle)
                self._installed = True
            except (ValueError, OSError):  # not the main thread of the main interpreter
                pass
        return self

    def __exit__(self, *exc_info):
        if self._installed:
            signal.signal(signal.SIGTERM, self._previous)
            self._installed = False
        return False

    def _handle(self, signum, frame):
        if self.path is not None:
            _unlink_quietly(self.path)
            self.path = None
        previous = self._previous
        signal.signal(signal.SIGTERM, previous)
        self._installed = False
        if previous == signal.SIG_IGN:
            return
        if callable(previous):
            previous(signum, frame)
            return
        # SIG_DFL (or None: a handler not installed from Python): end as SIGTERM would.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)


def _unlink_quietly(path):
    try:
        os.unlink(path)
    except OSError:
        pass


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
