"""Tests of stsboto.cli.doctor (``stsboto doctor``, issue 20 item 10) with a loopback endpoint.

A healthy set-up and the broken ones, text and JSON.  Each test runs the real
command: the child Python that imports boto as a program does, the resolvers,
and a HEAD to a loopback stand-in (``tests.localhttp.scripted``) whose ``Date``
the test chooses.  The test environment (tests/conftest.py) has no AWS_*
variables, an empty HOME and the instance metadata service switched off.
"""
from __future__ import absolute_import, unicode_literals

import collections
import datetime
import email.utils
import json
import os

import pytest

from stsboto.cli import doctor
from stsboto.token import UTC

# (the names the tests were written with)
from tests.cli_support import NOW, doctor_environ as _environ, doctor_token_env as _token_env
from tests.cli_support import problem_lines as _problems, run_doctor as run
from tests.factories import ACCESS_KEY
from tests.localhttp import free_port, scripted


def _date_answer(when):
    """A raw HTTP answer whose only Date is ``when`` (BaseHTTPRequestHandler adds its own)."""
    stamp = email.utils.formatdate((when - datetime.datetime(1970, 1, 1, tzinfo=UTC))
                                   .total_seconds(), usegmt=True)
    return ('HTTP/1.1 200 OK\r\nDate: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
            % stamp).encode('ascii')


@pytest.fixture
def endpoint():
    """A loopback S3 stand-in answering with this test's clock (NOW)."""
    with scripted([_date_answer(NOW)]) as server:
        server.url = 'http://127.0.0.1:%d' % server.server_port
        yield server


def _healthy(endpoint, **more):
    values = dict(_token_env(NOW + datetime.timedelta(hours=1)), STSBOTO_PATCH_BOTO='1',
                  AWS_DEFAULT_REGION='eu-west-1', AWS_ENDPOINT_URL=endpoint.url)
    values.update(more)
    return _environ(**values)


def test_healthy_setup_exits_0_and_says_what_a_program_gets(endpoint):
    code, out, err = run(['sqs'], _healthy(endpoint))
    assert code == 0, out + err
    assert err == ''
    lines = dict(line.split(':', 1) for line in out.splitlines() if ':' in line and
                 not line.startswith('- '))
    assert 'import boto works' in lines['boto']
    assert lines['Patch'].strip().startswith('on (STSBOTO_PATCH_BOTO=1')
    assert lines['Credentials'].strip().startswith(
        'env (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, '
        'AWS_SECURITY_TOKEN, AWS_CREDENTIAL_EXPIRATION): ****************MPLE, temporary, expires '
        '2026-11-27T22:00:57Z (in 1h 0m 0s)')
    assert lines['Region'].strip() == 'eu-west-1 (AWS_DEFAULT_REGION)'
    for name in ('S3', 'STS', 'SQS'):
        assert lines[name].strip() == '%s (AWS_ENDPOINT_URL)' % endpoint.url
    assert lines['CA bundle'].strip() == "the system's store"
    assert lines['Clock'].strip() == 'in step with %s' % endpoint.url
    assert out.rstrip().endswith('No problems found.')
    assert ACCESS_KEY not in out  # only its last four characters
    # one HEAD of the S3 endpoint, nothing else
    assert [(r.method, r.path) for r in endpoint.seen] == [('HEAD', '/')]


def test_json_has_the_documented_shape(endpoint):
    code, out, _ = run(['--json'], _healthy(endpoint))
    report = json.loads(out, object_pairs_hook=collections.OrderedDict)
    assert code == 0
    assert tuple(report) == doctor.REPORT_KEYS
    assert report['version'] == doctor.JSON_VERSION and report['ok'] is True
    assert report['problems'] == []
    from stsboto._boto import boto
    # the child Python's boto is this env's (2.40.0 in the minimum-boto envs)
    assert report['boto']['importable'] is True and report['boto']['version'] == boto.__version__
    assert report['patch']['on'] is True and report['patch']['variable'] == '1'
    assert report['credentials'] == {
        'method': 'env', 'from': 'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, '
                                 'AWS_SECURITY_TOKEN, AWS_CREDENTIAL_EXPIRATION',
        'access_key': '****************MPLE', 'temporary': True,
        'expiration': '2026-11-27T22:00:57Z', 'expires_in': 3600}
    assert report['region'] == {'name': 'eu-west-1', 'from': 'AWS_DEFAULT_REGION'}
    assert sorted(report['endpoints']) == ['s3', 'sts']
    assert report['endpoints']['s3']['url'] == endpoint.url
    assert report['endpoints']['s3']['from'] == 'AWS_ENDPOINT_URL'
    assert report['ca_bundle'] == {'path': None, 'from': None}
    assert report['clock']['skew_seconds'] == 0


def test_expired_token_in_the_environment(endpoint):
    code, out, _ = run([], _healthy(endpoint, **_token_env(NOW - datetime.timedelta(hours=3))))
    assert code == 1
    (line,) = _problems(out)
    assert line.startswith('- the credentials (env, AWS_ACCESS_KEY_ID, ') and \
        'expired 3h 0m 0s ago' in line
    assert 'Fix: get a new token (stsboto issue)' in line
    assert 'EXPIRED 3h 0m 0s ago' in out


