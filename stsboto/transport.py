"""One transport for every connection stsboto makes or patches.

Usage::

    from stsboto import transport
    policy = transport.policy()                 # AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, profile, boto
    policy.max_attempts, policy.mode            # (3, 'standard') unless configured
    transport.send(conn, request)               # boto's AWSAuthConnection._mexe, replaced

What it owns (urllib3 1.26's ``Retry`` is the model: one policy object that
every connection consults):

* **Attempts and backoff.**  :class:`RetryPolicy`: the AWS SDKs' retry modes
  with botocore's meaning (``botocore/retries/standard.py``, ``quota.py``):
  which answers are throttling (``Throttling``, ``SlowDown``, ...) or transient
  (500/502/503/504, ``RequestTimeout``, a connection dropped mid-answer),
  backoff ``random() * min(2 ** (attempt - 1), 20)`` seconds, the retry quota
  (500, a retry costs 5, 10 after a timeout; a success refunds).  Our default
  is ``standard`` with 3 attempts (the AWS SDKs and Tools Reference Guide's
  standard mode; botocore itself still defaults to ``legacy``).
* **Fail fast.**  A refused connection or a host name that does not resolve is
  not retried: it raises :class:`stsboto.exceptions.EndpointConnectionError`
  at once, naming the endpoint and the port actually used (boto retried it 6
  times, sleeping up to 2**i seconds after each).
* **Timeouts.**  ``connect_timeout`` for the TCP connection, the proxy's
  ``CONNECT`` and the TLS handshake; then boto's read timeout
  (``[Boto] http_socket_timeout``).
* **TLS.**  One ``ssl.SSLContext`` per CA bundle: ``AWS_CA_BUNDLE``, else the
  profile's ``ca_bundle``, else boto's ``[Boto] ca_certificates_file``, else
  the system's store; SNI and the hostname check on every Python (boto's
  ``CertValidatingHTTPSConnection`` sends no SNI on 2.7).
* **Proxies.**  ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``NO_PROXY`` in both cases,
  read as botocore reads them (the standard library's ``getproxies`` and
  ``proxy_bypass``), ``CONNECT`` tunnels for HTTPS, credentials in the proxy
  URL sent as ``Proxy-Authorization`` and masked in every message.
* **Redirects.**  None are followed here: a connection that may be redirected
  (S3, :mod:`stsboto.redirects`) passes a ``redirector`` that decides, and
  everything else gets its 3xx answer back (boto followed any ``Location``
  and signed again for whatever host it named).
"""
from __future__ import absolute_import, division, unicode_literals

import base64
import datetime
import errno
import logging
import math
import os
import random as _random_module
import re
import socket
import ssl
import threading
import time

import six
from six.moves import http_client
from six.moves.urllib.parse import unquote, urlsplit

from stsboto._boto import boto
from stsboto._compat import getproxies_environment, proxy_bypass_environment
from stsboto.config import Settings
from stsboto.exceptions import EndpointConnectionError, InvalidParameterError, StsbotoError
from stsboto.logfilter import mask_secrets

import boto.connection  # noqa: E402  (stsboto._boto made boto importable)
import boto.exception  # noqa: E402
import boto.utils  # noqa: E402

__all__ = ['RetryPolicy', 'RetryQuota', 'RateLimiter', 'rate_limiter', 'policy', 'policy_for', 'send',
           'new_http_connection',
           'tls_context', 'ca_bundle', 'proxy_for', 'Proxy', 'attempts_override', 'unreachable',
           'MODES',
           'DEFAULT_MODE', 'DEFAULT_MAX_ATTEMPTS', 'LEGACY_MAX_ATTEMPTS', 'DEFAULT_CONNECT_TIMEOUT',
           'MAX_BACKOFF', 'THROTTLING_CODES', 'THROTTLING_STATUSES', 'TRANSIENT_CODES',
           'TRANSIENT_STATUSES']

log = logging.getLogger(__name__)

#: The retry modes of the AWS SDKs (``AWS_RETRY_MODE`` / ``retry_mode``).
MODES = ('legacy', 'standard', 'adaptive')
#: stsboto's default mode: the AWS SDKs and Tools Reference Guide's default
#: (botocore itself still defaults to ``legacy``).
DEFAULT_MODE = 'standard'
#: Attempts (the first one included) in ``standard`` and ``adaptive`` mode.
DEFAULT_MAX_ATTEMPTS = 3
#: Attempts in ``legacy`` mode (botocore's ``_retry.json``: 4 retries).
LEGACY_MAX_ATTEMPTS = 5
#: Seconds to wait for a TCP connection (and a proxy's CONNECT, and the TLS
#: handshake); answers are then waited for as long as boto's
#: ``[Boto] http_socket_timeout`` says (70 s by default).
DEFAULT_CONNECT_TIMEOUT = 10
#: The longest backoff in standard and adaptive mode (botocore ExponentialBackoff).
MAX_BACKOFF = 20
#: boto 2's own cap (``[Boto] max_retry_delay``), the legacy mode's.
LEGACY_MAX_BACKOFF = 60
#: Error codes that mean "slow down" (botocore ThrottledRetryableChecker).
THROTTLING_CODES = frozenset([
    'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottledException',
    'TooManyRequestsException', 'ProvisionedThroughputExceededException',
    'TransactionInProgressException', 'RequestLimitExceeded', 'BandwidthLimitExceeded',
    'LimitExceededException', 'RequestThrottled', 'SlowDown', 'PriorRequestNotComplete',
    'EC2ThrottledException'])
