"""The terminal side of the command line: streams, text for people, the progress bar.

Usage::

    console = Console()                       # sys's streams, os.environ, the clock
    console.out(printable(key.name))          # a line on stdout, control characters escaped
    bar = ProgressBar(console.stderr, 'put')  # a transfer's ``progress=`` callback
    bar(done, total); ...; bar.finish()       # the last line, once the transfer returned

"""
from __future__ import absolute_import, division, print_function, unicode_literals

import errno
import io
import math
import os
import struct
import sys
import time

from stsboto._compat import PY2
from stsboto.logfilter import printable  # noqa: F401  (re-exported: its old home)

__all__ = ['Console', 'ProgressBar', 'RateMeter', 'render_progress', 'fit_progress',
           'terminal_columns', 'printable', 'format_size', 'format_duration', 'write',
           'binary', 'isatty']

#: Environment variables whose values are secrets: masked from every message.
SECRET_ENV = ('AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN')


# -- streams ---------------------------------------------------------------------


def write(stream, text):
    """Write text to a text stream, or to a Python 2 byte stream, whatever its encoding."""
    if PY2 and not isinstance(stream, io.TextIOBase):
        stream.write(text.encode(getattr(stream, 'encoding', None) or 'utf-8', 'replace'))
    else:
        try:
            stream.write(text)
        except UnicodeEncodeError:  # a terminal or pipe that cannot show every character
            encoding = getattr(stream, 'encoding', None) or 'ascii'
            stream.write(text.encode(encoding, 'backslashreplace').decode(encoding))
    try:
        stream.flush()
    except EnvironmentError as error:
        if error.errno == errno.EPIPE:  # the reader went away: the command ends (exit 141)
            raise
    except (AttributeError, ValueError):  # no flush, or closed
        pass


def binary(stream):
    """The byte stream under a text stream (Python 3), or the stream itself (Python 2)."""
    return getattr(stream, 'buffer', stream)


def isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, IOError, OSError, ValueError):
        return False


def terminal_columns(stream, environ=None, default=80):
    """The width of the terminal ``stream`` draws on, in columns.

    ``$COLUMNS`` first (what shells export, and what a test sets), then the
    terminal's own size (``os.get_terminal_size`` where it exists, the
    ``TIOCGWINSZ`` ioctl on Python 2), else ``default``.
    """
    environ = os.environ if environ is None else environ
    try:
        columns = int(environ.get('COLUMNS', ''))
        if columns > 0:
            return columns
    except ValueError:
        pass
    try:
        fd = stream.fileno()
    except (AttributeError, IOError, OSError, ValueError):
        return default
    size = getattr(os, 'get_terminal_size', None)
    try:
        if size is not None:
            columns = size(fd).columns
        else:
            import fcntl
            import termios
            columns = struct.unpack(str('hhhh'), fcntl.ioctl(fd, termios.TIOCGWINSZ,
                                                             b'\0' * 8))[1]
    except (ImportError, IOError, OSError, ValueError):
        return default
    return columns if columns > 0 else default


# -- text for people ---------------------------------------------------------------
# printable() lives in stsboto.logfilter (the local server's demo needs it too).

def format_size(count):
    """``'512 B'``, ``'1.5 KiB'``, ``'64.0 MiB'``: bytes for people."""
    if count < 1024:
        return '%d B' % count
    value = float(count)
    for unit in ('KiB', 'MiB', 'GiB', 'TiB'):
        value /= 1024
        if value < 1024 or unit == 'TiB':
            return '%.1f %s' % (value, unit)


