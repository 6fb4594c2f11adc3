"""Unit tests for ``stsboto.logfilter``: secrets never reach a log handler.

The last tests make a real boto S3 request, through ``connect_with_token``, to
a tiny HTTP server on 127.0.0.1 with the 'boto' logger at DEBUG: without the
filter the session token shows up in the captured log (so the test can fail),
with it no secret does.
"""
from __future__ import absolute_import, unicode_literals

import logging
import sys

import pytest
import six

import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
from stsboto.logfilter import MASK, SecretMaskingFilter, install_log_filter, mask_secrets
from stsboto.token import Token
from tests.factories import ListHandler, make_token
from tests.factories import log_record as record

import boto.s3.connection  # noqa: E402


ACCESS_KEY = 'ASIAIOSFODNN7EXAMPLE'
SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY'
SESSION_TOKEN = 'FwoGZXIvYXdzEBYaDH7EXAMPLESESSIONTOKENVALUE+/=='
TOKEN = Token(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)
# 64 hex digits, as a SigV4 signature
SIGNATURE = 'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024'
OTHER = 'ZZunknownSECRETvalueNOTregistered'


def filtered(log_filter, msg, *args, **kwargs):
    rec = record(msg, *args, **kwargs)
    assert log_filter.filter(rec) is True
    return rec


# -- patterns that carry a secret whatever its value -------------------------------

@pytest.mark.parametrize('text, hidden', [
    # boto/connection.py: 'Token: %s' % provider.security_token
    ('Token: %s' % OTHER, OTHER),
    # request headers as dict reprs (py3 and py2 spellings) and HTTP lines
    ("Headers: {'x-amz-security-token': '%s', 'Date': 'x'}" % OTHER, OTHER),
    ("Headers: {u'X-Amz-Security-Token': u'%s'}" % OTHER, OTHER),
    ('x-amz-security-token: %s\r\nHost: x' % OTHER, OTHER),
    # SigV4 canonical request line (no space after the colon)
    ('host:127.0.0.1\nx-amz-security-token:%s\n' % OTHER, OTHER),
    # response headers as a list of tuples
    ("Response headers: [('x-amz-security-token', '%s')]" % OTHER, OTHER),
    # presigned URLs: SigV4 and SigV2 query parameters
    ('https://b.s3.amazonaws.com/k?X-Amz-Security-Token=%s&X-Amz-Date=1' % OTHER, OTHER),
    ('/k?Signature=%s&x-amz-security-token=abc%%2Fdef' % SIGNATURE, SIGNATURE),
    ('/k?X-Amz-Credential=x&X-Amz-Signature=%s' % SIGNATURE, SIGNATURE),
    # Authorization headers
    ('Authorization: AWS4-HMAC-SHA256 Credential=%s/20261127/us-east-1/s3/aws4_request, '
     'SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=%s' % (ACCESS_KEY, SIGNATURE),
     SIGNATURE),
    ("{'Authorization': 'AWS %s:frJIUN8DYpKDtOLCwo//yllqDzg='}" % ACCESS_KEY,
     'frJIUN8DYpKDtOLCwo//yllqDzg='),
    ('Signature:\n%s' % SIGNATURE, SIGNATURE),
    # boto/auth.py HmacAuthV1Handler (SigV2) logs the whole header value
    ('Signature:\nAWS %s:frJIUN8DYpKDtOLCwo//yllqDzg=' % ACCESS_KEY, 'frJIUN8DYpKDtOLCwo//yllqDzg='),
    # STS answers (XML) and credential JSON
    ('<Credentials><SessionToken>%s</SessionToken><SecretAccessKey>%s</SecretAccessKey>'
     % (OTHER, OTHER + 'x'), OTHER),
    ('{"AccessKeyId": "%s", "SecretAccessKey": "%s"}' % (ACCESS_KEY, OTHER), OTHER),
    ('{"SessionToken": "%s"}' % OTHER, OTHER),
    # SigV2 query APIs (STS with a token) and boto keyword reprs
    ("Params: {'SecurityToken': '%s', 'Action': 'GetFederationToken'}" % OTHER, OTHER),
    ("{'aws_secret_access_key': '%s', 'security_token': 'x'}" % OTHER, OTHER),
    ('aws_session_token = %s' % OTHER, OTHER),
])
def test_known_patterns_are_masked(text, hidden):
    masked = mask_secrets(text)
    assert hidden not in masked
    assert MASK in masked


