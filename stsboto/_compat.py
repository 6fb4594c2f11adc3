"""Every difference between the Pythons stsboto runs on (2.7, 3.6-3.13), in one place.

Usage::

    from stsboto._compat import PY2, UTC, utcnow, replace_file, quote_text

This module imports only the standard library and ``six``; it never imports
boto (``stsboto._boto`` holds the fixes boto itself needs, and takes its
version checks from here).  Version checks are made once, at the top.
"""
from __future__ import absolute_import, unicode_literals

import datetime
import io
import os
import sys

import six
from six.moves import configparser
from six.moves.urllib.parse import quote

if six.PY2:  # the proxy rules of the standard library, where each Python keeps them
    from urllib import getproxies_environment, proxy_bypass_environment  # noqa: F401
else:
    from urllib.request import getproxies_environment, proxy_bypass_environment  # noqa: F401

__all__ = ['PY2', 'PY3', 'BOTO_NEEDS_FIXES', 'MOTO_RUNS_HERE', 'PYTHON_VERSION',
           'UTC', 'EPOCH', 'utcnow', 'replace_file',
           'quote_text', 'read_ini_file', 'getproxies_environment', 'proxy_bypass_environment']

PY2 = sys.version_info[0] == 2
PY3 = not PY2
#: Python versions on which boto 2.49 does not import or work without stsboto._boto.
BOTO_NEEDS_FIXES = sys.version_info >= (3, 12)
#: moto 5 (the local AWS endpoint of ``stsboto server`` and the demo) installs on Python 3.9+ only.
MOTO_RUNS_HERE = sys.version_info >= (3, 9)
#: ``'3.13'``: the running Python, for messages.
PYTHON_VERSION = '%d.%d' % sys.version_info[:2]


class _UTC(datetime.tzinfo):
    """UTC as a tzinfo that also exists on Python 2."""

    def utcoffset(self, dt):
        return datetime.timedelta(0)

    def dst(self, dt):
        return datetime.timedelta(0)

    def tzname(self, dt):
        return 'UTC'

    def __repr__(self):
        return 'UTC'

    def __reduce__(self):
        return (_utc, ())


def _utc():
    return UTC


# datetime.timezone.utc (Python 3) is C code: now(UTC) costs a fifth of now(_UTC()),
# and a token is checked on every request.
UTC = datetime.timezone.utc if hasattr(datetime, 'timezone') else _UTC()
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)


def utcnow():
    """The current time as an aware UTC datetime."""
    return datetime.datetime.now(UTC)


#: ``os.replace`` (3.3+) overwrites on every platform; ``os.rename`` does on POSIX.
replace_file = getattr(os, 'replace', os.rename)


def quote_text(text, safe=''):
    """Percent-encode ``text`` (UTF-8), leaving only ``safe`` and unreserved characters.

    Python 2's ``quote()`` fails on non-ASCII text, and a unicode ``safe``
    poisons its cache for every later caller (boto's non-ASCII paths among
    them): the text goes in as UTF-8 bytes and ``safe`` as a native str.
    """
    if isinstance(text, six.text_type):
        text = text.encode('utf-8')
    return quote(text, safe=str(safe))


def read_ini_file(path):
    """A ``RawConfigParser`` over the UTF-8 (BOM allowed) INI file at ``path``.

    Values are raw (``%`` is not an interpolation).  Raises what opening and
    parsing raise: ``IOError``/``OSError``, ``UnicodeDecodeError``,
    ``configparser.Error``; callers turn those into their own messages.
    """
    parser = configparser.RawConfigParser()
    with io.open(path, 'r', encoding='utf-8-sig') as stream:
        read = getattr(parser, 'read_file', None) or parser.readfp
        read(stream)
    return parser
