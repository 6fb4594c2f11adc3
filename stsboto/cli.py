"""The ``stsboto`` command line (also ``python -m stsboto``).

Usage::

    stsboto issue --bucket photos --prefix user-42/ --output token.json   # the issuer
    stsboto put cat.jpg photos/user-42/cat.jpg --token token.json         # the client
    stsboto get photos/user-42/cat.jpg copy.jpg --token token.json
    stsboto ls photos/user-42/ --token token.json
    stsboto url photos/user-42/cat.jpg --expires 600 --token token.json
    stsboto whoami --token token.json
    eval "$(stsboto env --token token.json)"
    stsboto demo                 # the whole story against a local AWS endpoint

One function per subcommand (``cmd_NAME(args)``, returning the exit status)
and one entry per subcommand in ``SUBCOMMANDS``; ``main`` does the rest:
it turns every error into one line on stderr (``stsboto: ...``, with every
secret it knows masked) and an exit status: 0 ok, 1 AWS or network error,
2 usage error or bad input, 3 expired token, 130 interrupted.

Tokens (``env``, ``put``, ``get``, ``ls``, ``url``, ``whoami``) come from
``--token FILE`` (``-``: standard input; any shape ``Token.coerce`` takes),
else the file named by ``$STSBOTO_TOKEN_FILE``, else the environment and the
shared credentials profile (:func:`stsboto.token.find_token`).
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import argparse
import errno
import io
import logging
import os
import socket
import ssl
import sys
import time
import traceback

import six
from six.moves import shlex_quote

__all__ = ['main', 'build_parser', 'SUBCOMMANDS', 'exit_status', 'describe_error',
           'render_progress', 'ProgressBar', 'format_size', 'format_duration', 'parse_size',
           'parse_location', 'whoami_lines', 'env_lines', 'UsageError', 'CommandError',
           'TOKEN_FILE_ENV', 'EXIT_OK', 'EXIT_ERROR', 'EXIT_USAGE', 'EXIT_EXPIRED',
           'EXIT_INTERRUPTED']

EXIT_OK = 0
#: AWS refused, or the endpoint could not be reached.
EXIT_ERROR = 1
#: Bad command line or bad input (argparse's own status for usage errors).
EXIT_USAGE = 2
#: The token has expired.
EXIT_EXPIRED = 3
#: Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130
#: Exit status when something the command needs is not installed.
EXIT_UNAVAILABLE = 2

#: The environment variable naming the token file when ``--token`` is not given.
TOKEN_FILE_ENV = 'STSBOTO_TOKEN_FILE'
#: A presigned URL lives this long unless ``--expires`` says otherwise (capped
#: by the token's own remaining life).
DEFAULT_URL_SECONDS = 3600
#: Retries of a failed request unless --retries or the boto config ([Boto]
#: num_retries) says otherwise (boto's own default, 6, takes about a minute).
DEFAULT_RETRIES = 3
_REGION_ENV = ('AWS_REGION', 'AWS_DEFAULT_REGION')
_SECRET_ENV = ('AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN')
_SIZE_UNITS = {'': 1, 'b': 1, 'k': 1024, 'kb': 1024, 'kib': 1024, 'm': 1024 ** 2,
               'mb': 1024 ** 2, 'mib': 1024 ** 2, 'g': 1024 ** 3, 'gb': 1024 ** 3,
               'gib': 1024 ** 3}


class CommandError(Exception):
    """A command failed in a way it can explain in one line.

    :ivar int status: the exit status.
    """

    status = EXIT_ERROR

    def __init__(self, message, status=None):
        super(CommandError, self).__init__(message)
        if status is not None:
            self.status = status


class UsageError(CommandError, ValueError):
    """The command line asks for something that cannot be done (exit status 2)."""

    status = EXIT_USAGE


# ---------------------------------------------------------------------------
# Formatting (pure functions, tested on their own)


def format_size(count):
    """``'512 B'``, ``'1.5 KiB'``, ``'64.0 MiB'``: bytes for people."""
    if count < 1024:
        return '%d B' % count
    value = float(count)
    for unit in ('KiB', 'MiB', 'GiB', 'TiB'):
        value /= 1024
        if value < 1024 or unit == 'TiB':
            return '%.1f %s' % (value, unit)


def format_duration(seconds):
    """``'14m 3s'``, ``'1h 0m 5s'``, ``'45s'``: whole seconds (rounded down), no sign."""
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = []
    if days:
        parts.append('%dd' % days)
    if days or hours:
        parts.append('%dh' % hours)
    if days or hours or minutes:
        parts.append('%dm' % minutes)
    parts.append('%ds' % seconds)
    return ' '.join(parts)


def parse_size(text):
    """Bytes from ``'8388608'``, ``'8M'``, ``'8MiB'``, ``'64k'``, ...

    K, M and G are powers of 1024 (with or without ``B`` / ``iB``), as in the
    AWS CLI's S3 settings.  For argparse: raises ``ArgumentTypeError``.
    """
    value = text.strip().lower().replace(' ', '')
    digits = value.rstrip('abcdefghijklmnopqrstuvwxyz')
    unit = value[len(digits):]
    if not digits.isdigit() or unit not in _SIZE_UNITS:
        raise argparse.ArgumentTypeError(
            '%r is not a size: use a whole number of bytes, or one with K, M or G (e.g. 8M)'
            % str(text))
    return int(digits) * _SIZE_UNITS[unit]


def render_progress(done, total, elapsed, width=24):
    """One line of the progress bar, without ``\\r`` or newline.

    Usage: ``render_progress(27 * MiB, 64 * MiB, 2.0)`` ->
    ``' 42% [##########--------------]  27.0 MiB / 64.0 MiB  13.5 MiB/s  ETA 2s'``

    :param int done: bytes transferred so far.
    :param total: bytes in all, or None while unknown (a pipe).
    :param float elapsed: seconds since the transfer started.
    :param int width: characters inside the bar's brackets.
    """
    rate = done / elapsed if elapsed > 0 else None
    finished = total is not None and done >= total
    if total is None:
        text = '%s' % format_size(done)
    else:
        fraction = 1.0 if total <= 0 else min(1.0, done / total)
        filled = int(fraction * width)
        text = '%3d%% [%s%s]  %s / %s' % (int(fraction * 100), '#' * filled, '-' * (width - filled),
                                          format_size(done), format_size(total))
    if rate:
        text += '  %s/s' % format_size(int(rate))
    if finished:
        text += '  in %.1f s' % elapsed
    elif total is not None and rate:
        text += '  ETA %s' % format_duration((total - done) / rate)
    return text


class ProgressBar(object):
    """A ``progress(bytes_done, total)`` callback that draws one line on a terminal.

    Usage: ``transfer.upload(bucket, key, path, progress=ProgressBar(sys.stderr, 'put'))``

    The line is redrawn in place (``\\r``) at most every ``interval`` seconds,
    and once more, with a newline, when ``bytes_done`` reaches ``total``.
    :meth:`close` ends a line left open (after a failure).

    :param stream: where to draw (stderr: stdout may carry the data).
    :param str label: what is shown before the bar.
    :param clock: returns seconds (``time.time``; injected by tests).
    :param float interval: the shortest time between two redraws.
    """

    def __init__(self, stream, label, clock=time.time, interval=0.1):
        self.stream = stream
        self.label = label
        self.clock = clock
        self.interval = interval
        self._started = None
        self._drawn_at = None
        self._width = 0
        self._open = False
        self._finished = False

    def __call__(self, done, total):
        if self._finished:
            return
        now = self.clock()
        if self._started is None:
            self._started = now
        final = total is not None and done >= total
        if not final and self._drawn_at is not None and now - self._drawn_at < self.interval:
            return
        self._draw(render_progress(done, total, now - self._started))
        self._drawn_at = now
        if final:
            self._finished = True
            self.close()

    def _draw(self, text):
        line = '%s %s' % (self.label, text)
        # blank what a longer earlier line left behind
        _write(self.stream, '\r' + line + ' ' * max(0, self._width - len(line)))
        self._width = len(line)
        self._open = True

    def close(self):
        """End the line, if one is open."""
        if self._open:
            _write(self.stream, '\n')
            self._open = False


def env_lines(token):
    """Shell lines that put ``token`` in the environment (``eval "$(stsboto env)"``).

    ``export NAME=value`` for every variable of :meth:`stsboto.Token.to_env`,
    values quoted for POSIX shells, and ``unset NAME`` for the others, so a
    stale ``AWS_SESSION_TOKEN`` or ``AWS_CREDENTIAL_EXPIRATION`` does not survive.
    """
    from stsboto.token import ENV_VARIABLES
    env = token.to_env()
    lines = ['export %s=%s' % (name, shlex_quote(env[name])) for name in ENV_VARIABLES
             if name in env]
    lines.extend('unset %s' % name for name in ENV_VARIABLES if name not in env)
    return lines


def whoami_lines(token, now, source=None):
    """What ``stsboto whoami`` prints: never the secret key or the session token.

    :param token: a :class:`stsboto.Token`.
    :param now: the current time (aware datetime).
    :param str source: where the token was read from.
    """
    from stsboto.token import format_expiration
    lines = [('ARN', token.arn or 'unknown (the token does not say)'),
             ('Access key', token.access_key),
             ('Credentials', 'temporary (session token present, not shown)' if token.session_token
              else 'long-term keys (no session token)')]
    if token.expiration is None:
        lines.append(('Expires', 'unknown (the token has no expiration)'))
    else:
        left = token.remaining(now).total_seconds()
        when = format_expiration(token.expiration.replace(microsecond=0))
        lines.append(('Expires', '%s (in %s)' % (when, format_duration(left)) if left > 0
                      else '%s (EXPIRED %s ago)' % (when, format_duration(left))))
    if source:
        lines.append(('Source', source))
    return ['%-12s %s' % (name + ':', value) for name, value in lines]


def parse_location(text, key_required=True):
    """``(bucket, key)`` from ``BUCKET/KEY`` (or ``s3://BUCKET/KEY``).

    :param bool key_required: the key may not be empty or end with ``/``.
    :raises InvalidPolicyError: the bucket name breaks the S3 naming rules.
    :raises UsageError: a key is required and missing, or is too long.
    """
    from stsboto.policy import validate_bucket_name
    text = _key_text(text)
    rest = text[len('s3://'):] if text.startswith('s3://') else text
    bucket, _, key = rest.partition('/')
    validate_bucket_name(bucket, 'bucket')
    if key_required and (not key or key.endswith('/')):
        raise UsageError('%s names no object: write BUCKET/KEY' % text)
    if len(key.encode('utf-8')) > 1024:
        raise UsageError('the key is %d bytes long; S3 keys are at most 1024 bytes'
                         % len(key.encode('utf-8')))
    return bucket, key


def _key_text(text):
    """S3 names are UTF-8 text, whatever the locale made of the command line:
    Python 2 bytes, or Python 3's surrogate escapes under a C locale (3.6)."""
    if isinstance(text, six.binary_type):
        raw = text
    else:
        try:
            text.encode('utf-8')
            return text
        except UnicodeEncodeError:
            raw = os.fsencode(text)  # Python 3 only: Python 2 text always encodes
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError:
        raise UsageError('%s is not UTF-8 text; S3 names are UTF-8' % _show(raw))


def _show(path):
    """A local path as text for a message (Python 2 may hold it as bytes, Python 3
    as surrogate escapes)."""
    if isinstance(path, six.binary_type):
        return path.decode(sys.getfilesystemencoding() or 'utf-8', 'replace')
    try:
        path.encode('utf-8')
    except UnicodeEncodeError:
        return os.fsencode(path).decode('utf-8', 'replace')
    return path


def _local_name(name, folder):
    """The file name for key name ``name`` in ``folder``: its UTF-8 bytes on disk."""
    if six.PY2:
        return name.encode('utf-8') if isinstance(folder, six.binary_type) else name
    return os.fsdecode(name.encode('utf-8'))  # the same text, unless the locale is not UTF-8


# ---------------------------------------------------------------------------
# Errors: exit status and the one line printed


def _causes(error):
    """``error`` and the errors behind it (stsboto's ``.cause``, Python 3's ``__cause__``)."""
    seen = []
    while error is not None and not any(error is e for e in seen):
        seen.append(error)
        error = getattr(error, 'cause', None) or getattr(error, '__cause__', None)
    return seen


def exit_status(error):
    """The exit status for an exception that ended a command.

    3 when a :class:`stsboto.TokenExpiredError` is the error or behind it;
    130 for Ctrl-C; 2 for usage errors, bad input (``ValueError``, which every
    stsboto input error also is) and missing credentials; else 1 (AWS
    refused, the network failed, anything unexpected).
    """
    from stsboto.exceptions import MissingCredentialsError, TokenExpiredError
    if any(isinstance(e, TokenExpiredError) for e in _causes(error)):
        return EXIT_EXPIRED
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(error, CommandError):
        return error.status
    if isinstance(error, (ValueError, MissingCredentialsError)):
        return EXIT_USAGE
    return EXIT_ERROR


def _text(value):
    if isinstance(value, six.binary_type):
        return value.decode('utf-8', 'replace')
    try:
        return six.text_type(value)
    except UnicodeError:  # Python 2: an exception holding non-ASCII bytes
        return str(value).decode('utf-8', 'replace')


def describe_error(error):
    """What went wrong, in words (one line once white space is folded)."""
    from stsboto._boto import boto
    from stsboto.exceptions import StsbotoError
    if isinstance(error, boto.exception.BotoServerError):
        code = error.error_code or error.reason or ''
        text = 'AWS refused the request: %s %s' % (error.status, code)
        if error.error_message:
            text += ': %s' % error.error_message
        return text
    if isinstance(error, (CommandError, StsbotoError)):
        return _text(error)
    if isinstance(error, KeyboardInterrupt):
        return 'interrupted' + (': %s' % _text(error) if _text(error) else '')
    if isinstance(error, socket.timeout):
        return 'the endpoint did not answer in time (%s)' % _text(error)
    if _network_error(error):
        return 'could not reach the endpoint: %s: %s' % (type(error).__name__, _text(error))
    if isinstance(error, (EnvironmentError, boto.exception.BotoClientError)):
        return _text(error)
    if isinstance(error, ValueError):
        return _text(error)
    return 'unexpected error: %s: %s' % (type(error).__name__, _text(error))


# What a socket says when the endpoint cannot be reached (on Python 3 every
# OSError is a socket.error, so the type alone does not tell).
_NETWORK_ERRNOS = frozenset(getattr(errno, name) for name in (
    'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
    'ENETDOWN', 'EHOSTDOWN', 'EADDRNOTAVAIL') if hasattr(errno, name))


def _network_error(error):
    if isinstance(error, (socket.gaierror, socket.herror, ssl.SSLError)):
        return True
    return isinstance(error, EnvironmentError) and error.errno in _NETWORK_ERRNOS


def _broken_pipe(error):
    return any(isinstance(e, EnvironmentError) and e.errno == errno.EPIPE for e in _causes(error))


# ---------------------------------------------------------------------------
# Streams


def _write(stream, text):
    """Write text to a text stream, or to a Python 2 byte stream, whatever its encoding."""
    if six.PY2 and not isinstance(stream, io.TextIOBase):
        stream.write(text.encode(getattr(stream, 'encoding', None) or 'utf-8', 'replace'))
    else:
        try:
            stream.write(text)
        except UnicodeEncodeError:  # a terminal or pipe that cannot show every character
            encoding = getattr(stream, 'encoding', None) or 'ascii'
            stream.write(text.encode(encoding, 'backslashreplace').decode(encoding))
    try:
        stream.flush()
    except (AttributeError, IOError, OSError, ValueError):
        pass


def _binary(stream):
    """The byte stream under a text stream (Python 3), or the stream itself (Python 2)."""
    return getattr(stream, 'buffer', stream)


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, IOError, OSError, ValueError):
        return False


