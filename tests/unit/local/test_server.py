"""stsboto.local.server: finding moto, LocalServer's command, wait, stop and moto's API, with no moto."""
from __future__ import absolute_import, unicode_literals

import base64
import json
import os
import select
import socket
import stat
import subprocess
import sys
import tempfile
import time

import mock
import pytest
from six.moves.urllib import error as urlerror

from stsboto.exceptions import StsbotoError
from stsboto.local import server as module
from stsboto.local.server import (ENV_VAR, INSTALL_HINT, LocalServer, RecordedRequest,
                                  describe_server_command, find_server_command)
from stsboto.local.watchdog import WATCHDOG
from tests.factories import FakeTime

POSIX = os.name == 'posix'
MOTO_ANSWER = (400, b'<?xml version="1.0"?><Error>moto: reset-auth wants a number</Error>')


def script(folder, name, text='#!/bin/sh\nexit 0\n', mode=stat.S_IRWXU):
    path = folder.join(name)
    path.write(text)
    path.chmod(mode)
    return str(path)


class Clock(object):
    """The server module's ``time``: stands still, and sleeping moves it."""

    def __init__(self):
        self.time = FakeTime(1000.0)
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.time.advance(seconds)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(module, 'time', fake)
    return fake


class Record(list):
    """A list of calls that carries settings for the fake that records them."""


class Process(object):
    """A child that is running until told otherwise (``returncode``)."""

    def __init__(self, returncode=None):
        self.returncode = returncode
        self.pid = 4242

    def poll(self):
        return self.returncode


@pytest.fixture
def launched(monkeypatch, tmpdir):
    """subprocess.Popen of the server module, replaced by a watchdog that holds the
    lifeline as the real one does and ends when it closes.  Set ``launched.output``
    (what the child writes to its log) and ``launched.exit_status`` (None: it runs)."""
    monkeypatch.setattr(tempfile, 'tempdir', str(tmpdir.mkdir('temp')))
    made = Record()

    class Watchdog(Process):
        def __init__(self, args, **kwargs):
            Process.__init__(self, made.exit_status)
            self.args, self.kwargs = args, kwargs
            self.folder = kwargs['cwd']
            self.watched = os.dup(kwargs['stdin'])
            self.calls = []
            kwargs['stdout'].write(made.output)
            kwargs['stdout'].flush()
            made.append(self)

        def poll(self):
            if self.returncode is None and select.select([self.watched], [], [], 0)[0] and \
                    os.read(self.watched, 1) == b'':
                self.returncode = 0          # the owner went: the watchdog stops moto
            return self.returncode

        def terminate(self):
            self.calls.append('terminate')

        def kill(self):
            self.calls.append('kill')

        def wait(self):
            self.calls.append('wait')

    made.output = b''
    made.exit_status = None
    monkeypatch.setattr(module.subprocess, 'Popen', Watchdog)
    yield made
    for child in made:
        os.close(child.watched)


@pytest.fixture
def probe(monkeypatch):
    """LocalServer._call, answering as moto does; every call is recorded."""
    calls = Record()

    def call(self, method, path, data=None, content_type=None, timeout=10):
        calls.append((method, path, data, content_type, timeout))
        return calls.answer(method, path) if callable(calls.answer) else calls.answer
    calls.answer = MOTO_ANSWER
    monkeypatch.setattr(LocalServer, '_call', call)
    return calls


# -- find_server_command ---------------------------------------------------------------

