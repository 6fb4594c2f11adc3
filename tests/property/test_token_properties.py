"""Token.coerce takes anything and either gives a Token or an InvalidTokenError
(a ValueError) whose text holds none of the secrets it was given; a valid
document in any shape gives back exactly the credentials it holds."""
from __future__ import absolute_import, unicode_literals

import datetime
import json
import traceback

from hypothesis import Phase, find, given, settings, strategies as st

import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
from stsboto._compat import UTC
from stsboto.exceptions import InvalidTokenError
from stsboto.token import Token, format_expiration

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
any_documents = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8)

# -- valid credentials, in every shape Token.coerce documents ----------------------
# Printable ASCII; the access key also without "/", "," and "=" (stsboto.token's rule).
_PRINTABLE = ''.join(chr(c) for c in range(0x21, 0x7f))
access_keys = st.one_of(st.just('ASIAIOSFODNN7EXAMPLE'),
                        st.text(alphabet=_PRINTABLE.replace('/', '').replace(',', '').replace('=', ''),
                                min_size=1, max_size=24))
secrets = st.one_of(st.just(SECRET), st.text(alphabet=_PRINTABLE, min_size=1, max_size=48))
sessions = st.one_of(st.none(), st.just(SESSION), st.text(alphabet=_PRINTABLE, min_size=1, max_size=64))
expirations = st.one_of(st.none(), st.datetimes(min_value=datetime.datetime(1900, 1, 1),
                                                max_value=datetime.datetime(2200, 1, 1),
                                                timezones=st.just(UTC)))
arns = st.one_of(st.none(), st.text(alphabet=_PRINTABLE, max_size=20).map(
    lambda name: 'arn:aws:sts::123456789012:federated-user/' + name))
credentials = st.fixed_dictionaries({'access_key': access_keys, 'secret_key': secrets,
                                     'session_token': sessions, 'expiration': expirations,
                                     'arn': arns})


def _aws_shape(fields, version=True):
    names = (('access_key', 'AccessKeyId'), ('secret_key', 'SecretAccessKey'),
             ('session_token', 'SessionToken'), ('expiration', 'Expiration'), ('arn', 'Arn'))
    out = dict((aws, fields[ours]) for ours, aws in names if fields[ours] is not None)
    if 'Expiration' in out:
        out['Expiration'] = format_expiration(out['Expiration'])
    if version:
        out['Version'] = 1
    return out


def _boto_shape(fields):
    out = dict((name, value) for name, value in fields.items() if value is not None)
    if 'expiration' in out:
        out['expiration'] = format_expiration(out['expiration'])
    return out


def _cli_shape(fields):
    # ``aws sts get-federation-token``: the ARN is the federated user's
    aws = _aws_shape(dict(fields, arn=None), version=False)
    out = {'Credentials': aws}
    if fields['arn'] is not None:
        out['FederatedUser'] = {'Arn': fields['arn']}
    return out


shapes = st.sampled_from([_aws_shape, _boto_shape, _cli_shape])
valid = st.tuples(credentials, shapes).map(lambda pair: (pair[0], pair[1](pair[0])))
# A valid document with one key set to anything: accepted or refused, never anything else.
damaged = st.tuples(valid, st.sampled_from(FIELDS), values).map(
    lambda args: dict(args[0][1], **{args[1]: args[2]}))
documents = st.one_of(valid.map(lambda pair: pair[1]), damaged, any_documents)


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


@given(valid, st.sampled_from(['dict', 'json', 'bytes']))
def test_a_valid_document_gives_back_exactly_its_credentials(pair, form):
    fields, document = pair
    text = json.dumps(document)
    value = {'dict': document, 'json': text, 'bytes': text.encode('utf-8')}[form]
    token = _check(value)
    assert token is not None
    assert (token.access_key, token.secret_key, token.session_token, token.expiration, token.arn) == \
        (fields['access_key'], fields['secret_key'], fields['session_token'], fields['expiration'],
         fields['arn'])
    assert Token.coerce(token.to_json()) == token


def test_the_fuzzed_documents_reach_both_outcomes():
    """The strategy of test_coerce_a_dict must build tokens as well as refusals."""
    def accepted(document):
        try:
            Token.coerce(document)
        except InvalidTokenError:
            return False
        return True

    within = settings(max_examples=150, phases=[Phase.generate], database=None)  # no shrinking
    assert accepted(find(documents, accepted, settings=within))
    assert not accepted(find(documents, lambda document: not accepted(document), settings=within))


@given(st.one_of(documents.map(json.dumps), documents.map(lambda d: json.dumps(d).encode('utf-8')),
                 st.text(max_size=100), st.binary(max_size=60)))
def test_coerce_json_text(text):
    _check(text)


@given(st.one_of(values, st.builds(object), st.just(Token)))
def test_coerce_anything_else(value):
    _check(value)
