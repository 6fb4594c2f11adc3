"""The chain: every credential source, walked in botocore's order.

Usage::

    from stsboto.credentials.chain import Chain
    token = Chain(profile='deploy').find()     # what stsboto.find_token returns

The order of botocore's ``create_credential_resolver`` (its ``login`` source
and the old EC2 CLI file ``AWS_CREDENTIAL_FILE`` are not implemented):

==  ===============================  ===========================================
1   ``env``                          skipped when a profile is passed explicitly
2   ``assume-role``                  the profile has ``role_arn``
3   ``assume-role-with-web-identity``
4   ``sso``                          ``sso_account_id`` / ``sso_role_name`` (IAM Identity Center)
5   ``shared-credentials-file``
6   ``custom-process``               the profile's ``credential_process``
7   ``config-file``
8   ``boto-config``                  boto 2's ``[Credentials]``
9   ``container-role``
10  ``iam-role``                     EC2 instance metadata, IMDSv2 first
==  ===============================  ===========================================

The first source that is configured answers; one that is configured but
broken raises (it is never skipped silently).
"""
from __future__ import absolute_import, unicode_literals

import os

import six

from stsboto.config import profile_name
from stsboto.credentials.env import EnvSource
from stsboto.credentials.files import (BotoConfigSource, ConfigFileSource, SharedCredentialsSource,
                                       SharedFiles)
from stsboto.credentials.metadata import ContainerSource, InstanceMetadataSource
from stsboto.credentials.process import ProcessSource
from stsboto.credentials.process import process_timeout as _process_timeout
from stsboto.credentials.roles import AssumeRoleSource, WebIdentitySource
from stsboto.credentials.sso import SSOSource
from stsboto.exceptions import InvalidParameterError, MissingCredentialsError

__all__ = ['Chain', 'METHODS']

#: Every ``method`` a token from the chain can carry, in the chain's order.
METHODS = ('env', 'assume-role', 'assume-role-with-web-identity', 'sso', 'shared-credentials-file',
           'custom-process', 'config-file', 'boto-config', 'container-role', 'iam-role')


class Chain(object):
    """One walk of the chain for one profile and environment (see the module docstring).

    :param str profile: the profile; None: ``AWS_DEFAULT_PROFILE``, else
        ``AWS_PROFILE``, else ``default``.
        Passing it (as botocore's ``Session(profile=...)``) skips the
        environment's keys and its web identity variables.
    :param environ: a mapping to read instead of ``os.environ``.
    :param mfa_callback: ``callable(mfa_serial) -> code`` for assume-role
        profiles with ``mfa_serial`` (see :class:`AssumeRoleSource`).
    :param time_fetcher: the clock of the RefreshableTokens returned (tests).
    :param float process_timeout: seconds a ``credential_process`` helper may
        take (None: ``STSBOTO_CREDENTIAL_PROCESS_TIMEOUT``, else 60).
    """

    def __init__(self, profile=None, environ=None, mfa_callback=None, time_fetcher=None,
                 process_timeout=None):
        if profile is not None and (not isinstance(profile, six.string_types) or not profile.strip()):
            raise InvalidParameterError('profile must be a profile name', 'profile')
        self.environ = os.environ if environ is None else environ
        self.explicit = profile is not None
        # botocore's order: AWS_DEFAULT_PROFILE, then AWS_PROFILE (one rule: stsboto.config)
        self.profile = profile_name(self.environ, profile)
        self.named = self.explicit or bool(self.environ.get('AWS_DEFAULT_PROFILE') or
                                           self.environ.get('AWS_PROFILE'))
        self.mfa_callback = mfa_callback
        self.time_fetcher = time_fetcher
        self.files = SharedFiles(self.environ)
        if process_timeout is not None:
            process_timeout = _process_timeout(process_timeout)   # bad input: before any call
        self.process_timeout = process_timeout

    def _process_source(self, name):
        # The variable is read (and checked) only when a helper is configured.
        command = self.files.profile(name).get('credential_process')
        timeout = _process_timeout(self.process_timeout, self.environ) if command else None
        return ProcessSource(name, command, time_fetcher=self.time_fetcher, timeout=timeout)

    def sources(self):
        """The sources in order (built lazily: a later source costs nothing if an earlier answers)."""
        if not self.explicit:
            yield EnvSource(self.environ)
        yield _ProfileCheck(self)
        yield AssumeRoleSource(self, self.profile)
        for source in self._profile_sources(self.profile, use_environment=not self.explicit):
            yield source
        yield BotoConfigSource(self.environ)
        yield ContainerSource(self.environ, time_fetcher=self.time_fetcher)
        yield InstanceMetadataSource(self.environ, self.files.profile(self.profile),
                                     time_fetcher=self.time_fetcher)

    def _profile_sources(self, name, use_environment):
        # botocore's ProfileProviderBuilder.providers (without its newer 'login')
        yield WebIdentitySource(self, name, use_environment)
        yield SSOSource(self.files, name, self.environ, time_fetcher=self.time_fetcher)
        yield SharedCredentialsSource(self.files, name)
        yield _Deferred(lambda: self._process_source(name))
        yield ConfigFileSource(self.files, name)

    def profile_sources(self, name, role=True):
        """The first answer of the profile sources for ``name`` (a source_profile), or None."""
        sources = [AssumeRoleSource(self, name)] if role else []
        sources.extend(self._profile_sources(name, use_environment=False))
        for source in sources:
            found = source.load()
            if found is not None:
                return found
        return None

    def named_source(self, canonical_name, profile):
        """The source a ``credential_source`` names (botocore's canonical names)."""
        if canonical_name == 'Environment':
            return EnvSource(self.environ)
        if canonical_name == 'EcsContainer':
            return ContainerSource(self.environ, time_fetcher=self.time_fetcher)
        return InstanceMetadataSource(self.environ, self.files.profile(profile),
                                      time_fetcher=self.time_fetcher)

    def find(self):
        """The first source's answer: a Token, a RefreshableToken, or None."""
        for source in self.sources():
            found = source.load()
            if found is not None:
                return found
        return None


class _ProfileCheck(object):
    """A profile named by the caller, ``AWS_DEFAULT_PROFILE`` or ``AWS_PROFILE`` must exist
    (botocore's ProfileNotFound)."""

    def __init__(self, chain):
        self.chain = chain

    def load(self):
        chain = self.chain
        if chain.named and not chain.files.has_profile(chain.profile):
            raise MissingCredentialsError(
                'profile %s not found in the shared credentials file %s or the config file %s'
                % (chain.profile, chain.files.credentials_path, chain.files.config_path))
        return None


class _Deferred(object):
    def __init__(self, make):
        self.make = make

    def load(self):
        return self.make().load()
