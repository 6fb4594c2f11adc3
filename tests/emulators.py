"""Loopback emulators of the platform credential endpoints, for tests.

Usage::

    from tests.emulators import imds, container_endpoint
    with imds(credentials=[token_a, token_b]) as server:
        environ['AWS_EC2_METADATA_SERVICE_ENDPOINT'] = server.url
        ...
        assert server.requests[0][:2] == ('PUT', '/latest/api/token')

* :func:`imds`: an IMDSv2-only instance metadata service.  ``PUT
  /latest/api/token`` with ``X-aws-ec2-metadata-token-ttl-seconds`` gives a
  session token; every GET without a valid one is refused with 401, as an
  instance with ``HttpTokens=required`` does.  It serves one role; its
  credentials are ``server.credentials[server.serving]`` and ``server.rotate()``
  moves to the next (rotation), so a test decides when new ones appear.
  ``server.mode`` switches to misbehaviour: ``'v1'`` (no IMDSv2: 404 on PUT,
  GETs accepted without token), ``'html'`` (an HTML page for every GET),
  ``'garbage-json'``, ``'bad-key'``, ``'huge'``, ``'no-role'`` (404 for the role
  list), ``'forbidden-role'`` (403 for it),
  ``'silent-put'`` (the PUT never answers: a hop limit of 1 in a container),
  ``'trickle'`` (the credentials arrive one byte every ``server.pause`` seconds).
  ``server.role`` is the role name served (default ``app-role``).
* :func:`container_endpoint`: the ECS / EKS Pod Identity credentials endpoint;
  answers 401 unless ``Authorization`` equals ``server.authorization`` (when set);
  ``server.mode`` ``'error'`` answers 500, ``'trickle'`` sends one byte every
  ``server.pause`` seconds.
* :func:`sso_portal`: the IAM Identity Center portal (``GET
  /federation/credentials``, ``x-amz-sso_bearer_token``) and SSO OIDC (``POST
  /token``, grant type ``refresh_token``) on one port, the AWS wire shapes
  (botocore's ``sso`` and ``sso-oidc`` models).  ``server.access_tokens``:
  the bearer tokens it accepts (others: 401 ``UnauthorizedException``);
  ``server.refresh_tokens``: {refresh token: (client id, client secret)} it
  renews, each renewal issuing ``renewed-access-token-N`` and
  ``renewed-refresh-token-N``; ``server.roles``: {(account, role name): [Tokens]}
  served one after another.  ``server.mode`` ``'error'`` answers 500 to every call;
  ``server.before_token``: a callable run when a ``/token`` call arrives (a race).

Both record ``(method, path, headers)`` of every request in ``server.requests``.
"""
from __future__ import absolute_import, unicode_literals

import calendar
import contextlib
import json
import threading
import time

from six.moves.urllib.parse import parse_qs, urlsplit

from stsboto.token import format_expiration
from tests.localhttp import BaseHTTPRequestHandler, serving

try:
    from http.server import HTTPServer
    from socketserver import ThreadingMixIn
except ImportError:  # Python 2
    from BaseHTTPServer import HTTPServer
    from SocketServer import ThreadingMixIn

__all__ = ['imds', 'container_endpoint', 'sso_portal', 'credentials_json']

ROLE = 'app-role'


def credentials_json(token, token_key='Token'):
    """The JSON IMDS and the container endpoint answer for ``token``."""
    return json.dumps({'Code': 'Success', 'Type': 'AWS-HMAC', 'AccessKeyId': token.access_key,
                       'SecretAccessKey': token.secret_key, token_key: token.session_token,
                       'Expiration': format_expiration(token.expiration),
                       'LastUpdated': format_expiration(token.expiration)})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):  # quiet: no request lines on stderr
        pass

    def _record(self):
        with self.server.lock:
            self.server.requests.append((self.command, self.path, dict(
                (k.lower(), v) for k, v in self.headers.items())))

    def _send(self, status, body=b'', content_type='text/plain', trickle=False):
        if not isinstance(body, bytes):
            body = body.encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if trickle and self.server.mode == 'trickle':
            for index in range(len(body)):
                self.wfile.write(body[index:index + 1])
                self.wfile.flush()
                if self.server.stop.wait(self.server.pause):
                    return
            return
        self.wfile.write(body)


class _ImdsHandler(_Handler):
    def do_PUT(self):
        self._record()
        server = self.server
        if server.mode == 'v1':
            return self._send(404, 'Not Found')
        if server.mode == 'silent-put':
            time.sleep(server.silence)
            return None
        if self.path != '/latest/api/token':
            return self._send(404)
        ttl = self.headers.get('X-aws-ec2-metadata-token-ttl-seconds')
        if not ttl or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self._send(400, 'Bad Request')
        with server.lock:
            server.issued += 1
            session = 'imds-session-token-%04d' % server.issued
            server.sessions.add(session)
        return self._send(200, session)

    def do_GET(self):
        self._record()
        server = self.server
        if server.mode not in ('v1', 'silent-put') and \
                self.headers.get('X-aws-ec2-metadata-token') not in server.sessions:
            return self._send(401, 'Unauthorized')
        if server.mode == 'html':
            return self._send(200, '<html><body>Captive portal</body></html>', 'text/html')
        base = '/latest/meta-data/iam/security-credentials/'
        if self.path == base:
            if server.mode == 'no-role':
                return self._send(404, 'Not Found')
            if server.mode == 'forbidden-role':
                return self._send(403, 'Forbidden')
            return self._send(200, server.role)
        if self.path == base + server.role:
            if server.mode == 'garbage-json':
                return self._send(200, '{"AccessKeyId": "x", ', 'application/json')
            if server.mode == 'huge':
                return self._send(200, ' ' * (70 * 1024) + '{}', 'application/json')
            with server.lock:
                server.served += 1
                token = server.credentials[min(server.serving, len(server.credentials) - 1)]
            body = credentials_json(token)
            if server.mode == 'bad-key':   # real secrets next to an unusable access key
                body = body.replace(json.dumps(token.access_key), '"a b"')
            return self._send(200, body, 'application/json', trickle=True)
        return self._send(404, 'Not Found')


