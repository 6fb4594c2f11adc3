"""stsboto.transport: one retry policy, settings with their precedence, proxies as
botocore reads them, and the wire behaviour of retries against a throttling front
(issue 17 items 1, 2, 5)."""
from __future__ import absolute_import, unicode_literals

import sys

import pytest

import stsboto
from stsboto import transport
from stsboto.transport import RetryPolicy, RetryQuota
from tests.factories import make_token


# -- the settings and their precedence -----------------------------------------------------

def test_default_is_standard_with_three_attempts():
    rules = transport.policy()
    assert (rules.mode, rules.max_attempts, rules.max_backoff) == ('standard', 3, 20)
    assert rules.quota.available == 500


def test_legacy_mode_defaults_to_five_attempts_and_no_quota(monkeypatch):
    monkeypatch.setenv(str('AWS_RETRY_MODE'), str('legacy'))
    rules = transport.policy()
    assert (rules.mode, rules.max_attempts, rules.quota) == ('legacy', 5, None)


def test_precedence_argument_environment_profile_boto(monkeypatch, isolated_environment,
                                                      boto_config):
    boto_config('num_retries', '6')
    assert transport.policy().max_attempts == 7  # [Boto] num_retries counts retries
    isolated_environment.mkdir('.aws').join('config').write(
        '[default]\nmax_attempts = 4\nretry_mode = legacy\n')
    assert (transport.policy().max_attempts, transport.policy().mode) == (4, 'legacy')
    monkeypatch.setenv(str('AWS_MAX_ATTEMPTS'), str('2'))
    monkeypatch.setenv(str('AWS_RETRY_MODE'), str('standard'))
    rules = transport.policy()
    assert (rules.max_attempts, rules.mode) == (2, 'standard')
    assert rules.where == {'attempts': 'AWS_MAX_ATTEMPTS', 'mode': 'AWS_RETRY_MODE'}
    with transport.attempts_override(9):
        assert transport.policy().max_attempts == 9
    assert transport.policy(retries=0).max_attempts == 1


@pytest.mark.parametrize('variable, value', [
    ('AWS_MAX_ATTEMPTS', 'three'), ('AWS_MAX_ATTEMPTS', '0'), ('AWS_RETRY_MODE', 'eager'),
])
def test_bad_settings_name_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(str(variable), str(value))
    with pytest.raises(stsboto.InvalidParameterError) as info:
        stsboto.connect_with_token(make_token(1))
    assert variable in str(info.value)


def test_max_retry_delay_is_a_number_on_every_python(boto_config):
    # boto compares min(float, str) there: TypeError on Python 3 (boto/connection.py _mexe)
    boto_config('max_retry_delay', '5')
    rules = transport.policy(random=lambda: 0.999)
    assert rules.max_backoff == 5.0
    assert rules.backoff(10) == pytest.approx(0.999 * 5)


def test_backoff_is_random_times_two_to_the_attempt_capped_at_20():
    rules = RetryPolicy(10, random=lambda: 0.5)
    assert [rules.backoff(n) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 10, 10]


def test_the_quota_empties_and_refills():
    quota = RetryQuota()
    taken = [quota.acquire(transport.TRANSIENT) for _ in range(100)]
    assert taken == [5] * 100 and quota.available == 0
    assert quota.acquire(transport.TRANSIENT) == 0
    quota.release(5)
    assert quota.acquire(transport.TIMEOUT) == 0 and quota.acquire(transport.THROTTLING) == 5


# -- which failures are retried, botocore as the oracle ------------------------------------

CLASSIFY = [
    (500, None), (502, None), (503, 'SlowDown'), (504, None), (400, 'Throttling'),
    (400, 'ThrottlingException'), (429, 'TooManyRequestsException'),
    (400, 'RequestTimeout'), (400, 'ProvisionedThroughputExceededException'),
    (400, 'InvalidArgument'), (403, 'AccessDenied'), (404, 'NoSuchKey'), (409, 'Conflict'),
    (400, None), (429, None), (501, 'NotImplemented'), (400, 'PriorRequestNotComplete'),
]


@pytest.mark.parametrize('status, code', CLASSIFY)
def test_retried_exactly_when_botocore_retries(status, code):
    ours = RetryPolicy().classify(status=status, code=code) is not None
    if sys.version_info[0] > 2:
        from botocore.retries import standard

        class Http(object):
            status_code = status

        class Service(object):
            service_name = 's3'

        class Operation(object):
            name = 'GetObject'
            service_model = Service()
            error_shapes = []
        context = standard.RetryContext(
            attempt_number=1, operation_model=Operation(), http_response=Http(),
            parsed_response={'Error': {'Code': code}} if code else {})
        expected = standard.StandardRetryConditions(max_attempts=3).is_retryable(context)
        if status == 429 and not hasattr(standard, 'ThrottlingStatusCodeChecker'):
            expected = True  # botocore before 1.44 (py3.6's) did not retry a bare 429 yet
        assert ours == expected
    else:
        assert ours == (status in (500, 502, 503, 504, 429) or code in transport.THROTTLING_CODES or
                        code in transport.TRANSIENT_CODES)


