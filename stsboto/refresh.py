"""``RefreshableToken``: a token that renews itself before it expires.

Usage::

    from stsboto.refresh import RefreshableToken
    source = RefreshableToken(None, refresh=lambda: issue_token(bucket='photos', name='up-42'))
    token = source.get()          # a Token with time left, refreshed when due

The behaviour follows botocore's ``RefreshableCredentials`` (two windows before
expiry, an injectable clock, one refresh at a time), with windows that also
suit the 15-minute tokens STS can issue, concurrent callers that share one
refresh instead of each making their own, a time limit on each refresh, and a
jittered back-off after failed ones (issue 11).
"""
from __future__ import absolute_import, division, unicode_literals

import datetime
import logging
import random
import threading

import six
from six.moves import _thread

from stsboto._validate import validate_seconds, validate_timedelta
from stsboto.exceptions import InvalidParameterError, TokenExpiredError, TokenRefreshError
from stsboto.logfilter import mask_exception, mask_secrets, remember
from stsboto.token import Token, format_expiration, parse_expiration, utcnow

__all__ = ['RefreshableToken', 'TokenRefreshError', 'DEFAULT_REFRESH_TIMEOUT']

log = logging.getLogger(__name__)

# The shortest lifetime STS gives a token (DurationSeconds >= 900 for
# GetFederationToken, GetSessionToken and AssumeRole, AWS STS API reference).
_STS_MIN_LIFETIME = datetime.timedelta(seconds=900)
# botocore's windows (botocore/credentials.py), reached by tokens of 1 hour or more.
_ADVISORY_MAX = datetime.timedelta(minutes=15)
_MANDATORY_MAX = datetime.timedelta(minutes=10)
_ADVISORY_SHARE = 4     # advisory window: at most a quarter of the lifetime
_MANDATORY_SHARE = 6    # mandatory window: at most a sixth of the lifetime

_FRESH, _ADVISORY, _MANDATORY, _EXPIRED = 'fresh', 'advisory', 'mandatory', 'expired'

#: Seconds a refresh may run before the callers waiting for it give up.
DEFAULT_REFRESH_TIMEOUT = 60
# After the n-th failed refresh in a row in the mandatory window (or after
# expiry) no new try before min(retry_interval, 1 s * 2**(n-1)) times a random
# factor in [0.5, 1): 1600 calls once made 964 refresh attempts in 0.2 s.
_BACKOFF_BASE = 1.0


def _duration(value, name):
    if value is None:
        return None
    return validate_timedelta(value, name)


def _seconds(delta):
    return int(delta.total_seconds())