def test_find_server_command_looks_in_its_documented_order(tmpdir, monkeypatch):
    given = script(tmpdir.mkdir('given'), 'moto_server')
    from_env = script(tmpdir.mkdir('env'), 'moto_server')
    on_path = script(tmpdir.mkdir('path'), 'moto_server')
    bin_folder = tmpdir.mkdir('bin')
    beside = script(bin_folder, 'moto_server')
    monkeypatch.setattr(sys, 'executable', str(bin_folder.join('python')))
    available = {'moto': True, 'flask': True}
    monkeypatch.setattr(module, '_module_available', lambda name: available[name])
    environ = {ENV_VAR: from_env, 'PATH': os.path.dirname(on_path)}
    assert find_server_command(given, environ) == [given]
    assert find_server_command(None, environ) == [from_env]
    environ[ENV_VAR] = ''                     # set but empty: as if not set
    assert find_server_command(None, environ) == [beside]
    os.remove(beside)
    assert find_server_command(None, environ) == [on_path]
    environ['PATH'] = ''
    assert find_server_command(None, environ) == [sys.executable, '-m', 'moto.server']
    available['flask'] = False                # moto without its server's needs
    assert find_server_command(None, environ) is None


def test_find_server_command_names_what_cannot_be_run(tmpdir):
    not_executable = script(tmpdir, 'moto_server', mode=stat.S_IRUSR | stat.S_IWUSR)
    folder = str(tmpdir.mkdir('moto_folder'))
    for path in (not_executable, folder):
        with pytest.raises(StsbotoError) as info:
            find_server_command(path, {})
        assert str(info.value) == ("executable names '%s', which is not an executable file; %s"
                                   % (path, INSTALL_HINT))
        with pytest.raises(StsbotoError) as info:
            find_server_command(None, {ENV_VAR: path})
        assert str(info.value).startswith("STSBOTO_MOTO_SERVER names '%s', which is not" % path)


def test_which_skips_empty_entries_and_files_that_cannot_be_run(tmpdir, monkeypatch):
    script(tmpdir, 'moto_server')
    monkeypatch.chdir(tmpdir)                 # an empty PATH entry is the current folder to a shell
    assert module._which('moto_server', os.pathsep) is None
    locked = tmpdir.mkdir('locked')
    script(locked, 'moto_server', mode=stat.S_IRUSR | stat.S_IWUSR)
    good = script(tmpdir.mkdir('good'), 'moto_server')
    path = os.pathsep.join(['', str(locked), os.path.dirname(good)])
    assert module._which('moto_server', path) == good


def test_python_of_wants_one_existing_python_on_the_first_line(tmpdir):
    fake_python = script(tmpdir, 'python3.99')
    cases = {'#!/usr/bin/env python3\n': None,            # two words: not read
             '#!%s -u\n' % sys.executable: None,
             '#!%s\n' % str(tmpdir.join('python-missing')): None,
             '#!%s\n' % fake_python: fake_python,
             '\n#!%s\n' % fake_python: None}
    for number, (first_line, expected) in enumerate(sorted(cases.items())):
        path = script(tmpdir, 'moto_server_%d' % number, first_line + 'exit 0\n')
        assert module._python_of([path]) == expected, first_line
    assert module._python_of([str(tmpdir.join('nonexistent'))]) is None


@pytest.mark.applies(POSIX, reason='uses shell scripts as the server\'s Python')
def test_describe_server_command_trusts_only_a_clean_answer(tmpdir):
    def python_saying(name, body):
        python = script(tmpdir, name, '#!/bin/sh\n%s\n' % body)
        return script(tmpdir, 'moto_server_' + name, '#!%s\nexit 0\n' % python)
    good = python_saying('python-good', 'echo 5.1.4')
    assert describe_server_command([good]) == '%s (moto 5.1.4)' % good
    for name, body in [('python-words', 'echo not a version'), ('python-fails', 'echo 5.1.4; exit 1'),
                       ('python-empty', 'exit 0')]:
        command = python_saying(name, body)
        assert describe_server_command([command]) == '%s (moto version unknown)' % command
    missing = str(tmpdir.join('python-missing'))
    assert describe_server_command([missing, '-m', 'moto.server', '-H', 'x']) == \
        '%s -m moto.server (moto version unknown)' % missing
    slow = python_saying('python-slow', 'exec sleep 10')
    started = time.time()
    assert describe_server_command([slow], timeout=0.2) == '%s (moto version unknown)' % slow
    assert time.time() - started < 5


