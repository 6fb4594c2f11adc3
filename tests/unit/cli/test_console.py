# -*- coding: utf-8 -*-
"""Tests of stsboto.cli.console: sizes, durations, the progress bar, control characters."""
from __future__ import absolute_import, division, print_function, unicode_literals

import io
import re

import pytest

from stsboto.cli import console


# ---------------------------------------------------------------------------
# Sizes and durations


MiB = 1024 * 1024


@pytest.mark.parametrize('count, text', [(0, '0 B'), (1023, '1023 B'), (1024, '1.0 KiB'),
                                         (5 * MiB, '5.0 MiB'), (3 * 1024 * MiB, '3.0 GiB'),
                                         (2 * 1024 ** 5, '2048.0 TiB')])
def test_format_size(count, text):
    assert console.format_size(count) == text


@pytest.mark.parametrize('seconds, text', [(0, '0s'), (45, '45s'), (843, '14m 3s'),
                                           (843.9, '14m 3s'), (3600, '1h 0m 0s'),
                                           (3605, '1h 0m 5s'), (129600, '1d 12h 0m 0s'),
                                           (-182, '3m 2s'), (172800, '2 days'),
                                           (92600138, '2 years'), (-92600138, '2 years')])
def test_format_duration(seconds, text):
    assert console.format_duration(seconds) == text


# ---------------------------------------------------------------------------
# Progress bar (issue 12 item 6)


@pytest.mark.parametrize('done, total, elapsed, text', [
    (0, 64 * MiB, 0.0, '  0% [------------------------]  0 B / 64.0 MiB'),
    (27 * MiB, 64 * MiB, 2.0,
     ' 42% [##########--------------]  27.0 MiB / 64.0 MiB  13.5 MiB/s  ETA 3s'),
    (64 * MiB, 64 * MiB, 4.0,
     '100% [########################]  64.0 MiB / 64.0 MiB  16.0 MiB/s  in 4.0 s'),
    (0, 0, 0.0, '100% [########################]  0 B / 0 B  in 0.0 s'),
    (1536, None, 1.0, '1.5 KiB  1.5 KiB/s'),
    (500, None, 0.0, '500 B'),
])
def test_render_progress(done, total, elapsed, text):
    assert console.render_progress(done, total, elapsed) == text


class Clock(object):
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_progress_bar_redraws_in_place_throttled_and_ends_the_line():
    stream, clock = io.StringIO(), Clock()
    bar = console.ProgressBar(stream, 'put', clock=clock, interval=0.5, columns=lambda: 100)
    bar(0, 4 * MiB)
    clock.now += 0.1
    bar(MiB, 4 * MiB)               # too soon: not drawn
    clock.now += 0.5
    bar(2 * MiB, 4 * MiB)
    clock.now += 0.4
    bar(4 * MiB, 4 * MiB)           # the end is always drawn: completing
    bar(4 * MiB, 4 * MiB)           # and not again
    clock.now += 0.5
    bar.finish()                    # the transfer returned: the last line
    bar(4 * MiB, 4 * MiB)           # nothing after it
    bar.close()
    assert stream.getvalue().split('\r') == [
        '',
        'put   0% [------------------------]  0 B / 4.0 MiB',
        # no ETA yet: the first second predicts nothing (issue 12 item 6)
        'put  50% [############------------]  2.0 MiB / 4.0 MiB  3.3 MiB/s',
        'put 100% [########################]  4.0 MiB / 4.0 MiB  3.5 MiB/s  completing...',
        'put 100% [########################]  4.0 MiB / 4.0 MiB  2.7 MiB/s  in 1.5 s     \n']


def test_progress_bar_blanks_a_longer_line_and_close_ends_an_open_line():
    stream, clock = io.StringIO(), Clock()
    bar = console.ProgressBar(stream, 'get', clock=clock, interval=0, columns=lambda: 100)
    bar(0, None)
    clock.now += 1
    bar(1536 * 1024, None)
    clock.now += 1
    bar(1000, None)
    bar.close()
    bar.close()
    lines = stream.getvalue().split('\r')
    # the rate is smoothed: a sudden drop moves it only part of the way
    assert lines == ['', 'get 0 B', 'get 1.5 MiB  1.5 MiB/s', 'get 1000 B  1.1 MiB/s \n']


@pytest.mark.parametrize('columns', [40, 80, 120])
def test_progress_lines_fit_the_terminal(columns):
    states = [(0, 300 * MiB, 0.0, None, None, False), (5 * MiB, 300 * MiB, 0.5, None, None, False),
              (123 * MiB, 300 * MiB, 7.0, 17.6 * MiB, 10.0, False),
              (300 * MiB, 300 * MiB, 20.0, 15 * MiB, None, True),
              (300 * MiB, 300 * MiB, 20.5, 15 * MiB, None, False),
              (1536 * MiB, None, 60.0, 25 * MiB, None, False)]
    bars = set()
    for done, total, elapsed, rate, eta, completing in states:
        line = console.fit_progress('put', columns, done, total, elapsed, rate=rate, eta=eta,
                                    completing=completing)
        assert len(line) <= columns - 1, (columns, line)
        assert line.startswith('put ')
        if total is not None:
            assert '%' in line
            bars.update(len(bar) for bar in re.findall(r'\[([#-]+)\]', line))
        if completing:
            assert line.endswith('completing...')
        if eta:
            assert 'ETA 10s' in line  # the ETA outlives the sizes and the bar
    assert len(bars) == (0 if columns < 60 else 1), bars  # the bar does not jump


def test_rate_is_smoothed_and_eta_waits_for_a_second():
    meter = console.RateMeter()
    meter.add(0.0, 0)
    meter.add(0.4, 1 * MiB)        # a slow start: connection set-up
    assert meter.eta(0.4, 1 * MiB, 100 * MiB) is None  # too early to say
    done = 1 * MiB
    for step in range(1, 21):      # then a steady 10 MiB/s
        done += 5 * MiB
        meter.add(0.4 + step * 0.5, done)
    assert 8 * MiB < meter.rate < 11 * MiB
    left = meter.eta(10.4, done, 150 * MiB)
    assert 4 < left < 6  # 49 MiB at about 10 MiB/s


def test_completing_phase_is_shown_until_the_transfer_returns():
    stream, now = io.StringIO(), [0.0]
    bar = console.ProgressBar(stream, 'put', clock=lambda: now[0], interval=0,
                              columns=lambda: 80)
    bar(0, 10 * MiB)
    now[0] = 2.0
    bar(10 * MiB, 10 * MiB)            # every byte sent; S3 still assembling the parts
    assert stream.getvalue().endswith('completing...')
    now[0] = 5.0
    bar.finish()
    assert stream.getvalue().split('\r')[-1] == \
        'put 100% [#################]  10.0 MiB / 10.0 MiB  2.0 MiB/s  in 5.0 s     \n'


# ---------------------------------------------------------------------------
# Control characters (issue 11 item 8)


@pytest.mark.parametrize('text, shown', [
    ('plain name.txt', 'plain name.txt'),
    ('a\x1b[2Jb', 'a\\x1b[2Jb'),
    ('line\rover', 'line\\rover'),
    ('tab\there\n', 'tab\\there\\n'),
    ('c1 \x9b31m csi', 'c1 \\x9b31m csi'),
    ('nel\x85', 'nel\\x85'),
    ('bidi \u202eexe.txt', 'bidi \\u202eexe.txt'),
    ('caf\u00e9 \u2603', 'caf\u00e9 \u2603'),
    ('del\x7f', 'del\\x7f'),
])
def test_printable_escapes_control_characters(text, shown):
    assert console.printable(text) == shown
