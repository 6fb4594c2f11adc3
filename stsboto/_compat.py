"""Every difference between the Pythons stsboto runs on (2.7, 3.6-3.15), in one place.

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
import re
import sys
import time

import six
from six.moves import configparser
from six.moves.urllib.parse import quote

if six.PY2:  # the proxy rules of the standard library, where each Python keeps them
    from urllib import getproxies_environment, proxy_bypass_environment  # noqa: F401
else:
    from urllib.request import getproxies_environment, proxy_bypass_environment  # noqa: F401

__all__ = ['PY2', 'PY3', 'BOTO_NEEDS_FIXES', 'MOTO_RUNS_HERE', 'PYTHON_VERSION',
           'UTC', 'EPOCH', 'utcnow', 'replace_file',
           'quote_text', 'read_ini_file', 'parse_ini_lines', 'NEW_PROCESS_GROUP', 'monotonic',
           'getproxies_environment', 'proxy_bypass_environment']

PY2 = sys.version_info[0] == 2
PY3 = not PY2
#: Python versions on which boto 2.49 does not import or work without stsboto._boto:
#: 3.12 and every later one (3.14 and 3.15 need no more than 3.12 did).
BOTO_NEEDS_FIXES = sys.version_info >= (3, 12)
#: moto 5 (the local AWS endpoint of ``stsboto server`` and the demo) installs on Python 3.9+ only.
MOTO_RUNS_HERE = sys.version_info >= (3, 9)
#: ``'3.13'``: the running Python, for messages.
PYTHON_VERSION = '%d.%d' % sys.version_info[:2]


#: ``subprocess.Popen`` keyword arguments that start a child in a process group of
#: its own, so that it and everything it starts can be stopped together
#: (``os.killpg``).  Python 2's Popen has no ``start_new_session``.
if os.name == 'nt':
    NEW_PROCESS_GROUP = {'creationflags': 0x00000200}   # CREATE_NEW_PROCESS_GROUP
elif PY2:
    NEW_PROCESS_GROUP = {'preexec_fn': os.setsid}
else:
    NEW_PROCESS_GROUP = {'start_new_session': True}

#: A clock that never goes back (``time.monotonic`` is Python 3 only).
monotonic = getattr(time, 'monotonic', time.time)


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
    ``~`` is unreserved (RFC 3986, as SigV4 encodes): Python 2.7 and 3.6
    encoded it, 3.7+ does not; here it stays on every Python.
    """
    if isinstance(text, six.text_type):
        text = text.encode('utf-8')
    return quote(text, safe=str(safe) + str('~'))


def read_ini_file(path):
    """A ``RawConfigParser`` over the UTF-8 (BOM allowed) INI file at ``path``.

    One behaviour on every Python: botocore's (``configloader.raw_config_parse``,
    Python 3's ``RawConfigParser`` defaults).  Values are raw (``%`` is not an
    interpolation); ``;`` and ``#`` start a comment only at the start of a line
    (a value may hold `` ;``); a section or a key that appears twice in one file
    is an error (``DuplicateSectionError``, ``DuplicateOptionError``).  Python
    2.7's own parser cuts values at `` ;`` and lets a later duplicate win, so
    there :class:`_StrictRawConfigParser` reads the file instead (issue 19).

    Raises what opening and parsing raise: ``IOError``/``OSError``,
    ``UnicodeDecodeError``, ``configparser.Error``; callers turn those into
    their own messages.
    """
    parser = _StrictRawConfigParser() if PY2 else configparser.RawConfigParser()
    with io.open(path, 'r', encoding='utf-8-sig') as stream:
        read = getattr(parser, 'read_file', None) or parser.readfp
        read(stream)
    return parser


class DuplicateSectionError(configparser.Error):
    """A section appears twice in one file (Python 3's error of that name)."""

    def __init__(self, section, source=None, lineno=None):
        configparser.Error.__init__(self, 'section %r from %r [line %s] already exists'
                                    % (section, source, lineno))
        self.section, self.source, self.lineno = section, source, lineno