class _Console(object):
    """Where a command reads, writes and looks (tests inject their own).

    :ivar secrets: every secret this run knows; masked out of every message.
    """

    def __init__(self, stdin=None, stdout=None, stderr=None, environ=None, now=None):
        self.stdin = sys.stdin if stdin is None else stdin
        self.stdout = sys.stdout if stdout is None else stdout
        self.stderr = sys.stderr if stderr is None else stderr
        self.environ = os.environ if environ is None else environ
        self._now = now
        self.secrets = [self.environ.get(name) for name in _SECRET_ENV
                        if self.environ.get(name)]
        self.log_filter = None

    def now(self):
        from stsboto.token import utcnow
        return self._now() if self._now is not None else utcnow()

    def out(self, line):
        _write(self.stdout, line + '\n')

    def err(self, line):
        _write(self.stderr, line + '\n')

    def remember(self, token):
        """Mask this token's secret key and session token from now on."""
        self.secrets.extend(s for s in (token.secret_key, token.session_token) if s)
        if self.log_filter is not None:
            self.log_filter.add_token(token)


# ---------------------------------------------------------------------------
# What the commands share


def _region(args):
    """--region, else $AWS_REGION, else $AWS_DEFAULT_REGION, else us-east-1."""
    if args.region:
        return args.region
    for name in _REGION_ENV:
        if args.console.environ.get(name):
            return args.console.environ[name]
    return 'us-east-1'


