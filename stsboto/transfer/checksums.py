"""Checksums: S3's CRC32 flexible checksum, multipart ETags, and the download MD5.

Usage::

    from stsboto.transfer.checksums import crc32_b64, composite_crc32
    header = crc32_b64(part)                       # x-amz-checksum-crc32 of one request
    final = composite_crc32([header1, header2])    # what CompleteMultipartUpload answers

S3 (User Guide, "Checking object integrity") takes the big-endian CRC32 of
the body, base64-encoded, in ``x-amz-checksum-crc32`` and refuses the request
(400 BadDigest) when the bytes do not match it.  A multipart upload's
checksum is the CRC32 of the concatenated binary part checksums, followed by
``-`` and the part count (the "composite" checksum type).
"""
from __future__ import absolute_import, division, unicode_literals

import base64
import binascii
import hashlib
import re
import struct
import sys
import threading
import zlib

import six
from six.moves import queue

from stsboto.transfer.crew import POLL

__all__ = ['crc32_b64', 'composite_crc32', 'crc32_combine', 'full_object_crc32', 'multipart_etag',
           'plain_md5', 'Md5Follower']

_PLAIN_ETAG = re.compile(r'^"?([0-9a-fA-F]{32})"?$')
_BLOCK = 1024 * 1024


def crc32_b64(data):
    """The ``x-amz-checksum-crc32`` value of ``data`` (zlib releases the GIL on Python 3)."""
    return base64.b64encode(struct.pack('>I', zlib.crc32(data) & 0xffffffff)).decode('ascii')


def composite_crc32(part_checksums):
    """The CRC32 checksum S3 reports for a multipart upload of these parts (base64 each)."""
    raw = b''.join(base64.b64decode(value) for value in part_checksums)
    return '%s-%d' % (crc32_b64(raw), len(part_checksums))


def full_object_crc32(value):
    """The CRC32 (an int) in an ``x-amz-checksum-crc32`` answer, or None.

    None for a composite checksum (``...-N``: a CRC32 of part checksums, not
    of the bytes) and for anything that is not 4 bytes in base64.
    """
    if not value or '-' in value:
        return None
    try:
        raw = base64.b64decode(value)
    except (TypeError, ValueError, binascii.Error):
        return None
    return struct.unpack('>I', raw)[0] if len(raw) == 4 else None


def _gf2_times(matrix, vector):
    total = 0
    row = 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _gf2_square(matrix):
    return [_gf2_times(matrix, matrix[row]) for row in range(32)]


_OPERATORS = {}


def _zero_bytes_operator(length):
    """The GF(2) matrix that appends ``length`` zero bytes to a CRC32 register (cached)."""
    operator = _OPERATORS.get(length)
    if operator is not None:
        return operator
    power = [0xedb88320] + [1 << row for row in range(31)]  # one zero bit (reflected poly)
    for _ in range(3):
        power = _gf2_square(power)                            # one zero byte
    operator = None
    remaining = length
    while remaining:
        if remaining & 1:
            if operator is None:
                operator = power
            else:
                operator = [_gf2_times(power, column) for column in operator]
        remaining >>= 1
        if remaining:
            power = _gf2_square(power)
    if len(_OPERATORS) < 64:
        _OPERATORS[length] = operator
    return operator


def crc32_combine(crc1, crc2, length2):
    """The CRC32 of ``A + B`` from ``crc1`` = CRC32(A), ``crc2`` = CRC32(B) and len(B).

    zlib has this as ``crc32_combine`` but Python's zlib module does not
    expose it.  The method is zlib's (Mark Adler): appending zero bits to a
    message is a linear map over GF(2), so "append len(B) zero bytes" is a
    32x32 bit matrix, built by repeated squaring, applied to CRC32(A), then
    XOR CRC32(B).  The matrix for a length is kept: every range but the last
    has the same length, so each later combine is one matrix-vector product.
    It lets ranges be checksummed in parallel by the workers.
    """
    if length2 <= 0:
        return crc1
    return _gf2_times(_zero_bytes_operator(length2), crc1) ^ crc2


def multipart_etag(digests):
    """The ETag of a multipart upload from its parts' binary MD5 digests."""
    return '%s-%d' % (hashlib.md5(b''.join(digests)).hexdigest(), len(digests))


def plain_md5(etag):
    """The MD5 an ETag holds (lower case), or None when it is not a plain MD5."""
    match = _PLAIN_ETAG.match(etag or '')
    return match.group(1).lower() if match else None


class Md5Follower(object):
    """The MD5 of a download, computed in a thread of its own behind the writes.

    ``feed(chunk)`` takes bytes in order (stream destinations);
    ``feed_file(upto)`` hashes a file from where it stopped to ``upto``
    (path destinations, whose ranges the workers write at their offsets:
    the caller passes the end of what is written without a gap).  hashlib
    releases the GIL, so the hashing overlaps the network and the writes.
    With ``threads=False`` it hashes in the calling thread.
    """

    def __init__(self, threads=True, reader=None):
        self.md5 = hashlib.md5()
        self.hashed = 0
        self._reader = reader
        self._error = None
        self._thread = None
        if threads:
            self._queue = queue.Queue(maxsize=64)
            self._thread = threading.Thread(target=self._run, name='stsboto-md5')
            self._thread.daemon = True
            self._thread.start()

    def feed(self, chunk):
        self._put(('data', chunk))

    def feed_file(self, upto):
        self._put(('file', upto))

    def _put(self, item):
        if self._thread is None:
            self._do(*item)
            return
        while True:                      # a timeout keeps Ctrl-C deliverable on Python 2
            try:
                self._queue.put(item, timeout=POLL)
                return
            except queue.Full:
                if not self._thread.is_alive():
                    return

    def _do(self, kind, value):
        if kind == 'data':
            self.md5.update(value)
            self.hashed += len(value)
            return
        while self.hashed < value:
            data = self._reader.read(min(_BLOCK, value - self.hashed))
            if not data:
                raise IOError('the file ended at byte %d, before byte %d' % (self.hashed, value))
            self.md5.update(data)
            self.hashed += len(data)

    def _run(self):
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is None:
                try:
                    self._do(*item)
                except Exception:
                    self._error = sys.exc_info()

    def hexdigest(self):
        """Wait for the hashing to catch up; the MD5 in hex."""
        self.close()
        if self._error is not None:
            six.reraise(*self._error)
        return self.md5.hexdigest()

    def close(self):
        if self._thread is not None:
            self._put(None)
            self._thread.join()
            self._thread = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None
