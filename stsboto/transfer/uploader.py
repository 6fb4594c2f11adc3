"""Uploads: one PUT below the threshold, a parallel multipart upload at or above it.

Usage: ``upload(bucket, 'user-42/cat.jpg', 'cat.jpg', workers=8)`` (see
:func:`upload`; ``stsboto.transfer`` re-exports it).
"""
from __future__ import absolute_import, division, unicode_literals

import base64
import codecs
import hashlib
import logging
import mimetypes
import sys
import threading
import warnings

import six

from stsboto._boto import boto
from stsboto.exceptions import (IntegrityError, InvalidParameterError, TransferError,
                                TransferInterrupted, UnverifiedUploadWarning)
from stsboto.transfer.checksums import algorithm, composite_crc32, multipart_etag
from stsboto.transfer.config import (MAX_OBJECT_SIZE, MAX_PARTS, MAX_SINGLE_PUT_SIZE, key_name,
                                     plan_parts, take_options, TransferResult)
from stsboto.transfer.crew import Crew, CtrlC, Progress
from stsboto.transfer.streams import Source
from stsboto.transfer.wire import (UNSIGNED_PAYLOAD, FileBody, describe, header, put_body, scrub,
                                   secrets_of, signs_payload)

import boto.exception  # noqa: E402  (stsboto._boto made boto importable)

__all__ = ['upload']

log = logging.getLogger('stsboto.transfer')


# Request headers that every part of a multipart upload must repeat (SSE-C
# keys, requester pays); the rest (metadata, ACL, type) go with the initiation.
_PER_REQUEST_HEADERS = ('x-amz-server-side-encryption-customer-', 'x-amz-request-payer')
_SSE_C = 'x-amz-server-side-encryption-customer-algorithm'
CRC32_HEADER = 'x-amz-checksum-crc32'
_UNCONFIRMED = ('%s: the server did not answer with the %s checksum sent, so it may not '
                'have checked it (a server without S3 flexible checksums?); pass '
                "checksum='md5' for such servers")


def _unconfirmed(where, name):
    # Logged for applications that watch logs, and a warning of our own class for
    # those that do not (a program, or the CLI, may turn it into an error or a line).
    log.warning(_UNCONFIRMED, where, name)
    warnings.warn(UnverifiedUploadWarning(_UNCONFIRMED % (where, name)), stacklevel=5)


def upload(bucket, key, source, **options):
    """Store ``source`` as ``key`` in ``bucket``, checked, in parallel parts when large.

    Usage: ``upload(conn.get_bucket('photos'), 'user-42/cat.jpg', 'cat.jpg', workers=8)``

    Every argument after the third is keyword-only.

    :param bucket: a boto ``Bucket`` (e.g. ``connect_with_token(t).get_bucket(name)``).
    :param str key: the key name (or a boto ``Key``, whose name is used).
    :param source: a path, or a file object open for reading, binary or text.
        A file object is read from its current position.  Text is encoded
        with ``encoding``; its byte length is learnt while reading, so up to
        ``threshold`` bytes of it are held in memory to choose between one PUT
        and a multipart upload (the same holds for pipes).
    :param int threshold: single PUT below this many bytes, multipart at or
        above.  Default: the config's (8 MiB).  A single PUT holds its body
        in memory, as each worker holds its part.
    :param int part_size: bytes per part; grown as S3 requires (5 MiB
        minimum, 10,000 parts maximum).  Default: the config's (8 MiB).
    :param int workers: parts sent at once.  Default: the config's (4).
    :param str checksum: ``'crc32'`` (default; the server checks it),
        ``'crc64nvme'`` (needs awscrt, the ``crc`` extra; a multipart upload
        gets a full-object checksum, which downloads check in parallel), or
        ``'md5'``.
    :param payload_signing_enabled: see :class:`TransferConfig`.
    :param bool use_threads: see :class:`TransferConfig`.
    :param str encoding: the encoding for text sources (default UTF-8).
    :param dict headers: extra request headers: ``Content-Type``,
        ``x-amz-meta-*``, ``x-amz-acl``, SSE-C keys...  Without
        ``Content-Type``, one is guessed from the file or key name
        (``;charset=`` added for text).
    :param progress: ``progress(bytes_done, total)``, called in the calling
        thread as bytes are sent; ``total`` is None while the length is not
        known; the last call has ``bytes_done == total``.
    :param TransferConfig config: defaults for the tuning above; the
        arguments given override it.
    :rtype: TransferResult
    :raises InvalidParameterError: a bad argument; nothing was sent.
    :raises TransferError: the upload failed; the message and attributes say
        whether a multipart upload was aborted.  :class:`IntegrityError` when
        a checksum, MD5 or ETag does not match.
    :raises TransferInterrupted: Ctrl-C; the multipart upload was aborted.
    """
    config, options = take_options('upload', options,
                                   {'encoding': 'utf-8', 'headers': None, 'progress': None})
    name = key_name(key)
    encoding = options['encoding']
    headers = dict(options['headers'] or {})
    src = Source(source, encoding)
    try:
        _default_content_type(headers, src, name, encoding)
        return _Upload(bucket, name, src, config, headers, options['progress']).run()
    finally:
        src.close()


