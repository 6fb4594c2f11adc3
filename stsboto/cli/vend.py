"""``stsboto vend``: serve scoped credentials to clients (see :mod:`stsboto.vend`).

Usage::

    stsboto vend add-caller mobile-app --config vend.ini     # prints the new secret once
    stsboto vend --config vend.ini --host 0.0.0.0 --port 8443 --certfile cert.pem --keyfile key.pem
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import logging
import re

from stsboto.cli.errors import EXIT_OK, UsageError

__all__ = ['add_vend_arguments', 'run_vend', 'DEFAULT_PORT']

DEFAULT_PORT = 8900


def add_vend_arguments(parser):
    parser.add_argument('words', nargs='*', metavar='add-caller NAME',
                        help='add a caller to the configuration: makes a secret, prints it once, '
                             'and stores its SHA-256 in [caller NAME]')
    parser.add_argument('--config', metavar='FILE', required=True,
                        help='the configuration file ([vend] and [caller NAME] sections)')
    parser.add_argument('--host', default='127.0.0.1',
                        help='the address to listen on (default 127.0.0.1; 0.0.0.0 for every '
                             'interface: then use --certfile, clients elsewhere need https)')
    parser.add_argument('--port', type=int, default=DEFAULT_PORT, metavar='N',
                        help='the port (default %d; 0 for a free one, which the export line '
                             'says)' % DEFAULT_PORT)
    parser.add_argument('--certfile', metavar='FILE', default=None,
                        help='serve https with this certificate (PEM, chain included)')
    parser.add_argument('--keyfile', metavar='FILE', default=None,
                        help='the private key of --certfile (PEM)')
    parser.add_argument('--server', choices=('auto', 'gunicorn', 'wsgiref'), default='auto',
                        help='the WSGI server (default: gunicorn when installed, else wsgiref '
                             'with a warning)')
    parser.add_argument('--workers', type=int, default=1, metavar='N',
                        help='gunicorn worker processes (default 1; each keeps its own cache, '
                             'so each makes its own STS calls)')
    parser.add_argument('--threads', type=int, default=16, metavar='N',
                        help='threads per gunicorn worker (default 16)')


def run_vend(args):
    words = list(args.words)
    if words and words[0] == 'add-caller':
        if len(words) != 2:
            raise UsageError('vend add-caller takes one NAME: stsboto vend add-caller NAME '
                             '--config FILE')
        return _add_caller(args, words[1])
    if words:
        raise UsageError('vend: unknown action %s (the one action is add-caller NAME)' % words[0])
    return _serve(args)


def _add_caller(args, name):
    from stsboto.vend.config import add_caller, new_secret
    if not re.match(r'^[\w+=,.@-]{2,64}\Z', name):
        raise UsageError('vend add-caller: NAME must be 2-64 characters of letters, digits and '
                         '+=,.@_- (it is the session name STS records)')
    secret = new_secret()
    add_caller(args.config, name, secret)
    args.console.out(secret)
    args.console.err('stsboto vend: added a secret for caller %s to %s (its SHA-256 only). The '
                     'secret above is shown this once: give it to the client as '
                     'AWS_CONTAINER_AUTHORIZATION_TOKEN. A running service reads it on SIGHUP.'
                     % (name, args.config))
    return EXIT_OK


def _serve(args):
    from stsboto.credentials import find_token
    from stsboto.logfilter import install_log_filter
    from stsboto.vend.config import check_issuer, load_config
    from stsboto.vend.serve import serve
    console = args.console
    if (args.certfile is None) != (args.keyfile is None):
        raise UsageError('vend: --certfile and --keyfile go together')
    if not 0 <= args.port < 65536:
        raise UsageError('vend: --port must be 0-65535')
    if args.workers < 1 or args.threads < 1:
        raise UsageError('vend: --workers and --threads must be 1 or more')
    config = load_config(args.config)
    issuer = find_token(environ=console.environ)
    check_issuer(config, issuer)
    if issuer is not None:
        console.remember(issuer)
    handler = logging.StreamHandler(console.stderr)
    handler.setFormatter(logging.Formatter('%(asctime)s %(name)s %(levelname)s: %(message)s'))
    install_log_filter(handler)
    logger = logging.getLogger('stsboto.vend')
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    console.err('stsboto vend: %d caller%s, mode %s, on %s://%s:%s'
                % (len(config.callers), '' if len(config.callers) == 1 else 's', config.mode,
                   'https' if args.certfile else 'http', args.host, args.port))
    try:
        serve(args.config, host=args.host, port=args.port, certfile=args.certfile,
              keyfile=args.keyfile, server=args.server, workers=args.workers,
              threads=args.threads, out=console.out, err=console.err, config=config)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (see stsboto.cli._run)
        pass
    finally:
        logger.removeHandler(handler)
    console.err('stsboto vend: stopped')
    return EXIT_OK
