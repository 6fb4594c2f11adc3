"""Transfer configuration, S3's size limits and part planning.

Usage::

    from stsboto.transfer.config import TransferConfig, plan_parts
    config = TransferConfig(threshold=64 * MiB, workers=8, checksum='md5')
    part_size, count = plan_parts(40 * 1024 ** 3)
"""
from __future__ import absolute_import, division, unicode_literals

import codecs
import collections

import six

from stsboto._validate import validate_int
from stsboto.exceptions import InvalidParameterError

__all__ = ['TransferConfig', 'TransferResult', 'plan_parts', 'MiB', 'MIN_PART_SIZE',
           'MAX_PART_SIZE', 'MAX_PARTS', 'MAX_SINGLE_PUT_SIZE', 'MAX_OBJECT_SIZE',
           'DEFAULT_THRESHOLD', 'DEFAULT_PART_SIZE', 'DEFAULT_WORKERS', 'CHECKSUMS']

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
#: What ``checksum=`` accepts: ``'crc32'`` (S3's flexible checksums, verified
#: by the server), ``'crc64nvme'`` (the same with CRC64NVME, a full-object
#: checksum for multipart uploads too; needs awscrt) or ``'md5'``
#: (``Content-MD5`` and ETag checks, for servers that do not know
#: ``x-amz-checksum-*``).
CHECKSUMS = ('crc32', 'crc64nvme', 'md5')

# Fields in the order of the positional arguments (kept from 0.1: threshold,
# part_size, workers), then the ones added since.
_FIELDS = ('threshold', 'part_size', 'workers', 'checksum', 'payload_signing_enabled',
           'use_threads')


class TransferConfig(object):
    """How to split, parallelise and check transfers; immutable.

    Usage: ``TransferConfig(threshold=64 * MiB, part_size=16 * MiB, workers=8)``

    :param int threshold: objects of this many bytes or more go in parts
        (multipart upload, parallel ranged download); smaller ones in one
        request.  Default 8 MiB.  A single PUT never exceeds 5 GB (S3 limit).
    :param int part_size: bytes per part or range.  Default 8 MiB.  Uploads
        grow it as S3 requires: at least 5 MiB, and large enough for at most
        10,000 parts.
    :param int workers: threads per transfer.  Default 4.
    :param str checksum: ``'crc32'`` (default): uploads declare S3's CRC32
        flexible checksum on every request and S3 refuses bytes that do not
        match it; ``'crc64nvme'``: the same with CRC64NVME, and a multipart
        upload gets a full-object checksum (S3's ``FULL_OBJECT`` type) that
        downloads check in parallel; needs awscrt (``pip install
        'stsboto[crc]'``, Python 3.8+), :func:`upload` refuses it without;
        ``'md5'``: ``Content-MD5`` on every request and the ETags
        checked, for S3-compatible servers without flexible checksums.
    :param payload_signing_enabled: SigV4 only.  None (default): sign the
        SHA-256 of each body over plain HTTP, send ``UNSIGNED-PAYLOAD`` over
        HTTPS (TLS and the checksum protect the bytes), as botocore does;
        True: always sign the payload; False: never.  (botocore's name for the
        same setting.)
    :param bool use_threads: False runs every request in the calling thread
        (s3transfer's name); for tests and for callers that must not start
        threads.  Default True.
    :raises InvalidParameterError: a value is out of range.
    """

    __slots__ = _FIELDS

    def __init__(self, threshold=DEFAULT_THRESHOLD, part_size=None, workers=DEFAULT_WORKERS,
                 checksum='crc32', payload_signing_enabled=None, use_threads=True):
        set_ = object.__setattr__
        set_(self, 'threshold', validate_int(threshold, 'threshold', 0))
        if part_size is not None:
            part_size = validate_int(part_size, 'part_size', 1, MAX_PART_SIZE)
        set_(self, 'part_size', part_size)
        set_(self, 'workers', validate_int(workers, 'workers', 1, 256))
        if checksum not in CHECKSUMS:
            raise InvalidParameterError('checksum must be one of %s, not %r'
                                        % (', '.join(CHECKSUMS), checksum), 'checksum')
        set_(self, 'checksum', str(checksum))
        if payload_signing_enabled not in (None, True, False):
            raise InvalidParameterError('payload_signing_enabled must be None, True or False, '
                                        'not %r' % (payload_signing_enabled,),
                                        'payload_signing_enabled')
        set_(self, 'payload_signing_enabled', payload_signing_enabled)
        if use_threads not in (True, False):
            raise InvalidParameterError('use_threads must be True or False, not %r'
                                        % (use_threads,), 'use_threads')
        set_(self, 'use_threads', use_threads)

    def __setattr__(self, name, value):
        raise AttributeError('TransferConfig is immutable; use replace()')

    def replace(self, **changes):
        """A copy with some fields changed; a value of None keeps the field."""
        values = dict((name, getattr(self, name)) for name in _FIELDS)
        for name, value in changes.items():
            if name not in values:
                raise InvalidParameterError('TransferConfig has no field %r' % name, name)
            if value is not None:
                values[name] = value
        return TransferConfig(**values)

    def __eq__(self, other):
        return isinstance(other, TransferConfig) and all(
            getattr(self, n) == getattr(other, n) for n in _FIELDS)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(tuple(getattr(self, n) for n in _FIELDS))

    def __repr__(self):
        return 'TransferConfig(%s)' % ', '.join('%s=%r' % (n, getattr(self, n)) for n in _FIELDS)


