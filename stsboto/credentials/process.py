"""Credentials from a ``credential_process`` helper (botocore's ``custom-process``).

Usage::

    from stsboto.credentials.process import ProcessSource
    token = ProcessSource('uploader', 'my-helper --role x').load()

The command is split like a shell would (no shell runs it), its standard error
goes to ours (prompts and diagnostics stay visible), and its standard output
must be Version 1 JSON: ``{"Version": 1, "AccessKeyId", "SecretAccessKey",
"SessionToken", "Expiration"}`` (AWS SDKs and Tools Reference Guide,
"Sourcing credentials with an external process").  With ``Expiration`` the
result is a :class:`stsboto.RefreshableToken` that runs the command again
before then.

A helper that has not printed its answer and exited within the time limit
(``find_token(process_timeout=)``, else ``STSBOTO_CREDENTIAL_PROCESS_TIMEOUT``,
else :data:`DEFAULT_TIMEOUT` seconds; AWS has no name for this setting) is
stopped, with every process it started: it runs in a process group of its own,
and the whole group is killed.  The error names the limit.
"""
from __future__ import absolute_import, unicode_literals

import json
import os
import shlex
import signal
import subprocess
import threading
import time

import six

from stsboto._compat import NEW_PROCESS_GROUP, PY2, monotonic
from stsboto.exceptions import CredentialConfigError, CredentialSourceError, InvalidTokenError
from stsboto.token import Token

__all__ = ['ProcessSource', 'MAX_OUTPUT_SIZE', 'DEFAULT_TIMEOUT', 'TIMEOUT_ENV', 'process_timeout']

#: The most standard output read from the helper.
MAX_OUTPUT_SIZE = 64 * 1024
#: Seconds a helper may take, by default.
DEFAULT_TIMEOUT = 60
#: The variable that sets it (AWS has no name for it: an ``STSBOTO_`` one).
TIMEOUT_ENV = 'STSBOTO_CREDENTIAL_PROCESS_TIMEOUT'


def process_timeout(explicit=None, environ=None):
    """The helper's time limit in seconds: ``explicit``, else the variable, else 60.

    :raises CredentialConfigError: not a positive finite number (names the
        argument or the variable).
    """
    environ = os.environ if environ is None else environ
    if explicit is not None:
        value, field = explicit, 'process_timeout'
    else:
        value, field = (environ.get(TIMEOUT_ENV) or '').strip() or None, TIMEOUT_ENV
        if value is None:
            return DEFAULT_TIMEOUT
    try:
        number = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError, OverflowError):
        number = None
    # ``not number > 0`` also catches NaN
    if number is None or not number > 0 or number == float('inf'):
        raise CredentialConfigError('%s must be a positive number of seconds' % field, field)
    return number


