"""Run the code blocks of README.rst as a reader would, in order.

Usage::

    from tests.readme import README, parse_blocks, ReadmeRun
    blocks = parse_blocks(io.open(README, encoding='utf-8').read())
    with ReadmeRun(str(tmpdir)) as readme:
        for block in blocks:
            readme.run(block)         # raises BlockFailed with the block's output

A block is a literal block (a paragraph ending in ``::``) or a ``.. code-block::
LANGUAGE``.  What happens to it:

* ``python`` (or a bare block that compiles as Python): executed alone in a
  fresh child interpreter (this test's Python, so 2.7 under py27), as a reader
  who copies that one block into a new session would: a block says where its
  inputs come from (an import, a file an earlier block wrote, the server's
  variables), it never leans on names an earlier block left behind;
* ``sh`` / ``shell`` / ``console`` (or a bare block that is not Python): run by
  ``sh -e`` in the same folder, with this Python's ``bin`` first on ``PATH``;
* ``json``: must parse; ``text``: shown output, not run;
* any other language (``ini``, ...) must be marked.

An rst comment before a block marks it (it applies to the next block)::

    .. readme-test: skip WHY      -- not run; the reason is required
    .. readme-test: server ...    -- one command that serves until SIGTERM and
                                     prints ``export``/``unset`` lines ending with a
                                     ``# ready`` line; run in the background, its
                                     lines applied to every later block, stopped
                                     (SIGTERM, exit status 0) at the end; a later
                                     server block starts another (stopped first)
    .. readme-test: python3 WHY   -- run on Python 3; on Python 2 recorded as
                                     skipped with the reason (a client that exists
                                     for Python 3 only)

Nothing here knows what the README says: a block added tomorrow is run tomorrow.
"""
from __future__ import absolute_import, print_function, unicode_literals

import collections
import io
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

import six
from tests import processes

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, 'README.rst')

Block = collections.namedtuple('Block', 'number line section kind language text marker')

_MARKER = re.compile(r'^\.\. readme-test:\s*(.*?)\s*$')
_CODE_BLOCK = re.compile(r'^(\s*)\.\. code-block::\s*(\S+)\s*$')
_UNDERLINE = re.compile(r'^([=\-~^"\'`#*+])\1+\s*$')
_LANGUAGES = {'python': 'python', 'py': 'python', 'pycon': 'python', 'sh': 'shell',
              'shell': 'shell', 'bash': 'shell', 'console': 'shell', 'json': 'json',
              'text': 'text', 'none': 'text'}


class BlockFailed(AssertionError):
    """A README block did not run as written."""


def _indent(line):
    return len(line) - len(line.lstrip())


def _kind(language, text):
    if language is not None:
        return _LANGUAGES.get(language.lower(), 'other')
    try:
        compile(text, '<README block>', 'exec')
    except SyntaxError:
        return 'shell'
    return 'python'


def parse_blocks(text):
    """Every literal and code block of an rst text, in order, as :class:`Block`."""
    lines = text.splitlines()
    blocks, section, marker = [], None, None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() and i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1]) and \
                len(lines[i + 1].strip()) >= len(line.strip()) and not _UNDERLINE.match(line):
            section, i = line.strip(), i + 2
            continue
        found = _MARKER.match(line)
        if found:
            marker, i = found.group(1), i + 1
            continue
        code = _CODE_BLOCK.match(line)
        if code:
            language, indent = code.group(2), len(code.group(1))
        elif line.rstrip().endswith('::') and not line.lstrip().startswith('..'):
            language, indent = None, _indent(line)
        else:
            i += 1
            continue
        j = i + 1
        body = []
        while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > indent):
            body.append(lines[j])
            j += 1
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        if body:
            source = textwrap.dedent('\n'.join(body)) + '\n'
            blocks.append(Block(len(blocks) + 1, i + 1, section, _kind(language, source),
                                language, source, marker))
            marker = None
        i = max(j, i + 1)
    return blocks


def read_blocks(path=README):
    with io.open(path, encoding='utf-8') as handle:
        return parse_blocks(handle.read())


def describe(block):
    first = block.text.strip().splitlines()[0]
    return 'block %d (README.rst line %d, %s, %s): %s' % (
        block.number, block.line, block.section, block.kind, first[:60])


