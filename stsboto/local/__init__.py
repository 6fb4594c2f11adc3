"""Not the library: a local AWS endpoint to try stsboto and to test it against.

Usage::

    from stsboto.local import LocalServer
    with LocalServer() as server:            # moto on 127.0.0.1, a free port
        print(server.endpoint_url)

``server`` (:class:`LocalServer`: start, reset, record and stop a moto
server), ``admin`` (what an administrator sets up on it: buckets and an
issuing IAM user, for ``stsboto server``) and ``demo`` (``stsboto demo``).
Only ``server`` is imported here; the others import boto and load when used.
"""
from __future__ import absolute_import

from stsboto.local.server import (ENV_VAR, INSTALL_HINT, MOTO_PACKAGES, LocalServer, RecordedRequest,
                                  describe_server_command, find_server_command)

__all__ = ['LocalServer', 'RecordedRequest', 'find_server_command', 'describe_server_command',
           'ENV_VAR', 'INSTALL_HINT', 'MOTO_PACKAGES']
