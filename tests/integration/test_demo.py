"""``stsboto demo`` / ``python -m stsboto demo``: runs, tells the story, and
never prints a secret key or a session token."""
from __future__ import absolute_import, print_function, unicode_literals

import io
import re
import subprocess
import sys
import time

import pytest

import stsboto
from stsboto import cli
from stsboto.local import MOTO_PACKAGES
from stsboto.local.demo import mask, run_demo
from tests import processes

pytestmark = pytest.mark.integration

STEPS = ['[%d]' % n for n in range(1, 7)]
# moto's GetFederationToken answers with these fixed example credentials.
MOTO_FEDERATION_SECRETS = ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
                           'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWs']
# Secret keys (40 characters) and session tokens (hundreds) are long base64 runs;
# nothing the demo should print (access keys: 20 characters) comes close.
SECRET_LIKE = re.compile(r'[A-Za-z0-9+/=]{30,}')


def run_module(args, env):
    process = processes.popen([sys.executable, '-m', 'stsboto'] + args, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env)
    out, err = process.communicate()
    return process.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')


def test_demo_in_process_prints_no_secret(moto_server):
    out = io.StringIO()
    result = run_demo(out=out, server=moto_server)
    text = out.getvalue()
    assert result.ok and result.exit_code == 0, text
    for step in STEPS:
        assert step in text
    assert 'Demo passed' in text
    assert '403 AccessDenied' in text and '403 InvalidAccessKeyId' in text
    # three tokens; the admin's and issuer's secrets, and each token's secret and session token
    assert len(result.tokens) == 3
    assert len(result.secrets) == 8
    for secret in result.secrets:
        assert secret and secret not in text
    for token in result.tokens:
        assert token.secret_key in result.secrets and token.session_token in result.secrets
        assert mask(token.session_token) in text  # shown masked, so recognisable
    assert not SECRET_LIKE.search(text), SECRET_LIKE.search(text).group(0)[:6]


def test_demo_fails_when_a_step_misbehaves(moto_server, monkeypatch):
    """A connect_with_token whose get_bucket validates sends a request: step 3 must fail."""
    real = stsboto.connect_with_token

    def validating(*args, **kwargs):
        conn = real(*args, **kwargs)
        plain = conn.get_bucket
        conn.get_bucket = lambda name, **kw: plain(name, validate=True)
        return conn

    monkeypatch.setattr(stsboto, 'connect_with_token', validating)
    out = io.StringIO()
    result = run_demo(out=out, server=moto_server)
    assert not result.ok and result.exit_code == 1
    assert 'Demo FAILED' in out.getvalue()
    assert 'get_bucket sent 1 request' in out.getvalue()
    assert '[4]' not in out.getvalue()


def test_python_m_stsboto_demo(child_env):
    started = time.time()
    code, out, err = run_module(['demo'], child_env)
    seconds = time.time() - started
    assert code == 0, 'demo failed:\n%s\n%s' % (out, err)
    for step in STEPS:
        assert step in out
    assert 'Demo passed' in out
    assert 'started for this demo' in out
    for secret in MOTO_FEDERATION_SECRETS:
        assert secret not in out and secret not in err
    match = SECRET_LIKE.search(out + err)
    assert match is None, 'secret-like text printed: %s...' % match.group(0)[:6]
    assert seconds < 15, seconds


def test_demo_without_moto_exits_2_with_one_line(child_env):
    env = dict(child_env)
    env[str('STSBOTO_MOTO_SERVER')] = str('/nonexistent/moto_server')
    code, out, err = run_module(['demo'], env)
    assert code == 2
    assert out == ''
    assert len(err.strip().splitlines()) == 1, err
    assert MOTO_PACKAGES[0] in err and 'STSBOTO_MOTO_SERVER' in err
    assert 'pip install stsboto' not in err  # not on the package index


def test_cli_demo_when_no_server_is_found(monkeypatch, capsys):
    import stsboto.local
    monkeypatch.setattr(stsboto.local, 'find_server_command', lambda *a, **k: None)
    assert cli.main(['demo']) == 2
    captured = capsys.readouterr()
    assert captured.out == ''
    assert captured.err.count('\n') == 1
    assert MOTO_PACKAGES[0] in captured.err
