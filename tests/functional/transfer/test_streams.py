# -*- coding: utf-8 -*-
"""Functional tests of stsboto.transfer.streams: text, duck-typed streams and files, over the fake S3."""
from __future__ import absolute_import, division, print_function, unicode_literals

import hashlib
import io
import os
import stat

import pytest
import six

from stsboto import transfer
from stsboto.transfer import MiB
from tests.factories import payload
from tests.fakehttp import Headers
from tests.transfer_support import SMALL_PARTS, TEXT, ReadsAllOnZero, bucket_of, stored

import boto.exception  # noqa: E402


# ---------------------------------------------------------------------------
# Text is encoded before it is sized and hashed (boto issue 2868)


def test_boto_alone_mangles_non_ascii_text(s3):
    # boto sizes the text in characters and hashes other bytes than it sends:
    # a server that checks (as S3 does, and this fake) refuses the request.
    key = s3.bucket().new_key('raw.txt')
    with pytest.raises(boto.exception.S3ResponseError) as info:
        key.set_contents_from_file(io.StringIO(TEXT))
    assert info.value.error_code in ('XAmzContentSHA256Mismatch', 'BadDigest')
    assert 'raw.txt' not in s3.objects


def test_stringio_is_sent_as_utf8(s3):
    result = transfer.upload(s3.bucket(), 'note.txt', io.StringIO(TEXT))
    expected = TEXT.encode('utf-8')
    assert s3.objects['note.txt'][0] == expected
    assert result.size == len(expected) and result.etag == hashlib.md5(expected).hexdigest()
    assert Headers(s3.objects['note.txt'][2])['Content-Type'] == 'text/plain;charset=utf-8'


def test_text_file_is_sent_in_the_encoding_asked(s3, tmpdir):
    path = str(tmpdir.join('note.txt'))
    with io.open(path, 'w', encoding='utf-8') as handle:
        handle.write(TEXT * 100)
    with io.open(path, 'r', encoding='utf-8') as handle:
        transfer.upload(s3.bucket(), 'a.txt', handle)
    with io.open(path, 'r', encoding='utf-8') as handle:
        transfer.upload(s3.bucket(), 'b.txt', handle, encoding='utf-16-le')
    utf16 = (TEXT * 100).encode('utf-16-le')
    assert s3.objects['a.txt'][0] == (TEXT * 100).encode('utf-8')
    assert s3.objects['b.txt'][:2] == (utf16, '"%s"' % hashlib.md5(utf16).hexdigest())


def test_large_text_goes_multipart_in_bytes_not_characters(s3):
    text = '\u2603' * (2 * MiB) + 'end'               # 6 MiB + 3 bytes once encoded
    result = transfer.upload(s3.bucket(), 'snow.txt', io.StringIO(text), config=SMALL_PARTS)
    assert s3.objects['snow.txt'][0] == text.encode('utf-8')
    assert result.parts == 2 and result.size == 6 * MiB + 3


@pytest.mark.parametrize('content', [b'\x00\xffbinary' * 1000, TEXT * 100])
def test_duck_typed_sources_are_not_probed_with_read_0(s3, content):
    transfer.upload(s3.bucket(), 'k', ReadsAllOnZero(content))
    expected = content if isinstance(content, bytes) else content.encode('utf-8')
    assert s3.objects['k'][0] == expected


def test_duck_typed_destinations_get_no_empty_write_and_text_is_detected(s3):
    stored(s3, 'k', TEXT.encode('utf-8'))

    class Chunked(object):                    # an empty write would end the body
        def __init__(self):
            self.parts = []

        def write(self, data):
            assert data, 'empty write'
            self.parts.append(data)

    class TextOnly(Chunked):
        def write(self, data):
            if not isinstance(data, six.text_type):
                raise TypeError('text expected')
            Chunked.write(self, data)

    binary, text = Chunked(), TextOnly()
    transfer.download(s3.bucket(), 'k', binary)
    transfer.download(s3.bucket(), 'k', text)
    assert b''.join(binary.parts) == TEXT.encode('utf-8')
    assert ''.join(text.parts) == TEXT


def test_download_to_text_decodes_across_range_boundaries(s3):
    text = 'a' + '\u2603' * (MiB // 2) + '\U0001F600'    # ranges cut characters in two
    stored(s3, 'k', text.encode('utf-8'))
    out = io.StringIO()
    transfer.download(s3.bucket(), 'k', out, part_size=MiB, threshold=MiB)
    assert out.getvalue() == text
    out = io.StringIO()
    stored(s3, 'k16', text.encode('utf-16'))
    transfer.download(s3.bucket(), 'k16', out, encoding='utf-16')
    assert out.getvalue() == text


# ---------------------------------------------------------------------------
# Files (issue 11 item 7)


@pytest.mark.usefixtures('default_crc64nvme')
@pytest.mark.parametrize('size', [10, 3 * MiB + 1])
def test_download_replacing_a_0600_file_keeps_its_mode(s3, tmpdir, size):
    s3.objects['k'] = (payload(size), '"%s"' % hashlib.md5(payload(size)).hexdigest(), {})
    dest = tmpdir.join('secret.bin')
    dest.write_binary(b'old')
    os.chmod(str(dest), 0o600)
    transfer.download(bucket_of(s3), 'k', str(dest), part_size=MiB, threshold=MiB)
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o600
    assert dest.read_binary() == payload(size)


@pytest.mark.usefixtures('default_crc64nvme')
def test_download_to_a_new_file_follows_the_umask(s3, tmpdir):
    s3.objects['k'] = (b'abc', '"%s"' % hashlib.md5(b'abc').hexdigest(), {})
    old = os.umask(0o027)
    try:
        transfer.download(bucket_of(s3), 'k', str(tmpdir.join('new')))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(str(tmpdir.join('new'))).st_mode) == 0o640
