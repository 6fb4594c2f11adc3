"""A fake network under boto's real connection code.

boto builds, signs and sends its requests with its own code and the standard
library's ``http.client``; only the socket is replaced.  Every request is
parsed from the bytes boto actually wrote, and answered by a small in-memory
STS + S3 (``FakeAWS``), so tests see exactly what would go on the wire.
"""
from __future__ import absolute_import, unicode_literals

import hashlib
import io
import re

import six
from six.moves import http_client
from six.moves.urllib.parse import parse_qs, unquote, urlsplit

import stsboto  # noqa: F401  (makes boto importable on 3.12+)
import boto.connection  # noqa: E402

STS_FEDERATION_XML = """<GetFederationTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetFederationTokenResult>
    <Credentials>
      <SessionToken>{session_token}</SessionToken>
      <SecretAccessKey>{secret_key}</SecretAccessKey>
      <Expiration>{expiration}</Expiration>
      <AccessKeyId>{access_key}</AccessKeyId>
    </Credentials>
    <FederatedUser>
      <Arn>arn:aws:sts::123456789012:federated-user/{name}</Arn>
      <FederatedUserId>123456789012:{name}</FederatedUserId>
    </FederatedUser>
    <PackedPolicySize>6</PackedPolicySize>
  </GetFederationTokenResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</GetFederationTokenResponse>"""

STS_ERROR_XML = """<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>
  <RequestId>{request_id}</RequestId>
</ErrorResponse>"""

#: The credentials FakeAWS hands out; tests search output for these values.
ISSUED = {
    'access_key': 'ASIAFAKEFEDERATED123',
    'secret_key': 'fedSecret/Never+Shown0123456789abcdefghi',
    'session_token': 'FwoGZXIvYXdzEFakeSessionTokenNeverShown//Zz==',
    'expiration': '2099-01-01T00:00:00Z',
}


class Request(object):
    """One request as boto wrote it to the socket."""

    def __init__(self, method, target, headers, body, host):
        self.method = method
        self.target = target
        self.headers = headers  # dict, lower-case names
        self.body = body
        self.host = host
        parts = urlsplit(target)
        self.path = unquote(parts.path)
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.raw_query = parts.query

    @property
    def form(self):
        data = parse_qs(self.body.decode('utf-8'), keep_blank_values=True)
        return dict((k, v[0]) for k, v in data.items())

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def __repr__(self):
        return '<Request %s %s%s>' % (self.method, self.host, self.target)


