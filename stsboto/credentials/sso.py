"""Credentials from IAM Identity Center (SSO) profiles (botocore's ``sso``).

Usage::

    from stsboto.credentials.sso import SSOSource
    source = SSOSource(files, 'dev', environ).load()   # a RefreshableToken, or None
    token = source.get()                               # GetRoleCredentials on first use

A profile is an SSO profile when it has ``sso_account_id`` or
``sso_role_name`` (botocore's ``SSOProvider``).  Two shapes, both read from
the shared config file:

* ``sso_session = NAME`` with a ``[sso-session NAME]`` section holding
  ``sso_start_url`` and ``sso_region`` (keys set in both places must agree);
* the legacy keys ``sso_start_url`` and ``sso_region`` in the profile itself.

``aws sso login`` caches the access token in
``~/.aws/sso/cache/<sha1>.json``: the SHA-1 (hex) of the session name, or of
the start URL for a legacy profile (botocore's ``SSOTokenLoader``).  For an
``sso_session`` profile a token with less than 15 minutes left is renewed with
the cached refresh token through SSO OIDC ``CreateToken`` (grant type
``refresh_token``) and the cache file is written back, mode 0600, in one
atomic rename (botocore's ``SSOTokenProvider``); a legacy token cannot be
renewed.  The access token then buys the role's credentials from the portal's
``GetRoleCredentials``; they are handed out by a :class:`stsboto.RefreshableToken`
that asks again before they expire.  As botocore defers ``SSOProvider``, no
request is made before the first ``get()``.

Endpoints: ``https://portal.sso.{region}.{dns suffix}/federation/credentials``
and ``https://oidc.{region}.{dns suffix}/token`` (botocore's endpoint rule
sets for ``sso`` and ``sso-oidc``), or what ``AWS_ENDPOINT_URL_SSO`` /
``AWS_ENDPOINT_URL_SSO_OIDC`` (else ``AWS_ENDPOINT_URL``) names, as every AWS
SDK reads them (AWS SDKs and Tools Reference Guide, "Service-specific
endpoints").  Both calls are unsigned, as in botocore (``authtype: none``).

Without a usable token the error says to run ``aws sso login --profile NAME``.
No message names the access token, the refresh token or the client secret.
"""
from __future__ import absolute_import, division, unicode_literals

import datetime
import hashlib
import io
import json
import logging
import os
import re
import time

import six
from six.moves.urllib.parse import urlencode

from stsboto import regions
from stsboto.config import check_readable_file, is_absent
from stsboto.credentials import http as _http
from stsboto.exceptions import (CredentialConfigError, CredentialSourceError, InvalidInputError,
                                InvalidTokenError)
from stsboto.logfilter import remember
from stsboto.token import Token, format_expiration, parse_expiration, utcnow

__all__ = ['SSOSource', 'cache_file', 'SSO_CACHE_DIR', 'TOKEN_REFRESH_WINDOW']

log = logging.getLogger(__name__)

#: Where ``aws sso login`` caches tokens (botocore's ``_SSO_TOKEN_CACHE_DIR``).
SSO_CACHE_DIR = os.path.join('~', '.aws', 'sso', 'cache')
#: An SSO access token with less time left is renewed first (botocore's ``_REFRESH_WINDOW``).
TOKEN_REFRESH_WINDOW = datetime.timedelta(minutes=15)
# A cached token file is a few hundred bytes.
_MAX_CACHE_FILE_SIZE = 64 * 1024
# Seconds per attempt, attempts, and the pause before the n-th retry (n * _PAUSE):
# a call that never connects gives up after about 33 s, so a renewal and the
# GetRoleCredentials that follows it mostly fit in RefreshableToken's default
# refresh_timeout (60 s); botocore's SSO clients wait 60 s per attempt.
_TIMEOUT = 10
_ATTEMPTS = 3
_PAUSE = 1
_PROFILE_KEYS = ('sso_role_name', 'sso_account_id')
_SESSION_KEYS = ('sso_start_url', 'sso_region')


def cache_file(name):
    """``~/.aws/sso/cache/<sha1 of name>.json``: where ``aws sso login`` caches the token
    of an sso-session (``name`` is the session name) or of a legacy profile (its start URL)."""
    digest = hashlib.sha1(name.encode('utf-8')).hexdigest()
    return os.path.join(os.path.expanduser(SSO_CACHE_DIR), digest + '.json')


