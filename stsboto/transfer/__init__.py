"""Checked, parallel uploads and downloads through boto 2 (for token holders and everyone else).

Usage::

    import io
    import stsboto
    from stsboto import transfer

    bucket = stsboto.connect_with_token(token).get_bucket('photos', validate=False)
    transfer.upload(bucket, 'user-42/cat.jpg', 'cat.jpg')                 # a path
    transfer.upload(bucket, 'user-42/note.txt', io.StringIO(u'caf\\u00e9'))  # text: sent as UTF-8
    transfer.download(bucket, 'user-42/cat.jpg', 'copy.jpg', workers=8)

    config = transfer.TransferConfig(threshold=64 * transfer.MiB, workers=8)
    transfer.upload(bucket, 'big.iso', 'big.iso', config=config, progress=print)

What is checked:

* Text (``io.StringIO``, files opened in text mode) is encoded (UTF-8 unless
  ``encoding=`` says otherwise) *before* it is sized and hashed.  boto 2
  sizes a text stream in characters and hashes its UTF-8 bytes, so non-ASCII
  text is cut short or refused (boto issue 2868).
* Uploads carry S3's CRC32 flexible checksum (``checksum='crc32'``, the
  default): ``x-amz-checksum-crc32`` on a single PUT and on every part,
  ``x-amz-checksum-algorithm`` when the multipart upload starts and each
  part's ``ChecksumCRC32`` when it completes.  S3 refuses bytes that do not
  match (400 BadDigest), and its answers must repeat our checksums.  A server
  without flexible checksums ignores them: then the result says
  ``verified=False`` and a warning suggests ``checksum='md5'``, which sends
  ``Content-MD5`` on every request and checks the ETags instead.
* Over HTTPS with SigV4 the payload is sent as ``UNSIGNED-PAYLOAD`` (TLS and
  the checksum protect it, as botocore does); over plain HTTP its SHA-256 is
  signed.  ``payload_signing_enabled=True`` always signs it.
* ``checksum='crc64nvme'`` (needs awscrt: ``pip install 'stsboto[crc]'``,
  Python 3.8+) sends CRC64NVME instead; a multipart upload then declares the
  ``FULL_OBJECT`` checksum type when it starts and sends the whole object's
  CRC64NVME, combined from the parts', when it completes.
* Downloads check every byte count and the full-object checksum stored with
  the object (``x-amz-checksum-mode: ENABLED`` on the HEAD): CRC64NVME, which
  S3 stores for every object uploaded without a checksum since December 2024,
  and CRC32C (both with awscrt), or CRC32; each range is checksummed in its
  worker and the CRCs combined.  Without one, when the ETag is a plain MD5 (an
  object stored by a single PUT without SSE-KMS/SSE-C), the MD5 of what was
  written is computed in a thread of its own beside the writes.  Ranged
  requests carry ``If-Match``, so a download never mixes two versions.

Threads and memory: ``workers`` threads share the bucket's one boto
connection (boto's ``ConnectionPool`` gives each request an HTTP connection
nobody else is using).  An upload holds at most ``workers`` parts in memory
(a worker reads its part only when it is ready to send it); a download to a
path writes each range at its offset as it arrives, and one to a stream
holds at most ``workers`` ranges.  The ``progress`` callback runs in the
calling thread.  ``use_threads=False`` runs everything in the calling thread.

Failures: any failed part, or Ctrl-C, stops the remaining work, waits for the
parts in flight (press Ctrl-C again not to wait), and aborts the multipart
upload so no parts stay stored (and billed).  While workers run, a Ctrl-C
in the main thread is taken at a safe point (only when SIGINT has Python's
default handler).  SIGTERM ends Python at once unless the transfer runs
inside :func:`sigterm_as_interrupt`, which makes it behave like Ctrl-C.
Aborting needs ``s3:AbortMultipartUpload`` in the token's policy; when it is
refused the error says so and names the upload id.  An S3 lifecycle rule
(``AbortIncompleteMultipartUpload``) is the backstop for uploads nobody could
abort (a killed process, an expired token).  Errors are
:class:`TransferError` (Ctrl-C: :class:`TransferInterrupted`, a
``KeyboardInterrupt``), with the cause kept and its secrets masked.

Modules: ``config`` (TransferConfig, limits, part planning), ``streams``
(sources and sinks), ``crew`` (the workers, Ctrl-C, SIGTERM, progress),
``checksums``, ``wire`` (the PUT boto cannot send), ``uploader``, ``downloader``.
"""
from __future__ import absolute_import

from stsboto.exceptions import IntegrityError, TransferError, TransferInterrupted
from stsboto.transfer.config import (CHECKSUMS, DEFAULT_PART_SIZE, DEFAULT_THRESHOLD,
                                     DEFAULT_WORKERS, MAX_OBJECT_SIZE, MAX_PART_SIZE, MAX_PARTS,
                                     MAX_SINGLE_PUT_SIZE, MIN_PART_SIZE, MiB, TransferConfig,
                                     TransferResult, plan_parts)
from stsboto.transfer.crew import sigterm_as_interrupt
from stsboto.transfer.downloader import download
from stsboto.transfer.uploader import upload

__all__ = [
    'upload', 'download', 'TransferConfig', 'TransferResult', 'TransferError',
    'TransferInterrupted', 'IntegrityError', 'plan_parts', 'sigterm_as_interrupt', 'MiB',
    'MIN_PART_SIZE', 'MAX_PART_SIZE', 'MAX_PARTS', 'MAX_SINGLE_PUT_SIZE', 'MAX_OBJECT_SIZE',
    'DEFAULT_THRESHOLD', 'DEFAULT_PART_SIZE', 'DEFAULT_WORKERS', 'CHECKSUMS',
]
