# -*- coding: utf-8 -*-
"""stsboto._compat: the differences between Python 2.7 and 3.6-3.15, in one place."""
from __future__ import absolute_import, unicode_literals

import datetime
import sys

import pytest

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
