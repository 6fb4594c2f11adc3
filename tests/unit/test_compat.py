# -*- coding: utf-8 -*-
"""stsboto._compat: the differences between Python 2.7 and 3.6-3.15, in one place."""
from __future__ import absolute_import, unicode_literals

import datetime
import io
import sys

import pytest
import six

from stsboto import _compat


def test_the_version_checks_are_the_running_python():
    assert _compat.PY2 is (sys.version_info[0] == 2) and _compat.PY3 is not _compat.PY2
    assert _compat.PYTHON_VERSION == '%d.%d' % sys.version_info[:2]
    assert _compat.BOTO_NEEDS_FIXES is (sys.version_info >= (3, 12))


def test_utcnow_is_aware_utc_and_now():
    before = datetime.datetime(2020, 1, 1, tzinfo=_compat.UTC)
    now = _compat.utcnow()
    assert now.tzinfo is not None and now.utcoffset() == datetime.timedelta(0)
    assert now > before
    assert _compat.EPOCH == datetime.datetime(1970, 1, 1, tzinfo=_compat.UTC)
    assert _compat.UTC.tzname(None) == 'UTC'


@pytest.mark.parametrize('text, safe, quoted', [
    ('caf\u00e9/\u2603 a+b', '', 'caf%C3%A9%2F%E2%98%83%20a%2Bb'),
    ('caf\u00e9/\u2603 a+b', '/', 'caf%C3%A9/%E2%98%83%20a%2Bb'),
    (b'raw bytes', '', 'raw%20bytes'),
    ('-_.~', '', '-_.~'),
])
def test_quote_text_encodes_utf8_and_keeps_only_safe_and_unreserved(text, safe, quoted):
    assert _compat.quote_text(text, safe=safe) == quoted


def test_replace_file_overwrites_the_target(tmpdir):
    source, target = tmpdir.join('new'), tmpdir.join('old')
    source.write('new')
    target.write('old')
    _compat.replace_file(str(source), str(target))
    assert target.read() == 'new' and not source.exists()


def test_monotonic_does_not_go_back():
    first = _compat.monotonic()
    assert _compat.monotonic() >= first


# -- issue 19 item 10: one INI parser behaviour on every Python (botocore's) ----------------------


CORPUS = [
    '[a]\nk = v ; c\n',
    '[a]\nk=v\n  more\n\tand more\nj : w\n',
    '[a]\nk = v\n\n\n  continued after blanks\n\n',
    '[a]\n  k = indented key\n  j = same indent\n',
    '[a]\nk = v\n    # indented comment\n    still value\n',
    '[a] trailing\nk = v\n',
    '[a]\n= no key\n= again\n',
    '[a]\n= no key\n  continued\nk = v\n',
    '[a]\nbad line\n  indented after bad\nk = v\n',
    '[DEFAULT]\nd = 1\n[a]\nk = 2\n[DEFAULT]\ne = 3\n',
    '[a]\nK = 1\n[b]\nk = 2\n',
    '\ufeff[a]\nk = v\n',
    '[a]\nk = v\n[a]\n',
    '[a]\nk = %(x)s %%\n',
    '; top comment\n# another\n[a]\nk = v\n',
    '[a]\nk = \n',
    '[a]\nk:v=w\nj=v:w\n',
]


@pytest.mark.applies(six.PY3, reason="Python 3's RawConfigParser is the reference the 2.7 parser "
                     "follows")
@pytest.mark.parametrize('text', CORPUS)
def test_item10_our_parser_reads_as_python3_does(text):
    from six.moves import configparser
    from stsboto._compat import parse_ini_lines
    reference = configparser.RawConfigParser()
    try:
        reference.read_string(text, 'f')
        expected = ([(k, v) for k, v in reference.defaults().items()],
                    [(s, [(k, v) for k, v in reference.items(s) if k not in reference.defaults()
                          or reference.defaults()[k] != v or k in reference._sections[s]])
                     for s in reference.sections()])
        expected = (expected[0], [(s, [(k, v) for k, v in values if k in reference._sections[s]])
                                  for s, values in expected[1]])
    except configparser.Error as error:
        expected = (type(error).__name__, getattr(error, 'lineno', None) or error.errors[0][0])
    try:
        got = parse_ini_lines(io.StringIO(text), 'f')
    except configparser.Error as error:
        got = (type(error).__name__, getattr(error, 'lineno', None) or error.errors[0][0])
    assert got == expected
