"""Keep session tokens, secret keys and signatures out of logs, boto's included.

Usage::

    from stsboto.logfilter import install_log_filter
    log_filter = install_log_filter()        # on the 'boto' logger; idempotent
    log_filter.add_token(token)              # also mask this token wherever it appears

At DEBUG level boto 2 logs the session token ("Token: ..." in
``boto/connection.py``), every request's headers (``x-amz-security-token``,
``Authorization`` with its signature), the canonical request it signs, and the
bodies of STS answers (``<SecretAccessKey>``, ``<SessionToken>``).
:class:`SecretMaskingFilter` replaces in each record:

* every secret registered with it (a token's secret key and session token,
  also in their URL-encoded forms, as they appear in presigned URLs);
* values that follow a name that always carries a secret, whatever the value:
  ``x-amz-security-token``, ``SecurityToken``, ``SessionToken``,
  ``SecretAccessKey``, ``aws_secret_access_key``, ``aws_session_token``,
  ``Signature``/``X-Amz-Signature``, boto's ``Token:``, as header lines
  (``name: value``), canonical-request lines (``name:value``), query
  parameters (``name=value``), ``dict``/``tuple`` reprs and XML elements;
* the signature of a SigV2 ``Authorization: AWS ACCESSKEY:signature`` header.

Access key ids are left visible: they name the credentials without granting
anything, and AWS error messages and CloudTrail show them too.
"""
from __future__ import absolute_import, unicode_literals

import logging
import re
import threading

import six
from six.moves.urllib.parse import quote, quote_plus

from stsboto.token import Token

__all__ = ['SecretMaskingFilter', 'install_log_filter', 'mask_secrets', 'MASK']

#: What a secret is replaced with (the text ``Token.__repr__`` uses too).
MASK = '<hidden>'

# A registered secret shorter than this is ignored: masking it would garble
# ordinary text, and no AWS secret key (40 characters) or session token is so short.
_MIN_SECRET_LENGTH = 8

_NAMES = (r'x-amz-security-token|x-amz-signature|securitytoken|sessiontoken|secretaccesskey'
          r'|aws_session_token|aws_security_token|aws_secret_access_key'
          r'|session_token|security_token|secret_key|signature')
# name, then ``: `` / ``=`` / ``':'`` / ``', '`` (tuple repr), then an optional quote
# (``u'`` and ``b'`` reprs too), then the value.  ``None`` stays visible.
_NAMED_VALUE = (r'''(?i)(\b(?:%s)(?:['"]?[ \t]*[:=]\s*|['"],[ \t]*)(?:[ub](?=['"]))?['"]?)'''
                r'''(?!None\b)(?!AWS \w+:)([^\s'"&,;}<>)\]]+)''' % _NAMES)
_XML_VALUE = r'(?i)(<(SessionToken|SecretAccessKey|SecurityToken)>)[^<]*(</\2>)'
# SigV2: "AWS AKIDEXAMPLE:base64signature" (boto/auth.py HmacAuthV1Handler, which
# also logs it as "Signature:\nAWS ...": masked first, the named pattern skips it).
_SIGV2_AUTHORIZATION = r'(\bAWS \w{16,128}:)([A-Za-z0-9+/=]+)'
# boto/connection.py: boto.log.debug('Token: %s' % self.provider.security_token)
_BOTO_TOKEN_LINE = r'(\bToken:[ \t]*)(?!None\b)(\S+)'
# (pattern, replacement), compiled on first use: compiling them costs more than
# the rest of ``import stsboto`` on Python 2, and most programs never mask.
_REPLACEMENTS = None


def _replacements():
    global _REPLACEMENTS
    if _REPLACEMENTS is None:
        _REPLACEMENTS = (
            (re.compile(_SIGV2_AUTHORIZATION, re.UNICODE), lambda m: m.group(1) + MASK),
            (re.compile(_XML_VALUE), lambda m: m.group(1) + MASK + m.group(3)),
            (re.compile(_NAMED_VALUE), lambda m: m.group(1) + MASK),
            (re.compile(_BOTO_TOKEN_LINE), lambda m: m.group(1) + MASK),
        )
    return _REPLACEMENTS


def _mask_patterns(text):
    for pattern, replace in _replacements():
        text = pattern.sub(replace, text)
    return text


# Native strings: on Python 2 a unicode ``safe=`` poisons urllib.quote's cache
# (keyed by value, so '/' and u'/' collide) and every later quote() of
# non-ASCII bytes, boto's own included, fails with UnicodeDecodeError.
_NOTHING, _SLASH = str(''), str('/')


def _variants(secret):
    """The secret as it may appear in a log: raw, and URL-encoded in a query string."""
    return set([secret, quote(secret, safe=_NOTHING), quote(secret, safe=_SLASH),
                quote_plus(secret, safe=_NOTHING)])


def _secrets_pattern(secrets):
    if not secrets:
        return None
    # Longest first, so a secret that contains another is masked whole.
    ordered = sorted(secrets, key=lambda s: (-len(s), s))
    return re.compile('|'.join(re.escape(s) for s in ordered))