# The child interpreter: reads {"name", "code"} lines, runs each in one namespace (one
# block per child: see ReadmeRun._run_python),
# answers {"ok", "error", "stdout"} lines.  Blocks are compiled without this
# script's __future__ flags (dont_inherit), as a reader's own script would be.
_CHILD = r'''
import json, sys, traceback
namespace = {'__name__': '__main__'}
channel = sys.stdout
class Printed(object):
    def __init__(self):
        self.parts = []
    def write(self, text):
        self.parts.append(text if isinstance(text, type(u'')) else text.decode('utf-8', 'replace'))
    def flush(self):
        pass
while True:
    line = sys.stdin.readline()
    if not line:
        break
    request = json.loads(line)
    printed = Printed()
    sys.stdout = printed
    try:
        exec(compile(request['code'], request['name'], 'exec', 0, True), namespace)
        answer = {'ok': True, 'error': None}
    except BaseException:
        answer = {'ok': False, 'error': traceback.format_exc()}
    finally:
        sys.stdout = channel
    answer['stdout'] = u''.join(printed.parts)
    channel.write(json.dumps(answer) + '\n')
    channel.flush()
'''


def _native_env(env):
    if six.PY2:
        return dict((k.encode('utf-8') if isinstance(k, six.text_type) else k,
                     v.encode('utf-8') if isinstance(v, six.text_type) else v)
                    for k, v in env.items())
    return env


def _readline(stream, timeout):
    """One line from a pipe, or None after ``timeout`` seconds."""
    box = []
    reader = threading.Thread(target=lambda: box.append(stream.readline()))
    reader.daemon = True
    reader.start()
    reader.join(timeout)
    return box[0] if box else None


def _wait(process, seconds):
    """The exit status of ``process``; killed (and None returned) after ``seconds``."""
    deadline = time.time() + seconds
    while process.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    if process.poll() is None:
        process.kill()
        process.wait()
        return None
    return process.returncode


