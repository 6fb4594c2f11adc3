"""Unit tests of stsboto.vend: the configuration's rules, the WSGI application called
directly with environ dicts (a fake issuer, injected clocks), the per-caller cache under
threads, the 401 slow-down, the http refusal rules and trusted proxies, /metrics."""
from __future__ import absolute_import, unicode_literals

import io
import json
import os
import sys
import threading
import time

import pytest
import six

from stsboto.credentials import metadata
from stsboto.exceptions import TokenIssueError, VendConfigError
from stsboto.vend import VendApp, add_caller, check_issuer, hash_secret, load_config
from stsboto.vend import config as vend_config
from stsboto.vend.app import FailureLimiter
from stsboto.vend.cache import CredentialCache, Unavailable
from stsboto.vend.metrics import Metrics
from tests.factories import FakeClock, FakeTime, make_token

SECRET_A = 'secret-of-a-0123456789abcdefghij'
SECRET_B = 'secret-of-b-0123456789abcdefghij'
BASE = """[vend]
bucket = photos
prefix = users/{caller}/
"""
TWO_CALLERS = BASE + """
[caller app-a]
token_sha256 = %s

[caller app-b]
token_sha256 = %s
prefix = partners/{caller}/
actions = s3:GetObject
duration = 7200
""" % (hash_secret(SECRET_A), hash_secret(SECRET_B))


def write_config(tmpdir, text, name='vend.ini'):
    path = tmpdir.join(name)
    path.write_text(text, encoding='utf-8')
    return str(path)


def config_from(tmpdir, text):
    return load_config(write_config(tmpdir, text))


def refused(tmpdir, text):
    with pytest.raises(VendConfigError) as caught:
        config_from(tmpdir, text)
    return caught.value


# -- configuration -------------------------------------------------------------------

def test_callers_get_their_grant_with_caller_filled_in(tmpdir):
    config = config_from(tmpdir, TWO_CALLERS)
    assert config.mode == 'federation' and config.region == 'us-east-1'
    a, b = config.callers['app-a'], config.callers['app-b']
    assert a.duration == 3600 and b.duration == 7200
    assert a.policy['Statement'] == [{
        'Effect': 'Allow', 'Action': ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        'Resource': 'arn:aws:s3:::photos/users/app-a/*'}]
    assert b.policy['Statement'] == [{'Effect': 'Allow', 'Action': ['s3:GetObject'],
                                      'Resource': 'arn:aws:s3:::photos/partners/app-b/*'}]
    assert config.caller_for_secret(SECRET_A) is a
    assert config.caller_for_secret(SECRET_B) is b
    assert config.caller_for_secret('not-a-secret') is None
    assert config.caller_for_secret('') is None


