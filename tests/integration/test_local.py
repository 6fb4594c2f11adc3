"""stsboto.local: finding, starting, resetting and stopping the moto server."""
from __future__ import absolute_import, print_function, unicode_literals

import os
import re
import socket
import stat
import sys

import pytest

from stsboto.exceptions import StsbotoError
from stsboto.local import (ENV_VAR, MOTO_PACKAGES, LocalServer, describe_server_command,
                           find_server_command)
from tests.integration.support import ADMIN_KEY

pytestmark = pytest.mark.integration


def answers(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(1)
    try:
        sock.connect(('127.0.0.1', port))
        return True
    except socket.error:
        return False
    finally:
        sock.close()


def test_find_server_command_explains_a_bad_path():
    with pytest.raises(StsbotoError) as info:
        find_server_command('/nonexistent/moto_server')
    assert MOTO_PACKAGES[0] in str(info.value)
    with pytest.raises(StsbotoError) as info:
        find_server_command(environ={ENV_VAR: '/nonexistent/moto_server'})
    assert ENV_VAR in str(info.value)


def test_find_server_command_prefers_the_environment_variable(tmpdir):
    fake = tmpdir.join('moto_server')
    fake.write('#!/bin/sh\nexit 3\n')
    fake.chmod(stat.S_IRWXU)
    assert find_server_command(environ={ENV_VAR: str(fake), 'PATH': ''}) == [str(fake)]


def test_endpoint_url_needs_a_started_server():
    with pytest.raises(StsbotoError):
        LocalServer().endpoint_url  # noqa: B018


@pytest.mark.skipif(os.name != 'posix', reason='uses a shell script as a fake server')
def test_a_server_that_exits_is_reported_and_cleaned_up(tmpdir):
    fake = tmpdir.join('moto_server')
    fake.write('#!/bin/sh\necho "no moto here"\nexit 3\n')
    fake.chmod(stat.S_IRWXU)
    server = LocalServer(str(fake), timeout=10)
    with pytest.raises(StsbotoError) as info:
        server.start()
    assert 'no moto here' in str(info.value)
    assert server.process is None and not server.running


def test_context_manager_stops_the_server_on_error():
    with pytest.raises(ZeroDivisionError):
        with LocalServer() as server:
            port = server.port
            assert answers(port)
            1 / 0
    assert not server.running and server.process is None
    assert not answers(port)
    server.stop()  # twice is fine


def test_reset_forgets_state_and_turns_enforcement_off(moto_server, admin_s3):
    admin_s3.create_bucket('before-reset')
    moto_server.enforce_iam()
    moto_server.reset()
    # enforcement off again: the setup keys (unknown to IAM) work, and the bucket is gone
    assert [b.name for b in admin_s3.get_all_buckets()] == []


def test_recording_starts_empty(server, admin_s3):
    server.start_recording()
    admin_s3.create_bucket('one')
    server.start_recording()
    admin_s3.create_bucket('two')
    server.stop_recording()
    admin_s3.create_bucket('three')  # not recorded
    [request] = server.recorded_requests()
    assert (request.method, request.path, request.access_key) == ('PUT', '/two/', ADMIN_KEY)
    assert request.signature_version == 'v4'


def test_servers_started_together_never_share_a_port():
    # The port is bound by the server itself (port 0), so parallel test runs
    # cannot end up talking to each other's server.
    servers = [LocalServer() for _ in range(3)]
    try:
        for server in servers:
            server.start()
        ports = [server.port for server in servers]
        assert len(set(ports)) == 3
        for server in servers:
            assert server.running and answers(server.port)
    finally:
        for server in servers:
            server.stop()


def test_python_of_reads_the_interpreter_of_a_script(tmpdir):
    from stsboto.local.server import _python_of
    script = tmpdir.join('moto_server')
    script.write('#!%s\nprint(1)\n' % sys.executable)
    assert _python_of([str(script)]) == sys.executable
    shell = tmpdir.join('other')
    shell.write('#!/bin/sh\nexit 3\n')
    assert _python_of([str(shell)]) is None
    assert _python_of([sys.executable, '-m', 'moto.server']) == sys.executable


def test_the_install_hint_asks_for_what_the_local_extra_declares():
    # the advice and setup.cfg's [local] extra must not drift apart
    from six.moves import configparser
    parser = configparser.RawConfigParser()
    parser.read(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), 'setup.cfg'))
    declared = [line.split(';')[0].replace(' ', '') for line in
                parser.get('options.extras_require', 'local').strip().splitlines()]
    assert declared == list(MOTO_PACKAGES)
    assert '!=5.2.6' in MOTO_PACKAGES[0]  # every HEAD refused under IAM enforcement


@pytest.mark.applies(sys.version_info < (3, 9), reason='the advice for Pythons moto cannot run on')
def test_the_advice_on_old_pythons_is_a_python3_environment():
    import stsboto.local
    hint = stsboto.local.INSTALL_HINT
    assert 'python3 -m venv' in hint and 'export STSBOTO_MOTO_SERVER=' in hint
    assert 'pip install stsboto' not in hint


def test_the_server_command_is_described_with_its_version():
    command = find_server_command()
    described = describe_server_command(command)
    assert described.startswith(command[0])
    assert re.search(r'\(moto 5\.\d+\.\d+\)$', described), described