@pytest.mark.parametrize('text', [
    'Token: None',
    "Headers: {'x-amz-security-token': None}",
    'Method: GET',
    'Path: /photos/cat.jpg',
    'SignedHeaders=host;x-amz-date;x-amz-security-token',
    'the session token expired at 2026-11-27T21:15:00Z',
])
def test_harmless_text_is_left_alone(text):
    assert mask_secrets(text) == text


def test_access_key_ids_stay_visible():
    masked = mask_secrets("{'Authorization': 'AWS %s:sig+/=', 'x-amz-security-token': 'abc'}"
                          % ACCESS_KEY)
    assert ACCESS_KEY in masked


# -- registered secrets ------------------------------------------------------------

def test_registered_token_is_masked_anywhere():
    log_filter = SecretMaskingFilter([TOKEN])
    text = 'free text %s and %s end' % (SESSION_TOKEN, SECRET_KEY)
    assert log_filter.mask(text) == 'free text %s and %s end' % (MASK, MASK)


@pytest.mark.parametrize('safe', ['', '/'])
def test_registered_token_is_masked_when_url_encoded(safe):
    encoded = six.moves.urllib.parse.quote(SESSION_TOKEN, safe=str(safe))
    assert encoded != SESSION_TOKEN
    log_filter = SecretMaskingFilter()
    log_filter.add_token(TOKEN.to_json())
    assert encoded not in log_filter.mask('GET /k?token-param=%s HTTP/1.1' % encoded)


def test_short_strings_are_not_registered():
    log_filter = SecretMaskingFilter()
    log_filter.add_secret('GET')
    log_filter.add_secret(None)
    assert log_filter.mask('GET /') == 'GET /'


def test_mask_secrets_takes_extra_secrets():
    assert mask_secrets('x %s y' % SECRET_KEY, [SECRET_KEY, None]) == 'x %s y' % MASK


# -- the filter on records ---------------------------------------------------------

def test_filter_masks_a_secret_that_appears_only_once_args_are_applied():
    rec = filtered(SecretMaskingFilter(), 'Headers: %s', {'x-amz-security-token': OTHER})
    assert OTHER not in rec.getMessage() and rec.args in ((), None)
    assert rec.getMessage().startswith('Headers: ')


def test_filter_masks_args_holding_registered_secrets():
    rec = filtered(SecretMaskingFilter([TOKEN]), 'keys %s %s', SECRET_KEY, SESSION_TOKEN)
    assert rec.getMessage() == 'keys %s %s' % (MASK, MASK)


def test_filter_masks_the_traceback():
    try:
        raise ValueError('bad token %s' % SESSION_TOKEN)
    except ValueError:
        rec = filtered(SecretMaskingFilter([TOKEN]), 'failed', exc_info=sys.exc_info())
    assert 'ValueError' in rec.exc_text and SESSION_TOKEN not in rec.exc_text
    assert SESSION_TOKEN not in logging.Formatter().format(rec)


def test_filter_survives_a_message_that_does_not_fit_its_args():
    rec = filtered(SecretMaskingFilter([TOKEN]), 'one %s %s', SESSION_TOKEN)
    assert SESSION_TOKEN not in rec.getMessage()


def test_filter_never_drops_a_record():
    log_filter = SecretMaskingFilter(name='somewhere.else')
    rec = record('Token: %s' % OTHER)
    assert log_filter.filter(rec) is True


def test_filter_accepts_byte_strings():
    rec = filtered(SecretMaskingFilter([TOKEN]), b'Token: ' + SESSION_TOKEN.encode('ascii'))
    assert SESSION_TOKEN not in rec.getMessage()


# -- install_log_filter ------------------------------------------------------------

@pytest.fixture
def scratch_logger():
    logger = logging.getLogger('stsboto.tests.scratch')
    yield logger
    for log_filter in list(logger.filters):
        logger.removeFilter(log_filter)


def test_install_log_filter_is_idempotent(scratch_logger):
    first = install_log_filter('stsboto.tests.scratch')
    second = install_log_filter(scratch_logger, tokens=[TOKEN])
    assert first is second and scratch_logger.filters == [first]
    assert SECRET_KEY not in first.mask(SECRET_KEY)