class DuplicateOptionError(configparser.Error):
    """A key appears twice in one section of one file (Python 3's error of that name)."""

    def __init__(self, section, option, source=None, lineno=None):
        configparser.Error.__init__(self, 'option %r in section %r from %r [line %s] already exists'
                                    % (option, section, source, lineno))
        self.section, self.option, self.source, self.lineno = section, option, source, lineno


# Python 3.12's RawConfigParser patterns (SECTCRE, OPTCRE with the "=" and ":" delimiters)
_SECTION_LINE = re.compile(r'\[(?P<header>.+)\]')
_OPTION_LINE = re.compile(r'(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$')


def parse_ini_lines(lines, source, default_section='DEFAULT', optionxform=None):
    """``(defaults, [(section, [(key, value)])])`` of INI ``lines``, read as Python 3's
    ``RawConfigParser()`` reads them (its defaults: strict, no inline comments,
    ``#`` and ``;`` full-line comments, empty lines kept inside values, values
    continued by deeper indentation, ``=`` and ``:`` delimiters).

    Written for Python 2.7 (:class:`_StrictRawConfigParser`); importable on every
    Python so tests compare it with Python 3's own parser line for line.

    :raises configparser.Error: ``MissingSectionHeaderError``,
        :class:`DuplicateSectionError`, :class:`DuplicateOptionError`,
        ``ParsingError`` (after the whole file, listing every bad line).
    """
    optionxform = optionxform or (lambda name: name.lower())
    defaults = _Ordered()
    sections = []
    by_name = {}
    added = set()
    current = name = option = None
    indent_level = 0
    errors = None
    for lineno, line in enumerate(lines, start=1):
        comment = line.strip().startswith(('#', ';'))
        value = '' if comment else line.strip()
        if not value:
            # An empty line belongs to the value being read (trailing ones are
            # dropped at the end); a comment line is skipped.
            if not comment and current is not None and option:
                current[option].append('')
            continue
        indent = len(line) - len(line.lstrip())
        if current is not None and option and indent > indent_level:
            current[option].append(value)
            continue
        indent_level = indent
        match = _SECTION_LINE.match(value)
        if match:
            name = match.group('header')
            if name in by_name:
                if name in added:
                    raise DuplicateSectionError(name, source, lineno)
                current = by_name[name]
            elif name == default_section:
                current = defaults          # [DEFAULT] twice: one section
            else:
                current = by_name[name] = _Ordered()
                sections.append((name, current))
            added.add(name)
            option = None
            continue
        if current is None:
            raise configparser.MissingSectionHeaderError(source, lineno, line)
        match = _OPTION_LINE.match(value)
        if not match:
            errors = errors or configparser.ParsingError(source)
            errors.append(lineno, repr(line))
            continue
        if not match.group('option'):
            errors = errors or configparser.ParsingError(source)
            errors.append(lineno, repr(line))
        option = optionxform(match.group('option').rstrip())
        if (name, option) in added:
            raise DuplicateOptionError(name, option, source, lineno)
        added.add((name, option))
        current[option] = [match.group('value').strip()]
    if errors is not None:
        raise errors

    def joined(values):
        return [(key, '\n'.join(parts).rstrip()) for key, parts in values.items()]
    return joined(defaults), [(section, joined(values)) for section, values in sections]


class _Ordered(dict):
    """A dict that remembers insertion order on Python 2 too (for items())."""

    def __init__(self):
        dict.__init__(self)
        self.order = []

    def __setitem__(self, key, value):
        if key not in self:
            self.order.append(key)
        dict.__setitem__(self, key, value)

    def items(self):
        return [(key, self[key]) for key in self.order]


class _StrictRawConfigParser(configparser.RawConfigParser):
    """Python 2.7's RawConfigParser reading as Python 3's does (see :func:`parse_ini_lines`)."""

    def _read(self, fp, fpname):
        defaults, sections = parse_ini_lines(fp, fpname, optionxform=self.optionxform)
        for key, value in defaults:
            self._defaults[key] = value
        for name, values in sections:
            if name not in self._sections:
                self._sections[name] = self._dict()
                self._sections[name]['__name__'] = name
            for key, value in values:
                self._sections[name][key] = value
