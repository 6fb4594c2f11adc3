"""Unit tests of stsboto.vend.app: the WSGI application, its protocol and its refusals.

The application is called directly with environ dicts, with a fake issuer and
injected clocks: the 401 slow-down, the http refusal rules and trusted
proxies, /healthz and /metrics, the 503s, reload and the audit line.
"""
from __future__ import absolute_import, unicode_literals

import pytest

from stsboto.credentials import metadata
from stsboto.exceptions import TokenIssueError
from stsboto.vend import hash_secret
from stsboto.vend.app import FailureLimiter
from tests.factories import FakeTime
from tests.vend_support import SECRET_A, SECRET_B, TWO_CALLERS, Answer, FakeIssuer, config_from, environ


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
