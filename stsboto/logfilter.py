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

* every secret registered with it (a token's secret key and session token)
  in every form a log may hold it: raw; percent-encoded once or twice, upper
  or lower case hex (``%2F``, ``%2f``, ``%252F``), ``+`` for space; escaped
  for a ``repr``, JSON (``\\/``) or XML; base64, standard or URL-safe, of the
  secret and of any text holding it (the credential JSON stsboto writes), at
  all three alignments; and any prefix or fragment of 16 or more characters
  of any of these (a token cut at 120 characters is masked too);
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

Cost per record (``benchmarks/logmask.py``; figures in docs/BENCHMARKS.rst):
formatting the message, the name patterns above (regular expressions, linear
in the text), and for the secrets one case fold of the text, one regular
expression that finds the runs of characters secrets are made of, a
dictionary probe every 4th character inside those runs, and, where a probe
meets a secret, a few slice comparisons (C code) to find where the fragment
ends.  It is linear in the length of the record and does not grow with the
number of secrets registered, except through probes that meet a prefix many
tokens share (each sharing variant costs two slice comparisons there).
Registering a secret costs its variants (about 20 times its length in
characters) in a dictionary: about 210 KiB for a token whose session token has
657 characters (6.8 MiB for the 32 tokens the registry holds at most).
"""
from __future__ import absolute_import, unicode_literals

import base64
import collections
import json
import logging
import re
import threading

import six
from six.moves.urllib.parse import quote, quote_plus, urlsplit, urlunsplit

from stsboto._boto import boto
from stsboto.exceptions import MaskedError
from stsboto.token import Token

__all__ = ['SecretMaskingFilter', 'install_log_filter', 'mask_secrets', 'mask_exception',
           'remember', 'display_url', 'MASK', 'describe_boto_error', 'scrub_boto_error', 'printable']

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


_ASCII_LOWER = dict((code, code + 32) for code in range(ord('A'), ord('Z') + 1))


def _ascii_lower(text):
    """``text`` with A-Z lowered and its length unchanged (offsets stay valid)."""
    low = text.lower()
    return low if len(low) == len(text) else text.translate(_ASCII_LOWER)


def _base64_inner(data):
    """The base64 characters of ``data`` at each of the three alignments it may have
    inside a longer base64 text, without the characters it shares with its neighbours."""
    found = []
    for pad in range(3):
        encoded = base64.b64encode(b'\0' * pad + data).decode('ascii').rstrip('=')
        first = -(-pad * 8 // 6)                  # characters holding a bit of the padding
        last = (pad + len(data)) * 8 // 6         # characters made of the data's bits only
        inner = encoded[first:last]
        found.extend([inner, inner.replace('+', '-').replace('/', '_')])
    return found


def _variants(secret):
    """The secret as it may appear in a log: raw; percent-encoded once or twice
    (upper or lower case hex: matching ignores case), ``+`` for space; escaped in a
    ``repr`` or JSON string (``\\'``, ``\\"``, ``\\\\``, ``\\/``); as XML text
    (``&amp;``, ...); and base64 (standard and URL-safe) of the secret and of any
    text holding it, such as the credential JSON shapes stsboto writes, at all
    three alignments."""
    once = set([quote(secret, safe=_NOTHING), quote(secret, safe=_SLASH),
                quote_plus(secret, safe=_NOTHING), quote_plus(secret, safe=_SLASH)])
    found = set([secret]) | once
    found.update(quote(value, safe=_NOTHING) for value in once)
    escaped = secret.replace('\\', '\\\\')
    found.update([escaped.replace("'", "\\'"), escaped.replace('"', '\\"'),
                  escaped.replace("'", "\\'").replace('"', '\\"'), escaped.replace('/', '\\/'),
                  escaped.replace('"', '\\"').replace('/', '\\/')])
    xml = secret.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    found.update([xml, xml.replace('"', '&quot;').replace("'", '&apos;')])
    for data in set([secret.encode('utf-8'), json.dumps(secret)[1:-1].encode('utf-8')]):
        found.update(_base64_inner(data))
    return set(value for value in found if value)


# Fragments: any 16 or more characters of a variant are masked, wherever they
# stand.  Each variant is indexed by its 5-character pieces at every 3rd offset;
# a text is probed at every 4th offset.  3 and 4 share no factor, so any run of
# 16 characters common to a text and a variant (12 consecutive places a piece
# can start) holds one probe that meets an indexed piece.
_FRAGMENT = 16
_PIECE = 5
_TEXT_STEP = 4
_VARIANT_STEP = 3


def _indexed_pieces(variant):
    """The pieces of ``variant`` the index holds: every _VARIANT_STEP-th one of _PIECE characters."""
    return [variant[start:start + _PIECE]
            for start in range(0, len(variant) - _PIECE + 1, _VARIANT_STEP)]


class _SecretIndex(object):
    """The variants of a set of secrets, ready to find their fragments in a text.

    Cost of :meth:`mask` for a text of n characters: one case fold (C code), n/4
    dictionary probes of a 5-character slice, and for each probe that meets a
    secret a comparison as long as the fragment found; it does not grow with the
    number of secrets (apart from an ``in`` test per variant shorter than 16
    characters, which are masked whole).  Memory: one dictionary entry per 3
    characters of the variants (base64 forms make most of them: about 6,000
    entries for a session token of 1,000 characters).
    """

    def __init__(self):
        self._pieces = {}         # 5 lowered characters -> a variant, or a tuple of them
        self._short = ()          # variants too short for fragments: masked whole
        self._owned = {}          # secret -> (its long variants, its short variants)
        self._runs = re.compile(r'\x00{%d,}' % _FRAGMENT)   # runs of the variants' characters

    def __len__(self):
        return len(self._owned)

    def add(self, secret):
        if secret in self._owned:
            return
        long_variants, short_variants = [], []
        for variant in _variants(secret):
            if len(variant) >= _FRAGMENT:
                long_variants.append(_ascii_lower(variant))
            else:
                short_variants.append(variant)
        pieces = self._pieces
        for variant in long_variants:
            for piece in _indexed_pieces(variant):
                held = pieces.get(piece)
                if held is None:
                    pieces[piece] = variant
                elif type(held) is tuple:
                    if variant not in held:
                        pieces[piece] = held + (variant,)
                elif held != variant:
                    pieces[piece] = (held, variant)
        self._owned[secret] = (long_variants, short_variants)
        self._rebuild_short()

    def discard(self, secret):
        owned = self._owned.pop(secret, None)
        if owned is None:
            return
        kept_variants = set()
        for values, _ in self._owned.values():
            kept_variants.update(values)
        gone = set(owned[0]) - kept_variants
        pieces = self._pieces
        for variant in gone:
            for piece in _indexed_pieces(variant):
                held = pieces.get(piece)
                if held is None:
                    continue
                kept = tuple(v for v in (held if type(held) is tuple else (held,)) if v not in gone)
                if not kept:
                    del pieces[piece]
                else:
                    pieces[piece] = kept[0] if len(kept) == 1 else kept
        self._rebuild_short()

    def _rebuild_short(self):
        short, alphabet = set(), set()
        for long_values, values in self._owned.values():
            short.update(values)
            for value in long_values:
                alphabet.update(value)
        self._short = tuple(sorted(short, key=lambda v: (-len(v), v)))
        self._runs = re.compile('[%s]{%d,}' % (''.join(re.escape(c) for c in sorted(alphabet))
                                               or r'\x00', _FRAGMENT))

    def spans(self, text):
        """[(start, end)] of fragments of 16+ characters of a variant in ``text``."""
        pieces = self._pieces
        if not pieces or len(text) < _FRAGMENT:
            return []
        low = _ascii_lower(text)
        found = []
        get = pieces.get
        # Only runs of 16+ characters that variants are made of can hold a fragment:
        # finding them is one regular expression (C code); most of a log line is not in one.
        for run in self._runs.finditer(low):
            position, last, end_of_run = run.start(), run.end() - _PIECE, run.end()
            while position <= last:
                piece = low[position:position + _PIECE]
                held = get(piece)
                if held is None:
                    position += _TEXT_STEP
                    continue
                lo = reach = None
                for variant in (held if type(held) is tuple else (held,)):
                    at = variant.find(piece)
                    while at != -1:
                        if reach is not None and not _reaches_beyond(
                                low, position, lo, reach, run.start(), end_of_run, variant, at):
                            at = variant.find(piece, at + 1)
                            continue    # all it could mask is masked already
                        back = _common_backward(low, position, variant, at, run.start())
                        ahead = _common_forward(low, position, variant, at, end_of_run)
                        if back + ahead >= _FRAGMENT:
                            found.append((position - back, position + ahead))
                            lo = position - back if lo is None else min(lo, position - back)
                            reach = position + ahead if reach is None else max(reach, position + ahead)
                        at = variant.find(piece, at + 1)
                reach = reach or 0
                # inside a fragment already found, probe again only near its end
                step = max(_TEXT_STEP, reach - _FRAGMENT - position)
                position += -(-step // _TEXT_STEP) * _TEXT_STEP
        return found

    def mask(self, text):
        """``text`` with every fragment found and every short variant replaced by MASK."""
        found = self.spans(text)
        if found:
            found.sort()
            parts, done = [], 0
            for start, end in found:
                if start > done or not parts:
                    parts.append(text[done:start])
                    parts.append(MASK)
                done = max(done, end)
            parts.append(text[done:])
            text = ''.join(parts)
        for variant in self._short:
            if variant in text:
                text = text.replace(variant, MASK)
        return text


def _reaches_beyond(text, position, lo, reach, start, stop, variant, at):
    """Could ``variant`` (holding the probe at ``at``) match more of ``text`` than
    ``[lo, reach)``?  Two slice comparisons: many secrets share a prefix (every
    session token starts ``IQoJb3JpZ2luX2Vj``), and each of their variants need
    not be followed to find the same span again."""
    ahead, back = reach - position, position - lo
    if reach < stop and at + ahead < len(variant) and \
            text[position:reach + 1] == variant[at:at + ahead + 1]:
        return True
    return lo > start and at - back > 0 and text[lo - 1:position] == variant[at - back - 1:at]


def _common_forward(text, i, other, j, stop):
    """How many characters ``text[i:stop]`` and ``other[j:]`` have in common at their start
    (slices compared in C, galloping then halving)."""
    limit = min(stop - i, len(other) - j)
    low, step = 0, 16
    while low + step <= limit and text[i + low:i + low + step] == other[j + low:j + low + step]:
        low += step
        step *= 2
    high = min(limit, low + step)
    while low < high:   # text[i:i+low] matches; the first mismatch is before high
        middle = (low + high + 1) // 2
        if text[i + low:i + middle] == other[j + low:j + middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_backward(text, i, other, j, start):
    """How many characters end at ``text[i]`` and at ``other[j]`` alike (not before ``start``)."""
    limit = min(i - start, j)
    low, step = 0, 16
    while low + step <= limit and text[i - low - step:i - low] == other[j - low - step:j - low]:
        low += step
        step *= 2
    high = min(limit, low + step)
    while low < high:
        middle = (low + high + 1) // 2
        if text[i - middle:i - low] == other[j - middle:j - low]:
            low = middle
        else:
            high = middle - 1
    return low


_index_cache = collections.OrderedDict()
_cache_lock = threading.Lock()


def _index_of(secrets):
    """A _SecretIndex of ``secrets`` (the last 8 sets asked for are kept)."""
    key = frozenset(secrets)
    with _cache_lock:
        index = _index_cache.get(key)
    if index is None:
        index = _SecretIndex()
        for secret in key:
            index.add(secret)
        with _cache_lock:
            _index_cache[key] = index
            while len(_index_cache) > 8:
                _index_cache.popitem(last=False)
    return index


def _as_text(value):
    if isinstance(value, six.binary_type):
        return value.decode('utf-8', 'replace')
    return value if isinstance(value, six.text_type) else six.text_type(value)


# -- the process-wide registry --------------------------------------------------
# Bounded, oldest forgotten first: strings cannot be weakly referenced, and a
# long-running process that refreshes every few minutes must not grow without
# end.  64 secrets are 32 tokens: far more than are alive at once.
_REMEMBER_MAX = 64
_remembered = collections.OrderedDict()   # secret -> None, oldest first
_remembered_lock = threading.Lock()
_remembered_index = _SecretIndex()        # changed under the lock; readers take none
_forgotten = [0]                          # counts secrets forgotten (filters check it)


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
        for secret in secrets:
            if secret in _remembered:
                # dict order is the age: a secret seen again is young again
                _remembered[secret] = _remembered.pop(secret)
                continue
            _remembered[secret] = None
            _remembered_index.add(secret)
        while len(_remembered) > _REMEMBER_MAX:
            secret = _remembered.popitem(last=False)[0]
            _forgotten[0] += 1          # first: a filter stops relying on the registry
            _remembered_index.discard(secret)


def _forget_all():
    """Empty the registry (for tests)."""
    global _remembered_index
    with _remembered_lock:
        _remembered.clear()
        _remembered_index = _SecretIndex()
        _forgotten[0] += 1


def _mask_remembered(text):
    return _remembered_index.mask(text)


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
    found = [_as_text(secret) for secret in secrets if secret and len(secret) >= _MIN_SECRET_LENGTH]
    if found:
        text = _index_of(found).mask(text)
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


def mask_exception(error, secrets=()):
    """``error``, or a stand-in, whose text holds no secret, with its chain masked too.

    Usage: ``six.raise_from(TokenIssueError(...), mask_exception(cause, secrets))``

    A boto server error is scrubbed in place
    (:func:`scrub_boto_error`: body, message, reason,
    args).  Any other exception whose ``str``, ``repr`` or ``args`` show a
    secret has its string ``args`` masked in place; if its text still shows
    one (a ``__str__`` of its own), a :class:`stsboto.exceptions.MaskedError` with the masked
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


def describe_boto_error(error, secrets=()):
    """One line about an error from boto or the network, with secrets masked.

    Usage: ``log.warning('upload failed: %s', describe_boto_error(error, [token.session_token]))``

    A ``BotoServerError`` reads ``403 Forbidden AccessDenied: Access Denied``;
    anything else ``TypeName: message``.  White space is folded, and the
    secrets given plus every secret-shaped value (session tokens in XML,
    signatures) are masked by :func:`mask_secrets`.
    """
    if isinstance(error, boto.exception.BotoServerError):
        text = '%s %s %s' % (error.status, error.reason or '', error.error_code or '')
        if error.error_message:
            text += ': %s' % error.error_message
    else:
        try:
            message = six.text_type(error)
        except UnicodeError:  # Python 2: an exception holding non-ASCII bytes
            message = str(error).decode('utf-8', 'replace')
        text = '%s: %s' % (type(error).__name__, message) if message else type(error).__name__
    return mask_secrets(' '.join(text.split()), secrets)


def scrub_boto_error(error, secrets=()):
    """Mask secrets in a boto error's body, message, reason and args, in place; returns it.

    S3's ``InvalidToken`` and ``ExpiredToken`` answers echo the session token
    (``<Token-0>``); an error kept as a cause is printed in tracebacks, so
    its text must not hold it.
    """
    if not isinstance(error, boto.exception.BotoServerError):
        return error
    for name in ('body', 'error_message', 'reason', 'message'):
        value = getattr(error, name, None)
        if isinstance(value, six.binary_type):
            setattr(error, name, mask_secrets(value, secrets).encode('utf-8'))
        elif isinstance(value, six.text_type):
            setattr(error, name, mask_secrets(value, secrets))
    error.args = tuple(mask_secrets(a, secrets) if isinstance(a, (six.text_type, six.binary_type))
                       else a for a in error.args)
    return error


# -- text for people -----------------------------------------------------------

# C0 controls, DEL, C1 controls (0x80-0x9f: terminals act on some of them, e.g.
# 0x9b is CSI), the Unicode line and paragraph separators, and the bidirectional
# overrides and isolates, which reorder what follows on the screen.
_UNPRINTABLE = frozenset(list(range(0x20)) + list(range(0x7f, 0xa0)) +
                         [0x2028, 0x2029] + list(range(0x202a, 0x202f)) +
                         list(range(0x2066, 0x206a)) + [0xfeff])
_NAMED = {0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r'}


def printable(value):
    """``value`` as text that cannot act on a terminal: control characters escaped.

    Usage: ``console.out(printable(key.name))``; ``'a\\x1b[2Jb'`` -> ``'a\\\\x1b[2Jb'``.

    For everything a server, a token file or a user chose and a person reads
    (key names, ARNs, error messages): CR, ESC, C1 controls and bidi overrides
    would otherwise move the cursor, recolour or rewrite the screen.
    """
    if isinstance(value, six.binary_type):
        value = value.decode('utf-8', 'replace')
    elif not isinstance(value, six.text_type):
        value = six.text_type(value)
    if not any(ord(ch) in _UNPRINTABLE for ch in value):
        return value
    out = []
    for ch in value:
        code = ord(ch)
        if code not in _UNPRINTABLE:
            out.append(ch)
        elif code in _NAMED:
            out.append(_NAMED[code])
        elif code < 0x100:
            out.append('\\x%02x' % code)
        else:
            out.append('\\u%04x' % code)
    return ''.join(out)


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
        self._index = _SecretIndex()
        self._secrets = set()
        # (registry's forgotten count, all our secrets still remembered?): while the
        # registry holds them all, its pass masks them and ours is skipped.
        self._covered = (None, False)
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
            self._index.add(_as_text(secret))
            self._secrets.add(_as_text(secret))
            self._covered = (None, False)

    def mask(self, text):
        """``text`` with registered secrets and the known patterns masked.

        Usage: ``safe = log_filter.mask(text)``

        :rtype: str
        """
        text = _as_text(text)
        if self._secrets and not self._all_remembered():
            text = self._index.mask(text)
        return _mask_patterns(_mask_remembered(text))

    def _all_remembered(self):
        forgotten, covered = self._covered
        if forgotten != _forgotten[0]:
            with self._lock:
                forgotten = _forgotten[0]
                covered = all(secret in _remembered for secret in list(self._secrets))
                self._covered = (forgotten, covered)
        return covered

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
