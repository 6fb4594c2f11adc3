"""Checksums: S3's CRC flexible checksums (CRC32; CRC32C and CRC64NVME with awscrt),
multipart ETags, and the download MD5.

Usage::

    from stsboto.transfer.checksums import crc32_b64, composite_crc32
    header = crc32_b64(part)                       # x-amz-checksum-crc32 of one request
    final = composite_crc32([header1, header2])    # what CompleteMultipartUpload answers

S3 (User Guide, "Checking object integrity") takes the big-endian CRC32 of
the body, base64-encoded, in ``x-amz-checksum-crc32`` and refuses the request
(400 BadDigest) when the bytes do not match it.  A multipart upload's
checksum is the CRC32 of the concatenated binary part checksums, followed by
``-`` and the part count (the "composite" checksum type).  CRC64NVME is
always a full-object checksum: the CRC of all the bytes, whatever the parts
(S3 API reference, ``x-amz-checksum-crc64nvme``); S3 stores one for every
object uploaded without a checksum since December 2024.  Full-object CRCs of
ranges combine into the CRC of the whole (:func:`crc_combine`), so downloads
check them in parallel.
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

__all__ = ['crc32_b64', 'composite_crc32', 'crc32_combine', 'crc_combine', 'full_object_crc32',
           'multipart_etag', 'plain_md5', 'Md5Follower', 'Crc', 'algorithm', 'CRC32',
           'DOWNLOAD_ORDER']

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
    of the bytes) and for anything that is not 4 bytes in base64
    (:meth:`Crc.parse` of :data:`CRC32`).
    """
    return CRC32.parse(value)


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
    return [_gf2_times(matrix, column) for column in matrix]


_OPERATORS = {}


def _zero_bytes_operator(poly, width, length):
    """The GF(2) matrix that appends ``length`` zero bytes to a CRC register (cached).

    ``poly`` is the reflected polynomial, ``width`` the register's bits (32 or 64).
    """
    operator = _OPERATORS.get((poly, length))
    if operator is not None:
        return operator
    power = [poly] + [1 << row for row in range(width - 1)]   # one zero bit
    for _ in range(3):
        power = _gf2_square(power)                              # one zero byte
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
        _OPERATORS[(poly, length)] = operator
    return operator


def crc_combine(poly, width, crc1, crc2, length2):
    """The CRC of ``A + B`` from ``crc1`` = CRC(A), ``crc2`` = CRC(B) and len(B).

    For the reflected CRCs S3 uses (CRC32, CRC32C, CRC64NVME: the register
    starts as all ones and the result is XORed with all ones, so both cancel
    out here).  zlib has this as ``crc32_combine`` but Python's zlib module
    does not expose it, and awscrt has no combine.  The method is zlib's
    (Mark Adler): appending zero bits to a message is a linear map over
    GF(2), so "append len(B) zero bytes" is a ``width`` x ``width`` bit
    matrix, built by repeated squaring, applied to CRC(A), then XOR CRC(B).
    The matrix for a length is kept: every range but the last has the same
    length, so each later combine is one matrix-vector product.  It lets
    ranges be checksummed in parallel by the workers.
    """
    if length2 <= 0:
        return crc1
    return _gf2_times(_zero_bytes_operator(poly, width, length2), crc1) ^ crc2


def crc32_combine(crc1, crc2, length2):
    """The CRC32 of ``A + B`` from CRC32(A), CRC32(B) and len(B) (see :func:`crc_combine`)."""
    return crc_combine(CRC32_POLY, 32, crc1, crc2, length2)


#: Reflected polynomials: CRC-32 (zlib), CRC-32C (Castagnoli, iSCSI) and
#: CRC-64/NVME (NVM Express spec, the polynomial 0xad93d23594c93659 bit-reversed).
CRC32_POLY = 0xedb88320
CRC32C_POLY = 0x82f63b78
CRC64NVME_POLY = 0x9a6c9329ac4bc9b5


def _zlib_crc32(data, previous=0):
    return zlib.crc32(data, previous) & 0xffffffff


def _find_crt(name):
    """awscrt's ``checksums.<name>``, or None: awscrt is optional (the ``crc`` extra) and
    early releases lack ``crc64nvme`` (botocore checks the version for the same reason,
    botocore pull request 3370), so the function is looked up, not assumed."""
    try:
        from awscrt import checksums as crt
    except ImportError:
        return None
    return getattr(crt, name, None)


class Crc(object):
    """One of S3's CRC checksums: its names, its width and how to compute and combine it.

    Usage::

        crc = algorithm('CRC64NVME')          # None when awscrt is not installed
        value = crc.update(part)              # an int; crc.update(more, value) goes on
        header = {crc.header: crc.b64(value)}

    ``update`` releases the GIL (zlib on Python 3; awscrt), so workers
    checksum their ranges in parallel.
    """

    def __init__(self, name, width, poly, update):
        self.name = name                                   # S3's: CRC32, CRC32C, CRC64NVME
        self.header = 'x-amz-checksum-%s' % name.lower()
        self.element = 'Checksum%s' % name                 # in S3's XML
        self.width = width
        self.poly = poly
        self.update = update
        self._format = '>I' if width == 32 else '>Q'

    def b64(self, value):
        """The header value (big-endian, base64) of a CRC."""
        return base64.b64encode(struct.pack(self._format, value)).decode('ascii')

    def parse(self, value):
        """The CRC (an int) in a header value, or None (a composite ``...-N``, bad base64)."""
        if not value or '-' in value:
            return None
        try:
            raw = base64.b64decode(value)
        except (TypeError, ValueError, binascii.Error):
            return None
        return struct.unpack(self._format, raw)[0] if len(raw) == self.width // 8 else None

    def combine(self, crc1, crc2, length2):
        return crc_combine(self.poly, self.width, crc1, crc2, length2)

    def __repr__(self):
        return 'Crc(%r)' % self.name


_CRT_NAMES = {'CRC32C': ('crc32c', 32, CRC32C_POLY), 'CRC64NVME': ('crc64nvme', 64, CRC64NVME_POLY)}
_CACHE = {}
CRC32 = Crc('CRC32', 32, CRC32_POLY, _zlib_crc32)


def algorithm(name):
    """The :class:`Crc` for S3's algorithm ``name`` (``CRC32``, ``CRC32C``, ``CRC64NVME``),
    or None when nothing here computes it (CRC32C and CRC64NVME need awscrt)."""
    name = name.upper()
    if name == 'CRC32':
        return CRC32
    if name not in _CACHE:
        found = None
        if name in _CRT_NAMES:
            function, width, poly = _CRT_NAMES[name]
            update = _find_crt(function)
            if update is not None:
                found = Crc(name, width, poly, update)
        _CACHE[name] = found
    return _CACHE[name]


#: The full-object checksums a download can check, best first: CRC64NVME is
#: what S3 stores for every object uploaded without one since December 2024.
DOWNLOAD_ORDER = ('CRC64NVME', 'CRC32C', 'CRC32')


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
