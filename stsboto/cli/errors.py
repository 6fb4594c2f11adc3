"""How a command ends: exit statuses, and the one line said about an error.

Usage::

    try:
        status = command.run(args)
    except (Exception, KeyboardInterrupt) as error:
        console.err(error_line(error, console.secrets, options))
        status = exit_status(error)

Exit statuses (also in ``stsboto --help``): 0 ok; 1 AWS refused or the
network failed; 2 usage error or bad input; 3 the token has expired;
130 interrupted (Ctrl-C); 141 the output was closed (``stsboto ls | head``:
the status a Unix tool killed by SIGPIPE has, and nothing is said);
143 stopped by SIGTERM (a multipart upload is aborted first, as for Ctrl-C).
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import errno
import re
import socket
import ssl

import six

from stsboto.cli.console import printable

__all__ = ['CommandError', 'UsageError', 'Terminated', 'exit_status', 'describe_error',
           'error_line', 'broken_pipe', 'EXIT_OK', 'EXIT_ERROR', 'EXIT_USAGE', 'EXIT_EXPIRED',
           'EXIT_INTERRUPTED', 'EXIT_BROKEN_PIPE', 'EXIT_TERMINATED', 'EXIT_UNAVAILABLE',
           'EXIT_STATUS_HELP']

EXIT_OK = 0
#: AWS refused, or the endpoint could not be reached.
EXIT_ERROR = 1
#: Bad command line or bad input (argparse's own status for usage errors).
EXIT_USAGE = 2
#: The token has expired.
EXIT_EXPIRED = 3
#: Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130
#: The reader of our output went away (128 + SIGPIPE, what ``yes | head`` leaves).
EXIT_BROKEN_PIPE = 141
#: SIGTERM (128 + SIGTERM).
EXIT_TERMINATED = 143
#: Exit status when something the command needs is not installed.
EXIT_UNAVAILABLE = 2

EXIT_STATUS_HELP = ('Exit status: 0 ok, 1 AWS or network error, 2 usage error or bad input, '
                    '3 expired token, 130 interrupted (Ctrl-C), 141 output closed (broken pipe), '
                    '143 stopped by SIGTERM. An interrupted or stopped upload is aborted first.')


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


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: raised in the main thread, so that everything that
    cleans up after Ctrl-C (aborting a multipart upload) runs for it too."""


def _causes(error):
    """``error`` and the errors behind it (stsboto's ``.cause``, Python 3's ``__cause__``)."""
    seen = []
    while error is not None and not any(error is e for e in seen):
        seen.append(error)
        error = getattr(error, 'cause', None) or getattr(error, '__cause__', None)
    return seen


def broken_pipe(error):
    """The error is (or comes from) writing to a closed pipe."""
    return any(isinstance(e, EnvironmentError) and e.errno == errno.EPIPE for e in _causes(error))


def exit_status(error):
    """The exit status for an exception that ended a command.

    3 when a :class:`stsboto.TokenExpiredError` is the error or behind it;
    143 for SIGTERM, 130 for Ctrl-C; 141 for a closed output pipe; 2 for
    usage errors, bad input (``ValueError``, which every stsboto input error
    also is) and missing credentials; else 1 (AWS refused, the network
    failed, anything unexpected).
    """
    from stsboto.exceptions import MissingCredentialsError, TokenExpiredError
    causes = _causes(error)
    if any(isinstance(e, TokenExpiredError) for e in causes):
        return EXIT_EXPIRED
    if any(isinstance(e, Terminated) for e in causes):
        return EXIT_TERMINATED
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if broken_pipe(error):
        return EXIT_BROKEN_PIPE
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


# What a socket says when the endpoint cannot be reached (on Python 3 every
# OSError is a socket.error, so the type alone does not tell).
_NETWORK_ERRNOS = frozenset(getattr(errno, name) for name in (
    'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
    'ENETDOWN', 'EHOSTDOWN', 'EADDRNOTAVAIL') if hasattr(errno, name))


def _network_error(error):
    if isinstance(error, (socket.gaierror, socket.herror, ssl.SSLError)):
        return True
    return isinstance(error, EnvironmentError) and error.errno in _NETWORK_ERRNOS


def describe_error(error, secrets=()):
    """What went wrong, in the command line's words (one line once white space is folded).

    The description of a boto or network error is
    :func:`stsboto.logfilter.describe_boto_error`'s; this adds what it means
    for someone at a shell (``AWS refused the request``, ``could not reach
    the endpoint``).
    """
    from stsboto._boto import boto
    from stsboto.exceptions import StsbotoError
    from stsboto.logfilter import describe_boto_error
    if isinstance(error, boto.exception.BotoServerError):
        return 'AWS refused the request: %s' % describe_boto_error(error, secrets)
    if isinstance(error, (CommandError, StsbotoError)):
        return _text(error)
    if isinstance(error, KeyboardInterrupt):
        terminated = any(isinstance(e, Terminated) for e in _causes(error))
        what = 'stopped by SIGTERM' if terminated else 'interrupted'
        return what + (': %s' % _text(error) if _text(error) else '')
    if isinstance(error, socket.timeout):
        return 'the endpoint did not answer in time (%s)' % _text(error)
    if _network_error(error):
        return 'could not reach the endpoint: %s' % describe_boto_error(error, secrets)
    if isinstance(error, (EnvironmentError, boto.exception.BotoClientError, ValueError)):
        return _text(error)
    return 'unexpected error: %s' % describe_boto_error(error, secrets)


def in_option_names(error, text, options):
    """``text`` with the library's parameter name replaced by the command's option.

    stsboto's input errors name the Python parameter (``duration must be
    ...``, field ``duration``); on a command line the reader typed
    ``--duration``.  ``options`` maps parameter names to option strings.
    """
    field = getattr(error, 'field', None)
    option = options.get(field) if field else None
    if not option:
        return text
    return re.sub(r'(?<![\w-])%s(?![\w-])' % re.escape(field), option, text, count=1)


def _cli_words():
    # The library's advice names Python parameters; at a shell, say the command's.
    from stsboto.exceptions import GET_ANOTHER_TOKEN
    return ((GET_ANOTHER_TOKEN, 'get a new token (`stsboto issue`, or the service that issued it) '
                                'and run the command again'),
            ('pass policy= for anything else', 'pass --policy for anything else'))


def error_line(error, secrets=(), options=None):
    """The one line printed for ``error``: ``stsboto: ...``, secrets masked,
    control characters escaped, white space folded."""
    from stsboto.logfilter import mask_secrets
    text = describe_error(error, secrets)
    if options:
        text = in_option_names(error, text, options)
    for library, command in _cli_words():
        text = text.replace(library, command)
    # ONE line, and no secret even if a message from below carried one
    return printable(' '.join(mask_secrets('stsboto: %s' % text, secrets).split()))
