"""A local AWS endpoint (moto server) for ``stsboto server``, the demo and the tests.

Usage::

    from stsboto.local import LocalServer
    with LocalServer() as server:                 # 127.0.0.1, a free port
        token = stsboto.issue_token(bucket='photos', endpoint_url=server.endpoint_url,
                                    aws_access_key_id='admin', aws_secret_access_key='x')
        server.start_recording()
        ...
        for request in server.recorded_requests():
            print(request.method, request.path, request.access_key)

The server is moto (``moto[server]`` 5.x), which needs Python 3.9 or newer;
this module is only its client and runs on every Python stsboto supports, so
a Python 2.7 program can talk to a server started from a Python 3 environment
(``STSBOTO_MOTO_SERVER=/path/to/venv/bin/moto_server``).  It talks to the
server with the standard library (urllib) only, never through boto; it does
import :mod:`stsboto.exceptions` for :class:`~stsboto.StsbotoError`, which
imports boto (through ``stsboto._boto``, so that works on Python 3.12+ too).

The server starts with IAM enforcement off (moto accepts any keys);
:meth:`LocalServer.enforce_iam` turns it on.  What moto then checks, and what
it does not, is listed in the method's docstring.

The server never outlives its owner (issue 19: a moto left running serves its
users' keys to anyone at ``/moto-api/data.json``).  moto runs under a small
watchdog process that reads a pipe from the owner: when the owner ends in any
way, SIGKILL included, the pipe closes, and the watchdog stops moto and removes
the temporary folder.  On Linux moto also gets ``PR_SET_PDEATHSIG`` (SIGKILL
when the watchdog goes), so not even a killed watchdog leaves it running.
"""
from __future__ import absolute_import, print_function, unicode_literals

import atexit
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import six
from six.moves import http_client
from six.moves.urllib import error as urlerror
from six.moves.urllib import parse as urlparse
from six.moves.urllib import request as urlrequest

from stsboto._compat import MOTO_RUNS_HERE, NEW_PROCESS_GROUP, PY2, PYTHON_VERSION
from stsboto.local.watchdog import WATCHDOG, no_inherit
from stsboto.exceptions import StsbotoError

__all__ = ['LocalServer', 'RecordedRequest', 'find_server_command', 'describe_server_command',
           'ENV_VAR', 'INSTALL_HINT', 'MOTO_PACKAGES']

#: The environment variable naming the ``moto_server`` executable to run.
ENV_VAR = 'STSBOTO_MOTO_SERVER'
#: What the local endpoint needs from the package index (setup.cfg's ``[local]`` extra says the
#: same).  moto's per-service extras, not ``moto[server]`` (about 60 packages for every service);
#: not 5.2.6, which answers every HEAD with 403 under IAM enforcement (boto3's head_object too).
MOTO_PACKAGES = ("moto[s3,sts,iam]>=5.0,<6,!=5.2.6", 'flask', 'flask-cors')
_PIP_ARGS = ' '.join("'%s'" % package for package in MOTO_PACKAGES)
_VENV = '~/.stsboto-moto'
#: What to tell someone who has no moto server: commands that work as written on this Python.
if MOTO_RUNS_HERE:
    INSTALL_HINT = ('the local AWS endpoint needs moto\'s server: run "%s -m pip install %s" '
                    '(or install stsboto with its [local] extra), or set %s to the path of a '
                    'moto_server executable' % (os.path.basename(sys.executable) or 'python',
                                                _PIP_ARGS, ENV_VAR))
else:
    INSTALL_HINT = ('the local AWS endpoint needs moto\'s server, which runs on Python 3.9+ only '
                    '(this is Python %s): in a shell, run "python3 -m venv %s && %s/bin/pip '
                    'install %s", then "export %s=%s/bin/moto_server", and run this command again'
                    % (PYTHON_VERSION, _VENV, _VENV, _PIP_ARGS, ENV_VAR, _VENV))

_EXECUTABLE = 'moto_server.exe' if os.name == 'nt' else 'moto_server'
#: moto answers this GET with a 400 that names itself: a cheap probe without side effects.
_PROBE = '/moto-api/reset-auth'
_TOKEN_HEADER = 'x-amz-security-token'


