"""Python 3.14 and 3.15 for the test matrix: a Debian sid chroot, built once and cached.

Usage (as root, with Python 3; tests/run-all.sh runs it)::

    python3 tests/chroot.py build                      # build or refresh the chroot only
    python3 tests/chroot.py tox -e py314,py315 [ARGS]  # build if needed, then run tox inside it
    python3 tests/chroot.py run COMMAND [ARGS]         # any command inside it (the checkout is
                                                       # copied to /stsboto; tox envs are under
                                                       # /var/cache/stsboto-tox)

pyenv on these machines stops at 3.13; Debian's ``sid`` suite ships
``python3.14`` and ``python3.15``, but their binaries need a newer glibc than
the host's, so they run inside a ``debootstrap`` chroot at
``.tools/chroot-sid``.  The chroot is built once (about 40 s, 350 MB) and
reused while its recipe (:data:`RECIPE`) is unchanged; a build that did not
finish leaves no stamp and is built again.  The test tools (tox, virtualenv,
moto's server: tests/chroot-requirements.txt plus tests/tools-requirements.txt's
moto pin) live in a venv inside it, reinstalled when those files change.

Each ``tox`` run copies the working tree into the chroot (``/stsboto``: a copy,
not a bind mount, so the host's tox never races this one over build files and
nothing of the checkout can be deleted through the chroot), mounts ``proc`` and,
read-only, the local package folders pip's configuration names, runs tox there
with moto's server from the chroot's venv as ``STSBOTO_MOTO_SERVER`` (the
integration fixtures start it inside the chroot, on the loopback it shares
with the host), copies each env's junit XML to
``.tox/ENV/junit.xml`` for tests/summary.py, and unmounts everything whatever
happened (Ctrl-C and SIGTERM included).  Processes left inside the chroot are
ended first: only those whose root is this chroot.

Nothing is skipped: a missing tool is installed (``apt-get install
debootstrap``), and an unreachable mirror or a failed build stops the run with
a message saying so.  The mirror is the Debian one the machine's own apt
sources name, or ``STSBOTO_DEBIAN_MIRROR``.
"""
from __future__ import print_function

import configparser
import glob
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(HERE)
CHROOT = os.path.join(CHECKOUT, '.tools', 'chroot-sid')
BUILD_LOG = CHROOT + '.log'

SUITE = 'sid'
PACKAGES = ('python3.14', 'python3.14-venv', 'python3.15', 'python3.15-venv',
            'openssl', 'lzop')  # the TLS tests make their CA with openssl; WAL-E compresses with lzop
#: What the chroot is built from; a change here rebuilds it (the stamp holds this text).
RECIPE = 'debootstrap --variant=minbase --include=%s %s\n' % (','.join(PACKAGES), SUITE)
RECIPE_STAMP = '.stsboto-recipe'
#: Copied from the host so pip and name lookups work inside as they do outside.
HOST_FILES = ('/etc/resolv.conf', '/etc/pip.conf', '/root/.config/pip/pip.conf',
              '/etc/ssl/certs/ca-certificates.crt')

TOOLS = '/opt/stsboto-tools'            # paths inside the chroot
TOOLS_PYTHON = '/usr/bin/python3.14'
TOOLS_STAMP = TOOLS + '/.stsboto-installed'
SOURCE = '/stsboto'
TOX_WORKDIR = '/var/cache/stsboto-tox'
PATH = TOOLS + '/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
#: Not copied into the chroot: what the host's tox and pytest make or own.
COPY_IGNORE = ('.git', '.tox', '.tools', 'build', 'dist', '*.egg-info', '__pycache__', '*.pyc',
               '.pytest_cache', '.hypothesis')


class Failure(Exception):
    """Stops the run with a message (exit status 2)."""


def say(message):
    print('chroot.py: %s' % message)
    sys.stdout.flush()


def inside(path):
    return os.path.join(CHROOT, path.lstrip('/'))


def read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return None


# -- the mirror ------------------------------------------------------------------------

def _deb_lines(path):
    for line in (read(path) or '').splitlines():
        words = line.split('#', 1)[0].split()
        if not words or words[0] != 'deb':
            continue
        words = words[1:]
        if words and words[0].startswith('['):  # [arch=amd64 signed-by=...]
            while words and not words[0].endswith(']'):
                words.pop(0)
            words = words[1:]
        if len(words) >= 2:
            yield words[0], words[1:2]


