# -*- coding: utf-8 -*-
"""Functional tests of stsboto.transfer.config: arguments and a TransferConfig, over the fake S3."""
from __future__ import absolute_import, division, print_function, unicode_literals

import io

from stsboto import transfer
from stsboto.transfer import TransferConfig


def test_arguments_override_config(s3):
    bucket = s3.bucket()
    transfer.upload(bucket, 'a.bin', io.BytesIO(b'x' * 100), threshold=100,
                    config=TransferConfig(threshold=10 ** 6))
    assert s3.requests('POST', 'uploads')                 # 100 >= threshold 100: multipart
