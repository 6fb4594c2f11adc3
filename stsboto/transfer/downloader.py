"""Downloads: HEAD, then one GET or parallel ranged GETs, checked.

Usage: ``download(bucket, 'user-42/cat.jpg', 'cat.jpg', workers=8)`` (see
:func:`download`; ``stsboto.transfer`` re-exports it).

To a path, every worker writes its range at its offset in the temporary file
(no range waits in memory for the one before it) and the MD5 thread reads the
file behind them.  To a stream (pipe, text, file object), workers fetch ranges
into memory and the calling thread writes them in order: at most ``workers``
ranges wait, and the MD5 thread hashes what was written.
"""
from __future__ import absolute_import, division, unicode_literals

import logging
import sys
import threading

import six

from stsboto._boto import boto
from stsboto.exceptions import IntegrityError, StsbotoError, TransferError, TransferInterrupted
from stsboto.transfer.checksums import DOWNLOAD_ORDER, Md5Follower, algorithm, plain_md5
from stsboto.transfer.config import DEFAULT_PART_SIZE, key_name, take_options, TransferResult
from stsboto.transfer.crew import POLL, Crew, CtrlC, Progress
from stsboto.transfer.streams import CHUNK, Sink
from stsboto.transfer.wire import describe, scrub, secrets_of

import boto.exception  # noqa: E402  (stsboto._boto made boto importable)

__all__ = ['download']

log = logging.getLogger('stsboto.transfer')
_SSE_C = 'x-amz-server-side-encryption-customer-algorithm'


def download(bucket, key, dest, **options):
    """Fetch ``key`` from ``bucket`` into ``dest``, in parallel ranges when large, checked.

    Usage: ``download(conn.get_bucket('photos'), 'user-42/cat.jpg', 'cat.jpg', workers=8)``

    Every argument after the third is keyword-only.

    :param bucket: a boto ``Bucket``.
    :param str key: the key name (or a boto ``Key``, whose name is used).
    :param dest: a path (written to a temporary file beside it, renamed into
        place when complete and checked, so a failure leaves the old file
        alone; a file replaced keeps its mode), or a file object open for
        writing, binary or text.  Writes to a file object are sequential, so
        pipes and sockets work too.
    :param int workers: ranges fetched at once.  Default: the config's (4).
    :param int part_size: bytes per ranged GET.  Default: the config's (8 MiB).
    :param int threshold: objects smaller than this come in one GET.
    :param bool use_threads: see :class:`TransferConfig`.
    :param progress: ``progress(bytes_done, total)``, called in the calling
        thread as bytes arrive.
    :param str encoding: for a text destination, the encoding the object's
        bytes are decoded from (default UTF-8); unused for binary ones.
    :param dict headers: extra request headers (SSE-C keys, requester pays).
    :param TransferConfig config: defaults for the tuning above.
    :rtype: TransferResult
    :raises InvalidParameterError: a bad argument; nothing was fetched.
    :raises TransferError: the key does not exist or cannot be read, or the
        download failed (the message says what ``dest`` holds);
        :class:`IntegrityError` when a byte count or the MD5 does not match.
    :raises TransferInterrupted: Ctrl-C.
    """
    config, options = take_options('download', options,
                                   {'encoding': None, 'headers': None, 'progress': None})
    name = key_name(key)
    return _Download(bucket, name, Sink(dest, options['encoding']), config,
                     dict(options['headers'] or {}), options['progress']).run()