def test_ca_bundle_naming_a_missing_file(endpoint, tmpdir):
    missing = str(tmpdir.join('no-such-ca.pem'))
    code, out, _ = run(['--json'], _healthy(endpoint, AWS_CA_BUNDLE=missing))
    report = json.loads(out)
    assert code == 1 and report['ok'] is False
    assert report['ca_bundle'] == {'path': missing, 'from': 'AWS_CA_BUNDLE'}
    (problem,) = report['problems']
    assert problem['problem'] == ('AWS_CA_BUNDLE names the CA bundle %s, which is not a file: '
                                  'every HTTPS request fails' % missing)
    assert problem['fix'].startswith('point AWS_CA_BUNDLE at a PEM file')


def test_clock_ten_minutes_off(endpoint):
    endpoint.script = [_date_answer(NOW + datetime.timedelta(minutes=10))]
    code, out, _ = run([], _healthy(endpoint))
    assert code == 1
    (line,) = _problems(out)
    assert line.startswith("- this clock is 10m 0s behind the S3 endpoint's (%s): SigV4 requests "
                           "fail past 5 minutes" % endpoint.url)
    assert 'Fix: set the system clock right' in line
    assert 'Clock:       10m 0s behind %s' % endpoint.url in out


def test_a_few_minutes_off_is_fine(endpoint):
    endpoint.script = [_date_answer(NOW - datetime.timedelta(minutes=4))]
    code, out, _ = run(['--json'], _healthy(endpoint))
    assert code == 0 and json.loads(out)['clock']['skew_seconds'] == -240


def test_profile_that_does_not_exist_and_no_region(endpoint, tmpdir):
    config = tmpdir.join('config')
    config.write('[profile other]\nregion = eu-west-1\n')
    env = _healthy(endpoint, AWS_CONFIG_FILE=str(config))
    del env['AWS_DEFAULT_REGION']
    code, out, _ = run(['--profile', 'nothere'], env)
    assert code == 1
    problems = _problems(out)
    assert problems[0].startswith('- profile nothere is in neither ')
    assert 'Fix: add [profile nothere] to %s' % config in problems[0]
    assert problems[1].startswith('- no region is configured: boto 2 uses us-east-1')
    assert 'Fix: export AWS_DEFAULT_REGION=REGION, or set region = REGION in profile nothere' \
        in problems[1]
    assert problems[2].startswith('- the credential chain failed: profile nothere not found')
    assert len(problems) == 3
    assert 'Profile:     nothere (NOT FOUND)' in out


def test_the_profile_region_is_reported_with_its_source(endpoint, tmpdir):
    config = tmpdir.join('config')
    config.write('[profile deploy]\nregion = ap-southeast-2\n')
    env = _healthy(endpoint, AWS_CONFIG_FILE=str(config))
    del env['AWS_DEFAULT_REGION']
    code, out, _ = run(['--profile', 'deploy', '--json'], env)
    report = json.loads(out)
    assert report['region'] == {'name': 'ap-southeast-2', 'from': 'profile deploy'}
    assert report['profile'] == {'name': 'deploy', 'named': True, 'exists': True}
    # an explicit profile sets the environment's keys aside, as aws --profile does
    assert report['problems'][0]['problem'].startswith('no credentials found')
    assert code == 1


def test_unreachable_endpoint_is_a_problem_line_not_a_crash():
    url = 'http://127.0.0.1:%d' % free_port()
    env = _environ(STSBOTO_PATCH_BOTO='1', AWS_DEFAULT_REGION='eu-west-1', AWS_ENDPOINT_URL=url,
                   **_token_env(NOW + datetime.timedelta(hours=1)))
    code, out, err = run([], env)
    assert code == 1 and err == ''
    (line,) = _problems(out)
    assert line.startswith('- cannot reach the S3 endpoint %s to compare clocks: ' % url)
    assert 'refused' in line


def test_a_broken_boto_is_reported_not_raised(tmpdir, endpoint):
    fake = tmpdir.mkdir('site')
    fake.mkdir('boto').join('__init__.py').write('raise ImportError("this boto is broken")\n')
    env = _healthy(endpoint)
    env['PYTHONPATH'] = os.pathsep.join([str(fake), env['PYTHONPATH']])
    code, out, _ = run(['--json'], env)
    report = json.loads(out)
    assert code == 1
    assert report['boto']['importable'] is False
    assert 'this boto is broken' in report['boto']['error']
    assert report['problems'][0]['problem'].startswith('import boto fails in ')
    assert report['endpoints']['s3']['url'] is None and report['clock'] is None


def test_no_metadata_request_when_an_earlier_source_answers(endpoint):
    with scripted([(200, '')]) as imds:
        env = _healthy(endpoint, AWS_EC2_METADATA_DISABLED='false',
                       AWS_EC2_METADATA_SERVICE_ENDPOINT='http://127.0.0.1:%d' % imds.server_port)
        code, _, _ = run([], env)
        assert code == 0
        assert imds.seen == []


def test_the_proxy_in_force_is_shown_masked_and_used(monkeypatch, endpoint):
    # the stand-in is the proxy; the endpoint behind it is never reached directly
    target = 'http://127.0.0.1:%d' % free_port()
    proxy = 'http://proxyuser:proxy-Pa55word@127.0.0.1:%d' % endpoint.server_port
    monkeypatch.setenv(str('HTTP_PROXY'), str(proxy))  # the transport reads os.environ
    env = _healthy(endpoint, AWS_ENDPOINT_URL=target, HTTP_PROXY=proxy)
    code, out, _ = run([], env)
    assert code == 0, out
    assert 'through the proxy http://proxyuser:***@127.0.0.1:%d' % endpoint.server_port in out
    assert 'proxy-Pa55word' not in out
    (request,) = endpoint.seen
    assert (request.method, request.path) == ('HEAD', target + '/')
    assert request.headers['proxy-authorization'].startswith('Basic ')