def _deb822_stanzas(path):
    for stanza in (read(path) or '').split('\n\n'):
        fields, key = {}, None
        for line in stanza.splitlines():
            if line.startswith('#') or not line.strip():
                continue
            if line[0] in ' \t' and key:
                fields[key] += ' ' + line.strip()
                continue
            key, _, value = line.partition(':')
            key = key.strip().lower()
            fields[key] = value.strip()
        if 'deb' not in fields.get('types', '').split() or fields.get('enabled', 'yes') == 'no':
            continue
        for uri in fields.get('uris', '').split():
            yield uri, fields.get('suites', '').split()


def debian_mirror(environ=None, apt='/etc/apt'):
    """The Debian archive the machine's apt sources name (not its security archive)."""
    environ = os.environ if environ is None else environ
    explicit = environ.get('STSBOTO_DEBIAN_MIRROR', '').strip()
    if explicit:
        return explicit
    sources = []
    lists = [os.path.join(apt, 'sources.list')] + sorted(glob.glob(os.path.join(apt, 'sources.list.d',
                                                                                '*.list')))
    for path in lists:
        sources.extend(_deb_lines(path))
    for path in sorted(glob.glob(os.path.join(apt, 'sources.list.d', '*.sources'))):
        sources.extend(_deb822_stanzas(path))
    for uri, suites in sources:
        if uri.rstrip('/').endswith('/debian') and not any(s.endswith('-security') for s in suites):
            return uri
    raise Failure('no Debian mirror in /etc/apt/sources.list or /etc/apt/sources.list.d/ '
                  '(set STSBOTO_DEBIAN_MIRROR to one)')


# -- mounts and processes -----------------------------------------------------------------

def mounts_under(path):
    """Mount points at or below ``path`` (deepest first), from /proc/self/mounts."""
    real = os.path.realpath(path)
    found = []
    for line in (read('/proc/self/mounts') or '').splitlines():
        point = line.split()[1].replace('\\040', ' ')
        if point == real or point.startswith(real + '/'):
            found.append(point)
    return sorted(found, key=len, reverse=True)


def unmount_all(path):
    for point in mounts_under(path):
        if subprocess.call(['umount', point]) != 0:
            subprocess.call(['umount', '-l', point])  # busy: detach it now, freed when unused
    left = mounts_under(path)
    if left:
        raise Failure('could not unmount %s' % ', '.join(left))


def processes_inside(root):
    """PIDs of processes whose root directory is ``root`` (started inside the chroot)."""
    real = os.path.realpath(root)
    pids = []
    for entry in os.listdir('/proc'):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                if os.readlink('/proc/%s/root' % entry) == real:
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


def end_processes_inside(root, grace=5.0):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = processes_inside(root)
        if not pids:
            return
        say('ending %d process(es) left inside the chroot' % len(pids))
        for pid in pids:
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        deadline = time.time() + grace
        while time.time() < deadline and processes_inside(root):
            time.sleep(0.1)


def local_package_sources(environ=None):
    """Folders on this machine that pip's configuration names (``find-links``, ``file://``
    indexes, in the pip.conf files copied into the chroot or in ``PIP_*`` variables)."""
    environ = os.environ if environ is None else environ
    links = [environ.get('PIP_FIND_LINKS', '')]
    indexes = [environ.get('PIP_INDEX_URL', ''), environ.get('PIP_EXTRA_INDEX_URL', '')]
    parser = configparser.RawConfigParser()
    parser.read([path for path in HOST_FILES if path.endswith('pip.conf')])
    for section in parser.sections():
        for option, found in (('find-links', links), ('index-url', indexes),
                              ('extra-index-url', indexes)):
            if parser.has_option(section, option):
                found.append(parser.get(section, option))
    folders = []
    for values, is_index in ((links, False), (indexes, True)):
        for value in ' '.join(values).split():
            path = value[len('file://'):] if value.startswith('file://') else value
            if not path.startswith('/') or not os.path.isdir(path):
                continue
            path = os.path.normpath(path)
            if is_index:
                # a PEP 503 index's pages link to files beside it (/x/simple -> /x/files)
                path = os.path.dirname(path)
            if path != '/' and path not in folders:
                folders.append(path)
    return folders


