"""The errors stsboto raises, and the wording they share.

``StsbotoError`` is the one base.  Errors about what the caller passed also
subclass ``ValueError``, so ``except ValueError`` keeps working in code that
does not know stsboto.  No message here ever contains a secret access key or a
session token: the messages name the field and the rule, never the value of a
credential.
"""
from __future__ import absolute_import, unicode_literals

import socket

from stsboto._boto import boto

__all__ = [
    'StsbotoError', 'InvalidInputError', 'InvalidTokenError', 'InvalidPolicyError',
    'InvalidParameterError', 'MissingCredentialsError', 'TokenExpiredError',
    'TokenIssueError', 'TokenRefreshError',
    'EndpointConnectionError', 'STSEndpointConnectionError', 'RedirectRefusedError',
    'CredentialSourceError', 'CredentialConfigError', 'TokenFileError', 'LocalFileError',
    'TransferError', 'IntegrityError', 'TransferInterrupted', 'MaskedError',
    'StsbotoWarning', 'BotoNotPatchedWarning', 'UnverifiedUploadWarning',
    'VendConfigError',
]


class StsbotoError(Exception):
    """Base of every error stsboto raises."""


class InvalidInputError(StsbotoError, ValueError):
    """The caller passed something that breaks a rule; raised before any request.

    :ivar field: the name of the argument or token field at fault.
    """

    def __init__(self, message, field=None):
        super(InvalidInputError, self).__init__(message)
        self.field = field


class InvalidTokenError(InvalidInputError):
    """A token (dict, JSON, boto object) is malformed: a field is missing or bad."""


class InvalidPolicyError(InvalidInputError):
    """A policy, bucket name, prefix or action breaks an AWS rule."""


class InvalidParameterError(InvalidInputError):
    """Another argument (name, duration, region, ...) breaks an AWS rule."""


class MissingCredentialsError(StsbotoError, boto.exception.NoAuthHandlerFound):
    """No credentials were passed and none were found where boto looks.

    Also a ``boto.exception.NoAuthHandlerFound``, which boto raises in that
    case, so drop-in callers that catch boto's error keep working.
    """


class TokenExpiredError(StsbotoError):
    """The token has expired; nothing was sent.

    :ivar expiration: when the token expired (aware UTC datetime).
    """

    def __init__(self, message, expiration=None):
        super(TokenExpiredError, self).__init__(message)
        self.expiration = expiration


class TokenRefreshError(StsbotoError):
    """A refresh due in the mandatory window failed; the token has not expired yet.

    (Once it has expired, :class:`TokenExpiredError` is raised instead.)

    :ivar expiration: when the current token expires (aware UTC datetime), or
        None when there is no token yet.
    :ivar cause: what the refresh callable raised (also ``__cause__`` on
        Python 3), or a :class:`TokenExpiredError` when it returned a token
        that had already expired.
    """

    def __init__(self, message, expiration=None, cause=None):
        super(TokenRefreshError, self).__init__(message)
        self.expiration = expiration
        self.cause = cause


class TokenIssueError(StsbotoError):
    """STS refused to issue a token, or could not be reached.

    :ivar code: the AWS error code (``AccessDenied``, ``MalformedPolicyDocument``, ...)
        or None when no answer came.
    :ivar status: the HTTP status, or None.
    :ivar request_id: the AWS request id, or None.
    :ivar cause: the boto or socket exception behind it (also ``__cause__`` on Python 3).
    """

    def __init__(self, message, code=None, status=None, request_id=None, cause=None):
        super(TokenIssueError, self).__init__(message)
        self.code = code
        self.status = status
        self.request_id = request_id
        self.cause = cause


# -- connection failures ---------------------------------------------------------