def _which(name, path=None):
    path = os.environ.get('PATH', os.defpath) if path is None else path
    for folder in path.split(os.pathsep):
        candidate = os.path.join(folder, name)
        if folder and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _module_available(name):
    try:
        from importlib.util import find_spec
    except ImportError:  # Python 2: moto 5 does not install there anyway
        import imp
        try:
            imp.find_module(name)
        except ImportError:
            return False
        return True
    try:
        return find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def find_server_command(executable=None, environ=None):
    """The command that runs a moto server, as a list, or None if there is none.

    Looks, in this order, at ``executable``, the ``STSBOTO_MOTO_SERVER``
    environment variable, ``moto_server`` next to the running Python, then on
    ``PATH``, and last at ``python -m moto.server`` when the running Python can
    import moto (and flask, which ``moto[server]`` brings).

    :raises StsbotoError: ``executable`` or ``STSBOTO_MOTO_SERVER`` names a
        file that does not exist or cannot be run.
    """
    environ = os.environ if environ is None else environ
    for given, origin in ((executable, 'executable'), (environ.get(ENV_VAR), ENV_VAR)):
        if given:
            if not (os.path.isfile(given) and os.access(given, os.X_OK)):
                raise StsbotoError('%s names %r, which is not an executable file; %s'
                                   % (origin, str(given), INSTALL_HINT))
            return [given]
    beside = os.path.join(os.path.dirname(os.path.abspath(sys.executable)), _EXECUTABLE)
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return [beside]
    found = _which(_EXECUTABLE, environ.get('PATH', os.defpath))
    if found:
        return [found]
    if _module_available('moto') and _module_available('flask'):
        return [sys.executable, '-m', 'moto.server']
    return None


_VERSION_PROBE = ('import sys\n'
                  'try:\n'
                  '    from importlib.metadata import version\n'
                  'except ImportError:\n'
                  '    from pkg_resources import get_distribution\n'
                  '    version = lambda name: get_distribution(name).version\n'
                  'sys.stdout.write(version("moto"))\n')


