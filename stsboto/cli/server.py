"""The commands that run a local AWS endpoint: ``server`` and ``demo``.

Usage::

    stsboto server --bucket photos        # prints export lines; Ctrl-C stops it
    stsboto demo                          # the whole story, then stops

Both need moto's server (Python 3.9+; :data:`stsboto.local.INSTALL_HINT` says how
to get it on the running Python), found as :func:`stsboto.local.find_server_command`
says, or named by --moto-server; both say which one they run, and its version.
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import os
import time

from six.moves import shlex_quote

from stsboto.cli.errors import EXIT_OK, EXIT_UNAVAILABLE, CommandError

__all__ = ['add_server_arguments', 'run_server', 'add_demo_arguments', 'run_demo',
           'ISSUER_USER']

#: The IAM user ``stsboto server`` creates; its keys are the ones exported.
ISSUER_USER = 'stsboto-issuer'
#: Printed last, once the server is ready (a comment to a shell that reads the lines).
READY_LINE = '# ready; Ctrl-C stops the server'
# What the export lines clear: a session token or a profile of the reader's
# own would otherwise be mixed with the local keys.
_CLEARED = ('AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_CREDENTIAL_EXPIRATION',
            'AWS_PROFILE', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_STS')


def _add_moto_argument(parser):
    parser.add_argument('--moto-server', metavar='PATH', default=None,
                        help='the moto_server executable to run (default: $STSBOTO_MOTO_SERVER, '
                             'moto_server next to this Python or on PATH, or python -m moto.server)')


def _find_moto(args):
    """The moto command, or a CommandError (exit 2) that says how to get one."""
    from stsboto import local
    from stsboto.exceptions import StsbotoError
    given = args.moto_server
    if given is not None and not (os.path.isfile(given) and os.access(given, os.X_OK)):
        raise CommandError('%s: --moto-server names %s, which is not an executable file; %s'
                           % (args.command.name, given, local.INSTALL_HINT), EXIT_UNAVAILABLE)
    try:
        command = local.find_server_command(args.moto_server, environ=args.console.environ)
    except StsbotoError as error:
        raise CommandError('%s: %s' % (args.command.name, error), EXIT_UNAVAILABLE)
    if command is None:
        raise CommandError('%s: %s' % (args.command.name, local.INSTALL_HINT), EXIT_UNAVAILABLE)
    args.console.err('stsboto %s: moto server %s' % (args.command.name,
                                                     local.describe_server_command(command)))
    return command


def _start(args, server):
    from stsboto.exceptions import StsbotoError
    try:
        server.start()
    except StsbotoError as error:
        raise CommandError('%s: %s' % (args.command.name, error), EXIT_UNAVAILABLE)


def add_server_arguments(parser):
    parser.add_argument('--port', type=int, default=None, metavar='N',
                        help='the port on 127.0.0.1 (default: a free one; the export lines '
                             'say which)')
    parser.add_argument('--bucket', action='append', default=[], metavar='NAME',
                        help='create this bucket (repeat for more); the issuer may grant on it')
    _add_moto_argument(parser)


def server_lines(endpoint_url, key, secret, region='us-east-1'):
    """The shell lines that point AWS tools and stsboto at the local server as the issuer."""
    values = [('AWS_ENDPOINT_URL', endpoint_url), ('AWS_ACCESS_KEY_ID', key),
              ('AWS_SECRET_ACCESS_KEY', secret), ('AWS_DEFAULT_REGION', region)]
    lines = ['export %s=%s' % (name, shlex_quote(value)) for name, value in values]
    lines.extend('unset %s' % name for name in _CLEARED)
    return lines


def run_server(args):
    """Start moto on 127.0.0.1, create the buckets and an issuing user, print how to
    use them, and serve until Ctrl-C or SIGTERM (exit status 0 then)."""
    from stsboto.local import LocalServer
    from stsboto.local.admin import create_buckets, create_issuer
    from stsboto.policy import validate_bucket_name
    console = args.console
    for bucket in args.bucket:
        validate_bucket_name(bucket, 'bucket')
    if args.port is not None and not 0 < args.port < 65536:
        raise CommandError('--port must be 1-65535', 2)
    _find_moto(args)
    server = LocalServer(executable=args.moto_server, port=args.port)
    try:
        _start(args, server)
        create_buckets(server.endpoint_url, args.bucket)
        key, secret = create_issuer(server.endpoint_url, ISSUER_USER, args.bucket)
        console.err('stsboto server: moto at %s%s; IAM user %s may issue tokens%s. These keys '
                    'work only on this local server.'
                    % (server.endpoint_url,
                       ' with bucket%s %s' % ('s' if len(args.bucket) > 1 else '',
                                              ', '.join(args.bucket)) if args.bucket else '',
                       ISSUER_USER, ' for them' if args.bucket else ''))
        console.out('# stsboto server at %s: paste these lines into your shell' % server.endpoint_url)
        for line in server_lines(server.endpoint_url, key, secret):
            console.out(line)
        console.out(READY_LINE)
        while server.running:
            time.sleep(0.2)
        raise CommandError('server: the moto server exited by itself: %s'
                           % (server.log_tail(300) or 'no output'))
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (see stsboto.cli.main): the way to stop
        console.err('stsboto server: stopped')
        return EXIT_OK
    finally:
        server.stop()


def add_demo_arguments(parser):
    _add_moto_argument(parser)


def run_demo(args):
    """Issue a scoped token and use it against a local moto server, printing each step."""
    _find_moto(args)
    from stsboto.local.demo import run_demo as demo
    from stsboto.exceptions import StsbotoError
    try:
        result = demo(out=args.console.stdout, executable=args.moto_server)
    except StsbotoError as error:  # the server did not start
        raise CommandError('demo: %s' % error, EXIT_UNAVAILABLE)
    return result.exit_code
