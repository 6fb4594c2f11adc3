"""Unit tests of stsboto.vend.cache: per-caller credentials, refreshes, back-off, threads."""
from __future__ import absolute_import, unicode_literals

import threading

import pytest

from stsboto.exceptions import TokenIssueError
from stsboto.vend import VendApp, hash_secret
from stsboto.vend.cache import CredentialCache, Unavailable
from tests.vend_support import BASE, SECRET_A, TWO_CALLERS, Answer, FakeIssuer, config_from, environ


def test_still_valid_credentials_are_served_while_sts_fails(make_app, clock):
    app, issuer = make_app()
    first = Answer(app, environ(SECRET_A)).json()
    clock.advance(3600 - 19 * 60)  # inside the 20-minute rule: a refresh is due
    issuer.fail = TokenIssueError('STS unreachable')
    assert Answer(app, environ(SECRET_A)).json() == first
    assert len(issuer.calls) == 2
    clock.advance(19 * 60 - 30)  # 30 s left: not worth serving
    assert Answer(app, environ(SECRET_A)).status == 503


def test_credentials_are_reused_while_more_than_20_minutes_are_left(tmpdir, clock):
    caller = config_from(tmpdir, TWO_CALLERS).callers['app-a']
    issuer = FakeIssuer(clock)
    cache = CredentialCache(issuer, clock=clock)
    token, issued = cache.get(caller)
    assert issued
    clock.advance(3600 - 21 * 60)
    assert cache.get(caller) == (token, False)
    clock.advance(2 * 60)  # 19 minutes left
    renewed, issued = cache.get(caller)
    assert issued and renewed != token and len(issuer.calls) == 2


def test_backoff_is_bounded(tmpdir, clock):
    caller = config_from(tmpdir, TWO_CALLERS).callers['app-a']
    issuer = FakeIssuer(clock, fail=TokenIssueError('throttled', code='Throttling'))
    cache = CredentialCache(issuer, clock=clock)
    waits = []
    for _ in range(10):
        with pytest.raises(Unavailable) as caught:
            cache.get(caller)
        waits.append(caught.value.retry_after)
        clock.advance(caught.value.retry_after)
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    assert len(issuer.calls) == 10


def test_8_threads_10_callers_1000_requests_make_10_issuer_calls(tmpdir, clock):
    text = BASE + ''.join('[caller app-%02d]\ntoken_sha256 = %s\n'
                          % (i, hash_secret('secret-%02d' % i)) for i in range(10))
    issuer = FakeIssuer(clock, delay=0.02)  # slow STS: threads pile up on each caller
    app, _ = VendApp(config_from(tmpdir, text), issue=issuer, clock=clock), None
    answers = []
    start = threading.Event()

    def worker(n):
        start.wait()
        for i in range(125):
            secret = 'secret-%02d' % ((n + i) % 10)
            answer = Answer(app, environ(secret))
            answers.append((secret, answer.status, answer.json()['AccessKeyId']))
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join()
    assert len(answers) == 1000 and set(status for _, status, _ in answers) == {200}
    assert len(issuer.calls) == 10
    assert sorted(c.name for c in issuer.calls) == ['app-%02d' % i for i in range(10)]
    # each caller always got its own one credential
    keys = {}
    for secret, _, key in answers:
        keys.setdefault(secret, set()).add(key)
    assert all(len(k) == 1 for k in keys.values()) and len(set().union(*keys.values())) == 10


def test_during_a_refresh_other_threads_get_the_still_valid_credentials(tmpdir, clock):
    caller = config_from(tmpdir, TWO_CALLERS).callers['app-a']
    issuer = FakeIssuer(clock)
    cache = CredentialCache(issuer, clock=clock)
    first, _ = cache.get(caller)
    clock.advance(3600 - 19 * 60)  # a refresh is due
    entered, release = threading.Event(), threading.Event()
    real = issuer.__call__

    def slow_issue(caller):
        entered.set()
        release.wait(10)
        return real(caller)
    cache.issue = slow_issue
    results = []
    refresher = threading.Thread(target=lambda: results.append(cache.get(caller)))
    refresher.start()
    assert entered.wait(10)
    assert cache.get(caller) == (first, False)  # not blocked behind the STS call
    release.set()
    refresher.join()
    assert results[0][1] is True and results[0][0] != first
    assert cache.get(caller) == (results[0][0], False)


def test_missing_issuer_credentials_are_a_503_not_a_crash(make_app, clock):
    from stsboto.exceptions import MissingCredentialsError
    app, issuer = make_app(issuer=FakeIssuer(clock, fail=MissingCredentialsError('no keys')))
    answer = Answer(app, environ(SECRET_A))
    assert answer.status == 503 and answer.headers['Retry-After'] == '1'
