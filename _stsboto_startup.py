"""Run at interpreter start-up by the ``stsboto.pth`` file stsboto installs.

Usage: nothing to call.  Installing stsboto puts ``stsboto.pth`` in
site-packages; its one line imports this module, which does no more than
register a finder on ``sys.meta_path`` when one is needed:

* on Python 3.12 and later (3.13, 3.14, 3.15, ...), always: ``import boto`` then works in any import order,
  because the finder loads stsboto's boto fixes (``stsboto._boto``) first;
* on any Python, when ``STSBOTO_PATCH_BOTO=1``: the first ``import boto`` (or
  ``import stsboto``) also applies ``stsboto.patch_boto()``;
* on any Python, when the patch is not set either way and the environment
  holds what boto 2 alone ignores (``AWS_SESSION_TOKEN``, ``AWS_ENDPOINT_URL``
  or ``AWS_ENDPOINT_URL_<SERVICE>``): a program that imports boto gets one
  :class:`stsboto.exceptions.BotoNotPatchedWarning` naming them, instead of
  a minute of DNS retries against AWS with the session token dropped.

Nothing is imported here but ``os`` and ``sys`` (which ``site`` has already
loaded): start-up must stay cheap for every Python program on the machine
(``benchmarks/startup.py`` measures it).  This module is outside the
``stsboto`` package because importing anything from that package imports
boto; for the same reason its one version check cannot come from
``stsboto._compat``.
"""
import os
import sys

#: The environment variable that turns the boto patch on at start-up.
ENV_VAR = 'STSBOTO_PATCH_BOTO'
_TRUE = ('1', 'true', 'yes', 'on')


_FALSE = ('0', 'false', 'no', 'off')


def wanted(environ=os.environ):
    """True when ``STSBOTO_PATCH_BOTO`` asks for the patch (``1``, ``true``, ``yes``, ``on``)."""
    return environ.get(ENV_VAR, '').strip().lower() in _TRUE


def refused(environ=os.environ):
    """True when ``STSBOTO_PATCH_BOTO`` says the patch is off on purpose (``0``, ``false``, ...)."""
    return environ.get(ENV_VAR, '').strip().lower() in _FALSE


def ignored_by_boto(environ=os.environ):
    """The variables set here that boto 2 alone ignores and the patch reads, sorted.

    ``AWS_SESSION_TOKEN`` (boto reads ``AWS_SECURITY_TOKEN`` only: boto issue
    3298) and the ``AWS_ENDPOINT_URL*`` family; not ``AWS_REGION`` alone, which
    Lambda and ECS set for every process.  Two lookups, then a scan of the
    names only when neither is set (a few microseconds: benchmarks/startup.py).
    """
    found = [name for name in ('AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL') if environ.get(name)]
    found.extend(name for name in environ
                 if name.startswith('AWS_ENDPOINT_URL_') and environ.get(name))
    return sorted(found)


class LazyBotoFinder(object):
    """Answers ``import boto`` with boto as stsboto fixed (and patched) it.

    Its loader imports stsboto, which imports boto with its fixes (and, with
    ``STSBOTO_PATCH_BOTO=1``, patches it), and hands that module to the
    import in progress.  Once stsboto or boto is loaded it steps aside (so
    stsboto's own ``import boto`` goes the usual way).  A mere lookup
    (``importlib.util.find_spec('boto')``) imports nothing.

    It also steps aside when the ``boto`` the import would find is not boto 2
    (issue 19): a program's own ``boto.py``, or a ``boto`` package whose
    ``__init__.py`` does not declare a 2.x ``__version__``, imports as it
    would without stsboto.
    """

    @staticmethod
    def _wanted(fullname):
        return fullname == 'boto' and 'stsboto' not in sys.modules and 'boto' not in sys.modules

    # Python 3 (PEP 451)
    def find_spec(self, fullname, path=None, target=None):
        if not self._wanted(fullname):
            return None
        import importlib.machinery
        import importlib.util
        real = importlib.machinery.PathFinder.find_spec(fullname, path)
        if real is None:  # boto is not installed: the usual ImportError
            return None
        if not is_boto2(real.origin):  # some other module named boto
            return None
        return importlib.util.spec_from_loader(fullname, _BotoLoader(), origin=real.origin,
                                               is_package=True)

    # Python 2 (PEP 302)
    def find_module(self, fullname, path=None):
        if not self._wanted(fullname):
            return None
        import imp  # Python 2 only here: a built-in module, cheap
        try:
            stream, pathname, _ = imp.find_module(fullname, path)
        except ImportError:
            return None
        if stream is not None:
            stream.close()
        if not is_boto2(os.path.join(pathname, '__init__.py')):
            return None
        return _BotoLoader()


def is_boto2(origin):
    """True when ``origin`` is the ``__init__.py`` of a package declaring a 2.x
    ``__version__`` (boto 2 does on line 41 of its 2.49 ``__init__.py``)."""
    if not origin or os.path.basename(origin) not in ('__init__.py', '__init__.pyc'):
        return False
    try:
        with open(origin, 'rb') as stream:
            head = stream.read(16384)
    except (IOError, OSError):
        return False
    for line in head.splitlines():
        words = line.replace(b'"', b"'").replace(b' ', b'')
        if words.startswith(b"__version__='2."):
            return True
    return False


class _BotoLoader(object):
    """Loads boto by importing stsboto, then gives the import boto's module."""

    _spec = None

    @staticmethod
    def _boto():
        import stsboto  # noqa: F401  (imports boto with its fixes; patches if asked)
        if not wanted() and not refused():
            ignored = ignored_by_boto()
            if ignored:
                stsboto._warn_boto_not_patched(ignored)
        return sys.modules['boto']

    def create_module(self, spec):
        module = self._boto()
        self._spec = getattr(module, '__spec__', None)
        return module

    def exec_module(self, module):
        # module_from_spec() replaced boto's __spec__ with ours: give it back.
        if self._spec is not None:
            module.__spec__ = self._spec

    def load_module(self, fullname):  # Python 2
        return self._boto()


def _hinted(environ):
    # the cheap form of ignored_by_boto(), run at every interpreter start-up
    if environ.get('AWS_SESSION_TOKEN') or environ.get('AWS_ENDPOINT_URL'):
        return True
    for name in environ:
        if name.startswith('AWS_ENDPOINT_URL_'):
            return True
    return False


def install(environ=os.environ):
    """Register the finder if this Python or the environment needs it; True if registered."""
    # Python 3.12 dropped what boto 2 needs to import (find_module importers,
    # imp, ssl.wrap_socket), and so does every later Python (3.14, 3.15 and on):
    # see stsboto._boto.  Elsewhere the finder is there for the patch, or for the
    # warning when boto would ignore the environment.
    if not (sys.version_info >= (3, 12) or wanted(environ) or
            (not refused(environ) and _hinted(environ))):
        return False
    if 'boto' in sys.modules or any(isinstance(f, LazyBotoFinder) for f in sys.meta_path):
        return False
    sys.meta_path.insert(0, LazyBotoFinder())
    return True


def run_cli():
    """The ``stsboto`` console script: :func:`stsboto.cli.main`, with Ctrl-C at start-up handled.

    Most of the command's start-up is importing stsboto (and boto), before
    ``main()`` can catch anything: a Ctrl-C there ends the command as one
    during a command does (``stsboto: interrupted``, exit status 130), not
    with a traceback.  This lives here, outside the package, for that reason.
    """
    try:
        from stsboto.cli import main
    except KeyboardInterrupt:
        sys.stderr.write('stsboto: interrupted\n')
        return 130
    return main()
