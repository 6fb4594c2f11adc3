"""What an upload reads (sources) and what a download writes (sinks).

Usage::

    from stsboto.transfer.streams import Source, Sink
    src = Source('cat.jpg', 'utf-8')        # or a file object, binary or text
    sink = Sink('copy.jpg', None)           # or a file object, binary or text
"""
from __future__ import absolute_import, division, unicode_literals

import binascii
import codecs
import io
import os
import stat
import sys

import six

from stsboto._compat import replace_file
from stsboto._textio import EncodingReader
from stsboto.exceptions import InvalidParameterError, LocalFileError

__all__ = ['Source', 'Sink', 'is_path', 'CHUNK']

#: Bytes per read of a stream (text sources, response bodies).
CHUNK = 256 * 1024


def is_path(value):
    return isinstance(value, six.string_types + (six.binary_type,)) or hasattr(value, '__fspath__')


def _fspath(value):
    return os.fspath(value) if hasattr(value, '__fspath__') else value


class _Prepended(object):
    """``read(n)`` from ``first``, then from ``fp``."""

    def __init__(self, first, fp):
        self._first = first
        self._fp = fp

    def read(self, size):
        if self._first:
            data, self._first = self._first[:size], self._first[size:]
            return data
        return self._fp.read(size)


# Python 2's file type: bytes in every mode (there is none on Python 3).
_PY2_FILE = tuple(t for t in (getattr(six.moves.builtins, 'file', None),) if t is not None)
_BINARY = (io.BufferedIOBase, io.RawIOBase) + _PY2_FILE
_TEXT_READERS = (io.TextIOBase, codecs.StreamReader, codecs.StreamReaderWriter)
_TEXT_WRITERS = (io.TextIOBase, codecs.StreamWriter, codecs.StreamReaderWriter)


def _kind_of(fp, text_types):
    """``'text'``, ``'binary'``, or None when only using the object will tell."""
    if isinstance(fp, text_types):
        return 'text'
    mode = getattr(fp, 'mode', None)
    if isinstance(fp, _BINARY) or (isinstance(mode, six.string_types) and 'b' in mode):
        return 'binary'
    return None


class Source(object):
    """The bytes to upload: ``read(n)`` returns n bytes except at the end.

    :ivar size: the number of bytes left to read, or None when not known
        before reading to the end (text, pipes).
    """

    def __init__(self, source, encoding):
        self.name = None
        self.text = False
        self.size = None
        self.seekable = False
        self._close = False
        if is_path(source):
            path = _fspath(source)
            try:
                self._fp = io.open(path, 'rb')
            except (IOError, OSError) as error:
                # the error contract: stsboto's own calls raise stsboto errors
                six.raise_from(LocalFileError('cannot read the source file %s: %s' % (
                    path, error.strerror or type(error).__name__), 'source', path, error.errno), None)
            self._close = True
            self.name = path if isinstance(path, six.string_types) else None
            status = os.fstat(self._fp.fileno())
            if stat.S_ISREG(status.st_mode):      # not a FIFO or a device: its size is real
                self.size = status.st_size
                self.seekable = True
            return
        if not hasattr(source, 'read'):
            raise InvalidParameterError('source must be a path or a file object, not %r'
                                        % (type(source).__name__,), 'source')
        name = getattr(source, 'name', None)
        self.name = name if isinstance(name, six.string_types) else None
        kind = _kind_of(source, _TEXT_READERS)
        if kind is None:
            # A duck-typed stream: its first read says whether it gives text.
            # (No read(0) probe: some readers, boto's Key among them, take 0
            # to mean "everything".)  Its length is unknown.
            first = source.read(CHUNK)
            self.text = isinstance(first, six.text_type)
            reader = _Prepended(first, source)
            self._fp = EncodingReader(reader, encoding, CHUNK) if self.text else reader
            return
        self.text = kind == 'text'
        if self.text:
            self._fp = EncodingReader(source, encoding, CHUNK)
            return
        self._fp = source
        try:
            start = source.tell()
            source.seek(0, os.SEEK_END)
            end = source.tell()
            source.seek(start)
        except (AttributeError, IOError, OSError, ValueError):
            return                                  # a pipe or socket: length unknown
        self.size = int(max(0, end - start))
        self.seekable = True

    @property
    def fp(self):
        """The binary file object read (seekable when :attr:`seekable`)."""
        return self._fp

    def read(self, size):
        """Exactly ``size`` bytes (fewer at the end), read without extra copies.

        One ``read(size)`` of a regular file returns its bytes in one object;
        only short reads (pipes, sockets) are gathered and joined.
        """
        data = self._fp.read(size) if size > 0 else b''
        if not data:
            return b''
        if not isinstance(data, six.binary_type):
            raise TypeError('the source returned %s, not bytes' % type(data).__name__)
        if len(data) >= size:
            return data
        chunks = [data]
        size -= len(data)
        while size > 0:
            data = self._fp.read(size)
            if not data:
                break
            if not isinstance(data, six.binary_type):
                raise TypeError('the source returned %s, not bytes' % type(data).__name__)
            chunks.append(data)
            size -= len(data)
        return b''.join(chunks)

    def close(self):
        if self._close:
            self._fp.close()


