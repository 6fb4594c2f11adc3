"""Where credentials come from: botocore's provider chain, for boto 2.

Usage::

    import stsboto
    token = stsboto.find_token()                    # None, a Token or a RefreshableToken
    token = stsboto.find_token(profile='deploy')    # one profile (skips the environment's keys)
    print(token.method)                             # 'env', 'assume-role', 'iam-role', ...

One module per kind of source, each source a small class with one ``load()``
(botocore's shape): :mod:`~stsboto.credentials.env`,
:mod:`~stsboto.credentials.files` (shared credentials and config files, boto's
config, token files), :mod:`~stsboto.credentials.process`
(``credential_process``), :mod:`~stsboto.credentials.roles` (assume-role
profiles, web identity), :mod:`~stsboto.credentials.sso` (IAM Identity
Center profiles), :mod:`~stsboto.credentials.metadata` (container
credentials, EC2 instance metadata); :mod:`~stsboto.credentials.chain` walks
them in botocore's order.  This module imports none of them until
:func:`find_token` runs, to keep ``import stsboto`` cheap.
"""
from __future__ import absolute_import, unicode_literals

from stsboto import token as _token

__all__ = ['find_token']


def find_token(profile=None, environ=None, mfa_callback=None, time_fetcher=None, process_timeout=None):
    """The credentials AWS SDKs would find for this process, or None.

    Usage: ``token = stsboto.find_token()`` or ``stsboto.find_token(profile='deploy')``

    Walks botocore's chain (see :mod:`stsboto.credentials.chain` for the
    order and the README, "Where credentials come from", for every source's
    variables and keys) and returns the first answer:

    * a :class:`stsboto.Token` for sources whose credentials do not expire
      or cannot be fetched again (environment, shared files, boto config, a
      ``credential_process`` answer without ``Expiration``);
    * a :class:`stsboto.RefreshableToken` for the others (assume-role, web
      identity, SSO, ``credential_process`` with ``Expiration``, container,
      instance metadata): pass it to :func:`stsboto.connect_with_token`, or
      call ``.get()`` for a current Token.  Role and SSO sources call STS or
      the SSO portal on the first ``get()``, as botocore defers them;
    * None when nothing is configured.

    Either has a ``method`` attribute naming the source with botocore's
    names: ``env``, ``assume-role``, ``assume-role-with-web-identity``, ``sso``,
    ``shared-credentials-file``, ``custom-process``, ``config-file``,
    ``boto-config``, ``container-role``, ``iam-role``.  On a Token it is a
    field that equality ignores; on a RefreshableToken an attribute, and every
    Token it hands out carries it too.

    :param str profile: the profile to use; None: ``AWS_DEFAULT_PROFILE``, ``AWS_PROFILE``, else
        ``default``.  An explicit profile skips the environment's keys and
        web identity variables (botocore's rule for ``Session(profile=)``).
    :param environ: a mapping to read instead of ``os.environ``.
    :param mfa_callback: ``callable(mfa_serial) -> str``, the MFA code for
        assume-role profiles with ``mfa_serial``; default: ask on the
        terminal (``getpass``) when there is one.
    :param time_fetcher: the clock of returned RefreshableTokens (tests).
    :param float process_timeout: the seconds a ``credential_process`` helper
        may take to print its answer and exit; then it and every process it
        started are killed and :class:`CredentialSourceError` names the limit.
        None: ``STSBOTO_CREDENTIAL_PROCESS_TIMEOUT``, else 60.
    :raises MissingCredentialsError: the profile named (or the variables')
        is in neither file, or ``AWS_SHARED_CREDENTIALS_FILE`` /
        ``AWS_CONFIG_FILE`` names a file that does not exist.
    :raises InvalidTokenError: configured credentials are malformed.
    :raises CredentialConfigError: the configuration is inconsistent
        (``source_profile`` loop, unknown ``credential_source``, a container
        URI on a host that is not allowed, an SSO profile missing a key, ...).
    :raises CredentialSourceError: a configured source failed
        (``credential_process`` exit status, a garbage metadata answer); from
        ``get()`` of an SSO profile without a usable token, saying to run
        ``aws sso login --profile NAME`` (as the cause of the
        :class:`stsboto.TokenRefreshError`).
    """
    from stsboto.credentials.chain import Chain
    return Chain(profile, environ, mfa_callback, time_fetcher, process_timeout).find()


# What Token.from_env, from_profile, save and load do (stsboto.token explains
# why it cannot import this package).  Each imports its module on first use.

def _from_env(environ, cls):
    from stsboto.credentials.env import token_from_env
    return token_from_env(environ, cls)


def _from_profile(name, path, environ, cls):
    from stsboto.credentials.files import token_from_profile
    return token_from_profile(name, path, environ, cls)


def _save(token, path):
    from stsboto.credentials.files import save_token
    save_token(token, path)


def _load(path, cls):
    from stsboto.credentials.files import load_token
    return load_token(path, cls)


_token._SOURCES.update(from_env=_from_env, from_profile=_from_profile, save=_save, load=_load,
                       find_token=find_token)