def _as_text(value):
    if isinstance(value, six.binary_type):
        return value.decode('utf-8', 'replace')
    return value if isinstance(value, six.text_type) else six.text_type(value)


def mask_secrets(text, secrets=()):
    """``text`` with the secrets given and every recognised secret pattern masked.

    Usage: ``safe = mask_secrets(str(error), [token.secret_key, token.session_token])``

    :param text: the text (bytes are decoded as UTF-8).
    :param secrets: strings to mask wherever they appear (None and short
        strings are ignored).
    :rtype: str
    """
    text = _as_text(text)
    found = set()
    for secret in secrets:
        if secret and len(secret) >= _MIN_SECRET_LENGTH:
            found.update(_variants(_as_text(secret)))
    pattern = _secrets_pattern(found)
    if pattern is not None:
        text = pattern.sub(MASK, text)
    return _mask_patterns(text)


class SecretMaskingFilter(logging.Filter):
    """A ``logging.Filter`` that masks secrets in every record it sees; it drops none.

    Usage: ``logging.getLogger('boto').addFilter(SecretMaskingFilter([token]))``,
    or :func:`install_log_filter`.

    :param tokens: tokens (anything :meth:`stsboto.Token.coerce` accepts)
        whose secret key and session token are masked from the start.
    :param str name: as for ``logging.Filter`` (which records it applies to).

    The record's message is formatted (``msg % args``), masked, and stored
    back in ``record.msg`` with ``record.args`` emptied, because a secret may
    appear only once the arguments are in place (a headers ``dict`` rendered
    into ``'Headers: %s'``).  The traceback text (``exc_text``) and
    ``stack_info`` are masked too; handlers that read ``record.exc_info``
    themselves see the exception object unchanged.

    A filter on a logger sees only the records logged on that very logger,
    not those its child loggers propagate to it: boto logs everything that
    matters on ``'boto'`` itself.  To cover every logger, attach the filter
    to your handlers instead.  Thread-safe.
    """

    def __init__(self, tokens=(), name=''):
        logging.Filter.__init__(self, name)
        self._lock = threading.Lock()
        self._secrets = frozenset()
        self._pattern = None
        for token in tokens:
            self.add_token(token)

    def add_token(self, token):
        """Mask this token's secret key and session token from now on.

        Usage: ``log_filter.add_token(token)``

        :param token: anything :meth:`stsboto.Token.coerce` accepts.
        """
        token = Token.coerce(token)
        self.add_secret(token.secret_key)
        if token.session_token:
            self.add_secret(token.session_token)

    def add_secret(self, secret):
        """Mask this string (and its URL-encoded forms) from now on.

        Strings shorter than 8 characters are ignored.
        """
        if not secret or len(secret) < _MIN_SECRET_LENGTH:
            return
        with self._lock:
            secrets = self._secrets | _variants(_as_text(secret))
            pattern = _secrets_pattern(secrets)
            # One assignment each: a concurrent filter() sees the old set or the new.
            self._secrets, self._pattern = secrets, pattern

    def mask(self, text):
        """``text`` with registered secrets and the known patterns masked.

        Usage: ``safe = log_filter.mask(text)``

        :rtype: str
        """
        text = _as_text(text)
        pattern = self._pattern
        if pattern is not None:
            text = pattern.sub(MASK, text)
        return _mask_patterns(text)

    def filter(self, record):
        """Mask ``record`` in place (see the class docstring); always True."""
        if not logging.Filter.filter(self, record):
            return True  # not ours to mask, and a masking filter never drops a record
        try:
            message = record.getMessage()
        except Exception:
            # msg and args do not fit together; keep both, masked.
            message = '%s %r' % (_as_text(record.msg), record.args)
        record.msg = self.mask(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if getattr(record, 'stack_info', None):
            record.stack_info = self.mask(record.stack_info)
        return True


def install_log_filter(logger='boto', tokens=()):
    """Attach a :class:`SecretMaskingFilter` to a logger or handler, once.

    Usage: ``log_filter = install_log_filter()``; later
    ``log_filter.add_token(new_token)``

    Calling it again on the same target returns the filter already there
    (adding ``tokens`` to it) instead of adding a second one.  Remove it with
    ``target.removeFilter(log_filter)``.

    :param logger: a logger name (default ``'boto'``, where boto 2 logs), a
        ``logging.Logger``, or a ``logging.Handler`` (a handler's filter sees
        the records of every logger that reaches the handler).
    :param tokens: tokens to mask, as for :meth:`SecretMaskingFilter.add_token`.
    :returns: the :class:`SecretMaskingFilter` attached.
    """
    target = logging.getLogger(logger) if isinstance(logger, six.string_types) else logger
    for existing in target.filters:
        if isinstance(existing, SecretMaskingFilter):
            log_filter = existing
            break
    else:
        log_filter = SecretMaskingFilter()
        target.addFilter(log_filter)
    for token in tokens:
        log_filter.add_token(token)
    return log_filter