def _token_path(args):
    """``(path, what named it)``: --token, else $STSBOTO_TOKEN_FILE; path None for neither."""
    if args.token is None and args.console.environ.get(TOKEN_FILE_ENV):
        return args.console.environ[TOKEN_FILE_ENV], TOKEN_FILE_ENV
    return args.token, '--token'


def _load_token(args):
    """``(token, where)``: from --token, else $STSBOTO_TOKEN_FILE, else env/profile."""
    from stsboto.exceptions import InvalidTokenError
    from stsboto.token import Token, find_token
    console = args.console
    path, named = _token_path(args)
    if path == '-':
        try:
            token = Token.coerce(_binary(console.stdin).read())
        except InvalidTokenError as error:
            raise InvalidTokenError('standard input: %s' % error, error.field)
        where = 'standard input'
    elif path:
        try:
            token = Token.load(path)
        except EnvironmentError as error:
            raise UsageError('cannot read the token file %s (%s): %s'
                             % (_show(path), named, error.strerror or error))
        where = 'token file %s' % _show(path)
    else:
        token = find_token(console.environ)
        if token is None:
            raise UsageError('no token: pass --token FILE (- for standard input), set %s, or set '
                             'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN'
                             % TOKEN_FILE_ENV)
        where = ('environment variables' if Token.from_env(console.environ) is not None else
                 'profile %s of the shared credentials file'
                 % (console.environ.get('AWS_PROFILE') or 'default'))
    console.remember(token)
    return token, where


