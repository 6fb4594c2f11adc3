"""A throw-away HTTP server on 127.0.0.1 for tests that need real sockets."""
from __future__ import absolute_import

import contextlib
import socket
import threading

try:
    from http.server import BaseHTTPRequestHandler, HTTPServer
except ImportError:  # Python 2
    from BaseHTTPServer import BaseHTTPRequestHandler, HTTPServer

__all__ = ['BaseHTTPRequestHandler', 'serving', 'free_port']


@contextlib.contextmanager
def serving(handler_class, server_class=HTTPServer, **attributes):
    """Serve ``handler_class`` on a free port in a thread; stop it afterwards.

    Usage: ``with serving(MyHandler, seen=[]) as server: ... server.server_port``
    """
    server = server_class(('127.0.0.1', 0), handler_class)
    for name, value in attributes.items():
        setattr(server, name, value)
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def free_port():
    """A loopback port nothing listens on now (a connection to it is refused)."""
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    return port