class _Download(object):
    """One download: HEAD, then one GET or parallel ranged GETs."""

    def __init__(self, bucket, name, sink, config, headers, progress):
        self.bucket = bucket
        self.name = name
        self.sink = sink
        self.config = config
        self.headers = headers
        self.callback = progress
        self.secrets = secrets_of(bucket)
        self.failed_at = None
        self.md5 = None
        self.crc = None                  # the Crc of the object's stored checksum, if we can
        self.got_crc = 0                 # compute it; then the CRC of the bytes so far

    def where(self):
        return 's3://%s/%s' % (getattr(self.bucket, 'name', '?'), self.name)

    def _missing(self):
        """What the HEAD's bare 404 meant: the key, or the whole bucket, is not there.

        A HEAD answer has no body to say which, so one ranged GET (what the token
        may do anyway) reads S3's error code; only this failure path pays for it.
        """
        what = '%s does not exist' % self.where()
        try:
            response = self.bucket.connection.make_request(
                'GET', self.bucket.name, self.name, headers={'Range': 'bytes=0-0'})
            body = response.read()
        except (boto.exception.BotoClientError, boto.exception.BotoServerError, StsbotoError,
                EnvironmentError):
            return what  # the question was a courtesy: the answer stays "does not exist"
        if response.status == 404 and b'<Code>NoSuchBucket</Code>' in body:
            return 'the bucket %s does not exist (asked for %s)' % (self.bucket.name, self.where())
        return what

    def _head(self):
        """boto's ``Key`` (None when missing), and ``(Crc, value)`` of a full-object checksum or None.

        ``x-amz-checksum-mode: ENABLED`` asks S3 for the checksum stored with
        the object (S3 API reference, HeadObject; a ranged GET never carries
        it); boto's ``Key`` drops the answer's other headers, so the HEAD goes
        through boto's own ``_get_key_internal``, which returns the response
        too.  CRC64NVME (what S3 stores for any object uploaded without a
        checksum since December 2024) and CRC32C need awscrt; without it they
        are not checked, as before.
        """
        headers = dict(self.headers)
        headers['x-amz-checksum-mode'] = 'ENABLED'
        internal = getattr(self.bucket, '_get_key_internal', None)
        if internal is None:                   # not in every boto 2 release
            return self.bucket.get_key(self.name, headers=headers), None
        key, response = internal(self.name, headers, [])
        if key is None:
            return None, None
        kind = response.getheader('x-amz-checksum-type')
        for name in DOWNLOAD_ORDER:
            value = response.getheader('x-amz-checksum-%s' % name.lower())
            if value is None:
                continue
            if name != 'CRC64NVME' and (kind not in (None, 'FULL_OBJECT') or (
                    kind is None and '-' in (key.etag or ''))):
                # A composite checksum (of the parts' checksums, not of the
                # bytes).  S3 writes it "...-N" with type COMPOSITE; moto 5.2
                # leaves out both the suffix and the type, so a multipart ETag
                # without a type is taken for composite too.  CRC64NVME is
                # always full-object (S3 API reference).
                continue
            crc = algorithm(name)
            stored = crc.parse(value) if crc is not None else None
            if stored is not None:
                return key, (crc, stored)
            log.debug('%s has a stored %s checksum; not checked (%s)', self.where(), name,
                      'install awscrt: the crc extra' if crc is None else 'not full-object')
        return key, None

    def run(self):
        try:
            key, stored_crc = self._head()
        except Exception as error:
            self._raise_failed(error, 'reading its size (HEAD)', sys.exc_info()[2], opened=False)
        if key is None:
            raise TransferError(self._missing(), bucket=getattr(self.bucket, 'name', None),
                                key=self.name)
        size = int(key.size or 0)
        etag = key.etag
        md5 = plain_md5(etag)
        # SSE-KMS and SSE-C objects have ETags that are not the MD5 of the data.
        if getattr(key, 'encrypted', None) not in (None, 'AES256') or any(
                h.lower() == _SSE_C for h in self.headers):
            md5 = None
        if stored_crc is not None:
            md5 = None                           # the stored CRC checks every byte, in parallel
            self.crc, stored_crc = stored_crc
        part_size = self.config.part_size or DEFAULT_PART_SIZE
        count = -(-size // part_size)
        progress = Progress(self.callback, size)
        try:
            self.sink.open()
            progress.start()
            if size < self.config.threshold or count <= 1 or self.config.workers == 1 or \
                    self.sink.sequential:   # a FIFO or a device: one stream, in order
                if md5 is not None:
                    self.md5 = Md5Follower(threads=False)
                self._sequential(etag, progress)
                parts = 1
            else:
                if md5 is not None:
                    self.md5 = Md5Follower(self.config.use_threads, self.sink.reader()
                                           if self.sink.positional else None)
                self._parallel(size, part_size, count, etag, progress)
                parts = count
            self.sink.finish()
            if self.sink.written != size:
                raise IntegrityError('%d bytes received, the object has %d'
                                     % (self.sink.written, size))
            if md5 is not None:
                got = self.md5.hexdigest()
                if got != md5:
                    raise IntegrityError('the MD5 of the bytes received is %s; the ETag says %s'
                                         % (got, md5))
            if stored_crc is not None and self.got_crc != stored_crc:
                raise IntegrityError('the %s of the bytes received is %s; the checksum stored '
                                     'with the object is %s' % (
                                         self.crc.name, self.crc.b64(self.got_crc),
                                         self.crc.b64(stored_crc)))
            self.sink.commit()
        except BaseException as error:
            if self.md5 is not None:
                self.md5.close()
            self._raise_failed(error, self.failed_at, sys.exc_info()[2])
        progress.finish(size)
        log.debug('downloaded %s: %d bytes in %d request(s)', self.where(), size, parts)
        return TransferResult(self.name, size, (etag or '').strip('"'), parts,
                              md5 is not None or stored_crc is not None)

    def _sequential(self, etag, progress):
        def deliver(chunk):
            self.sink.write(chunk)
            if self.md5 is not None:
                self.md5.feed(chunk)
            if self.crc is not None:
                self.got_crc = self.crc.update(chunk, self.got_crc)
            progress.add(len(chunk))
        _fetch(self.bucket, self.name, None, None, etag, self.headers, deliver)

    def _parallel(self, size, part_size, count, etag, progress):
        """Workers fetch ranges; this thread counts, writes (streams) and hashes in order."""
        workers = min(self.config.workers, count)
        positional = self.sink.positional
        # A stream destination: at most ``workers`` ranges fetched and not yet
        # written (the bound on memory); a path: the workers write themselves.
        slots = threading.Semaphore(workers)
        state = {'next': 0}
        lock = threading.Lock()

        def take(crew):
            if not positional:
                while not slots.acquire(False):   # a timeout keeps Ctrl-C deliverable
                    if crew.cancelled.wait(POLL / 4):
                        return None
            with lock:
                index = state['next']
                if index >= count:
                    return None
                state['next'] += 1
            first = index * part_size
            last = min(first + part_size, size) - 1
            return lambda crew: self._range(crew, index, first, last, etag)

        crew = Crew(workers, take, 'stsboto-download', threads=self.config.use_threads)
        ctrl_c = CtrlC().install()
        done = 0                         # ranges written (streams) or complete (paths)
        pending = {}
        received = {}                    # bytes of each range received so far
        crcs = {}                        # the CRC of each range received, not yet combined
        fed = [0]

        def follow():
            # Path: hash up to the first gap (the range after the complete ones
            # is written as it arrives), so the MD5 runs beside the network.
            upto = done * part_size + received.get(done, 0)
            if upto > fed[0]:
                fed[0] = upto
                self.md5.feed_file(min(upto, size))
        try:
            crew.start()
            for kind, value in crew.messages(ctrl_c.check):
                if kind == 'got':
                    index, amount = value
                    progress.add(amount)
                    received[index] = received.get(index, 0) + amount
                    if positional and index == done and self.md5 is not None:
                        follow()
                    continue
                index, chunks, crc = value
                pending[index] = chunks
                if crc is not None:
                    crcs[index] = crc
                while done in pending:
                    chunks = pending.pop(done)
                    if self.crc is not None:
                        length = min(part_size, size - done * part_size)
                        self.got_crc = self.crc.combine(self.got_crc, crcs.pop(done), length)
                    if positional:
                        self.sink.written += chunks
                    else:
                        for chunk in chunks:
                            self.sink.write(chunk)
                            if self.md5 is not None:
                                self.md5.feed(chunk)
                        slots.release()
                    chunks = None
                    received.pop(done, None)
                    done += 1
                if positional and self.md5 is not None:
                    follow()
            ctrl_c.check()
            if crew.failure is not None:
                self.failed_at = crew.failure[1]
            crew.reraise()
        except BaseException:
            try:
                crew.stop(ctrl_c.check)   # press Ctrl-C again to stop waiting
            except KeyboardInterrupt:
                log.warning('stopped waiting for the requests in flight of %s', self.where())
            raise
        finally:
            ctrl_c.restore()

    def _range(self, crew, index, first, last, etag):
        """Worker: fetch one range; into the file at its offset, or into memory."""
        handle = self.sink.range_file(first) if self.sink.positional else None
        chunks = []
        crc = [0 if self.crc is not None else None]
        update = self.crc.update if self.crc is not None else None

        def deliver(chunk):
            if update is not None:
                crc[0] = update(chunk, crc[0])    # zlib (Python 3) and awscrt release the GIL
            if handle is not None:
                view = memoryview(chunk)
                while view:                   # unbuffered: visible to the MD5 reader at once
                    view = view[handle.write(view):]
            else:
                chunks.append(chunk)
            crew.post('got', (index, len(chunk)))
        try:
            try:
                got = _fetch(self.bucket, self.name, first, last, etag, self.headers, deliver,
                             crew.cancelled)
            finally:
                if handle is not None:
                    handle.close()            # flushed before the MD5 thread reads it
            if got is None:
                return
        except BaseException:
            crew.fail(sys.exc_info(), 'bytes %d-%d' % (first, last))
            return
        crew.post('range', (index, got if handle is not None else chunks, crc[0]))

    def _raise_failed(self, error, where, tb, opened=True):
        scrub(error, self.secrets)
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
                what += ': %s' % describe(error, self.secrets)
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
        chunk = key.resp.read(CHUNK)
        if not chunk:
            break
        count += len(chunk)
        deliver(chunk)
    key.close()
    if first is not None and count != last - first + 1:
        raise IntegrityError('%d bytes received for bytes %d-%d (%d expected)'
                             % (count, first, last, last - first + 1))
    return count
