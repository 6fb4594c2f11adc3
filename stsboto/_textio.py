"""Text read as bytes: the one encoder of text sources, for transfers and for boto's ``Key``.

boto 2 sizes and hashes an upload by ``tell()`` and ``read()`` and sends what
it read; a text stream whose ``tell()`` counts characters (``io.StringIO``)
with non-ASCII content is then corrupted or refused (boto issue 2868).
Encoding while reading, before anything is sized or hashed, avoids it
(``stsboto.transfer`` and the boto patch's ``Key.set_contents_from_file``).
"""
from __future__ import absolute_import, unicode_literals

import codecs

import six

__all__ = ['EncodingReader', 'CHUNK']

#: Characters per read of the text stream.
CHUNK = 256 * 1024


class EncodingReader(object):
    """A binary ``read(n)`` over a text stream: characters are encoded as they are read."""

    def __init__(self, text_stream, encoding, chunk=CHUNK):
        self._chunk = chunk
        self._stream = text_stream
        self._encoder = codecs.getincrementalencoder(encoding)()
        self._pending = []
        self._pending_size = 0
        self._eof = False

    def read(self, size):
        while self._pending_size < size and not self._eof:
            text = self._stream.read(self._chunk)
            if not isinstance(text, six.text_type):
                raise TypeError('the text source returned %s, not text' % type(text).__name__)
            data = self._encoder.encode(text, final=not text)
            self._eof = not text
            if data:
                self._pending.append(data)
                self._pending_size += len(data)
        data = b''.join(self._pending)
        head, rest = data[:size], data[size:]
        self._pending = [rest] if rest else []
        self._pending_size = len(rest)
        return head
