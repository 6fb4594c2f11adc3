"""A loopback S3 that verifies checksums as S3 does: ``tests.fakehttp.FakeS3`` over real sockets.

Usage::

    with serving_s3() as (s3, endpoint_url):
        bucket = stsboto.connect_with_token(token, endpoint_url=endpoint_url).get_bucket('photos')

moto 5.2 does not verify the ``x-amz-checksum-*`` values a client sends (its
S3 responses carry a TODO there), so the proof that a corrupted part is
refused comes from this server: HTTP/1.1 with keep-alive on 127.0.0.1, one
thread per connection, answering with :class:`tests.fakehttp.FakeS3`.
"""
from __future__ import absolute_import, unicode_literals

import contextlib
import threading

# "from six.moves import socketserver", not "from six.moves.socketserver import ...": the
# latter goes through six's importer, which leaves its own __spec__ on the standard
# socketserver module, and Python 3.14+ then warns (DeprecationWarning) on every
# traceback through socketserver (issue 24).
from six.moves import socketserver

from tests.fakehttp import FakeS3
from tests.localhttp import BaseHTTPRequestHandler, HTTPServer

__all__ = ['serving_s3', 'FakeS3']


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def handle_expect_100(self):          # boto sends the body without waiting
        return True

    def log_message(self, *args):
        pass

    def serve(self):
        self.server.clients.append(self.client_address)
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        status, headers, data = self.server.s3.answer(self.command, self.path,
                                                      dict(self.headers.items()), body)
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != 'content-length':
                self.send_header(name, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = serve


class _Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True


@contextlib.contextmanager
def serving_s3(s3=None):
    """Serve ``s3`` (a new :class:`FakeS3` by default) on 127.0.0.1; yields ``(s3, endpoint_url)``.

    ``server.clients`` (the client addresses of every request) is ``s3.clients``.
    """
    s3 = s3 or FakeS3()
    server = _Server(('127.0.0.1', 0), _Handler)
    server.s3 = s3
    server.clients = s3.clients = []
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield s3, 'http://127.0.0.1:%d' % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
