# -*- coding: utf-8 -*-
"""stsboto._textio: a text stream read as its encoded bytes (boto issue 2868)."""
from __future__ import absolute_import, unicode_literals

import io

import pytest

from stsboto._textio import EncodingReader

TEXT = 'na\u00efve caf\u00e9 \u2603 \U0001f600 ' * 50  # 1-, 2-, 3- and 4-byte UTF-8


@pytest.mark.parametrize('chunk', [1, 3, 7, 1000])
@pytest.mark.parametrize('size', [1, 2, 5, 64, 100000])
def test_reads_give_the_encoded_bytes_in_order_whatever_the_sizes(chunk, size):
    reader = EncodingReader(io.StringIO(TEXT), 'utf-8', chunk=chunk)
    pieces = []
    while True:
        piece = reader.read(size)
        assert len(piece) <= size
        if not piece:
            break
        pieces.append(piece)
    assert b''.join(pieces) == TEXT.encode('utf-8')
    # every read but the last is full: boto sizes a body by what read(n) returns
    assert all(len(p) == size for p in pieces[:-1])


def test_another_encoding_is_used_as_given():
    reader = EncodingReader(io.StringIO('caf\u00e9'), 'utf-16-le')
    assert reader.read(100) == 'caf\u00e9'.encode('utf-16-le')
    assert reader.read(100) == b''


def test_a_stream_that_returns_bytes_is_a_clear_type_error():
    with pytest.raises(TypeError) as info:
        EncodingReader(io.BytesIO(b'raw'), 'utf-8').read(10)
    assert str(info.value) == 'the text source returned %s, not text' % type(b'').__name__