def test_install_log_filter_on_a_handler():
    handler = ListHandler()
    log_filter = install_log_filter(handler, [TOKEN])
    assert handler.filters == [log_filter]
    assert install_log_filter(handler) is log_filter
    child = logging.getLogger('stsboto.tests.scratch.child')
    child.addHandler(handler)
    child.setLevel(logging.DEBUG)
    child.propagate = False
    try:
        child.debug('Token: %s', SESSION_TOKEN)
    finally:
        child.removeHandler(handler)
    assert handler.lines == ['Token: %s' % MASK]


def test_install_log_filter_defaults_to_the_boto_logger():
    boto_logger = logging.getLogger('boto')
    before = list(boto_logger.filters)
    try:
        log_filter = install_log_filter()
        assert log_filter in boto_logger.filters
    finally:
        boto_logger.filters[:] = before


# -- a real boto request -----------------------------------------------------------


def test_masking_leaves_urllib_quote_working_for_non_ascii_bytes():
    # Python 2 keys urllib.quote's cache by the value of safe=, so a unicode
    # safe='/' once made every later quote() of non-ASCII bytes fail (boto's
    # S3 paths included).
    from six.moves.urllib.parse import quote
    mask_secrets('x-amz-security-token: abc', ['a-long-secret/with+chars'])
    assert quote('\u00e9t\u00e9/'.encode('utf-8')) == '%C3%A9t%C3%A9/'
    assert quote('\u00e9'.encode('utf-8'), safe=str('')) == '%C3%A9'


# -- token-shaped XML and the process-wide registry (issue 11 item 3) --------------------

@pytest.mark.parametrize('text', [
    # S3's InvalidToken / ExpiredToken answers echo the token
    '<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message>'
    '<Token-0>%s</Token-0><RequestId>R</RequestId></Error>' % OTHER,
    # a body cut short inside the element (no closing tag)
    "b'<Credentials><AccessKeyId>ASIA</AccessKeyId><SessionToken>%s" % OTHER,
    '<SessionToken>%s' % OTHER,
    # white space before the value, real or escaped in a repr
    '<SessionToken>\n    %s\n</SessionToken>' % OTHER,
    repr(b'<SecretAccessKey>\n  ' + OTHER.encode('ascii')),
    '<Token>%s</Token>' % OTHER,
])
def test_token_shaped_xml_is_masked_complete_or_not(text):
    masked = mask_secrets(text)
    assert OTHER not in masked and OTHER[:16] not in masked
    assert MASK in masked


def test_xml_masking_keeps_the_rest_of_the_body():
    masked = mask_secrets('<Token-0>%s</Token-0><RequestId>R-42</RequestId>' % OTHER)
    assert masked == '<Token-0>%s</Token-0><RequestId>R-42</RequestId>' % MASK


def test_remembered_secrets_are_masked_by_every_masking():
    from stsboto.logfilter import remember
    assert OTHER in mask_secrets('plain %s text' % OTHER)
    remember(Token(ACCESS_KEY, OTHER + 'secret', OTHER))
    assert mask_secrets('plain %s text' % OTHER) == 'plain %s text' % MASK
    assert SecretMaskingFilter().mask('x %ssecret y' % OTHER) == 'x %s y' % MASK
    # pieces shorter than 16 characters (the shortest fragment masked): stays
    cut = '%2F'.join(OTHER[i:i + 10] for i in range(0, len(OTHER), 10))
    assert mask_secrets(cut) == cut


def test_a_filter_masks_tokens_it_was_never_given(boto_log):
    from stsboto.logfilter import remember
    install_log_filter('boto')                 # no tokens registered with it
    remember(TOKEN)                            # what issue_token and refresh do
    logging.getLogger('boto').debug('odd message holding %s and %s', SESSION_TOKEN, SECRET_KEY)
    assert SESSION_TOKEN not in boto_log.text and SECRET_KEY not in boto_log.text
    assert 'odd message holding %s and %s' % (MASK, MASK) in boto_log.text


def test_the_registry_is_bounded_oldest_first():
    from stsboto import logfilter
    import hashlib
    # unrelated secrets: no 16 characters in common (those would be masked as fragments)
    secrets = [hashlib.sha256(('registry-%d' % i).encode('ascii')).hexdigest()[:32]
               for i in range(logfilter._REMEMBER_MAX + 10)]
    for secret in secrets:
        logfilter.remember(secret)
    assert secrets[0] in mask_secrets(secrets[0])          # forgotten
    assert MASK == mask_secrets(secrets[-1])                # kept
    logfilter.remember(secrets[20])                         # seen again: young again
    for i in range(5):
        logfilter.remember('later-secret-%04d-xxxxxxxxxx' % i)
    assert mask_secrets(secrets[20]) == MASK