# -- proxies as botocore reads them -----------------------------------------------------------

@pytest.mark.parametrize('environ, scheme, host, expected', [
    ({'HTTPS_PROXY': 'http://p:3128'}, 'https', 's3.amazonaws.com', 'http://p:3128'),
    ({'HTTPS_PROXY': 'http://upper:1', 'https_proxy': 'http://lower:2'}, 'https', 'h', 'http://lower:2'),
    ({'HTTP_PROXY': 'http://p:3128'}, 'https', 'h', None),
    ({'HTTP_PROXY': 'http://p:3128'}, 'http', 'h', 'http://p:3128'),
    ({'HTTP_PROXY': 'http://p:3128', 'REQUEST_METHOD': 'GET'}, 'http', 'h', None),
    ({'HTTPS_PROXY': 'p:3128', 'NO_PROXY': '.amazonaws.com'}, 'https', 's3.amazonaws.com', None),
    ({'HTTPS_PROXY': 'p:3128', 'NO_PROXY': 'amazonaws.com'}, 'https', 'sts.amazonaws.com', None),
    ({'HTTPS_PROXY': 'p:3128', 'no_proxy': 'example.com'}, 'https', 's3.amazonaws.com',
     'http://p:3128'),
    ({'HTTPS_PROXY': 'p:3128', 'NO_PROXY': '*'}, 'https', 'anything', None),
])
def test_proxies_from_the_environment(environ, scheme, host, expected):
    proxy = transport.proxy_for(scheme, host, environ)
    assert (proxy.display if proxy is not None else None) == expected


@pytest.mark.parametrize('environ, scheme, host, expected', [
    ({'HTTPS_PROXY': 'http://upper:1', 'https_proxy': 'http://lower:2'}, 'https', 'h', 'http://lower:2'),
    ({'HTTP_PROXY': 'http://p:3128', 'REQUEST_METHOD': 'GET'}, 'http', 'h', None),
    ({'HTTPS_PROXY': 'p:3128', 'NO_PROXY': '.amazonaws.com'}, 'https', 's3.amazonaws.com', None),
])
def test_proxies_from_the_process_environment(environ, scheme, host, expected, monkeypatch):
    for name in ('http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY',
                 'REQUEST_METHOD'):
        monkeypatch.delenv(str(name), raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(str(name), str(value))
    proxy = transport.proxy_for(scheme, host)
    assert (proxy.display if proxy is not None else None) == expected


def test_proxy_credentials_become_proxy_authorization_and_are_masked():
    proxy = transport.Proxy('http://me:p%40ss@proxy.corp:8080')
    assert proxy.authorization == 'Basic bWU6cEBzcw=='  # base64 of me:p@ss
    assert proxy.display == 'http://me:***@proxy.corp:8080'
    assert 'p@ss' not in repr(proxy)


# -- retries on the wire: a front that throttles N times ---------------------------------------


THROTTLING = ('<Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error>')


# -- adaptive mode: the client-side rate limiter ---------------------------------------------

class _Clock(object):
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


# (seconds after the previous answer, throttled?)
EVENTS = [(0.1, False), (0.1, False), (0.3, False), (0.2, True), (0.05, False), (0.6, False),
          (0.1, True), (0.4, True), (1.5, False), (0.7, False), (2.0, False), (0.01, True),
          (3.0, False), (0.5, False)]


@pytest.mark.applies(sys.version_info[0] > 2, reason='botocore (the oracle) is installed on py3')
def test_the_rate_follows_botocore_client_rate_limiter():
    from botocore.retries import adaptive, bucket, throttling

    clock = _Clock()

    class BotocoreClock(object):
        def current_time(self):
            return clock.now

    class Detector(object):
        throttled = False

        def is_throttling_error(self, **kwargs):
            return self.throttled

    detector = Detector()
    theirs = adaptive.ClientRateLimiter(
        rate_adjustor=throttling.CubicCalculator(starting_max_rate=0, start_time=clock.now),
        rate_clocker=adaptive.RateClocker(BotocoreClock()),
        token_bucket=bucket.TokenBucket(max_rate=1, clock=BotocoreClock()),
        throttling_detector=detector, clock=BotocoreClock())
    ours = transport.RateLimiter(clock=clock, sleep=clock.sleep)
    for step, throttled in EVENTS:
        clock.now += step
        detector.throttled = throttled
        theirs.on_receiving_response()
        ours.after_answer(throttled)
        assert ours.fill_rate == pytest.approx(theirs._token_bucket.max_rate)
        assert ours.enabled == theirs._enabled


def test_adaptive_mode_waits_for_tokens_once_throttled():
    clock = _Clock()
    limiter = transport.RateLimiter(clock=clock, sleep=clock.sleep)
    began = clock.now
    for _ in range(5):
        limiter.before_send()  # off: no wait at all
    assert clock.now == began
    limiter.after_answer(True)
    assert limiter.enabled and limiter.fill_rate == limiter.MIN_RATE
    sent = []
    for _ in range(3):
        limiter.before_send()
        sent.append(clock.now)
    assert sent[-1] - began >= 3 / limiter.MIN_RATE - 1  # about 2 s between sends at 0.5/s
