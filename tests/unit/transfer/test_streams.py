# -*- coding: utf-8 -*-
"""Unit tests of stsboto.transfer.streams: what an upload reads and what a download writes."""
from __future__ import absolute_import, division, print_function, unicode_literals

import io

import pytest

from stsboto import transfer
from stsboto.transfer import TransferError
from tests.transfer_support import TEXT, ReadsAllOnZero, bucket_of


def test_sources_are_classified_by_type():
    assert transfer.streams._kind_of(io.StringIO(), transfer.streams._TEXT_READERS) == 'text'
    assert transfer.streams._kind_of(io.BytesIO(), transfer.streams._TEXT_READERS) == 'binary'
    assert transfer.streams._kind_of(ReadsAllOnZero(b''), transfer.streams._TEXT_READERS) is None


def test_text_that_cannot_be_encoded_fails_before_anything_is_stored(s3):
    with pytest.raises(TransferError) as info:
        transfer.upload(s3.bucket(), 'k', io.StringIO(TEXT), encoding='ascii')
    assert isinstance(info.value.cause, UnicodeEncodeError)
    assert s3.log == []


def test_a_source_file_that_cannot_be_read_is_a_stsboto_error_before_any_request(s3, tmpdir):
    """The error contract (issue 12 item 4): stsboto's own calls raise stsboto errors;
    the error is still the OSError code that caught open()'s keeps catching."""
    import errno
    from stsboto.exceptions import LocalFileError, StsbotoError
    missing = str(tmpdir.join('nowhere.bin'))
    with pytest.raises(LocalFileError) as info:
        transfer.upload(bucket_of(s3), 'k', missing)
    error = info.value
    assert isinstance(error, StsbotoError) and isinstance(error, ValueError)
    assert isinstance(error, EnvironmentError) and error.errno == errno.ENOENT
    assert error.field == 'source' and missing in str(error)
    assert s3.log == []
