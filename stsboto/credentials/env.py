"""Credentials from the environment: ``AWS_ACCESS_KEY_ID`` and friends (method ``env``).

Usage::

    from stsboto.credentials.env import EnvSource
    token = EnvSource(environ).load()      # a Token, or None
"""
from __future__ import absolute_import, unicode_literals

import os

import six

from stsboto.exceptions import InvalidTokenError
from stsboto.token import ENV_VARIABLES, Token, parse_expiration

__all__ = ['EnvSource', 'token_from_env']


def token_from_env(environ=None, cls=Token):
    """A Token from the AWS environment variables, or None when none are set.

    Usage: ``token = token_from_env()`` (also ``Token.from_env()``)

    Reads ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, the session
    token from ``AWS_SESSION_TOKEN`` or the legacy ``AWS_SECURITY_TOKEN``
    (boto 2 reads only the legacy one, boto issue 3298), and
    ``AWS_CREDENTIAL_EXPIRATION`` (ISO-8601).  An empty variable counts as
    unset, as in the AWS CLI.

    :param environ: a mapping to read instead of ``os.environ``.
    :returns: a :class:`Token` (``method`` ``env``), or None when neither
        ``AWS_ACCESS_KEY_ID`` nor ``AWS_SECRET_ACCESS_KEY`` is set (no
        credentials in the environment is not an error).
    :raises InvalidTokenError: only one of the two key variables is set;
        both token variables are set and differ; a value breaks a
        :class:`Token` rule.  The message names the variables, never
        their values; ``field`` is the variable's name.
    """
    environ = os.environ if environ is None else environ
    values = dict((name, environ.get(name) or None) for name in ENV_VARIABLES)
    if values['AWS_ACCESS_KEY_ID'] is None and values['AWS_SECRET_ACCESS_KEY'] is None:
        return None
    for name, other in (('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'),
                        ('AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID')):
        if values[name] is None:
            raise InvalidTokenError('%s is set but %s is not: set both or neither'
                                    % (other, name), name)
    session_token = one_token(values, 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', '')
    expiration = parse_expiration(values['AWS_CREDENTIAL_EXPIRATION'], 'AWS_CREDENTIAL_EXPIRATION')
    return build_token(cls, 'environment variable ', {
        'access_key': ('AWS_ACCESS_KEY_ID', values['AWS_ACCESS_KEY_ID']),
        'secret_key': ('AWS_SECRET_ACCESS_KEY', values['AWS_SECRET_ACCESS_KEY']),
        'session_token': session_token,
        'expiration': ('AWS_CREDENTIAL_EXPIRATION', expiration)}, 'env')


class EnvSource(object):
    """botocore's ``EnvProvider``: the key variables of the environment.

    The token is a plain :class:`Token` even with ``AWS_CREDENTIAL_EXPIRATION``:
    the environment of a running process does not change, so there is nothing
    to refresh from (an expired one is refused when used).
    """

    METHOD = 'env'
    CANONICAL_NAME = 'Environment'

    def __init__(self, environ):
        self.environ = environ

    def load(self):
        return token_from_env(self.environ)


def one_token(values, name, legacy, where):
    """(name, value) of the session token from two spellings that must agree."""
    if values[name] is not None and values[legacy] is not None and values[name] != values[legacy]:
        raise InvalidTokenError('%s%s and %s are both set and differ; keep one, or give both '
                                'the same value' % (where, name, legacy), name)
    if values[name] is None and values[legacy] is not None:
        return legacy, values[legacy]
    return name, values[name]


def build_token(cls, where, fields, method=None):
    """A Token from {field: (source name, value)}; errors name the source, not the field."""
    kwargs = dict((field, value) for field, (_, value) in fields.items())
    if method is not None:
        kwargs['method'] = method
    try:
        return cls(**kwargs)
    except InvalidTokenError as error:
        source = fields.get(error.field, (error.field,))[0]
        message = six.text_type(error).replace('token field %s ' % error.field, '')
        raise InvalidTokenError('%s%s %s' % (where, source, message), source)