def _connect(args, token):
    from stsboto.s3 import connect_with_token
    return connect_with_token(token, region=_region(args), endpoint_url=args.endpoint_url)


def _transfer_config(args):
    from stsboto import transfer
    given = dict((name, getattr(args, name)) for name in ('threshold', 'part_size', 'workers')
                 if getattr(args, name) is not None)
    return transfer.TransferConfig(**given)


def _progress_bar(args, label):
    console = args.console
    show = _isatty(console.stderr) if args.progress is None else args.progress
    return ProgressBar(console.stderr, label) if show else None


def _expired_error(token, now):
    from stsboto.exceptions import TokenExpiredError
    from stsboto.token import format_expiration
    return TokenExpiredError('the token (access key %s) expired at %s, %s ago; get a new one'
                             % (token.access_key,
                                format_expiration(token.expiration.replace(microsecond=0)),
                                format_duration(token.remaining(now).total_seconds())),
                             expiration=token.expiration)


def _read_policy(value, console):
    """Policy JSON: inline (starts with ``{``), ``-`` for standard input, or a file name."""
    if value == '-':
        return _binary(console.stdin).read()
    if value.lstrip().startswith('{'):
        return value
    try:
        with io.open(value, 'rb') as stream:
            return stream.read()
    except EnvironmentError as error:
        raise UsageError('cannot read the policy file %s: %s'
                         % (_show(value), error.strerror or error))


