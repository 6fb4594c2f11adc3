"""Credentials from STS for a role: assume-role profiles and web identity
(botocore's ``assume-role`` and ``assume-role-with-web-identity``).

Usage::

    from stsboto.credentials.roles import AssumeRoleSource, WebIdentitySource
    source = AssumeRoleSource(files, 'deploy', environ, chain).load()   # RefreshableToken or None

Both return a :class:`stsboto.RefreshableToken` that calls STS on first use
and again before expiry, as botocore's ``DeferredRefreshableCredentials`` do.
The configuration is checked at once (a ``source_profile`` loop, a missing
profile, both ``source_profile`` and ``credential_source``): only the STS call
waits.  STS is reached as ``stsboto.sts`` reaches it: ``AWS_ENDPOINT_URL_STS``
/ ``AWS_ENDPOINT_URL``, the regional endpoint of ``AWS_REGION`` /
``AWS_DEFAULT_REGION`` / the profile's ``region`` (default ``us-east-1``), the
global one with ``AWS_STS_REGIONAL_ENDPOINTS`` / ``sts_regional_endpoints`` = ``legacy``.
"""
from __future__ import absolute_import, unicode_literals

import getpass
import sys
import time

import six

from stsboto.exceptions import CredentialConfigError, CredentialSourceError
from stsboto.token import Token

__all__ = ['AssumeRoleSource', 'WebIdentitySource', 'sts_options', 'CREDENTIAL_SOURCES']

#: credential_source values (botocore's canonical names) and what they mean.
CREDENTIAL_SOURCES = ('Environment', 'Ec2InstanceMetadata', 'EcsContainer')
#: The most a web identity token file may hold (a JWT is a few KiB).
MAX_WEB_IDENTITY_TOKEN_SIZE = 64 * 1024


def sts_options(environ, config):
    """Keyword arguments for ``stsboto.sts`` calls made by the chain (``config``:
    the profile's keys), read through :mod:`stsboto.config`."""
    from stsboto import regions
    from stsboto.config import Settings
    settings = Settings(environ, values=config)
    region = regions.configured_region('sts', settings=settings, default='us-east-1')
    options = {'region': region, 'regional': regions.sts_regional(region, settings)}
    endpoint = regions.configured_endpoint('sts', settings)
    if endpoint is not None:
        options['endpoint_url'] = endpoint
    return options


def _session_name(configured):
    # botocore's default is 'botocore-session-<unix time>'
    return configured or 'stsboto-session-%d' % int(time.time())


def _current(source):
    """The current Token of a source result (a Token, or a RefreshableToken: refreshed if due)."""
    return source if isinstance(source, Token) else source.get()


