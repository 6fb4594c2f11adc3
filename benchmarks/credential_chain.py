"""What ``stsboto.find_token()`` costs with nothing configured (issue 10).

Usage: ``python benchmarks/credential_chain.py [--rounds N]`` (prints a table; ``--json`` too)

An empty HOME and environment, so every source is tried and none answers; the
instance metadata endpoint is pointed at loopback stand-ins for what a machine
without IMDS offers (never at 169.254.169.254):

``disabled``     ``AWS_EC2_METADATA_DISABLED=true``: files and variables only.
``refused``      a closed loopback port: the PUT is refused at once.
``no-answer``    a port whose listen backlog is full, so the connection never
                 completes: a connect timeout (a laptop where 169.254.169.254
                 is routed nowhere).  Bounded by ``AWS_METADATA_SERVICE_TIMEOUT``
                 (1 s) x ``AWS_METADATA_SERVICE_NUM_ATTEMPTS`` (1).
``silent``       a server that accepts and never answers: the PUT read times
                 out, then botocore's IMDSv1 fallback GET does too (2 x 1 s).
"""
from __future__ import absolute_import, print_function

import json
import os
import shutil
import socket
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import stsboto  # noqa: E402


def free_port():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def measure(environ, rounds):
    times = []
    for _ in range(rounds):
        started = time.time()
        found = stsboto.find_token(environ=environ)
        times.append(time.time() - started)
        assert found is None
    times.sort()
    return {'min': times[0], 'median': times[len(times) // 2], 'max': times[-1], 'rounds': rounds}


def main(argv):
    rounds = int(argv[argv.index('--rounds') + 1]) if '--rounds' in argv else 5
    home = tempfile.mkdtemp()
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(('AWS_', 'BOTO_')):
            del os.environ[name]
    os.environ['HOME'] = home
    results = {}
    holders = []
    try:
        results['disabled'] = measure({'AWS_EC2_METADATA_DISABLED': 'true'}, rounds * 20)
        url = 'http://127.0.0.1:%d/' % free_port()
        results['refused'] = measure({'AWS_EC2_METADATA_SERVICE_ENDPOINT': url}, rounds * 20)
        full = socket.socket()
        full.bind(('127.0.0.1', 0))
        full.listen(0)
        holders.append(full)
        for _ in range(4):   # fill the accept queue: later SYNs are dropped
            filler = socket.socket()
            filler.setblocking(False)
            try:
                filler.connect(full.getsockname())
            except socket.error:
                pass
            holders.append(filler)
        url = 'http://127.0.0.1:%d/' % full.getsockname()[1]
        results['no-answer'] = measure({'AWS_EC2_METADATA_SERVICE_ENDPOINT': url}, rounds)
        silent = socket.socket()
        silent.bind(('127.0.0.1', 0))
        silent.listen(64)
        holders.append(silent)
        url = 'http://127.0.0.1:%d/' % silent.getsockname()[1]
        results['silent'] = measure({'AWS_EC2_METADATA_SERVICE_ENDPOINT': url}, rounds)
    finally:
        for sock in holders:
            sock.close()
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(home)
    print('find_token() with nothing configured, Python %s' % sys.version.split()[0])
    print('%-10s %11s %11s %11s %7s' % ('case', 'min', 'median', 'max', 'rounds'))
    for case in ('disabled', 'refused', 'no-answer', 'silent'):
        r = results[case]
        print('%-10s %9.2fms %9.2fms %9.2fms %7d' % (case, r['min'] * 1000, r['median'] * 1000,
                                                     r['max'] * 1000, r['rounds']))
    if '--json' in argv:
        print(json.dumps(results, sort_keys=True))


if __name__ == '__main__':
    main(sys.argv[1:])