# -- LocalServer: what it is before and after ---------------------------------------------

def test_before_any_start_there_is_no_endpoint_and_stop_is_harmless():
    with pytest.raises(StsbotoError) as info:
        LocalServer().endpoint_url  # noqa: B018
    assert str(info.value) == 'the local server has no port yet: call start() first'
    server = LocalServer(host='localhost', port=8080)
    assert server.endpoint_url == 'http://localhost:8080'
    assert not server.running
    server.stop()
    server.stop()
    assert (server.process, server.port, server.log_tail()) == (None, 8080, '')
    server.stop(keep_port=False)
    assert server.port is None
    server.process = Process()
    assert server.running
    server.process.returncode = 0
    assert not server.running


def test_log_tail_reads_the_end_of_the_log_and_stop_removes_it(tmpdir):
    server = LocalServer()
    folder = tmpdir.mkdir('stsboto-moto-x')
    server._folder = str(folder)
    server._log = open(str(folder.join('server.log')), 'w+b')
    server._log.write(b'x' * 3000 + b'\nTraceback: port \xff in use\n  \n')
    server._log.flush()
    assert server.log_tail(size=28) == 'Traceback: port \ufffd in use'
    assert server.log_tail() == ('x' * 1971 + '\nTraceback: port \ufffd in use')
    server.stop()
    assert server._log is None and not folder.check()
    assert server.log_tail() == ''


def test_start_without_moto_says_how_to_get_it_and_launches_nothing(monkeypatch, launched):
    monkeypatch.setattr(module, 'find_server_command', lambda executable: None)
    with pytest.raises(StsbotoError) as info:
        LocalServer().start()
    assert str(info.value) == 'no moto server found: ' + INSTALL_HINT
    assert launched == []


# -- LocalServer.start: the command, the environment, the wait ----------------------------

@pytest.mark.applies(POSIX, reason='the fake watchdog watches its pipe with select()')
def test_start_runs_the_launcher_under_the_watchdog_and_reads_the_port(tmpdir, monkeypatch,
                                                                       launched, probe):
    moto = script(tmpdir, 'moto_server', '#!%s\n' % sys.executable)
    monkeypatch.setenv(str('MOTO_ENABLE_RECORDING'), str('true'))
    monkeypatch.setenv(str('INITIAL_NO_AUTH_ACTION_COUNT'), str('5'))
    launched.output = b'starting\nSTSBOTO-MOTO-PORT 43210\n'
    server = LocalServer(executable=moto).start()
    [watchdog] = launched
    folder = watchdog.folder
    assert os.path.basename(folder).startswith('stsboto-moto-')
    assert watchdog.args == [sys.executable, '-c', WATCHDOG, folder,
                             sys.executable, '-c', module._LAUNCHER, '127.0.0.1']
    env = watchdog.kwargs['env']
    assert env['MOTO_RECORDER_FILEPATH'] == os.path.join(folder, 'recording.jsonl')
    assert 'MOTO_PORT' not in env and 'MOTO_ENABLE_RECORDING' not in env
    assert 'INITIAL_NO_AUTH_ACTION_COUNT' not in env
    assert (watchdog.kwargs['stderr'], watchdog.kwargs['close_fds']) == (subprocess.STDOUT, True)
    assert server.endpoint_url == 'http://127.0.0.1:43210' and server.running
    assert probe == [('GET', '/moto-api/reset-auth', None, None, 2)]
    server.stop()
    assert not server.running and server.process is None
    assert watchdog.calls == []              # the closed pipe was enough
    assert not os.path.exists(folder)


