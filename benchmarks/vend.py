"""``stsboto vend``: cached answers per second on one core, and p50/p99 latency (issue 22).

Usage: ``python benchmarks/vend.py [--rounds N] [--requests N] [--json FILE]``

Three sides, interleaved round by round (min / median / max over the rounds):

``wsgi``      the WSGI callable called in-process (no HTTP): the application's own cost.
``wsgiref``   ``stsboto vend --server wsgiref`` in a child process pinned to one core,
              over loopback HTTP.
``gunicorn``  ``stsboto vend --server gunicorn --workers 1`` (gthread), pinned likewise
              (when gunicorn is installed).

Each HTTP round sends ``--requests`` GETs from 4 client threads on the other core(s),
one connection per request (what an SDK's credential fetch does), every answer a cache
hit (the caller's credentials were issued once, by a local moto server, before the
rounds).  Latency is per request as the client sees it, p50 and p99 of all rounds.
Answers per second are given twice: per wall-clock second, and per CPU-second the
server used (``/proc/PID/stat``; the in-process side: ``time.process_time``), which is
"answers per second on one core" even on a machine shared with other work.
"""
from __future__ import absolute_import, print_function

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import stsboto  # noqa: E402,F401
from six.moves import http_client  # noqa: E402

from stsboto.local import LocalServer  # noqa: E402
from stsboto.local.admin import create_buckets, create_issuer  # noqa: E402
from stsboto.vend import VendApp, load_config  # noqa: E402
from stsboto.vend.config import hash_secret  # noqa: E402