def _split_actions(values):
    """['s3:GetObject', ...] from repeated and comma-separated --actions; ``s3:`` optional."""
    actions = []
    for value in values or ():
        for name in value.split(','):
            name = name.strip()
            if name:
                actions.append(name if ':' in name else 's3:' + name)
    return actions


def _check_output_path(path):
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError('cannot write %s: the folder %s does not exist'
                         % (_show(path), _show(directory)))
    if os.path.isdir(path):
        raise UsageError('cannot write %s: it is a folder' % _show(path))


# ---------------------------------------------------------------------------
# Subcommands


def _add_issue_arguments(parser):
    grant = parser.add_argument_group('the grant (--bucket, or a complete --policy)')
    grant.add_argument('--bucket', help='grant the actions on this bucket')
    grant.add_argument('--prefix', help='only on keys under this prefix (and s3:ListBucket '
                                        'only for it)')
    grant.add_argument('--actions', action='append', metavar='LIST',
                       help='S3 actions, comma-separated or repeated; the s3: prefix is optional '
                            '(default: s3:GetObject,s3:PutObject)')
    grant.add_argument('--policy', metavar='FILE_OR_JSON',
                       help='a complete policy instead: a file, inline JSON, or - for standard input')
    parser.add_argument('--duration', type=int, default=900, metavar='SECONDS',
                        help='how long the token lives, 900-129600 (default: 900)')
    parser.add_argument('--name', default='stsboto',
                        help='the federated user name, 2-32 characters of [A-Za-z0-9+=,.@_-] '
                             '(default: stsboto)')
    sts = parser.add_mutually_exclusive_group()
    sts.add_argument('--regional', dest='regional', action='store_true', default=None,
                     help='call the regional STS endpoint (the default, unless '
                          'AWS_STS_REGIONAL_ENDPOINTS=legacy)')
    sts.add_argument('--global-sts', dest='regional', action='store_false',
                     help='call the global endpoint sts.amazonaws.com')
    output = parser.add_argument_group('output (default: credential_process JSON on stdout)')
    output.add_argument('--format', choices=('json', 'env'), default=None,
                        help='json: the credential_process shape; env: shell export lines')
    output.add_argument('--output', '-o', metavar='FILE',
                        help='write the token to FILE (JSON, mode 0600) instead of stdout')


def cmd_issue(args):
    """Issue a scoped federation token with the issuer's own credentials."""
    from stsboto.policy import DEFAULT_ACTIONS
    from stsboto.sts import issue_token
    from stsboto.token import find_token
    console = args.console
    if args.output and args.format == 'env':
        raise UsageError('--output writes the JSON token file; --format env prints shell lines: '
                         'pick one')
    actions = _split_actions(args.actions)
    policy = None
    if args.policy is not None:
        if args.bucket is not None or args.prefix is not None or actions:
            raise UsageError('--policy is a complete policy: leave out --bucket, --prefix and '
                             '--actions')
        policy = _read_policy(args.policy, console)
    elif args.bucket is None:
        raise UsageError('say what the token may do: --bucket BUCKET (with --prefix, --actions) '
                         'or --policy FILE_OR_JSON')
    elif args.prefix is not None and not args.prefix:
        raise UsageError('--prefix is empty: leave it out to grant the whole bucket')
    if args.output:
        _check_output_path(args.output)
    issuer = find_token(console.environ)
    if issuer is not None:
        console.remember(issuer)
    connect = {'endpoint_url': args.endpoint_url}
    if args.regional is not None:
        connect['regional'] = args.regional
    token = issue_token(bucket=args.bucket, prefix=args.prefix,
                        actions=actions or DEFAULT_ACTIONS, policy=policy, name=args.name,
                        duration=args.duration, region=_region(args), **connect)
    console.remember(token)
    if args.output:
        token.save(args.output)
    elif args.format == 'env':
        for line in env_lines(token):
            console.out(line)
    else:
        console.out(token.to_json())
    return EXIT_OK


def _add_env_arguments(parser):
    pass


def cmd_env(args):
    """Print shell lines that export the token (refuses an expired one)."""
    token, _ = _load_token(args)
    now = args.console.now()
    if token.expired(now=now):
        raise _expired_error(token, now)
    for line in env_lines(token):
        args.console.out(line)
    return EXIT_OK


def _add_transfer_arguments(parser):
    parser.add_argument('--threshold', type=parse_size, metavar='SIZE',
                        help='objects this large or larger go in parts: multipart upload, '
                             'parallel ranged download (default: 8M)')
    parser.add_argument('--part-size', type=parse_size, metavar='SIZE',
                        help='bytes per part or range (default: 8M; uploads use at least 5M, '
                             'the S3 minimum)')
    parser.add_argument('--workers', type=int, metavar='N',
                        help='parts transferred at once, 1-256 (default: 4)')
    show = parser.add_mutually_exclusive_group()
    show.add_argument('--progress', dest='progress', action='store_true', default=None,
                      help='draw a progress bar on stderr (default: when stderr is a terminal)')
    show.add_argument('--no-progress', dest='progress', action='store_false',
                      help='never draw the progress bar')


def _add_put_arguments(parser):
    parser.add_argument('source', metavar='LOCAL', help='the file to upload; - for standard input')
    parser.add_argument('destination', metavar='BUCKET/KEY',
                        help='where to store it; a key ending in / (or none) gets the file name')
    _add_transfer_arguments(parser)


