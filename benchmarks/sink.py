"""A minimal S3 on loopback for benchmarks: answers with canned XML, discards bodies.

Usage::

    python benchmarks/sink.py --size-mib 256        # prints the port, then serves

It must not be the bottleneck: each connection has one thread that reads
request bodies into one reused buffer (``recv_into``, no copies, no hashing)
and sends objects from one buffer made at start.  It answers what a transfer
asks and nothing else (one bucket, any name):

* ``PUT`` object or part: 200 with an ETag, and the ``x-amz-checksum-crc32``
  the client sent, repeated (the sink does not check it: it never reads the
  bytes; checking is tests/s3server.py's job);
* ``POST ?uploads`` / ``POST ?uploadId`` (its ``ChecksumCRC32`` computed from
  the part checksums listed) / ``DELETE ?uploadId``;
* ``HEAD`` / ``GET`` (ranges too) of ``plain`` (a plain-MD5 ETag: the MD5 of
  the object's bytes, computed once at start), ``multipart`` (an ETag ``...-N``),
  ``crc64`` (the same bytes stored by a single PUT with S3's default checksum:
  a plain-MD5 ETag, and ``x-amz-checksum-crc64nvme`` answered on HEAD and whole
  GETs that send ``x-amz-checksum-mode: ENABLED``, never on ranges; needs
  awscrt) and ``small`` (1 KiB); any other key: 404.

``--tls CERT KEY`` serves HTTPS (each connection's handshake in its thread).
Loopback only (127.0.0.1).  Python 2.7 and 3.
"""
from __future__ import absolute_import, division, print_function

import argparse
import base64
import hashlib
import os
import re
import socket
import struct
import sys
import threading
import zlib

MiB = 1024 * 1024
_CHECKSUM = re.compile(br'<ChecksumCRC32>([^<]+)</ChecksumCRC32>')


def make_object(size):
    block = os.urandom(MiB)
    data = bytearray(size)
    for offset in range(0, size, MiB):
        piece = block[:min(MiB, size - offset)]
        data[offset:offset + len(piece)] = piece
    return bytes(data)


