"""Unit tests for ``stsboto.refresh.RefreshableToken``.

Time is a fake clock passed as ``time_fetcher=``; nothing sleeps.  The thread
tests count how many threads reached the refresh lock (a counting lock is put
in place of the real one) and keep the single refresh waiting until all of
them have, so they check the one-refresh rule under real contention; a run
with a lock that excludes nothing shows that the check can fail.
"""
from __future__ import absolute_import, unicode_literals

import datetime
import itertools
import logging
import threading
import time

import pytest
import six

import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
from stsboto.exceptions import InvalidParameterError, StsbotoError, TokenExpiredError
from stsboto.refresh import RefreshableToken, TokenRefreshError
from stsboto.token import UTC, Token
from tests.factories import make_token

START = datetime.datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY'
THREADS = 16
_serial = itertools.count(1)


class FakeClock(object):
    """``time_fetcher`` for tests: stands still until told to move."""

    def __init__(self, now=START):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += datetime.timedelta(seconds=seconds)


class Issuer(object):
    """A refresh callable: returns the next prepared result, or raises it."""

    def __init__(self, clock, lifetime=900, results=None):
        self.clock = clock
        self.lifetime = lifetime
        self.results = list(results or [])
        self.calls = 0
        self.returned = []

    def __call__(self):
        self.calls += 1
        result = self.results.pop(0) if self.results else \
            make_token(next(_serial), self.clock, self.lifetime)
        if isinstance(result, Exception):
            raise result
        self.returned.append(result)
        return result


def assert_no_secret(text, *tokens):
    for token in tokens:
        assert token.secret_key not in text
        assert token.session_token not in text


@pytest.fixture
def clock():
    return FakeClock()


# -- windows ---------------------------------------------------------------------------

@pytest.mark.parametrize('lifetime, advisory, mandatory', [
    (900, 225, 150),            # the STS minimum: a quarter and a sixth of the lifetime
    (1800, 450, 300),
    (3600, 900, 600),           # an hour or more: botocore's 15 and 10 minutes
    (43200, 900, 600),
    (180, 225, 150),            # little time left: counted as a 900 s token, so already due
])
def test_default_windows_follow_the_lifetime(clock, lifetime, advisory, mandatory):
    source = RefreshableToken(make_token(next(_serial), clock, lifetime), Issuer(clock), time_fetcher=clock)
    assert source.advisory_window == datetime.timedelta(seconds=advisory)
    assert source.mandatory_window == datetime.timedelta(seconds=mandatory)


