"""The worker crew both directions use, Ctrl-C (and SIGTERM) handling, progress.

Usage::

    crew = Crew(workers, take, 'stsboto-upload', threads=config.use_threads)
    crew.start()
    for kind, value in crew.messages(ctrl_c.check):
        ...                                  # in the calling thread

``take(crew)`` is called by a worker when it is free; it returns the next task
(a callable taking the crew) or None when there is nothing left.  A task runs
in the worker and reports with ``crew.post(kind, value)``; the calling thread
reads the reports in :meth:`Crew.messages`, where it writes, counts progress
and calls the user's callback.  With ``threads=False`` (s3transfer's
``NonThreadedExecutor`` is the model) the same tasks run one after the other
in the calling thread, so unit tests follow one path without timing.
"""
from __future__ import absolute_import, division, unicode_literals

import contextlib
import logging
import signal
import sys
import threading

import six
from six.moves import queue

__all__ = ['Crew', 'CtrlC', 'Progress', 'sigterm_as_interrupt']

log = logging.getLogger('stsboto.transfer')

# How long the calling thread waits for news before looking again: it must
# wake up now and then, or Ctrl-C would not reach it on Python 2 (a Queue.get
# without timeout cannot be interrupted there).
POLL = 0.2


class Crew(object):
    """Workers that take tasks and report to the calling thread through one queue.

    A task that fails calls :meth:`fail` (or raises), which records the first
    failure and tells every worker to stop taking work; requests in flight are
    not interrupted (boto cannot).

    :ivar cancelled: a ``threading.Event`` set once the crew should stop.
    :ivar failure: ``(exc_info, where)`` of the first failure, or None.
    """

    def __init__(self, count, take, name, threads=True, wake=None):
        self.cancelled = threading.Event()
        self.failure = None
        self._take = take
        self._wake = wake                         # unblocks a take() that waits
        self._inbox = queue.Queue()
        self._lock = threading.Lock()
        self._alive = 0
        self._threads = []
        self._sync = not threads
        if self._sync:
            return
        for number in range(count):
            thread = threading.Thread(target=self._run, name='%s-%d' % (name, number + 1))
            thread.daemon = True                  # a stuck request must not keep Python alive
            self._threads.append(thread)

    def start(self):
        for thread in self._threads:
            thread.start()
            self._alive += 1

    def post(self, kind, value):
        self._inbox.put((kind, value))

    def fail(self, exc_info, where):
        with self._lock:
            if self.failure is None:
                self.failure = (exc_info, where)
        self.cancelled.set()
        if self._wake is not None:
            self._wake()

    def _work(self):
        """Take and run tasks until none is left or the crew is cancelled."""
        while not self.cancelled.is_set():
            task = self._take(self)
            if task is None:
                return False
            task(self)
            # Let go of the task (and the part it holds) before taking the
            # next: otherwise each worker holds two parts while it reads.
            task = None
            if self._sync:
                return True
        return False

    def _run(self):
        try:
            self._work()
        except BaseException:
            self.fail(sys.exc_info(), None)
        finally:
            self._inbox.put(('exit', None))

    def messages(self, check=None):
        """Yield ``(kind, value)`` in the calling thread until the work is done.

        ``check()`` is called between messages (see :class:`CtrlC`).
        """
        if self._sync:
            for item in self._sync_messages(check):
                yield item
            return
        while self._alive:
            if check is not None:
                check()
            try:
                kind, value = self._inbox.get(timeout=POLL)
            except queue.Empty:
                continue
            if kind == 'exit':
                self._alive -= 1
            else:
                yield kind, value
        for thread in self._threads:
            # Each has posted its 'exit' as its last act; this only lets it finish.
            # A Ctrl-C or SIGTERM inside start() leaves the rest never started.
            if thread.ident is not None:
                thread.join(POLL)

    def _sync_messages(self, check):
        more = True
        while True:
            while True:
                try:
                    item = self._inbox.get_nowait()
                except queue.Empty:
                    break
                yield item
            if check is not None:
                check()
            if not more or self.cancelled.is_set():
                return
            try:
                more = self._work()
            except BaseException:
                self.fail(sys.exc_info(), None)
                more = False

    def stop(self, check=None):
        """Cancel, then wait for the workers to end (the requests in flight finish first)."""
        self.cancelled.set()
        if self._wake is not None:
            self._wake()
        if self._alive:
            log.info('waiting for %d request(s) in flight to end', self._alive)
        for _ in self.messages(check):
            pass

    def reraise(self):
        """Raise the first failure, if any, with its traceback; returns its ``where``."""
        if self.failure is not None:
            (kind, error, tb), where = self.failure
            six.reraise(kind, error, tb)


class CtrlC(object):
    """Ctrl-C, deferred to safe points while the calling thread coordinates workers.

    Python raises ``KeyboardInterrupt`` at whatever bytecode the main thread
    is running.  Inside ``Queue.get`` that can leave the queue's lock taken
    (Python 2 takes it before its ``try``), and then every worker blocks on
    it for ever.  So while :meth:`install` is in effect, and only when this
    is the main thread and SIGINT has Python's default handler, a Ctrl-C is
    just recorded, and :meth:`check` raises it where nothing is half done.
    A handler the application installed is left alone.
    """

    def __init__(self):
        self.pending = False
        self.pressed = False             # at least once, ever
        self._previous = None

    def install(self):
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            try:
                self._previous = signal.signal(signal.SIGINT, self._handler)
            except ValueError:           # not the main thread: Ctrl-C never lands here
                self._previous = None
        return self

    def restore(self):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _handler(self, signum, frame):
        self.pending = self.pressed = True

    def check(self):
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt()


def _sigterm(signum, frame):
    # Whatever handles SIGINT now handles this SIGTERM: Python's default
    # raises KeyboardInterrupt; a transfer's CtrlC records it for a safe point.
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, frame)
    else:
        raise KeyboardInterrupt()


@contextlib.contextmanager
def sigterm_as_interrupt():
    """Within the block, SIGTERM stops a transfer as Ctrl-C does.

    Usage::

        with transfer.sigterm_as_interrupt():
            transfer.upload(bucket, 'big.iso', 'big.iso')   # `kill PID` aborts the upload

    By default SIGTERM ends Python at once: a multipart upload in flight stays
    open on the server (its parts stored and billed) until a lifecycle rule
    removes it.  Inside this block a SIGTERM is handled like SIGINT: the
    transfer stops, aborts its multipart upload and raises
    :class:`stsboto.transfer.TransferInterrupted` (a ``KeyboardInterrupt``).
    Signals reach the main thread only: elsewhere the block changes nothing.
    The SIGTERM handler in place before is restored at the end.
    """
    try:
        previous = signal.signal(signal.SIGTERM, _sigterm)
    except ValueError:                   # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Progress(object):
    """Feeds the caller's ``progress(bytes_done, total)`` from the calling thread.

    Amounts are kept per part as the largest seen, so a part boto sends again
    (a retry) never counts twice and ``bytes_done`` never goes down.
    """

    def __init__(self, callback, total):
        self._callback = callback
        self.total = total
        self._parts = {}
        self.done = 0
        self._reported = None

    def start(self):
        self._report()

    def part(self, number, amount):
        if amount > self._parts.get(number, 0):
            self.done += amount - self._parts.get(number, 0)
            self._parts[number] = amount
            self._report()

    def add(self, amount):
        self.done += amount
        self._report()

    def finish(self, size):
        self.total = size
        self.done = size
        self._report()

    def _report(self):
        if self._callback is not None and self._reported != (self.done, self.total):
            self._reported = (self.done, self.total)
            self._callback(self.done, self.total)
