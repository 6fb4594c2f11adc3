# -*- coding: utf-8 -*-
"""Unit tests of stsboto.transfer.uploader: what an upload refuses before any request."""
from __future__ import absolute_import, division, print_function, unicode_literals

import io

import pytest

from stsboto import transfer
from stsboto.exceptions import InvalidParameterError
from tests.transfer_support import bucket_of


def test_crc64nvme_without_awscrt_is_refused_before_any_request(s3, no_crt):
    with pytest.raises(InvalidParameterError) as info:
        transfer.upload(bucket_of(s3), 'k', io.BytesIO(b'data'), checksum='crc64nvme')
    assert info.value.field == 'checksum' and 'awscrt' in str(info.value)
    assert isinstance(info.value, ValueError) and s3.log == []