def _default_content_type(headers, src, name, encoding):
    if any(h.lower() == 'content-type' for h in headers):
        return
    guessed = mimetypes.guess_type(src.name or name)[0] or mimetypes.guess_type(name)[0]
    if src.text:
        guessed = guessed if guessed and guessed.startswith('text/') else 'text/plain'
        # No space after ';': boto < 2.40 percent-encodes spaces in header values.
        guessed += ';charset=%s' % codecs.lookup(encoding).name
    headers['Content-Type'] = guessed or 'application/octet-stream'


# A single PUT of a file larger than this is sent from the file (two reads of it,
# one block in memory) rather than from one bytes object.
_STREAMED = 1024 * 1024


class _Upload(object):
    """One upload: chooses single PUT or multipart, runs it, cleans up after failures."""

    def __init__(self, bucket, name, src, config, headers, progress):
        self.bucket = bucket
        self.name = name
        self.src = src
        self.config = config
        self.crc = None                       # the Crc sent, or None for 'md5'
        if config.checksum != 'md5':
            self.crc = algorithm(config.checksum)
            if self.crc is None:
                # Checked before any request (awscrt is optional: the crc extra).
                raise InvalidParameterError(
                    "checksum=%r needs awscrt's checksums.%s (pip install 'stsboto[crc]', "
                    "Python 3.8+); use checksum='crc32' without it"
                    % (config.checksum, config.checksum), 'checksum')
        self.flexible = self.crc is not None    # S3 flexible checksums (a CRC), not MD5
        self.full_object = self.crc is not None and self.crc.name == 'CRC64NVME'
        self.headers = headers
        self.part_headers = dict((h, v) for h, v in headers.items()
                                 if h.lower().startswith(_PER_REQUEST_HEADERS))
        self.etag_is_md5 = not any(h.lower() == _SSE_C for h in headers)
        self.progress = Progress(progress, src.size)
        self.secrets = secrets_of(bucket)
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
                return self._single(None, size)
            part_size, count = plan_parts(size, self.config.part_size)
            return self._multipart(_Feeder(self.src, part_size, size), count)
        # Length unknown until read: read up to the threshold to decide.
        try:
            head = self.src.read(max(threshold, 1))
        except Exception as error:
            self._raise_failed(error, 'reading the source', sys.exc_info()[2])
        if len(head) < max(threshold, 1):
            return self._single(head, len(head))
        part_size = plan_parts(0, self.config.part_size)[0]
        return self._multipart(_Feeder(self.src, part_size, None, head), None)

    def _request_headers(self, base, blocks):
        """``base`` plus the checksum and payload-hash headers for the bytes of ``blocks``.

        Returns ``(headers, check, size)``: ``check`` is the CRC header value
        or the MD5 object the answer is checked against.
        """
        headers = dict(base)
        signing = signs_payload(self.bucket.connection, self.config.payload_signing_enabled)
        sha = hashlib.sha256() if signing else None
        md5 = None if self.flexible else hashlib.md5()
        crc = 0
        size = 0
        for block in blocks:
            size += len(block)
            if md5 is None:
                crc = self.crc.update(block, crc)  # zlib, awscrt, hashlib release the GIL
            else:
                md5.update(block)
            if sha is not None:
                sha.update(block)
        if self.flexible:
            check = self.crc.b64(crc)
            headers[self.crc.header] = check
            # What botocore sends with the value (S3 API reference, PutObject
            # and UploadPart); S3 takes the value, some servers (moto) need both.
            headers['x-amz-sdk-checksum-algorithm'] = self.crc.name
        else:
            check = md5
            headers['Content-MD5'] = base64.b64encode(md5.digest()).decode('ascii')
        if signing is not None:
            headers['x-amz-content-sha256'] = sha.hexdigest() if signing else UNSIGNED_PAYLOAD
        return headers, check, size

    def _checked(self, response, check, what):
        """The ETag of ``response``; raises when the server's checksum or ETag is not ours.

        Returns ``(etag, confirmed)``: confirmed is True when the server
        answered with the same CRC (it checked it) or the ETag is the MD5.
        """
        etag = (header(response, 'etag') or '').strip('"')
        if self.flexible:
            echoed = header(response, self.crc.header)
            if echoed is not None and echoed != check:
                raise IntegrityError('S3 answered %s with %s %s; the %s of the bytes sent '
                                     'is %s' % (what, self.crc.name, echoed, self.crc.name, check))
            return etag, echoed is not None
        if self.etag_is_md5 and etag.lower() != check.hexdigest():
            raise IntegrityError('S3 answered %s with ETag %s; the MD5 of the bytes sent is %s'
                                 % (what, etag, check.hexdigest()))
        return etag, self.etag_is_md5

    # -- single PUT -------------------------------------------------------

    def _single(self, data, size):
        if self.progress.total is None:
            self.progress.total = size                  # a stream: now known
        stored = False
        try:
            self.progress.start()
            if data is None and self.src.seekable and size > _STREAMED:
                # A file: checksummed in a first pass, then sent from the file,
                # so a single PUT holds one block, not the object, in memory.
                data = FileBody(self.src.fp, self.src.fp.tell(), size)
                headers, check, got = self._request_headers(self.headers, data.blocks())
            else:
                if data is None:
                    data = self.src.read(size) if size else b''
                headers, check, got = self._request_headers(self.headers, (data,))
            if got != size:
                raise IntegrityError('the source shrank while read: %d bytes expected, %d '
                                     'read' % (size, got))
            response = put_body(self.bucket, self.name, data, headers,
                                sent=lambda done: self.progress.part(1, done))
            stored = True
            etag, verified = self._checked(response, check, 'the PUT of %s' % self.where())
        except BaseException as error:
            # Ctrl-C (in this thread: a single PUT has no workers) is a
            # TransferInterrupted too, with "nothing was stored" (issue 11).
            self._raise_failed(error, None, sys.exc_info()[2], single='stored' if stored else True)
        if self.flexible and not verified:
            _unconfirmed(self.where(), self.crc.name)
        self.progress.finish(size)
        log.debug('uploaded %s: %d bytes in one PUT', self.where(), size)
        return TransferResult(self.name, size, etag, 1, verified)

    # -- multipart --------------------------------------------------------

    def _multipart(self, feeder, count):
        headers = dict(self.headers)
        if self.flexible:
            headers['x-amz-checksum-algorithm'] = self.crc.name
            if self.full_object:
                # S3 API reference, CreateMultipartUpload: CRC64NVME is always a
                # full-object checksum, declared when the upload starts; the
                # combined value goes with the completion (see _complete).
                headers['x-amz-checksum-type'] = 'FULL_OBJECT'
        # From here a Ctrl-C (or SIGTERM) waits for the try below, which aborts the
        # upload: pressed while S3 creates it, it would leave it open and billed.
        ctrl_c = CtrlC().install()
        try:
            upload = self.bucket.initiate_multipart_upload(self.name, headers=headers)
        except Exception as error:
            ctrl_c.restore()
            self._raise_failed(error, 'starting the multipart upload', sys.exc_info()[2])
        self.upload_id = upload.id
        log.debug('multipart upload of %s: id %s, part size %d, %s parts', self.where(),
                  upload.id, feeder.part_size, count or 'unknown number of')
        workers = min(self.config.workers, count or self.config.workers)
        parts = {}

        def take(crew):
            try:
                part = feeder.take()
            except BaseException:
                crew.fail(sys.exc_info(), 'reading part %d' % feeder.next_number)
                return None
            if part is None:
                return None
            number, data = part
            return lambda crew: self._send_part(crew, upload.id, number, data, count)

        crew = Crew(workers, take, 'stsboto-upload', threads=self.config.use_threads)
        completing = False
        try:
            try:
                ctrl_c.check()            # pressed while the upload was being created
                self.progress.start()
                crew.start()
                for kind, value in crew.messages(ctrl_c.check):
                    if kind == 'sent':
                        self.progress.part(*value)
                    elif kind == 'part':
                        parts[value[0]] = value[1:]
                ctrl_c.check()
            finally:
                ctrl_c.restore()
            crew.reraise()
            completing = True
            etag, expected, final = self._complete(upload, parts)
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
        verified = all(p[2] for p in parts.values())
        if self.flexible:
            got = final
            verified = verified and got is not None
        else:
            got = etag.lower() if self.etag_is_md5 else None
        if got is not None and got != expected:
            raise IntegrityError(
                'S3 stored %s with %s %s, but the parts sent give %s; the object was '
                'written (a completed upload cannot be aborted): check or delete it'
                % (self.where(), self.crc.name if self.flexible else 'ETag', got, expected),
                bucket=self.bucket.name, key=self.name, upload_id=upload.id)
        if self.flexible and not verified:
            _unconfirmed(self.where(), self.crc.name)
        log.debug('completed %s: %d parts, ETag %s', self.where(), len(parts), etag)
        self.progress.finish(feeder.read_size)
        return TransferResult(self.name, feeder.read_size, etag, len(parts), verified)

    def _send_part(self, crew, upload_id, number, data, count):
        """Worker: send one part, check the answer, report."""
        try:
            headers, check, size = self._request_headers(self.part_headers, (data,))
            response = put_body(self.bucket, self.name, data, headers,
                                query_args='uploadId=%s&partNumber=%d' % (upload_id, number),
                                sent=lambda done: crew.post('sent', (number, done)))
            etag, confirmed = self._checked(response, check, 'part %d' % number)
            crew.post('part', (number, check if self.flexible else check.digest(),
                               header(response, 'etag'), confirmed, size))
        except BaseException:
            crew.fail(sys.exc_info(), 'part %d%s' % (number, ' of %d' % count if count else ''))

    def _complete(self, upload, parts):
        numbers = sorted(parts)
        if numbers != list(range(1, len(numbers) + 1)) or not numbers:
            raise IntegrityError('parts %s were sent; they must be 1..N' % numbers)
        # boto's MultiPartUpload.complete_upload() lists the parts first
        # (ListParts, which needs s3:ListMultipartUploadParts, a permission
        # an upload-only token lacks); the ETags the parts returned are enough.
        checksum = '<{0}>%s</{0}>'.format(self.crc.element) if self.flexible else ''
        body = '<CompleteMultipartUpload>%s</CompleteMultipartUpload>' % ''.join(
            '<Part><PartNumber>%d</PartNumber><ETag>%s</ETag>%s</Part>'
            % (n, _xml_escape(parts[n][1]), checksum and checksum % parts[n][0])
            for n in numbers)
        headers = dict(self.part_headers)
        if self.full_object:
            # The CRC of the whole object, combined from the parts' CRCs: S3
            # checks it against what it computed (S3 API reference,
            # CompleteMultipartUpload, x-amz-checksum-crc64nvme and -type).
            total = 0
            for n in numbers:
                total = self.crc.combine(total, self.crc.parse(parts[n][0]), parts[n][3])
            expected = self.crc.b64(total)
            headers[self.crc.header] = expected
            headers['x-amz-checksum-type'] = 'FULL_OBJECT'
        elif self.flexible:
            expected = composite_crc32([parts[n][0] for n in numbers])
        else:
            expected = multipart_etag([parts[n][0] for n in numbers])
        result = self.bucket.complete_multipart_upload(self.name, upload.id, body.encode('utf-8'),
                                                       headers=headers)
        final = getattr(result, self.crc.element, None) if self.flexible else None
        return (result.etag or '').strip('"'), expected, final

    def _abort(self, upload):
        try:
            upload.cancel_upload()
        except Exception as error:
            scrub(error, self.secrets)
            log.warning('aborting multipart upload %s of %s failed: %s', upload.id, self.where(),
                        describe(error, self.secrets))
            return False, error
        log.info('aborted multipart upload %s of %s', upload.id, self.where())
        return True, None

    def _raise_failed(self, error, where, tb, single=False, aborted=False, abort_error=None,
                      interrupted=False):
        scrub(error, self.secrets)
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
                what += ': %s' % describe(error, self.secrets)
        if self.upload_id is None:
            if single == 'stored':
                what += ('; the object was stored (S3 checked the checksum sent with it), but '
                         'its answer does not match it (an ETag that is not the MD5, as with '
                         'SSE-KMS encryption?): check or delete it')
            elif single:
                what += '; nothing was stored (a failed PUT leaves no object)'
        elif aborted:
            what += '; multipart upload %s was aborted, no parts remain' % self.upload_id
        else:
            what += ('; aborting multipart upload %s failed too (%s): its parts stay stored and '
                     'billed until bucket.cancel_multipart_upload(%r, %r) succeeds (needs '
                     's3:AbortMultipartUpload) or a lifecycle rule removes them'
                     % (self.upload_id, describe(abort_error, self.secrets)
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