def cmd_put(args):
    """Upload a file (or standard input) with the token."""
    from stsboto import transfer
    console = args.console
    bucket_name, key = parse_location(args.destination, key_required=False)
    if args.source == '-':
        if not key or key.endswith('/'):
            raise UsageError('with - (standard input) as LOCAL, name the key: BUCKET/KEY')
        if _token_path(args)[0] == '-':
            raise UsageError('standard input cannot hold both the token and the data')
        source = _binary(console.stdin)
    else:
        if not os.path.isfile(args.source):
            raise UsageError('%s is not a file' % _show(args.source))
        if not key or key.endswith('/'):
            key += _key_text(os.path.basename(args.source))
            parse_location('%s/%s' % (bucket_name, key))
        source = args.source
    config = _transfer_config(args)
    token, _ = _load_token(args)
    bucket = _connect(args, token).get_bucket(bucket_name)
    bar = _progress_bar(args, 'put')
    try:
        transfer.upload(bucket, key, source, progress=bar, config=config)
    finally:
        if bar is not None:
            bar.close()
    return EXIT_OK


def _add_get_arguments(parser):
    parser.add_argument('source', metavar='BUCKET/KEY', help='the object to download')
    parser.add_argument('destination', metavar='LOCAL',
                        help='the file to write (an existing folder: the key\'s last part in '
                             'it); - for standard output')
    _add_transfer_arguments(parser)


def cmd_get(args):
    """Download an object with the token."""
    from stsboto import transfer
    console = args.console
    bucket_name, key = parse_location(args.source)
    if args.destination == '-':
        dest = _binary(console.stdout)
    else:
        dest = args.destination
        if os.path.isdir(dest):
            dest = os.path.join(dest, _local_name(key.rsplit('/', 1)[-1], dest))
        _check_output_path(dest)
    config = _transfer_config(args)
    token, _ = _load_token(args)
    bucket = _connect(args, token).get_bucket(bucket_name)
    bar = _progress_bar(args, 'get')
    try:
        transfer.download(bucket, key, dest, progress=bar, config=config)
    finally:
        if bar is not None:
            bar.close()
    if args.destination == '-':
        dest.flush()
    return EXIT_OK


def _add_ls_arguments(parser):
    parser.add_argument('location', metavar='BUCKET[/PREFIX]', help='what to list')
    parser.add_argument('--recursive', '-r', action='store_true',
                        help='every key under the prefix, not one level ("folders") at a time')


def _listing_time(value):
    from stsboto.exceptions import InvalidTokenError
    from stsboto.token import parse_expiration
    try:
        when = parse_expiration(value, 'LastModified')
    except InvalidTokenError:
        return value or '?'
    return '%04d-%02d-%02d %02d:%02d:%02d' % (when.year, when.month, when.day, when.hour,
                                              when.minute, when.second)


def cmd_ls(args):
    """List keys (needs s3:ListBucket in the token's grant)."""
    from stsboto._boto import boto
    from boto.s3.prefix import Prefix  # (after stsboto._boto: importable on 3.12+)
    console = args.console
    bucket_name, prefix = parse_location(args.location, key_required=False)
    token, _ = _load_token(args)
    bucket = _connect(args, token).get_bucket(bucket_name)
    where = 's3://%s/%s' % (bucket_name, prefix)
    try:
        for item in bucket.list(prefix=prefix, delimiter='' if args.recursive else '/'):
            if isinstance(item, Prefix):
                console.out('%30s %s' % ('PRE', item.name))
            else:
                console.out('%s %10d %s' % (_listing_time(item.last_modified), int(item.size or 0),
                                            item.name))
    except boto.exception.S3ResponseError as error:
        if error.status == 403 and error.error_code in (None, '', 'AccessDenied'):
            six.raise_from(CommandError(
                'cannot list %s: 403 AccessDenied: the token\'s grant does not include '
                's3:ListBucket on bucket %s%s; ask for a token with it (stsboto issue --actions '
                's3:GetObject,s3:PutObject,s3:ListBucket)'
                % (where, bucket_name, ' for this prefix' if prefix else '')), error)
        six.raise_from(CommandError('cannot list %s: %s' % (where, describe_error(error))), error)
    return EXIT_OK


def _add_url_arguments(parser):
    parser.add_argument('location', metavar='BUCKET/KEY', help='the object')
    parser.add_argument('--method', choices=('GET', 'PUT', 'HEAD', 'DELETE'), default='GET',
                        type=lambda text: text.upper(),
                        help='what the URL lets its holder do (default: GET)')
    parser.add_argument('--expires', type=int, metavar='SECONDS',
                        help='how long the URL works, 1-604800 (default: %d, or less if the '
                             'token expires sooner)' % DEFAULT_URL_SECONDS)