class EndpointConnectionError(StsbotoError, socket.error):
    """The endpoint could not be reached: refused, unresolvable, or no answer in time.

    Raised after the retries asked for, instead of the bare socket error.  Also
    a ``socket.error`` (``OSError`` on Python 3), which boto let through, so
    drop-in code that catches that keeps working.

    :ivar endpoint: ``scheme://host:port`` (or ``host:port``) that could not be reached.
    :ivar cause: the socket error behind it (also ``__cause__`` on Python 3), or None.
    """

    def __init__(self, message, endpoint=None, cause=None):
        super(EndpointConnectionError, self).__init__(message)
        self.endpoint = endpoint
        self.cause = cause

    def __str__(self):
        return self.args[0] if self.args else ''


class STSEndpointConnectionError(EndpointConnectionError, TokenIssueError):
    """STS could not be reached.  Also a :class:`TokenIssueError`, so code that
    catches that for ``issue_token`` and friends keeps working."""

    def __init__(self, message, endpoint=None, cause=None):
        TokenIssueError.__init__(self, message, cause=cause)
        self.endpoint = endpoint


class RedirectRefusedError(StsbotoError):
    """An answer asked for the request to be sent elsewhere, and stsboto did not.

    A redirect is followed only to the bucket's region's S3 endpoint in the
    same partition (or, with a custom endpoint, to that endpoint), never from
    https to http, at most once per request: credentials and signatures go
    nowhere else (boto 2 followed any ``Location`` and signed again for it).

    :ivar location: the refused ``Location`` (or region), or None.
    :ivar status: the HTTP status of the answer.
    """

    def __init__(self, message, location=None, status=None):
        super(RedirectRefusedError, self).__init__(message)
        self.location = location
        self.status = status


# -- where credentials come from (stsboto.credentials) ------------------------

class LocalFileError(InvalidInputError, EnvironmentError):
    """A file the caller named cannot be read (missing, a directory, no permission).

    Also an ``EnvironmentError`` (``OSError``) with the ``errno`` of the
    failure, so code that caught what ``open()`` raised keeps working.

    :ivar field: the argument that named the file (``source``, ``path``).
    :ivar path: the file.
    """

    def __init__(self, message, field=None, path=None, errno=None):
        InvalidInputError.__init__(self, message, field)
        self.path = path
        self.errno = errno

    def __str__(self):
        return self.args[0] if self.args else ''


class TokenFileError(InvalidTokenError, LocalFileError):
    """A token file cannot be read; ``field`` is ``path``."""

    def __init__(self, message, path=None, errno=None):
        LocalFileError.__init__(self, message, 'path', path, errno)


class CredentialSourceError(StsbotoError):
    """A configured credential source could not deliver credentials.

    A ``credential_process`` exited non-zero or printed something that is not
    Version 1 JSON; a metadata endpoint answered garbage; STS refused an
    assume-role call.  The message names the source and the profile, never a
    secret.

    :ivar method: the source, in botocore's words (``custom-process``,
        ``iam-role``, ``container-role``, ``assume-role``, ...).
    :ivar profile: the profile it was configured in, or None.
    :ivar cause: the underlying exception, or None (also ``__cause__`` on Python 3).
    """

    def __init__(self, message, method=None, profile=None, cause=None):
        super(CredentialSourceError, self).__init__(message)
        self.method = method
        self.profile = profile
        self.cause = cause


class CredentialConfigError(InvalidInputError):
    """The credential configuration is inconsistent (a ``source_profile`` loop,
    an unknown ``credential_source``, a container URI on a host botocore does not
    allow, ...); raised before any request.

    :ivar field: the config key or environment variable at fault.
    :ivar profile: the profile concerned, or None.
    """

    def __init__(self, message, field=None, profile=None):
        super(CredentialConfigError, self).__init__(message, field)
        self.profile = profile


# -- transfers (stsboto.transfer) ---------------------------------------------


class _TransferInfo(object):
    """Attributes shared by every transfer error."""

    def _set_info(self, bucket, key, upload_id, aborted, cause, abort_error):
        self.bucket = bucket
        self.key = key
        self.upload_id = upload_id
        self.aborted = aborted
        self.cause = cause
        self.abort_error = abort_error