class Mounted(object):
    """``proc`` mounted in the chroot for the ``with`` block, and pip's local package
    folders (read-only, so pip finds there what it finds on the host); everything
    unmounted (and the processes left inside ended) on the way out, however the
    block ends."""

    def __enter__(self):
        unmount_all(CHROOT)
        try:
            check(['mount', '-t', 'proc', 'proc', inside('/proc')], 'mount proc in the chroot')
            for folder in local_package_sources():
                target = inside(folder)
                if not os.path.isdir(target):
                    os.makedirs(target)
                check(['mount', '--bind', folder, target], 'bind-mount %s' % folder)
                check(['mount', '-o', 'remount,bind,ro', target], 'make %s read-only' % folder)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info):
        end_processes_inside(CHROOT)
        unmount_all(CHROOT)


def remove_tree(path):
    if os.path.lexists(path):
        unmount_all(path)
        shutil.rmtree(path)


# -- running commands -------------------------------------------------------------------

def check(command, what, **kwargs):
    code = subprocess.call(command, **kwargs)
    if code != 0:
        raise Failure('%s failed (exit status %s): %s' % (what, code, ' '.join(command)))


def chroot_env(extra=None):
    env = dict((k, v) for k, v in os.environ.items()
               if k not in ('TMPDIR', 'PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV', 'PYENV_ROOT',
                            'PYENV_VERSION', 'TOX_WORK_DIR'))
    env.update({'PATH': PATH, 'HOME': '/root', 'LANG': 'C.UTF-8'})
    env.pop('LC_ALL', None)
    env.update(extra or {})
    return env


def _enter(workdir):
    def enter():
        os.chroot(CHROOT)
        os.chdir(workdir)
        # our own process group: a signal for this run reaches tox, pytest and moto
        os.setpgrp()
    return enter


def run_inside(command, workdir='/', env=None):
    """Run ``command`` in the chroot; its exit status.  On Ctrl-C or SIGTERM its
    process group is ended before the exception goes on."""
    process = subprocess.Popen(command, env=chroot_env(env), preexec_fn=_enter(workdir))
    try:
        return process.wait()
    except BaseException:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
            except OSError:
                break
            deadline = time.time() + 10
            while time.time() < deadline and process.poll() is None:
                time.sleep(0.1)
            if process.poll() is not None:
                break
        raise


# -- building ---------------------------------------------------------------------------

def need_root():
    if os.geteuid() != 0:
        raise Failure('building and entering the py314/py315 chroot needs root (debootstrap, '
                      'mount, chroot); run tests/run-all.sh as root')


def ensure_debootstrap():
    if shutil.which('debootstrap'):
        return
    say('debootstrap is missing: installing it with apt-get')
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    check(['apt-get', 'update', '-q'], 'apt-get update', env=env, stdin=subprocess.DEVNULL)
    check(['apt-get', 'install', '-y', '-q', 'debootstrap'], 'apt-get install debootstrap', env=env,
          stdin=subprocess.DEVNULL)


