"""The commands a token holder runs on objects: ``put``, ``get``, ``ls``, ``url``.

Each command is an ``add_*_arguments(parser)`` and a ``run_*(args)`` returning
the exit status; :mod:`stsboto.cli.commands` lists them.
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import os
import warnings

import six

from stsboto.cli import options
from stsboto.exceptions import UnverifiedUploadWarning
from stsboto.cli.console import binary, format_duration, printable
from stsboto.cli.errors import EXIT_OK, CommandError, UsageError, describe_error
from stsboto.cli.output import listing_line

__all__ = ['add_put_arguments', 'run_put', 'add_get_arguments', 'run_get', 'add_ls_arguments',
           'run_ls', 'add_url_arguments', 'run_url', 'DEFAULT_URL_SECONDS']

#: A presigned URL lives this long unless ``--expires`` says otherwise (capped
#: by the token's own remaining life).
DEFAULT_URL_SECONDS = 3600


def _add_transfer_arguments(parser, said):
    parser.add_argument('--threshold', type=options.parse_size, metavar='SIZE',
                        help='objects this large or larger go in parts: multipart upload, '
                             'parallel ranged download (default: 8M)')
    parser.add_argument('--part-size', type=options.parse_size, metavar='SIZE',
                        help='bytes per part or range (default: 8M; uploads use at least 5M, '
                             'the S3 minimum)')
    parser.add_argument('--workers', type=int, metavar='N',
                        help='parts transferred at once, 1-256 (default: 4)')
    parser.add_argument('--checksum', choices=('crc32', 'crc64nvme', 'md5'), default=None,
                        help='integrity check: crc32 (default; S3 verifies it), crc64nvme (the '
                             'same, full-object for multipart too; needs awscrt: stsboto[crc]) '
                             'or md5 (Content-MD5 and ETags, for S3-compatible servers without '
                             'flexible checksums)')
    show = parser.add_mutually_exclusive_group()
    show.add_argument('--progress', dest='progress', action='store_true', default=None,
                      help='draw a progress bar on stderr (default: when stderr is a terminal)')
    show.add_argument('--no-progress', dest='progress', action='store_false',
                      help='never draw the progress bar')
    parser.add_argument('--quiet', '-q', action='store_true',
                        help='print nothing on success: no "%s: ..." line, no progress bar' % said)


def _transfer(args, label, run):
    """Run ``run(progress)`` with the progress bar the options ask for."""
    bar = None if args.quiet else options.progress_bar(args, label)
    try:
        result = run(bar)
        if bar is not None:
            bar.finish()
        return result
    finally:
        if bar is not None:
            bar.close()


def add_put_arguments(parser):
    parser.add_argument('source', metavar='LOCAL', help='the file to upload; - for standard input')
    parser.add_argument('destination', metavar='BUCKET/KEY',
                        help='where to store it; a key ending in / (or none) gets the file name')
    _add_transfer_arguments(parser, 'upload')


def run_put(args):
    """Upload a file (or standard input) with the token."""
    from stsboto import transfer
    console = args.console
    bucket_name, key = options.parse_location(args.destination, key_required=False)
    if args.source == '-':
        if not key or key.endswith('/'):
            raise UsageError('with - (standard input) as LOCAL, name the key: BUCKET/KEY')
        if args.token == '-' or (args.token is None and args.profile is None and
                                 console.environ.get(options.TOKEN_FILE_ENV) == '-'):
            raise UsageError('standard input cannot hold both the token and the data')
        source = binary(console.stdin)
    else:
        if not os.path.isfile(args.source):
            shown = options.show_path(args.source)
            if not os.path.lexists(args.source):
                raise UsageError('%s: no such file' % shown)
            if os.path.isdir(args.source):
                raise UsageError('%s is a folder: put uploads one file' % shown)
            raise UsageError('%s is not a regular file' % shown)
        if not key or key.endswith('/'):
            key += options.key_text(os.path.basename(args.source))
            options.parse_location('%s/%s' % (bucket_name, key))
        source = args.source
    config = options.transfer_config(args)
    token, _ = options.load_token(args)
    bucket = options.connect(args, token).get_bucket(bucket_name)
    with warnings.catch_warnings():
        # said once, below, in the command's words instead of Python's
        warnings.simplefilter('ignore', UnverifiedUploadWarning)
        result = _transfer(args, 'put', lambda bar: transfer.upload(bucket, key, source, progress=bar,
                                                                    config=config))
    if not result.verified:
        console.err('stsboto: put: not verified: the server did not confirm the checksum; '
                    '--checksum md5 checks ETags')
    if not args.quiet:
        console.out(printable('upload: %s to s3://%s/%s' % (
            '-' if args.source == '-' else options.show_path(args.source), bucket_name, key)))
    return EXIT_OK


def add_get_arguments(parser):
    parser.add_argument('source', metavar='BUCKET/KEY', help='the object to download')
    parser.add_argument('destination', metavar='LOCAL',
                        help='the file to write (an existing folder: the key\'s last part in '
                             'it); - for standard output')
    _add_transfer_arguments(parser, 'download')


def run_get(args):
    """Download an object with the token."""
    from stsboto import transfer
    console = args.console
    bucket_name, key = options.parse_location(args.source)
    to_stdout = args.destination == '-'
    if to_stdout:
        dest = binary(console.stdout)
    else:
        dest = args.destination
        if os.path.isdir(dest):
            dest = os.path.join(dest, options.local_name(key.rsplit('/', 1)[-1], dest))
        options.check_output_path(dest, in_place=True)   # a FIFO or device: written in place
    config = options.transfer_config(args)
    token, _ = options.load_token(args)
    bucket = options.connect(args, token).get_bucket(bucket_name)
    _transfer(args, 'get', lambda bar: transfer.download(bucket, key, dest, progress=bar,
                                                         config=config))
    if to_stdout:
        dest.flush()  # the data was the output: no "download:" line in it
    elif not args.quiet:
        console.out(printable('download: s3://%s/%s to %s'
                              % (bucket_name, key, options.show_path(dest))))
    return EXIT_OK


def add_ls_arguments(parser):
    parser.add_argument('location', metavar='BUCKET[/PREFIX]', help='what to list')
    parser.add_argument('--recursive', '-r', action='store_true',
                        help='every key under the prefix, not one level ("folders") at a time')


def run_ls(args):
    """List keys (needs s3:ListBucket in the token's grant)."""
    from stsboto._boto import boto
    from stsboto.policy import DEFAULT_ACTIONS
    console = args.console
    bucket_name, prefix = options.parse_location(args.location, key_required=False)
    token, _ = options.load_token(args)
    bucket = options.connect(args, token).get_bucket(bucket_name)
    where = 's3://%s/%s' % (bucket_name, prefix)
    try:
        for item in bucket.list(prefix=prefix, delimiter='' if args.recursive else '/'):
            console.out(listing_line(item))
    except boto.exception.S3ResponseError as error:
        if error.status == 403 and error.error_code in (None, '', 'AccessDenied'):
            six.raise_from(CommandError(
                'cannot list %s: 403 AccessDenied: the token\'s grant does not include '
                's3:ListBucket on bucket %s%s; ask for a token with it (stsboto issue --actions '
                '%s)' % (where, bucket_name, ' for this prefix' if prefix else '',
                         ','.join(DEFAULT_ACTIONS + ('s3:ListBucket',)))), error)
        six.raise_from(CommandError('cannot list %s: %s'
                                    % (where, describe_error(error, console.secrets))), error)
    return EXIT_OK


def add_url_arguments(parser):
    from stsboto.s3 import MAX_PRESIGNED_SECONDS
    parser.add_argument('location', metavar='BUCKET/KEY', help='the object')
    parser.add_argument('--method', choices=('GET', 'PUT', 'HEAD', 'DELETE'), default='GET',
                        type=lambda text: text.upper(),
                        help='what the URL lets its holder do (default: GET)')
    parser.add_argument('--expires', type=int, metavar='SECONDS',
                        help='how long the URL works, 1-%d (7 days, the SigV4 limit; default: '
                             '%d, or less if the token expires sooner)'
                             % (MAX_PRESIGNED_SECONDS, DEFAULT_URL_SECONDS))


def run_url(args):
    """Print a presigned URL (it carries the session token, and dies with it)."""
    from stsboto.s3 import MAX_PRESIGNED_SECONDS
    console = args.console
    bucket_name, key = options.parse_location(args.location)
    expires = args.expires
    if expires is not None and not 1 <= expires <= MAX_PRESIGNED_SECONDS:
        raise UsageError('--expires must be 1-%d seconds (7 days, the longest a SigV4 presigned '
                         'URL works)' % MAX_PRESIGNED_SECONDS)
    token, _ = options.load_token(args)
    conn = options.connect(args, token)
    left = token.remaining(console.now())
    left = None if left is None else int(left.total_seconds())
    if expires is None:
        expires = DEFAULT_URL_SECONDS if left is None else max(1, min(DEFAULT_URL_SECONDS, left))
    elif left is not None and expires > left:
        console.err('stsboto: note: the token expires in %s; the URL stops working then, not in %s'
                    % (format_duration(left), format_duration(expires)))
    console.out(conn.generate_url(expires, args.method, bucket_name, key))
    return EXIT_OK
