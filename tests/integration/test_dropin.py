"""``from stsboto import sts, s3`` as a drop-in for ``from boto import sts, s3``:
an old script, unchanged but for that line, runs against the endpoint that
``AWS_ENDPOINT_URL`` names (as the AWS SDKs read it)."""
from __future__ import absolute_import, print_function, unicode_literals

import json
import os
import subprocess
import sys

import pytest
from tests import processes

pytestmark = pytest.mark.integration

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'old_style_script.py')


def run_script(env):
    process = processes.popen([sys.executable, SCRIPT], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env)
    out, err = process.communicate()
    return process.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')


def test_old_script_runs_unchanged_against_aws_endpoint_url(server, child_env, admin_s3):
    env = dict(child_env)
    env[str('AWS_ENDPOINT_URL')] = str(server.endpoint_url)
    server.start_recording()
    code, out, err = run_script(env)
    server.stop_recording()
    assert code == 0, 'script failed:\n%s\n%s' % (out, err)
    result = json.loads(out.split('RESULT:', 1)[1])
    assert result == {'report': 'quarterly numbers',
                      'user': 'arn:aws:sts::123456789012:federated-user/reporter'}

    # it really talked to this server: the objects are here, and so are its requests
    bucket = admin_s3.get_bucket('legacy-reports')
    assert bucket.get_key('from-token.txt').get_contents_as_string() == b'written with the token'
    requests = server.recorded_requests()
    services = [r.service for r in requests]
    assert services.count('sts') == 1 and services.count('s3') == 4, services
    token_requests = [r for r in requests if r.session_token]
    assert len(token_requests) == 2
    assert all(r.signature_version == 'v4' for r in requests)
