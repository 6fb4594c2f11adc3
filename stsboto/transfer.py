"""Checked, parallel uploads and downloads through boto 2 (for token holders and everyone else).

Usage::

    import io
    import stsboto
    from stsboto import transfer

    bucket = stsboto.connect_with_token(token).get_bucket('photos')
    transfer.upload(bucket, 'user-42/cat.jpg', 'cat.jpg')               # a path
    transfer.upload(bucket, 'user-42/note.txt', io.StringIO(u'caf\\u00e9'))  # text: sent as UTF-8
    transfer.download(bucket, 'user-42/cat.jpg', 'copy.jpg', workers=8)

    config = transfer.TransferConfig(threshold=64 * transfer.MiB, workers=8)
    transfer.upload(bucket, 'big.iso', 'big.iso', config=config, progress=print)

What is checked:

* Text (``io.StringIO``, files opened in text mode) is encoded (UTF-8 unless
  ``encoding=`` says otherwise) *before* it is sized and hashed.  boto 2 sizes
  a text stream in characters and hashes its UTF-8 bytes, so non-ASCII text
  is cut short or refused (boto issue 2868).
* Below the threshold, one PUT with ``Content-MD5``; the ETag S3 returns must be
  that MD5.  At or above it, a multipart upload: every part carries its own
  ``Content-MD5`` and its ETag must match; the final ETag must be
  ``"md5(part digests)-N"``.
* Downloads check every byte count and, when the ETag is a plain MD5 (an
  object stored by a single PUT without SSE-KMS/SSE-C), the MD5 of what was
  written.  Ranged requests carry ``If-Match``, so a download never mixes two
  versions of an object.

Threads and memory: ``workers`` threads share the bucket's one boto
connection.  boto's ``ConnectionPool`` is thread-safe and gives each request
an HTTP connection nobody else is using (a new one when none is free), so no
per-thread connection is needed.  An upload holds at most ``workers`` parts in
memory (a worker reads its part only when it is ready to send it); a download
at most ``2 * workers`` ranges.  The ``progress`` callback and every write to
a download's destination run in the calling thread.

Failures: any failed part, or Ctrl-C, stops the remaining work, waits for the
parts in flight (press Ctrl-C again not to wait), and aborts the multipart
upload so no parts stay stored (and billed).  While workers run, a Ctrl-C
in the main thread is taken at a safe point (see ``_CtrlC``; only when SIGINT
has Python's default handler).  Aborting needs ``s3:AbortMultipartUpload`` in the token's policy;
when it is refused the error says so and names the upload id.  An S3 lifecycle
rule (``AbortIncompleteMultipartUpload``) is the backstop for uploads nobody
could abort (a killed process, an expired token).  Errors are
:class:`TransferError` (Ctrl-C: :class:`TransferInterrupted`, a
``KeyboardInterrupt``), with the cause kept.
"""
from __future__ import absolute_import, division, unicode_literals

import base64
import binascii
import codecs
import collections
import hashlib
import io
import logging
import mimetypes
import os
import re
import signal
import stat
import sys
import threading

import six
from six.moves import queue

from stsboto._boto import boto
from stsboto.exceptions import InvalidParameterError, StsbotoError

import boto.exception  # noqa: E402  (stsboto._boto made boto importable)

__all__ = [
    'upload', 'download', 'TransferConfig', 'TransferResult', 'TransferError',
    'TransferInterrupted', 'IntegrityError', 'plan_parts', 'MiB', 'MIN_PART_SIZE',
    'MAX_PART_SIZE', 'MAX_PARTS', 'MAX_SINGLE_PUT_SIZE', 'MAX_OBJECT_SIZE',
    'DEFAULT_THRESHOLD', 'DEFAULT_PART_SIZE', 'DEFAULT_WORKERS',
]

log = logging.getLogger(__name__)

MiB = 1024 * 1024
#: S3 limits (Amazon S3 User Guide, "Multipart upload limits").
MIN_PART_SIZE = 5 * MiB
MAX_PART_SIZE = 5 * 1024 * MiB
MAX_PARTS = 10000
MAX_SINGLE_PUT_SIZE = 5 * 1000 ** 3
MAX_OBJECT_SIZE = 5 * 1024 ** 4

DEFAULT_THRESHOLD = 8 * MiB
DEFAULT_PART_SIZE = 8 * MiB
DEFAULT_WORKERS = 4

# How long the calling thread waits for news before looking again: it must
# wake up now and then, or Ctrl-C would not reach it on Python 2 (a Queue.get
# without timeout cannot be interrupted there).
_POLL = 0.2
_CHUNK = 64 * 1024
_PLAIN_ETAG = re.compile(r'^"?([0-9a-fA-F]{32})"?$')
# Request headers that every part of a multipart upload must repeat (SSE-C
# keys, requester pays); the rest (metadata, ACL, type) go with the initiation.
_PER_REQUEST_HEADERS = ('x-amz-server-side-encryption-customer-', 'x-amz-request-payer')
_SSE_C = 'x-amz-server-side-encryption-customer-algorithm'


# ---------------------------------------------------------------------------
# Configuration and results