class SSOSource(object):
    """One profile's IAM Identity Center role (see the module docstring).

    :param files: the :class:`stsboto.config.SharedFiles` to read.
    :param str profile: the profile name.
    :param environ: the environment (the endpoint variables).
    :param time_fetcher: the clock (aware UTC datetimes), for tests.
    :param sleep: how to wait between attempts, for tests.
    """

    METHOD = 'sso'

    def __init__(self, files, profile, environ=None, time_fetcher=None, sleep=time.sleep):
        self.files = files
        self.profile = profile
        self.environ = os.environ if environ is None else environ
        self.time_fetcher = time_fetcher
        self.sleep = sleep

    def load(self):
        """None for a profile without SSO keys, else a RefreshableToken (no request yet).

        :raises CredentialConfigError: a key is missing, the sso-session does not
            exist or disagrees with the profile, or ``sso_region`` is not a region.
        """
        settings = self.settings()
        if settings is None:
            return None
        from stsboto.refresh import RefreshableToken
        source = RefreshableToken(None, lambda: self.fetch(settings), time_fetcher=self.time_fetcher)
        source.method = self.METHOD
        return source

    # -- configuration ----------------------------------------------------------

    def settings(self):
        """The profile's SSO settings (``sso_session`` None for a legacy profile), or None."""
        values = self.files.profile(self.profile)
        if not any(key in values for key in _PROFILE_KEYS):
            return None
        where = 'profile %s in %s' % (self.profile, self.files.config_path)
        merged, required = dict(values), _PROFILE_KEYS + _SESSION_KEYS
        session = values.get('sso_session')
        if session is not None:
            section = self.files.section('sso-session', session)
            if section is None:
                raise CredentialConfigError('%s names sso_session %s, but the config file has no '
                                            '[sso-session %s] section' % (where, session, session),
                                            'sso_session', self.profile)
            for key, value in sorted(section.items()):
                if merged.get(key, value) != value:
                    raise CredentialConfigError(
                        '%s: %s differs between the profile and [sso-session %s]; keep one'
                        % (where, key, session), key, self.profile)
                merged[key] = value
            required += ('sso_session',)
        missing = [key for key in required if not merged.get(key)]
        if missing:
            raise CredentialConfigError('%s is configured for SSO but lacks %s' % (
                where, ', '.join(missing)), missing[0], self.profile)
        regions.validate_region(merged['sso_region'], 'sso_region')
        settings = dict((key, merged[key]) for key in required)
        settings.setdefault('sso_session', None)
        return settings

    # -- the cached SSO token -----------------------------------------------------

    def _now(self):
        return parse_expiration((self.time_fetcher or utcnow)(), 'time_fetcher()')

    def _login(self, reason):
        return CredentialSourceError('profile %s: %s; run `aws sso login --profile %s` to sign in '
                                     'again' % (self.profile, reason, self.profile),
                                     method=self.METHOD, profile=self.profile)

    def cache_path(self, settings):
        return cache_file(settings['sso_session'] or settings['sso_start_url'])

    def read_cache(self, settings):
        """The cached token (a dict with ``accessToken`` and an aware ``expiresAt``)."""
        path = self.cache_path(settings)
        owner = ('sso-session %s' % settings['sso_session'] if settings['sso_session']
                 else 'start URL %s' % settings['sso_start_url'])
        try:
            check_readable_file(path, _MAX_CACHE_FILE_SIZE, 'SSO token cache file')
            with io.open(path, 'rb') as stream:
                data = json.loads(stream.read(_MAX_CACHE_FILE_SIZE).decode('utf-8'))
        except (IOError, OSError) as error:
            if is_absent(error):
                raise self._login('no SSO token is cached for %s (%s does not exist)' % (owner, path))
            raise self._login('the SSO token cache %s cannot be read (%s)'
                              % (path, getattr(error, 'strerror', None) or type(error).__name__))
        except (InvalidInputError, ValueError, UnicodeDecodeError):
            raise self._login('the SSO token cache %s is not a token file' % path)
        if not isinstance(data, dict) or not data.get('accessToken') or not data.get('expiresAt'):
            raise self._login('the SSO token cache %s holds no accessToken and expiresAt' % path)
        for key in ('accessToken', 'refreshToken', 'clientSecret'):
            remember(data.get(key) if isinstance(data.get(key), six.string_types) else None)
        try:
            data['expiresAt'] = parse_expiration(data['expiresAt'], 'expiresAt')
        except InvalidTokenError:
            raise self._login('the SSO token cache %s has an unreadable expiresAt' % path)
        return data

    def access_token(self, settings):
        """A current SSO access token, renewed first when due (sso-session profiles only)."""
        cached = self.read_cache(settings)
        now = self._now()
        left = cached['expiresAt'] - now
        if left < TOKEN_REFRESH_WINDOW and settings['sso_session']:
            renewed = self._renew(settings, cached, now)
            if renewed is not None:
                return renewed['accessToken']
        if left <= datetime.timedelta(0):
            raise self._login('the SSO token expired at %s' % format_expiration(cached['expiresAt']))
        return cached['accessToken']

    def _reread(self, settings):
        try:
            return self.read_cache(settings)
        except CredentialSourceError:
            return None

    def _renew(self, settings, cached, now):
        """The renewed token, written back to the cache; None when it cannot be renewed."""
        keys = ('refreshToken', 'clientId', 'clientSecret', 'registrationExpiresAt')
        if not all(isinstance(cached.get(key), six.string_types) and cached[key] for key in keys):
            log.info('profile %s: the cached SSO token has no refresh token or client registration; '
                     'not renewing it', self.profile)
            return None
        try:
            registration_ends = parse_expiration(cached['registrationExpiresAt'], 'registrationExpiresAt')
        except InvalidTokenError:
            return None
        if registration_ends <= now:
            log.info('profile %s: the SSO client registration expired at %s', self.profile,
                     format_expiration(registration_ends))
            return None
        body = json.dumps({'grantType': 'refresh_token', 'clientId': cached['clientId'],
                           'clientSecret': cached['clientSecret'],
                           'refreshToken': cached['refreshToken']})
        try:
            answer = self._call('POST', self._url('sso_oidc', 'oidc', settings['sso_region'], '/token'),
                                {'Content-Type': 'application/json'}, body.encode('utf-8'),
                                'SSO OIDC CreateToken')
        except CredentialSourceError as error:
            # Another process (the CLI, a second program) may have renewed it meanwhile, and
            # the refresh token rotates: a fresh token in the cache beats the old one.
            latest = self._reread(settings)
            if latest is not None and latest['accessToken'] != cached['accessToken'] and \
                    latest['expiresAt'] > self._now():
                log.info('profile %s: the SSO token was renewed by another process', self.profile)
                return latest
            # botocore goes on with the old token when renewing fails
            log.warning('profile %s: renewing the SSO token failed: %s', self.profile, error)
            return None
        expires_in = answer.get('expiresIn')
        if not answer.get('accessToken') or not isinstance(expires_in, six.integer_types) or \
                isinstance(expires_in, bool):
            log.warning('profile %s: SSO OIDC CreateToken answered without accessToken and '
                        'expiresIn', self.profile)
            return None
        remember(answer['accessToken'])
        renewed = {
            'startUrl': settings['sso_start_url'],
            'region': settings['sso_region'],
            'accessToken': answer['accessToken'],
            'expiresAt': format_expiration(
                (self._now() + datetime.timedelta(seconds=expires_in)).replace(microsecond=0)),
            'clientId': cached['clientId'],
            'clientSecret': cached['clientSecret'],
            'registrationExpiresAt': cached['registrationExpiresAt'],
            'refreshToken': answer.get('refreshToken') or cached['refreshToken'],
        }
        remember(renewed['refreshToken'])
        from stsboto.credentials.files import write_private_file
        write_private_file(self.cache_path(settings), json.dumps(renewed).encode('utf-8'),
                           'an SSO token cache')
        log.info('profile %s: renewed the SSO token (now valid until %s)', self.profile,
                 renewed['expiresAt'])
        return renewed

    # -- the role's credentials --------------------------------------------------

    def fetch(self, settings):
        """A Token for the role (``method`` ``sso``) from GetRoleCredentials."""
        token = self.access_token(settings)
        query = urlencode([('role_name', settings['sso_role_name']),
                           ('account_id', settings['sso_account_id'])])
        url = self._url('sso', 'portal.sso', settings['sso_region'], '/federation/credentials?' + query)
        answer = self._call('GET', url, {'x-amz-sso_bearer_token': token}, None,
                            'SSO GetRoleCredentials',
                            role=' (is role %s in account %s assigned to you?)' % (
                                settings['sso_role_name'], settings['sso_account_id']))
        role = answer.get('roleCredentials')
        what = 'SSO GetRoleCredentials for profile %s' % self.profile
        if not isinstance(role, dict):
            raise CredentialSourceError('%s answered without roleCredentials' % what,
                                        method=self.METHOD, profile=self.profile)
        missing = [key for key in ('accessKeyId', 'secretAccessKey', 'sessionToken', 'expiration')
                   if not role.get(key)]
        if missing:
            raise CredentialSourceError('%s answered without %s' % (what, ', '.join(missing)),
                                        method=self.METHOD, profile=self.profile)
        expiration = role['expiration']
        if not isinstance(expiration, six.integer_types + (float,)) or isinstance(expiration, bool):
            raise CredentialSourceError('%s answered an expiration that is not milliseconds since '
                                        '1970' % what, method=self.METHOD, profile=self.profile)
        try:
            # milliseconds since the epoch (botocore's SSOCredentialFetcher._parse_timestamp)
            return Token(role['accessKeyId'], role['secretAccessKey'], role['sessionToken'],
                         parse_expiration(expiration / 1000.0), method=self.METHOD)
        except InvalidTokenError as error:
            six.raise_from(CredentialSourceError('%s answered bad credentials: %s' % (what, error),
                                                 method=self.METHOD, profile=self.profile), None)

    def _url(self, service, prefix, region, path):
        endpoint = regions.endpoint_from_env(service, self.environ)
        base = endpoint.url if endpoint is not None else 'https://%s.%s.%s' % (
            prefix, region, regions.dns_suffix(region))
        return base + path

    def _call(self, method, url, headers, body, what, role=None):
        """The JSON object an SSO endpoint answers; errors name the call, the status and the
        error code of an OAuth error body (SSO OIDC); ``role``: GetRoleCredentials' hint."""
        headers = dict(headers, Accept='application/json')
        where = '%s at %s' % (what, url.split('?', 1)[0])
        last = None
        for attempt in range(_ATTEMPTS):
            if attempt:
                self.sleep(_PAUSE * attempt)
            try:
                status, answer = _http.request(method, url, headers, timeout=_TIMEOUT, body=body)
            except _http.Oversized:
                raise CredentialSourceError('%s answered more than 64 KiB' % where,
                                            method=self.METHOD, profile=self.profile)
            except _http.MetadataUnreachable as error:
                last = '%s' % error
                continue
            if status == 200:
                try:
                    data = json.loads(answer.decode('utf-8'))
                except (ValueError, UnicodeDecodeError):
                    data = None
                if not isinstance(data, dict):
                    raise CredentialSourceError('%s did not answer a JSON object (%d bytes)'
                                                % (where, len(answer)), method=self.METHOD,
                                                profile=self.profile)
                return data
            code = _error_code(answer)
            last = 'HTTP %d%s' % (status, ' %s' % code if code else '')
            if status == 429 or status >= 500:
                continue
            if role and status == 401:   # UnauthorizedException (botocore's UnauthorizedSSOTokenError)
                raise self._login('%s refused the SSO token (%s)' % (where, last))
            raise CredentialSourceError('%s answered %s%s' % (where, last, role or ''),
                                        method=self.METHOD, profile=self.profile)
        raise CredentialSourceError('%s failed after %d attempts (%s)' % (where, _ATTEMPTS, last),
                                    method=self.METHOD, profile=self.profile)


def _error_code(body):
    """The AWS (``__type``) or OAuth (``error``) error code of a JSON answer; never its text."""
    try:
        data = json.loads(body.decode('utf-8'))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    code = data.get('__type') or data.get('error')
    if not isinstance(code, six.string_types):
        return None
    code = code.split('#')[-1].split(':')[0]
    return code if re.match(r'^\w{1,64}\Z', code) else None