class TransferError(StsbotoError, _TransferInfo):
    """An upload or download failed; says what was left behind.

    :ivar str bucket: the bucket name.
    :ivar str key: the key name.
    :ivar str upload_id: the multipart upload's id, or None (single request,
        download, or the upload never started).
    :ivar bool aborted: True when the multipart upload was aborted (no parts
        remain); False when there was nothing to abort or aborting failed.
    :ivar cause: the exception behind the failure (also ``__cause__`` on
        Python 3), or None.  Secrets in its text are masked.
    :ivar abort_error: the exception that stopped the abort, or None.
    """

    def __init__(self, message, bucket=None, key=None, upload_id=None, aborted=False,
                 cause=None, abort_error=None):
        super(TransferError, self).__init__(message)
        self._set_info(bucket, key, upload_id, aborted, cause, abort_error)


class IntegrityError(TransferError):
    """What S3 stored or sent does not match what was read or expected
    (checksum, MD5, ETag or byte count)."""


class TransferInterrupted(KeyboardInterrupt, _TransferInfo):
    """Ctrl-C (``KeyboardInterrupt``) stopped a transfer; the message says
    what was cleaned up.  Has the attributes of :class:`TransferError`.

    It stays a ``KeyboardInterrupt`` so that ``except Exception`` does not
    swallow the user's Ctrl-C.
    """

    def __init__(self, message, bucket=None, key=None, upload_id=None, aborted=False,
                 cause=None, abort_error=None):
        super(TransferInterrupted, self).__init__(message)
        self._set_info(bucket, key, upload_id, aborted, cause, abort_error)


# -- a cause whose text could not be masked (stsboto.logfilter.mask_exception) ----

class MaskedError(StsbotoError):
    """Stands in, as a chained cause, for an exception whose text held a secret
    that could not be masked in place.

    :ivar type_name: the name of the exception type it replaces.
    """

    def __init__(self, message, type_name=None):
        super(MaskedError, self).__init__(message)
        self.type_name = type_name


# -- the shared wording of errors ---------------------------------------------
# The sentence every expiry error ends with.  The functions that build messages
# from a token or a boto error live with what they need:
# stsboto.token.token_expired_error, stsboto.logfilter.describe_boto_error and
# scrub_boto_error (this module imports nothing of stsboto above _boto).

#: What a token holder can do about an expired token (said by every expiry error).
GET_ANOTHER_TOKEN = ('get a new token (stsboto.issue_token, `stsboto issue`, or the service '
                     'that issued it) and connect again, or connect with refresh= to renew it '
                     'before it expires')


class StsbotoWarning(UserWarning):
    """Base of every warning stsboto issues (``warnings.simplefilter('error', StsbotoWarning)``)."""


class BotoNotPatchedWarning(StsbotoWarning):
    """boto was imported with the patch off while the environment holds what only the patch reads.

    Issued once per process, when a program imports boto (not stsboto) first
    and ``AWS_SESSION_TOKEN`` or an ``AWS_ENDPOINT_URL*`` variable is set: boto
    2 alone ignores them.  ``STSBOTO_PATCH_BOTO=1`` applies the patch;
    ``STSBOTO_PATCH_BOTO=0`` says the patch is off on purpose and silences this.
    """


class UnverifiedUploadWarning(StsbotoWarning):
    """An upload succeeded but the server did not confirm its checksum (``result.verified`` is False)."""
# -- the token-vending service (stsboto.vend) -----------------------------------


class VendConfigError(InvalidInputError):
    """The ``stsboto vend`` configuration breaks a rule; found at start-up (or on
    SIGHUP, when the running configuration is kept).

    :ivar section: the INI section at fault (``vend``, ``caller NAME``), or None.
    :ivar key: the key at fault, or None; ``field`` is ``[section] key``.
    """

    def __init__(self, message, section=None, key=None):
        field = '[%s] %s' % (section, key) if section and key else section or key
        super(VendConfigError, self).__init__(message, field)
        self.section = section
        self.key = key
