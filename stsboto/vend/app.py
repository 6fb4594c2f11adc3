"""The token-vending WSGI application (PEP 3333; no web framework).

Usage::

    from stsboto.vend import VendApp, load_config
    app = VendApp(load_config('vend.ini'))        # any WSGI server: gunicorn, uWSGI, mod_wsgi
    app.reload(load_config('vend.ini'))           # after editing the file (SIGHUP does this)

It speaks the container-credentials protocol the AWS SDKs read
(``AWS_CONTAINER_CREDENTIALS_FULL_URI`` plus ``AWS_CONTAINER_AUTHORIZATION_TOKEN``):

* ``GET`` any path with ``Authorization: SECRET`` (or ``Bearer SECRET``): 200 and
  ``{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`` for that
  caller's grant, built here from the configuration, never from the request;
* no or an unknown secret: 401 and a JSON error, no STS call; an address with
  many 401s gets 429 with ``Retry-After`` for a while, before any check;
* plain http from anywhere but loopback: 403, unless the request came through
  a ``trusted_proxies`` address with ``X-Forwarded-Proto: https``;
* STS failing and no still-valid credentials: 503 with ``Retry-After``;
* ``GET /healthz``: 200; ``GET /metrics``: Prometheus text, to loopback and
  ``metrics_from`` only.

One audit line per issuance on the ``stsboto.vend.audit`` logger: caller,
grant, duration, remote address and access key id (never the secret key or
the session token).
"""
from __future__ import absolute_import, division, unicode_literals

import json
import logging
import math
import threading
import time

import six

from stsboto._compat import utcnow
from stsboto.token import format_expiration
from stsboto.vend.cache import CredentialCache, Unavailable
from stsboto.vend.config import is_loopback
from stsboto.vend.metrics import Metrics

__all__ = ['VendApp', 'make_issuer', 'FailureLimiter']

log = logging.getLogger('stsboto.vend')
audit = logging.getLogger('stsboto.vend.audit')

_JSON = str('application/json')
_STATUS = {200: '200 OK', 401: '401 Unauthorized', 403: '403 Forbidden', 404: '404 Not Found',
           405: '405 Method Not Allowed', 429: '429 Too Many Requests',
           503: '503 Service Unavailable'}


def make_issuer(config, **connect_kwargs):
    """``issue(caller) -> Token``: the STS call of ``config.mode`` with the caller's grant.

    The issuer's credentials come from the credential chain (the ``sts``
    functions look them up when no keys are passed); ``connect_kwargs`` go to
    them (``endpoint_url=``, ``retries=``, ...).
    """
    from stsboto import sts
    connect_kwargs.setdefault('retries', 1)
    connect_kwargs.setdefault('connect_timeout', 3.0)

    def issue(caller):
        if config.mode == 'federation':
            return sts.issue_token(policy=caller.policy, name=caller.name, duration=caller.duration,
                                   region=config.region, **connect_kwargs)
        return sts.assume_role(config.role_arn, caller.name, policy=caller.policy,
                               duration=caller.duration, region=config.region, **connect_kwargs)
    return issue


class FailureLimiter(object):
    """Slows down an address that keeps sending unknown secrets.

    After :attr:`free` 401s within :attr:`window` seconds, the address is
    refused (429, before its secret is even looked at) for 1 s, then 2 s, 4 s,
    ... at most :attr:`max_penalty` s per further failure; it is forgotten
    once it has had no failure for :attr:`window` seconds.  At most
    :attr:`max_addresses` are remembered (the oldest go first).
    """

    free = 5
    window = 900.0
    max_penalty = 300.0
    max_addresses = 10000

    def __init__(self, clock=time.time):
        self.clock = clock
        self._lock = threading.Lock()
        self._failures = {}  # address -> [count, last failure, blocked until]

    def blocked(self, address):
        """Seconds (int, >= 1) the address must wait, or 0."""
        record = self._failures.get(address)
        if record is None:
            return 0
        now = self.clock()
        if now - record[1] > self.window:
            with self._lock:
                self._failures.pop(address, None)
            return 0
        left = record[2] - now
        return int(math.ceil(left)) if left > 0 else 0

    def failed(self, address):
        now = self.clock()
        with self._lock:
            record = self._failures.get(address)
            if record is None or now - record[1] > self.window:
                if len(self._failures) >= self.max_addresses:
                    oldest = min(self._failures, key=lambda a: self._failures[a][1])
                    del self._failures[oldest]
                record = self._failures[address] = [0, now, now]
            record[0] += 1
            record[1] = now
            over = record[0] - self.free
            if over > 0:
                record[2] = now + min(self.max_penalty, 2.0 ** (over - 1))