#: Error codes that may succeed when sent again (botocore TransientRetryableChecker).
TRANSIENT_CODES = frozenset(['RequestTimeout', 'RequestTimeoutException', 'PriorRequestNotComplete'])
#: Statuses that may succeed when sent again.  Never a 4xx: it cannot succeed
#: unchanged (throttling is recognised by its code, not its status).
TRANSIENT_STATUSES = frozenset([500, 502, 503, 504])

#: Statuses that mean "slow down" whatever the body says (botocore 1.44
#: ThrottlingStatusCodeChecker: 429, also with an empty body).
THROTTLING_STATUSES = frozenset([429])

THROTTLING, TRANSIENT, TIMEOUT = 'throttling', 'transient', 'timeout'

_BOTO_NEW_HTTP_CONNECTION = boto.connection.AWSAuthConnection.__dict__['new_http_connection']
_CODE = re.compile(br'<Code>([^<]{1,128})</Code>')
_JSON_TYPE = re.compile(br'"(?:__type|code)"\s*:\s*"(?:[^"#]*#)?([^"]{1,128})"')
_override = threading.local()
# http.client's CONNECT failure ("Tunnel connection failed: 407 Proxy Authentication
# Required"): a proxy that wants other credentials, or forbids the host, says so every time.
_TUNNEL_REFUSED = re.compile(r'Tunnel connection failed: (400|403|405|407)\b')
_sleep = time.sleep               # the default sleep; tests pass their own to RetryPolicy
_random = _random_module.random   # the default jitter; likewise


# -- the retry policy -------------------------------------------------------------------