def cmd_url(args):
    """Print a presigned URL (it carries the session token, and dies with it)."""
    console = args.console
    bucket_name, key = parse_location(args.location)
    token, _ = _load_token(args)
    conn = _connect(args, token)
    left = token.remaining(console.now())
    left = None if left is None else int(left.total_seconds())
    expires = args.expires
    if expires is None:
        expires = DEFAULT_URL_SECONDS if left is None else max(1, min(DEFAULT_URL_SECONDS, left))
    elif left is not None and expires > left:
        console.err('stsboto: note: the token expires in %s; the URL stops working then, not in %s'
                    % (format_duration(left), format_duration(expires)))
    console.out(conn.generate_url(expires, args.method, bucket_name, key))
    return EXIT_OK


def _add_whoami_arguments(parser):
    pass


def cmd_whoami(args):
    """Show the token's ARN, access key and expiry (exit 3 once expired); never secrets."""
    token, where = _load_token(args)
    now = args.console.now()
    for line in whoami_lines(token, now, where):
        args.console.out(line)
    return EXIT_EXPIRED if token.expired(now=now) else EXIT_OK


def _add_demo_arguments(parser):
    parser.add_argument('--moto-server', metavar='PATH', default=None,
                        help='the moto_server executable to run (default: $STSBOTO_MOTO_SERVER, '
                             'moto_server next to this Python or on PATH, or python -m moto.server)')


def cmd_demo(args):
    """Issue a scoped token and use it against a local moto server, printing each step."""
    from stsboto.exceptions import StsbotoError
    from stsboto.local import INSTALL_HINT, find_server_command
    try:
        available = find_server_command(args.moto_server) is not None
    except StsbotoError as error:
        print('stsboto demo: %s' % error, file=sys.stderr)
        return EXIT_UNAVAILABLE
    if not available:
        print('stsboto demo: %s' % INSTALL_HINT, file=sys.stderr)
        return EXIT_UNAVAILABLE
    from stsboto.demo import run_demo
    try:
        result = run_demo(executable=args.moto_server)
    except StsbotoError as error:  # the server did not start
        print('stsboto demo: %s' % error, file=sys.stderr)
        return EXIT_UNAVAILABLE
    return result.exit_code


#: (name, one-line help, function adding the arguments, function running it)
SUBCOMMANDS = (
    ('issue', 'issue a scoped token (STS GetFederationToken) with your own credentials; '
              'prints credential_process JSON', _add_issue_arguments, cmd_issue),
    ('env', 'print shell export lines for a token: eval "$(stsboto env --token FILE)"',
     _add_env_arguments, cmd_env),
    ('put', 'upload a file with a token: stsboto put LOCAL BUCKET/KEY', _add_put_arguments,
     cmd_put),
    ('get', 'download an object with a token: stsboto get BUCKET/KEY LOCAL', _add_get_arguments,
     cmd_get),
    ('ls', 'list keys with a token (needs s3:ListBucket)', _add_ls_arguments, cmd_ls),
    ('url', 'print a presigned URL made with a token', _add_url_arguments, cmd_url),
    ('whoami', 'show a token\'s ARN, access key and expiry (never its secrets)',
     _add_whoami_arguments, cmd_whoami),
    ('demo', 'run the whole story (issue a scoped token, upload with it, see what is refused) '
             'against a local AWS endpoint (moto)', _add_demo_arguments, cmd_demo),
)
#: The subcommands that read a token (--token, $STSBOTO_TOKEN_FILE, env/profile).
_TOKEN_COMMANDS = ('env', 'put', 'get', 'ls', 'url', 'whoami')


def _add_common_arguments(parser, suppress):
    """--region, --endpoint-url, --retries, --debug: before or after the subcommand.

    On the subcommand their defaults are SUPPRESS, so a value given before
    the subcommand is not overwritten by the subcommand's default.
    """
    def default(value):
        return argparse.SUPPRESS if suppress else value
    group = parser.add_argument_group('common options')
    group.add_argument('--region', default=default(None),
                       help='the AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, us-east-1)')
    group.add_argument('--endpoint-url', metavar='URL', default=default(None),
                       help='an S3/STS-compatible endpoint such as http://127.0.0.1:5000 '
                            '(default: $AWS_ENDPOINT_URL_S3 / _STS, $AWS_ENDPOINT_URL, AWS)')
    group.add_argument('--retries', type=int, metavar='N', default=default(None),
                       help='retries of a failed request (default: [Boto] num_retries of the '
                            'boto config, else %d)' % DEFAULT_RETRIES)
    group.add_argument('--debug', action='store_true', default=default(False),
                       help='log requests (secrets masked) and show tracebacks')


def build_parser():
    from stsboto import __version__
    parser = argparse.ArgumentParser(
        prog='stsboto', description='AWS STS temporary credentials for boto 2.',
        epilog='Exit status: 0 ok, 1 AWS or network error, 2 usage error or bad input, '
               '3 expired token.')
    parser.add_argument('--version', action='version', version='stsboto %s' % __version__)
    _add_common_arguments(parser, suppress=False)
    commands = parser.add_subparsers(dest='command', metavar='COMMAND')
    for name, summary, add_arguments, run in SUBCOMMANDS:
        sub = commands.add_parser(name, help=summary, description=summary)
        add_arguments(sub)
        if name in _TOKEN_COMMANDS:
            sub.add_argument('--token', metavar='FILE', default=None,
                             help='the token: a JSON file in any AWS or boto shape, - for '
                                  'standard input (default: $%s, else AWS_ACCESS_KEY_ID, ... '
                                  'or the AWS profile)' % TOKEN_FILE_ENV)
        if name != 'demo':
            _add_common_arguments(sub, suppress=True)
        sub.set_defaults(run=run)
    return parser


