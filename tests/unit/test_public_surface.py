"""The public surface (issue 21 item 3): the README, the docstrings and ``__all__`` agree.

Every ``from stsboto... import NAME`` and every ``stsboto.X.Y`` the README
shows (in code blocks and in its ``literal`` text) must exist, and a name that
is not a module must be in its module's ``__all__``; ``stsboto.__all__`` holds
every public error and nothing private.
"""
from __future__ import absolute_import, unicode_literals

import importlib
import io
import re

import pytest

import stsboto
from stsboto import exceptions
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
