"""The fixes boto 2 itself needs to import and work on Python 3.12 and later.

Importing this module makes boto 2.49 importable and usable on Python 3.12 to
3.15, then imports the parts of boto the rest of stsboto needs.  It holds boto
fixes only: the version checks come from ``stsboto._compat``.  Each fix is
idempotent and is applied only where the running Python needs it; on 2.7 and
3.6-3.11 ``install()`` changes nothing.

What is fixed on Python 3.12+ and why:

* ``boto.vendored.six``: boto ships six 1.9.0, whose meta-path importer has only
  ``find_module``, which the import system no longer calls (PEP 451 finders
  need ``find_spec``), so ``import boto`` dies with ``No module named
  'boto.vendored.six.moves'``.  A finder with ``find_spec`` answers every
  ``boto.vendored.six[.x]`` name with the installed six (>= 1.16), and gives
  a standard module six hands over (``queue``) its own spec back: 3.14+ warns
  on every traceback through a module whose spec names another loader.
* ``imp`` (removed in 3.12), used by ``boto/plugin.py``: provided by the
  ``zombie-imp`` package, a dependency on 3.12+ only.
* ``ssl.wrap_socket`` (removed in 3.12), used by
  ``CertValidatingHTTPSConnection.connect`` (every STS call with
  ``validate_certs=True``, the default) and by ``AWSAuthConnection.proxy_ssl``:
  boto's modules see an ``ssl`` namespace that adds a ``wrap_socket`` built on
  ``SSLContext`` with the old semantics, and the certificate-validating
  connection now sends SNI, as every TLS client has done since 2.7.9.
  boto's own hostname check still runs after the handshake.
* ``RawConfigParser.readfp`` (removed in 3.12), used by
  ``boto.pyami.config.Config`` for ``fp=`` and ``AWS_CREDENTIAL_FILE``:
  ``Config.readfp`` calls ``read_file``.

Python 3.14 and 3.15 need nothing more to import boto: checked by importing
every boto module with every warning an error on both (issue 24).  What boto
still does that warns there is ``datetime.utcnow()`` (deprecated since 3.12)
in its SigV4 code: the classes at the end of this module are what stsboto's
own connections sign with instead (on every Python, so the signatures are made
the same way everywhere).

These fixes also reach programs that ``import boto`` before (or without)
stsboto: the ``stsboto.pth`` file stsboto installs registers a lazy finder at
start-up (``_stsboto_startup.LazyBotoFinder``, outside this package because
importing anything of stsboto imports boto) whose first ``boto`` lookup
imports stsboto, and so this module, first.  Changes to boto's behaviour
beyond importing and working on 3.12+ are not made here: they are the
opt-in patch of ``stsboto.patch``.
"""
from __future__ import absolute_import

import datetime
import importlib
import sys
import types
import warnings

import six

from stsboto._compat import BOTO_NEEDS_FIXES as NEEDS_FIXES
from stsboto._compat import UTC as _UTC

_VENDORED = 'boto.vendored.six'