class VendApp(object):
    """The WSGI callable.

    :param config: a :class:`stsboto.vend.config.VendConfig`.
    :param issue: ``issue(caller) -> Token`` (default: :func:`make_issuer`).
    :param clock: ``clock() -> aware UTC datetime``, for the cache (default: the system clock).
    :param metrics: a :class:`stsboto.vend.metrics.Metrics` (default: a new one).
    :param limiter: a :class:`FailureLimiter` (default: a new one).
    """

    def __init__(self, config, issue=None, clock=None, metrics=None, limiter=None, timer=None):
        self.config = config
        self.metrics = metrics if metrics is not None else Metrics()
        self.limiter = limiter if limiter is not None else FailureLimiter()
        self.timer = timer or time.time
        self.cache = CredentialCache(issue or make_issuer(config), clock=clock or utcnow,
                                     on_error=self._sts_error)

    def reload(self, config):
        """Serve ``config`` from now on; cached credentials of removed callers or changed
        grants are forgotten (credentials already issued stay valid until they expire)."""
        self.config = config
        self.cache.retain(config.callers.values())

    def _sts_error(self, caller, error):
        self.metrics.count('sts_errors')
        log.warning('STS refused or failed for caller %s: %s', caller.name, error)

    # -- WSGI ----------------------------------------------------------------------

    def __call__(self, environ, start_response):
        started = self.timer()
        try:
            status, headers, body = self._answer(environ)
        except Exception:  # noqa: B902  (one line in the log, a plain 500 to the client)
            log.exception('vend: unexpected error')
            status, headers, body = 500, [], {'code': 'InternalError',
                                              'message': 'the service failed; see its log'}
        if isinstance(body, dict):
            body = json.dumps(body, separators=(',', ':')).encode('utf-8')
            headers = [(str('Content-Type'), _JSON)] + headers
        headers += [(str('Content-Length'), str(len(body))), (str('Cache-Control'), str('no-store'))]
        start_response(str(_STATUS.get(status, '500 Internal Server Error')), headers)
        self.metrics.observe(self.timer() - started)
        return [body]

    def _answer(self, environ):
        method = environ.get('REQUEST_METHOD', 'GET')
        path = environ.get('PATH_INFO', '') or '/'
        remote = environ.get('REMOTE_ADDR', '')
        config = self.config
        if method != 'GET':
            return 405, [(str('Allow'), str('GET'))], _error('MethodNotAllowed', 'only GET')
        if path == '/healthz':
            return 200, [], {'status': 'ok'}  # nothing about the callers: anyone may ask
        if path == '/metrics':
            if not config.may_read_metrics(remote):
                return 403, [], _error('Forbidden', '/metrics answers loopback and metrics_from '
                                                    'addresses only')
            body, content_type = self.metrics.render()
            return 200, [(str('Content-Type'), str(content_type))], body
        client = self._client_address(environ, remote, config)
        if not self._secure(environ, remote, config):
            return 403, [], _error('HttpsRequired', 'use https: plain http is answered only on '
                                                    'loopback')
        wait = self.limiter.blocked(client)
        if wait:
            return 429, [(str('Retry-After'), str(wait))], _error(
                'TooManyRequests', 'too many unknown secrets from this address; retry later')
        caller = config.caller_for_secret(_secret(environ.get('HTTP_AUTHORIZATION')))
        if caller is None:
            self.limiter.failed(client)
            self.metrics.count('unauthorized')
            return 401, [(str('WWW-Authenticate'), str('Bearer'))], _error(
                'Unauthorized', 'send the caller\'s secret as the Authorization header')
        try:
            token, issued = self.cache.get(caller)
        except Unavailable as error:
            return 503, [(str('Retry-After'), str(error.retry_after))], _error(
                'ServiceUnavailable', 'STS cannot issue credentials now; retry later')
        if issued:
            self.metrics.count('issuances', caller=caller.name)
            audit.info('issued caller=%s grant=%s duration=%d remote=%s access_key=%s expires=%s',
                       caller.name, caller.grant(), caller.duration, client, token.access_key,
                       format_expiration(token.expiration))
        else:
            self.metrics.count('cache_hits', caller=caller.name)
        return 200, [], {'AccessKeyId': token.access_key, 'SecretAccessKey': token.secret_key,
                         'Token': token.session_token,
                         'Expiration': format_expiration(token.expiration.replace(microsecond=0))}

    @staticmethod
    def _secure(environ, remote, config):
        if environ.get('wsgi.url_scheme') == 'https' or is_loopback(remote):
            return True
        proto = environ.get('HTTP_X_FORWARDED_PROTO', '').split(',')[-1].strip().lower()
        return proto == 'https' and config.trusted_proxy(remote)

    @staticmethod
    def _client_address(environ, remote, config):
        """The address to slow down and log: through trusted proxies, the last
        ``X-Forwarded-For`` hop that is not one of them."""
        if not config.trusted_proxy(remote):
            return remote
        hops = [h.strip() for h in environ.get('HTTP_X_FORWARDED_FOR', '').split(',') if h.strip()]
        for hop in reversed(hops):
            if not config.trusted_proxy(hop):
                return hop
        return remote


def _secret(header):
    if not header:
        return None
    if isinstance(header, six.binary_type):
        header = header.decode('latin-1')
    header = header.strip()
    if header[:7].lower() == 'bearer ':
        header = header[7:].strip()
    return header or None


def _error(code, message):
    return {'code': code, 'message': message}
