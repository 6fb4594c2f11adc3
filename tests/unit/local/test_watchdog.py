"""stsboto.local.watchdog: no_inherit, and the WATCHDOG source run with a harmless child instead of moto."""
from __future__ import absolute_import, unicode_literals

import ast
import errno
import os
import sys
import time

import pytest

from stsboto.local.watchdog import WATCHDOG, no_inherit
from tests import processes

POSIX = os.name == 'posix'
# What a Python 2.7 or 3 standard library has; the watchdog may import nothing else.
STANDARD = {'os', 'shutil', 'signal', 'subprocess', 'sys', 'threading', 'time', 'ctypes'}


def native(text):
    return str(text) if sys.version_info[0] > 2 else text.encode('utf-8')


def gone(pid):
    try:
        os.kill(pid, 0)
    except OSError as error:
        return error.errno == errno.ESRCH
    return False


def eventually(check, seconds=10):
    deadline = time.time() + seconds
    while not check() and time.time() < deadline:
        time.sleep(0.02)
    return check()


@pytest.fixture
def watched(tmpdir):
    """Start the watchdog over ``python -c CODE`` in a folder of its own; yields a starter.

    ``start(code)`` returns ``(watchdog process, folder, lifeline)``: closing the
    lifeline (the pipe's write end, held only here) is the owner going away.
    """
    started = []

    def start(code):
        folder = tmpdir.mkdir('moto-%d' % len(started))
        folder.join('server.log').write('kept until the owner goes')
        watched, lifeline = os.pipe()
        no_inherit(lifeline)
        try:
            process = processes.popen(
                [native(a) for a in [sys.executable, '-c', WATCHDOG, str(folder),
                                     sys.executable, '-c', code]],
                stdin=watched, close_fds=True)
        finally:
            os.close(watched)
        started.append((process, lifeline))
        return process, folder, lifeline

    yield start
    for process, lifeline in started:
        try:
            os.close(lifeline)
        except OSError:
            pass   # the test closed it
        if process.poll() is None:
            process.kill()
        process.wait()


def test_the_watchdog_source_compiles_here_and_imports_only_the_standard_library():
    tree = ast.parse(WATCHDOG)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split('.')[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split('.')[0])
    assert imported == STANDARD
    assert compile(tree, '<watchdog>', 'exec').co_filename == '<watchdog>'


@pytest.mark.applies(POSIX, reason='file descriptor flags are POSIX')
def test_no_inherit_sets_close_on_exec_and_keeps_the_other_flags():
    import fcntl
    read_end, write_end = os.pipe()
    try:
        fcntl.fcntl(write_end, fcntl.F_SETFD, 0)
        fcntl.fcntl(read_end, fcntl.F_SETFD, 0)
        no_inherit(write_end)
        assert fcntl.fcntl(write_end, fcntl.F_GETFD) == fcntl.FD_CLOEXEC
        assert fcntl.fcntl(read_end, fcntl.F_GETFD) == 0
        no_inherit(write_end)   # twice: still set, nothing else
        assert fcntl.fcntl(write_end, fcntl.F_GETFD) == fcntl.FD_CLOEXEC
    finally:
        os.close(read_end)
        os.close(write_end)


@pytest.mark.applies(POSIX, reason='the watchdog stops its child with process-group signals')
def test_closing_the_lifeline_stops_the_child_and_removes_the_folder(watched, tmpdir):
    pid_file = tmpdir.join('child.pid')
    process, folder, lifeline = watched(
        'import os, time\n'
        'open(%r, "w").write(str(os.getpid()))\n'
        'time.sleep(30)\n' % str(pid_file))
    assert eventually(lambda: pid_file.check() and pid_file.read() != '')
    child = int(pid_file.read())
    assert process.poll() is None and not gone(child)
    started = time.time()
    os.close(lifeline)
    process.wait()
    assert time.time() - started < 5   # SIGTERM was enough
    assert process.returncode == 0      # killed by a signal: not an error of the watchdog
    assert gone(child)
    assert not folder.check()


@pytest.mark.applies(POSIX, reason='the watchdog stops its child with process-group signals')
def test_a_child_that_exits_by_itself_gives_its_status_and_leaves_the_folder(watched):
    process, folder, lifeline = watched('import sys; sys.exit(3)')
    process.wait()
    assert process.returncode == 3
    assert folder.join('server.log').read() == 'kept until the owner goes'
