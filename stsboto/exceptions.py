"""Every error stsboto raises.

``StsbotoError`` is the one base.  Errors about what the caller passed also
subclass ``ValueError``, so ``except ValueError`` keeps working in code that
does not know stsboto.  No message here ever contains a secret access key or a
session token: the messages name the field and the rule, never the value of a
credential.
"""
from __future__ import absolute_import, unicode_literals

from stsboto._boto import boto

__all__ = [
    'StsbotoError', 'InvalidInputError', 'InvalidTokenError', 'InvalidPolicyError',
    'InvalidParameterError', 'MissingCredentialsError', 'TokenExpiredError',
    'TokenIssueError', 'TokenRefreshError',
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