@pytest.mark.parametrize('text, section, key, words', [
    ('[caller x1]\ntoken_sha256 = %s\n' % ('a' * 64), 'vend', None, 'needs a [vend] section'),
    (BASE + 'mode = federated\n', 'vend', 'mode', 'federation or assume-role'),
    (BASE + 'mode = assume-role\n', 'vend', 'role_arn', 'role ARN'),
    (BASE + 'role_arn = arn:aws:iam::123456789012:role/r\n', 'vend', 'role_arn', 'assume-role'),
    (BASE + 'colour = blue\n', 'vend', 'colour', 'unknown key colour'),
    (BASE + 'duration = 900\n', 'vend', 'duration', 'botocore'),
    (BASE + 'duration = 1h\n', 'vend', 'duration', 'whole number of seconds'),
    (BASE + 'duration = 200000\n', 'vend', 'duration', 'at most 129600'),
    (BASE + 'mode = assume-role\nrole_arn = arn:aws:iam::123456789012:role/r\nduration = 43201\n',
     'vend', 'duration', 'at most 43200'),
    (BASE + 'trusted_proxies = 10.0.0.1/8\n', 'vend', 'trusted_proxies', 'host bits'),
    (BASE + 'metrics_from = example.com\n', 'vend', 'metrics_from', 'not an IPv4 or IPv6'),
    (BASE + 'region = mars-1\n', 'vend', 'region', 'region'),
    (BASE + '[caller a]\ntoken_sha256 = %s\n' % ('a' * 64), 'caller a', None, '2-32 characters'),
    (BASE + '[caller app]\n', 'caller app', 'token_sha256', 'needs token_sha256'),
    (BASE + '[caller app]\ntoken_sha256 = %s\n' % SECRET_A, 'caller app', 'token_sha256',
     'never the secret itself'),
    (BASE + '[caller app]\ntoken_sha256 = %s\n[caller app2]\ntoken_sha256 = %s\n'
     % (hash_secret(SECRET_A), hash_secret(SECRET_A)), 'caller app2', 'token_sha256',
     'each secret names one caller'),
    (BASE + '[caller app]\ntoken_sha256 = %s\nowner = me\n' % ('a' * 64), 'caller app', 'owner',
     'unknown key owner'),
    (BASE + '[caller app]\ntoken_sha256 = %s\nprefix = {user}/\n' % ('a' * 64), 'caller app',
     'prefix', '{caller} and no other braces'),
    (BASE + '[caller app]\ntoken_sha256 = %s\nprefix = a*/\n' % ('a' * 64), 'caller app', 'prefix',
     'wildcards'),
    (BASE + '[caller app]\ntoken_sha256 = %s\nbucket = Photos\n' % ('a' * 64), 'caller app',
     'bucket', 'lowercase'),
    (BASE + '[caller app]\ntoken_sha256 = %s\nactions = s3:*\n' % ('a' * 64), 'caller app',
     'actions', 'wildcard'),
    (BASE + '[caller app]\ntoken_sha256 = %s\nduration = 60\n' % ('a' * 64), 'caller app',
     'duration', 'at least 1800'),
    (BASE + '[callers app]\ntoken_sha256 = %s\n' % ('a' * 64), 'callers app', None,
     '[caller NAME] only'),
    ('[vend]\n[caller app]\ntoken_sha256 = %s\n' % ('a' * 64), 'caller app', 'bucket', 'bucket'),
])
def test_bad_configurations_are_refused_naming_section_and_key(tmpdir, text, section, key, words):
    error = refused(tmpdir, text)
    assert isinstance(error, ValueError)
    assert (error.section, error.key) == (section, key)
    assert '[%s]' % section in six.text_type(error)
    if key:
        assert key in six.text_type(error)
    assert words in six.text_type(error)
    assert SECRET_A not in six.text_type(error)


def test_a_short_duration_says_why(tmpdir):
    message = six.text_type(refused(tmpdir, BASE + 'duration = 1200\n'))
    assert 'at least 1800 seconds' in message and '15 minutes' in message


def test_unreadable_and_broken_files_are_config_errors(tmpdir):
    with pytest.raises(VendConfigError) as caught:
        load_config(str(tmpdir.join('missing.ini')))
    assert 'cannot read' in six.text_type(caught.value)
    assert 'not a valid INI' in six.text_type(refused(tmpdir, 'no section here\n'))


def test_networks_ipv4_ipv6_and_mapped_addresses():
    network = vend_config.Network('10.1.0.0/16')
    assert '10.1.2.3' in network and '::ffff:10.1.2.3' in network
    assert '10.2.0.1' not in network and 'fd00::1' not in network and 'junk' not in network
    assert '2001:db8::5' in vend_config.Network('2001:db8::/32')
    assert '192.0.2.7' in vend_config.Network('192.0.2.7')
    assert vend_config.is_loopback('127.0.0.2') and vend_config.is_loopback('::1')
    assert not vend_config.is_loopback('10.0.0.1')