#: What :func:`upload` and :func:`download` return.  ``key``: the key name;
#: ``size``: bytes sent or received; ``etag``: S3's ETag without quotes;
#: ``parts``: parts uploaded or ranges fetched (1 for a single request);
#: ``verified``: True when the bytes were checked end to end: by the server
#: against the CRC sent (it answered with the same checksum), against the
#: full-object CRC stored with the object, or against an MD5 (see the package
#: docstring for when a download cannot be).
TransferResult = collections.namedtuple('TransferResult', 'key size etag parts verified')

#: Keyword arguments that :func:`upload` and :func:`download` take besides the
#: config fields; every tuning goes by keyword (see ``take_options``).
_COMMON = ('encoding', 'headers', 'progress', 'config')


def take_options(function, kwargs, defaults):
    """Split the keyword arguments of ``upload``/``download`` into (config, options).

    Python 2 has no keyword-only arguments: ``function(bucket, key, x, **kwargs)``
    plus this check gives the same contract (a TypeError names the argument).
    """
    options = dict(defaults)
    changes = {}
    for name, value in kwargs.items():
        if name in _FIELDS:
            changes[name] = value
        elif name in _COMMON:
            options[name] = value
        else:
            raise TypeError('%s() got an unexpected keyword argument %r' % (function, name))
    config = options.pop('config', None)
    if config is None:
        config = TransferConfig()
    elif not isinstance(config, TransferConfig):
        raise InvalidParameterError('config must be a TransferConfig, not %r' % (config,), 'config')
    config = config.replace(**changes)
    progress = options.get('progress')
    if progress is not None and not callable(progress):
        raise InvalidParameterError('progress must be callable', 'progress')
    check_encoding(options.get('encoding'))
    return config, options


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
    size = validate_int(size, 'size', 0, MAX_OBJECT_SIZE)
    wanted = DEFAULT_PART_SIZE if part_size is None else validate_int(part_size, 'part_size', 1)
    needed = -(-size // MAX_PARTS)                     # ceil(size / 10,000)
    needed = -(-needed // MiB) * MiB                   # whole MiB
    chosen = max(wanted, MIN_PART_SIZE, needed)
    if chosen > MAX_PART_SIZE:
        # size <= 5 TiB keeps needed below 5 GiB; only a wanted size lands here
        chosen = MAX_PART_SIZE
    count = max(1, -(-size // chosen))
    return chosen, count


def key_name(key):
    """The key name of ``key`` (a name or a boto ``Key``)."""
    name = getattr(key, 'name', key)
    if not isinstance(name, six.string_types) or not name:
        raise InvalidParameterError('key must be a non-empty key name, not %r' % (key,), 'key')
    return name


def check_encoding(encoding, field='encoding'):
    if encoding is None:
        return
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise InvalidParameterError('%s %r is not a known text encoding' % (field, encoding), field)
