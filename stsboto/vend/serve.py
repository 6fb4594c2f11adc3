"""Running the vend application: on gunicorn (the ``[vend]`` extra) or on wsgiref.

Usage::

    from stsboto.vend.serve import serve
    serve('vend.ini', host='0.0.0.0', port=8443, certfile='cert.pem', keyfile='key.pem')

gunicorn is the server of the ``[vend]`` extra: a maintained production WSGI
server that terminates TLS itself (``--certfile`` / ``--keyfile``), and whose
releases from 23.0.0 on carry the fixes for the request-smuggling reports
CVE-2024-1135 (22.0.0) and CVE-2024-6827 (23.0.0).  It installs on Python 3.7+
(POSIX).  Where it is not installed, the standard library's ``wsgiref`` serves
instead, in threads, with a warning: it is no production server.

Both stop cleanly on Ctrl-C and SIGTERM, and reload the configuration file on
SIGHUP (a bad file is refused with an error in the log and the running
configuration kept).  gunicorn reloads by starting new workers with the new
configuration and letting the old ones finish their requests; each worker has
its own credential cache, so a reload costs one STS call per caller per worker.
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import logging
import signal
import socket
import ssl
import sys
import threading
import time

from stsboto.exceptions import InvalidParameterError
from stsboto.vend.app import VendApp
from stsboto.vend.config import load_config

__all__ = ['serve', 'gunicorn_available', 'ready_lines', 'READY_LINE', 'SERVERS', 'WSGIREF_WARNING']

log = logging.getLogger('stsboto.vend')

READY_LINE = '# ready; Ctrl-C stops the server'
WSGIREF_WARNING = ('no production WSGI server is installed (pip install "stsboto[vend]" adds '
                   'gunicorn, Python 3.7+): serving on wsgiref, the standard library\'s '
                   'reference server, which is not meant for production')


def gunicorn_available():
    try:
        import gunicorn.app.base  # noqa: F401
    except ImportError:
        return False
    return True


def ready_lines(scheme, host, port):
    """What a client on this host exports to read from the service (its secret aside)."""
    shown = '[%s]' % host if ':' in host else host
    if host in ('0.0.0.0', '::', ''):
        shown = '127.0.0.1'
    return ['export AWS_CONTAINER_CREDENTIALS_FULL_URI=%s://%s:%d/' % (scheme, shown, port),
            READY_LINE]


#: The servers :func:`serve` runs on.
SERVERS = ('auto', 'gunicorn', 'wsgiref')


def serve(config_path, host='127.0.0.1', port=8900, certfile=None, keyfile=None, server='auto',
          workers=1, threads=16, out=None, err=None, config=None):
    """Serve until Ctrl-C or SIGTERM; returns the exit status (0).

    :param str server: ``auto`` (gunicorn if installed, else wsgiref),
        ``gunicorn`` or ``wsgiref``; anything else is an InvalidParameterError
        (``field`` ``server``), raised before the configuration is read.
    :param out: ``out(line)`` prints a ready line (default: to stdout, flushed);
        ``err(line)`` prints the warning (default: to stderr).
    :param config: the already loaded configuration of ``config_path``.
    """
    if server not in SERVERS:
        raise InvalidParameterError('server must be one of %s, got %r'
                                    % (', '.join(SERVERS), server), 'server')
    out = out or (lambda line: _print(sys.stdout, line))
    err = err or (lambda line: _print(sys.stderr, line))
    if config is None:
        config = load_config(config_path)
    if server == 'auto':
        server = 'gunicorn' if gunicorn_available() else 'wsgiref'
    if server == 'gunicorn':
        return _serve_gunicorn(config_path, config, host, port, certfile, keyfile, workers,
                               threads, out)
    err('stsboto vend: warning: %s' % WSGIREF_WARNING)
    return _serve_wsgiref(config_path, config, host, port, certfile, keyfile, out)


def _print(stream, line):
    stream.write(line + '\n')
    stream.flush()


def _reload(app, path):
    config = _reload_config(path)
    if config is not None:
        app.reload(config)
    return config


# -- gunicorn ----------------------------------------------------------------------


def _serve_gunicorn(path, config, host, port, certfile, keyfile, workers, threads, out):
    from gunicorn.app.base import BaseApplication

    scheme = 'https' if certfile else 'http'

    class VendApplication(BaseApplication):
        """gunicorn's custom-application interface; SIGHUP calls :meth:`reload` in the
        arbiter, and the new workers it then forks serve what was loaded."""

        def __init__(self):
            self.vend_config = config
            super(VendApplication, self).__init__()

        def load_config(self):
            settings = {'bind': '%s:%d' % ('[%s]' % host if ':' in host else host, port),
                        'workers': workers, 'threads': threads, 'worker_class': 'gthread',
                        'certfile': certfile, 'keyfile': keyfile, 'when_ready': when_ready,
                        'graceful_timeout': 10, 'proc_name': 'stsboto-vend'}
            for name, value in settings.items():
                if value is not None:
                    self.cfg.set(name, value)

        def reload(self):
            loaded = _reload_config(path)
            if loaded is not None:
                self.vend_config = loaded
            super(VendApplication, self).reload()

        def load(self):
            return VendApp(self.vend_config)

    def when_ready(arbiter):
        bound = arbiter.LISTENERS[0].sock.getsockname()
        for line in ready_lines(scheme, host, bound[1]):
            out(line)

    try:
        VendApplication().run()
    except SystemExit as stop:  # gunicorn's arbiter ends with sys.exit()
        return stop.code if isinstance(stop.code, int) else 0
    return 0


def _reload_config(path):
    try:
        config = load_config(path)
    except Exception as error:  # noqa: B902  (a bad file must not stop the service)
        log.error('SIGHUP: the configuration was NOT reloaded, the running one is kept: %s', error)
        return None
    log.info('configuration reloaded: %d callers', len(config.callers))
    return config


# -- wsgiref -----------------------------------------------------------------------


def _wsgiref_server(app, host, port, context):
    from wsgiref import simple_server
    from six.moves import socketserver

    class Handler(simple_server.WSGIRequestHandler):
        def get_environ(self):
            environ = simple_server.WSGIRequestHandler.get_environ(self)
            if context is not None:
                environ['HTTPS'] = 'on'  # wsgiref's guess_scheme reads it
            return environ

        def log_message(self, format, *args):  # the audit log says what matters
            log.debug('%s %s', self.address_string(), format % args)

    class Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
        daemon_threads = True
        address_family = socket.AF_INET6 if ':' in host else socket.AF_INET

        def finish_request(self, request, client_address):
            if context is not None:
                # the handshake in the request's thread: a slow client does not hold accept()
                request.settimeout(10)
                try:
                    request = context.wrap_socket(request, server_side=True)
                except (ssl.SSLError, socket.error, OSError) as error:
                    log.debug('TLS handshake with %s failed: %s', client_address[0], error)
                    return
            simple_server.WSGIServer.finish_request(self, request, client_address)

    server = Server((host, port), Handler)
    server.set_app(app)
    return server


def _serve_wsgiref(path, config, host, port, certfile, keyfile, out):
    context = None
    if certfile:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER) if hasattr(ssl, 'PROTOCOL_TLS_SERVER') \
            else ssl.SSLContext(ssl.PROTOCOL_SSLv23)
        context.load_cert_chain(certfile, keyfile)
    app = VendApp(config)
    server = _wsgiref_server(app, host, port, context)
    hangups = []
    previous = None
    if hasattr(signal, 'SIGHUP'):
        try:
            previous = signal.signal(signal.SIGHUP, lambda signum, frame: hangups.append(signum))
        except ValueError:  # not the main thread
            previous = None
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.2})
    thread.daemon = True
    thread.start()
    try:
        for line in ready_lines('https' if context else 'http', host, server.server_address[1]):
            out(line)
        while thread.is_alive():
            time.sleep(0.1)
            while hangups:
                hangups.pop()
                _reload(app, path)
    finally:  # Ctrl-C or SIGTERM (a KeyboardInterrupt from the command line's handler)
        server.shutdown()
        server.server_close()
        if previous is not None:
            signal.signal(signal.SIGHUP, previous)
    return 0