def describe_server_command(command, timeout=10):
    """``'PATH (moto X.Y.Z)'``: which moto server ``command`` runs, for people.

    The version comes from the package metadata of the Python that runs the
    server (moto itself is not imported: a fraction of a second), or is said
    to be unknown when that Python cannot be found or does not answer.
    """
    shown = ' '.join(command[:1] + ['-m moto.server'] if command[1:3] == ['-m', 'moto.server']
                     else command)
    python = _python_of(command)
    version = None
    if python is not None:
        try:
            probe = subprocess.Popen([python, '-c', _VERSION_PROBE], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
            deadline = time.time() + timeout
            while probe.poll() is None and time.time() < deadline:
                time.sleep(0.02)
            if probe.poll() is None:
                probe.kill()
            out = probe.communicate()[0].decode('ascii', 'replace').strip()
            version = out if probe.returncode == 0 and re.match(r'^[0-9][\w.+-]*$', out) else None
        except (IOError, OSError):
            version = None
    return '%s (moto %s)' % (shown, version or 'version unknown')


# Run by the moto server's own Python: binds port 0 (the kernel picks a free
# port, atomically) with moto's public ThreadedMotoServer, then reports the
# port on stdout.  Picking a free port first and handing it to moto_server
# races with other servers starting at the same time (parallel tox envs): the
# loser's probe can reach the winner's server and share its state.
_LAUNCHER = (
    'import sys, threading\n'
    'from moto.server import ThreadedMotoServer\n'
    'server = ThreadedMotoServer(ip_address=sys.argv[1], port=0, verbose=False)\n'
    'server.start()\n'
    'sys.stdout.write("STSBOTO-MOTO-PORT %d\\n" % server.get_host_and_port()[1])\n'
    'sys.stdout.flush()\n'
    'threading.Event().wait()\n'
)
_PORT_LINE = re.compile(br'STSBOTO-MOTO-PORT (\d+)')


def _python_of(command):
    """The Python that runs ``command`` (a moto_server script or ``python -m``), or None."""
    if len(command) >= 3 and command[1:3] == ['-m', 'moto.server']:
        return command[0]
    try:
        with open(command[0], 'rb') as handle:
            first = handle.readline(1024)
    except (IOError, OSError):
        return None
    if first.startswith(b'#!'):
        interpreter = first[2:].strip().split()
        if len(interpreter) == 1 and os.path.basename(interpreter[0]).startswith(b'python') and \
                os.path.isfile(interpreter[0]) and \
                os.access(interpreter[0], os.X_OK):
            return interpreter[0].decode(sys.getfilesystemencoding() or 'utf-8')
    return None


def _free_port(host):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


class RecordedRequest(dict):
    """One request the server received, as moto's recorder wrote it (a dict).

    Keys: ``method``, ``url``, ``headers`` (a dict), ``body`` (bytes when moto
    stored it base64-encoded, else text).  The properties below read it.
    """

    @property
    def method(self):
        return self.get('method')

    @property
    def url(self):
        return self.get('url') or ''

    @property
    def path(self):
        """The path of the URL, without the query string."""
        return urlparse.urlsplit(self.url).path

    @property
    def query(self):
        """The query string parsed into a dict of lists."""
        return urlparse.parse_qs(urlparse.urlsplit(self.url).query, keep_blank_values=True)

    def header(self, name, default=None):
        """The value of header ``name`` (any letter case), or ``default``."""
        wanted = name.lower()
        for key, value in (self.get('headers') or {}).items():
            if key.lower() == wanted:
                return value
        return default

    @property
    def session_token(self):
        """The ``x-amz-security-token`` header, or None."""
        return self.header(_TOKEN_HEADER)

    @property
    def access_key(self):
        """The access key id that signed the request (SigV4 or SigV2), or None."""
        auth = self.header('Authorization') or ''
        if 'Credential=' in auth:  # AWS4-HMAC-SHA256 Credential=KEY/date/region/service/...
            return auth.split('Credential=', 1)[1].split('/', 1)[0]
        if auth.startswith('AWS '):  # SigV2: "AWS KEY:signature"
            return auth[4:].split(':', 1)[0]
        return None

    @property
    def signature_version(self):
        """``'v4'``, ``'v2'`` or None (unsigned)."""
        auth = self.header('Authorization') or ''
        if auth.startswith('AWS4-HMAC-SHA256'):
            return 'v4'
        if auth.startswith('AWS '):
            return 'v2'
        return None

    @property
    def service(self):
        """``'sts'``, ``'iam'``, ``'s3'``... from the SigV4 credential scope, or None."""
        auth = self.header('Authorization') or ''
        if 'Credential=' in auth:
            scope = auth.split('Credential=', 1)[1].split(',', 1)[0].split('/')
            if len(scope) >= 4:
                return scope[3]
        return None

    @property
    def action(self):
        """The ``Action`` of a query-API request (STS, IAM), or None."""
        actions = self.query.get('Action')
        body = self.get('body')
        if not actions and body:
            if isinstance(body, six.binary_type):
                body = body.decode('utf-8', 'replace')
            actions = urlparse.parse_qs(body).get('Action')
        return actions[0] if actions else None


class LocalServer(object):
    """A moto server on 127.0.0.1, started as a subprocess and always stopped.

    Usage: ``with LocalServer() as server: ... server.endpoint_url ...``

    :param str executable: the ``moto_server`` to run; default: see
        :func:`find_server_command`.
    :param str host: the address to listen on; only loopback makes sense.
    :param int port: default: a free port.
    :param float timeout: seconds to wait for the server to answer.

    The server's output goes to a log file in a private temporary folder
    (:meth:`log_tail` shows its end), which :meth:`stop` removes.
    """

    def __init__(self, executable=None, host='127.0.0.1', port=None, timeout=20.0):
        self.executable = executable
        self.host = host
        self.port = port
        self.timeout = timeout
        self.process = None
        self._folder = None
        self._log = None
        self._lifeline = None
        self._opener = urlrequest.build_opener(urlrequest.ProxyHandler({}))

    # -- life cycle ----------------------------------------------------------

    @property
    def endpoint_url(self):
        """``http://127.0.0.1:PORT``: pass it as ``endpoint_url=`` or ``AWS_ENDPOINT_URL``."""
        if self.port is None:
            raise StsbotoError('the local server has no port yet: call start() first')
        return 'http://%s:%d' % (self.host, self.port)

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def start(self):
        """Start the server and wait until it answers; return self.

        :raises StsbotoError: no moto server was found (the message says how
            to install one), or it did not answer within ``timeout`` seconds
            (the message ends with the server's own output).
        """
        if self.running:
            return self
        command = find_server_command(self.executable)
        if command is None:
            raise StsbotoError('no moto server found: ' + INSTALL_HINT)
        fixed_port = self.port is not None
        python = None if fixed_port else _python_of(command)
        if python is not None:
            self._launch([python, '-c', _LAUNCHER, self.host], port_from_output=True)
            try:
                self._wait_until_ready()
                return self
            except StsbotoError:
                tail = self.log_tail()
                self.stop(keep_port=False)
                raise StsbotoError('the moto server (%s) did not start within %s s%s'
                                   % (python, self.timeout,
                                      '; its output ends with:\n' + tail if tail else ''))
        attempts = 1 if fixed_port else 3
        for attempt in range(attempts):
            if not fixed_port:
                self.port = _free_port(self.host)
            self._launch(command)
            try:
                self._wait_until_ready()
                return self
            except StsbotoError:
                exited = self.process.poll() is not None
                tail = self.log_tail()
                port = self.port
                self.stop(keep_port=fixed_port)
                # Another process may have taken the free port between our
                # check and moto's bind: try another one.
                if exited and 'in use' in tail and attempt + 1 < attempts:
                    continue
                raise StsbotoError('the moto server (%s) did not answer on %s:%s within %s s%s'
                                   % (' '.join(command), self.host, port, self.timeout,
                                      '; its output ends with:\n' + tail if tail else ''))
        return self  # pragma: no cover

    def _launch(self, command, port_from_output=False):
        self._folder = tempfile.mkdtemp(prefix='stsboto-moto-')
        env = dict(os.environ)
        # moto's recorder writes to MOTO_RECORDER_FILEPATH (default: a file in
        # the current folder): keep it in our folder.
        env['MOTO_RECORDER_FILEPATH'] = os.path.join(self._folder, 'recording.jsonl')
        if not port_from_output:
            env['MOTO_PORT'] = str(self.port)
        for name in ('MOTO_ENABLE_RECORDING', 'INITIAL_NO_AUTH_ACTION_COUNT'):
            env.pop(name, None)
        env.setdefault('PYTHONDONTWRITEBYTECODE', '1')
        if PY2:  # Python 2's subprocess wants native strings in env
            env = dict((k.encode('utf-8') if isinstance(k, six.text_type) else k,
                        v.encode('utf-8') if isinstance(v, six.text_type) else v)
                       for k, v in env.items())
        self._log = open(os.path.join(self._folder, 'server.log'), 'w+b')
        arguments = [str(part) for part in command]
        if not port_from_output:
            arguments += ['-H', str(self.host), '-p', str(self.port)]
        python = sys.executable or _python_of(command) or command[0]
        watched, self._lifeline = os.pipe()
        no_inherit(self._lifeline)   # only this process may hold the pipe open
        try:
            self.process = subprocess.Popen(
                [str(python), '-c', WATCHDOG, str(self._folder)] + arguments, stdin=watched,
                stdout=self._log, stderr=subprocess.STDOUT, cwd=self._folder, env=env,
                close_fds=True, **NEW_PROCESS_GROUP)
        except BaseException:
            os.close(self._lifeline)
            self._lifeline = None
            raise
        finally:
            os.close(watched)
        self._port_from_output = port_from_output
        if port_from_output:
            self.port = None
        atexit.register(self.stop)

    def _wait_until_ready(self):
        deadline = time.time() + self.timeout
        delay = 0.05
        while True:
            if self.process.poll() is not None:
                raise StsbotoError('the moto server exited with status %s' % self.process.returncode)
            if self.port is None:  # the launcher reports the port it bound
                with open(self._log.name, 'rb') as output:  # own offset: the child writes too
                    match = _PORT_LINE.search(output.read())
                if match:
                    self.port = int(match.group(1))
                elif time.time() >= deadline:
                    raise StsbotoError('timeout')
                else:
                    time.sleep(delay)
                    delay = min(delay * 1.5, 0.5)
                    continue
            try:
                status, body = self._call('GET', _PROBE, timeout=2)
                if b'moto' in body.lower():
                    return
            except (socket.error, urlerror.URLError, IOError, http_client.HTTPException):
                pass  # not listening yet, or answering half-started
            if time.time() >= deadline:
                raise StsbotoError('timeout')
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    def stop(self, keep_port=True):
        """Stop the server (terminate, then kill after 5 s) and remove its files.

        Safe to call more than once, and when the server never started.
        """
        process, self.process = self.process, None
        lifeline, self._lifeline = self._lifeline, None
        if lifeline is not None:
            os.close(lifeline)    # the watchdog stops moto (SIGTERM, SIGKILL after 5 s)
            if process is not None:
                deadline = time.time() + 8
                while process.poll() is None and time.time() < deadline:
                    time.sleep(0.02)
        if process is not None:
            if process.poll() is None:
                try:
                    process.terminate()
                except OSError:
                    pass
                deadline = time.time() + 5
                while process.poll() is None and time.time() < deadline:
                    time.sleep(0.05)
                if process.poll() is None:
                    try:
                        process.kill()
                    except OSError:
                        pass
                    process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        if not keep_port:
            self.port = None
        try:
            atexit.unregister(self.stop)
        except AttributeError:  # Python 2 has no unregister; stop() is idempotent
            pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
        return False

    def log_tail(self, size=2000):
        """The last ``size`` characters of the server's output (text)."""
        if self._log is None:
            return ''
        # A handle of our own: the child shares the offset of self._log.
        with open(self._log.name, 'rb') as output:
            output.seek(0, os.SEEK_END)
            output.seek(max(0, output.tell() - size))
            text = output.read().decode('utf-8', 'replace')
        return text.strip()

    # -- moto's own API --------------------------------------------------------

    def _call(self, method, path, data=None, content_type=None, timeout=10):
        url = self.endpoint_url + path
        if isinstance(data, six.text_type):
            data = data.encode('utf-8')
        req = urlrequest.Request(str(url), data=data)
        req.get_method = lambda: str(method)
        if content_type:
            req.add_header(str('Content-Type'), str(content_type))
        try:
            response = self._opener.open(req, timeout=timeout)
        except urlerror.HTTPError as error:
            return error.code, error.read()
        try:
            return response.getcode(), response.read()
        finally:
            response.close()

    def _post(self, path, data=b'', content_type=None):
        if not self.running:
            raise StsbotoError('the local server is not running: call start() first')
        status, body = self._call('POST', path, data, content_type)
        if status != 200:
            raise StsbotoError('moto %s answered HTTP %s: %s'
                               % (path, status, body[:200].decode('utf-8', 'replace')))
        return body

    def reset(self):
        """Forget every bucket, user, role and token; turn IAM enforcement off;
        stop and clear the recording.  The state of a freshly started server."""
        self._post('/moto-api/reset')
        self.enforce_iam(False)
        self.stop_recording()
        self._post('/moto-api/recorder/reset-recording')

    def enforce_iam(self, enabled=True):
        """Turn moto's IAM enforcement on (or off with ``enabled=False``).

        With it on, moto checks every request's SigV4 signature against the
        keys of its IAM users and assumed roles (SigV2 is refused), the
        session token of assumed-role keys (missing: 403 InvalidAccessKeyId;
        wrong: 400 InvalidToken), and whether the policies of the user or of
        the assumed ROLE allow the action.  It does not check session
        policies (federation tokens, assume_role ``policy=``) or expiration,
        and the keys its GetFederationToken and GetSessionToken return are
        fixed examples it does not accept.

        Where moto 5.2 differs from AWS (seen in tests/integration): it
        requires ``sts:GetSessionToken`` in the caller's policy (AWS does
        not); AssumeRole of a role that does not exist succeeds when the
        caller may ``sts:AssumeRole`` on ``*``; its STS error bodies carry no
        RequestId; a bad secret gives 403 SignatureDoesNotMatch and an unknown
        access key 403 InvalidClientTokenId, as AWS does.
        """
        # moto counts requests and enforces once the count reaches this
        # number: 0 = from now on, inf = never (moto/core/authorization.py).
        self._post('/moto-api/reset-auth', b'0' if enabled else b'inf', 'text/plain')

    def start_recording(self):
        """Clear the recording, then record every request (except moto's own API)."""
        self._post('/moto-api/recorder/reset-recording')
        self._post('/moto-api/recorder/start-recording')

    def stop_recording(self):
        """Stop recording; what was recorded stays available."""
        self._post('/moto-api/recorder/stop-recording')

    def recorded_requests(self):
        """The recorded requests, oldest first, as :class:`RecordedRequest` dicts."""
        if not self.running:
            raise StsbotoError('the local server is not running: call start() first')
        status, body = self._call('GET', '/moto-api/recorder/download-recording')
        if status != 200:
            raise StsbotoError('moto /moto-api/recorder/download-recording answered HTTP %s (start '
                               'a recording first)' % status)
        out = []
        for line in body.decode('utf-8').splitlines():
            if not line.strip():
                continue
            entry = RecordedRequest(json.loads(line))
            if entry.get('body_encoded') and entry.get('body') is not None:
                entry['body'] = base64.b64decode(entry['body'])
            out.append(entry)
        return out