class _Picklable(object):
    """Pickles without its lock (a new one when loaded): connections that hold a
    retry quota, a rate limiter or a redirector pickle as boto's own do (issue 18)."""

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop('_lock', None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()


class RetryQuota(_Picklable):
    """botocore's retry quota: 500 units; a retry takes 5 (10 after a timeout), a
    success gives back what its retry took (1 when there was none).  When the quota
    is spent, failures are reported at once instead of retried: a service that
    fails every request is not hammered further."""

    INITIAL_CAPACITY = 500
    RETRY_COST = 5
    TIMEOUT_RETRY_COST = 10
    NO_RETRY_INCREMENT = 1

    def __init__(self, capacity=INITIAL_CAPACITY):
        self.max_capacity = self.available = capacity
        self._lock = threading.Lock()

    def acquire(self, kind):
        cost = self.TIMEOUT_RETRY_COST if kind == TIMEOUT else self.RETRY_COST
        with self._lock:
            if cost > self.available:
                return 0
            self.available -= cost
            return cost

    def release(self, amount):
        if self.available == self.max_capacity:
            return
        with self._lock:
            self.available = min(self.max_capacity, self.available + amount)


class RetryPolicy(object):
    """How many attempts a request gets, which failures are retried, how long to wait.

    Usage: ``RetryPolicy(max_attempts=3, mode='standard', sleep=time.sleep)``

    :param int max_attempts: attempts, the first one included (1 = no retry).
    :param str mode: ``legacy``, ``standard`` or ``adaptive`` (see :data:`MODES`).
    :param max_backoff: the longest wait between attempts, in seconds; default
        :data:`MAX_BACKOFF` (``legacy``: :data:`LEGACY_MAX_BACKOFF`).
    :param sleep: ``sleep(seconds)``; default ``time.sleep``.
    :param random: ``random()`` in [0, 1) for the jitter; default ``random.random``.
    :param quota: a :class:`RetryQuota` to share; default one per policy
        (``legacy`` has none, as in botocore).
    :param where: ``{setting: where it came from}``, for messages.
    :param limiter: ``adaptive`` mode's :class:`RateLimiter`; default: the
        endpoint's, shared by every connection of the process.
    """

    def __init__(self, max_attempts=None, mode=DEFAULT_MODE, max_backoff=None, sleep=None,
                 random=None, quota=None, where=None, limiter=None):
        if mode not in MODES:
            raise InvalidParameterError('retry mode must be one of %s, not %r'
                                        % (', '.join(MODES), mode), 'retry_mode')
        if max_attempts is None:
            max_attempts = LEGACY_MAX_ATTEMPTS if mode == 'legacy' else DEFAULT_MAX_ATTEMPTS
        self.max_attempts = _whole(max_attempts, 'max_attempts', 1)
        self.mode = mode
        if max_backoff is None:
            max_backoff = LEGACY_MAX_BACKOFF if mode == 'legacy' else MAX_BACKOFF
        self.max_backoff = _seconds(max_backoff, 'max_retry_delay')
        self._sleep = sleep
        self._random = random
        self.quota = quota if quota is not None else (None if mode == 'legacy' else RetryQuota())
        self.where = dict(where or {})
        self.limiter = limiter  # adaptive mode: None = the endpoint's (rate_limiter)

    def __repr__(self):
        return 'RetryPolicy(max_attempts=%d, mode=%r)' % (self.max_attempts, self.mode)

    def with_attempts(self, max_attempts):
        """A copy with another attempt budget (same quota, sleep and jitter)."""
        clone = RetryPolicy(max_attempts, self.mode, self.max_backoff, self._sleep, self._random,
                            self.quota, self.where, self.limiter)
        return clone

    def classify(self, status=None, code=None, error=None):
        """``'throttling'``, ``'transient'``, ``'timeout'`` or None (not retryable).

        :param int status: the HTTP status of an answer.
        :param str code: the AWS error code in its body (or None).
        :param error: the exception raised instead of an answer.
        """
        if error is not None:
            if isinstance(error, EndpointConnectionError) and getattr(error, 'final', False):
                return None
            if isinstance(error, socket.timeout) or isinstance(getattr(error, 'cause', None),
                                                               socket.timeout):
                return TIMEOUT
            if isinstance(error, (socket.error, IOError, http_client.HTTPException)):
                return TRANSIENT
            return None
        if code in THROTTLING_CODES or status in THROTTLING_STATUSES:
            return THROTTLING
        if code in TRANSIENT_CODES or status in TRANSIENT_STATUSES:
            return TRANSIENT
        return None

    def backoff(self, attempt):
        """Seconds to wait after failed attempt number ``attempt`` (1 for the first)."""
        jitter = (self._random or _random)()
        return jitter * min(2 ** (attempt - 1), self.max_backoff)

    def sleep(self, seconds):
        (self._sleep or _sleep)(seconds)

    def acquire(self, kind):
        """Take the quota one retry costs; 0 when spent (then the failure is final)."""
        if self.quota is None:
            return -1
        return self.quota.acquire(kind)

    def release(self, acquired):
        if self.quota is not None:
            self.quota.release(acquired if acquired > 0 else RetryQuota.NO_RETRY_INCREMENT)


class RateLimiter(_Picklable):
    """``adaptive`` mode's client-side rate limiter, one per endpoint per process.

    botocore's (``retries/adaptive.py``, ``bucket.py``, ``throttling.py``): off
    until an endpoint first throttles; from then on every attempt takes a token
    from a bucket that fills at a rate CUBIC adjusts (cut to 70 % of the
    measured send rate on each throttling answer, growing back along a cubic
    curve), never more than twice the measured rate, never below 0.5 per second.

    :param clock: ``clock()`` in seconds; default ``time.time``.
    :param sleep: ``sleep(seconds)`` while waiting for a token; default ``time.sleep``.
    """

    MIN_RATE = 0.5
    BETA = 0.7
    SCALE = 0.4
    SMOOTHING = 0.8
    BUCKET_SECONDS = 0.5

    def __init__(self, clock=None, sleep=None):
        self.clock = clock or time.time
        self._sleep = sleep
        self.enabled = False
        self._lock = threading.Lock()
        now = self.clock()
        self.w_max, self.k, self.last_fail = 0.0, 0.0, now          # CUBIC
        self.measured, self.count = 0.0, 0                           # send rate
        self.last_bucket = math.floor(now)
        self.fill_rate = self.max_capacity = None                    # token bucket
        self.capacity, self.last_refill = 0.0, None
        self._set_max_rate(1)

    def _refill(self):
        now = self.clock()
        if self.last_refill is not None:
            self.capacity = min(self.max_capacity,
                                self.capacity + (now - self.last_refill) * self.fill_rate)
        self.last_refill = now

    def _set_max_rate(self, value):
        self._refill()
        self.fill_rate = max(value, self.MIN_RATE)
        self.max_capacity = value if value >= 1 else 1
        self.capacity = min(self.capacity, self.max_capacity)

    def before_send(self):
        """Take a token, waiting for one once the endpoint has throttled."""
        while self.enabled:
            with self._lock:
                self._refill()
                if self.capacity >= 1:
                    self.capacity -= 1
                    return
                wait = (1 - self.capacity) / self.fill_rate
            (self._sleep or _sleep)(wait)

    def after_answer(self, throttled):
        """Record one answer (or failure): the send rate, and CUBIC's new rate."""
        with self._lock:
            now = self.clock()
            scale = 1 / self.BUCKET_SECONDS
            bucket = math.floor(now * scale) / scale
            self.count += 1
            if bucket > self.last_bucket:
                rate = self.count / float(bucket - self.last_bucket)
                self.measured = rate * self.SMOOTHING + self.measured * (1 - self.SMOOTHING)
                self.count, self.last_bucket = 0, bucket
            if not throttled:
                new_rate = self.SCALE * (now - self.last_fail - self.k) ** 3 + self.w_max
            else:
                use = self.measured if not self.enabled else min(self.measured, self.fill_rate)
                self.w_max = use
                self.k = (use * (1 - self.BETA) / self.SCALE) ** (1 / 3.0)
                self.last_fail = now
                new_rate = use * self.BETA
                self.enabled = True
            self._set_max_rate(min(new_rate, 2 * self.measured))


_limiters = {}
_limiters_lock = threading.Lock()


def rate_limiter(endpoint):
    """The :class:`RateLimiter` of ``endpoint`` (``scheme://host:port``), made on first use."""
    found = _limiters.get(endpoint)
    if found is None:
        with _limiters_lock:
            found = _limiters.setdefault(endpoint, RateLimiter())
    return found


def _whole(value, field, low, text=True):
    if text and isinstance(value, six.string_types):
        try:
            value = int(value.strip())
        except ValueError:
            raise InvalidParameterError('%s must be a whole number, not %r' % (field, value), field)
    if isinstance(value, bool) or not isinstance(value, six.integer_types) or not low <= value <= 100:
        raise InvalidParameterError('%s must be a whole number from %d to 100' % (field, low), field)
    return value


def _seconds(value, field):
    if isinstance(value, six.string_types):
        try:
            value = float(value.strip())
        except ValueError:
            raise InvalidParameterError('%s must be a number of seconds, not %r' % (field, value),
                                        field)
    if isinstance(value, bool) or not isinstance(value, six.integer_types + (float,)) or \
            not 0 <= value < float('inf'):
        raise InvalidParameterError('%s must be a finite number of seconds, 0 or more' % field,
                                    field)
    return value


class attempts_override(object):
    """``with attempts_override(n): ...``: every request of this thread gets ``n``
    attempts, whatever the environment says (the CLI's ``--retries``)."""

    def __init__(self, max_attempts):
        self.max_attempts = None if max_attempts is None else _whole(max_attempts, 'retries', 1)

    def __enter__(self):
        self.saved = getattr(_override, 'max_attempts', None)
        if self.max_attempts is not None:
            _override.max_attempts = self.max_attempts
        return self

    def __exit__(self, *exc_info):
        _override.max_attempts = self.saved
        return False


def _boto_option(section, option):
    """boto 2's config value (the live ``boto.config``: what boto itself reads,
    changes made in-process included), or None."""
    value = boto.config.get(section, option, None)
    return value.strip() if isinstance(value, six.string_types) and value.strip() else None


class _Lenient(object):
    """Settings whose shared files, when they cannot be read, count as unset: a
    missing or broken credentials file is the credential chain's to report (it
    does, naming the file); the transport's settings then come from the
    environment and boto's config."""

    def __init__(self, settings):
        self.settings = settings

    def lookup(self, key=None, env=None, boto=None, explicit=None):
        try:
            return self.settings.lookup(key, env, boto, explicit)
        except StsbotoError:
            return self.settings.lookup(None, env, boto, explicit)


def policy(retries=None, environ=None, profile=None, settings=None, sleep=None, random=None):
    """The :class:`RetryPolicy` the settings ask for.

    Precedence, highest first: ``retries`` (attempts = retries + 1), the
    CLI's ``--retries`` (:class:`attempts_override`), ``AWS_MAX_ATTEMPTS``, the
    profile's ``max_attempts``, boto's ``[Boto] num_retries`` (+ 1), the
    mode's default.  The mode: ``AWS_RETRY_MODE``, the profile's
    ``retry_mode``, :data:`DEFAULT_MODE`.  The longest wait:
    ``[Boto] max_retry_delay``, else the mode's.

    :raises InvalidParameterError: a value is not a number or not a mode
        (the message names the variable or key).
    """
    settings = _Lenient(settings or Settings(environ, profile))
    where = {}
    mode, where['mode'] = settings.lookup(key='retry_mode', env='AWS_RETRY_MODE')
    mode = (mode or DEFAULT_MODE).strip().lower()
    if mode not in MODES:
        raise InvalidParameterError('%s must be one of %s, not %r' % (
            where['mode'], ', '.join(MODES), mode), where['mode'])
    attempts = None
    if retries is not None:
        attempts, where['attempts'] = _whole(retries, 'retries', 0, text=False) + 1, 'argument'
    elif getattr(_override, 'max_attempts', None) is not None:
        attempts, where['attempts'] = _override.max_attempts, '--retries'
    else:
        value, source = settings.lookup(key='max_attempts', env='AWS_MAX_ATTEMPTS')
        if value is not None:
            attempts, where['attempts'] = _whole(value, source, 1), source
        else:
            value = _boto_option('Boto', 'num_retries')
            if value is not None:
                source = 'boto config [Boto] num_retries'
                attempts, where['attempts'] = _whole(value, source, 0) + 1, source
    delay = _boto_option('Boto', 'max_retry_delay')
    max_backoff = None if delay is None else _seconds(delay, '[Boto] max_retry_delay')
    return RetryPolicy(attempts, mode, max_backoff, sleep=sleep, random=random, where=where)


def policy_for(conn):
    """The policy of a boto connection: its own (``conn.stsboto_policy``), else one
    read from the settings when the connection first sends, kept with it."""
    found = getattr(conn, 'stsboto_policy', None)
    if found is None:
        found = policy()
        conn.stsboto_policy = found
    return found


# -- errors -------------------------------------------------------------------------------

# What a socket says when nothing listens or the host does not exist: no point trying again.
_FINAL_ERRNOS = frozenset(getattr(errno, name) for name in (
    'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'EADDRNOTAVAIL')
    if hasattr(errno, name))


# ... and what it says when the endpoint did not answer in time either.
_UNREACHABLE_ERRNOS = _FINAL_ERRNOS | frozenset(getattr(errno, name) for name in ('ETIMEDOUT',)
                                                if hasattr(errno, name))


def unreachable(error):
    """True for a socket error that says the endpoint cannot be reached at all
    (refused, unresolvable, unreachable, or no connection in time)."""
    if isinstance(error, (socket.gaierror, socket.herror, socket.timeout)):
        return True
    return isinstance(error, EnvironmentError) and error.errno in _UNREACHABLE_ERRNOS


def _final(error):
    if isinstance(error, (socket.gaierror, socket.herror)):
        return True
    return isinstance(error, EnvironmentError) and error.errno in _FINAL_ERRNOS and \
        not isinstance(error, socket.timeout)


def _connect_error(error, endpoint, proxy, seconds):
    if isinstance(error, (socket.gaierror, socket.herror)):
        why = 'its host name does not resolve'
    elif isinstance(error, socket.timeout):
        why = 'no connection within %s s' % seconds
    elif isinstance(error, ssl.SSLError) or type(error).__name__ == 'CertificateError':
        why = 'the TLS handshake failed'
    elif getattr(error, 'errno', None) == errno.ECONNREFUSED:
        why = 'the connection was refused'
    elif _TUNNEL_REFUSED.search(six.text_type(error)):
        why = 'the proxy refused the tunnel'
    else:
        why = 'no connection'
    via = ' through the proxy %s' % proxy.display if proxy is not None else ''
    new = EndpointConnectionError('could not connect to %s%s: %s (%s: %s)' % (
        endpoint, via, why, type(error).__name__, mask_secrets(six.text_type(error))),
        endpoint=endpoint, cause=error)
    new.final = _final(error) or isinstance(error, ssl.SSLError) or \
        type(error).__name__ == 'CertificateError' or \
        bool(_TUNNEL_REFUSED.search(six.text_type(error)))
    return new


# -- TLS ------------------------------------------------------------------------------------

_contexts = {}
_contexts_lock = threading.Lock()


def ca_bundle(settings=None, conn=None):
    """``(path, where)`` of the CA bundle in force, or ``(None, None)`` for the system's.

    botocore's precedence (``AWS_CA_BUNDLE``, then the profile's ``ca_bundle``),
    then boto's ``[Boto] ca_certificates_file`` when the boto config sets it.
    """
    value, where = _Lenient(settings or Settings()).lookup(key='ca_bundle', env='AWS_CA_BUNDLE')
    if value is not None:
        return os.path.expanduser(value), where
    value = _boto_option('Boto', 'ca_certificates_file')
    if value is not None:
        return os.path.expanduser(value), 'boto config [Boto] ca_certificates_file'
    return None, None


def tls_context(bundle=None, verify=True):
    """The ``ssl.SSLContext`` for ``bundle`` (one per bundle per process).

    Certificates checked against ``bundle`` (else the system's store) and the
    host name checked, with SNI, on every Python; ``verify=False`` (boto's
    ``validate_certs=False``) checks nothing.
    """
    key = (bundle, bool(verify))
    context = _contexts.get(key)
    if context is not None:
        return context
    with _contexts_lock:
        if key not in _contexts:
            if verify:
                if bundle is not None and not os.path.isfile(bundle):
                    raise InvalidParameterError('the CA bundle %s is not a file' % bundle,
                                                'ca_bundle')
                context = ssl.create_default_context(cafile=bundle)
            else:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            _contexts[key] = context
        return _contexts[key]


# -- proxies --------------------------------------------------------------------------------

class Proxy(object):
    """A proxy: ``host``, ``port``, and the ``Proxy-Authorization`` its URL's user
    and password make (never shown: :attr:`display` masks the password)."""

    def __init__(self, url):
        if '://' not in url:
            url = 'http://' + url  # botocore: "host:port" means http
        parts = urlsplit(url)
        if parts.scheme not in ('http', 'https') or not parts.hostname:
            raise InvalidParameterError('a proxy URL must be http://[user:password@]host[:port]',
                                        'proxy')
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == 'https' else 80)
        self.authorization = None
        shown = '%s:%d' % (self.host, self.port)
        if parts.username is not None:
            pair = '%s:%s' % (unquote(parts.username), unquote(parts.password or ''))
            self.authorization = 'Basic ' + base64.b64encode(pair.encode('utf-8')).decode('ascii')
            shown = '%s:***@%s' % (unquote(parts.username), shown)
        self.display = 'http://' + shown

    def __repr__(self):
        return 'Proxy(%r)' % str(self.display)


def proxy_for(scheme, host, environ=None):
    """The :class:`Proxy` a request to ``scheme://host`` goes through, or None.

    As botocore reads it (``botocore.utils.get_environ_proxies``): the standard
    library's ``getproxies`` (``HTTPS_PROXY``, ``HTTP_PROXY``, lower case wins
    when both are set; ``HTTP_PROXY`` ignored when ``REQUEST_METHOD`` is set, so
    that a CGI request header cannot steer it) and ``NO_PROXY`` (host and
    domain suffix, ``*`` for all).
    """
    environ = os.environ if environ is None else environ
    found = _environ_proxies(environ)
    url = found.get(scheme)
    if not url:
        return None
    no_proxy = found.get('no')
    if no_proxy and _bypass(host, no_proxy):
        return None
    return Proxy(url)


def _environ_proxies(environ):
    if environ is os.environ:
        return getproxies_environment()
    # the standard library's rule, on another mapping
    found = {}
    for name, value in environ.items():
        if value and name.lower().endswith('_proxy'):
            found[name.lower()[:-6]] = value
    if 'REQUEST_METHOD' in environ:
        found.pop('http', None)
    for name, value in environ.items():
        if name.endswith('_proxy') and name.islower():
            key = name[:-6]
            if value:
                found[key] = value
            else:
                found.pop(key, None)
    return found


def _bypass(host, no_proxy):
    try:
        return bool(proxy_bypass_environment(host, {'no': no_proxy}))
    except TypeError:
        # Python 2's proxy_bypass_environment reads os.environ only: the same
        # rule as Python 3's (host or domain suffix, a leading dot ignored, * for all)
        if no_proxy.strip() == '*':
            return True
        name = host.lower().split(':')[0]
        for entry in no_proxy.split(','):
            entry = entry.strip().lstrip('.').lower()
            if entry and (name == entry or name.endswith('.' + entry)):
                return True
        return False


def _boto_proxy(conn, host):
    """The proxy given to boto itself (``proxy=`` or ``[Boto] proxy``), or None.

    boto also reads lower-case ``http_proxy`` into ``conn.proxy`` and uses it for
    HTTPS too; that one is left to :func:`proxy_for`, which reads it as botocore does.
    """
    name = getattr(conn, 'proxy', None)
    if not name:
        return None
    env = os.environ.get('http_proxy')
    if env and name in env:
        return None
    if conn.skip_proxy(host):
        return None
    url = '%s:%s' % (name, conn.proxy_port or 80)
    user = getattr(conn, 'proxy_user', None)
    if user:
        from six.moves.urllib.parse import quote
        url = '%s:%s@%s' % (quote(user, safe=''), quote(conn.proxy_pass or '', safe=''), url)
    return Proxy(url)


# -- connections ------------------------------------------------------------------------------

# Python 2.7's hostname mismatch (a ValueError); an SSLError on 3.7+.
_CertificateError = getattr(ssl, 'CertificateError', ssl.SSLError)


class _Timeouts:  # no base: Python 2's httplib classes are old-style
    """connect() within ``connect_timeout``, then the socket gets the read timeout back.

    Failures to connect become :class:`EndpointConnectionError` naming the
    endpoint (``scheme://host:port``) and the proxy (masked)."""

    stsboto_endpoint = None
    stsboto_proxy = None
    stsboto_connect_timeout = None

    def connect(self):
        read_timeout = self.timeout
        seconds = self.stsboto_connect_timeout
        if seconds is not None:
            self.timeout = seconds
        try:
            self._stsboto_base.connect(self)
        except (socket.error, IOError, ssl.SSLError, _CertificateError,
                http_client.HTTPException) as error:
            if isinstance(error, EndpointConnectionError):
                raise
            six.raise_from(_connect_error(error, self.stsboto_endpoint, self.stsboto_proxy,
                                          seconds), error)
        finally:
            self.timeout = read_timeout
        if self.sock is not None and seconds is not None:
            if read_timeout is socket._GLOBAL_DEFAULT_TIMEOUT:
                read_timeout = socket.getdefaulttimeout()
            self.sock.settimeout(read_timeout)


class HTTPConnection(_Timeouts, http_client.HTTPConnection):
    """Plain HTTP; through a proxy, the request line names the whole URL."""

    _stsboto_base = http_client.HTTPConnection
    stsboto_target = None   # 'http://host:port' when sending through a proxy

    def putrequest(self, method, url, *args, **kwargs):
        if self.stsboto_target is not None and not url.startswith(('http://', 'https://')):
            url = self.stsboto_target + url
        http_client.HTTPConnection.putrequest(self, method, url, *args, **kwargs)
        if self.stsboto_proxy is not None and self.stsboto_proxy.authorization:
            self.putheader('Proxy-Authorization', self.stsboto_proxy.authorization)


class HTTPSConnection(_Timeouts, http_client.HTTPSConnection):
    """HTTPS with stsboto's TLS context; through a proxy, a CONNECT tunnel."""

    _stsboto_base = http_client.HTTPSConnection


def _reject_proxy_auth(headers):
    for name in list(headers or ()):
        if name.lower() == 'proxy-authorization':
            del headers[name]


def new_http_connection(conn, host, port, is_secure, connect_timeout=None):
    """boto's ``AWSAuthConnection.new_http_connection``, made by the transport.

    Same pooling and response class as boto's; the TLS context, proxy and
    timeouts are stsboto's.  ``https_connection_factory`` (a caller's own
    connection class) is honoured as boto does, and so is a program's own
    replacement of ``AWSAuthConnection.new_http_connection``.
    """
    replaced = boto.connection.AWSAuthConnection.__dict__.get('new_http_connection')
    # stsboto.patch's row wraps whatever was there when it was applied: a
    # replacement made before the patch decides as one made after it does.
    replaced = getattr(replaced, '_stsboto_original', replaced)
    if replaced is not _BOTO_NEW_HTTP_CONNECTION:
        # boto's connection factory replaced by the program (its own sockets, a
        # test's in-memory AWS), before or after the patch: that one makes every
        # connection, ours included.
        return replaced(conn, host, port, is_secure)
    if host is None:
        host = conn.server_name()
    host = boto.utils.parse_host(host)
    port = int(port or (443 if is_secure else 80))
    if getattr(conn, 'https_connection_factory', None):
        return boto.connection.AWSAuthConnection.new_http_connection(conn, host, port, is_secure)
    kwargs = dict(conn.http_connection_kwargs)
    kwargs.pop('port', None)
    scheme = 'https' if is_secure else 'http'
    proxy = _boto_proxy(conn, host) or proxy_for(scheme, host)
    if connect_timeout is None:
        connect_timeout = getattr(conn, 'stsboto_connect_timeout', DEFAULT_CONNECT_TIMEOUT)
    if is_secure:
        bundle = getattr(conn, 'stsboto_ca_bundle', None)
        if bundle is None:
            bundle, _ = ca_bundle()
            given = conn.ca_certificates_file
            if bundle is None and given not in (None, boto.connection.DEFAULT_CA_CERTS_FILE):
                bundle = given  # set on this connection itself
        # Verified unless the program said validate_certs=False (boto's None means
        # "not said"; boto's plain HTTPSConnection verified on 2.7.9+ and 3.4.3+ too).
        context = tls_context(bundle, conn.https_validate_certificates is not False)
        if proxy is None:
            http = HTTPSConnection(host, port, context=context, **kwargs)
        else:
            http = HTTPSConnection(proxy.host, proxy.port, context=context, **kwargs)
            tunnel_headers = {}
            if proxy.authorization:
                tunnel_headers['Proxy-Authorization'] = proxy.authorization
            http.set_tunnel(host, port, tunnel_headers)
    else:
        if proxy is None:
            http = HTTPConnection(host, port, **kwargs)
        else:
            http = HTTPConnection(proxy.host, proxy.port, **kwargs)
            http.stsboto_target = 'http://%s:%d' % (host, port)
    http.stsboto_endpoint = '%s://%s:%d' % (scheme, host, port)
    http.stsboto_proxy = proxy
    http.stsboto_connect_timeout = connect_timeout
    if conn.debug > 1:
        http.set_debuglevel(conn.debug)
    if host.split(':')[0] == conn.host and is_secure == conn.is_secure:
        conn._connection = (host, port, is_secure)
    http.response_class = boto.connection.HTTPResponse
    return http


# -- sending ----------------------------------------------------------------------------------

def error_code(response):
    """The AWS error code in an error answer's body (XML ``<Code>`` or JSON
    ``__type``), or None.  boto's HTTPResponse keeps the body for its caller."""
    try:
        body = response.read()
    except (socket.error, IOError, http_client.HTTPException):
        return None
    if not body:
        return None
    if isinstance(body, six.text_type):
        body = body.encode('utf-8')
    found = _CODE.search(body) or _JSON_TYPE.search(body)
    return found.group(1).decode('utf-8', 'replace') if found else None


_UNREWINDABLE = object()


def _rewind(request, position):
    body = request.body
    if position is None:
        return
    try:
        if position is _UNREWINDABLE:
            raise IOError('not seekable')
        body.seek(position)
    except (AttributeError, IOError, OSError, ValueError):
        raise StsbotoError('cannot send the request to %s again: its body (%s) cannot be rewound'
                           % (request.host, type(body).__name__))


def send(conn, request, sender=None, override_num_retries=None, retry_handler=None,
         redirector=None):
    """Send ``request`` on boto connection ``conn``: boto's ``_mexe``, with the transport's rules.

    Each attempt is signed again (``request.authorize``) as boto does, so a
    token guard checks (and refreshes) the token before every attempt.  Retries
    follow :func:`policy_for` (``override_num_retries``, boto's per-call
    override, counts retries); a refused or unresolvable endpoint raises
    :class:`EndpointConnectionError` at once; 3xx answers are handed to
    ``redirector(conn, request, response, redirected)``, which returns True
    after changing the request's destination (sent once more, at most once),
    False to hand the answer back, or raises; without one, the answer is
    returned.  The last answer (an error answer included) is returned for
    boto's caller to raise its own error class; the last exception is raised.
    """
    # What boto's _mexe logs at DEBUG, for --debug and boto's own log users
    # (stsboto.logfilter masks the secrets in it).
    boto.log.debug('Method: %s', request.method)
    boto.log.debug('Path: %s', request.path)
    boto.log.debug('Headers: %s', request.headers)
    boto.log.debug('Host: %s', request.host)
    boto.log.debug('Port: %s', request.port)
    boto.log.debug('Params: %s', request.params)
    boto.log.debug('Token: %s', conn.provider.security_token)
    rules = policy_for(conn)
    if override_num_retries is not None:
        rules = rules.with_attempts(max(1, override_num_retries + 1))
    if redirector is not None and hasattr(redirector, 'prepare'):
        redirector.prepare(conn, request)
    if not isinstance(request.body, bytes) and hasattr(request.body, 'encode'):
        request.body = request.body.encode('utf-8')
    position = None
    if hasattr(request.body, 'read'):
        try:
            position = request.body.tell() if hasattr(request.body, 'seek') else _UNREWINDABLE
        except (AttributeError, IOError, OSError, ValueError):
            position = _UNREWINDABLE
    connection = conn.get_http_connection(request.host, request.port, conn.is_secure)
    limiter = rules.limiter
    if limiter is None and rules.mode == 'adaptive':
        limiter = rate_limiter('%s://%s:%s' % (conn.protocol, boto.utils.parse_host(request.host),
                                               request.port or conn.port))
    attempt, acquired, redirected, sent = 1, 0, False, False
    while True:
        response = error = kind = None
        try:
            if sent:
                _rewind(request, position)
            request.authorize(connection=conn)
            if 's3' not in conn._required_auth_capability() and not getattr(conn, 'anon', False) \
                    and not request.headers.get('Host'):
                conn.set_host_header(request)
            boto.log.debug('Final headers: %s', request.headers)
            if limiter is not None:
                limiter.before_send()
            request.start_time = datetime.datetime.now()
            sent = True
            if callable(sender):
                response = sender(connection, request.method, request.path, request.body,
                                  request.headers)
            else:
                connection.request(request.method, request.path, request.body, request.headers)
                response = connection.getresponse()
        except boto.exception.PleaseRetryException as exc:
            error, response, kind = exc, exc.response, TRANSIENT
        except conn.http_exceptions as exc:
            if isinstance(exc, EndpointConnectionError) and exc.final:
                raise
            for unretryable in conn.http_unretryable_exceptions:
                if isinstance(exc, unretryable):
                    raise
            error = exc
            kind = rules.classify(error=exc)
            if kind is None:
                raise
        if error is None:
            if request.method == 'HEAD' and getattr(response, 'chunked', False):
                response.chunked = 0  # http.client and bodiless HEAD answers (as boto does)
            if callable(retry_handler):  # a service's own rule (DynamoDB's CRC32 and throttling)
                status = retry_handler(response, attempt - 1, rules.backoff(attempt))
                if status:
                    msg, i, next_sleep = status
                    if i < rules.max_attempts:
                        rules.sleep(next_sleep)
                        attempt = i + 1
                        continue
            if 300 <= response.status < 400 or (redirector is not None and response.status >= 400):
                if redirector is not None and redirector(conn, request, response, redirected):
                    redirected = True
                    connection = conn.get_http_connection(request.host, request.port,
                                                          conn.is_secure)
                    continue
            if response.status >= 400:
                kind = rules.classify(status=response.status, code=error_code(response))
        if limiter is not None:
            limiter.after_answer(kind == THROTTLING)
        if error is None:
            if kind is None:
                rules.release(acquired)
                if response.getheader('connection') == 'close':
                    connection.close()
                else:
                    conn.put_http_connection(request.host, request.port, conn.is_secure,
                                             connection)
                if conn.request_hook is not None:
                    conn.request_hook.handle_request_data(request, response)
                return response
        taken = rules.acquire(kind) if attempt < rules.max_attempts else 0
        if not taken:
            if conn.request_hook is not None:
                conn.request_hook.handle_request_data(request, response, error=True)
            if response is not None and not isinstance(error, boto.exception.PleaseRetryException):
                return response
            if isinstance(error, (socket.error, IOError)) and not isinstance(error, StsbotoError):
                endpoint = getattr(connection, 'stsboto_endpoint', None) or '%s://%s:%s' % (
                    conn.protocol, request.host, request.port)
                six.raise_from(EndpointConnectionError(
                    'could not reach %s after %d attempt%s: %s: %s' % (
                        endpoint, attempt, '' if attempt == 1 else 's', type(error).__name__,
                        mask_secrets(six.text_type(error))), endpoint=endpoint, cause=error), error)
            if response is not None:
                raise boto.exception.BotoServerError(response.status, response.reason,
                                                     response.read())
            raise error
        delay = rules.backoff(attempt)
        log.debug('attempt %d of %d failed (%s); next in %.2f s', attempt, rules.max_attempts,
                  kind, delay)
        if response is not None:
            try:
                response.read()
            except (socket.error, IOError, http_client.HTTPException):
                pass
        if error is not None:
            connection = conn.new_http_connection(request.host, request.port, conn.is_secure)
        rules.sleep(delay)
        acquired = taken
        attempt += 1