@pytest.mark.parametrize('value', [None, '', 'short', b'', 42, Token(ACCESS_KEY, 'x' * 40, None)])
def test_remember_ignores_what_is_not_a_secret(value):
    from stsboto import logfilter
    logfilter.remember(value)
    assert mask_secrets('short 42 None') == 'short 42 None'


# -- mask_exception: causes that tracebacks print (issue 11 item 2) ----------------------

class _OwnStr(Exception):
    def __str__(self):
        return 'it was %s' % SESSION_TOKEN


def test_mask_exception_masks_args_in_place_and_walks_the_chain():
    import traceback
    from stsboto.logfilter import mask_exception
    inner = _OwnStr()
    try:
        try:
            raise inner
        except _OwnStr:
            raise RuntimeError('outer %s' % SECRET_KEY)
    except RuntimeError as error:
        outer, tb = error, sys.exc_info()[2]
    masked = mask_exception(outer, [SECRET_KEY, SESSION_TOKEN])
    assert masked is outer and outer.args == ('outer %s' % MASK,)
    text = ''.join(traceback.format_exception(type(outer), outer, tb))
    assert SECRET_KEY not in text and SESSION_TOKEN not in text
    if six.PY3:  # the context that could not be masked in place is replaced
        assert type(outer.__context__).__name__ == 'MaskedError'
        assert outer.__context__.type_name == '_OwnStr'
        assert 'it was %s' % MASK in str(outer.__context__)


def test_masking_is_idempotent():
    for text in ('<Token-0>%s</Token-0>' % OTHER, 'Token: %s' % OTHER, '<SessionToken>%s' % OTHER,
                 'x-amz-security-token: %s' % OTHER):
        once = mask_secrets(text)
        assert mask_secrets(once) == once


def test_mask_exception_scrubs_boto_errors_and_leaves_clean_ones_alone():
    from stsboto.logfilter import mask_exception
    error = boto.exception.S3ResponseError(400, 'Bad Request', '<Error><Token-0>%s</Token-0></Error>'
                                           % SESSION_TOKEN)
    assert mask_exception(error) is error
    assert SESSION_TOKEN not in str(error) and SESSION_TOKEN not in repr(error.body)
    clean = ValueError('nothing secret here')
    assert mask_exception(clean, [SECRET_KEY]) is clean and clean.args == ('nothing secret here',)
    assert mask_exception(None) is None


# -- issue 19 item 4: masking sees encoded forms, prefixes and fragments ---------------------------

def _long_token():
    import base64
    import hashlib
    blob = b''.join(hashlib.sha256(b'token-%d' % i if six.PY3 else b'token-' + str(i)).digest()
                    for i in range(24))
    session = 'IQoJb3JpZ2luX2VjE' + base64.b64encode(blob).decode('ascii')  # 657 characters
    return make_token(session_token=session, secret_key='wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY')


def _visible_fragments(text, form):
    """16-character pieces of ``form`` still in ``text`` (compared ignoring case)."""
    low = text.lower()
    return [form[i:i + 16] for i in range(len(form) - 15) if form[i:i + 16].lower() in low]


def _forms(secret, token):
    import base64
    import json
    from six.moves.urllib.parse import quote, quote_plus
    once = quote(secret, safe=str(''))
    lower = __import__('re').sub('%[0-9A-F]{2}', lambda m: m.group(0).lower(), once)
    as_json = token.to_json()
    process = json.dumps({'Version': 1, 'AccessKeyId': token.access_key,
                          'SecretAccessKey': token.secret_key, 'SessionToken': token.session_token})
    forms = {
        'raw': secret, 'percent': once, 'percent-lower': lower,
        'percent-twice': quote(once, safe=str('')), 'percent-twice-lower': quote(lower, safe=str('')),
        'plus': quote_plus(secret, safe=str('')), 'json-escaped': secret.replace('/', '\\/'),
        'prefix-120': secret[:120], 'middle-23': secret[37:60], 'suffix-17': secret[-17:],
    }
    for pad in range(3):
        for name, text in (('token-json', as_json), ('process-json', process), ('secret', secret)):
            data = (b'x' * pad) + text.encode('utf-8')
            forms['base64-%s-%d' % (name, pad)] = base64.b64encode(data).decode('ascii')
            forms['base64url-%s-%d' % (name, pad)] = base64.urlsafe_b64encode(data).decode('ascii')
    return forms