# ---------------------------------------------------------------------------
# Running a command


class _DebugLog(object):
    """--debug: every log record on stderr, masked by a SecretMaskingFilter on the handler."""

    def __init__(self, console):
        from stsboto.logfilter import install_log_filter
        self.handler = logging.StreamHandler(console.stderr)
        self.handler.setFormatter(logging.Formatter('%(asctime)s %(name)s %(levelname)s: '
                                                    '%(message)s'))
        # on the handler: it sees the records of every logger (boto's included)
        console.log_filter = install_log_filter(self.handler)
        for secret in console.secrets:
            console.log_filter.add_secret(secret)
        root = logging.getLogger()
        self.level = root.level
        root.addHandler(self.handler)
        root.setLevel(logging.DEBUG)

    def close(self):
        root = logging.getLogger()
        root.removeHandler(self.handler)
        root.setLevel(self.level)


class _Retries(object):
    """The retries boto makes of a failed request, for one command; restored after.

    boto reads ``[Boto] num_retries`` before every request (default 6, with
    random exponential back-off: about a minute in all before an unreachable
    endpoint is reported).  A command line should answer sooner, so unless
    ``--retries`` says otherwise or the boto config sets it, it is
    :data:`DEFAULT_RETRIES`.
    """

    def __init__(self, retries):
        self.retries = retries
        self.saved = None

    def __enter__(self):
        from stsboto._boto import boto
        config = boto.config
        if self.retries is not None and self.retries < 0:
            raise UsageError('--retries must be 0 or more')
        if self.retries is None and config.has_option('Boto', 'num_retries'):
            return self
        if not config.has_section('Boto'):
            config.add_section('Boto')
        self.saved = (config.get('Boto', 'num_retries', None),)
        config.set('Boto', 'num_retries',
                   str(DEFAULT_RETRIES if self.retries is None else self.retries))
        return self

    def __exit__(self, *exc_info):
        if self.saved is not None:
            from stsboto._boto import boto
            if self.saved[0] is None:
                boto.config.remove_option('Boto', 'num_retries')
            else:
                boto.config.set('Boto', 'num_retries', self.saved[0])
        return False


def _report(console, error, debug):
    from stsboto.logfilter import mask_secrets
    if debug:
        text = ''.join(traceback.format_exception(type(error), error, sys.exc_info()[2]))
        _write(console.stderr, mask_secrets(text, console.secrets))
    if _broken_pipe(error):
        line = 'the output was closed before everything was written (broken pipe)'
    else:
        line = describe_error(error)
    # ONE line, and no secret even if a message from below carried one
    console.err(' '.join(mask_secrets('stsboto: %s' % line, console.secrets).split()))


def _run(run, args, console):
    args.console = console
    debug = _DebugLog(console) if args.debug else None
    try:
        with _Retries(args.retries):
            return run(args)
    except (Exception, KeyboardInterrupt) as error:
        _report(console, error, debug is not None)
        return exit_status(error)
    finally:
        if debug is not None:
            debug.close()


def _decode_argv(argv):
    """Python 2 hands over bytes; the commands work on text."""
    if not six.PY2:
        return argv
    encoding = sys.getfilesystemencoding() or 'utf-8'
    out = []
    for arg in argv:
        if isinstance(arg, bytes):
            try:
                arg = arg.decode(encoding)
            except UnicodeDecodeError:
                pass
        out.append(arg)
    return out


def main(argv=None, stdin=None, stdout=None, stderr=None, environ=None, now=None):
    """Run the command line; return the exit status.

    :param list argv: the arguments (default: ``sys.argv[1:]``).
    :param stdin: streams to use instead of ``sys.stdin``, ``sys.stdout``,
        ``sys.stderr`` (argparse's own messages still go to ``sys``'s).
    :param environ: a mapping to read instead of ``os.environ``.
    :param now: a callable returning the current time (aware datetime).
    """
    parser = build_parser()
    argv = _decode_argv(sys.argv[1:] if argv is None else list(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:  # --help, --version, usage errors
        return exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    run = getattr(args, 'run', None)
    if run is None:  # no subcommand (Python 3 argparse does not require one)
        parser.print_help(sys.stderr)
        return EXIT_UNAVAILABLE
    if run is cmd_demo:
        return run(args)
    console = _Console(stdin, stdout, stderr, environ, now)
    status = _run(run, args, console)
    if stdout is None:
        _flush_stdout()
    return status


def _flush_stdout():
    """Flush now, so that a closed pipe (``stsboto get b/k - | head``) is not an
    error again when Python exits."""
    try:
        sys.stdout.flush()
    except EnvironmentError as error:
        if error.errno != errno.EPIPE:
            raise
        # Python flushes stdout once more at exit: give it somewhere to go
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


if __name__ == '__main__':  # pragma: no cover
    sys.exit(main())
