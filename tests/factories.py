"""Shared test data: tokens, clocks and payloads.

Usage::

    from tests.factories import FakeClock, make_token, payload
    clock = FakeClock()
    token = make_token(expiration=clock.now + datetime.timedelta(minutes=15))
    token = make_token(serial=3, clock=clock, lifetime=900)   # a distinct token
    data = payload(12 * 1024 * 1024)                          # 12 MiB, no two parts alike

The secrets hold characters that shells, URLs and XML treat specially, so
quoting and masking are exercised wherever they are used.
"""
from __future__ import absolute_import, unicode_literals

import datetime
import io
import logging
import os
import hashlib

import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
from stsboto._compat import UTC
from stsboto.token import Token

ACCESS_KEY = 'ASIAIOSFODNN7EXAMPLE'
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfi'CYz$EXAMPLE"
SESSION_TOKEN = 'FwoGZXIvYXdzEBYaDH7EXAMPLE/SESSION+TOKEN=VALUE"`;&|<>'
ARN = 'arn:aws:sts::123456789012:federated-user/uploader-42'
START = datetime.datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
FAR = datetime.datetime(2099, 1, 1, tzinfo=UTC)
PAST = datetime.datetime(2001, 1, 1, tzinfo=UTC)
SECRETS = (SECRET_KEY, SESSION_TOKEN)


class FakeClock(object):
    """A ``time_fetcher`` / ``now=`` for tests: stands still until moved.

    :param now: the start (an aware datetime); ``'real'`` starts at the
        system clock, for code that also checks expiry on the real clock.
    """

    def __init__(self, now=START):
        self.now = datetime.datetime.now(UTC) if now == 'real' else now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += datetime.timedelta(seconds=seconds)
        return self.now


class FakeTime(object):
    """A ``clock=`` returning seconds (like ``time.time``), moved by hand."""

    def __init__(self, now=100.0):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds
        return self.now


def make_token(serial=None, clock=None, lifetime=None, **fields):
    """A valid Token.

    :param int serial: makes every credential distinct (``ASIA000...0042``).
    :param clock: with ``lifetime``: expires ``lifetime`` seconds after
        ``clock.now`` (``lifetime=None`` with a clock: never expires).
    :param fields: any Token field, overriding the defaults above.
    """
    values = dict(access_key=ACCESS_KEY, secret_key=SECRET_KEY, session_token=SESSION_TOKEN,
                  expiration=FAR, arn=ARN)
    if serial is not None:
        values.update(access_key='ASIA%016d' % serial,
                      secret_key='%s%04d' % (SECRET_KEY, serial),
                      session_token='FwoGZXIvYXdzSESSIONTOKEN%04dEXAMPLE+/==' % serial)
    if clock is not None:
        values['expiration'] = (None if lifetime is None
                                else clock.now + datetime.timedelta(seconds=lifetime))
    values.update(fields)
    return Token(**values)


def connect_to(server, token, **kwargs):
    """``connect_with_token`` to a loopback server (``server.server_port``) over plain HTTP."""
    return stsboto.connect_with_token(token, endpoint_url='http://127.0.0.1:%d' % server.server_port,
                                      **kwargs)


#: A shared config file with a ``services`` section (endpoint URLs per service).
SERVICES_CONFIG = ('[default]\nservices = local\nendpoint_url = http://127.0.0.1:1\n'
                   '[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:2\n'
                   'cloudwatch_logs =\n  endpoint_url = http://127.0.0.1:3\n')


def settings_in(tmpdir, env=None, config='', boto=None, **kwargs):
    """A ``stsboto.config.Settings`` over a shared config file (and a boto config)
    written in ``tmpdir``, plus the variables ``env``."""
    from stsboto.config import Settings
    path = tmpdir.join('config')
    path.write(config)
    environ = {'AWS_CONFIG_FILE': str(path)}
    if boto is not None:
        boto_path = tmpdir.join('boto.cfg')
        boto_path.write(boto)
        environ['BOTO_CONFIG'] = str(boto_path)
    environ.update(env or {})
    return Settings(environ, **kwargs)


def payload(size, seed=b'stsboto'):
    """``size`` bytes that differ from part to part (so a misplaced part shows).

    :param bytes seed: another seed gives other bytes of the same kind.
    """
    block = hashlib.sha256(seed).digest() * 2048        # 64 KiB
    count = size // len(block) + 1
    data = b''.join(hashlib.md5(str(i).encode('ascii')).digest() + block[16:]
                    for i in range(count))
    return data[:size]


class ListHandler(logging.Handler):
    """Keeps every formatted record (a StringIO stream breaks on Python 2 byte strings).

    :param fmt: a ``logging.Formatter`` format; default: the message alone.
    """

    def __init__(self, fmt=None):
        logging.Handler.__init__(self, logging.DEBUG)
        if fmt is not None:
            self.setFormatter(logging.Formatter(fmt))
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))

    @property
    def text(self):
        return '\n'.join(self.lines)


def log_record(msg, *args, **kwargs):
    """A DEBUG record of the 'boto' logger (``exc_info=`` may be given)."""
    return logging.LogRecord('boto', logging.DEBUG, __file__, 1, msg, args or None,
                             kwargs.get('exc_info'))


def write_ini(tmpdir, text, name='config'):
    """Write ``text`` as the file ``name`` in ``tmpdir`` (UTF-8, as it is); its path."""
    path = str(tmpdir.join(name))
    with io.open(path, 'w', encoding='utf-8') as stream:
        stream.write(text)
    return path


def looping_path(tmpdir):
    """A path whose lookup fails with ELOOP (a symbolic link loop): unreadable even for root."""
    first, second = str(tmpdir.join('loop-a')), str(tmpdir.join('loop-b'))
    os.symlink(second, first)
    os.symlink(first, second)
    return first
