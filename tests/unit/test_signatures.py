"""Signatures that name every documented parameter (issue 20 item 8).

``issue_token``, ``assume_role``, ``get_session_token`` and ``connect_with_token``
used to hide ``policy_variables``, ``retries``, ``connect_timeout``,
``addressing``, ``sigv4`` and ``time_fetcher`` in ``**kwargs``.  Each
``:param NAME:`` of their docstrings is now a parameter of the signature (the
``**`` one only for what goes on to boto or :func:`stsboto.sts.connect_to_region`),
and each named parameter is documented; calls spelled the old way (keywords)
keep working.
"""
from __future__ import absolute_import, unicode_literals

import inspect
import re

import mock
import pytest

import stsboto
from stsboto import s3, sts

from tests.factories import make_token

FUNCTIONS = [sts.issue_token, sts.assume_role, sts.get_session_token, s3.connect_with_token]
KEYS = {'aws_access_key_id': 'AKIAISSUERKEY0000001', 'aws_secret_access_key': 'issuer/secret+x'}


def _parameters(function):
    """``(named, var_keyword)``: the names of the signature, and the ``**`` one."""
    if hasattr(inspect, 'signature'):
        parameters = inspect.signature(function).parameters.values()
        named = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        var = [p.name for p in parameters if p.kind == p.VAR_KEYWORD]
        return named, var[0] if var else None
    spec = inspect.getargspec(function)  # Python 2.7
    return list(spec.args), spec.keywords


def _documented(function):
    return re.findall(r':param (?:[\w.]+ )?(\w+):', function.__doc__)


@pytest.mark.parametrize('function', FUNCTIONS, ids=lambda f: f.__name__)
def test_every_documented_parameter_is_in_the_signature(function):
    named, var_keyword = _parameters(function)
    documented = _documented(function)
    assert documented, 'no :param: in %s' % function.__name__
    missing = [name for name in documented if name not in named and name != var_keyword]
    assert missing == [], '%s documents %s but its signature does not name them' % (
        function.__name__, missing)


@pytest.mark.parametrize('function', FUNCTIONS, ids=lambda f: f.__name__)
def test_every_named_parameter_is_documented(function):
    named, var_keyword = _parameters(function)
    documented = set(_documented(function))
    assert [name for name in named + [var_keyword] if name not in documented] == []


def test_the_names_the_issue_found_hidden_are_named():
    assert {'policy_variables', 'retries', 'connect_timeout'} <= set(_parameters(sts.issue_token)[0])
    assert {'addressing', 'sigv4', 'retries', 'connect_timeout', 'time_fetcher'} <= \
        set(_parameters(s3.connect_with_token)[0])
    for function in (sts.assume_role, sts.get_session_token):
        assert {'retries', 'connect_timeout'} <= set(_parameters(function)[0])


def _sts_mock():
    conn = mock.Mock(spec=sts.STSConnection)
    conn.region = mock.Mock()
    conn.region.name = 'us-east-1'
    return conn


def test_issue_token_old_and_new_spellings_reach_the_same_places():
    for call in (
            # 0.2's spelling: everything by keyword, the new names through **kwargs
            lambda: stsboto.issue_token(bucket='photos', prefix='${aws:userid}/',
                                        policy_variables=['aws:userid'], retries=1,
                                        connect_timeout=4, endpoint_url='http://127.0.0.1:9',
                                        **KEYS),
            # positional as far as 0.2's signature went
            lambda: stsboto.issue_token('photos', '${aws:userid}/', stsboto.policy.DEFAULT_ACTIONS,
                                        None, 'stsboto', 900, 'us-east-1',
                                        KEYS['aws_access_key_id'], KEYS['aws_secret_access_key'],
                                        None, ['aws:userid'], 1, 4,
                                        endpoint_url='http://127.0.0.1:9')):
        with mock.patch.object(sts, 'connect_to_region', return_value=_sts_mock()) as connect, \
                mock.patch.object(sts, '_call_sts') as sent:
            call()
        assert sent.call_args[0][:3] == ('GetFederationToken', connect.return_value, 1)
        sent.call_args[0][3]()  # the request it would make
        kwargs = connect.call_args[1]
        assert (kwargs['retries'], kwargs['connect_timeout'], kwargs['endpoint_url']) == \
            (1, 4, 'http://127.0.0.1:9')
        policy = connect.return_value.get_federation_token.call_args[1]['policy']
        assert '${aws:userid}' in policy


def test_assume_role_and_session_token_pass_retries_on():
    for function, args in ((stsboto.assume_role, ('arn:aws:iam::123456789012:role/r', 'job-7')),
                           (stsboto.get_session_token, ())):
        with mock.patch.object(sts, 'connect_to_region') as connect, \
                mock.patch.object(sts, '_call_sts') as call:
            function(*args, retries=2, connect_timeout=3, endpoint_url='http://127.0.0.1:9', **KEYS)
        assert call.call_args[0][2] == 2
        kwargs = connect.call_args[1]
        assert (kwargs['retries'], kwargs['connect_timeout'], kwargs['endpoint_url']) == \
            (2, 3, 'http://127.0.0.1:9')


def test_retries_with_a_connection_is_still_refused():
    with pytest.raises(stsboto.InvalidParameterError) as info:
        stsboto.issue_token(bucket='photos', connection=_sts_mock(), retries=1)
    assert info.value.field == 'retries'


def test_connect_with_token_named_and_old_spellings():
    token = make_token()
    clock = mock.Mock(return_value=token.expiration.replace(year=2000))
    conn = stsboto.connect_with_token(token, 'eu-west-1', 'http://127.0.0.1:9', None, addressing='path',
                                      sigv4=False, retries=1, connect_timeout=2, time_fetcher=clock)
    assert conn.stsboto_policy.max_attempts == 2
    assert conn.stsboto_connect_timeout == 2
    assert conn._stsboto_sigv4 is False
    assert isinstance(conn.calling_format, s3.ADDRESSING['path'])
    assert (conn.host, conn.port, conn.is_secure) == ('127.0.0.1', 9, False)
    assert clock.called
    # defaults: SigV4, the transport's connect timeout; boto's own arguments still pass
    conn = stsboto.connect_with_token(token, region='eu-west-1', host='127.0.0.1', port=9,
                                      is_secure=False)
    assert conn._stsboto_sigv4 is True
    assert conn.stsboto_connect_timeout == s3.DEFAULT_CONNECT_TIMEOUT
    assert (conn.host, conn.port) == ('127.0.0.1', 9)