def test_a_900_second_token_is_used_for_eleven_minutes_before_any_refresh(clock):
    issuer = Issuer(clock)
    token = make_token(next(_serial), clock, 900)
    source = RefreshableToken(token, issuer, time_fetcher=clock)
    for _ in range(675 // 15):
        assert source.get() is token
        clock.advance(15)
    assert issuer.calls == 0
    assert source.get() is issuer.returned[0]        # 225 s left: the advisory window


def test_explicit_windows_are_used_as_given(clock):
    source = RefreshableToken(make_token(next(_serial), clock, 900), Issuer(clock), advisory_window=60,
                              mandatory_window=datetime.timedelta(seconds=30), time_fetcher=clock)
    assert (source.advisory_window, source.mandatory_window) == (
        datetime.timedelta(seconds=60), datetime.timedelta(seconds=30))


def test_an_explicit_window_clamps_the_default_one(clock):
    source = RefreshableToken(make_token(next(_serial), clock, 900), Issuer(clock), advisory_window=100,
                              time_fetcher=clock)
    assert source.mandatory_window == datetime.timedelta(seconds=100)
    source = RefreshableToken(make_token(next(_serial), clock, 900), Issuer(clock), mandatory_window=300,
                              time_fetcher=clock)
    assert source.advisory_window == source.mandatory_window == datetime.timedelta(seconds=300)


@pytest.mark.parametrize('kwargs, field', [
    ({'advisory_window': 60, 'mandatory_window': 61}, 'mandatory_window'),
    ({'advisory_window': -1}, 'advisory_window'),
    ({'mandatory_window': '60'}, 'mandatory_window'),
    ({'mandatory_window': True}, 'mandatory_window'),
    ({'retry_interval': None}, 'retry_interval'),
])
def test_bad_windows_are_refused(clock, kwargs, field):
    with pytest.raises(InvalidParameterError) as info:
        RefreshableToken(make_token(next(_serial), clock, 900), Issuer(clock), time_fetcher=clock, **kwargs)
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


def test_refresh_must_be_callable(clock):
    with pytest.raises(InvalidParameterError) as info:
        RefreshableToken(make_token(next(_serial), clock, 900), make_token(next(_serial), clock, 900))
    assert info.value.field == 'refresh'


# -- fresh, advisory, mandatory, expired --------------------------------------------

def test_fresh_token_is_returned_without_refreshing(clock):
    issuer = Issuer(clock)
    token = make_token(next(_serial), clock, 900)
    source = RefreshableToken(token, issuer, time_fetcher=clock)
    clock.advance(900 - 225 - 1)                      # one second before the advisory window
    assert source.get() is token
    assert issuer.calls == 0


def test_token_without_expiration_is_never_refreshed_by_get(clock):
    issuer = Issuer(clock)
    token = make_token(next(_serial), clock, None)
    source = RefreshableToken(token, issuer, time_fetcher=clock)
    assert source.advisory_window is None
    clock.advance(10 ** 7)
    assert source.get() is token and issuer.calls == 0


def test_advisory_window_refreshes(clock):
    issuer = Issuer(clock)
    source = RefreshableToken(make_token(next(_serial), clock, 900), issuer, time_fetcher=clock)
    clock.advance(900 - 225)                          # exactly the window's edge
    new = source.get()
    assert issuer.calls == 1 and new is issuer.returned[0]
    assert source.token is new
    assert source.get() is new and issuer.calls == 1  # the new token is fresh


def test_advisory_failure_keeps_the_token_and_warns_without_secrets(clock, caplog):
    token = make_token(next(_serial), clock, 900)
    # Even an error whose message quotes the current secrets does not leak them.
    error = RuntimeError('issuer down (token %s, key %s)' % (token.session_token, token.secret_key))
    issuer = Issuer(clock, results=[error])
    source = RefreshableToken(token, issuer, time_fetcher=clock)
    clock.advance(700)
    with caplog.at_level(logging.WARNING, logger='stsboto.refresh'):
        assert source.get() is token
    assert issuer.calls == 1
    assert source.last_error is error
    messages = [r.getMessage() for r in caplog.records if r.name == 'stsboto.refresh']
    assert len(messages) == 1
    assert 'RuntimeError' in messages[0] and token.access_key in messages[0]
    assert_no_secret(messages[0], token)


def test_advisory_failure_waits_the_retry_interval(clock):
    token = make_token(next(_serial), clock, 900)
    issuer = Issuer(clock, results=[RuntimeError('down'), RuntimeError('down')])
    source = RefreshableToken(token, issuer, retry_interval=30, time_fetcher=clock)
    clock.advance(680)
    assert source.get() is token and issuer.calls == 1
    clock.advance(29)
    assert source.get() is token and issuer.calls == 1   # quiet
    clock.advance(1)
    assert source.get() is token and issuer.calls == 2   # tries again
    clock.advance(30)
    assert source.get() is issuer.returned[0] and issuer.calls == 3
    assert source.last_error is None


def test_mandatory_window_refreshes(clock):
    issuer = Issuer(clock)
    source = RefreshableToken(make_token(next(_serial), clock, 900), issuer, time_fetcher=clock)
    clock.advance(900 - 150)
    assert source.get() is issuer.returned[0] and issuer.calls == 1


def test_mandatory_failure_raises_and_the_next_call_after_the_back_off_tries_again(clock):
    token = make_token(next(_serial), clock, 900)
    cause = RuntimeError('issuer down, token %s' % token.session_token)
    issuer = Issuer(clock, results=[cause])
    source = RefreshableToken(token, issuer, time_fetcher=clock)
    clock.advance(800)
    with pytest.raises(TokenRefreshError) as info:
        source.get()
    error = info.value
    assert isinstance(error, StsbotoError) and not isinstance(error, TokenExpiredError)
    assert error.cause is cause and error.expiration == token.expiration
    if six.PY3:
        assert error.__cause__ is cause
    assert token.access_key in six.text_type(error) and 'RuntimeError' in six.text_type(error)
    assert_no_secret(six.text_type(error), token)
    assert source.token is token
    # Within the back-off (at most 1 s after a first failure) the same error, no new call.
    with pytest.raises(TokenRefreshError):
        source.get()
    assert issuer.calls == 1
    clock.advance(1)
    assert source.get() is issuer.returned[0] and issuer.calls == 2


def test_expired_token_with_failing_refresh_raises_token_expired(clock):
    token = make_token(next(_serial), clock, 900)
    cause = IOError('connection refused')
    source = RefreshableToken(token, Issuer(clock, results=[cause]), time_fetcher=clock)
    clock.advance(900)
    with pytest.raises(TokenExpiredError) as info:
        source.get()
    assert info.value.expiration == token.expiration
    assert info.value.cause is cause
    assert 'nothing was sent' in six.text_type(info.value)
    assert_no_secret(six.text_type(info.value), token)


def test_expired_token_is_refreshed(clock):
    issuer = Issuer(clock)
    source = RefreshableToken(make_token(next(_serial), clock, 900), issuer, time_fetcher=clock)
    clock.advance(5000)
    assert source.get() is issuer.returned[0]


def test_without_a_first_token_the_first_get_refreshes(clock):
    issuer = Issuer(clock)
    source = RefreshableToken(None, issuer, time_fetcher=clock)
    assert source.token is None and issuer.calls == 0
    assert source.get() is issuer.returned[0]
    assert source.advisory_window == datetime.timedelta(seconds=225)


def test_without_a_first_token_a_failing_refresh_raises(clock):
    source = RefreshableToken(None, Issuer(clock, results=[RuntimeError('down')]),
                              time_fetcher=clock)
    with pytest.raises(TokenRefreshError) as info:
        source.get()
    assert info.value.expiration is None


def test_refresh_may_return_anything_token_coerce_accepts(clock):
    template = make_token(next(_serial), clock, 3600)
    issuer = Issuer(clock, results=[template.to_json(), template.to_dict()])
    source = RefreshableToken(make_token(next(_serial), clock, 10), issuer, time_fetcher=clock)
    assert source.get() == template
    source.set_token(make_token(next(_serial), clock, 10))
    assert source.get() == template


@pytest.mark.parametrize('bad', [None, {'AccessKeyId': 'x'}, 42])
def test_refresh_returning_garbage_is_a_failure(clock, bad):
    token = make_token(next(_serial), clock, 900)
    source = RefreshableToken(token, lambda: bad, time_fetcher=clock)
    clock.advance(700)
    assert source.get() is token                      # advisory: keep the token
    clock.advance(100)
    with pytest.raises(TokenRefreshError):
        source.get()


# -- what refresh returns --------------------------------------------------------------

def test_refresh_returning_an_expired_token_is_refused(clock, caplog):
    token = make_token(next(_serial), clock, 900)
    stale = make_token(next(_serial), clock, 100)                    # expires before the clock gets there
    issuer = Issuer(clock, results=[stale, stale])
    source = RefreshableToken(token, issuer, retry_interval=0, time_fetcher=clock)
    clock.advance(700)
    with caplog.at_level(logging.WARNING, logger='stsboto.refresh'):
        assert source.get() is token
    assert isinstance(source.last_error, TokenExpiredError)
    clock.advance(100)
    with pytest.raises(TokenRefreshError) as info:
        source.get()
    assert isinstance(info.value.cause, TokenExpiredError)
    assert source.token is token


def test_refresh_returning_the_same_token_is_used_and_backs_off(clock, caplog):
    token = make_token(next(_serial), clock, 900)
    issuer = Issuer(clock, results=[token, token, token])
    source = RefreshableToken(token, issuer, retry_interval=30, time_fetcher=clock)
    clock.advance(800)                                # mandatory window
    with caplog.at_level(logging.WARNING, logger='stsboto.refresh'):
        assert source.get() == token
    assert issuer.calls == 1
    assert 'the same token' in caplog.records[-1].getMessage()
    clock.advance(29)
    assert source.get() == token and issuer.calls == 1  # no hammering
    clock.advance(1)
    assert source.get() == token and issuer.calls == 2
    clock.advance(100)                                # expired: every call must try
    with pytest.raises(TokenExpiredError):
        source.get()
    assert issuer.calls == 3


def test_refresh_returning_a_short_token_is_used(clock):
    short = make_token(next(_serial), clock, 1000)
    issuer = Issuer(clock, results=[short])
    source = RefreshableToken(make_token(next(_serial), clock, 900), issuer, time_fetcher=clock)
    clock.advance(800)
    assert source.get() is short
    # the windows follow the new token (counted as a 900 s token)
    assert source.mandatory_window == datetime.timedelta(seconds=150)


# -- the margin: what a connection asks for --------------------------------------------

def test_a_token_in_the_margin_is_refreshed_whatever_the_windows(clock):
    issuer = Issuer(clock, lifetime=3600)
    old = make_token(next(_serial), clock, 3600)
    source = RefreshableToken(old, issuer, advisory_window=1, mandatory_window=1,
                              time_fetcher=clock)
    clock.advance(3570)  # 30 s left: outside both windows
    assert source.get() is old and issuer.calls == 0
    assert source.get(margin=30) is issuer.returned[0]
    assert source.get(margin=datetime.timedelta(seconds=30)) is issuer.returned[0]
    assert issuer.calls == 1


def test_a_token_just_outside_the_margin_is_handed_out(clock):
    issuer = Issuer(clock)
    old = make_token(next(_serial), clock, 3600)
    source = RefreshableToken(old, issuer, advisory_window=1, mandatory_window=1,
                              time_fetcher=clock)
    clock.advance(3569)  # 31 s left
    assert source.get(margin=30) is old and issuer.calls == 0


def test_a_failed_refresh_in_the_margin_is_token_expired_and_says_why(clock):
    old = make_token(next(_serial), clock, 900)
    cause = IOError('issuer down with %s' % old.secret_key)
    source = RefreshableToken(old, Issuer(clock, results=[cause]), advisory_window=0,
                              mandatory_window=0, time_fetcher=clock)
    clock.advance(890)  # 10 s left: not expired, in a 60-second margin
    with pytest.raises(TokenExpiredError) as info:
        source.get(margin=60)
    text = six.text_type(info.value)
    assert 'within the last 60 seconds' in text and 'nothing was sent' in text
    assert old.access_key in text and ('IOError' in text or 'OSError' in text)
    assert info.value.expiration == old.expiration
    assert_no_secret(text + repr(info.value.cause), old)
    # the back-off holds for margin callers too: the same error, no second call
    with pytest.raises(TokenExpiredError):
        source.get(margin=60)
    assert source.last_error is not None


def test_a_refresh_that_returns_a_token_inside_the_margin_is_refused(clock):
    old = make_token(next(_serial), clock, 900)
    clock.advance(880)
    short = make_token(next(_serial), clock, 20)  # 20 s left when it arrives
    source = RefreshableToken(old, Issuer(clock, results=[short]), time_fetcher=clock)
    with pytest.raises(TokenExpiredError) as info:
        source.get(margin=30)
    assert 'within the 30-second margin' in six.text_type(info.value.cause)
    assert source.token is old


@pytest.mark.parametrize('margin', [float('nan'), float('inf'), -1, '5', True])
def test_a_margin_that_is_not_a_duration_is_refused(clock, margin):
    source = RefreshableToken(make_token(next(_serial), clock, 900), Issuer(clock),
                              time_fetcher=clock)
    with pytest.raises(InvalidParameterError) as info:
        source.get(margin=margin)
    assert info.value.field == 'margin'


# -- set_token, refresh_now, the clock -------------------------------------------------

def test_set_token_replaces_the_token_and_its_windows(clock):
    issuer = Issuer(clock)
    source = RefreshableToken(make_token(next(_serial), clock, 900), issuer, time_fetcher=clock)
    clock.advance(800)
    pushed = make_token(next(_serial), clock, 3600)
    source.set_token(pushed.to_dict())
    assert source.token == pushed
    assert source.mandatory_window == datetime.timedelta(seconds=600)
    assert source.get() == pushed and issuer.calls == 0


def test_set_token_clears_the_last_error_and_accepts_an_expired_token(clock):
    issuer = Issuer(clock, results=[RuntimeError('down')])
    source = RefreshableToken(make_token(next(_serial), clock, 900), issuer, time_fetcher=clock)
    clock.advance(700)
    source.get()
    assert source.last_error is not None
    source.set_token(make_token(next(_serial), clock, -1))
    assert source.last_error is None
    assert source.get() is issuer.returned[0]         # expired: refreshed on the next get


def test_refresh_now_refreshes_a_fresh_token(clock):
    issuer = Issuer(clock, results=[RuntimeError('down')])
    token = make_token(next(_serial), clock, 3600)
    source = RefreshableToken(token, issuer, time_fetcher=clock)
    with pytest.raises(TokenRefreshError):
        source.refresh_now()
    assert source.token is token
    assert source.refresh_now() is issuer.returned[0]
    assert issuer.calls == 2


def test_naive_clock_is_utc(clock):
    issuer = Issuer(clock)
    source = RefreshableToken(make_token(next(_serial), clock, 900), issuer,
                              time_fetcher=lambda: clock.now.replace(tzinfo=None))
    clock.advance(700)
    assert source.get() is issuer.returned[0]


def test_the_default_clock_is_the_system_clock():
    issuer = Issuer(FakeClock(datetime.datetime.now(UTC)), lifetime=3600)
    token = Token('ASIA%016d' % 1, SECRET_KEY, 'FwoGZXIvYXdzEXAMPLETOKEN', '2000-01-01T00:00:00Z')
    source = RefreshableToken(token, issuer)
    assert source.get() is issuer.returned[0]


def test_repr_hides_secrets(clock):
    token = make_token(next(_serial), clock, 900)
    text = repr(RefreshableToken(token, Issuer(clock), time_fetcher=clock))
    assert token.access_key in text
    assert_no_secret(text, token)


# -- threads ---------------------------------------------------------------------------

class Counter(object):
    """A thread-safe count that a test can wait on (a bounded wait, never a sleep)."""

    def __init__(self):
        self.value = 0
        self._changed = threading.Condition()

    def add(self):
        with self._changed:
            self.value += 1
            self._changed.notify_all()

    def wait_for(self, value, timeout=10):
        """True once the count reached ``value``; False after ``timeout`` seconds."""
        deadline = time.time() + timeout
        with self._changed:
            while self.value < value:
                left = deadline - time.time()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True


class CountingLock(object):
    """The refresh lock, counting the threads that reached it.

    ``excludes=False`` gives a lock that excludes nothing, to show that the
    thread tests detect a missing lock.
    """

    def __init__(self, excludes=True):
        self._lock = threading.Lock() if excludes else None
        self.reached = Counter()

    def acquire(self, blocking=True):
        self.reached.add()
        return self._lock.acquire(blocking) if self._lock else True

    def release(self):
        if self._lock:
            self._lock.release()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()


class BlockingIssuer(Issuer):
    """A refresh that answers only once all threads reached the lock (or, with
    ``wait_for_calls``, this refresh): it is still running while they arrive."""

    def __init__(self, clock, lock, results=None, wait_for_calls=False):
        super(BlockingIssuer, self).__init__(clock, results=results)
        self.lock = lock
        self.arrived = Counter()
        self.wait_for_calls = wait_for_calls
        self.timed_out = False
        self.finished = None  # a Counter: also wait until THREADS - 1 callers are done
        self._mutex = threading.Lock()

    def __call__(self):
        self.arrived.add()
        awaited = self.arrived if self.wait_for_calls else self.lock.reached
        if not awaited.wait_for(THREADS):
            self.timed_out = True
        if self.finished is not None and not self.finished.wait_for(THREADS - 1):
            self.timed_out = True
        with self._mutex:
            self.calls = self.arrived.value
            result = self.results.pop(0) if self.results else make_token(next(_serial), self.clock, 900)
            if not isinstance(result, Exception):
                self.returned.append(result)
        if isinstance(result, Exception):
            raise result
        return result


def run_threads(source, finished=None, margin=0):
    """Call ``source.get()`` from THREADS threads released together; outcomes in order.

    ``finished`` (a Counter) counts the calls that have returned.
    """
    go = threading.Event()
    outcomes = [None] * THREADS

    def work(index):
        go.wait(10)
        try:
            outcomes[index] = source.get(margin=margin)
        except Exception as error:  # collected and checked by the test
            outcomes[index] = error
        if finished is not None:
            finished.add()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.daemon = True
        thread.start()
    go.set()
    for thread in threads:
        thread.join(20)
        assert not thread.is_alive()
    return outcomes


def threaded_source(clock, seconds_later, excludes=True, results=None):
    lock = CountingLock(excludes)
    issuer = BlockingIssuer(clock, lock, results, wait_for_calls=not excludes)
    old = make_token(next(_serial), clock, 900)
    source = RefreshableToken(old, issuer, time_fetcher=clock)
    source._lock = lock  # instrumentation: count the threads that reach the lock
    clock.advance(seconds_later)
    return source, issuer, lock, old


@pytest.mark.parametrize('seconds_later', [800, 900, 1000], ids=['mandatory', 'at-expiry', 'expired'])
def test_sixteen_threads_across_expiry_make_one_refresh(clock, seconds_later):
    source, issuer, lock, old = threaded_source(clock, seconds_later)
    outcomes = run_threads(source)
    assert not issuer.timed_out and lock.reached.value == THREADS
    assert issuer.calls == 1
    assert outcomes == [issuer.returned[0]] * THREADS


def test_sixteen_threads_in_the_margin_make_one_refresh(clock):
    # 300 s before expiry: in no window of a 900-second token (225/150 s), but in the margin
    source, issuer, lock, old = threaded_source(clock, 600)
    outcomes = run_threads(source, margin=400)
    assert not issuer.timed_out and lock.reached.value == THREADS
    assert issuer.calls == 1
    assert outcomes == [issuer.returned[0]] * THREADS


def test_sixteen_threads_in_the_advisory_window_do_not_wait(clock):
    source, issuer, lock, old = threaded_source(clock, 700)
    # The refresh returns only once the 15 other callers are done: had they
    # waited for it, it would time out.
    issuer.finished = Counter()
    outcomes = run_threads(source, finished=issuer.finished)
    assert not issuer.timed_out and lock.reached.value == THREADS
    assert issuer.calls == 1
    # The refreshing thread gets the new token; the other 15 went on with the old one.
    assert sorted(outcomes, key=lambda t: t is old) == [issuer.returned[0]] + [old] * (THREADS - 1)


def test_sixteen_threads_share_one_failed_refresh(clock):
    source, issuer, lock, old = threaded_source(clock, 800, results=[RuntimeError('down')])
    outcomes = run_threads(source)
    assert not issuer.timed_out
    assert issuer.calls == 1
    assert all(isinstance(o, TokenRefreshError) for o in outcomes)
    clock.advance(1)  # past the back-off of a first failure
    assert source.get() is issuer.returned[0] and issuer.calls == 2


def test_the_thread_test_fails_without_a_working_lock(clock):
    """The counting harness sees every thread refresh when nothing excludes them."""
    source, issuer, lock, old = threaded_source(clock, 1000, excludes=False)
    run_threads(source)
    assert not issuer.timed_out
    assert issuer.calls == THREADS


# -- robustness (issue 11 item 5) ---------------------------------------------------------

def call_in_thread(function, timeout=10):
    """``function()`` in a thread; (finished, outcome): a deadlock fails, it does not hang."""
    outcome = []

    def work():
        try:
            outcome.append(function())
        except Exception as error:  # collected and checked by the test
            outcome.append(error)
    thread = threading.Thread(target=work)
    thread.daemon = True
    thread.start()
    thread.join(timeout)
    return not thread.is_alive(), outcome[0] if outcome else None


@pytest.mark.parametrize('refresh_timeout', [None, 5], ids=['inline', 'helper-thread'])
@pytest.mark.parametrize('method', ['get', 'refresh_now', 'set_token'])
def test_a_refresh_that_calls_its_own_source_raises_instead_of_deadlocking(
        clock, refresh_timeout, method):
    inner = []

    def refresh():
        try:
            if method == 'set_token':
                source.set_token(make_token(next(_serial), clock, 900))
            else:
                getattr(source, method)()
        except TokenRefreshError as error:
            inner.append(error)
            raise
        return make_token(next(_serial), clock, 900)

    source = RefreshableToken(make_token(next(_serial), clock, 900), refresh, time_fetcher=clock,
                              refresh_timeout=refresh_timeout)
    clock.advance(800)  # the mandatory window
    finished, outcome = call_in_thread(source.get, timeout=3)
    assert finished, 'get() deadlocked on its own refresh'
    assert isinstance(outcome, TokenRefreshError)
    assert 'inside its own refresh callable' in six.text_type(inner[0])
    assert 'inside its own refresh callable' in six.text_type(outcome)


def test_a_hanging_refresh_times_out_for_every_caller(clock):
    release = threading.Event()
    started = Counter()

    def refresh():
        started.add()
        release.wait(10)
        return make_token(next(_serial), clock, 900)

    source = RefreshableToken(make_token(next(_serial), clock, 900), refresh, time_fetcher=clock,
                              refresh_timeout=0.05)
    clock.advance(800)
    try:
        began = time.time()
        first = call_in_thread(source.get, timeout=5)
        second = call_in_thread(source.get, timeout=5)
        took = time.time() - began
    finally:
        release.set()
    assert first[0] and second[0], 'a caller was blocked by the hanging refresh'
    assert isinstance(first[1], TokenRefreshError)
    assert 'did not return within 0.05 s' in six.text_type(first[1])
    assert isinstance(second[1], TokenRefreshError)  # backing off: the same error at once
    assert started.value == 1 and took < 5


def test_a_hanging_refresh_in_the_advisory_window_keeps_the_token(clock):
    release = threading.Event()

    def refresh():
        release.wait(10)
        return make_token(next(_serial), clock, 900)

    token = make_token(next(_serial), clock, 900)
    source = RefreshableToken(token, refresh, time_fetcher=clock, refresh_timeout=0.05)
    clock.advance(700)
    try:
        finished, outcome = call_in_thread(source.get, timeout=5)
    finally:
        release.set()
    assert finished and outcome is token
    assert isinstance(source.last_error, TokenRefreshError)


def test_the_result_of_a_timed_out_refresh_is_not_used(clock):
    release = threading.Event()
    done = threading.Event()
    late = make_token(next(_serial), clock, 3600)

    def refresh():
        release.wait(10)
        done.set()
        return late

    token = make_token(next(_serial), clock, 900)
    source = RefreshableToken(token, refresh, time_fetcher=clock, refresh_timeout=0.05)
    clock.advance(800)
    with pytest.raises(TokenRefreshError):
        source.get()
    release.set()
    assert done.wait(5)
    assert source.token is token


def test_failed_mandatory_refreshes_back_off_with_jitter(clock):
    issuer = Issuer(clock, results=[RuntimeError('down')] * 50)
    draws = iter([0.0, 0.5, 0.999] * 20)
    source = RefreshableToken(make_token(next(_serial), clock, 3600), issuer, time_fetcher=clock,
                              random_source=lambda: next(draws))
    clock.advance(3600 - 500)   # mandatory window (600 s)
    # 1600 calls within 0.2 s make one refresh attempt, not hundreds.
    for _ in range(1600):
        with pytest.raises(TokenRefreshError):
            source.get()
    assert issuer.calls == 1
    # The n-th failure in a row waits min(30 s, 2**(n-1) s) times 0.5 + draw / 2.
    waits = []
    for _ in range(8):
        calls = issuer.calls
        elapsed = 0.0
        while issuer.calls == calls:
            clock.advance(0.125)
            elapsed += 0.125
            with pytest.raises(TokenRefreshError):
                source.get()
        waits.append(elapsed)
    # draws 0, .5, .999: 1 x .5, 2 x .75, 4 x ~1, 8 x .5, 16 x .75, 30 x ~1, 30 x .5, 30 x .75
    assert waits == [0.5, 1.5, 4.0, 4.0, 12.0, 30.0, 15.0, 22.5]


def test_a_refresh_is_checked_against_the_clock_after_it_returns(clock):
    def slow_refresh():
        new = make_token(next(_serial), clock, 900)
        clock.advance(901)  # the call took longer than the token lives
        return new

    source = RefreshableToken(make_token(next(_serial), clock, 900), slow_refresh, time_fetcher=clock)
    clock.advance(800)
    with pytest.raises(TokenRefreshError) as info:
        source.get()
    assert isinstance(info.value.cause, TokenExpiredError)


@pytest.mark.parametrize('field, value', [
    ('advisory_window', float('nan')), ('advisory_window', float('inf')),
    ('mandatory_window', float('-inf')), ('retry_interval', float('nan')),
    ('retry_interval', '600'), ('advisory_window', 10 ** 12),
    ('refresh_timeout', 0), ('refresh_timeout', float('nan')), ('refresh_timeout', '5'),
    ('random_source', 0.5),
])
def test_windows_and_timeouts_that_are_not_finite_durations_are_refused(clock, field, value):
    with pytest.raises(InvalidParameterError) as info:
        RefreshableToken(make_token(next(_serial), clock, 900), Issuer(clock), time_fetcher=clock,
                         **{field: value})
    assert info.value.field == field and field in six.text_type(info.value)


class LeakyError(Exception):
    """An error whose own __str__ shows a secret (args masking cannot reach it)."""

    def __init__(self, secret):
        Exception.__init__(self)
        self.secret = secret

    def __str__(self):
        return 'boom, token %s' % self.secret


@pytest.mark.parametrize('make_cause', [
    lambda t: RuntimeError('issuer down, token %s secret %s' % (t.session_token, t.secret_key)),
    lambda t: LeakyError(t.session_token),
    lambda t: IOError(5, 'read %s' % t.secret_key),
], ids=['args', 'own-str', 'oserror'])
@pytest.mark.parametrize('seconds_later', [800, 1000], ids=['mandatory', 'expired'])
def test_refresh_errors_chain_no_secret(clock, make_cause, seconds_later):
    import traceback
    token = make_token(next(_serial), clock, 900)

    def refresh():
        try:
            raise ValueError('first failure with %s' % token.secret_key)
        except ValueError:
            raise make_cause(token)  # chained as __context__ on Python 3

    source = RefreshableToken(token, refresh, time_fetcher=clock)
    clock.advance(seconds_later)
    with pytest.raises((TokenRefreshError, TokenExpiredError)) as info:
        source.get()
    error = info.value
    text = ''.join(traceback.format_exception(type(error), error, info.tb))
    for shown in (text, six.text_type(error), repr(error), repr(error.args),
                  six.text_type(error.cause), repr(error.cause), repr(source.last_error)):
        assert_no_secret(shown, token)
    assert type(error.cause).__name__ in text
