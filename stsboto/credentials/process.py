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
"""
from __future__ import absolute_import, unicode_literals

import json
import os
import shlex
import subprocess

import six

from stsboto._compat import PY2
from stsboto.exceptions import CredentialConfigError, CredentialSourceError, InvalidTokenError
from stsboto.token import Token

__all__ = ['ProcessSource', 'MAX_OUTPUT_SIZE']

#: The most standard output read from the helper.
MAX_OUTPUT_SIZE = 64 * 1024


class ProcessSource(object):
    """One profile's ``credential_process``."""

    METHOD = 'custom-process'

    def __init__(self, profile, command, time_fetcher=None):
        self.profile = profile
        self.command = command
        self.time_fetcher = time_fetcher

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

    def run(self):
        """Run the helper once; a Token with ``method`` ``custom-process``."""
        where = 'credential_process of profile %s' % self.profile
        try:
            process = subprocess.Popen(self._argv(), stdout=subprocess.PIPE, stdin=None, stderr=None)
        except (OSError, IOError) as error:
            six.raise_from(CredentialSourceError('%s could not start (%s: %s)' % (
                where, type(error).__name__, getattr(error, 'strerror', None) or error),
                method=self.METHOD, profile=self.profile, cause=error), error)
        try:
            output = process.stdout.read(MAX_OUTPUT_SIZE + 1)
            if len(output) > MAX_OUTPUT_SIZE:
                process.kill()
                raise CredentialSourceError('%s printed more than %d bytes; that is not credentials'
                                            % (where, MAX_OUTPUT_SIZE), method=self.METHOD,
                                            profile=self.profile)
        finally:
            process.stdout.close()
            status = process.wait()
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
