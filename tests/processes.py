"""Child processes of the tests: they die with the test process, and start as a terminal starts them.

Usage::

    from tests import processes
    child = processes.popen([sys.executable, '-m', 'stsboto', 'server'], stdout=subprocess.PIPE)
    out = processes.check_output(['sh', '-c', script])

Two things a child would otherwise inherit from whoever started the test run:

* **signal dispositions.**  A shell that starts a job in the background
  (``nohup sh tests/run-all.sh &``, or CI without a terminal) leaves SIGINT
  ignored, and an ignored signal stays ignored across ``exec``: a Python child
  then never installs its ``KeyboardInterrupt`` handler, and a test that
  presses Ctrl-C in it waits in vain.  Children start with SIGINT, SIGTERM and
  SIGQUIT at their defaults, as a terminal gives them.
* **a life of their own.**  A child whose test process is killed (SIGKILL,
  the OOM killer, a CI timeout) would keep running, re-parented to init, with
  a server port open.  On Linux each child asks the kernel for SIGKILL when
  its parent dies (``prctl(PR_SET_PDEATHSIG)``), so nothing outlives the run.
  The signal follows the *thread* that started the child: start children from
  the test's own thread (as every caller here does).
"""
from __future__ import absolute_import, unicode_literals

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys

__all__ = ['popen', 'check_output', 'check_call', 'prepare_child']

_PR_SET_PDEATHSIG = 1
_libc = None


def _prctl():
    global _libc
    if _libc is None:
        name = ctypes.util.find_library('c')
        _libc = ctypes.CDLL(name, use_errno=True) if name else False
    return getattr(_libc, 'prctl', None) if _libc else None


def prepare_child():
    """Run in the child between fork and exec (``preexec_fn``)."""
    for name in ('SIGINT', 'SIGTERM', 'SIGQUIT'):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    prctl = _prctl() if sys.platform.startswith('linux') else None
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        # The parent may have died between fork and prctl: then nobody would signal us.
        if os.getppid() == 1:
            os._exit(1)


def _with_preparation(kwargs):
    if os.name == 'posix':
        kwargs.setdefault('preexec_fn', prepare_child)
    return kwargs


def popen(args, **kwargs):
    """:class:`subprocess.Popen` for a child that dies with the test process."""
    return subprocess.Popen(args, **_with_preparation(kwargs))


def check_output(args, **kwargs):
    """:func:`subprocess.check_output` for a child that dies with the test process."""
    return subprocess.check_output(args, **_with_preparation(kwargs))


def check_call(args, **kwargs):
    """:func:`subprocess.check_call` for a child that dies with the test process."""
    return subprocess.check_call(args, **_with_preparation(kwargs))
