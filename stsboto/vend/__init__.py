"""``stsboto vend``: a token-vending service any AWS SDK reads from.

Usage::

    from stsboto.vend import VendApp, load_config
    application = VendApp(load_config('vend.ini'))     # a WSGI callable (gunicorn, uWSGI, mod_wsgi)

or from a shell: ``stsboto vend --config vend.ini``.  The package, by concern:
``config`` (the INI file and its rules), ``cache`` (per-caller credentials,
one STS call per lifetime), ``app`` (the WSGI application and the protocol),
``metrics`` (``/metrics``), ``serve`` (gunicorn or wsgiref, signals, reload).
"""
from __future__ import absolute_import

from stsboto.vend.app import VendApp, make_issuer
from stsboto.vend.config import VendConfig, add_caller, check_issuer, hash_secret, load_config

__all__ = ['VendApp', 'VendConfig', 'make_issuer', 'load_config', 'check_issuer', 'hash_secret',
           'add_caller', 'application_from_environment']


def application_from_environment(environ=None):
    """The WSGI application for ``STSBOTO_VEND_CONFIG`` (the configuration file), checked
    against the issuer credentials the chain finds: the entry point for other WSGI servers
    (``gunicorn 'stsboto.vend:application_from_environment()'``)."""
    import os
    from stsboto.credentials import find_token
    environ = os.environ if environ is None else environ
    path = environ.get('STSBOTO_VEND_CONFIG')
    if not path:
        from stsboto.exceptions import VendConfigError
        raise VendConfigError('set STSBOTO_VEND_CONFIG to the configuration file', 'STSBOTO_VEND_CONFIG')
    config = load_config(path)
    check_issuer(config, find_token(environ=environ))
    return VendApp(config)