class _VendoredSixFinder(object):
    """Answers ``boto.vendored.six`` and ``boto.vendored.six.*`` with the
    installed ``six``, so that boto's copy (and its importer) never loads."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == 'boto.pyami.config':
            import importlib.machinery
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            if spec is not None and spec.loader is not None:
                spec.loader = AfterExecLoader(spec.loader, _give_config_readfp)
            return spec
        if fullname != _VENDORED and not fullname.startswith(_VENDORED + '.'):
            return None
        import importlib.util
        return importlib.util.spec_from_loader(fullname, _AliasLoader('six' + fullname[len(_VENDORED):]))

    # Python 2 / old-style protocol, kept so the finder is complete.
    def find_module(self, fullname, path=None):  # pragma: no cover - 3.12+ only
        return None


class _AliasLoader(object):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        module = importlib.import_module(self.target)
        self._target_spec = getattr(module, '__spec__', None)
        return module

    def exec_module(self, module):
        # module_from_spec() has just replaced the real module's __spec__ with
        # the alias's: give six (and six.moves) their own back.
        module.__spec__ = _own_spec(module, self._target_spec)


def _own_spec(module, spec):
    """``spec``, or the module's own when ``spec`` names another loader than the module's.

    six's importer answers ``six.moves.queue`` (what ``boto.vendored.six.moves.queue``
    becomes here) with the standard library's ``queue`` module and leaves its own
    spec on it (six 1.16-1.17).  A module whose ``__loader__`` is not its
    ``__spec__.loader`` makes Python 3.14+ warn (DeprecationWarning, "Module
    globals; __loader__ != __spec__.loader") each time a traceback through it
    is formatted: under ``-W error`` that failed every traceback through the
    ``queue`` module (a worker thread's, a server thread's).
    """
    loader = getattr(module, '__loader__', None)
    if spec is None or loader is None or spec.loader is loader:
        return spec
    import importlib.util
    return importlib.util.spec_from_loader(module.__name__, loader,
                                           origin=getattr(module, '__file__', None)) or spec


class AfterExecLoader(object):
    """A PEP 451 loader that runs ``loader``, then ``after(module)``: how stsboto
    fixes a boto module the moment it is imported (here boto.pyami.config;
    ``stsboto.patch`` does the same for boto's service modules)."""

    def __init__(self, loader, after):
        self.loader = loader
        self.after = after

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        self.after(module)

    def __getattr__(self, name):
        return getattr(self.loader, name)


def _give_config_readfp(module):
    # before boto/__init__ builds boto.config, which reads AWS_CREDENTIAL_FILE through readfp
    if not hasattr(module.Config, 'readfp'):
        module.Config.readfp = _config_readfp


class _SslNamespace(types.ModuleType):
    """The ``ssl`` module as boto sees it on 3.12+: everything from ``ssl`` plus
    ``wrap_socket``."""

    def __init__(self, real):
        types.ModuleType.__init__(self, 'ssl')
        self.__dict__['_real'] = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    def wrap_socket(self, sock, keyfile=None, certfile=None, server_side=False,
                    cert_reqs=None, ssl_version=None, ca_certs=None,
                    do_handshake_on_connect=True, suppress_ragged_eofs=True,
                    ciphers=None, server_hostname=None):
        # Same semantics as the ssl.wrap_socket of Python <= 3.11 (certificate
        # check as asked by cert_reqs, no hostname check: boto does its own).
        ssl = self._real
        if ssl_version is None:
            ssl_version = ssl.PROTOCOL_TLS_SERVER if server_side else ssl.PROTOCOL_TLS_CLIENT
        context = ssl.SSLContext(ssl_version)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE if cert_reqs is None else cert_reqs
        if ca_certs:
            context.load_verify_locations(ca_certs)
        elif context.verify_mode != ssl.CERT_NONE:
            context.load_default_certs()
        if certfile:
            context.load_cert_chain(certfile, keyfile)
        if ciphers:
            context.set_ciphers(ciphers)
        return context.wrap_socket(sock, server_side=server_side,
                                   do_handshake_on_connect=do_handshake_on_connect,
                                   suppress_ragged_eofs=suppress_ragged_eofs,
                                   server_hostname=None if server_side else server_hostname)


def _cert_validating_connect(self):
    """CertValidatingHTTPSConnection.connect for 3.12+: as boto 2.49's, with SNI."""
    import socket
    from boto import https_connection
    if getattr(self, 'timeout', None) is not None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
    else:
        sock = socket.create_connection((self.host, self.port))
    ssl = https_connection.ssl
    self.sock = ssl.wrap_socket(sock, keyfile=self.key_file, certfile=self.cert_file,
                                cert_reqs=ssl.CERT_REQUIRED, ca_certs=self.ca_certs,
                                server_hostname=self.host)
    cert = self.sock.getpeercert()
    hostname = self.host.split(':', 0)[0]
    if not https_connection.ValidateCertificateHostname(cert, hostname):
        raise https_connection.InvalidCertificateException(
            hostname, cert, 'remote hostname "%s" does not match certificate' % hostname)


def _config_readfp(self, fp, filename=None):
    return self._parser.read_file(fp, filename)


_installed = []


def install():
    """Apply the fixes the running Python needs; safe to call any number of times.

    Returns True when fixes are in place, False on Pythons that need none.
    """
    if not NEEDS_FIXES:
        return False
    if _installed:
        return True
    if not any(isinstance(f, _VendoredSixFinder) for f in sys.meta_path):
        # A failed ``import boto`` before us leaves its submodules behind (boto's
        # own six, boto.compat and boto.pyami.config built on it, ...) but not
        # ``boto`` itself: drop them all so that boto imports afresh.
        stale = 'boto' not in sys.modules
        for name in list(sys.modules):
            if name == _VENDORED or name.startswith(_VENDORED + '.') or (
                    stale and name.startswith('boto.')):
                del sys.modules[name]
        sys.meta_path.insert(0, _VendoredSixFinder())
    import ssl
    import boto.connection
    import boto.https_connection
    import boto.pyami.config
    namespace = _SslNamespace(ssl)
    boto.https_connection.ssl = namespace
    boto.connection.ssl = namespace
    boto.https_connection.CertValidatingHTTPSConnection.connect = _cert_validating_connect
    if not hasattr(boto.pyami.config.Config, 'readfp'):
        boto.pyami.config.Config.readfp = _config_readfp
    _installed.append(True)
    return True


def _import_boto():
    # boto/plugin.py does ``import imp``, which warns on 3.4+ (and zombie-imp
    # warns on 3.12+).  That warning is about boto, not about the caller's code,
    # and with -W error it would stop boto from importing at all.
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message=r'.*\bimp module\b', category=DeprecationWarning)
        warnings.filterwarnings('ignore', message=r'.*\bimp module\b', category=PendingDeprecationWarning)
        install()
        import boto.auth
        import boto.exception
        import boto.s3.connection
        import boto.sts.connection
    return boto


boto = _import_boto()

BOTO_VERSION = tuple(int(p) for p in boto.__version__.split('.')[:2] if p.isdigit())


# -- boto's clock without datetime.utcnow() ---------------------------------------------
#
# boto 2 reads the time for SigV4 with ``datetime.datetime.utcnow()``
# (boto/auth.py ``HmacAuthV4Handler.add_auth`` on every signed request,
# ``S3HmacAuthV4Handler.presign``; boto/sts/connection.py ``_check_token_cache``
# on every GetSessionToken after the first), which warns on Python 3.12+
# (DeprecationWarning, "scheduled for removal"): under ``-W error`` every signed
# request fails.  stsboto's own connections and signers use the classes below:
# boto's own functions, unchanged, run with a ``datetime`` whose ``utcnow()``
# is ``now(UTC)`` without its tzinfo (the same naive UTC time boto expects).
# They are not direct subclasses of ``AuthHandler``, so boto's plugin lookup
# never gives them to a connection stsboto did not make: plain boto keeps its
# warning (``stsboto.patch`` filters that one, when asked).

class _ClockDatetime(datetime.datetime):
    """``datetime.datetime`` as boto's rebound functions see it."""

    @classmethod
    def utcnow(cls):
        # looked up on each call, so a clock a test installs on datetime still counts
        return datetime.datetime.now(_UTC).replace(tzinfo=None)


class _ClockDatetimeModule(types.ModuleType):
    """The ``datetime`` module with :class:`_ClockDatetime` as its ``datetime``."""

    def __init__(self):
        types.ModuleType.__init__(self, str('datetime'))
        self.__dict__['datetime'] = _ClockDatetime

    def __getattr__(self, name):
        return getattr(datetime, name)


_CLOCK_DATETIME = _ClockDatetimeModule()


def _with_clock(method):
    """boto's ``method`` (its code, unchanged) seeing :data:`_CLOCK_DATETIME` as ``datetime``."""
    function = six.get_unbound_function(method)
    scope = dict(function.__globals__)
    scope['datetime'] = _CLOCK_DATETIME
    rebound = types.FunctionType(function.__code__, scope, function.__name__, function.__defaults__,
                                 function.__closure__)
    rebound.__doc__ = function.__doc__
    return rebound


class HmacAuthV4Handler(boto.auth.HmacAuthV4Handler):
    """boto's SigV4 signer without ``utcnow()``; what stsboto's STS connections sign with."""

    add_auth = _with_clock(boto.auth.HmacAuthV4Handler.add_auth)


class S3HmacAuthV4Handler(boto.auth.S3HmacAuthV4Handler, HmacAuthV4Handler):
    """boto's S3 SigV4 signer without ``utcnow()``.

    Its MRO puts :class:`HmacAuthV4Handler` between boto's two classes, so
    the ``super()`` call in boto's ``S3HmacAuthV4Handler.add_auth`` reaches
    the rebound ``add_auth``.
    """

    presign = _with_clock(boto.auth.S3HmacAuthV4Handler.presign)


_WITHOUT_UTCNOW = {boto.auth.HmacAuthV4Handler: HmacAuthV4Handler,
                   boto.auth.S3HmacAuthV4Handler: S3HmacAuthV4Handler}


def handler_class_without_utcnow(cls):
    """The class to sign with in place of boto's handler class ``cls`` (``cls`` if it reads no clock)."""
    return _WITHOUT_UTCNOW.get(cls, cls)


def without_utcnow(handler):
    """``handler`` (a boto auth handler) made to sign without ``utcnow()``, in place; returns it."""
    cls = handler_class_without_utcnow(type(handler))
    if cls is not type(handler):
        handler.__class__ = cls
    return handler


class STSConnection(boto.sts.connection.STSConnection):
    """boto's ``STSConnection``, signing and checking its token cache without ``utcnow()``."""

    def __init__(self, *args, **kwargs):
        boto.sts.connection.STSConnection.__init__(self, *args, **kwargs)
        without_utcnow(self._auth_handler)

    _check_token_cache = _with_clock(boto.sts.connection.STSConnection._check_token_cache)
