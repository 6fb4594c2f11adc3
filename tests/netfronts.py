"""Loopback stand-ins for production networks (issue 17): a TLS front with a CA
made at test time, a real CONNECT proxy (proxy.py), fronts that throttle.

Everything listens on 127.0.0.1 on a free port and stops with the test; the
proxy process also exits when this process dies (its stdin is a pipe from us).
"""
from __future__ import absolute_import, unicode_literals

import contextlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
#: The variable tests/run-all.sh sets: the ``proxy`` script of proxy.py in the tools venv.
PROXY_ENV = 'STSBOTO_PROXY_PY'


def generate_certificates(folder):
    """A fresh CA and server certificates in ``folder`` (tests/data/make_certs.sh run there,
    with the ``openssl`` command): ``ca.pem``, ``localhost.pem`` (+ ``.key``),
    ``wrong-host.pem``, ``unknown-ca.pem``, ``unknown-localhost.pem``."""
    script = os.path.join(folder, 'make_certs.sh')
    shutil.copy(os.path.join(HERE, 'data', 'make_certs.sh'), script)
    try:
        subprocess.check_call(['sh', script], stdout=open(os.devnull, 'wb'))
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.fail('making a test CA needs the openssl command: %s' % error, pytrace=False)
    return dict((name, os.path.join(folder, name)) for name in os.listdir(folder))


def _pump(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except (socket.error, ssl.SSLError, OSError):
        pass
    finally:
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except (socket.error, OSError):
                pass


class TLSFront(object):
    """A TLS server on 127.0.0.1 that forwards the decrypted bytes to ``upstream`` (host, port).

    :ivar names: the SNI names clients sent, one per handshake (None: no SNI).
    :ivar connections: connections accepted.
    """

    def __init__(self, cert, key, upstream):
        self.upstream = upstream
        protocol = getattr(ssl, 'PROTOCOL_TLS_SERVER', ssl.PROTOCOL_SSLv23)
        self.context = ssl.SSLContext(protocol)
        self.context.load_cert_chain(cert, key)
        self.names = []
        self.connections = 0
        if hasattr(self.context, 'sni_callback'):
            self.context.sni_callback = self._sni
        else:  # Python 2.7
            self.context.set_servername_callback(self._sni)
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve)
        self.thread.daemon = True
        self.thread.start()

    def _sni(self, sock, name, context):
        self.names.append(name)

    def _serve(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except (socket.error, OSError):
                return
            self.connections += 1
            worker = threading.Thread(target=self._forward, args=(client,))
            worker.daemon = True
            worker.start()

    def _forward(self, client):
        try:
            client.settimeout(10)
            secure = self.context.wrap_socket(client, server_side=True)
        except (socket.error, ssl.SSLError, OSError):
            client.close()
            return
        try:
            upstream = socket.create_connection(self.upstream, 10)
        except (socket.error, OSError):
            secure.close()
            return
        back = threading.Thread(target=_pump, args=(upstream, secure))
        back.daemon = True
        back.start()
        _pump(secure, upstream)
        back.join(10)
        secure.close()
        upstream.close()

    def close(self):
        self.listener.close()


@contextlib.contextmanager
def tls_front(cert, key, upstream):
    front = TLSFront(cert, key, upstream)
    try:
        yield front
    finally:
        front.close()


_LAUNCH = '''
import os, sys, threading, time
parent = os.getppid()
def watch():                  # the test process died: stop (pytest killed, never a leftover)
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
sys.argv = ['proxy'] + sys.argv[1:]
from proxy.proxy import entry_point
entry_point()
'''


@contextlib.contextmanager
def proxy_py(*arguments):
    """A real CONNECT proxy (proxy.py from ``STSBOTO_PROXY_PY``) on 127.0.0.1; yields its port.

    Missing ``STSBOTO_PROXY_PY`` (or a proxy that does not start) FAILS the test.
    """
    script = os.environ.get(PROXY_ENV)
    if not script or not os.path.exists(script):
        pytest.fail('%s must name the proxy.py "proxy" script of the test tools (tests/run-all.sh '
                    'sets it; tests/tools-requirements.txt installs it)' % PROXY_ENV, pytrace=False)
    python = os.path.join(os.path.dirname(script), 'python')
    folder = tempfile.mkdtemp(prefix='stsboto-proxy-')
    port_file = os.path.join(folder, 'port')
    log = open(os.path.join(folder, 'log'), 'wb')
    process = subprocess.Popen(
        [python, '-c', _LAUNCH, '--hostname', '127.0.0.1', '--port', '0', '--port-file', port_file,
         '--num-workers', '1', '--num-acceptors', '1', '--threaded', '--log-level', 'WARNING']
        + list(arguments), stdin=open(os.devnull, 'rb'), stdout=log, stderr=subprocess.STDOUT,
        cwd=folder)
    try:
        deadline = time.time() + 30
        port = None
        while port is None:
            if process.poll() is not None or time.time() > deadline:
                log.flush()
                pytest.fail('proxy.py did not start: %s' % open(log.name).read()[-2000:],
                            pytrace=False)
            try:
                with open(port_file) as stream:
                    text = stream.read().strip()
                port = int(text) if text else None
            except (IOError, OSError, ValueError):
                pass
            if port is None:
                time.sleep(0.05)
        _wait_listening(port, deadline)
        yield port
    finally:
        try:
            process.terminate()
        except OSError:
            pass
        process.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_listening(port, deadline):
    while True:
        try:
            socket.create_connection(('127.0.0.1', port), 1).close()
            return
        except (socket.error, OSError):
            if time.time() > deadline:
                raise
            time.sleep(0.05)


def python_major():
    return sys.version_info[0]
