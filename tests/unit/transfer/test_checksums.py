# -*- coding: utf-8 -*-
"""Unit tests of stsboto.transfer.checksums: CRC32, CRC32C and CRC64NVME, their combine, awscrt.

The references here are not stsboto's: zlib, tests/fakehttp.py's table
CRC64NVME, and awscrt where installed (a test dependency on Python 3.8+).
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import base64
import struct
import sys
import types
import zlib

from stsboto import transfer
from stsboto.transfer import MiB, checksums
from tests.factories import payload
from tests.fakehttp import FakeS3, crc32_b64, crc64nvme_b64, crc64nvme_slow
from tests.transfer_support import BUCKET, needs_crt


# ---------------------------------------------------------------------------
# CRC32 (issue 14)


def test_crc32_header_value_is_big_endian_base64():
    # S3 User Guide, "Checking object integrity": CRC32 of "hello" is 0x3610a686.
    assert transfer.checksums.crc32_b64(b'hello') == base64.b64encode(
        b'\x36\x10\xa6\x86').decode('ascii')


def test_composite_crc32_is_the_crc32_of_the_part_checksums_and_their_count():
    # S3 User Guide, "Checking object integrity" (multipart uploads): the checksum of
    # the checksums, base64, then "-" and the number of parts.
    parts = [b'hello', b'world', b'!']
    raw = b''.join(struct.pack('>I', zlib.crc32(part) & 0xffffffff) for part in parts)
    wanted = base64.b64encode(struct.pack('>I', zlib.crc32(raw) & 0xffffffff)).decode('ascii')
    part_values = [base64.b64encode(raw[i:i + 4]).decode('ascii') for i in range(0, len(raw), 4)]
    assert transfer.checksums.composite_crc32(part_values) == wanted + '-3'
    # "hello" twice: CRC32 0x3610a686 twice, whose CRC32 is computed here the same way
    twice = base64.b64encode(struct.pack('>I', zlib.crc32(b'\x36\x10\xa6\x86' * 2) & 0xffffffff))
    assert transfer.checksums.composite_crc32(['NhCmhg==', 'NhCmhg==']) == twice.decode('ascii') + '-2'


def test_crc32_combine_matches_zlib():
    import zlib
    combine = transfer.checksums.crc32_combine
    for a, b in ((b'', b'x'), (b'abc', b''), (payload(1000), payload(77777, b'b')),
                 (payload(3), payload(5 * MiB, b'c'))):
        assert combine(zlib.crc32(a) & 0xffffffff, zlib.crc32(b) & 0xffffffff,
                       len(b)) == zlib.crc32(a + b) & 0xffffffff


# ---------------------------------------------------------------------------
# CRC64NVME and CRC32C, and their detection (issue 23 item 1)


def test_the_pure_reference_has_the_published_check_value():
    # CRC-64/NVME's check value (the CRC of b'123456789'), from its definition
    assert crc64nvme_slow(b'123456789') == 0xae8b14860a799888


def test_crc64nvme_combine_matches_the_reference_on_every_python():
    combine = checksums.crc_combine
    for a, b in ((b'', b'x'), (b'abc', b''), (payload(1000), payload(777, b'b')),
                 (payload(3), payload(4096, b'c'))):
        assert combine(checksums.CRC64NVME_POLY, 64, crc64nvme_slow(a), crc64nvme_slow(b),
                       len(b)) == crc64nvme_slow(a + b)


@needs_crt
def test_awscrt_is_found_and_agrees_with_the_reference():
    data = payload(5000)
    crc = checksums.algorithm('CRC64NVME')
    assert crc.header == 'x-amz-checksum-crc64nvme' and crc.element == 'ChecksumCRC64NVME'
    assert crc.update(data) == crc64nvme_slow(data)
    assert crc.update(data[2000:], crc.update(data[:2000])) == crc64nvme_slow(data)
    assert crc.b64(crc.update(data)) == crc64nvme_b64(data)
    assert crc.parse(crc64nvme_b64(data)) == crc64nvme_slow(data)
    assert crc.parse(crc32_b64(data)) is None and crc.parse('AAAAAAAAAAA=-2') is None
    assert checksums.algorithm('crc32c').update(b'123456789') == 0xe3069283


def test_without_awscrt_only_crc32_is_available(no_crt):
    assert checksums.algorithm('CRC64NVME') is None and checksums.algorithm('CRC32C') is None
    assert checksums.algorithm('CRC32').update(b'123456789') == 0xcbf43926


def test_an_awscrt_without_crc64nvme_is_not_used(monkeypatch):
    # awscrt releases before 0.23 have checksums.crc32c but no crc64nvme
    old = types.ModuleType(str('awscrt.checksums'))
    old.crc32c = lambda data, previous=0: 0
    package = types.ModuleType(str('awscrt'))
    package.checksums = old
    monkeypatch.setitem(sys.modules, 'awscrt', package)
    monkeypatch.setitem(sys.modules, 'awscrt.checksums', old)
    monkeypatch.setattr(checksums, '_CACHE', {})
    assert checksums.algorithm('CRC64NVME') is None
    assert checksums.algorithm('CRC32C') is not None


# ---------------------------------------------------------------------------
# The fake S3 refuses what S3 refuses


def test_fake_refuses_a_crc64nvme_upload_that_is_not_full_object():
    s3 = FakeS3(BUCKET)
    status, _, body = s3.answer('POST', '/photos/k?uploads', {
        'x-amz-checksum-algorithm': 'CRC64NVME', 'x-amz-checksum-type': 'COMPOSITE'}, b'')
    assert status == 400 and b'InvalidRequest' in body
