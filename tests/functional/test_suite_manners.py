"""The test suite runs the same however it was started, and leaves nothing running.

What CI and ``nohup sh tests/run-all.sh &`` do to a run: SIGINT is ignored in
every process they start, there is no terminal, and a killed run must not
leave servers behind (see tests/processes.py and tests/conftest.py).
"""
from __future__ import absolute_import, unicode_literals

import os
import signal
import subprocess
import sys
import time

import pytest

from tests import processes

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_SIGINT_IGNORED = 'import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\n'


def _env():
    env = dict(os.environ)
    env[str('PYTHONPATH')] = str(ROOT)
    return env


def test_a_run_started_with_sigint_ignored_still_tests_ctrl_c():
    # The Ctrl-C tests of stsboto.transfer check that Python's own handler is in
    # place; started with SIGINT ignored they failed before tests/conftest.py set it.
    code = _SIGINT_IGNORED + (
        'import sys, pytest\n'
        'sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "tests/unit/transfer/test_crew.py",'
        ' "tests/functional/transfer/test_crew.py", "-k", "ctrl_c"]))\n')
    child = subprocess.Popen([sys.executable, '-c', code], cwd=ROOT, env=_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = child.communicate()[0].decode('utf-8', 'replace')
    assert child.returncode == 0, out
    assert ' passed' in out and 'deselected' in out, out


@pytest.mark.parametrize('start', ['processes', 'subprocess'])
def test_children_start_with_python_s_sigint_handler(start):
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        code = 'import signal; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)'
        run = processes.check_output if start == 'processes' else subprocess.check_output
        out = run([sys.executable, '-c', code]).decode('ascii').strip()
    finally:
        signal.signal(signal.SIGINT, previous)
    # the control: a plain subprocess inherits "ignored", which is what tests/processes.py undoes
    assert out == ('True' if start == 'processes' else 'False')


def _alive(pid):
    try:
        with open('/proc/%d/stat' % pid) as handle:
            state = handle.read().rsplit(')', 1)[1].split()[0]
    except (IOError, OSError):
        return False
    return state not in ('Z', 'X')


@pytest.mark.applies(sys.platform.startswith('linux'), reason='PR_SET_PDEATHSIG is Linux only')
@pytest.mark.parametrize('start', ['processes', 'subprocess'])
def test_children_die_when_the_test_process_is_killed(start):
    # A stand-in for pytest starts a long-lived child, then is SIGKILLed.
    code = (
        'import subprocess, sys, time\n'
        'from tests import processes\n'
        'start = processes.popen if sys.argv[1] == "processes" else subprocess.Popen\n'
        'child = start(["sleep", "120"])\n'
        'print(child.pid); sys.stdout.flush()\n'
        'time.sleep(120)\n')
    runner = subprocess.Popen([sys.executable, '-c', code, start], cwd=ROOT, env=_env(),
                              stdout=subprocess.PIPE)
    grandchild = int(runner.stdout.readline())
    try:
        assert _alive(grandchild)
        runner.kill()
        runner.wait()
        # (the control would wait in vain: one second shows it outlived its parent)
        deadline = time.time() + (10 if start == 'processes' else 1)
        while _alive(grandchild) and time.time() < deadline:
            time.sleep(0.05)
        # the control: a plain subprocess outlives its killed parent
        assert _alive(grandchild) is (start == 'subprocess')
    finally:
        if _alive(grandchild):
            os.kill(grandchild, signal.SIGKILL)
