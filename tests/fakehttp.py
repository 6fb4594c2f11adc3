"""A fake network under boto's real connection code.

boto builds, signs and sends its requests with its own code and the standard
library's ``http.client``; only the socket is replaced.  Every request is
parsed from the bytes boto actually wrote, and answered by a small in-memory
STS + S3 (``FakeAWS``), so tests see exactly what would go on the wire.
"""
from __future__ import absolute_import, unicode_literals

import base64
import hashlib
import io
import re
import struct
import threading
import uuid
import zlib
from xml.sax.saxutils import escape

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
    """The socket of one fake HTTP connection: collects a request, answers it.

    A second thread writing to it before the answer to the first was read
    would interleave two requests on one connection: it is recorded in the
    server's ``overlaps`` (boto's pool must never do that).
    """

    def __init__(self, server, host):
        self.server = server
        self.host = host
        self.chunks = []
        self.owner = None

    @property
    def buffer(self):
        return b''.join(self.chunks)

    def sendall(self, data):
        if isinstance(data, six.text_type):
            data = data.encode('iso-8859-1')
        me = threading.current_thread()
        if self.owner is not None and self.owner is not me:
            getattr(self.server, 'overlaps', []).append(self.host)
        self.owner = me
        # memoryview.tobytes(): on Python 2 bytes(view) is its repr
        self.chunks.append(data.tobytes() if isinstance(data, memoryview) else bytes(data))

    def send(self, data):
        self.sendall(data)
        return len(data)

    def makefile(self, *args, **kwargs):
        request, rest = _parse(b''.join(self.chunks), self.host)
        self.chunks = [rest] if rest else []
        self.owner = None
        return io.BytesIO(self.server.handle(request))

    def settimeout(self, timeout):
        pass

    def setsockopt(self, *args):
        pass

    def close(self):
        pass


_COUNT_LOCK = threading.Lock()


class FakeHTTPConnection(http_client.HTTPConnection):
    """``http.client.HTTPConnection`` whose socket is a ``FakeAWS``."""

    def __init__(self, server, host, port=None, **kwargs):
        http_client.HTTPConnection.__init__(self, host, port)
        self.server = server
        self.response_class = boto.connection.HTTPResponse

    def connect(self):
        with _COUNT_LOCK:
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
    :ivar flexible_checksums: False: a PUT's ``x-amz-checksum-crc32`` is not
        echoed (a server without S3 flexible checksums).
    """

    flexible_checksums = True

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
            headers = {'ETag': '"%s"' % hashlib.md5(request.body).hexdigest()}
            crc = request.headers.get('x-amz-checksum-crc32')
            if crc and self.flexible_checksums:  # S3 answers with the checksum it checked
                headers['x-amz-checksum-crc32'] = crc
            return _response(200, headers=headers)
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


# ---------------------------------------------------------------------------
# A fuller S3 for transfers: multipart uploads, ranges, checksums verified as S3 does


class Headers(dict):
    """Header names compared without case (as HTTP does); the names keep their case."""

    def _find(self, name):
        for key in self:
            if key.lower() == name.lower():
                return key
        return None

    def __contains__(self, name):
        return self._find(name) is not None

    def get(self, name, default=None):
        key = self._find(name)
        return dict.__getitem__(self, key) if key is not None else default

    def __getitem__(self, name):
        key = self._find(name)
        if key is None:
            raise KeyError(name)
        return dict.__getitem__(self, key)


def crc32_b64(data):
    """S3's ``x-amz-checksum-crc32``: the big-endian CRC32, base64 (written here from the
    S3 User Guide, "Checking object integrity", not taken from stsboto)."""
    return base64.b64encode(struct.pack('>I', zlib.crc32(data) & 0xffffffff)).decode('ascii')


# CRC-64/NVME (NVM Express spec; reflected, polynomial 0xad93d23594c93659, register and
# result inverted), written here from its definition, not taken from stsboto.  awscrt
# computes it fast where installed; this table version (a few MB/s) is the fallback.
_CRC64NVME_TABLE = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0x9a6c9329ac4bc9b5 if _c & 1 else _c >> 1
    _CRC64NVME_TABLE.append(_c)


def crc64nvme_slow(data):
    """CRC-64/NVME of ``data`` in pure Python (an int)."""
    crc = 0xffffffffffffffff
    table = _CRC64NVME_TABLE
    for byte in bytearray(data):
        crc = table[(crc ^ byte) & 0xff] ^ (crc >> 8)
    return crc ^ 0xffffffffffffffff


def _crt_function(name):
    try:
        from awscrt import checksums
    except ImportError:
        return None
    return getattr(checksums, name, None)


def crc64nvme_b64(data):
    """S3's ``x-amz-checksum-crc64nvme``: the big-endian CRC-64/NVME, base64."""
    function = _crt_function('crc64nvme') or crc64nvme_slow
    return base64.b64encode(struct.pack('>Q', function(data))).decode('ascii')


