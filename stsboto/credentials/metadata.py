"""Credentials from platform endpoints: ECS/EKS container credentials and EC2 instance
metadata (IMDSv2 first).  botocore's names: ``container-role``, ``iam-role``.

Usage::

    from stsboto.credentials.metadata import ContainerSource, InstanceMetadataSource
    source = InstanceMetadataSource(environ, config)   # config: the profile's keys
    token = source.load()      # a RefreshableToken, or None

Both answer with a :class:`stsboto.RefreshableToken` that fetches again before
expiry.  Every answer is size-limited (:data:`stsboto.credentials.http.MAX_RESPONSE_SIZE`)
and validated: an HTML page, bad JSON or missing fields is a
:class:`stsboto.CredentialSourceError` naming the endpoint, never a secret.
"""
from __future__ import absolute_import, unicode_literals

import json
import logging
import os
import re
import socket
import time

import six
from six.moves.urllib.parse import urlsplit

from stsboto.credentials import http as _http
from stsboto.credentials.http import MetadataTimeout, MetadataUnreachable, Oversized
from stsboto.exceptions import CredentialConfigError, CredentialSourceError, InvalidTokenError
from stsboto.token import Token

__all__ = ['ContainerSource', 'InstanceMetadataSource', 'CONTAINER_HOST', 'ALLOWED_CONTAINER_HOSTS',
           'IMDS_ENDPOINT', 'IMDS_ENDPOINT_IPV6']

log = logging.getLogger(__name__)

#: Refresh windows of the two sources that rotate credentials themselves and cost one
#: loopback request to ask (instance metadata, container): botocore's fixed 15 and 10
#: minutes before expiry, not a share of the lifetime seen here (credentials served with
#: 2 minutes left would otherwise not be asked again until 30 s before they expire);
#: and no quiet period, so in the mandatory window every use asks again (one request in
#: flight at a time, as botocore does) and the first use after the source rotated gets
#: the new credentials.  Tokens stsboto issues, credential_process and SSO keep the
#: lifetime share (re-running a process on every call is what users complained of).
ROTATING_SOURCE_WINDOWS = {'advisory_window': 15 * 60, 'mandatory_window': 10 * 60,
                           'retry_interval': 0}

# botocore/utils.py ContainerMetadataFetcher: the ECS endpoint and the hosts a
# FULL_URI may name over plain http (ECS, EKS Pod Identity IPv4 and IPv6).
CONTAINER_HOST = '169.254.170.2'
ALLOWED_CONTAINER_HOSTS = ('169.254.170.2', '169.254.170.23', 'fd00:ec2::23', 'localhost')
_CONTAINER_TIMEOUT = 2      # botocore: 2 s, 3 attempts, 1 s apart
_CONTAINER_ATTEMPTS = 3
_CONTAINER_PAUSE = 1
# botocore/utils.py IMDSFetcher
IMDS_ENDPOINT = 'http://169.254.169.254/'
IMDS_ENDPOINT_IPV6 = 'http://[fd00:ec2::254]/'
_IMDS_TOKEN_PATH = 'latest/api/token'
_IMDS_TOKEN_TTL = '21600'
_IMDS_ROLE_PATH = 'latest/meta-data/iam/security-credentials/'
_ROLE_NAME = r'^[\w+=,.@-]{1,64}\Z'   # IAM role name rule


def _text_json(body, what, method):
    try:
        data = json.loads(body.decode('utf-8'))
    except (ValueError, UnicodeDecodeError, RuntimeError):
        raise CredentialSourceError('%s did not answer with JSON (it sent %s)' % (what, _kind(body)),
                                    method=method)
    if not isinstance(data, dict):
        raise CredentialSourceError('%s answered JSON that is not an object' % what, method=method)
    return data


def _kind(body):
    """What a bad answer looks like, for a message: never any of its text (it might
    hold a secret)."""
    if body.lstrip()[:1] == b'<':
        return 'an HTML or XML page of %d bytes' % len(body)
    return '%d bytes' % len(body)


def _token_from(data, what, method, token_key):
    missing = [k for k in ('AccessKeyId', 'SecretAccessKey', token_key, 'Expiration')
               if not data.get(k)]
    if missing:
        code = data.get('Code')
        raise CredentialSourceError('%s answered without %s%s' % (
            what, ', '.join(missing),
            ' (Code %s)' % code if isinstance(code, six.string_types) and re.match(r'^\w{1,64}\Z', code)
            else ''), method=method)
    try:
        return Token(data['AccessKeyId'], data['SecretAccessKey'], data[token_key],
                     data['Expiration'], method=method)
    except InvalidTokenError as error:
        six.raise_from(CredentialSourceError('%s answered bad credentials: %s' % (what, error),
                                             method=method), None)


