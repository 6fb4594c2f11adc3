"""Integration tests: stsboto against a real local AWS endpoint (moto server).

One moto server (``stsboto.local.LocalServer``, 127.0.0.1, a free port) runs for
the whole session and is always stopped at the end.  moto needs Python 3.9+;
the tests run on every Python (2.7 too) as its HTTP clients, with the server
started from ``STSBOTO_MOTO_SERVER`` (tests/run-all.sh points it at the tools
venv) or found as described in ``stsboto.local.find_server_command``.

When no server can start the tests FAIL with the reason: a release must not
pass without having talked to a real endpoint.

Each test gets the server reset (no buckets, users or roles; IAM enforcement
off; recording stopped) through the ``server`` fixture.
"""
from __future__ import absolute_import, print_function, unicode_literals

import os
import sys

import pytest

import stsboto
from stsboto.exceptions import StsbotoError
from stsboto.local import ENV_VAR, LocalServer, find_server_command
from tests.integration.support import ADMIN_KEY, ADMIN_SECRET, ENDPOINT_ENV
from tests.transfer_support import ctrl_c  # noqa: F401  (a fixture: Ctrl-C pressed from a worker)

import boto.iam.connection  # noqa: E402  (stsboto made boto importable)

#: The folder that holds the stsboto package under test (for child processes).
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(stsboto.__file__)))


@pytest.fixture(scope='session')
def moto_server():
    """The session's LocalServer, started once; a start failure fails every test."""
    server = LocalServer()
    try:
        server.start()
    except StsbotoError as error:
        pytest.fail('stsboto integration tests need a local moto server and could not start one: '
                    '%s' % error, pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server(moto_server):
    """The session's server, reset to a fresh state for this test."""
    moto_server.reset()
    return moto_server


@pytest.fixture
def child_env(moto_server):
    """Environment for a child Python: finds this stsboto and the same moto server."""
    env = dict(os.environ)
    path = env.get('PYTHONPATH')
    env['PYTHONPATH'] = PACKAGE_ROOT + (os.pathsep + path if path else '')
    command = find_server_command()
    if command is not None and len(command) == 1:
        env[ENV_VAR] = command[0]
    for name in ENDPOINT_ENV:
        env.pop(name, None)
    if sys.version_info[0] == 2:
        env = dict((k.encode('utf-8') if not isinstance(k, str) else k,
                    v.encode('utf-8') if not isinstance(v, str) else v) for k, v in env.items())
    return ChildEnv(env)


class ChildEnv(dict):
    """An environment dict whose repr does not dump the machine's environment
    into a failure report."""

    def __repr__(self):
        return '<environment: %d variables>' % len(self)


@pytest.fixture
def admin_s3(server):
    """An S3 connection with plain keys for setup (works while enforcement is off).

    SigV4, not boto's SigV2: moto 5 reads the service from a SigV2
    ``Authorization: AWS key:signature`` header as if it were a SigV4 scope, and
    a signature holding exactly four "/" makes it answer 500 (seen as random
    failures of about one request in 300).
    """
    return stsboto.s3.connect_to_region('us-east-1', aws_access_key_id=ADMIN_KEY,
                                        aws_secret_access_key=ADMIN_SECRET,
                                        endpoint_url=server.endpoint_url)


@pytest.fixture
def iam(server):
    """A plain boto IAMConnection for setup."""
    conn = boto.iam.connection.IAMConnection(ADMIN_KEY, ADMIN_SECRET, host='127.0.0.1',
                                             port=server.port, is_secure=False)
    # boto guesses the SigV4 service from the host name; moto routes on it.
    conn.auth_region_name = 'us-east-1'
    conn.auth_service_name = 'iam'
    return conn


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, show the end of the moto server's own log with the report."""
    outcome = yield
    report = outcome.get_result()
    server = item.funcargs.get('moto_server') or item.funcargs.get('server') \
        if hasattr(item, 'funcargs') else None
    if report.failed and server is not None and server.running:
        report.sections.append(('moto server log (last lines)', server.log_tail(4000)))