class AssumeRoleSource(object):
    """A profile with ``role_arn`` and ``source_profile`` or ``credential_source``.

    Keys (botocore's): ``role_arn``, ``source_profile`` (chains of them are
    followed; a loop is a :class:`stsboto.CredentialConfigError` naming the
    profiles) or ``credential_source`` (``Environment``,
    ``Ec2InstanceMetadata``, ``EcsContainer``), ``role_session_name``,
    ``external_id``, ``duration_seconds``, ``mfa_serial``.

    **MFA.** With ``mfa_serial`` the chain calls ``mfa_callback(mfa_serial)``
    for the current code (a string of digits) before each AssumeRole call,
    initial and refresh.  Pass it to :func:`stsboto.find_token`
    (``find_token(profile='admin', mfa_callback=lambda serial: input('MFA: '))``).
    Without one, the code is asked on the terminal as botocore does
    (``getpass``, prompt ``Enter MFA code for <serial>:``) when standard input
    is a terminal; otherwise the call fails with a clear error.
    """

    METHOD = 'assume-role'

    def __init__(self, chain, profile):
        self.chain = chain
        self.profile = profile

    def load(self):
        values = self.chain.files.profile(self.profile)
        if 'role_arn' not in values or 'web_identity_token_file' in values:
            return None
        refresh = self._refresher(self.profile, [self.profile])
        from stsboto.refresh import RefreshableToken
        source = RefreshableToken(None, refresh, time_fetcher=self.chain.time_fetcher)
        source.method = self.METHOD
        return source

    def _refresher(self, name, visited):
        """A callable returning a new Token for role profile ``name`` (config checked now)."""
        files = self.chain.files
        values = files.profile(name)
        where = files.where(name)
        source_profile = values.get('source_profile')
        credential_source = values.get('credential_source')
        if source_profile and credential_source:
            raise CredentialConfigError('%s has both source_profile and credential_source; keep one'
                                        % where, 'source_profile', name)
        if not source_profile and not credential_source:
            raise CredentialConfigError('%s has role_arn but neither source_profile nor '
                                        'credential_source' % where, 'source_profile', name)
        if credential_source:
            source = self._named_source(credential_source, name, where)
        else:
            source = self._source_profile(name, source_profile, visited)
        duration = values.get('duration_seconds')
        if duration is not None:
            try:
                duration = int(duration)
            except ValueError:
                raise CredentialConfigError('%s: duration_seconds must be a whole number of seconds'
                                            % where, 'duration_seconds', name)
        role_arn = values['role_arn']
        session_name = _session_name(values.get('role_session_name'))
        external_id = values.get('external_id') or None
        mfa_serial = values.get('mfa_serial') or None
        options = sts_options(self.chain.environ, values)
        state = {'source': source}

        def refresh():
            if callable(state['source']):
                state['source'] = state['source']()   # resolved on first use
            credentials = _current(state['source'])
            return self._assume(name, role_arn, session_name, duration, external_id, mfa_serial,
                                credentials, options)
        return refresh

    def _named_source(self, credential_source, name, where):
        if credential_source not in CREDENTIAL_SOURCES:
            raise CredentialConfigError('%s: credential_source %s is not one of %s' % (
                where, credential_source, ', '.join(CREDENTIAL_SOURCES)), 'credential_source', name)
        chain = self.chain

        def resolve():
            found = chain.named_source(credential_source, name).load()
            if found is None:
                raise CredentialSourceError('%s: credential_source %s has no credentials'
                                            % (where, credential_source), method=self.METHOD,
                                            profile=name)
            return found
        return resolve

    def _source_profile(self, parent, name, visited):
        files = self.chain.files
        if not files.has_profile(name):
            raise CredentialConfigError('the source_profile %s of %s does not exist'
                                        % (name, files.where(parent)), 'source_profile', parent)
        values = files.profile(name)
        static = 'aws_access_key_id' in values or 'aws_secret_access_key' in values
        if name in visited and not (name == parent and static):
            raise CredentialConfigError(
                'source_profile loop: %s (profile %s leads back to profile %s)'
                % (' -> '.join(visited + [name]), parent, name), 'source_profile', parent)
        if static or 'role_arn' not in values or name == parent:
            chain = self.chain

            def resolve():
                found = chain.profile_sources(name, role=False)
                if found is None:
                    raise CredentialConfigError('the source_profile %s of %s has no credentials'
                                                % (name, files.where(parent)), 'source_profile', parent)
                return found
            return resolve
        return self._refresher(name, visited + [name])

    def _mfa_code(self, serial):
        callback = self.chain.mfa_callback
        if callback is None:
            if not (getattr(sys.stdin, 'isatty', None) and sys.stdin.isatty()):
                raise CredentialConfigError(
                    'profile %s needs an MFA code (mfa_serial) and there is no terminal to ask: pass '
                    'find_token(mfa_callback=...)' % self.profile, 'mfa_serial', self.profile)
            callback = lambda serial: getpass.getpass(str('Enter MFA code for %s: ' % serial))  # noqa: E731
        code = callback(serial)
        if not isinstance(code, six.string_types) or not code.strip():
            raise CredentialConfigError('the MFA callback must return the code as a string',
                                        'mfa_serial', self.profile)
        return code.strip()

    def _assume(self, name, role_arn, session_name, duration, external_id, mfa_serial, credentials,
                options):
        from stsboto import sts
        kwargs = dict(options, aws_access_key_id=credentials.access_key,
                      aws_secret_access_key=credentials.secret_key,
                      security_token=credentials.session_token)
        if mfa_serial is None:
            token = sts.assume_role(role_arn, session_name, duration=duration or 3600,
                                    external_id=external_id, **kwargs)
        else:
            # stsboto.sts.assume_role has no MFA arguments: boto's own call, same error mapping.
            code = self._mfa_code(mfa_serial)
            region = kwargs.pop('region')
            connection = sts.connect_to_region(region, **kwargs)
            token = sts.call_sts('AssumeRole', connection, lambda: connection.assume_role(
                role_arn, session_name, duration_seconds=duration, external_id=external_id,
                mfa_serial_number=mfa_serial, mfa_token=code))
        return token.replace(method=self.METHOD)