@pytest.mark.applies(POSIX, reason='the fake watchdog watches its pipe with select()')
def test_a_fixed_port_runs_the_command_itself_with_host_and_port(tmpdir, launched, probe):
    moto = script(tmpdir, 'moto_server', '#!%s\n' % sys.executable)   # a Python script
    with LocalServer(executable=moto, host='127.0.0.2', port=5555) as server:
        [watchdog] = launched
        assert watchdog.args[4:] == [moto, '-H', '127.0.0.2', '-p', '5555']
        assert watchdog.kwargs['env']['MOTO_PORT'] == '5555'
        assert server.start() is server and len(launched) == 1   # started once
    assert server.port == 5555 and not os.path.exists(watchdog.folder)


@pytest.mark.applies(POSIX, reason='the fake watchdog watches its pipe with select()')
def test_a_port_taken_meanwhile_is_tried_three_times_then_reported(tmpdir, monkeypatch,
                                                                   launched, probe):
    moto = script(tmpdir, 'moto_server')   # a shell script: moto_server picks no port itself
    ports = iter([5001, 5002, 5003])
    monkeypatch.setattr(module, '_free_port', lambda host: next(ports))
    launched.output = b'OSError: [Errno 98] Address already in use\n'
    launched.exit_status = 1
    server = LocalServer(executable=moto)
    with pytest.raises(StsbotoError) as info:
        server.start()
    assert str(info.value) == ('the moto server (%s) did not answer on 127.0.0.1:5003 within '
                               '20.0 s; its output ends with:\nOSError: [Errno 98] Address '
                               'already in use' % moto)
    assert [child.args[-1] for child in launched] == ['5001', '5002', '5003']
    assert (server.port, server.process) == (None, None)
    assert os.listdir(tempfile.tempdir) == [] and probe == []


@pytest.mark.applies(POSIX, reason='the fake watchdog watches its pipe with select()')
def test_a_launcher_that_fails_is_reported_once_with_its_output(tmpdir, launched, probe):
    moto = script(tmpdir, 'moto_server', '#!%s\n' % sys.executable)
    launched.output = b'ModuleNotFoundError: No module named \'moto\'\n'
    launched.exit_status = 1
    server = LocalServer(executable=moto, timeout=7)
    with pytest.raises(StsbotoError) as info:
        server.start()
    assert str(info.value) == ("the moto server (%s) did not start within 7 s; its output ends "
                               "with:\nModuleNotFoundError: No module named 'moto'"
                               % sys.executable)
    assert len(launched) == 1 and server.port is None
    assert os.listdir(tempfile.tempdir) == []


def test_the_wait_retries_the_probe_until_moto_answers(tmpdir, clock, probe):
    answers = [socket.error('refused'), urlerror.URLError('refused'), (404, b'Not Found'),
               MOTO_ANSWER]

    def answer(method, path):
        reply = answers.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply
    probe.answer = answer
    server = LocalServer(port=5555)
    server.process = Process()
    server._wait_until_ready()
    assert len(probe) == 4 and answers == []
    assert clock.sleeps == pytest.approx([0.05, 0.075, 0.1125])


def test_the_wait_waits_for_the_port_line_then_gives_up_at_the_deadline(tmpdir, clock, probe):
    server = LocalServer(timeout=3)
    server.process = Process()
    server._log = open(str(tmpdir.join('server.log')), 'w+b')
    with pytest.raises(StsbotoError) as info:
        server._wait_until_ready()
    assert str(info.value) == 'timeout'
    assert probe == [] and server.port is None
    assert clock.sleeps[:4] == pytest.approx([0.05, 0.075, 0.1125, 0.16875])
    assert max(clock.sleeps) == 0.5 and 3 <= sum(clock.sleeps) < 3.5
    server._log.write(b'STSBOTO-MOTO-PORT 43210\n')
    server._log.flush()
    probe.answer = (200, b'<html>not the server we started</html>')
    with pytest.raises(StsbotoError):
        server._wait_until_ready()
    assert server.port == 43210 and len(probe) > 1
    server.process.returncode = 3
    with pytest.raises(StsbotoError) as info:
        server._wait_until_ready()
    assert str(info.value) == 'the moto server exited with status 3'
    server.stop()