def test_federation_needs_long_term_keys(tmpdir):
    config = config_from(tmpdir, TWO_CALLERS)
    check_issuer(config, make_token(access_key='AKIAIOSFODNN7EXAMPLE', session_token=None))
    with pytest.raises(VendConfigError) as caught:
        check_issuer(config, make_token())  # temporary: ASIA..., a session token
    assert 'long-term keys' in six.text_type(caught.value)
    assert caught.value.key == 'mode'
    with pytest.raises(VendConfigError) as caught:
        check_issuer(config, None)
    assert 'no issuer credentials' in six.text_type(caught.value)


def test_assume_role_from_role_credentials_is_capped_at_an_hour(tmpdir):
    text = TWO_CALLERS.replace('[vend]\n', '[vend]\nmode = assume-role\n'
                               'role_arn = arn:aws:iam::123456789012:role/vend\n')
    config = config_from(tmpdir, text)
    check_issuer(config, make_token(access_key='AKIAIOSFODNN7EXAMPLE', session_token=None))
    with pytest.raises(VendConfigError) as caught:
        check_issuer(config, make_token())
    assert (caught.value.section, caught.value.key) == ('caller app-b', 'duration')
    assert 'role chaining' in six.text_type(caught.value)
    check_issuer(config_from(tmpdir, text.replace('duration = 7200', 'duration = 3600')),
                 make_token())


def test_add_caller_adds_a_section_then_a_second_hash_keeping_the_file(tmpdir):
    path = write_config(tmpdir, BASE.replace('[vend]', '# the photo service\n[vend]'))
    add_caller(path, 'app-a', SECRET_A)
    add_caller(path, 'app-a', SECRET_B)  # rotation: both work until the old one is removed
    text = io.open(path, encoding='utf-8').read()
    assert text.startswith('# the photo service\n[vend]\n')
    assert SECRET_A not in text and SECRET_B not in text
    config = load_config(path)
    assert config.callers['app-a'].hashes == (hash_secret(SECRET_A), hash_secret(SECRET_B))
    assert config.caller_for_secret(SECRET_B).name == 'app-a'
    assert [f for f in os.listdir(str(tmpdir))] == ['vend.ini']


def test_add_caller_refuses_a_name_the_file_cannot_hold(tmpdir):
    path = write_config(tmpdir, BASE)
    with pytest.raises(VendConfigError):
        add_caller(path, 'x', SECRET_A)
    assert io.open(path, encoding='utf-8').read() == BASE
    assert os.listdir(str(tmpdir)) == ['vend.ini']


# -- the application -----------------------------------------------------------------


class FakeIssuer(object):
    """issue(caller): a distinct token per call, lasting the caller's duration."""

    def __init__(self, clock, delay=0.0, fail=None):
        self.clock = clock
        self.delay = delay
        self.fail = fail
        self.calls = []
        self.lock = threading.Lock()

    def __call__(self, caller):
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.calls.append(caller)
            serial = len(self.calls)
        if self.fail is not None:
            raise self.fail
        return make_token(serial=serial, clock=self.clock, lifetime=caller.duration, arn=None)


def environ(secret=None, path='/creds', remote='127.0.0.1', scheme='http', method='GET', **headers):
    env = {'REQUEST_METHOD': method, 'PATH_INFO': path, 'REMOTE_ADDR': remote,
           'wsgi.url_scheme': scheme}
    if secret is not None:
        env['HTTP_AUTHORIZATION'] = secret
    env.update(headers)
    return env


class Answer(object):
    def __init__(self, app, env):
        seen = {}

        def start_response(status, headers):
            seen['status'], seen['headers'] = status, headers
        self.body = b''.join(app(env, start_response))
        self.status = int(seen['status'].split()[0])
        self.headers = dict(seen['headers'])
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in seen['headers'])

    def json(self):
        return json.loads(self.body.decode('utf-8'))


@pytest.fixture
def clock():
    return FakeClock('real')


@pytest.fixture
def make_app(tmpdir, clock):
    def make(text=TWO_CALLERS, **options):
        issuer = options.pop('issuer', None) or FakeIssuer(clock)
        app = VendApp(config_from(tmpdir, text), issue=issuer, clock=clock, **options)
        return app, issuer
    return make