SECRET = 'benchmark-secret-0123456789abcdefghijkl'
CLIENT_THREADS = 4


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(values):
    ordered = sorted(values)
    return {'min': ordered[0], 'median': ordered[len(ordered) // 2], 'max': ordered[-1]}


def cpu_seconds(pid):
    """User + system CPU of ``pid`` and its children (gunicorn's workers), from /proc."""
    ticks = float(os.sysconf('SC_CLK_TCK'))
    total = 0.0
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as stream:
                fields = stream.read().rsplit(')', 1)[1].split()
        except (IOError, OSError):
            continue
        # after the name: state ppid ... utime (14th field) stime (15th)
        if int(entry) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def wsgi_round(app, count):
    environ = {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/', 'REMOTE_ADDR': '127.0.0.1',
               'wsgi.url_scheme': 'http', 'HTTP_AUTHORIZATION': SECRET}
    latencies = []
    started = time.time()
    cpu = time.process_time() if hasattr(time, 'process_time') else time.clock()
    for _ in range(count):
        t0 = time.time()
        body = app(dict(environ), lambda status, headers: None)
        latencies.append(time.time() - t0)
        assert b'AccessKeyId' in body[0]
    used = (time.process_time() if hasattr(time, 'process_time') else time.clock()) - cpu
    return count / (time.time() - started), count / used, latencies


def http_round(port, count, pid):
    latencies = []
    lock = threading.Lock()
    per_thread = count // CLIENT_THREADS

    def client():
        mine = []
        for _ in range(per_thread):
            t0 = time.time()
            conn = http_client.HTTPConnection('127.0.0.1', port, timeout=10)
            conn.request('GET', '/', headers={'Authorization': SECRET})
            answer = conn.getresponse()
            body = answer.read()
            conn.close()
            mine.append(time.time() - t0)
            assert answer.status == 200 and b'AccessKeyId' in body, (answer.status, body)
        with lock:
            latencies.extend(mine)
    threads = [threading.Thread(target=client) for _ in range(CLIENT_THREADS)]
    started = time.time()
    cpu = cpu_seconds(pid)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = per_thread * CLIENT_THREADS
    return done / (time.time() - started), done / (cpu_seconds(pid) - cpu), latencies


def start_vend(config, env, server, folder):
    command = [sys.executable, '-m', 'stsboto', 'vend', '--config', config, '--port', '0',
               '--server', server, '--workers', '1', '--threads', '8']
    err = open(os.path.join(folder, server + '.err'), 'w+b')

    def pin():
        os.setpgrp()
        if hasattr(os, 'sched_setaffinity'):
            os.sched_setaffinity(0, {0})
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, env=env,
                               preexec_fn=pin)
    while True:
        line = process.stdout.readline().decode('utf-8')
        assert line, 'vend (%s) did not start' % server
        if line.startswith('export AWS_CONTAINER_CREDENTIALS_FULL_URI='):
            port = int(line.strip().rsplit(':', 1)[1].rstrip('/'))
        if line.startswith('# ready'):
            return process, port


def main(argv):
    rounds = int(argv[argv.index('--rounds') + 1]) if '--rounds' in argv else 5
    count = int(argv[argv.index('--requests') + 1]) if '--requests' in argv else 2000
    if hasattr(os, 'sched_setaffinity') and len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, os.sched_getaffinity(0) - {0})  # the clients stay off core 0
    folder = tempfile.mkdtemp(prefix='stsboto-vend-bench-')
    moto = LocalServer().start()
    processes = []
    try:
        create_buckets(moto.endpoint_url, ['photos'])
        key, secret = create_issuer(moto.endpoint_url, 'vend-issuer', ['photos'])
        config = os.path.join(folder, 'vend.ini')
        with open(config, 'w') as stream:
            stream.write('[vend]\nbucket = photos\nprefix = users/{caller}/\n\n'
                         '[caller bench]\ntoken_sha256 = %s\n' % hash_secret(SECRET))
        env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret,
                   AWS_ENDPOINT_URL=moto.endpoint_url, PYTHONPATH=ROOT)
        os.environ.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret,
                          AWS_ENDPOINT_URL=moto.endpoint_url)
        app = VendApp(load_config(config))
        wsgi_round(app, 1)  # the one STS call
        sides = {'wsgi': lambda: wsgi_round(app, count * 5)}
        servers = ['wsgiref']
        try:
            import gunicorn  # noqa: F401
            servers.append('gunicorn')
        except ImportError:
            pass
        for name in servers:
            process, port = start_vend(config, env, name, folder)
            processes.append(process)
            http_round(port, CLIENT_THREADS, process.pid)  # warm: this process's STS call
            sides[name] = (lambda p, pid: lambda: http_round(p, count, pid))(port, process.pid)
        rates = dict((name, []) for name in sides)
        per_cpu = dict((name, []) for name in sides)
        latencies = dict((name, []) for name in sides)
        for _ in range(rounds):
            for name in sorted(sides):
                rate, cpu_rate, seen = sides[name]()
                rates[name].append(rate)
                per_cpu[name].append(cpu_rate)
                latencies[name].extend(seen)
        results = {}
        print('%-9s %27s %27s %9s %9s' % ('side', 'answers/s wall (min/med/max)',
                                          'per CPU-second of server', 'p50', 'p99'))
        for name in sorted(sides):
            stats, cpu_stats = summary(rates[name]), summary(per_cpu[name])
            results[name] = dict(wall=stats, per_cpu_second=cpu_stats,
                                 p50_ms=percentile(latencies[name], 0.5) * 1000,
                                 p99_ms=percentile(latencies[name], 0.99) * 1000,
                                 requests=len(latencies[name]), rounds=rounds)
            print('%-9s %7.0f / %7.0f / %7.0f  %7.0f / %7.0f / %7.0f %6.3f ms %6.3f ms'
                  % (name, stats['min'], stats['median'], stats['max'], cpu_stats['min'],
                     cpu_stats['median'], cpu_stats['max'], results[name]['p50_ms'],
                     results[name]['p99_ms']))
        with open('/proc/loadavg') as stream:
            print('load average after the run: %s' % ' '.join(stream.read().split()[:3]))
        print('python %s, %d rounds; HTTP: server on core 0, %d client threads elsewhere'
              % (sys.version.split()[0], rounds, CLIENT_THREADS))
        if '--json' in argv:
            with open(argv[argv.index('--json') + 1], 'w') as stream:
                json.dump(results, stream, indent=2)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
            process.wait()
        moto.stop()


if __name__ == '__main__':
    main(sys.argv[1:])
