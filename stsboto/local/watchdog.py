"""The watchdog between a :class:`stsboto.local.LocalServer` and its moto server.

Usage (what ``LocalServer`` runs)::

    subprocess.Popen([sys.executable, '-c', WATCHDOG, folder] + moto_command, stdin=pipe_end)

A moto server left running serves its users' keys to anyone who asks
(``/moto-api/data.json``), so it must never outlive the process that started
it (issue 19).  The watchdog is the small process in between: it starts moto,
reads the pipe only the owner holds, and when that pipe closes (the owner
ended, whatever way, SIGKILL included) it stops moto with everything moto
started and removes the temporary folder.  It imports nothing of stsboto (nor
boto): it is source text run by ``python -c``, on Python 2.7 and 3 alike.
"""
from __future__ import absolute_import

__all__ = ['WATCHDOG', 'no_inherit']

# Run by the Python that runs stsboto, between it and moto (argv: the folder, then
# moto's command).  Its standard input is a pipe whose other end only the owner
# holds: end of file means the owner is gone, however it ended.  Then moto (in a
# session of its own, so a terminal's Ctrl-C or hang-up reaches the owner only)
# is stopped with everything it started, and the folder is removed.  When moto
# exits by itself the watchdog exits with its status and leaves the folder to
# the owner, which reads the log there.  Python 2.7 and 3 alike.
WATCHDOG = r'''
import os, shutil, signal, subprocess, sys, threading, time
folder, command = sys.argv[1], sys.argv[2:]
signal.signal(signal.SIGINT, signal.SIG_IGN)
watchdog = os.getpid()

def prepare():
    os.setsid()
    if sys.platform.startswith('linux'):
        try:
            import ctypes
            ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)   # PR_SET_PDEATHSIG
        except Exception:
            pass
    if os.getppid() != watchdog:   # the watchdog went before prctl took effect
        os._exit(1)

posix = os.name == 'posix'
with open(os.devnull, 'rb') as devnull:
    child = subprocess.Popen(command, stdin=devnull, close_fds=True,
                             preexec_fn=prepare if posix else None,
                             creationflags=0 if posix else 0x200)
owner_gone = threading.Event()

def watch():
    try:
        while os.read(0, 512):
            pass
    except OSError:
        pass
    owner_gone.set()
reader = threading.Thread(target=watch)
reader.daemon = True
reader.start()
while not owner_gone.is_set() and child.poll() is None:
    owner_gone.wait(0.2)
if child.poll() is None:
    def signal_all(number):
        try:
            if posix:
                os.killpg(child.pid, number)
            else:
                child.kill()
        except OSError:
            pass
    signal_all(signal.SIGTERM)
    deadline = time.time() + 5
    while child.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    signal_all(getattr(signal, 'SIGKILL', signal.SIGTERM))
    child.wait()
if owner_gone.is_set():
    shutil.rmtree(folder, ignore_errors=True)
sys.exit(child.returncode if child.returncode and child.returncode > 0 else 0)
'''


def no_inherit(fd):
    """Close ``fd`` in every program this process starts (Python 2 pipes are inheritable)."""
    try:
        import fcntl
    except ImportError:  # Windows: os.pipe() handles are not inherited
        return
    fcntl.fcntl(fd, fcntl.F_SETFD, fcntl.fcntl(fd, fcntl.F_GETFD) | fcntl.FD_CLOEXEC)