def test_a_known_secret_gets_container_credentials_json(make_app):
    app, issuer = make_app()
    answer = Answer(app, environ(SECRET_A))
    assert answer.status == 200
    assert answer.headers['Content-Type'] == 'application/json'
    assert answer.headers['Cache-Control'] == 'no-store'
    data = answer.json()
    assert sorted(data) == ['AccessKeyId', 'Expiration', 'SecretAccessKey', 'Token']
    # what stsboto's ContainerSource (botocore's shape) reads from it
    token = metadata._token_from(data, 'vend', 'container-role', 'Token')
    assert token.access_key == 'ASIA%016d' % 1 and token.session_token
    assert [c.name for c in issuer.calls] == ['app-a']


def test_bearer_form_is_accepted_too(make_app):
    app, issuer = make_app()
    assert Answer(app, environ('Bearer ' + SECRET_B)).status == 200
    assert [c.name for c in issuer.calls] == ['app-b']


@pytest.mark.parametrize('secret', [None, '', 'Bearer ', 'wrong-secret', SECRET_A + 'x',
                                    hash_secret(SECRET_A)])
def test_missing_or_unknown_secret_is_401_without_an_sts_call(make_app, secret):
    app, issuer = make_app()
    answer = Answer(app, environ(secret))
    assert answer.status == 401
    assert answer.json()['code'] == 'Unauthorized'
    assert issuer.calls == []


def test_caller_b_never_gets_caller_a_grant(make_app):
    app, issuer = make_app()
    a = Answer(app, environ(SECRET_A)).json()
    b = Answer(app, environ(SECRET_B)).json()
    assert a['AccessKeyId'] != b['AccessKeyId']
    assert [(c.name, c.prefix) for c in issuer.calls] == [('app-a', 'users/app-a/'),
                                                          ('app-b', 'partners/app-b/')]
    # asking again with B's secret (any path, any header) answers B's credentials
    again = Answer(app, environ(SECRET_B, path='/app-a', HTTP_X_CALLER='app-a')).json()
    assert again == b


def test_secrets_are_compared_in_constant_time_against_every_hash(make_app, monkeypatch):
    app, _ = make_app()
    compared = []
    real = vend_config.hmac.compare_digest

    def counting(a, b):
        compared.append(b.decode('ascii'))
        return real(a, b)
    monkeypatch.setattr(vend_config.hmac, 'compare_digest', counting)
    for secret in (SECRET_A, SECRET_B, 'unknown-secret'):
        del compared[:]
        Answer(app, environ(secret))
        # every hash is compared, whichever (if any) matches
        assert sorted(compared) == sorted([hash_secret(SECRET_A), hash_secret(SECRET_B)])


def test_plain_http_is_refused_except_from_loopback(make_app):
    app, issuer = make_app()
    assert Answer(app, environ(SECRET_A, remote='127.0.0.1')).status == 200
    assert Answer(app, environ(SECRET_A, remote='::1')).status == 200
    refused = Answer(app, environ(SECRET_A, remote='192.0.2.10'))
    assert refused.status == 403 and refused.json()['code'] == 'HttpsRequired'
    assert Answer(app, environ(SECRET_A, remote='192.0.2.10', scheme='https')).status == 200
    # a client cannot vouch for itself
    assert Answer(app, environ(SECRET_A, remote='192.0.2.10',
                               HTTP_X_FORWARDED_PROTO='https')).status == 403
    assert len(issuer.calls) == 1


def test_trusted_proxies_x_forwarded_proto_is_believed(make_app):
    app, _ = make_app(TWO_CALLERS.replace('[vend]\n', '[vend]\ntrusted_proxies = 10.0.0.0/8\n'))
    assert Answer(app, environ(SECRET_A, remote='10.1.2.3',
                               HTTP_X_FORWARDED_PROTO='https')).status == 200
    assert Answer(app, environ(SECRET_A, remote='10.1.2.3',
                               HTTP_X_FORWARDED_PROTO='http')).status == 403
    assert Answer(app, environ(SECRET_A, remote='10.1.2.3')).status == 403
    assert Answer(app, environ(SECRET_A, remote='192.0.2.1',
                               HTTP_X_FORWARDED_PROTO='https')).status == 403


