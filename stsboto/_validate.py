"""The one set of number checks: seconds, durations and counts, with the field named.

Usage::

    from stsboto._validate import validate_int, validate_seconds, validate_timedelta
    duration = validate_int(duration, 'duration', 900, 129600, unit='seconds')
    timeout = validate_seconds(timeout, 'connect_timeout', low=0, low_inclusive=False)
    window = validate_timedelta(window, 'advisory_window')

Every check refuses ``bool`` (``True`` is an ``int`` to Python, never a
duration to a caller), strings (``'600'``: a caller who passes text has a bug
that a silent conversion would hide), ``nan`` and infinities (they compare
false with every bound, so a range check alone lets them through and they
fail later as ``OverflowError`` or ``ValueError`` deep in ``datetime``).  The
error is :class:`stsboto.exceptions.InvalidParameterError` (also a
``ValueError``) unless the caller names another ``InvalidInputError``
subclass, and its message names the field and the rule, never echoing more
than the type of a value that is not a number.
"""
from __future__ import absolute_import, division, unicode_literals

import datetime
import math
import re

import six

from stsboto.exceptions import InvalidParameterError

__all__ = ['validate_int', 'validate_number', 'validate_seconds', 'validate_timedelta',
           'validate_json_depth']

# datetime.timedelta accepts at most 999999999 days; anything near that is a bug.
_MAX_TIMEDELTA_SECONDS = 10 ** 9


def _type_error(field, expected, value, error):
    return error('%s must be %s, not %s' % (field, expected, type(value).__name__), field)


def _bounds(value, field, low, high, unit, error, low_inclusive=True):
    suffix = ' %s' % unit if unit else ''
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    if too_low or (high is not None and value > high):
        if low is not None and high is not None:
            rule = 'between %s and %s%s' % (_show(low), _show(high), suffix)
        elif low is not None:
            rule = '%s %s%s' % ('at least' if low_inclusive else 'more than', _show(low), suffix)
        else:
            rule = 'at most %s%s' % (_show(high), suffix)
        raise error('%s must be %s, got %s' % (field, rule, _show(value)), field)


def _show(number):
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return '%d' % number
    return '%s' % (number,)


def validate_int(value, field, low=None, high=None, unit=None, error=InvalidParameterError):
    """Return ``value`` as an ``int`` if it is a whole number in ``[low, high]``.

    Usage: ``validate_int(duration, 'duration', 900, 43200, unit='seconds')``

    :param value: the caller's value; ``bool``, ``float`` (even ``900.0``)
        and strings are refused.
    :param str field: the argument name, for the message and ``error.field``.
    :param low: the smallest value allowed, or None.
    :param high: the largest value allowed, or None.
    :param str unit: what the number counts (``seconds``), for the message.
    :param error: the ``InvalidInputError`` subclass to raise.
    """
    if isinstance(value, bool) or not isinstance(value, six.integer_types):
        raise _type_error(field, 'a whole number%s' % (' of %s' % unit if unit else ''), value, error)
    _bounds(value, field, low, high, unit, error)
    return int(value)


def validate_number(value, field, low=None, high=None, unit=None, error=InvalidParameterError,
                    low_inclusive=True):
    """Return ``value`` if it is a finite ``int`` or ``float`` in range (``nan``, ``inf`` refused).

    Usage: ``validate_number(rate, 'rate', low=0)``

    :param bool low_inclusive: False to refuse ``low`` itself (a timeout of 0).
    """
    if isinstance(value, bool) or not isinstance(value, six.integer_types + (float,)):
        raise _type_error(field, 'a number%s' % (' of %s' % unit if unit else ''), value, error)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise error('%s must be a finite number%s, got %s'
                    % (field, ' of %s' % unit if unit else '', value), field)
    _bounds(value, field, low, high, unit, error, low_inclusive)
    return value


def validate_seconds(value, field, low=0, high=None, error=InvalidParameterError, low_inclusive=True):
    """Return a finite number of seconds (``int``/``float``, or a ``timedelta``) as a float.

    Usage: ``validate_seconds(connect_timeout, 'connect_timeout', low=0, low_inclusive=False)``
    """
    if isinstance(value, datetime.timedelta):
        value = value.total_seconds()
    value = validate_number(value, field, low, high, 'seconds', error, low_inclusive)
    return float(value)


def validate_timedelta(value, field, low=datetime.timedelta(0), high=None,
                       error=InvalidParameterError):
    """Return ``value`` (seconds or a ``timedelta``) as a ``timedelta`` in ``[low, high]``.

    Usage: ``validate_timedelta(advisory_window, 'advisory_window')``

    :param low: a timedelta, or None for no lower bound (default: zero, so
        negative durations are refused).
    :param high: a timedelta, or None (values beyond what ``timedelta``
        holds, about 31 years of seconds here, are refused whatever ``high``).
    """
    if isinstance(value, datetime.timedelta):
        seconds = value.total_seconds()
    else:
        seconds = validate_number(value, field, unit='seconds', error=error)
    if abs(seconds) > _MAX_TIMEDELTA_SECONDS:
        raise error('%s must be at most %d seconds, got %s' % (field, _MAX_TIMEDELTA_SECONDS,
                                                               _show(seconds)), field)
    delta = value if isinstance(value, datetime.timedelta) else datetime.timedelta(seconds=seconds)
    low_s = None if low is None else low.total_seconds()
    high_s = None if high is None else high.total_seconds()
    if low_s is not None and seconds < low_s:
        if low_s == 0:
            raise error('%s must not be negative, got %s seconds' % (field, _show(seconds)), field)
    _bounds(seconds, field, low_s, high_s, 'seconds', error)
    return delta


# A JSON string, escapes included: what the nesting count skips over.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?', re.S)


def validate_json_depth(text, field, limit, error=InvalidParameterError):
    """Refuse JSON ``text`` whose arrays and objects nest deeper than ``limit``.

    Usage: ``validate_json_depth(text, 'token JSON', 32, InvalidTokenError)``,
    before ``json.loads(text)``.

    The rule holds whatever the ``json`` module does with deep input: up to
    Python 3.13 it recurses once per level (``RecursionError``, a
    ``RuntimeError`` on Python 2), while 3.14's parser no longer does and
    returns the nested lists.  Brackets inside strings do not count; the text
    is not echoed (it may hold a secret).  Text that is not JSON passes: the
    parser reports it.
    """
    # Fast path: fewer opening brackets than the limit cannot nest deeper.
    if text.count('[') + text.count('{') <= limit:
        return
    depth = 0
    for char in _JSON_BRACKETS.findall(_JSON_STRING.sub('""', text)):
        if char in '[{':
            depth += 1
            if depth > limit:
                raise error('%s is nested deeper than %d levels of arrays and objects' % (field, limit),
                            field)
        elif depth:  # a stray closer is the parser's to report; it must not buy depth
            depth -= 1


_JSON_BRACKETS = re.compile(r'[\[\]{}]')