class ProcessSource(object):
    """One profile's ``credential_process``."""

    METHOD = 'custom-process'

    def __init__(self, profile, command, time_fetcher=None, timeout=DEFAULT_TIMEOUT):
        self.profile = profile
        self.command = command
        self.time_fetcher = time_fetcher
        self.timeout = timeout

    def load(self):
        if not self.command:
            return None
        token = self.run()
        if token.expiration is None:
            return token
        from stsboto.refresh import RefreshableToken
        source = RefreshableToken(token, self.run, time_fetcher=self.time_fetcher)
        source.method = self.METHOD
        return source

    def _argv(self):
        if os.name == 'nt':
            return self.command  # CreateProcess parses the command line itself
        command = self.command
        if PY2 and isinstance(command, six.text_type):
            command = command.encode('utf-8')  # Python 2's shlex and subprocess want bytes
        try:
            return shlex.split(command)
        except ValueError as error:
            raise CredentialConfigError('credential_process of profile %s cannot be split into words '
                                        '(%s)' % (self.profile, error), 'credential_process',
                                        self.profile)

    def _collect(self, process, where):
        """(standard output, exit status), within the time limit; else the group is killed."""
        received = []

        def read():
            try:
                received.append(process.stdout.read(MAX_OUTPUT_SIZE + 1))
            except (IOError, OSError, ValueError):
                received.append(b'')
        reader = threading.Thread(target=read, name='stsboto-credential-process')
        reader.daemon = True
        reader.start()
        deadline = monotonic() + self.timeout
        pause = 0.001
        try:
            # Output first (a full pipe would block the helper), then the exit status;
            # both within the one deadline.  A helper that closes its output and sleeps,
            # or leaves a child holding the pipe, runs into the deadline.
            while (reader.is_alive() or process.poll() is None) and monotonic() < deadline:
                if reader.is_alive():
                    reader.join(min(0.05, max(0.0, deadline - monotonic())))
                else:
                    time.sleep(pause)
                    pause = min(pause * 2, 0.05)
                if received and len(received[0]) > MAX_OUTPUT_SIZE:
                    break
            overflow = bool(received) and len(received[0]) > MAX_OUTPUT_SIZE
            timed_out = not overflow and (reader.is_alive() or process.poll() is None)
            if overflow or timed_out:
                _stop_group(process)
        except BaseException:          # Ctrl-C while waiting: the helper does not outlive us
            _stop_group(process)
            raise
        finally:
            reader.join(1)
            process.stdout.close()
        status = process.wait()
        if timed_out:
            raise CredentialSourceError('%s did not finish within %s s (%s; find_token(process_timeout='
                                        ')); it and the processes it started were stopped'
                                        % (where, _seconds(self.timeout), TIMEOUT_ENV),
                                        method=self.METHOD, profile=self.profile)
        if overflow:
            raise CredentialSourceError('%s printed more than %d bytes; that is not credentials'
                                        % (where, MAX_OUTPUT_SIZE), method=self.METHOD,
                                        profile=self.profile)
        return received[0], status

    def run(self):
        """Run the helper once; a Token with ``method`` ``custom-process``."""
        where = 'credential_process of profile %s' % self.profile
        try:
            process = subprocess.Popen(self._argv(), stdout=subprocess.PIPE, stdin=None, stderr=None,
                                       **NEW_PROCESS_GROUP)
        except (OSError, IOError) as error:
            six.raise_from(CredentialSourceError('%s could not start (%s: %s)' % (
                where, type(error).__name__, getattr(error, 'strerror', None) or error),
                method=self.METHOD, profile=self.profile, cause=error), error)
        output, status = self._collect(process, where)
        if status != 0:
            raise CredentialSourceError('%s exited with status %d (its error output, if any, was '
                                        'passed through above)' % (where, status),
                                        method=self.METHOD, profile=self.profile)
        try:
            data = json.loads(output.decode('utf-8'))
        except (ValueError, UnicodeDecodeError, RuntimeError):
            six.raise_from(CredentialSourceError('%s did not print JSON (%d bytes)' % (where, len(output)),
                                                 method=self.METHOD, profile=self.profile), None)
        if not isinstance(data, dict):
            raise CredentialSourceError('%s printed JSON that is not an object' % where,
                                        method=self.METHOD, profile=self.profile)
        if data.get('Version') != 1 or isinstance(data.get('Version'), bool):
            raise CredentialSourceError('%s printed JSON without "Version": 1 (the only version '
                                        'AWS SDKs read)' % where, method=self.METHOD, profile=self.profile)
        for key in ('AccessKeyId', 'SecretAccessKey'):
            if not data.get(key):
                raise CredentialSourceError('%s printed JSON without %s' % (where, key),
                                            method=self.METHOD, profile=self.profile)
        try:
            token = Token.from_dict(data)
        except InvalidTokenError as error:
            six.raise_from(CredentialSourceError('%s: %s' % (where, error), method=self.METHOD,
                                                 profile=self.profile), None)
        return token.replace(method=self.METHOD)


def _seconds(value):
    return ('%d' % value) if value == int(value) else ('%s' % value)


def _stop_group(process):
    """Kill the helper and every process of its group (it leads a group of its own)."""
    try:
        if os.name == 'nt':
            process.kill()
        else:
            os.killpg(process.pid, signal.SIGKILL)
    except (OSError, AttributeError):
        try:
            process.kill()
        except OSError:
            pass