class Sink(object):
    def __init__(self, size):
        self.data = make_object(size)
        self.view = memoryview(self.data)
        self.small = self.data[:1024]
        self.etags = {'plain': '"%s"' % hashlib.md5(self.data).hexdigest(),
                      'multipart': '"%s-%d"' % ('0' * 32, -(-size // (8 * MiB))),
                      'small': '"%s"' % hashlib.md5(self.small).hexdigest()}
        self.etags['crc64'] = self.etags['plain']
        self.crc64nvme = None
        try:
            from awscrt.checksums import crc64nvme
        except ImportError:
            del self.etags['crc64']
        else:
            self.crc64nvme = base64.b64encode(struct.pack('>Q', crc64nvme(self.data))).decode()
        self.uploads = 0
        self.lock = threading.Lock()
        self.tls = None

    def use_tls(self, cert, key):
        import ssl
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert, key)

    def serve(self, port=0):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(('127.0.0.1', port))
        listener.listen(64)
        return listener

    def accept_forever(self, listener):
        while True:
            conn, _ = listener.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            thread = threading.Thread(target=self.connection, args=(conn,))
            thread.daemon = True
            thread.start()

    def connection(self, conn):
        if self.tls is not None:
            try:
                conn = self.tls.wrap_socket(conn, server_side=True)
            except (IOError, OSError):
                conn.close()
                return
        buffer = bytearray(4 * MiB)
        view = memoryview(buffer)
        state = {'pending': b''}

        def read_line():
            while b'\r\n' not in state['pending']:
                chunk = conn.recv(65536)
                if not chunk:
                    raise EOFError
                state['pending'] += chunk
            line, _, state['pending'] = state['pending'].partition(b'\r\n')
            return line

        def read(length, keep):
            pending = state['pending']
            if len(pending) >= length:
                state['pending'] = pending[length:]
                return pending[:length]
            left = length - len(pending)
            parts = [pending] if keep else []
            state['pending'] = b''
            while left:
                got = conn.recv_into(view, min(left, len(buffer)))
                if not got:
                    raise EOFError
                if keep:
                    parts.append(bytes(buffer[:got]))
                left -= got
            return b''.join(parts)
        try:
            while True:
                while b'\r\n\r\n' not in state['pending']:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    state['pending'] += chunk
                head, _, state['pending'] = state['pending'].partition(b'\r\n\r\n')
                lines = head.decode('iso-8859-1').split('\r\n')
                method, target = lines[0].split(' ')[:2]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(':')
                    headers[name.strip().lower()] = value.strip()
                if headers.get('expect', '').lower() == '100-continue':
                    conn.sendall(b'HTTP/1.1 100 Continue\r\n\r\n')   # as S3 does
                keep = method == 'POST'              # only XML bodies are looked at
                if headers.get('transfer-encoding', '').lower() == 'chunked':
                    # botocore over HTTPS: aws-chunked with the checksum in a
                    # trailer, sent with HTTP chunked transfer encoding
                    parts = []
                    while True:
                        size = int(read_line().split(b';')[0], 16)
                        if not size:
                            while read_line():           # trailers, up to the empty line
                                pass
                            break
                        parts.append(read(size, keep))
                        read(2, False)
                    body = b''.join(parts)
                else:
                    body = read(int(headers.get('content-length', 0)), keep)
                self.answer(conn, method, target, headers, body)
        except (IOError, OSError, EOFError):
            return
        finally:
            conn.close()

    def send(self, conn, status, headers, body=b'', head_only=False, length=None):
        reason = {200: 'OK', 204: 'No Content', 206: 'Partial Content', 404: 'Not Found'}[status]
        lines = ['HTTP/1.1 %d %s' % (status, reason), 'x-amz-request-id: SINK']
        for name, value in headers.items():
            lines.append('%s: %s' % (name, value))
        lines.append('Content-Length: %d' % (len(body) if length is None else length))
        conn.sendall(('\r\n'.join(lines) + '\r\n\r\n').encode('iso-8859-1'))
        if body and not head_only:
            conn.sendall(body)

    def answer(self, conn, method, target, headers, body):
        path, _, query = target.partition('?')
        key = path.lstrip('/').partition('/')[2]
        echo = {}
        for name in ('x-amz-checksum-crc32', 'x-amz-checksum-crc64nvme'):
            if name in headers:
                echo[name] = headers[name]
        if method == 'PUT':
            echo['ETag'] = '"%s"' % ('1' * 32)
            return self.send(conn, 200, echo)
        if method == 'POST' and query.startswith('uploads'):
            with self.lock:
                self.uploads += 1
                number = self.uploads
            xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult>'
                   '<Bucket>b</Bucket><Key>%s</Key><UploadId>sink-%d</UploadId>'
                   '</InitiateMultipartUploadResult>' % (key, number))
            return self.send(conn, 200, {'Content-Type': 'application/xml'}, xml.encode('utf-8'))
        if method == 'POST':
            checksums = _CHECKSUM.findall(body)
            extra = ''
            if checksums:
                raw = b''.join(base64.b64decode(c) for c in checksums)
                crc = base64.b64encode(struct.pack('>I', zlib.crc32(raw) & 0xffffffff))
                extra = '<ChecksumCRC32>%s-%d</ChecksumCRC32>' % (crc.decode('ascii'),
                                                                  len(checksums))
            count = body.count(b'<Part>')
            xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult>'
                   '<Bucket>b</Bucket><Key>%s</Key><ETag>"%s-%d"</ETag>%s'
                   '</CompleteMultipartUploadResult>' % (key, '2' * 32, count, extra))
            return self.send(conn, 200, {'Content-Type': 'application/xml'}, xml.encode('utf-8'))
        if method == 'DELETE':
            return self.send(conn, 204, {})
        name = key.rsplit('/', 1)[-1]
        if method in ('GET', 'HEAD') and name in self.etags:
            data = self.small if name == 'small' else self.view
            answer = {'ETag': self.etags[name], 'Content-Type': 'application/octet-stream',
                      'Last-Modified': 'Fri, 27 Nov 2026 12:00:00 GMT'}
            status = 200
            wanted = headers.get('range')
            if name == 'crc64' and not wanted and \
                    headers.get('x-amz-checksum-mode', '').upper() == 'ENABLED':
                answer['x-amz-checksum-crc64nvme'] = self.crc64nvme
                answer['x-amz-checksum-type'] = 'FULL_OBJECT'
            if wanted and method == 'GET':
                first, _, last = wanted.split('=')[1].partition('-')
                first, last = int(first), int(last or len(data) - 1)
                answer['Content-Range'] = 'bytes %d-%d/%d' % (first, last, len(data))
                data = data[first:last + 1]
                status = 206
            return self.send(conn, status, answer, data, head_only=method == 'HEAD',
                             length=len(data))
        if method == 'HEAD' and not key:
            return self.send(conn, 200, {})
        # never a body after a HEAD: it would be read as the next answer
        return self.send(conn, 404, {'Content-Type': 'application/xml'},
                         b'<Error><Code>NoSuchKey</Code></Error>', head_only=method == 'HEAD')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size-mib', type=int, default=256)
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--tls', nargs=2, metavar=('CERT', 'KEY'),
                        help='serve HTTPS with this certificate chain and key (PEM files)')
    args = parser.parse_args(argv)
    sink = Sink(args.size_mib * MiB)
    if args.tls:
        sink.use_tls(*args.tls)
    listener = sink.serve(args.port)
    print(listener.getsockname()[1])
    sys.stdout.flush()
    try:
        sink.accept_forever(listener)
    except KeyboardInterrupt:
        return 0


if __name__ == '__main__':
    sys.exit(main())