def build_chroot():
    """Build the chroot unless a complete one of this recipe is there; True if built."""
    if read(inside(RECIPE_STAMP)) == RECIPE:
        return False
    need_root()
    ensure_debootstrap()
    mirror = debian_mirror()
    fresh = CHROOT + '.new'
    remove_tree(fresh)
    say('building the Debian %s chroot with %s from %s (log: %s)'
        % (SUITE, ', '.join(PACKAGES), mirror, os.path.relpath(BUILD_LOG, CHECKOUT)))
    started = time.time()
    with open(BUILD_LOG, 'w') as log:
        code = subprocess.call(['debootstrap', '--variant=minbase', '--include=' + ','.join(PACKAGES),
                                SUITE, fresh, mirror], stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    if code != 0:
        unmount_all(fresh)
        tail = (read(BUILD_LOG) or '').strip().splitlines()[-15:]
        raise Failure('debootstrap could not build the chroot from %s (exit status %d): is the '
                      'mirror reachable?  Last lines of %s:\n    %s'
                      % (mirror, code, BUILD_LOG, '\n    '.join(tail)))
    remove_tree(CHROOT)
    os.rename(fresh, CHROOT)
    with open(inside(RECIPE_STAMP), 'w') as stamp:  # last: a chroot with a stamp is complete
        stamp.write(RECIPE)
    say('chroot built in %.0f s' % (time.time() - started))
    return True


def copy_host_files():
    for path in HOST_FILES:
        if os.path.isfile(path):
            target = inside(path)
            if not os.path.isdir(os.path.dirname(target)):
                os.makedirs(os.path.dirname(target))
            shutil.copyfile(path, target)


def tools_requirements():
    with open(os.path.join(HERE, 'chroot-requirements.txt')) as handle:
        text = handle.read()
    with open(os.path.join(HERE, 'tools-requirements.txt')) as handle:
        # every server the tests start (moto, the CONNECT proxy), pinned once there;
        # tox and virtualenv come from chroot-requirements.txt (newer, for 3.14+)
        servers = [line for line in handle.read().splitlines()
                   if line.strip() and not line.startswith(('#', 'tox', 'virtualenv'))]
    if not any(line.startswith('moto') for line in servers):
        raise Failure('tests/tools-requirements.txt pins no moto')
    return text + '\n'.join(servers) + '\n'


#: The servers' executables for the tests inside the chroot (tests/run-all.sh sets the same
#: variables on the host).
SERVERS = {'STSBOTO_MOTO_SERVER': TOOLS + '/bin/moto_server', 'STSBOTO_PROXY_PY': TOOLS + '/bin/proxy'}


def install_tools():
    """The chroot's tools venv (tox, virtualenv, moto_server); True if (re)installed."""
    wanted = tools_requirements()
    if read(inside(TOOLS_STAMP)) == wanted:
        return False
    say('installing the test tools in the chroot (%s)' % TOOLS)
    started = time.time()
    with open(inside('/opt/stsboto-tools-requirements.txt'), 'w') as handle:
        handle.write(wanted)
    with Mounted():
        for command in ([TOOLS_PYTHON, '-m', 'venv', '--clear', TOOLS],
                        [TOOLS + '/bin/python', '-m', 'pip', 'install', '--quiet',
                         '-r', '/opt/stsboto-tools-requirements.txt']):
            code = run_inside(command)
            if code != 0:
                raise Failure('in the chroot, %s failed (exit status %d)' % (' '.join(command), code))
    with open(inside(TOOLS_STAMP), 'w') as stamp:
        stamp.write(wanted)
    say('tools installed in %.0f s' % (time.time() - started))
    return True


def build():
    need_root()
    started = time.time()
    build_chroot()
    copy_host_files()
    install_tools()
    say('chroot ready in %.1f s (%s)' % (time.time() - started, os.path.relpath(CHROOT, CHECKOUT)))


# -- tox ---------------------------------------------------------------------------------

def copy_checkout():
    target = inside(SOURCE)
    remove_tree(target)
    shutil.copytree(CHECKOUT, target, symlinks=True, ignore=shutil.ignore_patterns(*COPY_IGNORE))


def run_tox(args):
    """Run tox in the chroot with ``args``; copy each env's junit XML to .tox/ENV/."""
    build()
    copy_checkout()
    for old in glob.glob(inside(TOX_WORKDIR + '/*/junit.xml')):
        os.remove(old)
    started = time.time()
    with Mounted():
        code = run_inside([TOOLS + '/bin/tox', 'run', '--workdir', TOX_WORKDIR] + list(args),
                          workdir=SOURCE, env=dict(SERVERS))
    for report in sorted(glob.glob(inside(TOX_WORKDIR + '/*/junit.xml'))):
        env = os.path.basename(os.path.dirname(report))
        target = os.path.join(CHECKOUT, '.tox', env)
        if not os.path.isdir(target):
            os.makedirs(target)
        shutil.copyfile(report, os.path.join(target, 'junit.xml'))
    say('tox in the chroot took %.0f s (exit status %d)' % (time.time() - started, code))
    return code


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def main(argv):
    # Started in the background by tests/run-all.sh, this process may have SIGINT
    # ignored, and its children would inherit that (tests of Ctrl-C handling rely on
    # Python's default handler): a handler here gives them the default back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    if not argv or argv[0] not in ('build', 'tox', 'run') or (argv[0] == 'run' and len(argv) < 2):
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        return 2
    try:
        if argv[0] == 'build':
            build()
            return 0
        if argv[0] == 'run':
            build()
            copy_checkout()
            with Mounted():
                return run_inside(argv[1:], workdir=SOURCE,
                                  env=dict(SERVERS))
        return run_tox(argv[1:])
    except Failure as failure:
        print('\nchroot.py: FAILED: %s\n' % failure, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print('chroot.py: interrupted', file=sys.stderr)
        return 130


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
