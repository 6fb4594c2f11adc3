"""The package's layers (issue 21): a module imports only from its own layer and those below.

:data:`LAYERS` is the table (lowest first; a module may import its own layer
and those below, and no modules may import one another in a circle).  Every import counts,
including those inside functions: a late import is still an upward import.
Where a lower layer needs a higher one it is handed a callable instead (as
``stsboto.credentials`` fills ``stsboto.token._SOURCES``).  The one import
circle allowed is the start-up hook's: ``_stsboto_startup`` (outside the
package, importing nothing of stsboto when loaded) imports ``stsboto`` or
``stsboto.cli`` inside its loader, and the facade and ``stsboto.patch`` read
its variable.
"""
from __future__ import absolute_import, unicode_literals

import ast
import io
import os

import pytest

import stsboto

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(stsboto.__file__)))
PACKAGE = os.path.join(ROOT, 'stsboto')
STARTUP = '_stsboto_startup'

#: Lowest first.  A name is a module or a package of ``stsboto`` (a package's
#: modules share its place); ``''`` is the facade, ``stsboto/__init__.py``.
LAYERS = (
    ('_compat', '_boto', '_textio', '_endpoint_data'),  # version checks; boto importable; data
    ('exceptions',),                              # every error class
    ('_validate', 'token'),                       # number checks; Token, a value
    ('logfilter', 'regions', 'config', 'policy'),  # masking, regions, settings, policies
    ('refresh',),                                 # a token that renews itself
    ('transport',),                               # attempts, timeouts, TLS, proxies
    ('redirects',),                               # S3 region redirects, safely
    ('signing',),                                 # SigV4 fixes, presigned URLs
    ('sts', 's3'),                                # the calls and connections
    ('credentials',),                             # botocore's chain (sso included)
    ('patch',),                                   # fixing boto in place
    ('transfer', 'vend'),                         # features on top
    ('',),                                        # the facade
    ('local',),                                   # the local server, under the command line
    ('cli', '__main__'),                          # the command line
)
RANK = dict((name, rank) for rank, names in enumerate(LAYERS) for name in names)


def _modules():
    """``{dotted name: path}`` for every module of the package, and the start-up hook."""
    found = {STARTUP: os.path.join(ROOT, STARTUP + '.py')}
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if not name.endswith('.py'):
                continue
            path = os.path.join(folder, name)
            dotted = os.path.relpath(path, ROOT)[:-3].replace(os.sep, '.')
            if dotted.endswith('.__init__'):
                dotted = dotted[:-len('.__init__')]
            found[dotted] = path
    return found


def _read(path):
    with io.open(path, encoding='utf-8') as stream:
        return stream.read()


def imports_of(module, source, known, is_package=False, top_level_only=False):
    """The modules of ``known`` that ``source`` (the text of ``module``) imports."""
    tree = ast.parse(source)
    nodes = tree.body if top_level_only else ast.walk(tree)
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                parts = module.split('.') if is_package else module.split('.')[:-1]
                parts = parts[:len(parts) - node.level + 1]
                base = '.'.join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                # ``from stsboto import s3`` imports the module s3, not the facade
                names.add(base + '.' + alias.name if base + '.' + alias.name in known else base)
    found = set()
    for name in names:
        while name and name not in known:
            name = name.rpartition('.')[0]
        if name and name != module:
            found.add(name)
    return found


def _graph():
    modules = _modules()
    return dict((name, imports_of(name, _read(path), modules, path.endswith('__init__.py')))
                for name, path in modules.items())


def place(module):
    """The entry of :data:`LAYERS` that ``module`` belongs to (``stsboto.cli.tokens`` -> ``cli``)."""
    if module == 'stsboto':
        return ''
    return module.split('.')[1]


def upward_imports(graph):
    """``(importer, imported)`` pairs that break the table."""
    wrong = []
    for module, imported in sorted(graph.items()):
        if module == STARTUP:
            continue  # its loader imports the package: the one allowed circle
        for target in sorted(imported):
            if target == STARTUP:
                continue  # imports nothing of stsboto when loaded (checked below)
            if RANK[place(target)] > RANK[place(module)]:
                wrong.append((module, target))
    return wrong


def circles(graph):
    """Each set of two or more modules that import one another, directly or not (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_has_a_place_in_the_table():
    unplaced = sorted(m for m in _modules() if m != STARTUP and place(m) not in RANK)
    assert unplaced == [], 'add these to LAYERS in tests/unit/test_layering.py: %s' % unplaced


def test_no_module_imports_from_a_higher_layer():
    assert upward_imports(_graph()) == []


def test_the_only_import_circle_is_the_start_up_hooks():
    graph = _graph()
    found = circles(graph)
    assert all(STARTUP in circle for circle in found), found
    without_hook = dict((module, imported) for module, imported in graph.items() if module != STARTUP)
    assert circles(without_hook) == []


def test_the_start_up_hook_imports_nothing_of_stsboto_when_loaded():
    modules = _modules()
    assert imports_of(STARTUP, _read(modules[STARTUP]), modules, top_level_only=True) == set()


def test_the_exceptions_module_imports_only_the_bottom_layer():
    graph = _graph()
    assert graph['stsboto.exceptions'] <= set(['stsboto._boto', 'stsboto._compat'])


# -- the checker itself: it must see what it is meant to catch ---------------------

KNOWN = dict.fromkeys(['stsboto', 'stsboto.exceptions', 'stsboto.logfilter', 'stsboto.token',
                       'stsboto.cli', 'stsboto.cli.console', 'stsboto.local', 'stsboto.local.demo',
                       'stsboto.s3'])


@pytest.mark.parametrize('module, source, target', [
    ('stsboto.exceptions', 'def f():\n    from stsboto.logfilter import mask_secrets\n',
     'stsboto.logfilter'),
    ('stsboto.token', 'class T(object):\n    def m(self):\n        import stsboto.cli.console\n',
     'stsboto.cli.console'),
    ('stsboto.local.demo', 'from stsboto.cli.console import printable\n', 'stsboto.cli.console'),
    ('stsboto.local.demo', 'from ..cli import console\n', 'stsboto.cli.console'),
    ('stsboto.s3', 'from stsboto import cli\n', 'stsboto.cli'),
])
def test_the_checker_finds_an_upward_import_even_inside_a_function(module, source, target):
    imported = imports_of(module, source, KNOWN)
    assert imported == set([target])
    assert upward_imports({module: imported}) == [(module, target)]


def test_the_checker_allows_downward_and_same_layer_imports():
    graph = {'stsboto.logfilter': imports_of('stsboto.logfilter', 'from stsboto.token import Token\n'
                                             'from stsboto import exceptions\n', KNOWN),
             'stsboto.local.demo': imports_of('stsboto.local.demo', 'import stsboto\n', KNOWN)}
    assert graph == {'stsboto.logfilter': set(['stsboto.token', 'stsboto.exceptions']),
                     'stsboto.local.demo': set(['stsboto'])}
    assert upward_imports(graph) == []


def test_the_checker_finds_a_circle():
    assert circles({'a': set(['b']), 'b': set(['c']), 'c': set(['a']), 'd': set(['a'])}) == \
        [set(['a', 'b', 'c'])]
