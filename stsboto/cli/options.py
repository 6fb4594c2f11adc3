"""What the commands share: reading option values, finding the token, connecting.

Usage::

    bucket, key = parse_location('photos/user-42/cat.jpg')
    token, where = load_token(args)         # --token, $STSBOTO_TOKEN_FILE, --profile, env
    bucket = connect(args, token).get_bucket(bucket)
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import argparse
import io
import os
import sys

import six

from stsboto._compat import PY2
from stsboto.cli.console import ProgressBar, binary, isatty, terminal_columns
from stsboto.cli.errors import UsageError

__all__ = ['parse_size', 'parse_location', 'key_text', 'show_path', 'local_name', 'region',
           'load_token', 'find_credentials', 'connect', 'transfer_config', 'progress_bar',
           'read_policy', 'split_actions', 'check_output_path', 'add_common_arguments',
           'TOKEN_FILE_ENV']

#: The environment variable naming the token file when ``--token`` is not given.
TOKEN_FILE_ENV = 'STSBOTO_TOKEN_FILE'
#: The credential variables an explicit --profile sets aside (botocore: "an
#: explicitly provided profile will negate an EnvProvider").
_CREDENTIAL_ENV = ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
                   'AWS_SECURITY_TOKEN', 'AWS_CREDENTIAL_EXPIRATION')
_SIZE_UNITS = {'': 1, 'b': 1, 'k': 1024, 'kb': 1024, 'kib': 1024, 'm': 1024 ** 2,
               'mb': 1024 ** 2, 'mib': 1024 ** 2, 'g': 1024 ** 3, 'gb': 1024 ** 3,
               'gib': 1024 ** 3}


# -- option values -------------------------------------------------------------------


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


def parse_location(text, key_required=True):
    """``(bucket, key)`` from ``BUCKET/KEY`` (or ``s3://BUCKET/KEY``).

    :param bool key_required: the key may not be empty or end with ``/``.
    :raises InvalidPolicyError: the bucket name breaks the S3 naming rules.
    :raises UsageError: a key is required and missing, or is too long.
    """
    from stsboto.policy import validate_bucket_name
    text = key_text(text)
    rest = text[len('s3://'):] if text.startswith('s3://') else text
    bucket, _, key = rest.partition('/')
    validate_bucket_name(bucket, 'bucket')
    if key_required and (not key or key.endswith('/')):
        raise UsageError('%s names no object: write BUCKET/KEY' % text)
    if len(key.encode('utf-8')) > 1024:
        raise UsageError('the key is %d bytes long; S3 keys are at most 1024 bytes'
                         % len(key.encode('utf-8')))
    return bucket, key


def key_text(text):
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
        raise UsageError('%s is not UTF-8 text; S3 names are UTF-8' % show_path(raw))


def show_path(path):
    """A local path as text for a message (Python 2 may hold it as bytes, Python 3
    as surrogate escapes)."""
    if isinstance(path, six.binary_type):
        return path.decode(sys.getfilesystemencoding() or 'utf-8', 'replace')
    try:
        path.encode('utf-8')
    except UnicodeEncodeError:
        return os.fsencode(path).decode('utf-8', 'replace')
    return path


def local_name(name, folder):
    """The file name for key name ``name`` in ``folder``: its UTF-8 bytes on disk."""
    if PY2:
        return name.encode('utf-8') if isinstance(folder, six.binary_type) else name
    return os.fsdecode(name.encode('utf-8'))  # the same text, unless the locale is not UTF-8


def read_policy(value, console):
    """Policy JSON: inline (starts with ``{``), ``-`` for standard input, or a file name."""
    if value == '-':
        return binary(console.stdin).read()
    if value.lstrip().startswith('{'):
        return value
    try:
        with io.open(value, 'rb') as stream:
            return stream.read()
    except EnvironmentError as error:
        raise UsageError('cannot read the policy file %s (--policy): %s'
                         % (show_path(value), error.strerror or error))


def split_actions(values):
    """['s3:GetObject', ...] from repeated and comma-separated --actions; ``s3:`` optional."""
    actions = []
    for value in values or ():
        for name in value.split(','):
            name = name.strip()
            if name:
                actions.append(name if ':' in name else 's3:' + name)
    return actions


def check_output_path(path, option=None):
    """Refuse, before anything is sent, a path that could not be written safely:
    a missing folder, a folder, or a symbolic link (the token file would be
    written wherever the link points, and :meth:`stsboto.Token.save` refuses it
    anyway: only after STS had issued the token, which was then lost)."""
    named = ' (%s)' % option if option else ''
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError('cannot write %s%s: the folder %s does not exist'
                         % (show_path(path), named, show_path(directory)))
    if os.path.islink(path):
        raise UsageError('cannot write %s%s: it is a symbolic link; name the file itself'
                         % (show_path(path), named))
    if os.path.isdir(path):
        raise UsageError('cannot write %s%s: it is a folder' % (show_path(path), named))


# -- options every command has ---------------------------------------------------------


def add_common_arguments(parser, suppress):
    """--region, --endpoint-url, --retries, --debug: before or after the subcommand.

    On the subcommand their defaults are SUPPRESS, so a value given before
    the subcommand is not overwritten by the subcommand's default.
    """
    def default(value):
        return argparse.SUPPRESS if suppress else value
    group = parser.add_argument_group('common options')
    group.add_argument('--region', default=default(None),
                       help='the AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, the '
                            'profile\'s region, us-east-1)')
    group.add_argument('--endpoint-url', metavar='URL', default=default(None),
                       help='an S3/STS-compatible endpoint such as http://127.0.0.1:5000 '
                            '(default: $AWS_ENDPOINT_URL_S3 / _STS, $AWS_ENDPOINT_URL, AWS)')
    group.add_argument('--retries', type=int, metavar='N', default=default(None),
                       help='retries of a failed request (default: $AWS_MAX_ATTEMPTS - 1, the '
                            'profile\'s max_attempts - 1, [Boto] num_retries, else 2)')
    group.add_argument('--debug', action='store_true', default=default(False),
                       help='log requests (secrets masked) and show tracebacks')


def add_token_arguments(parser):
    """--token and --profile: where a command that uses a token finds it."""
    parser.add_argument('--token', metavar='FILE', default=None,
                        help='the token: a JSON file in any AWS or boto shape, - for standard '
                             'input (default: $%s, else AWS_ACCESS_KEY_ID, ... or the AWS '
                             'profile)' % TOKEN_FILE_ENV)
    add_profile_argument(parser, 'read the token from this profile of the shared credentials '
                                 'file instead (as aws --profile: the environment\'s keys are '
                                 'not used)')


def add_profile_argument(parser, text):
    parser.add_argument('--profile', metavar='NAME', default=None, help=text)


def region(args):
    """--region, else $AWS_REGION, $AWS_DEFAULT_REGION, the profile's ``region``,
    else us-east-1 (:func:`stsboto.regions.configured_region`)."""
    from stsboto import regions
    from stsboto.config import Settings
    settings = Settings(args.console.environ, getattr(args, 'profile', None) or None)
    return regions.configured_region(explicit=args.region or None, settings=settings,
                                     default='us-east-1')


def find_credentials(environ, profile=None):
    """``(token or None, where)``: the credentials configured, or those of ``profile``.

    Walks the credential chain (:func:`stsboto.find_token`).  An explicit
    profile wins over the environment's keys, as ``aws --profile`` and
    botocore do; the child of a ``credential_process`` line therefore reads
    the profile it is told, not the ``AWS_PROFILE`` that selected the line.
    ``where`` is said for a person; ``whoami`` adds the token's ``method``.
    """
    from stsboto.credentials import find_token
    if profile is not None:
        if not profile.strip():
            raise UsageError('--profile is empty: name a profile of the shared credentials file')
        return find_token(environ=environ, profile=profile), 'profile %s (--profile)' % profile
    token = find_token(environ=environ)
    method = getattr(token, 'method', None)
    if method == 'env':
        return token, 'environment variables'
    name = environ.get('AWS_PROFILE') or 'default'
    if method == 'shared-credentials-file':
        return token, 'profile %s of the shared credentials file' % name
    if method in ('config-file', 'assume-role', 'custom-process'):
        return token, 'profile %s of the config file' % name
    return token, None


def _token_path(args):
    """``(path, what named it)``: --token, else $STSBOTO_TOKEN_FILE; path None for neither."""
    if args.token is None and args.profile is None and args.console.environ.get(TOKEN_FILE_ENV):
        return args.console.environ[TOKEN_FILE_ENV], TOKEN_FILE_ENV
    return args.token, '--token'


def load_token(args):
    """``(token, where)``: from --token, else --profile, else $STSBOTO_TOKEN_FILE, else env/profile."""
    from stsboto.exceptions import InvalidTokenError
    from stsboto.token import Token
    console = args.console
    if args.token is not None and args.profile is not None:
        raise UsageError('--token and --profile both name a token: pick one')
    path, named = _token_path(args)
    if path == '-':
        try:
            token = Token.coerce(binary(console.stdin).read())
        except InvalidTokenError as error:
            raise InvalidTokenError('standard input: %s' % error, error.field)
        where = 'standard input'
    elif path:
        try:
            token = Token.load(path)
        except EnvironmentError as error:
            # the reason alone: a TokenFileError's text already names the file
            reason = error.strerror or (os.strerror(error.errno) if error.errno else
                                        six.text_type(error).rpartition(': ')[2])
            raise UsageError('cannot read the token file %s (%s): %s'
                             % (show_path(path), named, reason))
        where = 'token file %s' % show_path(path)
    else:
        token, where = find_credentials(console.environ, args.profile)
        if token is None:
            if args.profile is not None:
                raise UsageError('no token in profile %s (--profile)' % args.profile)
            raise UsageError('no token: pass --token FILE (- for standard input) or --profile '
                             'NAME, set %s, or set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and '
                             'AWS_SESSION_TOKEN' % TOKEN_FILE_ENV)
    console.remember(token)
    return token, where


def connect(args, token):
    """A ``TokenS3Connection`` for the token; an expired token is refused first, in the
    one wording stsboto has for it (when it expired, and how to get another)."""
    from stsboto.token import token_expired_error
    from stsboto.s3 import connect_with_token
    now = args.console.now()
    if token.expired(now=now):
        raise token_expired_error(token, now)
    return connect_with_token(token, region=region(args), endpoint_url=args.endpoint_url)


def transfer_config(args):
    from stsboto import transfer
    names = ('threshold', 'part_size', 'workers', 'checksum')
    given = dict((name, getattr(args, name, None)) for name in names
                 if getattr(args, name, None) is not None)
    return transfer.TransferConfig(**given)


def progress_bar(args, label):
    console = args.console
    show = isatty(console.stderr) if args.progress is None else args.progress
    if not show:
        return None
    return ProgressBar(console.stderr, label,
                       columns=lambda: terminal_columns(console.stderr, console.environ))
