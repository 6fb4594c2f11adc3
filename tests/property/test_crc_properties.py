"""The CRC of a whole object is the combine of its ranges' CRCs, for any split (issue 23).

Downloads checksum each range in its worker and combine the results in order
(stsboto.transfer.checksums.crc_combine); these properties check that against
the CRC of the whole, computed by references that are not stsboto's: zlib for
CRC32, the table definition in tests/fakehttp.py for CRC64NVME, and awscrt
(where installed) for CRC32C and CRC64NVME.
"""
from __future__ import absolute_import, unicode_literals

import zlib

import pytest
from hypothesis import given, settings, strategies as st

import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
from stsboto.transfer import checksums
from tests.fakehttp import _crt_function, crc64nvme_slow
from tests.transfer_support import HAVE_CRT, NO_CRT


def crc32(data):
    return zlib.crc32(data) & 0xffffffff


REFERENCES = {
    'CRC32': (checksums.CRC32_POLY, 32, crc32),
    'CRC64NVME': (checksums.CRC64NVME_POLY, 64, crc64nvme_slow),
}
if HAVE_CRT:
    REFERENCES['CRC32C'] = (checksums.CRC32C_POLY, 32, _crt_function('crc32c'))
    REFERENCES['CRC64NVME-awscrt'] = (checksums.CRC64NVME_POLY, 64, _crt_function('crc64nvme'))


def split(data, cuts):
    edges = sorted(set([0, len(data)] + [c % (len(data) + 1) for c in cuts]))
    return [data[a:b] for a, b in zip(edges, edges[1:])]


@pytest.mark.parametrize('name', sorted(REFERENCES))
@given(data=st.binary(max_size=3000), cuts=st.lists(st.integers(min_value=0), max_size=8))
def test_combined_range_crcs_are_the_whole_objects_crc(name, data, cuts):
    poly, width, reference = REFERENCES[name]
    total = 0
    for piece in split(data, cuts):
        total = checksums.crc_combine(poly, width, total, reference(piece), len(piece))
    assert total == reference(data)


@pytest.mark.applies(HAVE_CRT, reason=NO_CRT)
@settings(max_examples=25)
@given(seed=st.binary(min_size=1, max_size=64),
       cuts=st.lists(st.integers(min_value=0, max_value=6 * 1024 * 1024), max_size=5))
def test_large_ranges_combine_through_the_algorithm_objects(seed, cuts):
    # Ranges of megabytes, as downloads use them (the operator for a length is
    # built by squaring and cached).
    data = (seed * (6 * 1024 * 1024 // len(seed) + 1))[:6 * 1024 * 1024 + 7]
    for name in ('CRC32', 'CRC32C', 'CRC64NVME'):
        crc = checksums.algorithm(name)
        total = 0
        for piece in split(data, cuts):
            total = crc.combine(total, crc.update(piece), len(piece))
        assert total == crc.update(data), name