# -- container credentials -----------------------------------------------------------

class ContainerSource(object):
    """botocore's ``ContainerProvider`` (ECS task roles, EKS Pod Identity).

    ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` (on ``http://169.254.170.2``) or
    ``AWS_CONTAINER_CREDENTIALS_FULL_URI``: https to any host, or http to a
    loopback address or one of :data:`ALLOWED_CONTAINER_HOSTS` (anything else
    is refused before a request).  ``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE``
    (re-read on every fetch: EKS rotates it), else
    ``AWS_CONTAINER_AUTHORIZATION_TOKEN``, is sent as the ``Authorization`` header.
    """

    METHOD = 'container-role'
    CANONICAL_NAME = 'EcsContainer'

    def __init__(self, environ, time_fetcher=None, sleep=time.sleep):
        self.environ = environ
        self.time_fetcher = time_fetcher
        self.sleep = sleep

    def configured(self):
        return bool(self.environ.get('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI') or
                    self.environ.get('AWS_CONTAINER_CREDENTIALS_FULL_URI'))

    def url(self):
        relative = self.environ.get('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')
        if relative:
            if not relative.startswith('/'):
                raise CredentialConfigError('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with "/"',
                                            'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')
            return 'http://%s%s' % (CONTAINER_HOST, relative)
        url = self.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI']
        check_container_url(url)
        return url

    def load(self):
        if not self.configured():
            return None
        from stsboto.refresh import RefreshableToken
        url = self.url()
        first = self.fetch(url)
        source = RefreshableToken(first, lambda: self.fetch(url), time_fetcher=self.time_fetcher,
                                  **ROTATING_SOURCE_WINDOWS)
        source.method = self.METHOD
        return source

    def _authorization(self):
        path = self.environ.get('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE')
        if path:
            from stsboto.credentials.files import check_readable_file
            check_readable_file(path, 16 * 1024, 'container authorization token file',
                                'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE')
            with open(path, 'rb') as stream:
                value = stream.read(16 * 1024).decode('utf-8', 'replace').strip()
            name = 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE'
        else:
            value = self.environ.get('AWS_CONTAINER_AUTHORIZATION_TOKEN')
            name = 'AWS_CONTAINER_AUTHORIZATION_TOKEN'
        if not value:
            return {}
        # botocore refuses CR and LF (header injection); so do we, and any control character.
        if re.search(r'[\x00-\x1f\x7f]', value):
            raise CredentialConfigError('%s holds a control character; it cannot be an '
                                        'Authorization header' % name, name)
        return {'Authorization': value}

    def fetch(self, url):
        """A Token from the endpoint (3 attempts, 2 s each, as botocore)."""
        what = 'the container credentials endpoint %s' % _safe_url(url)
        headers = {'Accept': 'application/json'}
        headers.update(self._authorization())
        last = None
        for attempt in range(_CONTAINER_ATTEMPTS):
            if attempt:
                self.sleep(_CONTAINER_PAUSE)
            try:
                status, body = _http.request('GET', url, headers, timeout=_CONTAINER_TIMEOUT)
            except Oversized:
                raise CredentialSourceError('%s answered more than 64 KiB' % what, method=self.METHOD)
            except MetadataUnreachable as error:
                last = '%s' % error
                continue
            if status == 200:
                return _token_from(_text_json(body, what, self.METHOD), what, self.METHOD, 'Token')
            if status < 500:
                raise CredentialSourceError('%s answered HTTP %d' % (what, status), method=self.METHOD)
            last = 'HTTP %d' % status
        raise CredentialSourceError('%s did not answer after %d attempts (%s)'
                                    % (what, _CONTAINER_ATTEMPTS, last), method=self.METHOD)


def check_container_url(url):
    """Raise :class:`CredentialConfigError` unless botocore would fetch from ``url``."""
    field = 'AWS_CONTAINER_CREDENTIALS_FULL_URI'
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (a bad port raises ValueError here)
    except ValueError:
        raise CredentialConfigError('%s is not a URL' % field, field)
    if parts.scheme == 'https' and host:
        return
    if parts.scheme != 'http' or not host:
        raise CredentialConfigError('%s must be an http:// or https:// URL' % field, field)
    if host in ALLOWED_CONTAINER_HOSTS or _is_loopback(host):
        return
    raise CredentialConfigError(
        '%s names host %s: over plain http only a loopback address or %s is allowed (as in '
        'botocore); use https for other hosts' % (field, host, ', '.join(ALLOWED_CONTAINER_HOSTS)),
        field)


