"""stsboto (the facade, stsboto/__init__.py): the public surface (issue 21 item 3).

The README, the docstrings and ``__all__`` agree.

Every ``from stsboto... import NAME`` and every ``stsboto.X.Y`` the README
shows (in code blocks and in its ``literal`` text) must exist, and a name that
is not a module must be in its module's ``__all__``; ``stsboto.__all__`` holds
every public error and nothing private.
"""
from __future__ import absolute_import, unicode_literals

import importlib
import inspect
import io
import re

import mock
import pytest

import stsboto
from stsboto import exceptions, s3, sts
from tests.factories import make_token
from tests.readme import README

# ``from stsboto.x import (a, b)`` or ``from stsboto import a as b, c``
_FROM_IMPORT = re.compile(r'\bfrom\s+(stsboto(?:\.\w+)*)\s+import\s+(\([^)]*\)|[\w ,]+)')
# ``stsboto.a.b`` in code or prose; ``stsboto.pth`` is the start-up file, not a name
_DOTTED = re.compile(r'(?<![\w./-])stsboto((?:\.[A-Za-z_]\w*)+)')
_FILES = ('pth',)


def _readme():
    with io.open(README, encoding='utf-8') as stream:
        return stream.read()


def names_taught(text):
    """``[(module, name)]``: what ``text`` imports or uses from stsboto, in order, once each."""
    found = []
    for match in _FROM_IMPORT.finditer(text):
        for part in match.group(2).strip('()').split(','):
            name = part.split(' as ')[0].strip()
            if re.match(r'^[A-Za-z_]\w*$', name):
                found.append((match.group(1), name))
    for match in _DOTTED.finditer(text):
        parts = match.group(1).split('.')[1:]
        if parts[0] in _FILES:
            continue
        module = 'stsboto'
        for name in parts:
            found.append((module, name))
            candidate = module + '.' + name
            if not _is_module(candidate):
                break
            module = candidate
    unique = []
    for pair in found:
        if pair not in unique:
            unique.append(pair)
    return unique


def _is_module(dotted):
    try:
        importlib.import_module(dotted)
    except ImportError:
        return False
    return True


def problems(pairs):
    """What is wrong with each ``(module, name)``: missing, or not in ``__all__``."""
    wrong = []
    for module_name, name in pairs:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            wrong.append('%s: no such module' % module_name)
            continue
        if _is_module(module_name + '.' + name):
            continue  # a public module: importable is exported
        if not hasattr(module, name):
            wrong.append('%s.%s does not exist' % (module_name, name))
        elif name not in getattr(module, '__all__', [name]):
            wrong.append('%s.%s is not in %s.__all__' % (module_name, name, module_name))
    return wrong


def test_the_readme_teaches_stsboto_names():
    pairs = names_taught(_readme())
    assert ('stsboto', 'find_token') in pairs and ('stsboto', 'transfer') in pairs
    assert len(pairs) > 30


def test_every_name_the_readme_imports_or_uses_exists_and_is_exported():
    assert problems(names_taught(_readme())) == []


def test_every_public_error_is_exported_by_the_package():
    public = [name for name, value in vars(exceptions).items()
              if isinstance(value, type) and issubclass(value, BaseException)
              and value.__module__ == exceptions.__name__ and not name.startswith('_')]
    assert sorted(public) == sorted(exceptions.__all__)
    assert set(public) <= set(stsboto.__all__)
    for name in public:
        assert getattr(stsboto, name) is getattr(exceptions, name)


def test_every_error_but_ctrl_c_has_the_one_base():
    for name in exceptions.__all__:
        error = getattr(exceptions, name)
        if issubclass(error, KeyboardInterrupt):
            continue  # TransferInterrupted stays a KeyboardInterrupt (except Exception must miss it)
        if issubclass(error, Warning):
            assert issubclass(error, exceptions.StsbotoWarning), name  # warnings have theirs
            continue
        assert issubclass(error, exceptions.StsbotoError), name


def test_the_package_exports_nothing_private_and_nothing_missing():
    assert len(stsboto.__all__) == len(set(stsboto.__all__))
    for name in stsboto.__all__:
        assert hasattr(stsboto, name), name
        assert not name.startswith('_') or name == '__version__', name


def test_masked_error_lives_with_the_errors_and_keeps_its_old_import():
    from stsboto.logfilter import MaskedError
    assert MaskedError is exceptions.MaskedError is stsboto.MaskedError
    masked = stsboto.logfilter.mask_exception(_Unmaskable('key AKIDEXAMPLE secret wJalrXUtnFEMIK7MDENG'),
                                              ['wJalrXUtnFEMIK7MDENG'])
    assert isinstance(masked, stsboto.MaskedError) and masked.type_name == '_Unmaskable'
    assert 'wJalrXUtnFEMIK7MDENG' not in str(masked)


class _Unmaskable(Exception):
    def __str__(self):
        return 'key AKIDEXAMPLE secret wJalrXUtnFEMIK7MDENG'


@pytest.mark.parametrize('text, wanted', [
    ('from stsboto import (Token,\n    find_token as ft)', [('stsboto', 'Token'), ('stsboto', 'find_token')]),
    ('``stsboto.logfilter.remember()``', [('stsboto', 'logfilter'), ('stsboto.logfilter', 'remember')]),
    ('pip puts stsboto.pth in site-packages', []),
    ('conn = stsboto.connect_with_token(t)', [('stsboto', 'connect_with_token')]),
])
def test_the_reader_of_the_readme_finds_imports_and_dotted_names(text, wanted):
    assert names_taught(text) == wanted


def test_the_check_reports_a_missing_and_an_unexported_name():
    assert problems([('stsboto', 'no_such_thing'), ('stsboto.token', '_SOURCES'),
                     ('stsboto', 'sts'), ('stsboto.sts', 'issue_token')]) == [
        'stsboto.no_such_thing does not exist',
        'stsboto.token._SOURCES is not in stsboto.token.__all__']


# -- signatures name every documented parameter (issue 20 item 8) ----------------------------
# Signatures that name every documented parameter (issue 20 item 8).
#
# ``issue_token``, ``assume_role``, ``get_session_token`` and ``connect_with_token``
# used to hide ``policy_variables``, ``retries``, ``connect_timeout``,
# ``addressing``, ``sigv4`` and ``time_fetcher`` in ``**kwargs``.  Each
# ``:param NAME:`` of their docstrings is now a parameter of the signature (the
# ``**`` one only for what goes on to boto or :func:`stsboto.sts.connect_to_region`),
# and each named parameter is documented; calls spelled the old way (keywords)
# keep working.

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