def test_repeated_401s_from_one_address_are_slowed_down(make_app):
    timer = FakeTime()
    app, issuer = make_app(limiter=FailureLimiter(clock=timer))
    for _ in range(FailureLimiter.free):
        assert Answer(app, environ('guess', remote='192.0.2.9', scheme='https')).status == 401
    assert Answer(app, environ('guess', remote='192.0.2.9', scheme='https')).status == 401
    blocked = Answer(app, environ(SECRET_A, remote='192.0.2.9', scheme='https'))
    assert blocked.status == 429 and blocked.headers['Retry-After'] == '1'
    # other addresses are not affected
    assert Answer(app, environ(SECRET_A, remote='192.0.2.10', scheme='https')).status == 200
    timer.advance(1.5)
    assert Answer(app, environ('guess', remote='192.0.2.9', scheme='https')).status == 401
    assert Answer(app, environ(SECRET_A, remote='192.0.2.9', scheme='https')).headers[
        'Retry-After'] == '2'  # doubles with each failure
    timer.advance(FailureLimiter.window + 1)  # forgotten after a quiet window
    assert Answer(app, environ(SECRET_A, remote='192.0.2.9', scheme='https')).status == 200
    assert len(issuer.calls) == 1


def test_slow_down_behind_a_trusted_proxy_is_per_client(make_app):
    timer = FakeTime()
    app, _ = make_app(TWO_CALLERS.replace('[vend]\n', '[vend]\ntrusted_proxies = 10.0.0.0/8\n'),
                      limiter=FailureLimiter(clock=timer))
    proxied = dict(remote='10.0.0.5', HTTP_X_FORWARDED_PROTO='https')
    for _ in range(FailureLimiter.free + 1):
        Answer(app, environ('guess', HTTP_X_FORWARDED_FOR='198.51.100.1, 10.0.0.4', **proxied))
    assert Answer(app, environ(SECRET_A, HTTP_X_FORWARDED_FOR='198.51.100.1',
                               **proxied)).status == 429
    assert Answer(app, environ(SECRET_A, HTTP_X_FORWARDED_FOR='198.51.100.2',
                               **proxied)).status == 200


def test_only_get(make_app):
    app, issuer = make_app()
    answer = Answer(app, environ(SECRET_A, method='POST'))
    assert answer.status == 405 and answer.headers['Allow'] == 'GET'
    assert issuer.calls == []


def test_healthz_and_metrics(make_app):
    app, _ = make_app(TWO_CALLERS.replace('[vend]\n', '[vend]\nmetrics_from = 10.9.0.0/16\n'))
    health = Answer(app, environ(path='/healthz', remote='192.0.2.1'))
    assert health.status == 200 and health.json() == {'status': 'ok'}
    Answer(app, environ(SECRET_A))
    Answer(app, environ(SECRET_A))
    Answer(app, environ('nope'))
    assert Answer(app, environ(path='/metrics', remote='192.0.2.1')).status == 403
    assert Answer(app, environ(path='/metrics', remote='10.9.1.1')).status == 200
    metrics = Answer(app, environ(path='/metrics'))
    assert metrics.status == 200 and metrics.headers['Content-Type'].startswith('text/plain')
    text = metrics.body.decode('utf-8')
    assert 'stsboto_vend_issuances_total{caller="app-a"} 1.0' in text
    assert 'stsboto_vend_cache_hits_total{caller="app-a"} 1.0' in text
    assert 'stsboto_vend_unauthorized_total 1.0' in text
    assert 'stsboto_vend_request_seconds_count' in text


