"""stsboto.exceptions: each error is the boto or Python class old code catches, with its fields."""
from __future__ import absolute_import, unicode_literals

import errno
import socket

import pytest

from stsboto import exceptions
from stsboto.exceptions import (CredentialConfigError, EndpointConnectionError, IntegrityError,
                                InvalidInputError, InvalidParameterError, InvalidPolicyError,
                                InvalidTokenError, LocalFileError, MaskedError,
                                MissingCredentialsError, RedirectRefusedError,
                                STSEndpointConnectionError, StsbotoError, TokenExpiredError,
                                TokenFileError, TokenIssueError, TokenRefreshError, TransferError,
                                TransferInterrupted, VendConfigError)

import boto.exception  # noqa: E402


@pytest.mark.parametrize('error, also', [
    (InvalidParameterError('bad', 'retries'), ValueError),
    (InvalidTokenError('bad', 'token'), ValueError),
    (InvalidPolicyError('bad', 'policy'), ValueError),
    (CredentialConfigError('bad', 'role_arn'), ValueError),
    (VendConfigError('bad'), ValueError),
    (MissingCredentialsError('none found'), boto.exception.NoAuthHandlerFound),
    (EndpointConnectionError('down', endpoint='http://127.0.0.1:1'), socket.error),
    (STSEndpointConnectionError('down', endpoint='http://127.0.0.1:1'), TokenIssueError),
    (STSEndpointConnectionError('down', endpoint='http://127.0.0.1:1'), socket.error),
    (LocalFileError('gone', 'path', '/x', errno.ENOENT), EnvironmentError),
    (TokenFileError('gone', '/x', errno.ENOENT), InvalidTokenError),
    (IntegrityError('corrupt'), TransferError),
], ids=lambda value: type(value).__name__ if isinstance(value, Exception) else value.__name__)
def test_each_error_is_also_what_boto_or_python_raised_there(error, also):
    assert isinstance(error, also)
    assert isinstance(error, StsbotoError)


def test_an_interrupted_transfer_is_a_keyboard_interrupt_not_an_error():
    interrupted = TransferInterrupted('stopped', bucket='b', key='k', upload_id='u', aborted=True)
    assert isinstance(interrupted, KeyboardInterrupt)
    assert not isinstance(interrupted, Exception)  # `except Exception` does not swallow Ctrl-C
    assert (interrupted.bucket, interrupted.key, interrupted.upload_id, interrupted.aborted) == (
        'b', 'k', 'u', True)


def test_input_errors_name_their_field():
    assert InvalidParameterError('retries must be >= 0', 'retries').field == 'retries'
    assert TokenFileError('unreadable', '/t.json').field == 'path'
    assert CredentialConfigError('bad', 'role_arn', profile='dev').profile == 'dev'


def test_connection_and_file_errors_read_as_their_message_not_an_errno_tuple():
    assert str(EndpointConnectionError('could not reach it', endpoint='e')) == 'could not reach it'
    error = LocalFileError('cannot read /x: no such file', 'path', '/x', errno.ENOENT)
    assert str(error) == 'cannot read /x: no such file'
    assert (error.errno, error.path) == (errno.ENOENT, '/x')


def test_the_fields_each_error_documents_are_kept():
    cause = IOError('socket closed')
    issue = TokenIssueError('refused', code='AccessDenied', status=403, request_id='r-1', cause=cause)
    assert (issue.code, issue.status, issue.request_id, issue.cause) == (
        'AccessDenied', 403, 'r-1', cause)
    refresh = TokenRefreshError('failed', expiration='2026-01-01T00:00:00Z', cause=cause)
    assert (refresh.expiration, refresh.cause) == ('2026-01-01T00:00:00Z', cause)
    assert TokenExpiredError('expired', expiration='x').expiration == 'x'
    redirect = RedirectRefusedError('not followed', location='http://elsewhere', status=301)
    assert (redirect.location, redirect.status) == ('http://elsewhere', 301)
    assert MaskedError('masked', type_name='ValueError').type_name == 'ValueError'


def test_every_public_error_class_is_a_stsboto_error_or_a_documented_exception():
    classes = [value for name, value in vars(exceptions).items()
               if isinstance(value, type) and issubclass(value, BaseException)
               and value.__module__ == exceptions.__name__ and not name.startswith('_')]
    assert len(classes) >= 20
    warnings = [c for c in classes if issubclass(c, Warning)]
    assert warnings and all(issubclass(c, exceptions.StsbotoWarning) for c in warnings)
    outsiders = sorted(c.__name__ for c in classes
                       if not issubclass(c, (StsbotoError, exceptions.StsbotoWarning)))
    assert outsiders == ['TransferInterrupted']
    assert all(issubclass(c, InvalidInputError) for c in classes
               if issubclass(c, ValueError) and issubclass(c, StsbotoError))


def test_the_expiry_advice_names_the_ways_to_a_new_token():
    assert 'stsboto.issue_token' in exceptions.GET_ANOTHER_TOKEN
    assert 'refresh=' in exceptions.GET_ANOTHER_TOKEN