class TransferConfig(object):
    """How to split and parallelise transfers; immutable.

    Usage: ``TransferConfig(threshold=64 * MiB, part_size=16 * MiB, workers=8)``

    :param int threshold: objects of this many bytes or more go in parts
        (multipart upload, parallel ranged download); smaller ones in one
        request.  Default 8 MiB.  A single PUT never exceeds 5 GB (S3 limit).
    :param int part_size: bytes per part or range.  Default 8 MiB.  Uploads
        grow it as S3 requires: at least 5 MiB, and large enough for at most
        10,000 parts.
    :param int workers: threads per transfer.  Default 4.
    :raises InvalidParameterError: a value is not a whole number in range.
    """

    __slots__ = ('threshold', 'part_size', 'workers')

    def __init__(self, threshold=DEFAULT_THRESHOLD, part_size=None, workers=DEFAULT_WORKERS):
        object.__setattr__(self, 'threshold', _whole(threshold, 'threshold', 0))
        if part_size is not None:
            part_size = _whole(part_size, 'part_size', 1, MAX_PART_SIZE)
        object.__setattr__(self, 'part_size', part_size)
        object.__setattr__(self, 'workers', _whole(workers, 'workers', 1, 256))

    def __setattr__(self, name, value):
        raise AttributeError('TransferConfig is immutable; use replace()')

    def replace(self, **changes):
        """A copy with some fields changed; a value of None keeps the field."""
        values = dict((name, getattr(self, name)) for name in self.__slots__)
        for name, value in changes.items():
            if name not in values:
                raise InvalidParameterError('TransferConfig has no field %r' % name, name)
            if value is not None:
                values[name] = value
        return TransferConfig(**values)

    def __eq__(self, other):
        return isinstance(other, TransferConfig) and all(
            getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(tuple(getattr(self, n) for n in self.__slots__))

    def __repr__(self):
        return 'TransferConfig(threshold=%r, part_size=%r, workers=%r)' % (
            self.threshold, self.part_size, self.workers)


def _whole(value, field, low, high=None):
    if isinstance(value, bool) or not isinstance(value, six.integer_types):
        raise InvalidParameterError('%s must be a whole number, not %r' % (field, value), field)
    if value < low or (high is not None and value > high):
        raise InvalidParameterError('%s must be between %s and %s, not %d'
                                    % (field, low, 'any' if high is None else high, value), field)
    return int(value)


def _config(config, **changes):
    if config is None:
        config = TransferConfig()
    elif not isinstance(config, TransferConfig):
        raise InvalidParameterError('config must be a TransferConfig, not %r' % (config,), 'config')
    return config.replace(**changes)


#: What :func:`upload` and :func:`download` return.  ``key``: the key name;
#: ``size``: bytes sent or received; ``etag``: S3's ETag without quotes;
#: ``parts``: parts uploaded or ranges fetched (1 for a single request);
#: ``verified``: True when the data was checked against an MD5 (see the
#: module docstring for when a download cannot be).
TransferResult = collections.namedtuple('TransferResult', 'key size etag parts verified')


# ---------------------------------------------------------------------------
# Errors


class _TransferInfo(object):
    """Attributes shared by every transfer error."""

    def _set_info(self, bucket, key, upload_id, aborted, cause, abort_error):
        self.bucket = bucket
        self.key = key
        self.upload_id = upload_id
        self.aborted = aborted
        self.cause = cause
        self.abort_error = abort_error


class TransferError(StsbotoError, _TransferInfo):
    """An upload or download failed; says what was left behind.

    :ivar str bucket: the bucket name.
    :ivar str key: the key name.
    :ivar str upload_id: the multipart upload's id, or None (single request,
        download, or the upload never started).
    :ivar bool aborted: True when the multipart upload was aborted (no parts
        remain); False when there was nothing to abort or aborting failed.
    :ivar cause: the exception behind the failure (also ``__cause__`` on
        Python 3), or None.
    :ivar abort_error: the exception that stopped the abort, or None.
    """

    def __init__(self, message, bucket=None, key=None, upload_id=None, aborted=False,
                 cause=None, abort_error=None):
        super(TransferError, self).__init__(message)
        self._set_info(bucket, key, upload_id, aborted, cause, abort_error)


class IntegrityError(TransferError):
    """What S3 stored or sent does not match what was read or expected
    (MD5, ETag or byte count)."""


class TransferInterrupted(KeyboardInterrupt, _TransferInfo):
    """Ctrl-C (``KeyboardInterrupt``) stopped a transfer; the message says
    what was cleaned up.  Has the attributes of :class:`TransferError`.

    It stays a ``KeyboardInterrupt`` so that ``except Exception`` does not
    swallow the user's Ctrl-C.
    """

    def __init__(self, message, bucket=None, key=None, upload_id=None, aborted=False,
                 cause=None, abort_error=None):
        super(TransferInterrupted, self).__init__(message)
        self._set_info(bucket, key, upload_id, aborted, cause, abort_error)


def _secrets_of(bucket):
    provider = getattr(getattr(bucket, 'connection', None), 'provider', None)
    return [s for s in (getattr(provider, 'secret_key', None),
                        getattr(provider, 'security_token', None)) if s]


def _hide(text, secrets):
    for secret in secrets:
        text = text.replace(secret, '<hidden>')
    return text


def _scrub(error, secrets):
    # S3 error bodies may echo the session token (InvalidToken and
    # ExpiredToken answers carry <Token-0>); the cause is kept on our error
    # and printed in tracebacks, so its text must not hold it.
    if isinstance(error, boto.exception.BotoServerError) and secrets:
        for name in ('body', 'error_message', 'reason'):
            value = getattr(error, name, None)
            if isinstance(value, six.binary_type):
                value = value.decode('utf-8', 'replace')
            if isinstance(value, six.text_type):
                setattr(error, name, _hide(value, secrets))
        error.args = tuple(_hide_any(a, secrets) for a in error.args)
    return error


def _hide_any(value, secrets):
    if isinstance(value, six.text_type):
        return _hide(value, secrets)
    if isinstance(value, six.binary_type):
        for secret in secrets:
            value = value.replace(secret.encode('utf-8'), b'<hidden>')
    return value


def _describe(error, secrets):
    """One line about ``error``, without secrets."""
    if isinstance(error, boto.exception.BotoServerError):
        text = '%s %s %s' % (error.status, error.reason or '', error.error_code or '')
        if error.error_message:
            text += ': %s' % error.error_message
        if error.status == 412:
            text += ' (the object changed while it was read)'
        elif error.status == 403:
            text += ' (does the token allow this action on this key?)'
    else:
        text = '%s: %s' % (type(error).__name__, error)
    return _hide(' '.join(text.split()), secrets)


# ---------------------------------------------------------------------------
# Part sizing


def plan_parts(size, part_size=None):
    """The part size and part count S3 accepts for a multipart upload of ``size`` bytes.

    Usage: ``part_size, count = plan_parts(40 * 1024 ** 3)``

    :param int size: the object's length in bytes.
    :param int part_size: the wanted part size (default 8 MiB).  Grown to
        5 MiB at least, and, rounded up to whole MiB, to what keeps the part
        count at or below 10,000.
    :rtype: tuple
    :returns: ``(part_size, count)``; every part but the last has
        ``part_size`` bytes.
    :raises InvalidParameterError: ``size`` is negative or above the S3
        object limit (5 TiB).
    """
    size = _whole(size, 'size', 0, MAX_OBJECT_SIZE)
    wanted = DEFAULT_PART_SIZE if part_size is None else _whole(part_size, 'part_size', 1)
    needed = -(-size // MAX_PARTS)                     # ceil(size / 10,000)
    needed = -(-needed // MiB) * MiB                   # whole MiB
    chosen = max(wanted, MIN_PART_SIZE, needed)
    if chosen > MAX_PART_SIZE:
        # size <= 5 TiB keeps needed below 5 GiB; only a wanted size lands here
        chosen = MAX_PART_SIZE
    count = max(1, -(-size // chosen))
    return chosen, count


# ---------------------------------------------------------------------------
# Sources (what upload reads) and sinks (what download writes)


def _is_path(value):
    return isinstance(value, six.string_types + (six.binary_type,)) or hasattr(value, '__fspath__')


class _EncodingReader(object):
    """A binary ``read(n)`` over a text stream: characters are encoded as they are read."""

    def __init__(self, text_stream, encoding):
        self._stream = text_stream
        self._encoder = codecs.getincrementalencoder(encoding)()
        self._pending = []
        self._pending_size = 0
        self._eof = False

    def read(self, size):
        while self._pending_size < size and not self._eof:
            text = self._stream.read(_CHUNK)
            if not isinstance(text, six.text_type):
                raise TypeError('the text source returned %s, not text' % type(text).__name__)
            data = self._encoder.encode(text, final=not text)
            self._eof = not text
            if data:
                self._pending.append(data)
                self._pending_size += len(data)
        data = b''.join(self._pending)
        head, rest = data[:size], data[size:]
        self._pending = [rest] if rest else []
        self._pending_size = len(rest)
        return head


class _Source(object):
    """The bytes to upload: ``read(n)`` returns n bytes except at the end.

    :ivar size: the number of bytes left to read, or None when not known
        before reading to the end (text, pipes).
    """

    def __init__(self, source, encoding):
        self.name = None
        self.text = False
        self.size = None
        self.seekable = False
        self._close = False
        if _is_path(source):
            path = os.fspath(source) if hasattr(source, '__fspath__') else source
            self._fp = io.open(path, 'rb')
            self._close = True
            self.name = path if isinstance(path, six.string_types) else None
            status = os.fstat(self._fp.fileno())
            if stat.S_ISREG(status.st_mode):      # not a FIFO or a device: its size is real
                self.size = status.st_size
                self.seekable = True
            return
        if not hasattr(source, 'read'):
            raise InvalidParameterError('source must be a path or a file object, not %r'
                                        % (type(source).__name__,), 'source')
        name = getattr(source, 'name', None)
        self.name = name if isinstance(name, six.string_types) else None
        kind = _kind_of(source, _TEXT_READERS)
        if kind is None:
            # A duck-typed stream: its first read says whether it gives text.
            # (No read(0) probe: some readers, boto's Key among them, take 0
            # to mean "everything".)  Its length is unknown.
            first = source.read(_CHUNK)
            self.text = isinstance(first, six.text_type)
            reader = _Prepended(first, source)
            self._fp = _EncodingReader(reader, encoding) if self.text else reader
            return
        self.text = kind == 'text'
        if self.text:
            self._fp = _EncodingReader(source, encoding)
            return
        self._fp = source
        try:
            start = source.tell()
            source.seek(0, os.SEEK_END)
            end = source.tell()
            source.seek(start)
        except (AttributeError, IOError, OSError, ValueError):
            return                                  # a pipe or socket: length unknown
        self.size = int(max(0, end - start))
        self.seekable = True

    @property
    def fp(self):
        return self._fp

    def read(self, size):
        chunks = []
        while size > 0:
            data = self._fp.read(size)
            if not data:
                break
            if not isinstance(data, six.binary_type):
                raise TypeError('the source returned %s, not bytes' % type(data).__name__)
            chunks.append(data)
            size -= len(data)
        return b''.join(chunks)

    def close(self):
        if self._close:
            self._fp.close()


# Python 2's file type: bytes in every mode (there is none on Python 3).
_PY2_FILE = tuple(t for t in (getattr(six.moves.builtins, 'file', None),) if t is not None)
_BINARY = (io.BufferedIOBase, io.RawIOBase) + _PY2_FILE
_TEXT_READERS = (io.TextIOBase, codecs.StreamReader, codecs.StreamReaderWriter)
_TEXT_WRITERS = (io.TextIOBase, codecs.StreamWriter, codecs.StreamReaderWriter)


def _kind_of(fp, text_types):
    """``'text'``, ``'binary'``, or None when only using the object will tell."""
    if isinstance(fp, text_types):
        return 'text'
    mode = getattr(fp, 'mode', None)
    if isinstance(fp, _BINARY) or (isinstance(mode, six.string_types) and 'b' in mode):
        return 'binary'
    return None


class _Prepended(object):
    """``read(n)`` from ``first``, then from ``fp``."""

    def __init__(self, first, fp):
        self._first = first
        self._fp = fp

    def read(self, size):
        if self._first:
            data, self._first = self._first[:size], self._first[size:]
            return data
        return self._fp.read(size)


class _Sink(object):
    """Where a download goes: counts and hashes the bytes, decodes them for a text destination.

    A path is written through a temporary file next to it, renamed into place
    only when everything arrived and checked out.
    """

    def __init__(self, dest, encoding):
        self.path = None
        self._temp = None
        self.md5 = hashlib.md5()
        self.written = 0
        self._decoder = None
        self._sniff = False
        if _is_path(dest):
            self.path = os.fspath(dest) if hasattr(dest, '__fspath__') else dest
            self._fp = None
            return
        if not hasattr(dest, 'write'):
            raise InvalidParameterError('dest must be a path or a file object, not %r'
                                        % (type(dest).__name__,), 'dest')
        self._fp = dest
        self._encoding = encoding or 'utf-8'
        kind = _kind_of(dest, _TEXT_WRITERS)
        # None: the first write tells (a text stream refuses bytes with
        # TypeError before writing anything).  No write(b'') probe: to some
        # writers (chunked HTTP bodies) an empty write means "the end".
        self._sniff = kind is None
        if kind == 'text':
            self._decoder = codecs.getincrementaldecoder(self._encoding)()

    def open(self):
        if self.path is not None and self._fp is None:
            # os.open with 0o666 lets the umask set the mode, as open() would.
            suffix = '.%s.stsboto-part' % _hex(os.urandom(4))
            temp = self.path + (suffix.encode('ascii') if isinstance(self.path, bytes) else suffix)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_BINARY', 0)
            self._fp = io.open(os.open(temp, flags, 0o666), 'wb')
            self._temp = temp

    def write(self, data):
        if self.md5 is not None:
            self.md5.update(data)
        self.written += len(data)
        if self._sniff:
            self._sniff = False
            try:
                self._fp.write(data)
                return
            except TypeError:
                self._decoder = codecs.getincrementaldecoder(self._encoding)()
        if self._decoder is not None:
            data = self._decoder.decode(data)
            if not data:
                return
        self._fp.write(data)

    def finish(self):
        if self._decoder is not None:
            tail = self._decoder.decode(b'', True)
            if tail:
                self._fp.write(tail)

    def commit(self):
        if self._temp is not None:
            self._fp.close()
            getattr(os, 'replace', os.rename)(self._temp, self.path)
            self._temp = None

    def discard(self):
        """Remove the temporary file; return what the caller is left with."""
        if self._temp is not None:
            try:
                self._fp.close()
                os.remove(self._temp)
            except OSError as error:
                return 'the temporary file %s could not be removed (%s)' % (
                    _display(self._temp), error)
            self._temp = None
            return 'nothing was written to %s' % _display(self.path)
        if self.path is not None:
            return 'nothing was written to %s' % _display(self.path)
        return 'the destination holds the first %d bytes' % self.written


def _display(path):
    if isinstance(path, bytes):
        return path.decode(sys.getfilesystemencoding() or 'utf-8', 'replace')
    return path


def _hex(data):
    return binascii.hexlify(data).decode('ascii')


# ---------------------------------------------------------------------------
# Worker threads


class _Crew(object):
    """Worker threads that report to the calling thread through one queue.

    Each worker runs ``job(crew)``.  A worker that fails calls :meth:`fail`,
    which records the first failure and tells every worker to stop taking
    work; requests in flight are not interrupted (boto cannot).
    """

    def __init__(self, count, job, name, wake=None):
        self.cancelled = threading.Event()
        self._wake = wake                         # unblocks workers waiting for work
        self.failure = None                       # (exc_info, where) of the first failure
        self._inbox = queue.Queue()
        self._lock = threading.Lock()
        self._job = job
        self._alive = 0
        self._threads = []
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

    def _run(self):
        try:
            self._job(self)
        except BaseException:
            self.fail(sys.exc_info(), None)
        finally:
            self._inbox.put(('exit', None))

    def messages(self, check=None):
        """Yield ``(kind, value)`` in the calling thread until every worker has ended.

        ``check()`` is called between messages (see :class:`_CtrlC`).
        """
        while self._alive:
            if check is not None:
                check()
            try:
                kind, value = self._inbox.get(timeout=_POLL)
            except queue.Empty:
                continue
            if kind == 'exit':
                self._alive -= 1
            else:
                yield kind, value
        for thread in self._threads:
            # Each has posted its 'exit' as its last act; this only lets it finish.
            thread.join(_POLL)

    def stop(self, check=None):
        """Cancel, then wait for the workers to end (the requests in flight finish first)."""
        self.cancelled.set()
        if self._wake is not None:
            self._wake()
        if self._alive:
            log.info('waiting for %d request(s) in flight to end', self._alive)
        for _ in self.messages(check):
            pass


class _CtrlC(object):
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


class _Progress(object):
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


# ---------------------------------------------------------------------------
# Upload


def upload(bucket, key, source, threshold=None, part_size=None, workers=None, encoding='utf-8',
           headers=None, progress=None, config=None):
    """Store ``source`` as ``key`` in ``bucket``, checked with MD5, in parallel parts when large.

    Usage: ``upload(conn.get_bucket('photos'), 'user-42/cat.jpg', 'cat.jpg')``

    :param bucket: a boto ``Bucket`` (e.g. ``connect_with_token(t).get_bucket(name)``).
    :param str key: the key name (or a boto ``Key``, whose name is used).
    :param source: a path, or a file object open for reading, binary or text.
        A file object is read from its current position.  Text is encoded
        with ``encoding``; its byte length is learnt while reading, so up to
        ``threshold`` bytes of it are held in memory to choose between one PUT
        and a multipart upload (the same holds for pipes).
    :param int threshold: single PUT below this many bytes, multipart at or
        above.  Default: the config's (8 MiB).
    :param int part_size: bytes per part; grown as S3 requires (5 MiB
        minimum, 10,000 parts maximum).  Default: the config's (8 MiB).
    :param int workers: parts sent at once.  Default: the config's (4).
    :param str encoding: the encoding for text sources (default UTF-8).
    :param dict headers: extra request headers: ``Content-Type``,
        ``x-amz-meta-*``, ``x-amz-acl``, SSE-C keys...  Without
        ``Content-Type``, one is guessed from the file or key name
        (``;charset=`` added for text).
    :param progress: ``progress(bytes_done, total)``, called in the calling
        thread as bytes are sent; ``total`` is None while the length is not
        known; the last call has ``bytes_done == total``.
    :param TransferConfig config: defaults for threshold, part_size, workers;
        the arguments above override it.
    :rtype: TransferResult
    :raises InvalidParameterError: a bad argument; nothing was sent.
    :raises TransferError: the upload failed; the message and attributes say
        whether a multipart upload was aborted.  :class:`IntegrityError` when
        an MD5 or ETag does not match.
    :raises TransferInterrupted: Ctrl-C; the multipart upload was aborted.
    """
    config = _config(config, threshold=threshold, part_size=part_size, workers=workers)
    name = _key_name(key)
    _check_encoding(encoding)
    if progress is not None and not callable(progress):
        raise InvalidParameterError('progress must be callable', 'progress')
    headers = dict(headers or {})
    src = _Source(source, encoding)
    try:
        _default_content_type(headers, src, name, encoding)
        job = _Upload(bucket, name, src, config, headers, progress)
        return job.run()
    finally:
        src.close()


def _key_name(key):
    name = getattr(key, 'name', key)
    if not isinstance(name, six.string_types) or not name:
        raise InvalidParameterError('key must be a non-empty key name, not %r' % (key,), 'key')
    return name


def _check_encoding(encoding, field='encoding'):
    if encoding is None:
        return
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise InvalidParameterError('%s %r is not a known text encoding' % (field, encoding), field)


def _default_content_type(headers, src, name, encoding):
    if any(h.lower() == 'content-type' for h in headers):
        return
    guessed = mimetypes.guess_type(src.name or name)[0] or mimetypes.guess_type(name)[0]
    if src.text:
        guessed = guessed if guessed and guessed.startswith('text/') else 'text/plain'
        # No space after ';': boto < 2.40 percent-encodes spaces in header values.
        guessed += ';charset=%s' % codecs.lookup(encoding).name
    headers['Content-Type'] = guessed or 'application/octet-stream'


class _Upload(object):
    """One upload: chooses single PUT or multipart, runs it, cleans up after failures."""

    def __init__(self, bucket, name, src, config, headers, progress):
        self.bucket = bucket
        self.name = name
        self.src = src
        self.config = config
        self.headers = headers
        self.part_headers = dict((h, v) for h, v in headers.items()
                                 if h.lower().startswith(_PER_REQUEST_HEADERS))
        self.etag_is_md5 = not any(h.lower() == _SSE_C for h in headers)
        self.progress = _Progress(progress, src.size)
        self.secrets = _secrets_of(bucket)
        self.upload_id = None

    def where(self):
        return 's3://%s/%s' % (getattr(self.bucket, 'name', '?'), self.name)

    def run(self):
        size = self.src.size
        threshold = min(self.config.threshold, MAX_SINGLE_PUT_SIZE)
        if size is not None:
            if size > MAX_OBJECT_SIZE:
                raise InvalidParameterError('the source has %d bytes; S3 objects hold at most '
                                            '5 TiB' % size, 'source')
            if size == 0 or size < threshold:
                return self._single(self.src.fp if self.src.seekable else None, size)
            part_size, count = plan_parts(size, self.config.part_size)
            return self._multipart(_Feeder(self.src, part_size, size), count)
        # Length unknown until read: read up to the threshold to decide.
        try:
            head = self.src.read(max(threshold, 1))
        except Exception as error:
            self._raise_failed(error, 'reading the source', sys.exc_info()[2])
        if len(head) < max(threshold, 1):
            return self._single(io.BytesIO(head), len(head))
        part_size = plan_parts(0, self.config.part_size)[0]
        return self._multipart(_Feeder(self.src, part_size, None, head), None)

    # -- single PUT -------------------------------------------------------

    def _single(self, fp, size):
        if fp is None or size == 0:
            # boto refuses an fp at its end ("fp is at EOF"), even for 0 bytes.
            fp = io.BytesIO(self.src.read(size) if size else b'')
        key = self.bucket.new_key(self.name)
        if self.progress.total is None:
            self.progress.total = size                  # a stream: now known
        self.progress.start()
        stored = False
        try:
            hex_md5, b64_md5, got = boto.utils.compute_md5(fp, size=size)
            if got != size:
                raise IntegrityError('the source shrank while read: %d bytes expected, %d read'
                                     % (size, got))
            key.set_contents_from_file(fp, headers=dict(self.headers), md5=(hex_md5, b64_md5),
                                       size=size, cb=lambda done, _: self.progress.part(1, done),
                                       num_cb=20)
            stored = True
            etag = (key.etag or '').strip('"')
            if self.etag_is_md5 and etag.lower() != hex_md5:
                raise IntegrityError('S3 stored %s with ETag %s, but the MD5 of the bytes sent '
                                     'is %s' % (self.where(), etag, hex_md5))
        except Exception as error:
            # boto itself compares the ETag of a 2xx answer with the MD5
            # (S3DataError): then too the object was stored.
            stored = stored or (isinstance(error, boto.exception.StorageDataError)
                                and 'ETag' in str(error))
            self._raise_failed(error, None, sys.exc_info()[2], single='stored' if stored else True)
        self.progress.finish(size)
        log.debug('uploaded %s: %d bytes in one PUT', self.where(), size)
        return TransferResult(self.name, size, etag, 1, self.etag_is_md5)

    # -- multipart --------------------------------------------------------

    def _multipart(self, feeder, count):
        try:
            upload = self.bucket.initiate_multipart_upload(self.name, headers=dict(self.headers))
        except Exception as error:
            self._raise_failed(error, 'starting the multipart upload', sys.exc_info()[2])
        self.upload_id = upload.id
        log.debug('multipart upload of %s: id %s, part size %d, %s parts', self.where(),
                  upload.id, feeder.part_size, count or 'unknown number of')
        workers = min(self.config.workers, count or self.config.workers)
        digests = {}
        crew = _Crew(workers, lambda crew: self._send_parts(crew, upload, feeder, count),
                     'stsboto-upload')
        ctrl_c = _CtrlC()
        completing = False
        try:
            ctrl_c.install()
            try:
                self.progress.start()
                crew.start()
                for kind, value in crew.messages(ctrl_c.check):
                    if kind == 'sent':
                        self.progress.part(*value)
                    elif kind == 'part':
                        number, digest, etag = value
                        digests[number] = (digest, etag)
                ctrl_c.check()
            finally:
                ctrl_c.restore()
            if crew.failure is not None:
                (kind, error, tb), where = crew.failure
                six.reraise(kind, error, tb)
            completing = True
            etag, expected = self._complete(upload, digests)
        except BaseException as error:
            tb = sys.exc_info()[2]
            where = crew.failure[1] if crew.failure is not None else (
                'completing the upload' if completing else None)
            ctrl_c.install()              # the clean-up is not cut short by Ctrl-C ...
            try:
                crew.stop(ctrl_c.check)   # ... except this wait: press again to skip it
            except KeyboardInterrupt:
                log.warning('stopped waiting for the parts in flight of %s', self.where())
            finally:
                aborted, abort_error = self._abort(upload)
                ctrl_c.restore()
            self._raise_failed(error, where, tb, aborted=aborted, abort_error=abort_error,
                               interrupted=ctrl_c.pressed)
        if self.etag_is_md5 and etag.lower() != expected:
            raise IntegrityError(
                'S3 stored %s with ETag %s, but the parts sent give %s; the object was '
                'written (a completed upload cannot be aborted): check or delete it'
                % (self.where(), etag, expected), bucket=self.bucket.name, key=self.name,
                upload_id=upload.id)
        log.debug('completed %s: %d parts, ETag %s', self.where(), len(digests), etag)
        self.progress.finish(feeder.read_size)
        return TransferResult(self.name, feeder.read_size, etag, len(digests), self.etag_is_md5)

    def _send_parts(self, crew, upload, feeder, count):
        """Worker: take the next part, send it, report; until none is left or someone failed."""
        while not crew.cancelled.is_set():
            number = None
            # Let go of the last part before reading the next: otherwise each
            # worker holds two parts while it reads (2 x workers x part_size).
            part = data = key = None
            try:
                part = feeder.take()
                if part is None:
                    return
                number, data = part
                digest = hashlib.md5(data)
                hex_md5 = digest.hexdigest()
                b64_md5 = base64.b64encode(digest.digest()).decode('ascii')
                key = upload.upload_part_from_file(
                    io.BytesIO(data), number, headers=dict(self.part_headers),
                    md5=(hex_md5, b64_md5), size=len(data), num_cb=10,
                    cb=lambda done, _, number=number: crew.post('sent', (number, done)))
                etag = (key.etag or '').strip('"')
                if self.etag_is_md5 and etag.lower() != hex_md5:
                    raise IntegrityError('S3 answered part %d with ETag %s; the MD5 of the '
                                         'part is %s' % (number, etag, hex_md5))
                crew.post('part', (number, digest.digest(), key.etag))
            except BaseException:
                if number is None:
                    where = 'reading part %d' % feeder.next_number
                else:
                    where = 'part %d%s' % (number, ' of %d' % count if count else '')
                crew.fail(sys.exc_info(), where)
                return

    def _complete(self, upload, digests):
        numbers = sorted(digests)
        if numbers != list(range(1, len(numbers) + 1)) or not numbers:
            raise IntegrityError('parts %s were sent; they must be 1..N' % numbers)
        # boto's MultiPartUpload.complete_upload() lists the parts first
        # (ListParts, which needs s3:ListMultipartUploadParts, a permission
        # an upload-only token lacks); the ETags the parts returned are enough.
        body = '<CompleteMultipartUpload>%s</CompleteMultipartUpload>' % ''.join(
            '<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>'
            % (n, _xml_escape(digests[n][1])) for n in numbers)
        result = self.bucket.complete_multipart_upload(self.name, upload.id, body.encode('utf-8'),
                                                       headers=dict(self.part_headers))
        # The multipart ETag: MD5 of the concatenated part digests, "-", part count.
        expected = '%s-%d' % (hashlib.md5(b''.join(digests[n][0] for n in numbers)).hexdigest(),
                              len(numbers))
        return (result.etag or '').strip('"'), expected

    def _abort(self, upload):
        try:
            upload.cancel_upload()
        except Exception as error:
            _scrub(error, self.secrets)
            log.warning('aborting multipart upload %s of %s failed: %s', upload.id, self.where(),
                        _describe(error, self.secrets))
            return False, error
        log.info('aborted multipart upload %s of %s', upload.id, self.where())
        return True, None

    def _raise_failed(self, error, where, tb, single=False, aborted=False, abort_error=None,
                      interrupted=False):
        _scrub(error, self.secrets)
        interrupted = interrupted or isinstance(error, KeyboardInterrupt)
        if not interrupted and not isinstance(error, Exception):
            six.reraise(type(error), error, tb)       # SystemExit and the like: as they are
        what = 'upload to %s %s' % (self.where(), 'interrupted' if interrupted else 'failed')
        if where:
            what += ' (%s)' % where
        if not isinstance(error, KeyboardInterrupt):
            if isinstance(error, TransferError) and error.cause is None:
                what += ': %s' % error
            else:
                what += ': %s' % _describe(error, self.secrets)
        if self.upload_id is None:
            if single == 'stored':
                what += ('; the object was stored (S3 checks the Content-MD5 sent with it), but '
                         'its ETag is not that MD5, as with SSE-KMS encryption: check or delete it')
            elif single:
                what += '; nothing was stored (a failed PUT leaves no object)'
        elif aborted:
            what += '; multipart upload %s was aborted, no parts remain' % self.upload_id
        else:
            what += ('; aborting multipart upload %s failed too (%s): its parts stay stored and '
                     'billed until bucket.cancel_multipart_upload(%r, %r) succeeds (needs '
                     's3:AbortMultipartUpload) or a lifecycle rule removes them'
                     % (self.upload_id, _describe(abort_error, self.secrets)
                        if abort_error is not None else 'interrupted', self.name, self.upload_id))
        kind = TransferInterrupted if interrupted else (
            IntegrityError if isinstance(error, (IntegrityError, boto.exception.StorageDataError))
            else TransferError)
        new = kind(what, bucket=getattr(self.bucket, 'name', None), key=self.name,
                   upload_id=self.upload_id, aborted=aborted, cause=error, abort_error=abort_error)
        log.debug('%s', what)
        six.raise_from(new, error)


def _xml_escape(text):
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


class _Feeder(object):
    """Hands out numbered parts of the source, one worker at a time, in order.

    A part is read only when a worker asks for it, so at most one part per
    worker is in memory.  With a known size, exactly that many bytes are sent
    (a growing file is cut where it was sized; a shrinking one is an error).
    """

    def __init__(self, src, part_size, size, head=b''):
        self.part_size = part_size
        self.next_number = 1
        self.read_size = 0
        self._src = src
        self._size = size
        self._head = head
        self._lock = threading.Lock()
        self._done = False

    def take(self):
        with self._lock:
            if self._done:
                return None
            want = self.part_size
            if self._size is not None:
                want = min(want, self._size - self.read_size)
            data = self._read(want)
            if len(data) < want:
                self._done = True
                if self._size is not None:
                    raise IntegrityError('the source shrank while read: %d bytes expected, %d '
                                         'read' % (self._size, self.read_size + len(data)))
            if self._size is not None and self.read_size + len(data) >= self._size:
                self._done = True
            if not data and self.next_number > 1:
                return None
            if self.next_number > MAX_PARTS:
                raise TransferError('the source is longer than %d parts of %d bytes (the S3 '
                                    'limit is 10,000 parts): pass a larger part_size'
                                    % (MAX_PARTS, self.part_size))
            number = self.next_number
            self.next_number += 1
            self.read_size += len(data)
            return number, data

    def _read(self, size):
        if self._head:
            data, self._head = self._head[:size], self._head[size:]
            if len(data) < size:
                data += self._src.read(size - len(data))
            return data
        return self._src.read(size)


# ---------------------------------------------------------------------------
# Download


def download(bucket, key, dest, workers=None, part_size=None, progress=None, encoding=None,
             headers=None, threshold=None, config=None):
    """Fetch ``key`` from ``bucket`` into ``dest``, in parallel ranges when large, checked.

    Usage: ``download(conn.get_bucket('photos'), 'user-42/cat.jpg', 'cat.jpg', workers=8)``

    :param bucket: a boto ``Bucket``.
    :param str key: the key name (or a boto ``Key``, whose name is used).
    :param dest: a path (written to a temporary file beside it, renamed into
        place when complete and checked, so a failure leaves the old file
        alone), or a file object open for writing, binary or text.  Writes
        are sequential, so pipes and sockets work too.
    :param int workers: ranges fetched at once.  Default: the config's (4).
    :param int part_size: bytes per ranged GET.  Default: the config's (8 MiB).
    :param progress: ``progress(bytes_done, total)``, called in the calling
        thread as bytes arrive.
    :param str encoding: for a text destination, the encoding the object's
        bytes are decoded from (default UTF-8); unused for binary ones.
    :param dict headers: extra request headers (SSE-C keys, requester pays).
    :param int threshold: objects smaller than this come in one GET.
    :param TransferConfig config: defaults for threshold, part_size, workers.
    :rtype: TransferResult
    :raises InvalidParameterError: a bad argument; nothing was fetched.
    :raises TransferError: the key does not exist or cannot be read, or the
        download failed (the message says what ``dest`` holds);
        :class:`IntegrityError` when a byte count or the MD5 does not match.
    :raises TransferInterrupted: Ctrl-C.
    """
    config = _config(config, threshold=threshold, part_size=part_size, workers=workers)
    name = _key_name(key)
    _check_encoding(encoding)
    if progress is not None and not callable(progress):
        raise InvalidParameterError('progress must be callable', 'progress')
    return _Download(bucket, name, _Sink(dest, encoding), config, dict(headers or {}),
                     progress).run()


class _Ranges(object):
    """The byte ranges ``(index, first, last)`` of an object, computed on demand."""

    def __init__(self, size, part_size):
        self.size = size
        self.part_size = part_size

    def __len__(self):
        return -(-self.size // self.part_size)

    def __getitem__(self, index):
        first = index * self.part_size
        return index, first, min(first + self.part_size, self.size) - 1


class _Download(object):
    """One download: HEAD, then one GET or parallel ranged GETs written in order."""

    def __init__(self, bucket, name, sink, config, headers, progress):
        self.bucket = bucket
        self.name = name
        self.sink = sink
        self.config = config
        self.headers = headers
        self.callback = progress
        self.secrets = _secrets_of(bucket)
        self.failed_at = None

    def where(self):
        return 's3://%s/%s' % (getattr(self.bucket, 'name', '?'), self.name)

    def run(self):
        try:
            key = self.bucket.get_key(self.name, headers=dict(self.headers))
        except Exception as error:
            self._raise_failed(error, 'reading its size (HEAD)', sys.exc_info()[2], opened=False)
        if key is None:
            raise TransferError('%s does not exist' % self.where(),
                                bucket=getattr(self.bucket, 'name', None), key=self.name)
        size = int(key.size or 0)
        etag = key.etag
        md5 = _PLAIN_ETAG.match(etag or '')
        # SSE-KMS and SSE-C objects have ETags that are not the MD5 of the data.
        check_md5 = bool(md5) and getattr(key, 'encrypted', None) in (None, 'AES256') and not any(
            h.lower() == _SSE_C for h in self.headers)
        ranges = _Ranges(size, self.config.part_size or DEFAULT_PART_SIZE)
        if not check_md5:
            self.sink.md5 = None          # nothing to check the MD5 against: do not compute it
        progress = _Progress(self.callback, size)
        try:
            self.sink.open()
            progress.start()
            if size < self.config.threshold or len(ranges) <= 1 or self.config.workers == 1:
                self._sequential(size, etag, progress)
                parts = 1
            else:
                self._parallel(ranges, etag, progress)
                parts = len(ranges)
            self.sink.finish()
            if self.sink.written != size:
                raise IntegrityError('%d bytes received, the object has %d'
                                     % (self.sink.written, size))
            if check_md5 and self.sink.md5.hexdigest() != md5.group(1).lower():
                raise IntegrityError('the MD5 of the bytes received is %s; the ETag says %s'
                                     % (self.sink.md5.hexdigest(), md5.group(1)))
            self.sink.commit()
        except BaseException as error:
            self._raise_failed(error, self.failed_at, sys.exc_info()[2])
        progress.finish(size)
        log.debug('downloaded %s: %d bytes in %d request(s)', self.where(), size, parts)
        return TransferResult(self.name, size, (etag or '').strip('"'), parts, check_md5)

    def _sequential(self, size, etag, progress):
        def deliver(chunk):
            self.sink.write(chunk)
            progress.add(len(chunk))
        _fetch(self.bucket, self.name, None, None, etag, self.headers, deliver)

    def _parallel(self, ranges, etag, progress):
        """Workers fetch ranges into memory; this thread writes them in order.

        At most ``2 * workers`` ranges are queued, in flight or waiting to be
        written: a new one is queued each time the oldest is written.
        """
        tasks = queue.Queue()
        workers = min(self.config.workers, len(ranges))
        window = 2 * workers

        def job(crew):
            while True:
                task = tasks.get()
                if task is None or crew.cancelled.is_set():
                    return
                index, first, last = task
                chunks = []

                def deliver(chunk):
                    chunks.append(chunk)
                    crew.post('got', len(chunk))
                try:
                    if _fetch(self.bucket, self.name, first, last, etag, self.headers, deliver,
                              crew.cancelled) is None:
                        return
                except BaseException:
                    crew.fail(sys.exc_info(), 'bytes %d-%d' % (first, last))
                    return
                crew.post('range', (index, chunks))

        def wake():
            for _ in range(workers):
                tasks.put(None)

        crew = _Crew(workers, job, 'stsboto-download', wake)
        ctrl_c = _CtrlC().install()
        queued = written = 0
        pending = {}
        try:
            while queued < min(window, len(ranges)):
                tasks.put(ranges[queued])
                queued += 1
            if queued == len(ranges):
                wake()
            crew.start()
            for kind, value in crew.messages(ctrl_c.check):
                if kind == 'got':
                    progress.add(value)
                    continue
                index, chunks = value
                pending[index] = chunks
                while written in pending:
                    for chunk in pending.pop(written):
                        self.sink.write(chunk)
                    written += 1
                    if queued < len(ranges):
                        tasks.put(ranges[queued])
                        queued += 1
                        if queued == len(ranges):
                            wake()
            ctrl_c.check()
            if crew.failure is not None:
                (kind, error, tb), self.failed_at = crew.failure
                six.reraise(kind, error, tb)
        except BaseException:
            try:
                crew.stop(ctrl_c.check)   # press Ctrl-C again to stop waiting
            except KeyboardInterrupt:
                log.warning('stopped waiting for the requests in flight of %s', self.where())
            raise
        finally:
            ctrl_c.restore()

    def _raise_failed(self, error, where, tb, opened=True):
        _scrub(error, self.secrets)
        left = self.sink.discard() if opened else None
        interrupted = isinstance(error, KeyboardInterrupt)
        if not interrupted and not isinstance(error, Exception):
            six.reraise(type(error), error, tb)
        what = 'download of %s %s' % (self.where(), 'interrupted' if interrupted else 'failed')
        if where:
            what += ' (%s)' % where
        if not interrupted:
            if isinstance(error, TransferError) and error.cause is None:
                what += ': %s' % error
            else:
                what += ': %s' % _describe(error, self.secrets)
        if left:
            what += '; %s' % left
        kind = TransferInterrupted if interrupted else (
            IntegrityError if isinstance(error, (IntegrityError, boto.exception.StorageDataError))
            else TransferError)
        new = kind(what, bucket=getattr(self.bucket, 'name', None), key=self.name, cause=error)
        six.raise_from(new, error)


def _fetch(bucket, name, first, last, etag, headers, deliver, cancelled=None):
    """GET the object, or bytes ``first..last`` of it; ``deliver(chunk)`` each piece.

    Returns the number of bytes, or None when ``cancelled`` stopped it.
    """
    request = dict(headers)
    if etag:
        request['If-Match'] = etag            # 412 rather than bytes of another version
    if first is not None:
        request['Range'] = 'bytes=%d-%d' % (first, last)
    key = bucket.new_key(name)
    key.open_read(headers=request)
    status = key.resp.status
    if first is not None and status != 206:
        key.close(fast=True)
        raise TransferError('the server answered a ranged GET with HTTP %d, not 206 Partial '
                            'Content; use a threshold above the object size' % status)
    count = 0
    while True:
        if cancelled is not None and cancelled.is_set():
            # fast: do not read the rest; boto's pool never reuses a
            # connection whose response was not read to the end.
            key.close(fast=True)
            return None
        chunk = key.resp.read(_CHUNK)
        if not chunk:
            break
        count += len(chunk)
        deliver(chunk)
    key.close()
    if first is not None and count != last - first + 1:
        raise IntegrityError('%d bytes received for bytes %d-%d (%d expected)'
                             % (count, first, last, last - first + 1))
    return count
