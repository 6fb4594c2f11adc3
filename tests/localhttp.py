"""A throw-away HTTP server on 127.0.0.1 for tests that need real sockets.

Usage::

    with scripted([(500, 'busy'), (200, 'hello')]) as server:   # one answer per request
        ...  # connect to 127.0.0.1:server.server_port
    method, path, headers, body = server.seen[0]

    with serving(MyHandler, seen=[]) as server: ...            # a handler of your own
"""
from __future__ import absolute_import

import collections
import contextlib
import hashlib
import socket
import threading

try:
    from http.server import BaseHTTPRequestHandler, HTTPServer
except ImportError:  # Python 2
    from BaseHTTPServer import BaseHTTPRequestHandler, HTTPServer

__all__ = ['BaseHTTPRequestHandler', 'serving', 'scripted', 'ScriptedHandler', 'Request',
           'free_port']


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


#: One request a :class:`ScriptedHandler` received; ``headers`` has lower-case names.
Request = collections.namedtuple('Request', 'method path headers body')


class ScriptedHandler(BaseHTTPRequestHandler):
    """Answers the n-th request with step n of ``server.script`` (the last step repeats).

    A step is ``(status, body)`` or ``(status, body, headers)`` (body text or
    bytes; a PUT answered 200 gets the body's MD5 as its ETag, as S3 answers),
    ``'drop'`` (close without answering), raw bytes written as they are
    (status line included) before the connection closes, or a callable of the
    :class:`Request` returning one of these (an answer that depends on the
    request).  ``server.before[n]``, when set, is called before request n is
    answered.  Every request is recorded in ``server.seen`` as a
    :class:`Request`; ``server.connections`` counts the connections accepted.
    """

    def handle(self):
        lock = getattr(self.server, 'lock', None)  # absent when served without scripted()
        if lock is not None:
            with lock:
                self.server.connections += 1
        BaseHTTPRequestHandler.handle(self)

    def _answer(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        server = self.server
        index = len(server.seen)
        request = Request(self.command, self.path,
                          dict((k.lower(), v) for k, v in self.headers.items()), body)
        server.seen.append(request)
        hook = server.before.get(index)
        if hook is not None:
            hook()
        step = server.script[min(index, len(server.script) - 1)]
        if callable(step):
            step = step(request)
        if step == 'drop':
            self.close_connection = True
            return
        if isinstance(step, bytes):
            self.wfile.write(step)
            self.wfile.flush()
            self.close_connection = True
            return
        status, data, headers = (tuple(step) + ({},))[:3]
        data = data.encode('utf-8') if not isinstance(data, bytes) else data
        self.send_response(status)
        self.send_header('Content-Length', str(0 if self.command == 'HEAD' else len(data)))
        if status == 200 and self.command == 'PUT':
            self.send_header('ETag', '"%s"' % hashlib.md5(body).hexdigest())
        for name, value in sorted(headers.items()):
            self.send_header(name, value)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = _answer

    def log_message(self, *args):
        pass


def scripted(script=((200, ''),), before=None):
    """:func:`serving` a :class:`ScriptedHandler`; ``server.script`` and
    ``server.before`` may be changed while it serves."""
    return serving(ScriptedHandler, seen=[], script=list(script), before=dict(before or {}),
                   connections=0, lock=threading.Lock())
