"""Token.coerce takes anything and either gives a Token or an InvalidTokenError
(a ValueError) whose text holds none of the secrets it was given."""
from __future__ import absolute_import, unicode_literals

import json
import traceback

from hypothesis import given, strategies as st

import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
from stsboto.exceptions import InvalidTokenError
from stsboto.token import Token

SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEYproperty'
SESSION = 'FwoGZXIvYXdzEPropertyTestSessionTokenValue0123456789+/=='
FIELDS = ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration', 'Version',
          'access_key', 'secret_key', 'session_token', 'expiration', 'arn', 'Credentials']

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
                    st.sampled_from([SECRET, SESSION, '2099-01-01T00:00:00Z', '2001-01-01T00:00:00Z',
                                     'ASIAIOSFODNN7EXAMPLE', '', ' ', 'not a date', '\x00']))
values = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=3),
    st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=5), children, max_size=6)),
    max_leaves=20)
documents = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8)


def _check(value):
    try:
        token = Token.coerce(value)
    except InvalidTokenError as error:
        assert isinstance(error, ValueError)
        text = ''.join(traceback.format_exception(type(error), error, error.__traceback__))
        assert SECRET not in text and SESSION not in text
        assert SECRET[:16] not in str(error) and SESSION[:16] not in str(error)
        return None
    assert isinstance(token, Token) and token.access_key and token.secret_key
    assert SECRET not in repr(token) and SESSION not in repr(token)
    return token


@given(documents)
def test_coerce_a_dict(document):
    _check(document)


@given(st.one_of(documents.map(json.dumps), documents.map(lambda d: json.dumps(d).encode('utf-8')),
                 st.text(max_size=100), st.binary(max_size=60)))
def test_coerce_json_text(text):
    _check(text)


@given(st.one_of(values, st.builds(object), st.just(Token)))
def test_coerce_anything_else(value):
    _check(value)
