"""What the commands print: shell lines, a token's description, listings.

Usage::

    for line in env_lines(token): console.out(line)          # eval "$(stsboto env)"
    for line in whoami_lines(token, now, 'token file t.json'): console.out(line)
    console.out(listing_line(key))                           # stsboto ls

Text meant for a person passes through :func:`stsboto.cli.console.printable`;
text meant for a program (``env``, the token JSON, URLs) is quoted for it instead.
"""
from __future__ import absolute_import, division, print_function, unicode_literals

from six.moves import shlex_quote

from stsboto.cli.console import format_duration, printable

__all__ = ['env_lines', 'whoami_lines', 'listing_line', 'listing_time']


def env_lines(token):
    """Shell lines that put ``token`` in the environment (``eval "$(stsboto env)"``).

    ``export NAME=value`` for every variable of :meth:`stsboto.Token.to_env`,
    values quoted for POSIX shells, and ``unset NAME`` for the others, so a
    stale ``AWS_SESSION_TOKEN`` or ``AWS_CREDENTIAL_EXPIRATION`` does not survive.
    """
    from stsboto.token import ENV_VARIABLES
    env = token.to_env()
    lines = ['export %s=%s' % (name, shlex_quote(env[name])) for name in ENV_VARIABLES
             if name in env]
    lines.extend('unset %s' % name for name in ENV_VARIABLES if name not in env)
    return lines


def whoami_lines(token, now, source=None):
    """What ``stsboto whoami`` prints: never the secret key or the session token.

    :param token: a :class:`stsboto.Token`.
    :param now: the current time (aware datetime).
    :param str source: where the token was read from.  When the token says
        which credential source answered (a ``method`` attribute, as botocore's
        credentials have), that is shown too.
    """
    from stsboto.token import format_expiration
    lines = [('ARN', token.arn or 'unknown (the token does not say)'),
             ('Access key', token.access_key),
             ('Credentials', 'temporary (session token present, not shown)' if token.session_token
              else 'long-term keys (no session token)')]
    if token.expiration is None:
        lines.append(('Expires', 'unknown (the token has no expiration)'))
    else:
        left = token.remaining(now).total_seconds()
        when = format_expiration(token.expiration.replace(microsecond=0))
        lines.append(('Expires', '%s (in %s)' % (when, format_duration(left)) if left > 0
                      else '%s (EXPIRED %s ago)' % (when, format_duration(left))))
    method = getattr(token, 'method', None)
    if source and method:
        source = '%s (credential source: %s)' % (source, method)
    elif method:
        source = 'credential source: %s' % method
    if source:
        lines.append(('Source', source))
    return ['%-12s %s' % (name + ':', printable(value)) for name, value in lines]


def listing_time(value):
    """``2026-11-27 21:01:02`` from a listing's ``LastModified`` (as given when unreadable)."""
    from stsboto.exceptions import InvalidTokenError
    from stsboto.token import parse_expiration
    try:
        when = parse_expiration(value, 'LastModified')
    except InvalidTokenError:
        return printable(value or '?')
    return '%04d-%02d-%02d %02d:%02d:%02d' % (when.year, when.month, when.day, when.hour,
                                              when.minute, when.second)


def listing_line(item):
    """One line of ``stsboto ls`` for a boto ``Key`` or ``Prefix``; the name escaped:
    a key name is whatever its writer chose, control characters included."""
    from boto.s3.prefix import Prefix  # (stsboto._boto ran first: importable on 3.12+)
    if isinstance(item, Prefix):
        return '%30s %s' % ('PRE', printable(item.name))
    return '%s %10d %s' % (listing_time(item.last_modified), int(item.size or 0),
                           printable(item.name))