class WebIdentitySource(object):
    """``AWS_WEB_IDENTITY_TOKEN_FILE`` + ``AWS_ROLE_ARN`` (+ ``AWS_ROLE_SESSION_NAME``), or the
    profile keys ``web_identity_token_file``, ``role_arn``, ``role_session_name``.

    The environment wins over the profile, except when a profile was passed
    explicitly (botocore).  AssumeRoleWithWebIdentity is sent unsigned; the
    token file is read again for every call (Kubernetes rotates it).
    """

    METHOD = 'assume-role-with-web-identity'

    def __init__(self, chain, profile, use_environment):
        self.chain = chain
        self.profile = profile
        self.use_environment = use_environment

    def _setting(self, variable, key):
        if self.use_environment and self.chain.environ.get(variable):
            return self.chain.environ[variable]
        return self.chain.files.profile(self.profile).get(key) or None

    def load(self):
        path = self._setting('AWS_WEB_IDENTITY_TOKEN_FILE', 'web_identity_token_file')
        if not path:
            return None
        role_arn = self._setting('AWS_ROLE_ARN', 'role_arn')
        if not role_arn:
            raise CredentialConfigError('a web identity token file is configured (AWS_WEB_IDENTITY_'
                                        'TOKEN_FILE or web_identity_token_file) but no role: set '
                                        'AWS_ROLE_ARN or role_arn', 'AWS_ROLE_ARN', self.profile)
        session_name = _session_name(self._setting('AWS_ROLE_SESSION_NAME', 'role_session_name'))
        options = sts_options(self.chain.environ, self.chain.files.profile(self.profile))

        def refresh():
            return self.assume(path, role_arn, session_name, options)
        from stsboto.refresh import RefreshableToken
        source = RefreshableToken(None, refresh, time_fetcher=self.chain.time_fetcher)
        source.method = self.METHOD
        return source

    def read_token_file(self, path):
        from stsboto.credentials.files import check_readable_file
        import os
        path = os.path.expanduser(path)
        field = 'AWS_WEB_IDENTITY_TOKEN_FILE'
        try:
            check_readable_file(path, MAX_WEB_IDENTITY_TOKEN_SIZE, 'web identity token file', field)
            with open(path, 'rb') as stream:
                data = stream.read(MAX_WEB_IDENTITY_TOKEN_SIZE + 1)
        except (IOError, OSError) as error:
            six.raise_from(CredentialSourceError('the web identity token file %s cannot be read (%s)'
                                                 % (path, getattr(error, 'strerror', None) or error),
                                                 method=self.METHOD, profile=self.profile,
                                                 cause=error), None)
        text = data.decode('ascii', 'replace').strip()
        if not text:
            raise CredentialSourceError('the web identity token file %s is empty' % path,
                                        method=self.METHOD, profile=self.profile)
        return text

    def assume(self, path, role_arn, session_name, options):
        from stsboto import sts
        import boto.sts.credentials
        jwt = self.read_token_file(path)
        options = dict(options)
        region = options.pop('region')
        connection = sts.connect_to_region(region, anon=True, **options)
        params = {'RoleArn': role_arn, 'RoleSessionName': session_name, 'WebIdentityToken': jwt}
        # POST, so the web identity token travels in the body, not in a URL.
        token = sts.call_sts('AssumeRoleWithWebIdentity', connection, lambda: connection.get_object(
            'AssumeRoleWithWebIdentity', params, boto.sts.credentials.AssumedRole, verb='POST'),
            secrets=[jwt])
        return token.replace(method=self.METHOD)
