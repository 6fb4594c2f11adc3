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
* the signature of a SigV2 ``Authorization: AWS ACCESSKEY:signature`` header;
* the content of token-shaped XML elements (``<SessionToken>``,
  ``<SecretAccessKey>``, ``<SecurityToken>``, and the ``<Token-0>`` that S3's
  ``InvalidToken`` / ``ExpiredToken`` errors echo), complete or cut short
  (boto logs bodies that may end inside the element);
* every secret :func:`remember`-ed in this process: stsboto remembers the
  secret key and session token of every token it issues, refreshes or
  connects with, so a filter masks them even for connections that never
  registered a token with it.

Access key ids are left visible: they name the credentials without granting
anything, and AWS error messages and CloudTrail show them too.
"""
from __future__ import absolute_import, unicode_literals

import collections
import logging
import re
import threading

import six
from six.moves.urllib.parse import quote, quote_plus, urlsplit, urlunsplit

from stsboto.token import Token

__all__ = ['SecretMaskingFilter', 'install_log_filter', 'mask_secrets', 'mask_exception',
           'remember', 'display_url', 'MASK']

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
# The element's text up to the next tag, a quote or white space (where a repr or
# a log line cut the body short, there is no closing tag: mask to the cut).
# Token-N: S3's InvalidToken / ExpiredToken errors echo the token as <Token-0>.
# Leading white space may be real or escaped (``\\n`` in the repr of a body).
# At least one character: masking must be idempotent (``<Token-0><hidden>`` stays).
_XML_VALUE = (r'(?i)(<(SessionToken|SecretAccessKey|SecurityToken|Token(?:-\d+)?)>)'
              r'(?:\s|\\[nrt])*[^<\s\'"]+')
# SigV2: "AWS AKIDEXAMPLE:base64signature" (boto/auth.py HmacAuthV1Handler, which
# also logs it as "Signature:\nAWS ...": masked first, the named pattern skips it).
_SIGV2_AUTHORIZATION = r'(\bAWS \w{16,128}:)([A-Za-z0-9+/=]+)'
# A URL's user name and password (``http://admin:PASS@host/``): dropped, whatever
# the scheme (issue 19: a metadata endpoint with userinfo was printed whole).
_URL_USERINFO = r'''(?i)(\b[a-z][a-z0-9+.-]{0,15}://)[^\s/?#@'"<>\\]*@'''
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
            (re.compile(_XML_VALUE), lambda m: m.group(1) + MASK),
            (re.compile(_NAMED_VALUE), lambda m: m.group(1) + MASK),
            (re.compile(_BOTO_TOKEN_LINE), lambda m: m.group(1) + MASK),
            (re.compile(_URL_USERINFO), lambda m: m.group(1)),
        )
    return _REPLACEMENTS


def _mask_patterns(text):
    for pattern, replace in _replacements():
        text = pattern.sub(replace, text)
    return text


def display_url(url, query=True):
    """``url`` as a message or a log line may show it: without user name and password.

    Usage: ``'no answer from %s' % display_url(endpoint)``

    :param bool query: keep the query string (False: drop it and the fragment,
        for URLs whose query may carry a credential).
    """
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition('@')[2]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query if query else '',
                       parts.fragment if query else ''))


# Native strings: on Python 2 a unicode ``safe=`` poisons urllib.quote's cache
# (keyed by value, so '/' and u'/' collide) and every later quote() of
# non-ASCII bytes, boto's own included, fails with UnicodeDecodeError.
_NOTHING, _SLASH = str(''), str('/')


def _variants(secret):
    """The secret as it may appear in a log: raw, URL-encoded in a query string,
    escaped in a ``repr`` or JSON string (``\\'``, ``\\"``, ``\\\\``), and as
    XML text (``&amp;``, ``&lt;``, ...) in an AWS error message."""
    found = set([secret, quote(secret, safe=_NOTHING), quote(secret, safe=_SLASH),
                 quote_plus(secret, safe=_NOTHING)])
    escaped = secret.replace('\\', '\\\\')
    found.update([escaped.replace("'", "\\'"), escaped.replace('"', '\\"'),
                  escaped.replace("'", "\\'").replace('"', '\\"'), escaped.replace('/', '\\/')])
    xml = secret.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    found.update([xml, xml.replace('"', '&quot;').replace("'", '&apos;')])
    return found


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


# -- the process-wide registry --------------------------------------------------
# Bounded, oldest forgotten first: strings cannot be weakly referenced, and a
# long-running process that refreshes every few minutes must not grow without
# end.  64 secrets are 32 tokens: far more than are alive at once.
_REMEMBER_MAX = 64
_remembered = collections.OrderedDict()   # secret -> its variants, longest first
_remembered_lock = threading.Lock()
_remembered_variants = ()                 # replaced whole: readers take no lock


def remember(token_or_secret):
    """Mask this token's secrets (or this secret) in every later masking, process-wide.

    Usage: ``stsboto.logfilter.remember(token)``

    stsboto calls it for each token it issues (``issue_token``,
    ``assume_role``, ``get_session_token``), refreshes
    (:class:`stsboto.RefreshableToken`) or connects with, and for the issuing
    connection's own secret key, so that :func:`mask_secrets` and every
    :class:`SecretMaskingFilter` hide them without being told.  The registry
    holds the latest 64 secrets.

    :param token_or_secret: a :class:`stsboto.Token` (or anything with
        ``secret_key`` / ``session_token`` attributes), or a string; None and
        strings shorter than 8 characters are ignored.
    """
    global _remembered_variants
    if token_or_secret is None:
        return
    if isinstance(token_or_secret, (six.text_type, six.binary_type)):
        secrets = [token_or_secret]
    else:
        secrets = [getattr(token_or_secret, 'secret_key', None),
                   getattr(token_or_secret, 'session_token', None)]
    secrets = [_as_text(s) for s in secrets
               if isinstance(s, (six.text_type, six.binary_type)) and len(s) >= _MIN_SECRET_LENGTH]
    if not secrets:
        return
    with _remembered_lock:
        changed = False
        for secret in secrets:
            if secret in _remembered:
                # dict order is the age: a secret seen again is young again
                _remembered[secret] = _remembered.pop(secret)
                continue
            _remembered[secret] = sorted(_variants(secret), key=lambda v: (-len(v), v))
            changed = True
        while len(_remembered) > _REMEMBER_MAX:
            _remembered.popitem(last=False)
        if changed:
            variants = set()
            for values in _remembered.values():
                variants.update(values)
            _remembered_variants = tuple(sorted(variants, key=lambda v: (-len(v), v)))


def _forget_all():
    """Empty the registry (for tests)."""
    global _remembered_variants
    with _remembered_lock:
        _remembered.clear()
        _remembered_variants = ()


def _mask_remembered(text):
    # str.replace behind an `in` test: a C substring search per secret is
    # faster than one regular expression alternating over a hundred of them.
    for variant in _remembered_variants:
        if variant in text:
            text = text.replace(variant, MASK)
    return text


def mask_secrets(text, secrets=()):
    """``text`` with the secrets given, the remembered ones and every recognised
    secret pattern masked.

    Usage: ``safe = mask_secrets(str(error), [token.secret_key, token.session_token])``

    :param text: the text (bytes are decoded as UTF-8).
    :param secrets: strings to mask wherever they appear (None and short
        strings are ignored), in addition to those :func:`remember`-ed.
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
    return _mask_patterns(_mask_remembered(text))


def _leaks(text, secrets):
    return mask_secrets(text, secrets) != _as_text(text)


def _exception_text(error):
    parts = []
    for render in (six.text_type, repr):
        try:
            parts.append(render(error))
        except Exception:  # a broken __str__ must not hide a leak in repr
            parts.append('')
    parts.extend(_as_text(a) for a in getattr(error, 'args', ())
                 if isinstance(a, (six.text_type, six.binary_type)))
    body = getattr(error, 'body', None)
    if isinstance(body, (six.text_type, six.binary_type)):
        parts.append(_as_text(body))
    return '\n'.join(parts)


class MaskedError(Exception):
    """Stands in, as a chained cause, for an exception whose text held a secret
    that could not be masked in place.

    :ivar type_name: the name of the exception type it replaces.
    """

    def __init__(self, message, type_name=None):
        Exception.__init__(self, message)
        self.type_name = type_name


def mask_exception(error, secrets=()):
    """``error``, or a stand-in, whose text holds no secret, with its chain masked too.

    Usage: ``six.raise_from(TokenIssueError(...), mask_exception(cause, secrets))``

    A boto server error is scrubbed in place
    (:func:`stsboto.exceptions.scrub_boto_error`: body, message, reason,
    args).  Any other exception whose ``str``, ``repr`` or ``args`` show a
    secret has its string ``args`` masked in place; if its text still shows
    one (a ``__str__`` of its own), a :class:`MaskedError` with the masked
    text is returned instead.  The exceptions it chains (``__cause__``,
    ``__context__``, which ``traceback.format_exception`` prints) are treated
    the same way, and one that cannot be masked is cut from the chain.

    :param secrets: as for :func:`mask_secrets` (remembered ones are masked too).
    """
    if error is None:
        return None
    seen = set()
    return _mask_one(error, list(secrets), seen)


def _mask_one(error, secrets, seen):
    from stsboto.exceptions import scrub_boto_error
    if id(error) in seen:
        return error
    seen.add(id(error))
    scrub_boto_error(error, secrets)
    if _leaks(_exception_text(error), secrets):
        try:
            error.args = tuple(mask_secrets(a, secrets)
                               if isinstance(a, (six.text_type, six.binary_type)) else a
                               for a in error.args)
        except (AttributeError, TypeError):
            pass
        for name in ('strerror', 'filename', 'msg', 'reason'):
            value = getattr(error, name, None)
            if isinstance(value, (six.text_type, six.binary_type)) and _leaks(value, secrets):
                try:
                    setattr(error, name, mask_secrets(value, secrets))
                except (AttributeError, TypeError):
                    pass
    if _leaks(_exception_text(error), secrets):
        try:
            text = six.text_type(error)
        except Exception:
            text = ''
        error = MaskedError('%s: %s' % (type(error).__name__, mask_secrets(text, secrets)),
                            type(error).__name__)
        seen.add(id(error))
        return error
    for name in ('__cause__', '__context__'):
        linked = getattr(error, name, None)
        if linked is not None:
            masked = _mask_one(linked, secrets, seen)
            if masked is not linked:
                setattr(error, name, masked)
    return error


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

        Strings shorter than 8 characters are ignored.  (A secret is also
        :func:`remember`-ed, so other filters and error messages mask it too.)
        """
        if not secret or len(secret) < _MIN_SECRET_LENGTH:
            return
        remember(secret)
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
        return _mask_patterns(_mask_remembered(text))

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