def test_stop_terminates_then_kills_a_child_that_does_not_end(clock):
    server = LocalServer()
    process = mock.Mock(returncode=None)
    process.poll.return_value = None
    server.process = process
    server.stop()
    assert [call[0] for call in process.method_calls if call[0] != 'poll'] == \
        ['terminate', 'kill', 'wait']
    assert 5 <= sum(clock.sleeps) < 5.2 and server.process is None


# -- moto's own API ----------------------------------------------------------------------

def test_reset_and_enforcement_post_what_moto_expects_to_a_running_server(probe):
    server = LocalServer(port=5555)
    for call in (server.reset, server.enforce_iam, server.start_recording, server.recorded_requests):
        with pytest.raises(StsbotoError) as info:
            call()
        assert str(info.value) == 'the local server is not running: call start() first'
    assert probe == []
    server.process = Process()
    probe.answer = (200, b'{}')
    server.reset()
    server.enforce_iam()
    server.start_recording()
    assert [call[1:4] for call in probe] == [
        ('/moto-api/reset', b'', None),
        ('/moto-api/reset-auth', b'inf', 'text/plain'),
        ('/moto-api/recorder/stop-recording', b'', None),
        ('/moto-api/recorder/reset-recording', b'', None),
        ('/moto-api/reset-auth', b'0', 'text/plain'),
        ('/moto-api/recorder/reset-recording', b'', None),
        ('/moto-api/recorder/start-recording', b'', None)]
    assert set(call[0] for call in probe) == {'POST'}
    probe.answer = (500, b'Internal Server Error: ' + b'e' * 300)
    with pytest.raises(StsbotoError) as info:
        server.enforce_iam(False)
    assert str(info.value) == ('moto /moto-api/reset-auth answered HTTP 500: Internal Server '
                               'Error: ' + 'e' * 177)


def test_recorded_requests_are_parsed_from_moto_s_lines(probe):
    server = LocalServer(port=5555)
    server.process = Process()
    sts = {'method': 'POST', 'url': 'http://127.0.0.1:5555/', 'body_encoded': True,
           'body': base64.b64encode(b'Action=GetFederationToken&Name=u').decode('ascii'),
           'headers': {'authorization': 'AWS4-HMAC-SHA256 Credential=AKIAISSUER/20261127/'
                                        'us-east-1/sts/aws4_request, SignedHeaders=host, '
                                        'Signature=abc'}}
    s3 = {'method': 'PUT', 'url': 'http://127.0.0.1:5555/photos/a%20b.txt?uploads=&x=1',
          'body': 'text', 'headers': {'Authorization': 'AWS ASIATOKEN:c2lnbmF0dXJl',
                                      'X-Amz-Security-Token': 'FwoG-token'}}
    probe.answer = (200, (json.dumps(sts) + '\n\n' + json.dumps(s3) + '\n').encode('utf-8'))
    first, second = server.recorded_requests()
    assert probe[-1][:2] == ('GET', '/moto-api/recorder/download-recording')
    assert first['body'] == b'Action=GetFederationToken&Name=u'
    assert (first.access_key, first.service, first.signature_version, first.action,
            first.session_token) == ('AKIAISSUER', 'sts', 'v4', 'GetFederationToken', None)
    assert (second.method, second.path, second.query) == ('PUT', '/photos/a%20b.txt',
                                                          {'uploads': [''], 'x': ['1']})
    assert (second.access_key, second.service, second.signature_version, second.action,
            second.session_token) == ('ASIATOKEN', None, 'v2', None, 'FwoG-token')
    assert RecordedRequest({}).access_key is None and RecordedRequest({}).url == ''
    probe.answer = (404, b'')
    with pytest.raises(StsbotoError) as info:
        server.recorded_requests()
    assert str(info.value) == ('moto /moto-api/recorder/download-recording answered HTTP 404 '
                               '(start a recording first)')
