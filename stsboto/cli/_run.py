"""Running one command: its parser, --debug, --retries, signals, and how it ends.

Usage: ``status = run_command(argv)`` (what :func:`stsboto.cli.main` does).
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import errno
import logging
import os
import signal
import sys
import traceback

from stsboto._compat import PY2
from stsboto.cli.console import Console, write
from stsboto.cli.errors import (EXIT_UNAVAILABLE, Terminated, UsageError, broken_pipe,
                                error_line, exit_status)

__all__ = ['run_command']


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
    """``--retries N``: every request of the command gets N + 1 attempts, whatever
    the settings say (:class:`stsboto.transport.attempts_override`); without it,
    the transport's settings decide (:func:`stsboto.transport.policy`)."""

    def __init__(self, retries):
        self.retries = retries
        self.override = None

    def __enter__(self):
        if self.retries is not None and self.retries < 0:
            raise UsageError('--retries must be 0 or more')
        from stsboto import transport
        self.override = transport.attempts_override(
            None if self.retries is None else self.retries + 1)
        self.override.__enter__()
        return self

    def __exit__(self, *exc_info):
        if self.override is not None:
            self.override.__exit__(*exc_info)
        return False


class _SigtermAsInterrupt(object):
    """SIGTERM raises :class:`Terminated` (a ``KeyboardInterrupt``) in the main thread.

    So ``kill PID`` during ``stsboto put`` aborts the multipart upload as Ctrl-C
    does (stsboto.transfer cleans up on KeyboardInterrupt), instead of ending
    the process with the upload left open on the server, and the exit status
    is 143.  Only the main thread may set a handler: elsewhere (a command run
    from a thread) nothing changes.
    """

    def __enter__(self):
        self.previous = None
        try:
            self.previous = signal.signal(signal.SIGTERM, self._raise)
        except (ValueError, AttributeError):  # not the main thread; no SIGTERM (Windows)
            pass
        return self

    @staticmethod
    def _raise(signum, frame):
        raise Terminated()

    def __exit__(self, *exc_info):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        return False


def _report(console, error, debug, option_names):
    from stsboto.logfilter import mask_secrets
    if debug:
        text = ''.join(traceback.format_exception(type(error), error, sys.exc_info()[2]))
        write(console.stderr, mask_secrets(text, console.secrets))
    if broken_pipe(error):
        return  # whoever read our output went away; as Unix tools do, say nothing
    try:
        console.err(error_line(error, console.secrets, option_names))
    except EnvironmentError as failure:  # stderr is gone too
        if failure.errno != errno.EPIPE:
            raise


def _execute(args, console):
    args.console = console
    debug = _DebugLog(console) if getattr(args, 'debug', False) else None
    try:
        with _SigtermAsInterrupt():
            with _Retries(getattr(args, 'retries', None)):
                return args.command.run(args)
    except (Exception, KeyboardInterrupt) as error:
        _report(console, error, debug is not None, args.option_names)
        return exit_status(error)
    finally:
        if debug is not None:
            debug.close()


def _decode_argv(argv):
    """Python 2 hands over bytes; the commands work on text."""
    if not PY2:
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


def run_command(argv=None, stdin=None, stdout=None, stderr=None, environ=None, now=None):
    """:func:`stsboto.cli.main`, once its own imports are done."""
    from stsboto.cli.commands import build_parser
    parser = build_parser()
    argv = _decode_argv(sys.argv[1:] if argv is None else list(argv))
    try:
        args, unknown = parser.parse_known_args(argv)
        if unknown:
            # argparse leaves a command's mistyped option to the top-level parser, whose
            # usage line is not the one that helps: the command's own says it
            (getattr(args, 'subparser', None) or parser).error(
                'unrecognized arguments: %s' % ' '.join(unknown))
    except SystemExit as exit:  # --help, --version, usage errors
        return exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    if getattr(args, 'command', None) is None:  # no subcommand (Python 3 argparse allows it)
        parser.print_help(sys.stderr)
        return EXIT_UNAVAILABLE
    console = Console(stdin, stdout, stderr, environ, now)
    status = _execute(args, console)
    if stdout is None:
        status = _flush_stdout(status)
    return status


def _flush_stdout(status):
    """Flush now, so that a closed pipe (``stsboto get b/k - | head``) is not an
    error again when Python exits; the status becomes the broken pipe's."""
    from stsboto.cli.errors import EXIT_BROKEN_PIPE
    try:
        sys.stdout.flush()
    except EnvironmentError as error:
        if error.errno != errno.EPIPE:
            raise
        status = EXIT_BROKEN_PIPE
    except ValueError:  # closed
        return status
    if status == EXIT_BROKEN_PIPE:
        # Python flushes stdout once more at exit: give it somewhere to go
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (AttributeError, EnvironmentError, ValueError):
            pass
    return status