class RefreshableToken(object):
    """A current :class:`stsboto.Token` plus the means to get the next one.

    Usage: ``source = RefreshableToken(token, refresh=get_new_token)``, then
    ``source.get()`` wherever a token is needed.

    :param token: the token to start with (anything
        :meth:`stsboto.Token.coerce` accepts), or None to call ``refresh`` on
        the first :meth:`get`.
    :param refresh: a callable without arguments that returns a new token
        (anything ``Token.coerce`` accepts: a Token, boto's STS result, JSON,
        a dict), e.g. ``functools.partial(stsboto.issue_token, bucket=...)``.
    :param advisory_window: seconds or a timedelta before expiry from which
        :meth:`get` tries to refresh; if that fails it logs a warning and
        keeps using the current token.  Default: see below.
    :param mandatory_window: seconds or a timedelta before expiry from which
        a refresh must succeed: :meth:`get` raises if it fails.  Default: see
        below.
    :param retry_interval: seconds or a timedelta to wait after a refresh
        that failed in the advisory window, or that made no progress (see
        below), before trying again; also the longest back-off after failed
        mandatory refreshes.  Default 30 s.
    :param time_fetcher: a callable returning the current time as an aware
        UTC datetime (tests pass a fake clock).  Default: the system clock.
    :param refresh_timeout: seconds (or a timedelta) a refresh may take
        before the callers waiting for it stop waiting and fail
        (:class:`TokenRefreshError`); the refresh then runs on in the
        background and what it returns is dropped.  Default 60 s; None: no
        limit (``refresh`` then runs in the calling thread).
    :param random_source: a callable returning a float in [0, 1), for the
        jitter of the back-off (tests pass a fixed one).  Default:
        ``random.random``.
    :raises InvalidParameterError: a window or interval is not a finite
        duration (``nan``, ``inf``, ``'600'`` and ``True`` are refused), is
        negative, or ``mandatory_window`` exceeds ``advisory_window``.

    **Default windows.**  botocore refreshes 15 minutes (advisory) and
    10 minutes (mandatory) before expiry.  A 900-second token, the shortest
    STS issues, would then be in the advisory window from its first second
    and in the mandatory window after 5 minutes: a refresh on every call.
    Here each default window is capped by a share of the token's lifetime:
    advisory = min(15 min, lifetime / 4), mandatory = min(10 min,
    lifetime / 6).  The lifetime is measured from when the token was received
    here to its expiration, and counted as at least 900 s, because no STS
    token lives shorter (so a token loaded with 3 minutes left is already
    due).  That gives 225 s / 150 s for a 900-second token (it is used for
    11 minutes before the first try) and botocore's 15 / 10 minutes for
    tokens of an hour or more.  A window passed explicitly is used as given;
    a default one is clamped so that mandatory <= advisory.

    **What get() does**, by the time left on the current token:

    * more than the advisory window, or no known expiration: returns it
      (a token without expiration is never refreshed by :meth:`get`; call
      :meth:`refresh_now`);
    * inside the advisory window: one caller refreshes; callers that find a
      refresh already running, or that come within ``retry_interval`` of a
      failed one, get the current token without waiting.  A failure is
      logged as a warning (access key id and error, never a secret) and
      kept in :attr:`last_error`;
    * inside the mandatory window or expired: callers wait for the one
      refresh in progress (at most ``refresh_timeout``) and share its outcome
      (16 threads crossing the window together make exactly one refresh
      call).  If it fails, :class:`TokenRefreshError` is raised, or
      :class:`stsboto.TokenExpiredError` once the token has expired.  The
      next try waits a back-off that doubles with each failure in a row
      (from about 1 s, at most ``retry_interval``, jittered); calls made
      meanwhile raise the same error at once, without calling ``refresh``.

    **Reentrancy.**  ``refresh`` must not call :meth:`get`,
    :meth:`refresh_now` or :meth:`set_token` of the same instance (it would
    wait for itself): such a call raises :class:`TokenRefreshError` at once.

    **What refresh may return.**  A token that has already expired when
    ``refresh`` returns (the clock is read after the call: a slow refresh can
    use up a short token) is refused: that counts as a failed refresh.  Any
    other token is used, even one equal to the current token or one that is
    itself inside a window (an issuer may cache): it is valid, and better than
    raising, but it makes no progress, so it is logged as a warning and the
    next try waits
    ``retry_interval`` (until the token expires; then calls try again,
    subject to the back-off after failures).

    Thread-safe.  Share one instance between threads (each with its own boto
    connection) so that they share refreshes.
    """

    def __init__(self, token, refresh, advisory_window=None, mandatory_window=None,
                 retry_interval=30, time_fetcher=None, refresh_timeout=DEFAULT_REFRESH_TIMEOUT,
                 random_source=None):
        if not callable(refresh):
            raise InvalidParameterError('refresh must be a callable that returns a new token',
                                        'refresh')
        self._advisory = _duration(advisory_window, 'advisory_window')
        self._mandatory = _duration(mandatory_window, 'mandatory_window')
        if self._advisory is not None and self._mandatory is not None and \
                self._mandatory > self._advisory:
            raise InvalidParameterError('mandatory_window must not exceed advisory_window',
                                        'mandatory_window')
        self._retry_interval = _duration(retry_interval, 'retry_interval')
        if self._retry_interval is None:
            raise InvalidParameterError('retry_interval must be seconds or a timedelta',
                                        'retry_interval')
        if refresh_timeout is not None:
            refresh_timeout = validate_seconds(refresh_timeout, 'refresh_timeout', low=0,
                                               low_inclusive=False)
        if random_source is not None and not callable(random_source):
            raise InvalidParameterError('random_source must be a callable returning a float in '
                                        '[0, 1)', 'random_source')
        self._refresh = refresh
        self._refresh_timeout = refresh_timeout
        self._random = random_source or random.random
        self._time_fetcher = time_fetcher or utcnow
        self._lock = threading.Lock()
        # Threads running ``refresh`` now (a timed-out one stays until it returns):
        # a get() from one of them is a reentrant call.
        self._refreshers = set()
        self._failures = 0         # failed attempts in a row
        self._backoff_until = None
        # (token, advisory, mandatory): replaced whole, so readers never see a mix.
        self._state = (None, None, None)
        self._completed = 0        # refresh attempts finished
        self._failure = None       # what the last attempt failed with, or None
        self._quiet_until = None   # no advisory (or no-progress) retry before this
        #: The exception of the last failed refresh, or None after a success.
        self.last_error = None
        if token is not None:
            self._install(Token.coerce(token), self._now())

    # -- reading ---------------------------------------------------------------

    @property
    def token(self):
        """The current :class:`stsboto.Token` (or None), without refreshing."""
        return self._state[0]

    @property
    def advisory_window(self):
        """The advisory window in force for the current token (a timedelta), or None."""
        return self._state[1]

    @property
    def mandatory_window(self):
        """The mandatory window in force for the current token (a timedelta), or None."""
        return self._state[2]

    def get(self, margin=0):
        """A token to sign with now, refreshed first when due (see the class docstring).

        Usage: ``token = source.get()``

        :param margin: seconds (or a timedelta) before expiry in which the
            token is not handed out at all: there it is refreshed as an
            expired one would be, and :class:`stsboto.TokenExpiredError` is
            raised if that fails.  Connections pass their
            :data:`stsboto.signing.EXPIRY_MARGIN`, so that no request reaches
            AWS after its token expired.  Default 0.
        :rtype: stsboto.Token
        :raises TokenRefreshError: in the mandatory window, refreshing failed.
        :raises TokenExpiredError: the token has expired (or expires within
            ``margin``) and refreshing failed.
        :raises InvalidParameterError: ``margin`` is not a finite,
            non-negative duration.
        """
        if margin:
            margin = validate_timedelta(margin, 'margin')
        seen = self._completed
        state = self._state
        now = self._now()
        phase = self._phase(state, now, margin)
        if phase == _FRESH:
            return state[0]
        self._check_reentry('get')
        if phase == _ADVISORY:
            if self._quiet(now) or not self._lock.acquire(False):
                return state[0]
        else:
            self._lock.acquire()
        try:
            return self._get_locked(seen, margin)
        finally:
            self._lock.release()

    def refresh_now(self):
        """Refresh at once, whatever the time left, and return the new token.

        Usage: ``source.refresh_now()`` (after the issuer changed the policy,
        or for a token without expiration)

        :raises TokenRefreshError: refreshing failed (or TokenExpiredError if
            the current token has expired).
        """
        self._check_reentry('refresh_now')
        with self._lock:
            now = self._now()
            phase = self._phase(self._state, now)
            return self._attempt(now, _EXPIRED if phase == _EXPIRED else _MANDATORY)

    def set_token(self, token):
        """Use this token from now on (e.g. one pushed by the issuing service).

        Usage: ``source.set_token(new_token)``

        The windows are recomputed for it; an expired token is accepted and
        makes the next :meth:`get` refresh.

        :param token: anything :meth:`stsboto.Token.coerce` accepts.
        """
        token = Token.coerce(token)
        self._check_reentry('set_token')
        with self._lock:
            self._install(token, self._now())
            self._failure = None
            self._failures = 0
            self._backoff_until = None
            self.last_error = None

    def __repr__(self):
        return 'RefreshableToken(%r)' % (self._state[0],)

    # -- inner workings (called with the lock held, except _now/_phase/_quiet) --

    def _now(self):
        return parse_expiration(self._time_fetcher(), 'time_fetcher()')

    def _check_reentry(self, method):
        if self._refreshers and _thread.get_ident() in self._refreshers:
            raise TokenRefreshError(
                'RefreshableToken.%s() was called from inside its own refresh callable, which '
                'would wait for itself; the refresh must get its credentials elsewhere (e.g. '
                'from the issuing user\'s keys)' % method)

    @staticmethod
    def _phase(state, now, margin=0):
        """Where the token stands; inside ``margin`` counts as expired."""
        token, advisory, mandatory = state
        if token is None:
            return _EXPIRED
        left = token.remaining(now)
        if left is None:
            return _FRESH
        if left <= datetime.timedelta(0) or (margin and left <= margin):
            return _EXPIRED
        if left > advisory:
            return _FRESH
        return _MANDATORY if left <= mandatory else _ADVISORY

    def _quiet(self, now):
        quiet_until = self._quiet_until
        return quiet_until is not None and now < quiet_until

    def _get_locked(self, seen, margin):
        now = self._now()
        phase = self._phase(self._state, now, margin)
        token = self._state[0]
        if phase == _FRESH:
            return token  # another caller refreshed while this one waited
        if phase == _ADVISORY:
            return token if self._quiet(now) else self._attempt(now, phase, margin)
        if self._completed != seen:
            # A refresh finished while this caller waited: share its outcome
            # rather than calling refresh once per waiting thread.
            if self._failure is not None:
                self._raise(phase, token, self._failure, margin)
            if phase != _EXPIRED:
                return token
        elif self._failure is not None and self._backoff_until is not None and \
                now < self._backoff_until:
            # Backing off after a failed refresh: the same error, no new call.
            self._raise(phase, token, self._failure, margin)
        elif phase == _MANDATORY and self._failure is None and self._quiet(now):
            return token  # the last refresh gave no progress; do not hammer the issuer
        return self._attempt(now, phase, margin)

    def _attempt(self, now, phase, margin=0):
        old = self._state[0]
        try:
            failure = None
            try:
                new = Token.coerce(self._call_refresh())
            except Exception as error:
                failure = error
            # The clock is read again after the call: a refresh that took long
            # may return a token that has expired meanwhile (issue 11).
            now = self._now()
            if failure is None and new.expired(margin=margin, now=now):
                failure = TokenExpiredError(
                    'refresh returned a token (access key %s) that expire%s at %s'
                    % (new.access_key, 'd' if new.expired(now=now) else
                       's within the %d-second margin,' % margin.total_seconds(),
                       format_expiration(new.expiration)),
                    expiration=new.expiration)
            if failure is not None:
                # Outside the except block, so the raw error is not chained as __context__.
                return self._failed(now, phase, old, failure, margin)
            self._install(new, now)
            self._failure = None
            self._failures = 0
            self._backoff_until = None
            self.last_error = None
            if self._phase(self._state, now) != _FRESH:
                self._quiet_until = now + self._retry_interval
                log.warning('refresh returned %s token (access key %s) that expires in %d s, '
                            'inside the refresh window; using it, next try in %d s',
                            'the same' if new == old else 'a', new.access_key,
                            _seconds(new.remaining(now)), _seconds(self._retry_interval))
            return new
        finally:
            self._completed += 1

    def _call_refresh(self):
        """``refresh()``, in this thread or (with a timeout) in a helper thread."""
        if self._refresh_timeout is None:
            ident = _thread.get_ident()
            self._refreshers.add(ident)
            try:
                return self._refresh()
            finally:
                self._refreshers.discard(ident)
        outcome = {}
        done = threading.Event()

        def run():
            ident = _thread.get_ident()
            self._refreshers.add(ident)
            try:
                outcome['token'] = self._refresh()
            except Exception as error:  # handed to the waiting caller below
                outcome['error'] = error
            finally:
                self._refreshers.discard(ident)
                done.set()

        worker = threading.Thread(target=run, name='stsboto-refresh')
        worker.daemon = True
        worker.start()
        if not done.wait(self._refresh_timeout):
            raise TokenRefreshError('refresh did not return within %s s; it runs on in the '
                                    'background and what it returns will not be used'
                                    % ('%g' % self._refresh_timeout))
        if 'error' in outcome:
            raise outcome['error']
        return outcome['token']

    def _failed(self, now, phase, old, error, margin=0):
        error = mask_exception(error, _secrets(old))  # kept in last_error, shown by callers
        self._failure = error
        self.last_error = error
        self._quiet_until = now + self._retry_interval
        if phase == _ADVISORY:
            log.warning('refreshing the session token (access key %s, expires in %d s) failed: %s; '
                        'still using it, next try in %d s', old.access_key,
                        _seconds(old.remaining(now)), _describe(error, old),
                        _seconds(self._retry_interval))
            return old
        self._failures += 1
        delay = min(self._retry_interval.total_seconds(),
                    _BACKOFF_BASE * 2 ** min(self._failures - 1, 30))
        self._backoff_until = now + datetime.timedelta(
            seconds=delay * (0.5 + 0.5 * min(max(self._random(), 0.0), 1.0)))
        self._raise(phase, old, error, margin)

    def _raise(self, phase, token, cause, margin=0):
        # The cause is printed in tracebacks: its text (str, repr, args, and the
        # exceptions it chains) must not show a secret of either token (issue 11).
        cause = mask_exception(cause, _secrets(token))
        if cause is not self._failure and self._failure is not None:
            self._failure = self.last_error = cause
        reason = _describe(cause, token)
        if token is None:
            error = TokenRefreshError('there is no token yet and getting one failed: %s' % reason,
                                      cause=cause)
        elif phase == _EXPIRED and margin and not token.expired(now=self._now()):
            error = TokenExpiredError(
                'the session token (access key %s) expires at %s, within the last %d seconds in '
                'which it is not used, and refreshing it failed: %s; nothing was sent'
                % (token.access_key, format_expiration(token.expiration),
                   margin.total_seconds(), reason),
                expiration=token.expiration)
            error.cause = cause
        elif phase == _EXPIRED:
            error = TokenExpiredError(
                'the session token (access key %s) expired at %s and refreshing it failed: %s; '
                'nothing was sent' % (token.access_key, format_expiration(token.expiration), reason),
                expiration=token.expiration)
            error.cause = cause
        else:
            error = TokenRefreshError(
                'the session token (access key %s) expires at %s, and refreshing it failed: %s'
                % (token.access_key, format_expiration(token.expiration), reason),
                expiration=token.expiration, cause=cause)
        six.raise_from(error, cause)

    def _install(self, token, now):
        advisory = mandatory = None
        if token.expiration is not None:
            lifetime = max(token.expiration - now, _STS_MIN_LIFETIME)
            advisory = self._advisory
            if advisory is None:
                advisory = min(_ADVISORY_MAX, lifetime // _ADVISORY_SHARE)
            mandatory = self._mandatory
            if mandatory is None:
                mandatory = min(_MANDATORY_MAX, lifetime // _MANDATORY_SHARE)
            if mandatory > advisory:  # only when one of them is a default
                if self._mandatory is not None:
                    advisory = mandatory
                else:
                    mandatory = advisory
        remember(token)  # so that log filters mask it without being told
        self._state = (token, advisory, mandatory)
        self._quiet_until = None


def _secrets(token):
    return (token.secret_key, token.session_token) if token is not None else ()


def _describe(error, token):
    """``ErrorType: message`` with every secret of ``token`` masked."""
    secrets = _secrets(token)
    try:
        text = six.text_type(error)
    except UnicodeError:  # Python 2: a byte-string message that is not ASCII
        text = str(error)
    text = mask_secrets(text, secrets)
    name = type(error).__name__
    return '%s: %s' % (name, text) if text else name
