"""The ``stsboto`` command line (also ``python -m stsboto``).

Usage::

    stsboto demo                 # the whole story against a local AWS endpoint

One function per subcommand (``cmd_NAME(args)``, returning the exit status)
and one entry per subcommand in ``SUBCOMMANDS``; ``main`` does the rest.
"""
from __future__ import absolute_import, print_function, unicode_literals

import argparse
import sys

__all__ = ['main', 'build_parser', 'SUBCOMMANDS']

#: Exit status when something the command needs is not installed.
EXIT_UNAVAILABLE = 2


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
    ('demo', 'run the whole story (issue a scoped token, upload with it, see what is refused) '
             'against a local AWS endpoint (moto)', _add_demo_arguments, cmd_demo),
)


def build_parser():
    from stsboto import __version__
    parser = argparse.ArgumentParser(
        prog='stsboto', description='AWS STS temporary credentials for boto 2.')
    parser.add_argument('--version', action='version', version='stsboto %s' % __version__)
    commands = parser.add_subparsers(dest='command', metavar='COMMAND')
    for name, summary, add_arguments, run in SUBCOMMANDS:
        sub = commands.add_parser(name, help=summary, description=summary)
        add_arguments(sub)
        sub.set_defaults(run=run)
    return parser


def main(argv=None):
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, 'run', None)
    if run is None:  # no subcommand (Python 3 argparse does not require one)
        parser.print_help(sys.stderr)
        return EXIT_UNAVAILABLE
    return run(args)


if __name__ == '__main__':  # pragma: no cover
    sys.exit(main())
