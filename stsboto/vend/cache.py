"""Per-caller credentials: one STS call per credential lifetime, one refresh at a time.

Usage::

    cache = CredentialCache(issue)          # issue(caller) -> Token (an STS call)
    token, issued = cache.get(caller)       # raises Unavailable(retry_after) when none is left

A caller's credentials are reused while they have more than
:data:`MIN_REMAINING` left: botocore refreshes container credentials with less
than 15 minutes left, so no answer lands inside that window and a client asks
again only after about ``duration - 20 minutes``.  When STS fails or throttles,
the next call for that caller waits a bounded, growing time (1 s, 2 s, ... at
most :data:`MAX_BACKOFF`), credentials that are still valid keep being served,
and when none are left the caller gets :class:`Unavailable` with the seconds to
wait (the service's 503 ``Retry-After``).
"""
from __future__ import absolute_import, division, unicode_literals

import datetime
import math
import threading

from stsboto._compat import utcnow
from stsboto.exceptions import StsbotoError

__all__ = ['CredentialCache', 'Unavailable', 'MIN_REMAINING', 'MAX_BACKOFF']

MIN_REMAINING = datetime.timedelta(minutes=20)
#: A credential served after a failed refresh must still be usable for this long.
MIN_USABLE = datetime.timedelta(minutes=1)
MAX_BACKOFF = 60.0


class Unavailable(Exception):
    """No credentials for the caller now; ``retry_after`` seconds (int) until the next STS try.

    :ivar cause: the error of the last STS call (a :class:`stsboto.StsbotoError`).
    """

    def __init__(self, message, retry_after, cause=None):
        super(Unavailable, self).__init__(message)
        self.retry_after = retry_after
        self.cause = cause


class _Entry(object):
    __slots__ = ('lock', 'token', 'failures', 'retry_at', 'last_error')

    def __init__(self):
        self.lock = threading.Lock()
        self.token = None
        self.failures = 0
        self.retry_at = None
        self.last_error = None


class CredentialCache(object):
    """Credentials per caller (keyed by ``caller.key``: a changed grant is a new entry).

    :param issue: ``issue(caller) -> Token``; may raise :class:`stsboto.StsbotoError`
        (``TokenIssueError`` from STS, ``MissingCredentialsError`` without issuer keys).
    :param clock: ``clock() -> aware datetime`` (default: the system clock).
    :param on_error: called with ``(caller, error)`` after each failed STS call.
    """

    def __init__(self, issue, clock=None, on_error=None, min_remaining=MIN_REMAINING,
                 max_backoff=MAX_BACKOFF):
        self.issue = issue
        self.clock = clock or utcnow
        self.on_error = on_error
        self.min_remaining = min_remaining
        self.max_backoff = max_backoff
        self._entries = {}
        self._lock = threading.Lock()

    def _entry(self, caller):
        entry = self._entries.get(caller.key)
        if entry is None:
            with self._lock:
                entry = self._entries.setdefault(caller.key, _Entry())
        return entry

    def _fresh(self, token, now):
        return (token is not None and token.expiration is not None and
                token.expiration - now > self.min_remaining)

    def get(self, caller):
        """``(token, issued)``: the caller's current credentials, and whether STS was called.

        :raises Unavailable: STS failed (now or recently) and no usable credentials are left.
        """
        entry = self._entry(caller)
        token = entry.token
        now = self.clock()
        if self._fresh(token, now):  # the common case: no lock
            return token, False
        if not entry.lock.acquire(False):
            # another thread is refreshing this caller: what is still usable is served
            # meanwhile; with nothing usable, wait for that refresh's outcome
            if self._usable(token, now):
                return token, False
            entry.lock.acquire()
        try:
            now = self.clock()
            token = entry.token
            if self._fresh(token, now):
                return token, False
            if entry.retry_at is not None and now < entry.retry_at:
                return self._fallback(entry, now), False
            try:
                token = self.issue(caller)
            except StsbotoError as error:  # STS refused, throttled or unreachable; no issuer keys
                entry.failures += 1
                entry.last_error = error
                backoff = min(self.max_backoff, 2.0 ** (entry.failures - 1))
                entry.retry_at = now + datetime.timedelta(seconds=backoff)
                if self.on_error is not None:
                    self.on_error(caller, error)
                return self._fallback(entry, now), False
            entry.token = token
            entry.failures = 0
            entry.retry_at = None
            entry.last_error = None
            return token, True
        finally:
            entry.lock.release()

    @staticmethod
    def _usable(token, now):
        return (token is not None and token.expiration is not None and
                token.expiration - now > MIN_USABLE)

    def _fallback(self, entry, now):
        token = entry.token
        if self._usable(token, now):
            return token
        wait = (entry.retry_at - now).total_seconds()
        raise Unavailable('STS could not issue credentials (%s); retry in %d s'
                          % (getattr(entry.last_error, 'code', None) or 'error',
                             int(math.ceil(wait))),
                          max(1, int(math.ceil(wait))), entry.last_error)

    def retain(self, callers):
        """Forget every entry whose caller or grant is not among ``callers`` (after a reload)."""
        keys = set(caller.key for caller in callers)
        with self._lock:
            for key in list(self._entries):
                if key not in keys:
                    del self._entries[key]

    def __len__(self):
        return len(self._entries)