def _parse(data, host):
    head, _, rest = data.partition(b'\r\n\r\n')
    lines = head.decode('iso-8859-1').split('\r\n')
    method, target, _ = lines[0].split(' ', 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(':')
        name = name.strip().lower()
        if name in headers:  # a header sent twice would break a signature
            headers[name] = headers[name] + ',' + value.strip()
        else:
            headers[name] = value.strip()
    length = int(headers.get('content-length', len(rest)))
    return Request(method, target, headers, bytes(rest[:length]), host), rest[length:]


class _Socket(object):
    def __init__(self, server, host):
        self.server = server
        self.host = host
        self.buffer = b''

    def sendall(self, data):
        if isinstance(data, six.text_type):
            data = data.encode('iso-8859-1')
        self.buffer += bytes(data)

    def send(self, data):
        self.sendall(data)
        return len(data)

    def makefile(self, *args, **kwargs):
        request, self.buffer = _parse(self.buffer, self.host)
        return io.BytesIO(self.server.handle(request))

    def settimeout(self, timeout):
        pass

    def setsockopt(self, *args):
        pass

    def close(self):
        pass


class FakeHTTPConnection(http_client.HTTPConnection):
    """``http.client.HTTPConnection`` whose socket is a ``FakeAWS``."""

    def __init__(self, server, host, port=None, **kwargs):
        http_client.HTTPConnection.__init__(self, host, port)
        self.server = server
        self.response_class = boto.connection.HTTPResponse

    def connect(self):
        self.server.connections += 1
        self.sock = _Socket(self.server, '%s:%s' % (self.host, self.port))


def _response(status, body=b'', headers=None):
    if isinstance(body, six.text_type):
        body = body.encode('utf-8')
    lines = ['HTTP/1.1 %d %s' % (status, http_client.responses.get(status, 'Unknown'))]
    headers = dict(headers or {})
    headers.setdefault('Content-Length', str(len(body)))
    headers.setdefault('x-amz-request-id', 'FAKEREQUESTID0001')
    for name, value in headers.items():
        lines.append('%s: %s' % (name, value))
    return ('\r\n'.join(lines) + '\r\n\r\n').encode('iso-8859-1') + body


class FakeAWS(object):
    """An in-memory STS and S3 answering boto's real requests.

    :ivar requests: every :class:`Request`, in order.
    :ivar objects: ``{(bucket, key): bytes}`` stored by PUT.
    :ivar sts_error: set to ``(status, code, message)`` to make STS fail.
    :ivar s3_error: set to ``(status, code)`` to make every S3 request fail.
    """

    def __init__(self):
        self.requests = []
        self.objects = {}
        self.sts_error = None
        self.s3_error = None  # (status, code): every S3 request fails so
        self.connections = 0

    def connection_factory(self):
        server = self

        def new_http_connection(conn, host, port, is_secure):
            if host is None:
                host = conn.server_name()
            host = host.rsplit(':', 1)[0] if host.count(':') == 1 else host
            return FakeHTTPConnection(server, host, port or conn.port)
        return new_http_connection

    def handle(self, request):
        self.requests.append(request)
        if request.method == 'POST' and b'Action=' in request.body:
            return self.handle_sts(request)
        return self.handle_s3(request)

    def handle_sts(self, request):
        form = request.form
        if self.sts_error:
            status, code, message = self.sts_error
            return _response(status, STS_ERROR_XML.format(code=code, message=message,
                                                          request_id='req-0042'))
        if form.get('Action') == 'GetFederationToken':
            return _response(200, STS_FEDERATION_XML.format(name=form.get('Name'), **ISSUED))
        return _response(400, STS_ERROR_XML.format(code='InvalidAction', message='unsupported',
                                                   request_id='req-0043'))

    def _bucket_key(self, request):
        host = request.host.split(':')[0]
        path = request.path.lstrip('/')
        virtual = re.match(r'^(.+?)\.(s3[.-].*|minio\.test)$', host)
        if virtual:
            return virtual.group(1), path  # virtual-hosted style
        bucket, _, key = path.partition('/')
        return bucket, key

    def handle_s3(self, request):
        bucket, key = self._bucket_key(request)
        if self.s3_error:
            status, code = self.s3_error
            body = '' if request.method == 'HEAD' else (
                '<Error><Code>%s</Code><Message>The provided token has expired.</Message>'
                '</Error>' % code)
            return _response(status, body)
        if request.method == 'PUT' and key:
            self.objects[(bucket, key)] = request.body
            etag = hashlib.md5(request.body).hexdigest()
            return _response(200, headers={'ETag': '"%s"' % etag})
        if request.method in ('GET', 'HEAD') and key:
            if (bucket, key) not in self.objects:
                return _response(404, '<Error><Code>NoSuchKey</Code></Error>')
            body = self.objects[(bucket, key)]
            headers = {'ETag': '"%s"' % hashlib.md5(body).hexdigest(),
                       'Content-Type': 'application/octet-stream',
                       'Last-Modified': 'Fri, 27 Nov 2026 12:00:00 GMT'}
            if request.method == 'HEAD':
                headers['Content-Length'] = str(len(body))
                body = b''
            return _response(200, body, headers)
        if request.method == 'DELETE' and key:
            self.objects.pop((bucket, key), None)
            return _response(204)
        if request.method in ('HEAD', 'GET') and bucket and not key:
            body = ('<ListBucketResult><Name>%s</Name><IsTruncated>false</IsTruncated>'
                    '</ListBucketResult>' % bucket)
            return _response(200, '' if request.method == 'HEAD' else body)
        return _response(400, '<Error><Code>NotImplemented</Code></Error>')