def format_duration(seconds):
    """``'14m 3s'``, ``'1h 0m 5s'``, ``'45s'``: whole seconds (rounded down), no sign.

    Two days or more read as a person says them (``'12 days'``, ``'3 years'``:
    :func:`stsboto.token.describe_age`), not ``'1071d 18h 3m 2s'``.
    """
    seconds = int(abs(seconds))
    if seconds >= 172800:
        from stsboto.token import describe_age
        return describe_age(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = []
    if days:
        parts.append('%dd' % days)
    if days or hours:
        parts.append('%dh' % hours)
    if days or hours or minutes:
        parts.append('%dm' % minutes)
    parts.append('%ds' % seconds)
    return ' '.join(parts)


class Console(object):
    """Where a command reads, writes and looks (tests inject their own).

    :ivar secrets: every secret this run knows; masked out of every message.
    :ivar log_filter: the ``--debug`` log's masking filter, or None.
    """

    def __init__(self, stdin=None, stdout=None, stderr=None, environ=None, now=None):
        self.stdin = sys.stdin if stdin is None else stdin
        self.stdout = sys.stdout if stdout is None else stdout
        self.stderr = sys.stderr if stderr is None else stderr
        self.environ = os.environ if environ is None else environ
        self._now = now
        self.secrets = [self.environ.get(name) for name in SECRET_ENV if self.environ.get(name)]
        self.log_filter = None

    def now(self):
        from stsboto._compat import utcnow
        return self._now() if self._now is not None else utcnow()

    def out(self, line):
        write(self.stdout, line + '\n')

    def err(self, line):
        write(self.stderr, line + '\n')

    def remember(self, token):
        """Mask this token's secret key and session token from now on."""
        self.secrets.extend(s for s in (token.secret_key, token.session_token) if s)
        if self.log_filter is not None:
            self.log_filter.add_token(token)


# -- the progress bar --------------------------------------------------------------


class RateMeter(object):
    """A transfer rate smoothed over the last seconds, and an ETA only once it means something.

    Usage: ``meter.add(now, done)``; ``meter.rate``; ``meter.eta(total)``

    The first requests of a transfer are slow (connections, the first part)
    and parallel parts report in bursts, so neither the average since the
    start nor the last interval predicts the rest: the rate is an exponential
    moving average with a time constant of ``smoothing`` seconds (during the
    first ``warmup`` seconds: the average since the start), and there is no
    ETA before ``warmup`` seconds have passed.
    """

    def __init__(self, smoothing=3.0, warmup=1.0):
        self.smoothing = smoothing
        self.warmup = warmup
        self.rate = None
        self._start = None
        self._last = None

    def add(self, now, done):
        if self._start is None:
            self._start = self._last = (now, done)
            return self.rate
        elapsed = now - self._last[0]
        if elapsed <= 0:
            return self.rate
        recent = max(0, done - self._last[1]) / elapsed
        since = now - self._start[0]
        if self.rate is None or since < self.warmup:  # the average, until it means something
            self.rate = max(0, done - self._start[1]) / since
        else:
            weight = 1 - math.exp(-elapsed / self.smoothing)
            self.rate += weight * (recent - self.rate)
        self._last = (now, done)
        return self.rate

    def elapsed(self, now):
        return 0.0 if self._start is None else now - self._start[0]

    def eta(self, now, done, total):
        """Seconds left, or None while the rate is not known well enough."""
        if total is None or not self.rate or self.elapsed(now) < self.warmup:
            return None
        return max(0, total - done) / self.rate


#: ``render_progress(eta=AUTO)``: the ETA from the rate (``eta=None``: no ETA).
AUTO = 'auto'


def render_progress(done, total, elapsed, width=24, rate=None, eta=AUTO, completing=False,
                    sizes=True):
    """One line of the progress bar, without ``\\r`` or newline.

    Usage: ``render_progress(27 * MiB, 64 * MiB, 2.0)`` ->
    ``' 42% [##########--------------]  27.0 MiB / 64.0 MiB  13.5 MiB/s  ETA 2s'``

    :param int done: bytes transferred so far.
    :param total: bytes in all, or None while unknown (a pipe).
    :param float elapsed: seconds since the transfer started.
    :param int width: characters inside the bar's brackets; 0: no bar.
    :param float rate: bytes per second (default: ``done / elapsed``).
    :param float eta: seconds left (default :data:`AUTO`: from ``rate``; None: not
        known yet); shown only before the end.
    :param bool completing: every byte is sent but the transfer is not done
        (S3 assembling a multipart upload, the file being renamed into place).
    :param bool sizes: show ``done / total`` (with a known total).
    """
    if rate is None:
        rate = done / elapsed if elapsed > 0 else None
    finished = total is not None and done >= total and not completing
    if total is None:
        text = '%s' % format_size(done)
    else:
        fraction = 1.0 if total <= 0 else min(1.0, done / total)
        text = '%3d%%' % int(fraction * 100)
        if width > 0:
            filled = int(fraction * width)
            text += ' [%s%s]' % ('#' * filled, '-' * (width - filled))
        if sizes:
            text += '  %s / %s' % (format_size(done), format_size(total))
    if rate:
        text += '  %s/s' % format_size(int(rate))
    if completing:
        text += '  completing...'
    elif finished:
        text += '  in %.1f s' % elapsed
    elif total is not None and rate and eta is not None:
        left = (total - done) / rate if eta == AUTO else eta
        # rounded up: "ETA 0s" while bytes are left to move says the wrong thing
        text += '  ETA %s' % format_duration(math.ceil(left))
    return text


#: The bar's width inside its brackets when the terminal has room.
MAX_BAR = 24
#: Narrower than this, the bar goes and the numbers stay.
MIN_BAR = 8


def fit_progress(label, columns, done, total, elapsed, rate=None, eta=AUTO, completing=False):
    """The progress line for a terminal ``columns`` wide: never wider than ``columns - 1``.

    The last column is left free: a line that fills it makes many terminals
    wrap, and every redraw then scrolls.  What matters most stays longest: the
    bar shrinks first, then goes; then the sizes, then the rate; the
    percentage and the ETA (or ``completing...``, or the time taken) go last,
    and only then is the line cut.
    """
    room = max(1, columns - 1)
    parts = dict(done=done, total=total, elapsed=elapsed, eta=eta, completing=completing)
    if total is not None:
        # The bar's width depends on the terminal and the total only, so it does not
        # jump as the numbers around it change length: room is kept for the longest
        # of them (a rate of '1023.9 MiB/s', an ETA of '1h 59m 59s', 'completing...').
        widest = len('%s 100%% []  %s / %s  1023.9 MiB/s  ETA 1h 59m 59s'
                     % (label, format_size(total), format_size(total)))
        width = min(MAX_BAR, room - widest)
        line = '%s %s' % (label, render_progress(width=width, rate=rate, **parts))
        if width >= MIN_BAR and len(line) <= room:
            return line
    for fewer in (dict(rate=rate), dict(rate=rate, sizes=False), dict(rate=0, sizes=False)):
        if total is None:
            fewer.pop('sizes', None)
        line = '%s %s' % (label, render_progress(width=0, **dict(parts, **fewer)))
        if len(line) <= room:
            return line
    return line[:room]


class ProgressBar(object):
    """A ``progress(bytes_done, total)`` callback that draws one line on a terminal.

    Usage::

        bar = ProgressBar(sys.stderr, 'put')
        try:
            transfer.upload(bucket, key, path, progress=bar)
            bar.finish()          # "... in 4.0 s" and the newline
        finally:
            bar.close()           # ends a line left open (after a failure)

    The line is redrawn in place (``\\r``) at most every ``interval``
    seconds, fits the terminal's width (read again at every redraw, so a
    resized window is followed), shows a smoothed rate (:class:`RateMeter`),
    and once every byte has moved says ``completing...`` until
    :meth:`finish`: S3 assembles a multipart upload only after the last part.

    :param stream: where to draw (stderr: stdout may carry the data).
    :param str label: what is shown before the bar.
    :param clock: returns seconds (``time.time``; injected by tests).
    :param float interval: the shortest time between two redraws.
    :param columns: a callable returning the terminal's width (default:
        :func:`terminal_columns` of ``stream``).
    """

    def __init__(self, stream, label, clock=time.time, interval=0.1, columns=None):
        self.stream = stream
        self.label = label
        self.clock = clock
        self.interval = interval
        self.columns = columns or (lambda: terminal_columns(stream))
        self.meter = RateMeter()
        self._drawn_at = None
        self._width = 0
        self._open = False
        self._last = (0, None)
        self._completing = False
        self._finished = False

    def __call__(self, done, total):
        if self._finished:
            return
        now = self.clock()
        self.meter.add(now, done)
        self._last = (done, total)
        complete = total is not None and done >= total
        if self._drawn_at is not None:
            if complete and self._completing:  # already says so
                return
            if not complete and now - self._drawn_at < self.interval:  # the end is always drawn
                return
        self._completing = complete
        self._draw(now, done, total, completing=complete)

    def finish(self):
        """The transfer returned: draw the last line (total time) and end it."""
        if self._finished:
            return
        now = self.clock()
        done, total = self._last
        if total is None:
            total = done
        self._draw(now, done, total, completing=False, final=True)
        self._finished = True
        self.close()

    def _draw(self, now, done, total, completing, final=False):
        elapsed = self.meter.elapsed(now)
        columns = self.columns()
        # the last line says the average rate: what the whole transfer achieved
        rate = done / elapsed if final and elapsed > 0 else self.meter.rate
        line = fit_progress(self.label, columns, done, total, elapsed, rate=rate,
                            eta=self.meter.eta(now, done, total), completing=completing)
        # blank what a longer earlier line left behind (within the width: the
        # window may have shrunk since)
        blank = max(0, min(self._width, columns - 1) - len(line))
        write(self.stream, '\r' + line + ' ' * blank)
        self._width = len(line)
        self._open = True
        self._drawn_at = now

    def close(self):
        """End the line, if one is open."""
        if self._open:
            write(self.stream, '\n')
            self._open = False