class Sink(object):
    """Where a download goes: counts the bytes, decodes them for a text destination.

    A path is written through a temporary file next to it, renamed into place
    only when everything arrived and checked out; the temporary file takes
    the mode of the file it replaces (issue 11: a 0600 file stays 0600).
    Ranges of a path destination are written by the workers at their offsets
    (:meth:`range_file`); any other destination is written in order from the
    calling thread (:meth:`write`).

    :ivar positional: True when workers may write ranges at their offsets.
    """

    def __init__(self, dest, encoding):
        self.path = None
        self.temp = None
        self.written = 0
        self._fp = None
        self._decoder = None
        self._sniff = False
        if is_path(dest):
            self.path = _fspath(dest)
            self.positional = True
            return
        if not hasattr(dest, 'write'):
            raise InvalidParameterError('dest must be a path or a file object, not %r'
                                        % (type(dest).__name__,), 'dest')
        self.positional = False
        self._fp = dest
        self._encoding = encoding or 'utf-8'
        kind = _kind_of(dest, _TEXT_WRITERS)
        # None: the first write tells (a text stream refuses bytes with
        # TypeError before writing anything).  No write(b'') probe: to some
        # writers (chunked HTTP bodies) an empty write means "the end".
        self._sniff = kind is None
        if kind == 'text':
            self._decoder = codecs.getincrementaldecoder(self._encoding)()

    def open(self):
        if self.path is None or self._fp is not None:
            return
        suffix = '.%s.stsboto-part' % binascii.hexlify(os.urandom(4)).decode('ascii')
        temp = self.path + (suffix.encode('ascii') if isinstance(self.path, bytes) else suffix)
        try:
            replaced = os.stat(self.path)
        except OSError:
            replaced = None
        # Without a file to replace, 0o666 lets the umask set the mode, as
        # open() would; replacing one, start private and take its mode.
        mode = 0o600 if replaced is not None else 0o666
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_BINARY', 0)
        self._fp = io.open(os.open(temp, flags, mode), 'wb')
        self.temp = temp
        if replaced is not None and stat.S_ISREG(replaced.st_mode):
            os.chmod(temp, stat.S_IMODE(replaced.st_mode))

    def range_file(self, offset):
        """A new unbuffered binary file on the temporary file, at ``offset`` (a worker's own)."""
        handle = io.open(self.temp, 'r+b', buffering=0)
        handle.seek(offset)
        return handle

    def reader(self):
        """A new binary reader of the temporary file (for the MD5 that follows the writes)."""
        return io.open(self.temp, 'rb')

    def write(self, data):
        self.written += len(data)
        if self._sniff:
            self._sniff = False
            try:
                self._fp.write(data)
                return
            except TypeError:
                self._decoder = codecs.getincrementaldecoder(self._encoding)()
        if self._decoder is not None:
            data = self._decoder.decode(data)
            if not data:
                return
        self._fp.write(data)

    def finish(self):
        if self._decoder is not None:
            tail = self._decoder.decode(b'', True)
            if tail:
                self._fp.write(tail)
        if self.temp is not None:
            self._fp.flush()

    def commit(self):
        if self.temp is not None:
            self._fp.close()
            replace_file(self.temp, self.path)
            self.temp = None

    def discard(self):
        """Remove the temporary file; return what the caller is left with."""
        if self.temp is not None:
            try:
                self._fp.close()
                os.remove(self.temp)
            except OSError as error:
                return 'the temporary file %s could not be removed (%s)' % (
                    display(self.temp), error)
            self.temp = None
            return 'nothing was written to %s' % display(self.path)
        if self.path is not None:
            return 'nothing was written to %s' % display(self.path)
        return 'the destination holds the first %d bytes' % self.written


def display(path):
    if isinstance(path, bytes):
        return path.decode(sys.getfilesystemencoding() or 'utf-8', 'replace')
    return path