def check_metrics_text(metrics):
    metrics.count('issuances', caller='a')
    metrics.count('sts_errors')
    metrics.observe(0.002)
    body, content_type = metrics.render()
    text = body.decode('utf-8')
    assert 'text/plain' in content_type
    assert 'stsboto_vend_issuances_total{caller="a"} 1.0' in text
    assert 'stsboto_vend_sts_errors_total 1.0' in text
    assert 'stsboto_vend_request_seconds_bucket{le="0.0025"} 1.0' in text


def test_builtin_metrics_text():
    metrics = Metrics(use_prometheus_client=False)
    assert metrics.backend == 'builtin'
    check_metrics_text(metrics)


@pytest.mark.applies(sys.version_info >= (3, 7),
                     reason='prometheus_client (tests/requirements.txt) is installed on 3.7+')
def test_prometheus_client_metrics_text():
    metrics = Metrics()
    assert metrics.backend == 'prometheus_client'
    check_metrics_text(metrics)


def test_sts_failure_without_credentials_is_503_with_retry_after(make_app, clock):
    issuer = FakeIssuer(clock, fail=TokenIssueError('STS GetFederationToken failed: 400 Throttling',
                                                    code='Throttling', status=400))
    app, _ = make_app(issuer=issuer)
    answer = Answer(app, environ(SECRET_A))
    assert answer.status == 503 and answer.headers['Retry-After'] == '1'
    # within the backoff no STS call is made
    assert Answer(app, environ(SECRET_A)).status == 503
    assert len(issuer.calls) == 1
    clock.advance(1.5)
    assert Answer(app, environ(SECRET_A)).headers['Retry-After'] == '2'
    assert len(issuer.calls) == 2
    assert 'stsboto_vend_sts_errors_total 2.0' in Answer(app, environ(path='/metrics')).body.decode()


def test_still_valid_credentials_are_served_while_sts_fails(make_app, clock):
    app, issuer = make_app()
    first = Answer(app, environ(SECRET_A)).json()
    clock.advance(3600 - 19 * 60)  # inside the 20-minute rule: a refresh is due
    issuer.fail = TokenIssueError('STS unreachable')
    assert Answer(app, environ(SECRET_A)).json() == first
    assert len(issuer.calls) == 2
    clock.advance(19 * 60 - 30)  # 30 s left: not worth serving
    assert Answer(app, environ(SECRET_A)).status == 503


def test_reload_drops_removed_callers_and_changed_grants(make_app, tmpdir):
    app, issuer = make_app()
    Answer(app, environ(SECRET_A))
    Answer(app, environ(SECRET_B))
    app.reload(config_from(tmpdir, TWO_CALLERS.split('[caller app-b]')[0].replace(
        'users/{caller}/', 'home/{caller}/')))
    assert Answer(app, environ(SECRET_B)).status == 401
    assert Answer(app, environ(SECRET_A)).status == 200
    # A's grant changed: new credentials with the new grant, not the cached ones
    assert [(c.name, c.prefix) for c in issuer.calls][-1] == ('app-a', 'home/app-a/')
    assert len(issuer.calls) == 3 and len(app.cache) == 1


def test_unexpected_errors_are_500_without_details(make_app, clock):
    issuer = FakeIssuer(clock, fail=RuntimeError('boom ' + SECRET_A))
    app, _ = make_app(issuer=issuer)
    answer = Answer(app, environ(SECRET_A))
    assert answer.status == 500 and SECRET_A not in answer.body.decode('utf-8')


# -- the cache -------------------------------------------------------------------------


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


# -- the command line ------------------------------------------------------------------


def run_cli(argv, environ=None):
    from stsboto import cli
    stdout = io.TextIOWrapper(io.BytesIO(), encoding='utf-8', newline='\n')
    stderr = io.StringIO()
    code = cli.main(argv, stdin=io.StringIO(), stdout=stdout, stderr=stderr,
                    environ={} if environ is None else environ)
    stdout.flush()
    return code, stdout.buffer.getvalue().decode('utf-8'), stderr.getvalue()


