#!/bin/sh
# The project's one test command: sets up the test tools on a fresh machine,
# then runs the whole tox matrix (unit, functional and integration tests) on
# every Python from 2.7 to 3.13.  Extra arguments go to tox (e.g. -e py312).
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
    rm -rf "$TOOLS"
    "$TOOLS_PY" -m venv "$TOOLS"
    "$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/tools-requirements.txt
    cp tests/tools-requirements.txt "$STAMP"
fi

# The integration tests start their own server from this executable and FAIL
# (never skip) when it is missing.
STSBOTO_MOTO_SERVER="$(pwd)/$TOOLS/bin/moto_server"
export STSBOTO_MOTO_SERVER
# The real CONNECT proxy of the network tests (tests/netfronts.py); FAIL when missing.
STSBOTO_PROXY_PY="$(pwd)/$TOOLS/bin/proxy"
export STSBOTO_PROXY_PY
# Reports of earlier runs must not count: each env writes its own anew.
rm -f .tox/*/junit.xml
status=0
"$TOOLS/bin/tox" run-parallel --parallel auto --parallel-no-spinner "$@" || status=$?
# tox shows the output of failed envs only: print every env's counts.
"$TOOLS/bin/python" tests/summary.py .tox || { [ "$status" -ne 0 ] || status=1; }
exit $status