def _is_loopback(host):
    """127.0.0.0/8 or ::1 (the stdlib ipaddress module is not on Python 2)."""
    if re.match(r'^127(\.\d{1,3}){3}\Z', host):
        return all(int(part) < 256 for part in host.split('.'))
    try:
        return socket.inet_pton(socket.AF_INET6, str(host)) == socket.inet_pton(socket.AF_INET6, '::1')
    except (socket.error, ValueError, AttributeError):
        return False


def _safe_url(url):
    """The URL without its query (which might carry a credential)."""
    parts = urlsplit(url)
    return '%s://%s%s' % (parts.scheme, parts.netloc, parts.path)


# -- EC2 instance metadata -------------------------------------------------------------

def _setting(environ, config, variable, key, default=None):
    value = environ.get(variable)
    if value in (None, ''):
        value = config.get(key)
    return default if value in (None, '') else value


def _number(value, name, kind, low):
    try:
        number = kind(value)
    except (TypeError, ValueError, OverflowError):
        number = None
    # ``not number >= low`` also catches NaN; inf is refused explicitly.
    if number is None or not number >= low or number == float('inf'):
        raise CredentialConfigError('%s must be a finite number of at least %s' % (name, low), name)
    return number


class InstanceMetadataSource(object):
    """botocore's ``InstanceMetadataProvider`` with IMDSv2.

    ``PUT /latest/api/token`` (``X-aws-ec2-metadata-token-ttl-seconds``), then
    GETs with ``X-aws-ec2-metadata-token``.  Settings, each an environment
    variable or the profile's config key, botocore's defaults:

    ``AWS_EC2_METADATA_DISABLED`` (``true``: no request at all; read from the
    ``environ`` given and from ``os.environ``, either one disables);
    ``AWS_EC2_METADATA_SERVICE_ENDPOINT`` / ``ec2_metadata_service_endpoint``;
    ``AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`` / ``ec2_metadata_service_endpoint_mode``
    (``IPv4`` or ``IPv6``); ``AWS_EC2_METADATA_V1_DISABLED`` /
    ``ec2_metadata_v1_disabled``; ``AWS_METADATA_SERVICE_TIMEOUT`` /
    ``metadata_service_timeout`` (1 s) and ``AWS_METADATA_SERVICE_NUM_ATTEMPTS`` /
    ``metadata_service_num_attempts`` (1).

    IMDSv1 fallback, where botocore falls back: the token PUT answered 403,
    404 or 405, or the PUT timed out after connecting (a container behind a
    hop limit of 1 never sees the answer).  Never with v1 disabled (then a
    clear error).  Where stsboto is stricter than botocore: no connection at
    all (refused, unreachable, connect timeout) means "not on EC2" at once,
    without a v1 attempt, so a laptop pays at most one timeout.
    """

    METHOD = 'iam-role'
    CANONICAL_NAME = 'Ec2InstanceMetadata'

    def __init__(self, environ, config=None, time_fetcher=None):
        config = config or {}
        self.environ = environ
        self.time_fetcher = time_fetcher
        # Disabled in the mapping passed OR in the process environment: a mapping
        # passed as environ= (a CLI's or a test's) cannot switch IMDS back on for a
        # process that turned it off.
        self.disabled = any((env.get('AWS_EC2_METADATA_DISABLED') or '').lower() == 'true'
                            for env in (environ, os.environ))
        mode = _setting(environ, config, 'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE',
                        'ec2_metadata_service_endpoint_mode', 'IPv4')
        if mode.lower() not in ('ipv4', 'ipv6'):
            raise CredentialConfigError('AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be IPv4 or IPv6',
                                        'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE')
        endpoint = _setting(environ, config, 'AWS_EC2_METADATA_SERVICE_ENDPOINT',
                            'ec2_metadata_service_endpoint')
        if endpoint:
            parts = urlsplit(endpoint)
            if parts.scheme not in ('http', 'https') or not parts.netloc:
                raise CredentialConfigError('AWS_EC2_METADATA_SERVICE_ENDPOINT must be an http:// URL',
                                            'AWS_EC2_METADATA_SERVICE_ENDPOINT')
        self.endpoint = endpoint or (IMDS_ENDPOINT_IPV6 if mode.lower() == 'ipv6' else IMDS_ENDPOINT)
        if not self.endpoint.endswith('/'):
            self.endpoint += '/'
        self.v1_disabled = _setting(environ, config, 'AWS_EC2_METADATA_V1_DISABLED',
                                    'ec2_metadata_v1_disabled', 'false').lower() == 'true'
        self.timeout = _number(_setting(environ, config, 'AWS_METADATA_SERVICE_TIMEOUT',
                                        'metadata_service_timeout', 1),
                               'AWS_METADATA_SERVICE_TIMEOUT', float, 0.001)
        self.attempts = _number(_setting(environ, config, 'AWS_METADATA_SERVICE_NUM_ATTEMPTS',
                                         'metadata_service_num_attempts', 1),
                                'AWS_METADATA_SERVICE_NUM_ATTEMPTS', int, 1)

    def load(self):
        if self.disabled:
            log.debug('EC2 instance metadata disabled (AWS_EC2_METADATA_DISABLED)')
            return None
        first = self.fetch()
        if first is None:
            return None
        from stsboto.refresh import RefreshableToken
        source = RefreshableToken(first, self._refetch, time_fetcher=self.time_fetcher,
                                  **ROTATING_SOURCE_WINDOWS)
        source.method = self.METHOD
        return source

    def _refetch(self):
        token = self.fetch()
        if token is None:
            raise CredentialSourceError('the instance metadata service at %s no longer answers'
                                        % self.endpoint, method=self.METHOD)
        return token

    def _call(self, method, path, headers):
        """(status, body), or None when no connection could be made; retries per attempts."""
        url = self.endpoint + path
        result = None
        for _ in range(self.attempts):
            try:
                return _http.request(method, url, headers, timeout=self.timeout, proxies=True)
            except Oversized:
                raise CredentialSourceError('the instance metadata service at %s answered more than '
                                            '64 KiB for %s' % (self.endpoint, path), method=self.METHOD)
            except MetadataTimeout as error:
                result = error
            except MetadataUnreachable as error:
                result = result if isinstance(result, MetadataTimeout) else error
        if isinstance(result, MetadataTimeout):
            raise result
        return None

    def _session_token(self):
        """('token', value) | ('v1', None) | ('absent', None) | ('refused', None)."""
        try:
            answer = self._call('PUT', _IMDS_TOKEN_PATH,
                                {'X-aws-ec2-metadata-token-ttl-seconds': _IMDS_TOKEN_TTL})
        except MetadataTimeout:
            return 'v1', None
        if answer is None:
            return 'absent', None
        status, body = answer
        if status == 200 and body.strip():
            value = body.strip().decode('ascii', 'replace')
            if re.search(r'[^\x21-\x7e]', value) or len(value) > 4096:
                raise CredentialSourceError('the instance metadata service at %s answered a session '
                                            'token that cannot be a header' % self.endpoint,
                                            method=self.METHOD)
            return 'token', value
        if status in (403, 404, 405):
            return 'v1', None
        return 'refused', status

    def fetch(self):
        """A Token from the instance's role, or None when there is no IMDS or no role."""
        kind, value = self._session_token()
        if kind == 'absent':
            log.debug('no EC2 instance metadata service at %s', self.endpoint)
            return None
        if kind == 'refused':
            log.debug('EC2 instance metadata token request refused (HTTP %s)', value)
            return None
        headers = {}
        if kind == 'token':
            headers['X-aws-ec2-metadata-token'] = value
        elif self.v1_disabled:
            raise CredentialSourceError(
                'the instance metadata service at %s gave no IMDSv2 session token and IMDSv1 is '
                'disabled (AWS_EC2_METADATA_V1_DISABLED)' % self.endpoint, method=self.METHOD)
        what = 'the instance metadata service at %s' % self.endpoint
        try:
            answer = self._call('GET', _IMDS_ROLE_PATH, headers)
        except MetadataTimeout:
            answer = None
        if answer is None:
            if kind == 'v1':
                # botocore: no answer to the token PUT nor to the v1 GET is "no IMDS"
                log.debug('no answer from EC2 instance metadata at %s', self.endpoint)
                return None
            raise CredentialSourceError('%s stopped answering' % what, method=self.METHOD)
        status, body = answer
        if status != 200:
            # 404: the instance has no role.  Other statuses: botocore gives up
            # quietly too ("no credentials from IMDS"), and so does the chain.
            log.debug('EC2 instance metadata at %s answered HTTP %d for the role name: no role',
                      self.endpoint, status)
            return None
        lines = body.decode('utf-8', 'replace').strip().splitlines()
        role = lines[0].strip() if lines else ''
        if not re.match(_ROLE_NAME, role):
            raise CredentialSourceError('%s answered something that is not an IAM role name (%s)'
                                        % (what, _kind(body)), method=self.METHOD)
        try:
            answer = self._call('GET', _IMDS_ROLE_PATH + role, headers)
        except MetadataTimeout:
            answer = None
        if answer is None:
            raise CredentialSourceError('%s stopped answering' % what, method=self.METHOD)
        status, body = answer
        if status != 200:
            raise CredentialSourceError('%s answered HTTP %d for the credentials of role %s'
                                        % (what, status, role), method=self.METHOD)
        return _token_from(_text_json(body, what, self.METHOD), what, self.METHOD, 'Token')
