"""Unit tests of stsboto.cli.vend: the ``stsboto vend`` command (its server is tested elsewhere)."""
from __future__ import absolute_import, unicode_literals

import io

import pytest

from stsboto.vend import hash_secret, load_config
from tests.factories import make_token
from tests.vend_support import BASE, SECRET_A, TWO_CALLERS, write_config


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
