"""Issue 19, item 9: the moto server and its temporary folder never outlive their owner.

A real ``stsboto server`` process is killed with SIGKILL (nothing in it can run);
its moto must stop answering and its folder must go.  Runs on every Python as
the owner; moto itself runs from ``STSBOTO_MOTO_SERVER`` (Python 3.9+).
"""
from __future__ import absolute_import, print_function, unicode_literals

import os
import signal
import subprocess
import sys
import time

import pytest
from six.moves.urllib import request as urlrequest

from stsboto.local import LocalServer

POSIX = os.name == 'posix'


def native(text):
    return text.encode('utf-8') if sys.version_info[0] == 2 and not isinstance(text, str) else \
        str(text)


def answers(endpoint):
    """True when a moto server answers at ``endpoint`` (a loopback URL)."""
    opener = urlrequest.build_opener(urlrequest.ProxyHandler({}))
    try:
        opener.open(endpoint + '/moto-api/reset-auth', timeout=2)
    except Exception as error:   # a 400 from moto is an HTTPError with moto's body
        body = getattr(error, 'read', lambda: b'')()
        return b'moto' in (body or b'').lower()
    return True


def eventually(check, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def children(pid):
    """The pids of the processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for task in os.listdir('/proc/%d/task' % pid):
        with open('/proc/%d/task/%s/children' % (pid, task)) as stream:
            found.extend(int(p) for p in stream.read().split())
    return found


def dead(pid):
    try:
        with open('/proc/%d/stat' % pid) as stream:
            return stream.read().rsplit(')', 1)[1].split()[0] == 'Z'
    except (IOError, OSError):
        return True


def start_server(child_env, folder, temp):
    env = dict(child_env)
    env[native('HOME')] = native(folder)
    env[native('TMPDIR')] = native(temp)       # tempfile.mkdtemp puts moto's folder here
    env[native('AWS_EC2_METADATA_DISABLED')] = native('true')
    process = subprocess.Popen([sys.executable, '-m', 'stsboto', 'server', '--bucket', 'photos'],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, cwd=folder)
    endpoint = None
    while True:
        line = process.stdout.readline().decode('utf-8')
        if not line:
            process.kill()
            pytest.fail('stsboto server ended early: %s' % process.stderr.read().decode('utf-8'))
        if line.startswith('export AWS_ENDPOINT_URL='):
            endpoint = line.strip().split('=', 1)[1]
        if line.startswith('# ready'):
            return process, endpoint


@pytest.mark.applies(POSIX, reason='SIGKILL is POSIX')
def test_item9_sigkill_of_stsboto_server_stops_moto_and_removes_its_folder(child_env, tmpdir):
    temp = tmpdir.mkdir('tmp')
    process, endpoint = start_server(child_env, str(tmpdir), str(temp))
    try:
        folders = [name for name in os.listdir(str(temp)) if name.startswith('stsboto-moto-')]
        assert len(folders) == 1 and answers(endpoint)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert eventually(lambda: not answers(endpoint)), 'moto still answers at %s' % endpoint
    assert eventually(lambda: os.listdir(str(temp)) == []), os.listdir(str(temp))


@pytest.mark.applies(sys.platform.startswith('linux'), reason='PR_SET_PDEATHSIG is Linux only')
def test_item9_moto_dies_even_with_its_watchdog(tmpdir, monkeypatch):
    monkeypatch.setenv(str('TMPDIR'), str(tmpdir))
    import tempfile
    monkeypatch.setattr(tempfile, 'tempdir', None)    # read TMPDIR again
    server = LocalServer().start()
    try:
        endpoint = server.endpoint_url
        assert answers(endpoint)
        watchdog = server.process.pid
        moto = children(watchdog)
        assert len(moto) == 1          # moto runs under the watchdog, not as our own child
        os.kill(watchdog, signal.SIGKILL)    # nothing of the watchdog runs
        assert eventually(lambda: not answers(endpoint)), 'moto outlived its watchdog'
        assert eventually(lambda: dead(moto[0]))
    finally:
        server.stop()
    assert os.listdir(str(tmpdir)) == []


def test_item9_stop_still_stops_and_cleans_up(tmpdir, monkeypatch):
    monkeypatch.setenv(str('TMPDIR'), str(tmpdir))
    import tempfile
    monkeypatch.setattr(tempfile, 'tempdir', None)
    server = LocalServer().start()
    endpoint = server.endpoint_url
    assert answers(endpoint) and len(os.listdir(str(tmpdir))) == 1
    server.stop()
    assert not server.running and not answers(endpoint)
    assert os.listdir(str(tmpdir)) == []