def test_add_caller_prints_the_secret_once_and_stores_its_hash(tmpdir):
    path = write_config(tmpdir, BASE)
    code, out, err = run_cli(['vend', 'add-caller', 'mobile-app', '--config', path])
    assert code == 0
    secret = out.strip()
    assert len(secret) == 43 and '\n' not in secret
    assert 'shown this once' in err and secret not in err
    text = io.open(path, encoding='utf-8').read()
    assert secret not in text and hash_secret(secret) in text
    assert load_config(path).caller_for_secret(secret).name == 'mobile-app'


@pytest.mark.parametrize('argv, words', [
    (['vend', 'add-caller', '--config', 'X'], 'one NAME'),
    (['vend', 'add-caller', 'app1', 'app2', '--config', 'X'], 'one NAME'),
    (['vend', 'add-caller', 'x', '--config', 'X'], '2-64 characters'),
    (['vend', 'remove-caller', 'app', '--config', 'X'], 'unknown action remove-caller'),
    (['vend', '--config', 'X', '--certfile', 'c.pem'], '--certfile and --keyfile go together'),
    (['vend', '--config', 'X', '--port', '70000'], '--port must be 0-65535'),
    (['vend', '--config', 'X', '--workers', '0'], '--workers and --threads'),
])
def test_vend_usage_errors(tmpdir, argv, words):
    path = write_config(tmpdir, TWO_CALLERS)
    code, out, err = run_cli([path if a == 'X' else a for a in argv])
    assert code == 2 and words in err and out == ''


def test_vend_refuses_a_bad_configuration_before_serving(tmpdir):
    path = write_config(tmpdir, BASE + '[caller app]\ntoken_sha256 = %s\n' % SECRET_A)
    code, out, err = run_cli(['vend', '--config', path])
    assert code == 2 and out == ''
    assert err.startswith('stsboto: [caller app] token_sha256') and SECRET_A not in err


def test_vend_refuses_temporary_issuer_keys_for_federation(tmpdir):
    token = make_token()
    code, out, err = run_cli(['vend', '--config', write_config(tmpdir, TWO_CALLERS)],
                             environ=token.to_env())
    assert code == 2 and 'long-term keys' in err and out == ''
    assert token.secret_key not in err and token.session_token not in err


def test_application_from_environment_needs_the_config_variable(tmpdir):
    from stsboto.vend import application_from_environment
    with pytest.raises(VendConfigError) as caught:
        application_from_environment({})
    assert 'STSBOTO_VEND_CONFIG' in six.text_type(caught.value)
    app = application_from_environment({
        'STSBOTO_VEND_CONFIG': write_config(tmpdir, TWO_CALLERS),
        'AWS_ACCESS_KEY_ID': 'AKIAIOSFODNN7EXAMPLE', 'AWS_SECRET_ACCESS_KEY': 'x' * 40})
    assert sorted(app.config.callers) == ['app-a', 'app-b']


def test_one_audit_line_per_issuance_without_secrets(make_app, caplog):
    import logging
    app, issuer = make_app()
    with caplog.at_level(logging.INFO, logger='stsboto.vend.audit'):
        first = Answer(app, environ(SECRET_A, remote='192.0.2.4', scheme='https')).json()
        Answer(app, environ(SECRET_A, remote='192.0.2.4', scheme='https'))  # cached: no line
    lines = [r.getMessage() for r in caplog.records if r.name == 'stsboto.vend.audit']
    assert len(lines) == 1 and len(issuer.calls) == 1
    line = lines[0]
    assert ('issued caller=app-a grant=s3:GetObject,s3:PutObject,s3:AbortMultipartUpload on '
            'photos/users/app-a/* duration=3600 remote=192.0.2.4 access_key=%s'
            % first['AccessKeyId']) in line
    for secret in (first['SecretAccessKey'], first['Token'], SECRET_A):
        assert secret not in line