class _ContainerHandler(_Handler):
    def do_GET(self):
        self._record()
        server = self.server
        if server.authorization is not None and \
                self.headers.get('Authorization') != server.authorization:
            return self._send(401, '{"message": "unauthorized"}', 'application/json')
        if server.mode == 'html':
            return self._send(200, '<html>oops</html>', 'text/html')
        if server.mode == 'error':
            return self._send(500, 'Internal error')
        with server.lock:
            server.served += 1
            token = server.credentials[min(server.serving, len(server.credentials) - 1)]
        return self._send(200, credentials_json(token), 'application/json', trickle=True)


class _SsoHandler(_Handler):
    def _json(self, status, data, error=None):
        body = json.dumps(data)
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        if error:
            self.send_header('x-amzn-ErrorType', error)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode('utf-8'))

    def do_GET(self):
        self._record()
        server = self.server
        parts = urlsplit(self.path)
        if server.mode == 'error':
            return self._json(500, {'message': 'internal'}, 'InternalServerException')
        if parts.path != '/federation/credentials':
            return self._send(404)
        if self.headers.get('x-amz-sso_bearer_token') not in server.access_tokens:
            return self._json(401, {'message': 'Session token not found or invalid'},
                              'UnauthorizedException')
        query = parse_qs(parts.query)
        key = (query.get('account_id', [''])[0], query.get('role_name', [''])[0])
        if key not in server.roles:
            return self._json(403, {'message': 'No access'}, 'ForbiddenException')
        with server.lock:
            server.served += 1
            tokens = server.roles[key]
            token = tokens[min(server.serving, len(tokens) - 1)]
        millis = calendar.timegm(token.expiration.utctimetuple()) * 1000
        return self._json(200, {'roleCredentials': {
            'accessKeyId': token.access_key, 'secretAccessKey': token.secret_key,
            'sessionToken': token.session_token, 'expiration': millis}})

    def do_POST(self):
        self._record()
        server = self.server
        length = int(self.headers.get('Content-Length') or 0)
        body = json.loads(self.rfile.read(length).decode('utf-8') or '{}')
        with server.lock:
            server.bodies.append(body)
        if server.before_token is not None:
            server.before_token()
        if server.mode == 'error':
            return self._json(500, {'message': 'internal'}, 'InternalServerException')
        if self.path != '/token':
            return self._send(404)
        client = server.refresh_tokens.get(body.get('refreshToken'))
        if body.get('grantType') != 'refresh_token' or client is None or \
                client != (body.get('clientId'), body.get('clientSecret')):
            return self._json(400, {'error': 'invalid_grant', 'error_description': 'Invalid grant'},
                              'InvalidGrantException')
        with server.lock:
            server.renewals += 1
            number = server.renewals
            access, refresh = 'renewed-access-token-%d' % number, 'renewed-refresh-token-%d' % number
            server.access_tokens.add(access)
            del server.refresh_tokens[body['refreshToken']]
            server.refresh_tokens[refresh] = client
        return self._json(200, {'accessToken': access, 'tokenType': 'Bearer',
                                'expiresIn': server.expires_in, 'refreshToken': refresh})


def _rotate(server):
    with server.lock:
        server.serving += 1


class _ThreadingServer(ThreadingMixIn, HTTPServer):
    # one thread per request: a 'silent-put' must not block the GET that follows
    daemon_threads = True


@contextlib.contextmanager
def _serve(handler, credentials, **attributes):
    attributes.update(credentials=list(credentials), serving=0, served=0, requests=[],
                      lock=threading.Lock(), mode='ok', pause=0.5, stop=threading.Event())
    attributes.setdefault('role', ROLE)
    with serving(handler, server_class=_ThreadingServer, **attributes) as server:
        server.url = 'http://127.0.0.1:%d/' % server.server_port
        server.rotate = lambda: _rotate(server)
        try:
            yield server
        finally:
            server.stop.set()   # a trickling answer stops, so shutdown() does not wait for it


def imds(credentials, silence=3.0):
    """An IMDSv2 emulator on 127.0.0.1 serving ``credentials`` (Tokens), one after another."""
    return _serve(_ImdsHandler, credentials, sessions=set(), issued=0, silence=silence)


def container_endpoint(credentials, authorization=None):
    """A container credentials endpoint on 127.0.0.1; checks ``Authorization`` when given."""
    return _serve(_ContainerHandler, credentials, authorization=authorization)


def sso_portal(roles, access_tokens=(), refresh_tokens=None, expires_in=28800):
    """An IAM Identity Center portal + SSO OIDC emulator on 127.0.0.1 (see the module docstring).

    Usage: ``with sso_portal({('111122223333', 'dev'): [token]}, ['cached-token']) as server:``
    then ``environ['AWS_ENDPOINT_URL_SSO'] = server.url.rstrip('/')``.
    """
    return _serve(_SsoHandler, [], roles=dict(roles), access_tokens=set(access_tokens),
                  refresh_tokens=dict(refresh_tokens or {}), renewals=0, bodies=[],
                  expires_in=expires_in, before_token=None)
