"""Every subcommand, in one table, and the argument parser built from it.

Usage: ``args = build_parser().parse_args(argv); args.command.run(args)``

A row says what a command is called, its one-line help, whether it reads a
token (then it gets ``--token`` and ``--profile``), whether it talks to AWS
(then it gets ``--region``, ``--endpoint-url`` and ``--retries``; every
command has ``--debug``), the function adding its own arguments and the
function running it (``run(args)`` -> exit status).
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import argparse
import collections

from stsboto.cli import doctor, objects, options, server, tokens, vend
from stsboto.cli.errors import EXIT_STATUS_HELP

__all__ = ['Command', 'COMMANDS', 'build_parser', 'option_names']

Command = collections.namedtuple('Command', 'name help needs_token remote arguments run')


def no_arguments(parser):
    """For a command with no arguments of its own (the common ones only)."""


COMMANDS = (
    Command('issue', 'issue a scoped token (STS GetFederationToken) with your own credentials; '
                     'prints credential_process JSON', False, True,
            tokens.add_issue_arguments, tokens.run_issue),
    Command('env', 'print shell export lines for a token: eval "$(stsboto env --token FILE)"',
            True, True, no_arguments, tokens.run_env),
    Command('put', 'upload a file with a token: stsboto put LOCAL BUCKET/KEY', True, True,
            objects.add_put_arguments, objects.run_put),
    Command('get', 'download an object with a token: stsboto get BUCKET/KEY LOCAL', True, True,
            objects.add_get_arguments, objects.run_get),
    Command('ls', 'list keys with a token (needs s3:ListBucket)', True, True,
            objects.add_ls_arguments, objects.run_ls),
    Command('url', 'print a presigned URL made with a token', True, True,
            objects.add_url_arguments, objects.run_url),
    Command('whoami', 'show a token\'s ARN, access key and expiry (never its secrets)', True, True,
            no_arguments, tokens.run_whoami),
    Command('server', 'run a local AWS endpoint (moto) until Ctrl-C, with a bucket and an '
                      'issuer\'s keys; prints the export lines to use it', False, False,
            server.add_server_arguments, server.run_server),
    Command('demo', 'run the whole story (issue a scoped token, upload with it, see what is '
                    'refused) against a local AWS endpoint (moto)', False, False,
            server.add_demo_arguments, server.run_demo),
    Command('vend', 'serve scoped credentials to clients over the container-credentials '
                    'protocol every AWS SDK reads (vend add-caller NAME adds a client)',
            False, False, vend.add_vend_arguments, vend.run_vend),
    Command('doctor', 'say what a boto 2 program here will get (versions, patch, credentials, '
                      'region, endpoints, CA bundle, proxy, clock) and what is wrong, with fixes',
            False, False, doctor.add_doctor_arguments, doctor.run_doctor),
)

# Library parameter names whose option on the command line has another name.
_PARAMETER_ALIASES = {'expires_in': 'expires', 'executable': 'moto_server',
                      'region_name': 'region'}


def option_names(parser):
    """``{parameter: '--option'}`` for the options of ``parser``, and the library's
    parameter names that mean the same (``expires_in``: ``--expires``)."""
    names = {}
    for action in parser._actions:  # argparse keeps no public list of them
        longest = max(action.option_strings, key=len) if action.option_strings else None
        if longest:
            names[action.dest] = longest
    for parameter, dest in _PARAMETER_ALIASES.items():
        if dest in names:
            names[parameter] = names[dest]
    return names


def _debug_argument(parser):
    parser.add_argument('--debug', action='store_true', default=argparse.SUPPRESS,
                        help='log what happens (secrets masked) and show tracebacks')


def build_parser():
    """The ``stsboto`` argument parser: one subparser per row of :data:`COMMANDS`."""
    from stsboto import __version__
    parser = argparse.ArgumentParser(
        prog='stsboto', description='AWS STS temporary credentials for boto 2.',
        epilog=EXIT_STATUS_HELP)
    parser.add_argument('--version', action='version', version='stsboto %s' % __version__)
    options.add_common_arguments(parser, suppress=False)
    subparsers = parser.add_subparsers(dest='command_name', metavar='COMMAND')
    for command in COMMANDS:
        sub = subparsers.add_parser(command.name, help=command.help, description=command.help,
                                    epilog=EXIT_STATUS_HELP)
        command.arguments(sub)
        if command.needs_token:
            options.add_token_arguments(sub)
        if command.remote:
            options.add_common_arguments(sub, suppress=True)
        else:
            _debug_argument(sub)
        sub.set_defaults(command=command, option_names=option_names(sub), subparser=sub)
    return parser