class ReadmeRun(object):
    """Runs blocks in ``folder``; a context manager that stops what it started.

    :ivar list ran: the blocks run, in order.
    :ivar list skipped: ``(block, reason)`` of the blocks marked skip.
    :ivar env: the environment of every block (the server's lines applied).
    """

    def __init__(self, folder, timeout=180.0):
        self.folder = folder
        self.timeout = timeout
        self.env = dict(os.environ)
        bin_folder = os.path.dirname(os.path.abspath(sys.executable))
        self.env['PATH'] = bin_folder + os.pathsep + self.env.get('PATH', os.defpath)
        self.env['PYTHONDONTWRITEBYTECODE'] = '1'
        self.ran = []
        self.skipped = []
        self.server = None
        self.server_stopped = None
        self.more_servers = []  # (process, stderr log) of later server blocks
        self.more_stopped = []
        self._python = None
        self._logs = []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def _log(self, name):
        handle = tempfile.TemporaryFile(dir=self.folder, prefix='.readme-%s-' % name)
        self._logs.append(handle)
        return handle

    @staticmethod
    def _tail(handle, size=3000):
        handle.seek(0)
        return handle.read()[-size:].decode('utf-8', 'replace')

    def run(self, block):
        marker = (block.marker or '').split(None, 1)
        if marker and marker[0] == 'skip':
            if len(marker) < 2:
                raise BlockFailed('%s is marked skip without a reason' % describe(block))
            self.skipped.append((block, marker[1]))
            return
        if marker and marker[0] == 'python3':
            if len(marker) < 2:
                raise BlockFailed('%s is marked python3 without a reason' % describe(block))
            if six.PY2:
                self.skipped.append((block, 'Python 3 only: %s' % marker[1]))
                return
        if marker and marker[0] == 'server':
            self._start_server(block)
        elif marker and marker[0] != 'python3':
            raise BlockFailed('%s: unknown mark %r' % (describe(block), block.marker))
        elif block.kind == 'python':
            self._run_python(block)
        elif block.kind == 'shell':
            self._run_shell(block)
        elif block.kind == 'json':
            try:
                json.loads(block.text)
            except ValueError as error:
                raise BlockFailed('%s is not JSON: %s' % (describe(block), error))
        elif block.kind != 'text':
            raise BlockFailed('%s: a %s block cannot be run; mark it ".. readme-test: skip WHY"'
                              % (describe(block), block.language))
        self.ran.append(block)

    # -- shell ---------------------------------------------------------------

    def _run_shell(self, block):
        out, err = self._log('out'), self._log('err')
        process = processes.popen(['sh', '-e', '-c', block.text], cwd=self.folder, stdout=out,
                                  stderr=err, env=_native_env(self.env))
        if _wait(process, self.timeout) is None:
            raise BlockFailed('%s did not finish within %s s' % (describe(block), self.timeout))
        if process.returncode != 0:
            raise BlockFailed('%s exited with status %s\nstdout:\n%s\nstderr:\n%s'
                              % (describe(block), process.returncode, self._tail(out),
                                 self._tail(err)))

    # -- the server ------------------------------------------------------------

    def _start_server(self, block):
        command = block.text.strip()
        if '\n' in command:
            raise BlockFailed('%s: a server block is one command' % describe(block))
        err = self._log('server')
        # exec: the signal at the end reaches the command itself, not a shell
        server = processes.popen(['sh', '-c', 'exec ' + command], cwd=self.folder,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                 env=_native_env(self.env))
        if self.server is None:
            self.server, self._server_err = server, err
        else:
            self.more_servers.append((server, err))
        deadline = time.time() + 60
        while True:
            line = _readline(server.stdout, max(0.1, deadline - time.time()))
            if not line:
                raise BlockFailed('%s printed no "# ready" line (status %s)\nstderr:\n%s'
                                  % (describe(block), server.poll(), self._tail(err)))
            line = line.decode('utf-8').strip()
            if line.startswith('# ready'):
                return
            if line.startswith('export '):
                name, _, value = line[len('export '):].partition('=')
                self.env[name] = shlex.split(value)[0] if value else ''
            elif line.startswith('unset '):
                for name in line[len('unset '):].split():
                    self.env.pop(name, None)

    def stop_server(self):
        """SIGTERM, as Ctrl-C or ``kill`` would stop it; returns its exit status.

        Servers started by later blocks are stopped first, last first; their
        exit statuses are in ``more_stopped``.
        """
        while self.more_servers:
            server, err = self.more_servers.pop()
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                _wait(server, 15)
            self.more_stopped.append((server.returncode, self._tail(err)))
        if self.server is None or self.server_stopped is not None:
            return self.server_stopped
        if self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            _wait(self.server, 15)
        self.server_stopped = self.server.returncode
        return self.server_stopped

    def server_stderr(self):
        return self._tail(self._server_err) if self.server is not None else ''

    # -- Python ------------------------------------------------------------------

    def _run_python(self, block):
        # a fresh interpreter for every block: nothing an earlier block defined leaks in
        self._close_python()
        self._python_err = self._log('python')
        self._python = processes.popen([sys.executable, '-c', _CHILD], cwd=self.folder,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=self._python_err, env=_native_env(self.env))
        name = '<README.rst block %d, line %d>' % (block.number, block.line)
        request = json.dumps({'name': name, 'code': block.text}) + '\n'
        self._python.stdin.write(request.encode('utf-8'))
        self._python.stdin.flush()
        line = _readline(self._python.stdout, self.timeout)
        if not line:
            status = self._python.poll()
            self._python.kill()
            raise BlockFailed('%s: the Python child %s\nstderr:\n%s'
                              % (describe(block), 'exited with status %s' % status
                                 if status is not None else 'did not answer in time',
                                 self._tail(self._python_err)))
        answer = json.loads(line.decode('utf-8'))
        if not answer['ok']:
            raise BlockFailed('%s raised:\n%s\nprinted:\n%s\nstderr:\n%s'
                              % (describe(block), answer['error'], answer['stdout'],
                                 self._tail(self._python_err)))

    def _close_python(self):
        if self._python is not None:
            try:
                self._python.stdin.close()
            except (IOError, OSError):
                pass
            _wait(self._python, 10)
            self._python = None

    def close(self):
        self._close_python()
        self.stop_server()
        for handle in self._logs:
            handle.close()
        self._logs = []
