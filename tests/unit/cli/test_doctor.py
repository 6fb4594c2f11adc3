"""Tests of stsboto.cli.doctor that reach no endpoint (the HEAD is stubbed or not asked for).

Each test runs the real command (the child Python that imports boto as a program
does, and the resolvers) or calls its functions; tests/functional/cli/test_doctor.py
has the tests with a loopback stand-in for the endpoint.
"""
from __future__ import absolute_import, unicode_literals

import collections
import datetime
import json

import pytest

from stsboto.cli import doctor

# (the names the tests were written with)
from tests.cli_support import NOW, doctor_environ as _environ, doctor_token_env as _token_env
from tests.cli_support import problem_lines as _problems, run_doctor as run
from tests.factories import SECRET_KEY

Endpoint = collections.namedtuple('Endpoint', 'url')


@pytest.fixture
def endpoint():
    """An S3 endpoint configured for the test and never reached: the tests here stub
    the HEAD (tests/functional/cli/test_doctor.py's ``endpoint`` answers it)."""
    return Endpoint('http://127.0.0.1:9')


def test_patch_off_with_variables_boto_ignores(monkeypatch):
    heads = []
    monkeypatch.setattr(doctor, '_head_date', lambda *a: heads.append(a) or None)
    env = _environ(AWS_DEFAULT_REGION='eu-west-1', **_token_env(NOW + datetime.timedelta(hours=1)))
    code, out, _ = run(['--json'], env)
    report = json.loads(out)
    assert code == 1
    assert report['patch']['on'] is False and report['patch']['ignored_by_boto'] == \
        ['AWS_SESSION_TOKEN']
    assert report['problems'] == [{'problem': 'the patch is off, so boto 2 ignores AWS_SESSION_TOKEN',
                                   'fix': 'export STSBOTO_PATCH_BOTO=1 (or unset them)'}]
    # plain boto's own endpoint; the HEAD is the (stubbed) transport's
    assert report['endpoints']['s3']['url'] == 'https://s3.amazonaws.com'
    assert report['endpoints']['s3']['from'] == 'default for the region'
    assert heads == [('s3.amazonaws.com', 443, True)]


def test_unknown_service_named():
    report = doctor.diagnose(_environ(AWS_DEFAULT_REGION='eu-west-1'), services=['nosuch'],
                             now=NOW, head=lambda *a: None,
                             probe=lambda env, wanted: {'boto': '2.49.0', 'patched': True,
                                                        'endpoints': {
                                                            'nosuch': {'error': 'ImportError: x'}}})
    assert report['endpoints']['nosuch']['error'] == 'ImportError: x'
    assert any(p['problem'] == 'no endpoint for nosuch: ImportError: x' for p in report['problems'])


def test_mask_access_key():
    assert doctor.mask_access_key('AKIAIOSFODNN7EXAMPLE') == '****************MPLE'
    assert doctor.mask_access_key('test') == '****test'
    assert doctor.mask_access_key(None) is None


def test_endpoint_configured_but_the_patch_off(monkeypatch, endpoint):
    monkeypatch.setattr(doctor, '_head_date', lambda *a: None)
    code, out, _ = run([], _environ(AWS_DEFAULT_REGION='eu-west-1', AWS_ENDPOINT_URL=endpoint.url,
                                    AWS_ACCESS_KEY_ID='AKIAIOSFODNN7EXAMPLE',
                                    AWS_SECRET_ACCESS_KEY=SECRET_KEY))
    assert code == 1
    assert "S3:          https://s3.amazonaws.com (boto 2's own: AWS_ENDPOINT_URL is ignored while " \
        "the patch is off)" in out
    assert _problems(out) == ['- the patch is off, so boto 2 ignores AWS_ENDPOINT_URL. '
                              'Fix: export STSBOTO_PATCH_BOTO=1 (or unset them).']
