"""The ``stsboto`` command line (also ``python -m stsboto``).

Usage::

    stsboto issue --bucket photos --prefix user-42/ --output token.json   # the issuer
    stsboto put cat.jpg photos/user-42/cat.jpg --token token.json         # the client
    stsboto get photos/user-42/cat.jpg copy.jpg --token token.json
    stsboto ls photos/user-42/ --token token.json
    stsboto url photos/user-42/cat.jpg --expires 600 --token token.json
    stsboto whoami --token token.json
    eval "$(stsboto env --token token.json)"
    stsboto server --bucket photos  # a local AWS endpoint for trying it all
    stsboto demo                    # the whole story against a local AWS endpoint
    stsboto doctor sqs              # what boto 2 programs here get, and what is wrong

The package, by concern: ``commands`` (the table of subcommands and the
parser), ``tokens`` / ``objects`` / ``server`` / ``vend`` / ``doctor`` (the subcommands), ``options``
(what they share: option values, finding the token, connecting), ``output``
(what they print), ``console`` (streams, escaping, the progress bar),
``errors`` (exit statuses and the one line said about an error).  ``main``
here runs one command: every error becomes one line on stderr (``stsboto:
...``, every secret it knows masked) and an exit status (see
:mod:`stsboto.cli.errors`).
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import sys

__all__ = ['main']


def main(argv=None, stdin=None, stdout=None, stderr=None, environ=None, now=None):
    """Run the command line; return the exit status.

    :param list argv: the arguments (default: ``sys.argv[1:]``).
    :param stdin: streams to use instead of ``sys.stdin``, ``sys.stdout``,
        ``sys.stderr`` (argparse's own messages still go to ``sys``'s).
    :param environ: a mapping to read instead of ``os.environ``.
    :param now: a callable returning the current time (aware datetime).
    """
    try:
        from stsboto.cli import _run
        return _run.run_command(argv, stdin, stdout, stderr, environ, now)
    except KeyboardInterrupt:
        # Ctrl-C while the command line was still being read (imports, argparse):
        # nothing had started, so there is nothing to say but that.
        stream = sys.stderr if stderr is None else stderr
        try:
            stream.write('stsboto: interrupted\n')  # ASCII: any stream takes it
            stream.flush()
        except (IOError, OSError, ValueError):
            pass
        return 130


if __name__ == '__main__':  # pragma: no cover
    sys.exit(main())
