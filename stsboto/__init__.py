"""stsboto: AWS temporary credentials (STS tokens) made easy and correct for boto 2.

Usage::

    import stsboto
    token = stsboto.issue_token(bucket='photos', name='uploader-42')   # issuer
    conn = stsboto.connect_with_token(token)                            # client
    conn.get_bucket('photos').new_key('a.txt').set_contents_from_string('hi')

Where to read: the README (README.rst, also the package index page) tells the
whole story, section by section; the API reference is built from these
docstrings with Sphinx (``docs/``, ``tox -e docs``); ``stsboto doctor`` says
what this machine's boto 2 programs get.  ``help()`` of one name is short:
``help(stsboto.connect_with_token)``, ``help(stsboto.Token)``.  The rest of
``help(stsboto)`` documents every exported class with what it inherits: boto's
``S3Connection`` members under ``TokenS3Connection``, Python's exception members
under each error.

Importing stsboto first makes boto 2.49 work on Python 3.12 to 3.15 (see
``stsboto._boto``).  ``from stsboto import transfer`` (checked, parallel
uploads and downloads) and the command line are loaded only when used, to keep
``import stsboto`` close to the cost of importing boto's S3 and STS modules.

``stsboto.patch_boto()`` (or ``STSBOTO_PATCH_BOTO=1`` in the environment) fixes
boto itself, for programs that use boto's own classes (see ``stsboto.patch``).
"""
from __future__ import absolute_import

import logging

from stsboto import _boto  # noqa: F401  (first: makes boto importable on 3.12+)
from stsboto import logfilter, policy, refresh, regions, s3, sts  # noqa: F401
from stsboto import signing  # noqa: F401
from stsboto.exceptions import (InvalidInputError, InvalidParameterError, InvalidPolicyError,
                                InvalidTokenError, MissingCredentialsError, StsbotoError,
                                TokenExpiredError, TokenIssueError, TokenRefreshError)
from stsboto.exceptions import EndpointConnectionError, RedirectRefusedError, STSEndpointConnectionError
from stsboto.exceptions import (CredentialConfigError, CredentialSourceError, LocalFileError,
                                MaskedError, TokenFileError)
from stsboto.exceptions import IntegrityError, TransferError, TransferInterrupted, VendConfigError
from stsboto.exceptions import (BotoNotPatchedWarning, ConfigurationWarning, StsbotoWarning,
                                UnverifiedUploadWarning)
from stsboto.logfilter import SecretMaskingFilter, install_log_filter
from stsboto.policy import bucket_policy, issuer_policy
from stsboto.refresh import RefreshableToken
from stsboto.s3 import TokenS3Connection, connect_with_token
from stsboto.sts import assume_role, get_session_token, issue_token
from stsboto.token import Token
from stsboto.credentials import find_token

__version__ = '0.2.0'

__all__ = [
    # issuing and using tokens
    'Token', 'find_token', 'issue_token', 'assume_role', 'get_session_token',
    'connect_with_token', 'TokenS3Connection', 'RefreshableToken',
    # policies, logging
    'bucket_policy', 'issuer_policy', 'SecretMaskingFilter', 'install_log_filter',
    # fixing boto in place (zero code change: STSBOTO_PATCH_BOTO=1)
    'patch_boto', 'unpatch_boto',
    # modules (``from stsboto import sts, s3`` is the drop-in for boto's)
    'policy', 'regions', 's3', 'sts', 'refresh', 'logfilter',
    'signing',
    # errors
    'StsbotoError', 'InvalidInputError', 'InvalidTokenError', 'InvalidPolicyError',
    'InvalidParameterError', 'MissingCredentialsError', 'TokenExpiredError',
    'TokenIssueError', 'TokenRefreshError',
    'EndpointConnectionError', 'STSEndpointConnectionError', 'RedirectRefusedError',
    'CredentialSourceError', 'CredentialConfigError', 'LocalFileError', 'TokenFileError',
    'TransferError', 'IntegrityError', 'TransferInterrupted', 'MaskedError', 'VendConfigError',
    # warnings
    'StsbotoWarning', 'BotoNotPatchedWarning', 'UnverifiedUploadWarning', 'ConfigurationWarning',
    '__version__',
]


def patch_boto():
    """Fix boto itself, for every service and every program in this process.

    Usage: ``stsboto.patch_boto()``; see :func:`stsboto.patch.patch_boto`
    (``stsboto.patch`` is imported only when asked for: ``import stsboto``
    stays cheap).
    """
    from stsboto import patch
    return patch.patch_boto()


def unpatch_boto():
    """Give boto its own behaviour back; see :func:`stsboto.patch.unpatch_boto`."""
    from stsboto import patch
    return patch.unpatch_boto()


logging.getLogger(__name__).addHandler(logging.NullHandler())

_warned_not_patched = []


def _warn_boto_not_patched(ignored):
    # Called by the start-up finder when a program imports boto first (see
    # _stsboto_startup); once per process.
    if _warned_not_patched:
        return
    _warned_not_patched.append(True)
    import warnings
    warnings.warn(BotoNotPatchedWarning(
        'boto 2 ignores %s, set in this environment: it will connect to AWS without them. '
        'Set STSBOTO_PATCH_BOTO=1 to have stsboto patch boto to read them '
        '(STSBOTO_PATCH_BOTO=0 silences this warning)' % ', '.join(ignored)), stacklevel=2)


def _patch_if_asked():
    # STSBOTO_PATCH_BOTO=1: patch boto now (whether stsboto or boto was imported
    # first); the variable is read by the start-up module's rule, without
    # importing stsboto.patch when it is not set.
    import _stsboto_startup
    if _stsboto_startup.wanted():
        from stsboto import patch
        patch.apply_from_environment()


_patch_if_asked()
