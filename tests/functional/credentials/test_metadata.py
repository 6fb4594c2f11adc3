"""Functional tests for stsboto.credentials.metadata, against loopback emulators (tests/emulators.py).

IMDSv2 and its fallbacks, container credentials, refresh with a fake clock,
size limits and garbage answers.
"""
from __future__ import absolute_import, unicode_literals

import datetime
import time

import pytest
import six

import stsboto
from stsboto.credentials import metadata
from stsboto.exceptions import CredentialSourceError
from stsboto.refresh import RefreshableToken
from tests.credentials_support import assert_no_secret
from tests.emulators import container_endpoint, imds
from tests.factories import FakeClock, make_token
from tests.localhttp import free_port


def creds(**fields):
    """A token as the endpoints serve it: no ARN."""
    fields.setdefault('arn', None)
    return make_token(**fields)


def imds_env(server, **extra):
    env = {'AWS_EC2_METADATA_SERVICE_ENDPOINT': server.url}
    env.update(extra)
    return env


# -- IMDSv2 -------------------------------------------------------------------------

def test_imdsv2_token_then_gets_with_it(imds_on):
    with imds([creds(serial=1)]) as server:
        source = stsboto.find_token(environ=imds_env(server))
    assert isinstance(source, RefreshableToken) and source.method == 'iam-role'
    token = source.get()
    assert token.access_key == 'ASIA%016d' % 1 and token.method == 'iam-role'
    (put, path, put_headers), role, answer = server.requests
    assert (put, path) == ('PUT', '/latest/api/token')
    assert put_headers['x-aws-ec2-metadata-token-ttl-seconds'] == '21600'
    assert role[:2] == ('GET', '/latest/meta-data/iam/security-credentials/')
    assert answer[:2] == ('GET', '/latest/meta-data/iam/security-credentials/app-role')
    assert role[2]['x-aws-ec2-metadata-token'] == answer[2]['x-aws-ec2-metadata-token'] == \
        'imds-session-token-0001'


def test_emulator_refuses_token_less_gets(imds_on):
    from stsboto.credentials.http import request
    with imds([creds(serial=1)]) as server:
        status, _ = request('GET', server.url + 'latest/meta-data/iam/security-credentials/', {})
    assert status == 401


def test_imds_refresh_picks_up_rotated_credentials(imds_on):
    clock = FakeClock()
    first = creds(serial=1, clock=clock, lifetime=6 * 3600)
    second = creds(serial=2, clock=clock, lifetime=12 * 3600)
    with imds([first, second]) as server:
        source = stsboto.find_token(environ=imds_env(server), time_fetcher=clock)
        assert source.get() == first
        server.rotate()
        clock.advance(5 * 3600)
        assert source.get() == first           # fresh still: no request
        assert server.served == 1
        clock.advance(50 * 60)                 # 10 minutes left: refresh
        assert source.get() == second and source.get().method == 'iam-role'
        assert server.served == 2


