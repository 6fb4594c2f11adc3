#!/bin/sh
# The project's one test command: sets up the test tools on a fresh machine,
# then runs the whole tox matrix (unit, functional, property and integration
# tests) on every Python from 2.7 to 3.15.  Extra arguments go to tox
# (e.g. -e py312, or -e py314,py315 -- -k token).
#
# 2.7-3.13 run on the host (pyenv's interpreters).  py314 and py315 run inside
# a Debian sid chroot that tests/chroot.py builds once and caches under
# .tools/chroot-sid (it needs root), in parallel with the host's envs.
set -eu
cd "$(dirname "$0")/.."

# Every pyenv interpreter on PATH, so tox finds python2.7 ... python3.13
# (the pyenv shims answer only for the global version).
PYENV_ROOT=${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}
for bin in "$PYENV_ROOT"/versions/*/bin; do
    [ -d "$bin" ] && PATH="$bin:$PATH"
done
export PATH PYENV_ROOT

# A Python >= 3.9 for the tools (moto needs 3.9+): prefer 3.11.
TOOLS_PY=
for candidate in python3.11 python3.12 python3.10 python3.9 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
        TOOLS_PY=$(command -v "$candidate")
        break
    fi
done
[ -n "$TOOLS_PY" ] || { echo "run-all.sh: no Python >= 3.9 found for the test tools" >&2; exit 2; }

TOOLS=.tools
STAMP="$TOOLS/.installed"
if [ ! -f "$STAMP" ] || ! cmp -s tests/tools-requirements.txt "$STAMP"; then
    # everything but the chroot (tests/chroot.py keeps that up to date itself)
    if [ -d "$TOOLS" ]; then
        find "$TOOLS" -mindepth 1 -maxdepth 1 ! -name 'chroot-sid*' -exec rm -rf {} +
    fi
    "$TOOLS_PY" -m venv "$TOOLS"
    "$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/tools-requirements.txt
    cp tests/tools-requirements.txt "$STAMP"
fi

# Programs the tests run: lzop (WAL-E compresses through it,
# tests/integration/test_real_programs.py) and openssl (the network tests make
# their CA with it, tests/netfronts.py).  Installed from the system's packages
# when missing (a test that needs one fails, never skips, without it).
missing=
for program in lzop openssl; do
    command -v "$program" >/dev/null 2>&1 || missing="$missing $program"
done
if [ -n "$missing" ]; then
    if command -v apt-get >/dev/null 2>&1; then
        SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
        $SUDO apt-get update -qq && $SUDO apt-get install -y -qq $missing >/dev/null
    else
        echo "run-all.sh:$missing missing and there is no apt-get; install them" >&2
        exit 2
    fi
fi

# The integration tests start their own server from this executable and FAIL
# (never skip) when it is missing.
STSBOTO_MOTO_SERVER="$(pwd)/$TOOLS/bin/moto_server"
export STSBOTO_MOTO_SERVER
# The real CONNECT proxy of the network tests (tests/netfronts.py); FAIL when missing.
STSBOTO_PROXY_PY="$(pwd)/$TOOLS/bin/proxy"
export STSBOTO_PROXY_PY

# Which envs run where: -e/--env lists are split (py314*, py315* go to the
# chroot); every other argument goes to both.  No -e: tox.ini's envlist.
envs= want_env= after_dashes=
for arg do
    shift
    if [ -n "$after_dashes" ]; then set -- "$@" "$arg"; continue; fi
    if [ -n "$want_env" ]; then envs="$envs,$arg"; want_env=; continue; fi
    case $arg in
        --) after_dashes=1 ;;
        -e|--env) want_env=1; continue ;;
        --env=*) envs="$envs,${arg#--env=}"; continue ;;
        -e*) envs="$envs,${arg#-e}"; continue ;;
    esac
    set -- "$@" "$arg"
done
[ -n "$envs" ] || envs=$("$TOOLS/bin/tox" -l | tr '\n' ',')
host_envs= chroot_envs=
for env in $(echo "$envs" | tr ',' ' '); do
    case $env in
        py314|py314-*|py315|py315-*) chroot_envs="$chroot_envs${chroot_envs:+,}$env" ;;
        *) host_envs="$host_envs${host_envs:+,}$env" ;;
    esac
done

# Commands run through this get Python's default SIGINT handling back even when
# this script was started with SIGINT ignored (nohup, a background job, some CI
# runners): the tests of Ctrl-C handling need what a terminal user gets.
default_sigint() {
    "$TOOLS/bin/python" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

# Reports of earlier runs must not count: each env writes its own anew.
rm -f .tox/*/junit.xml
status=0
chroot_pid= chroot_log="$TOOLS/chroot-run.log"
if [ -n "$chroot_envs" ]; then
    # In the background: building the chroot (first run) and its envs overlap
    # the host's envs.  Its output is shown when the host's envs are done.
    mkdir -p "$TOOLS"
    default_sigint "$TOOLS/bin/python" tests/chroot.py tox -e "$chroot_envs" "$@" >"$chroot_log" 2>&1 &
    chroot_pid=$!
    # Whatever ends this script ends the chroot run too (it unmounts on SIGTERM).
    trap 'kill -TERM "$chroot_pid" 2>/dev/null; wait "$chroot_pid"; exit 130' INT TERM HUP
fi
if [ -n "$host_envs" ]; then
    default_sigint "$TOOLS/bin/tox" run-parallel --parallel auto --parallel-no-spinner \
        -e "$host_envs" "$@" || status=$?
fi
if [ -n "$chroot_pid" ]; then
    chroot_status=0
    wait "$chroot_pid" || chroot_status=$?
    trap - INT TERM HUP
    echo "=== py314/py315 in the Debian sid chroot ($chroot_envs): exit status $chroot_status ==="
    cat "$chroot_log"
    [ "$chroot_status" -eq 0 ] || status=$chroot_status
fi
# tox shows the output of failed envs only: print every env's counts.
# py314/py315 must have reports: an env that never started (no chroot) fails.
"$TOOLS/bin/python" tests/summary.py ${chroot_envs:+--expect "$chroot_envs"} .tox ||
    { [ "$status" -ne 0 ] || status=1; }
exit $status