# -- issue 19 item 2: no user name or password of a URL in a log line ---------------------

@pytest.mark.parametrize('text, shown', [
    ('GET http://admin:PASS-123@127.0.0.1:8080/creds failed',
     'GET http://127.0.0.1:8080/creds failed'),
    ("endpoint='https://user@example.com/x?y=1'", "endpoint='https://example.com/x?y=1'"),
    ('proxy socks5h://u:p%40ss@10.0.0.1:1080 down', 'proxy socks5h://10.0.0.1:1080 down'),
    ('mail admin@example.com and s3://bucket/k@2', 'mail admin@example.com and s3://bucket/k@2'),
])
def test_item2_masking_drops_userinfo_of_any_url(text, shown):
    from stsboto.logfilter import display_url, mask_secrets
    assert mask_secrets(text) == shown
    assert display_url('http://a:b@127.0.0.1:1/p?q=1') == 'http://127.0.0.1:1/p?q=1'
    assert display_url('http://a:b@[::1]:1/p?q=1', query=False) == 'http://[::1]:1/p'


@pytest.mark.parametrize('which', ['session_token', 'secret_key'])
@pytest.mark.parametrize('how', ['filter', 'remembered'])
def test_item4_every_encoded_form_prefix_and_fragment_is_masked(which, how):
    from stsboto.logfilter import MASK, SecretMaskingFilter, mask_secrets, remember
    token = _long_token()
    secret = getattr(token, which)
    if how == 'filter':
        mask = SecretMaskingFilter([token]).mask
    else:
        remember(token)
        mask = mask_secrets
    for name, form in sorted(_forms(secret, token).items()):
        line = 'GET https://photos.s3.amazonaws.com/k?X-Amz-Security-Token=%s&x=1 body=%s end' % (
            form, form)
        masked = mask(line)
        assert MASK in masked, name
        assert 'end' in masked and 'GET https://photos.s3.amazonaws.com/k?' in masked, name
        if '-json-' not in name:   # base64 of a whole JSON document: the next test decodes it
            assert _visible_fragments(masked, form) == [], name


def test_item4_base64_of_the_token_json_shows_no_secret_when_decoded():
    import base64
    from stsboto.logfilter import SecretMaskingFilter
    token = _long_token()
    mask = SecretMaskingFilter([token]).mask
    for pad in range(3):
        data = b' ' * pad + token.to_json().encode('utf-8')
        masked = mask('creds=%s;' % base64.b64encode(data).decode('ascii'))
        blob = masked[len('creds='):-1]
        # decode what is left of each piece at every alignment: no 16 characters of a secret
        for piece in blob.split('<hidden>'):
            for start in range(4):
                chunk = piece[start:]
                chunk = chunk[:len(chunk) // 4 * 4]
                decoded = base64.b64decode(chunk.encode('ascii')) if chunk else b''
                for secret in (token.session_token, token.secret_key):
                    text = decoded.decode('latin-1')
                    assert _visible_fragments(text, secret) == []


def test_item4_fifteen_characters_stay_and_other_text_is_untouched():
    from stsboto.logfilter import SecretMaskingFilter
    token = _long_token()
    mask = SecretMaskingFilter([token]).mask
    line = 'id=%s piece=%s next' % (token.access_key, token.session_token[100:115])
    assert mask(line) == line


def test_item4_a_filter_keeps_masking_its_tokens_after_the_registry_forgot_them():
    import hashlib
    from stsboto import logfilter
    token = _long_token()
    log_filter = logfilter.SecretMaskingFilter([token])
    line = 'prefix=%s' % token.session_token[:120]
    assert log_filter.mask(line) == 'prefix=' + logfilter.MASK
    for i in range(logfilter._REMEMBER_MAX + 1):
        logfilter.remember(hashlib.sha256(str(i).encode('ascii')).hexdigest())
    assert logfilter.mask_secrets(line) == line          # the registry forgot it
    assert log_filter.mask(line) == 'prefix=' + logfilter.MASK
