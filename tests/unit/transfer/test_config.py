# -*- coding: utf-8 -*-
"""Unit tests of stsboto.transfer.config: TransferConfig, S3's limits, part planning, the options."""
from __future__ import absolute_import, division, print_function, unicode_literals

import io

import pytest

import stsboto
from stsboto import transfer
from stsboto.exceptions import InvalidParameterError
from stsboto.transfer import MiB, TransferConfig, plan_parts
from tests.transfer_support import bucket_of


# ---------------------------------------------------------------------------
# Part sizing and configuration


def test_plan_parts_default_is_8_mib():
    assert plan_parts(100 * MiB) == (8 * MiB, 13)
    assert plan_parts(8 * MiB) == (8 * MiB, 1)


def test_plan_parts_never_below_5_mib():
    assert plan_parts(100 * MiB, part_size=1 * MiB) == (5 * MiB, 20)
    assert plan_parts(12 * MiB, part_size=1) == (5 * MiB, 3)


def test_plan_parts_keeps_to_10000_parts():
    assert plan_parts(10000 * 8 * MiB) == (8 * MiB, 10000)
    part_size, count = plan_parts(10000 * 8 * MiB + 1)
    assert part_size == 9 * MiB and count <= 10000
    for size in (10 ** 11, 2 * 1024 ** 4 + 7, transfer.MAX_OBJECT_SIZE):
        part_size, count = plan_parts(size)
        assert count <= transfer.MAX_PARTS
        assert part_size >= transfer.MIN_PART_SIZE and part_size % MiB == 0
        assert (count - 1) * part_size < size <= count * part_size


def test_plan_parts_rejects_objects_above_5_tib():
    with pytest.raises(InvalidParameterError) as info:
        plan_parts(transfer.MAX_OBJECT_SIZE + 1)
    assert info.value.field == 'size'


def test_plan_parts_of_empty_object_is_one_part():
    assert plan_parts(0) == (8 * MiB, 1)


@pytest.mark.parametrize('field,value', [
    ('threshold', -1), ('threshold', 1.5), ('threshold', True), ('part_size', 0),
    ('part_size', transfer.MAX_PART_SIZE + 1), ('workers', 0), ('workers', '4'),
])
def test_config_rejects_bad_values(field, value):
    with pytest.raises(InvalidParameterError) as info:
        TransferConfig(**{field: value})
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


def test_config_is_immutable_and_replace_keeps_unset_fields():
    config = TransferConfig(threshold=1, workers=2)
    with pytest.raises(AttributeError):
        config.workers = 3
    assert config.replace(workers=None, part_size=6 * MiB) == TransferConfig(1, 6 * MiB, 2)
    assert TransferConfig() == TransferConfig(8 * MiB, None, 4)


def test_bad_arguments_send_nothing(s3):
    bucket = s3.bucket()
    with pytest.raises(InvalidParameterError):
        transfer.upload(bucket, 'a', io.BytesIO(b'x'), encoding='no-such-codec')
    with pytest.raises(InvalidParameterError):
        transfer.upload(bucket, '', io.BytesIO(b'x'))
    with pytest.raises(InvalidParameterError):
        transfer.upload(bucket, 'a', 42)
    with pytest.raises(InvalidParameterError):
        transfer.download(bucket, 'a', io.BytesIO(), progress='not callable')
    assert s3.log == []


# ---------------------------------------------------------------------------
# Keyword-only tuning (issue 13)


def test_tuning_is_keyword_only_for_both_directions(s3):
    bucket = bucket_of(s3)
    with pytest.raises(TypeError):
        transfer.upload(bucket, 'k', io.BytesIO(b'x'), 100)
    with pytest.raises(TypeError):
        transfer.download(bucket, 'k', io.BytesIO(), 4)
    with pytest.raises(TypeError) as info:
        transfer.upload(bucket, 'k', io.BytesIO(b'x'), wokers=4)
    assert 'wokers' in str(info.value)
    with pytest.raises(TypeError):
        transfer.download(bucket, 'k', io.BytesIO(), checksm='md5')
    with pytest.raises(stsboto.InvalidParameterError) as info:
        transfer.upload(bucket, 'k', io.BytesIO(b'x'), checksum='sha1')
    assert info.value.field == 'checksum'
    assert s3.log == []


def test_config_and_cli_accept_crc64nvme():
    from stsboto.cli import objects
    import argparse
    assert TransferConfig(checksum='crc64nvme').checksum == 'crc64nvme'
    assert 'crc64nvme' in transfer.CHECKSUMS
    with pytest.raises(InvalidParameterError):
        TransferConfig(checksum='crc64')
    parser = argparse.ArgumentParser()
    objects.add_put_arguments(parser)
    assert parser.parse_args(['a', 'b/k', '--checksum', 'crc64nvme']).checksum == 'crc64nvme'