def test_imds_failing_in_advisory_window_keeps_the_token(imds_on, caplog):
    clock = FakeClock()
    first = creds(serial=1, clock=clock, lifetime=6 * 3600)
    with imds([first]) as server:
        source = stsboto.find_token(environ=imds_env(server), time_fetcher=clock)
        server.mode = 'html'
        clock.advance(6 * 3600 - 14 * 60)      # advisory window (15 min), not mandatory (10)
        assert source.get() == first
    assert isinstance(source.last_error, CredentialSourceError)
    assert any('refreshing' in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        for secret in (first.secret_key, first.session_token):
            assert secret not in record.getMessage()


def test_imds_disabled_makes_no_request(imds_on):
    with imds([creds(serial=1)]) as server:
        assert stsboto.find_token(environ=imds_env(server, AWS_EC2_METADATA_DISABLED='true')) is None
    assert server.requests == []


def test_imds_disabled_in_os_environ_wins_over_a_mapping():
    # the root conftest sets AWS_EC2_METADATA_DISABLED=true in os.environ
    with imds([creds(serial=1)]) as server:
        assert stsboto.find_token(environ=imds_env(server)) is None
    assert server.requests == []


def test_imdsv1_fallback_where_botocore_falls_back(imds_on):
    with imds([creds(serial=3)]) as server:
        server.mode = 'v1'
        token = stsboto.find_token(environ=imds_env(server)).get()
    assert token.access_key == 'ASIA%016d' % 3
    assert [r[0] for r in server.requests] == ['PUT', 'GET', 'GET']
    assert 'x-aws-ec2-metadata-token' not in server.requests[1][2]


def test_imdsv1_fallback_when_the_put_answer_never_comes(imds_on):
    with imds([creds(serial=3)], silence=1.0) as server:
        server.mode = 'silent-put'
        env = imds_env(server, AWS_METADATA_SERVICE_TIMEOUT='0.2')
        token = stsboto.find_token(environ=env).get()
    assert token.access_key == 'ASIA%016d' % 3


@pytest.mark.parametrize('how', ['env', 'config'])
def test_imdsv1_disabled_means_no_fallback(imds_on, isolated_environment, how):
    with imds([creds(serial=3)]) as server:
        server.mode = 'v1'
        env = imds_env(server)
        if how == 'env':
            env['AWS_EC2_METADATA_V1_DISABLED'] = 'true'
        else:
            isolated_environment.mkdir('.aws').join('config').write(
                '[default]\nec2_metadata_v1_disabled = true\n')
        with pytest.raises(CredentialSourceError) as info:
            stsboto.find_token(environ=env)
    assert 'IMDSv1 is disabled' in six.text_type(info.value)
    assert [r[0] for r in server.requests] == ['PUT']


@pytest.mark.parametrize('mode, words', [
    ('html', 'HTML'),
    ('garbage-json', 'JSON'),
    ('huge', '64 KiB'),
])
def test_imds_garbage_answers_are_clear_errors(imds_on, mode, words):
    with imds([creds(serial=1)]) as server:
        server.mode = mode
        with pytest.raises(CredentialSourceError) as info:
            stsboto.find_token(environ=imds_env(server))
    assert words in six.text_type(info.value) and info.value.method == 'iam-role'
    assert_no_secret(info.value)


@pytest.mark.parametrize('mode', ['no-role', 'forbidden-role'])
def test_imds_without_a_role_is_no_credentials(imds_on, mode):
    # botocore: a role list that is not 200 means "no credentials from IMDS"
    with imds([creds(serial=1)]) as server:
        server.mode = mode
        assert stsboto.find_token(environ=imds_env(server)) is None
    assert [r[0] for r in server.requests] == ['PUT', 'GET']


def test_no_imds_at_all_is_none_and_quick(imds_on):
    started = time.time()
    env = {'AWS_EC2_METADATA_SERVICE_ENDPOINT': 'http://127.0.0.1:%d/' % free_port()}
    assert stsboto.find_token(environ=env) is None
    assert time.time() - started < 5   # a loose sanity bound; benchmarks/ measures it


# -- container credentials ---------------------------------------------------------------

def test_container_full_uri_with_authorization_token(isolated_environment):
    token = creds(serial=4)
    with container_endpoint([token], authorization='Bearer pod-identity-1') as server:
        env = {'AWS_CONTAINER_CREDENTIALS_FULL_URI': server.url + 'v1/credentials',
               'AWS_CONTAINER_AUTHORIZATION_TOKEN': 'Bearer pod-identity-1'}
        source = stsboto.find_token(environ=env)
        assert source.method == 'container-role' and source.get() == token
        env['AWS_CONTAINER_AUTHORIZATION_TOKEN'] = 'Bearer wrong'
        with pytest.raises(CredentialSourceError) as info:
            stsboto.find_token(environ=env)
    assert '401' in six.text_type(info.value)
    assert server.requests[0][2]['authorization'] == 'Bearer pod-identity-1'


def test_container_authorization_token_file_is_reread_on_refresh(tmpdir):
    clock = FakeClock('real')
    first = creds(serial=1, clock=clock, lifetime=3600)
    second = creds(serial=2, clock=clock, lifetime=7200)
    path = tmpdir.join('eks-token')
    path.write('eks-token-one')
    with container_endpoint([first, second], authorization='eks-token-one') as server:
        env = {'AWS_CONTAINER_CREDENTIALS_FULL_URI': 'http://localhost:%d/creds' % server.server_port,
               'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE': str(path),
               'AWS_CONTAINER_AUTHORIZATION_TOKEN': 'ignored-when-the-file-is-set'}
        source = stsboto.find_token(environ=env, time_fetcher=clock)
        path.write('eks-token-two')
        server.authorization = 'eks-token-two'
        server.rotate()
        clock.advance(3600 - 60)
        assert source.get() == second
    assert [r[2]['authorization'] for r in server.requests] == ['eks-token-one', 'eks-token-two']


@pytest.mark.parametrize('mode, words', [('html', 'HTML'), ('error', 'did not answer')])
def test_container_bad_answers_are_clear_errors(mode, words):
    pauses = []
    with container_endpoint([creds(serial=1)]) as server:
        server.mode = mode
        source = metadata.ContainerSource({'AWS_CONTAINER_CREDENTIALS_FULL_URI': server.url},
                                          sleep=pauses.append)
        with pytest.raises(CredentialSourceError) as info:
            source.load()
    assert words in six.text_type(info.value)
    assert pauses == ([1, 1] if mode == 'error' else [])


def test_expired_looking_answer_is_still_a_token():
    # IMDS can serve credentials close to expiry; RefreshableToken decides what to do
    clock = FakeClock('real')
    token = creds(serial=1, expiration=clock.now + datetime.timedelta(minutes=2))
    with container_endpoint([token, creds(serial=2)]) as server:
        source = metadata.ContainerSource({'AWS_CONTAINER_CREDENTIALS_FULL_URI': server.url},
                                          time_fetcher=clock).load()
        server.rotate()
        assert source.get().access_key == 'ASIA%016d' % 2    # inside the mandatory window


def test_threads_share_one_refresh(imds_on):
    import threading
    clock = FakeClock()
    first = creds(serial=1, clock=clock, lifetime=3600)
    second = creds(serial=2, clock=clock, lifetime=7200)
    with imds([first, second]) as server:
        source = stsboto.find_token(environ=imds_env(server), time_fetcher=clock)
        server.rotate()
        clock.advance(3600 - 5 * 60)          # mandatory window: every caller waits
        start, results = threading.Event(), []

        def worker():
            start.wait()
            results.append(source.get())
        threads = [threading.Thread(target=worker) for _ in range(16)]
        for thread in threads:
            thread.start()
        start.set()
        for thread in threads:
            thread.join(10)
    assert results == [second] * 16
    assert server.served == 2                  # the first fetch, then one refresh


# -- refresh windows of the rotating sources (issue 20 item 9) ---------------------------

@pytest.mark.parametrize('kind', ['container', 'imds'])
def test_credentials_close_to_expiry_are_asked_again_on_every_use_until_rotated(imds_on, kind):
    clock = FakeClock()
    first = creds(serial=1, clock=clock, lifetime=120)        # 2 minutes left when served
    second = creds(serial=2, clock=clock, lifetime=6 * 3600)
    if kind == 'container':
        serving = container_endpoint([first, second])
    else:
        serving = imds([first, second])
    with serving as server:
        if kind == 'container':
            env = {'AWS_CONTAINER_CREDENTIALS_FULL_URI': server.url + 'creds'}
        else:
            env = imds_env(server)
        source = stsboto.find_token(environ=env, time_fetcher=clock)
        assert (source.advisory_window, source.mandatory_window) == (
            datetime.timedelta(minutes=15), datetime.timedelta(minutes=10))
        served = server.served
        assert source.get() == first and source.get() == first
        assert server.served == served + 2       # each use in the mandatory window asked again
        server.rotate()
        clock.advance(5)
        assert source.get() == second            # the first use after the rotation
        assert source.get() == second and server.served == served + 3   # fresh now: no request