def crc32c_b64(data):
    """S3's ``x-amz-checksum-crc32c`` (needs awscrt here)."""
    return base64.b64encode(struct.pack('>I', _crt_function('crc32c')(data))).decode('ascii')


#: The checksums the fake verifies and stores: algorithm -> the function of the body.
CHECKSUM_FUNCTIONS = {'CRC32': crc32_b64, 'CRC32C': crc32c_b64, 'CRC64NVME': crc64nvme_b64}


def _utf8_unquote(text):
    if six.PY2:
        if isinstance(text, six.text_type):
            text = text.encode('iso-8859-1')
        return unquote(text).decode('utf-8')
    return unquote(text, encoding='utf-8')


class FakeS3(object):
    """An in-memory S3 bucket that checks what S3 checks, reached through boto's real code.

    It verifies ``Content-MD5``, ``x-amz-checksum-crc32``, ``-crc32c`` and
    ``-crc64nvme`` (per PUT and per part), ``x-amz-checksum-algorithm`` uploads
    (every part must carry its checksum; CompleteMultipartUpload must list
    each part's ``ChecksumCRC32``...; a ``FULL_OBJECT`` upload's completion
    must carry the whole object's checksum, as S3 requires for CRC64NVME)
    and SigV4 payload hashes (``x-amz-content-sha256``, ``UNSIGNED-PAYLOAD``
    allowed), answering with S3's error codes (BadDigest, InvalidRequest,
    InvalidPart, XAmzContentSHA256Mismatch).  ``tests/s3server.py`` serves the
    same object over a loopback socket.

    :ivar objects: ``{key: (data, etag, headers)}``.
    :ivar checksums: ``{key: x-amz-checksum-crc32}`` stored with an object
        (answered to ``x-amz-checksum-mode: ENABLED``, on HEAD and whole GETs).
    :ivar other_checksums: ``{key: (algorithm, value)}``: a CRC32C or
        CRC64NVME stored with an object.  An object stored without any
        checksum gets S3's default, a full-object CRC64NVME (as S3 does since
        December 2024), computed when first asked for.
    :ivar default_crc64nvme: False: objects stored without a checksum get
        none (S3 before December 2024).
    :ivar uploads: ``{upload id: {'key', 'parts': {n: (data, etag, crc32)}, 'headers'}}``.
    :ivar log: ``(method, key, query, headers)`` of every request.
    :ivar hooks: ``hook(method, key, query, headers)`` called first; may return
        ``(status, code)`` or ``(status, code, extra_xml)`` to fail the request.
    :ivar mangle: ``mangle(method, key, query, body)`` returns the body the
        server receives (to corrupt it in transit), or None.
    :ivar etag_override: ``{'put'|'part'|'complete': etag}`` answered instead.
    :ivar flexible_checksums: False makes it a server without flexible
        checksums: it ignores ``x-amz-checksum-*`` and never answers with one.
    """

    bucket_name = 'photos'

    def __init__(self, bucket='photos'):
        self.bucket_name = bucket
        self.lock = threading.Lock()
        self.objects = {}
        self.checksums = {}          # key -> the x-amz-checksum-crc32 S3 stored with it
        self.other_checksums = {}    # key -> (CRC32C or CRC64NVME, value)
        self.default_crc64nvme = True
        self.uploads = {}
        self.log = []
        self.overlaps = []
        self.connections = 0         # HTTP connections opened
        self.hooks = []
        self.mangle = None
        self.etag_override = None
        self.flexible_checksums = True
        self.checksum_types = True   # False: answer without x-amz-checksum-type (moto 5.2)
        self.aborted = threading.Event()
        self.late_parts = []

    # -- reaching it -----------------------------------------------------

    def connect(self, token, endpoint_url='http://s3.fake.test:8000'):
        """A ``TokenS3Connection`` whose HTTP connections all lead here."""
        conn = stsboto.connect_with_token(token, endpoint_url=endpoint_url)
        server = self

        def new_http_connection(host, port, is_secure):
            return FakeHTTPConnection(server, host.rsplit(':', 1)[0], port or conn.port)
        conn.new_http_connection = new_http_connection
        return conn

    def requests(self, method=None, query=None):
        return [r for r in self.log if (method is None or r[0] == method)
                and (query is None or query in r[2])]

    def handle(self, request):
        """Answer a :class:`Request` (the socket-level fake calls this)."""
        status, headers, body = self.answer(request.method, request.target, request.headers,
                                            request.body)
        if request.method == 'HEAD':
            headers.setdefault('Content-Length', str(len(body)))
            body = b''
        return _response(status, body, headers)

    def answer(self, method, target, headers, body):
        """``(status, headers, body)`` for one request (also used by tests/s3server.py)."""
        url = urlsplit(target)
        parts = url.path.lstrip('/').split('/', 1)
        if parts[0] != self.bucket_name:  # S3's answer for a bucket that is not there
            return self.error(404, 'NoSuchBucket')
        key = _utf8_unquote(parts[1]) if len(parts) > 1 else ''
        query = dict((k, v[0]) for k, v in parse_qs(url.query, keep_blank_values=True).items())
        headers = Headers(headers)
        with self.lock:
            self.log.append((method, key, query, headers))
        if method == 'DELETE' and 'uploadId' in query:
            self.aborted.set()
        for hook in list(self.hooks):
            failure = hook(method, key, query, headers)
            if failure:
                return self.error(*failure)
        if self.mangle is not None and method == 'PUT':
            changed = self.mangle(method, key, query, body)
            body = body if changed is None else changed
        with self.lock:
            return self.route(method, key, query, headers, body)

    # -- S3's rules ------------------------------------------------------

    def route(self, method, key, query, headers, body):
        if method == 'POST' and 'uploads' in query:
            upload_id = uuid.uuid4().hex
            algorithm = headers.get('x-amz-checksum-algorithm') if self.flexible_checksums \
                else None
            kind = headers.get('x-amz-checksum-type') if algorithm else None
            if algorithm == 'CRC64NVME' and kind not in (None, 'FULL_OBJECT'):
                return self.error(400, 'InvalidRequest', '<Detail>CRC64NVME is a full-object '
                                  'checksum</Detail>')
            if algorithm is not None and algorithm not in CHECKSUM_FUNCTIONS:
                return self.error(400, 'InvalidRequest')
            kind = kind or ('FULL_OBJECT' if algorithm == 'CRC64NVME' else 'COMPOSITE')
            self.uploads[upload_id] = {'key': key, 'parts': {}, 'headers': dict(headers),
                                       'algorithm': algorithm, 'type': kind}
            answer = {'x-amz-checksum-algorithm': algorithm,
                      'x-amz-checksum-type': kind} if algorithm else {}
            return self.xml('<InitiateMultipartUploadResult><Bucket>%s</Bucket><Key>%s</Key>'
                            '<UploadId>%s</UploadId></InitiateMultipartUploadResult>'
                            % (self.bucket_name, escape(key), upload_id), answer)
        if 'uploadId' in query:
            upload = self.uploads.get(query['uploadId'])
            if upload is None:
                if method == 'PUT':
                    self.late_parts.append(query['partNumber'])
                return self.error(404, 'NoSuchUpload')
            if method == 'PUT':
                failure, answer = self.check_body(headers, body)
                if failure:
                    return failure
                algorithm = upload['algorithm']
                crc = answer.get('x-amz-checksum-%s' % algorithm.lower()) if algorithm else None
                if algorithm and crc is None:
                    return self.error(400, 'InvalidRequest', '<Detail>The upload was created '
                                      'using a %s checksum; every part must carry it</Detail>'
                                      % algorithm.lower())
                etag = '"%s"' % hashlib.md5(body).hexdigest()
                upload['parts'][int(query['partNumber'])] = (body, etag, crc)
                answer['ETag'] = self.override('part', etag)
                return 200, answer, b''
            if method == 'DELETE':
                del self.uploads[query['uploadId']]
                return 204, {}, b''
            if method == 'POST':
                return self.complete(query['uploadId'], upload, body, headers)
        if method == 'PUT':
            failure, answer = self.check_body(headers, body)
            if failure:
                return failure
            etag = '"%s"' % hashlib.md5(body).hexdigest()
            self.objects[key] = (body, etag, dict(headers))
            self.checksums.pop(key, None)
            self.other_checksums.pop(key, None)
            if answer.get('x-amz-checksum-crc32'):
                self.checksums[key] = answer['x-amz-checksum-crc32']
            for algorithm in ('CRC32C', 'CRC64NVME'):
                if answer.get('x-amz-checksum-%s' % algorithm.lower()):
                    self.other_checksums[key] = (algorithm,
                                                 answer['x-amz-checksum-%s' % algorithm.lower()])
            answer['ETag'] = self.override('put', etag)
            return 200, answer, b''
        if method in ('GET', 'HEAD'):
            return self.get(method, key, headers)
        raise AssertionError('unexpected request %s %s %s' % (method, key, query))

    def override(self, what, etag):
        return self.etag_override.get(what, etag) if self.etag_override else etag

    def check_body(self, headers, body):
        """S3's checks of a body: ``(failure or None, answer headers)``."""
        sent = headers.get('Content-MD5')
        given = dict((name, headers.get('x-amz-checksum-%s' % name.lower()))
                     for name in CHECKSUM_FUNCTIONS
                     if headers.get('x-amz-checksum-%s' % name.lower()))
        assert sent or given, 'every PUT must carry Content-MD5 or an x-amz-checksum-*'
        if not self.flexible_checksums:
            given = {}
        signed = headers.get('x-amz-content-sha256')
        if signed and signed != 'UNSIGNED-PAYLOAD' and \
                signed != hashlib.sha256(body).hexdigest():
            return self.error(400, 'XAmzContentSHA256Mismatch'), {}
        if sent and base64.b64decode(sent) != hashlib.md5(body).digest():
            return self.error(400, 'BadDigest'), {}
        answer = {}
        for name, value in given.items():
            if value != CHECKSUM_FUNCTIONS[name](body):
                return self.error(400, 'BadDigest', '<Detail>The %s you specified did not match '
                                  'the calculated checksum.</Detail>' % name), {}
            answer['x-amz-checksum-%s' % name.lower()] = value
        return None, answer

    def complete(self, upload_id, upload, body, headers=None):
        import xml.etree.ElementTree as ET
        headers = Headers(headers or {})
        root = ET.fromstring(body)
        algorithm = upload['algorithm']
        data, digests, checksums = [], [], []
        for part in root:
            number = int(part.find('PartNumber').text)
            stored = upload['parts'].get(number)
            if stored is None or stored[1] != part.find('ETag').text:
                return self.error(400, 'InvalidPart')
            if algorithm:
                listed = part.find('Checksum%s' % algorithm)
                if (listed is None and upload['type'] == 'COMPOSITE') or (
                        listed is not None and listed.text != stored[2]):
                    return self.error(400, 'InvalidPart', '<Detail>Checksum%s of part %d'
                                      '</Detail>' % (algorithm, number))
                checksums.append(base64.b64decode(stored[2]))
            data.append(stored[0])
            digests.append(hashlib.md5(stored[0]).digest())
        etag = '"%s-%d"' % (hashlib.md5(b''.join(digests)).hexdigest(), len(digests))
        whole = b''.join(data)
        checksum = ''
        if upload['type'] == 'FULL_OBJECT' and algorithm:
            # S3 API reference, CompleteMultipartUpload: the whole object's
            # checksum, checked against what S3 computed from the bytes.
            name = 'x-amz-checksum-%s' % algorithm.lower()
            value = CHECKSUM_FUNCTIONS[algorithm](whole)
            if headers.get('x-amz-checksum-type') not in (None, 'FULL_OBJECT'):
                return self.error(400, 'InvalidRequest', '<Detail>checksum type</Detail>')
            if headers.get(name) is not None and headers.get(name) != value:
                return self.error(400, 'BadDigest', '<Detail>The %s you specified did not '
                                  'match the calculated checksum.</Detail>' % algorithm)
            checksums = []
        self.objects[upload['key']] = (whole, etag, upload['headers'])
        self.checksums.pop(upload['key'], None)
        self.other_checksums.pop(upload['key'], None)
        del self.uploads[upload_id]
        if upload['type'] == 'FULL_OBJECT' and algorithm:
            if algorithm == 'CRC32':
                self.checksums[upload['key']] = value
            else:
                self.other_checksums[upload['key']] = (algorithm, value)
            checksum = ('<Checksum%s>%s</Checksum%s><ChecksumType>FULL_OBJECT</ChecksumType>'
                        % (algorithm, value, algorithm))
        elif checksums:
            value = '%s-%d' % (CHECKSUM_FUNCTIONS[algorithm](b''.join(checksums)), len(checksums))
            if algorithm == 'CRC32':
                self.checksums[upload['key']] = value
            else:
                self.other_checksums[upload['key']] = (algorithm, value)
            checksum = '<Checksum%s>%s</Checksum%s>' % (algorithm, value, algorithm)
        return self.xml('<CompleteMultipartUploadResult><Bucket>%s</Bucket><Key>%s</Key>'
                        '<ETag>%s</ETag>%s</CompleteMultipartUploadResult>'
                        % (self.bucket_name, escape(upload['key']),
                           escape(self.override('complete', etag)), checksum))

    def get(self, method, key, headers):
        if key not in self.objects:
            return self.error(404, 'NoSuchKey')
        data, etag, _ = self.objects[key]
        if headers.get('If-Match') not in (None, etag):
            return self.error(412, 'PreconditionFailed')
        answer = {'ETag': etag, 'Content-Type': 'application/octet-stream',
                  'Last-Modified': 'Fri, 27 Nov 2026 12:00:00 GMT'}
        if headers.get('x-amz-checksum-mode') == 'ENABLED' and not headers.get('Range'):
            # S3 answers with the stored checksum, but never for a range
            stored = self.stored_checksum(key)
            if stored is not None:
                algorithm, value = stored
                answer['x-amz-checksum-%s' % algorithm.lower()] = value
                if self.checksum_types:
                    answer['x-amz-checksum-type'] = 'COMPOSITE' if '-' in value \
                        else 'FULL_OBJECT'
        status = 200
        if headers.get('Range') and method == 'GET':
            first, last = (int(n) for n in headers['Range'].split('=')[1].split('-'))
            answer['Content-Range'] = 'bytes %d-%d/%d' % (first, last, len(data))
            data = data[first:last + 1]
            status = 206
        return status, answer, data

    def stored_checksum(self, key):
        """``(algorithm, value)`` stored with ``key``, or None.

        An object stored without a checksum has S3's default, a full-object
        CRC64NVME (S3 computes one for every new object since December 2024),
        computed here when first asked for and kept.
        """
        if key in self.checksums:
            return 'CRC32', self.checksums[key]
        if key not in self.other_checksums and self.default_crc64nvme:
            self.other_checksums[key] = ('CRC64NVME', crc64nvme_b64(self.objects[key][0]))
        return self.other_checksums.get(key)

    def xml(self, text, headers=None):
        answer = {'Content-Type': 'application/xml'}
        answer.update(headers or {})
        return 200, answer, ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode('utf-8')

    def error(self, status, code, extra=''):
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>fake %s'
                '</Message>%s<RequestId>REQ123</RequestId></Error>' % (code, code, extra))
        return status, {'Content-Type': 'application/xml'}, body.encode('utf-8')
