# -*- coding: utf-8 -*-
"""Unit tests of stsboto.transfer.crew: the worker crew, Ctrl-C and SIGTERM."""
from __future__ import absolute_import, division, print_function, unicode_literals

import os
import signal
import threading

import pytest

from stsboto import transfer


def test_ctrl_c_is_deferred_only_under_pythons_default_handler():
    def own(signum, frame):
        pass
    previous = signal.signal(signal.SIGINT, own)
    try:
        ctrl_c = transfer.crew.CtrlC().install()
        assert signal.getsignal(signal.SIGINT) is own
        ctrl_c.restore()
    finally:
        signal.signal(signal.SIGINT, previous)
    ctrl_c = transfer.crew.CtrlC().install()
    try:
        assert signal.getsignal(signal.SIGINT) == ctrl_c._handler
        ctrl_c._handler(signal.SIGINT, None)
        with pytest.raises(KeyboardInterrupt):
            ctrl_c.check()
        ctrl_c.check()                          # one press, one KeyboardInterrupt
    finally:
        ctrl_c.restore()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_crew_interrupted_while_starting_lets_its_started_workers_finish():
    # SIGTERM (a KeyboardInterrupt in the CLI) during Crew.start(): some workers never
    # started; draining the crew must not try to join those (RuntimeError before).
    from stsboto.transfer.crew import Crew
    crew = Crew(3, lambda c: None, 'test')
    real_start = crew._threads[1].start

    def interrupted():
        raise KeyboardInterrupt()
    crew._threads[1].start = interrupted
    with pytest.raises(KeyboardInterrupt):
        crew.start()
    crew._threads[1].start = real_start
    assert list(crew.messages()) == []          # the one started worker found no task
    assert crew._threads[2].ident is None


def test_sigterm_as_interrupt_without_a_transfer_raises_keyboard_interrupt():
    with pytest.raises(KeyboardInterrupt):
        with transfer.sigterm_as_interrupt():
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(1000):
                threading.Event().wait(0.01)
