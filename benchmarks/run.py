"""stsboto benchmarks: run on demand, never part of the test suite.

Usage (from the repository root, in a Python 3.9+ virtualenv)::

    pip install -e . boto3 'moto[server]'
    python benchmarks/run.py                      # everything, about 5 minutes on 2 cores
    python benchmarks/run.py --quick              # a smoke run, about 15 seconds
    python benchmarks/run.py --only overhead      # one benchmark: overhead, requests, import,
                                                  # throughput (repeatable)
    python benchmarks/run.py --python /path/to/python2.7 --only import
    python benchmarks/run.py --wait-quiet 600 --json results.json

Every benchmark talks to ONE local moto server (``stsboto.local.LocalServer``,
127.0.0.1, a free port), started here and always stopped; set
``STSBOTO_MOTO_SERVER`` (or ``--server``) to use a ``moto_server`` from another
environment.  The sides of each comparison run interleaved (A B A B ..., the
starting side rotating) so that drift of the machine or of the server hits
them alike.  Ratios are computed per round (one A sample over the B sample
next to it) and reported as the median with the interquartile range and,
from 6 rounds on, a 95% confidence interval of the median.

1. ``overhead``: ``connect_with_token`` + ``get_bucket`` + one 1 KiB PUT, against
   the boto 2 code a user writes by hand for the same thing; SigV4 against
   SigV4 (the like-for-like figure) and SigV2 lines, an A/A control, and the
   client's own CPU time.
2. ``requests``: requests on the wire for the user story (issue a token,
   connect, get_bucket, one PUT, one GET), from moto's recorder.
3. ``import``: ``import stsboto`` against ``import boto.s3.connection,
   boto.sts``, each in a fresh interpreter, timed inside the child.
4. ``throughput``: runs ``transfers.py`` (uploads, single PUTs, downloads and
   1 KiB requests against a minimal loopback S3 sink and against moto;
   stsboto against boto3 with the same configuration and with its defaults,
   and the plain-socket ceiling), each transfer in a fresh child process.

Each benchmark also reports the CPU that other processes used meanwhile
(``LoadMeter``); figures taken beside other work are marked suspect.

The code is Python 2 compatible like the rest of stsboto, but the runner needs
Python 3 for moto and boto3; ``--python`` adds interpreters (2.7 too) to the
import benchmark.  benchmarks/README.rst says more; docs/BENCHMARKS.rst has the
figures of the last run.
"""
from __future__ import absolute_import, division, print_function

import argparse
import gc
import json
import os
import platform
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import stsboto  # noqa: E402
from stsboto.local import LocalServer, find_server_command  # noqa: E402

import boto  # noqa: E402  (stsboto made it importable)
from boto.s3.connection import OrdinaryCallingFormat, S3Connection  # noqa: E402

clock = getattr(time, 'perf_counter', time.time)

BUCKET = 'stsboto-bench'
ADMIN_KEY = 'AKIABENCHADMIN000001'
ADMIN_SECRET = 'bench-admin-secret/not+checked+by+moto'
MiB = 1024 * 1024
NAMES = ('overhead', 'requests', 'import', 'throughput')
#: Other processes using more CPU than this (in cores) make a run suspect.
QUIET_CORES = 0.15


# ---------------------------------------------------------------------------
# Statistics (no numpy, no statistics module: Python 2 has neither)


def quantile(values, q):
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float('nan')
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median_ci(ordered, alpha=0.05):
    """A distribution-free (1 - alpha) confidence interval of the median of
    sorted ``ordered``: the order statistics given by the binomial(n, 1/2)
    distribution; None below 6 values, where none exists at 95%."""
    n = len(ordered)
    pmf = 0.5 ** n
    cdf = 0.0
    k = -1
    for i in range(n):                      # largest k with P(X <= k) <= alpha / 2
        cdf += pmf
        if cdf > alpha / 2:
            break
        k = i
        pmf = pmf * (n - i) / (i + 1)
    if k < 0:
        return None
    return ordered[k], ordered[n - k - 1]


def summary(values):
    """``{'median', 'q1', 'q3', 'min', 'max', 'n', 'ci'}`` of ``values``
    (``ci``: 95% confidence interval of the median, see :func:`median_ci`)."""
    ordered = sorted(values)
    return {'median': quantile(ordered, 0.5), 'q1': quantile(ordered, 0.25),
            'q3': quantile(ordered, 0.75), 'min': ordered[0], 'max': ordered[-1],
            'n': len(ordered), 'ci': median_ci(ordered)}


def interleaved(sides, rounds, run):
    """Run ``run(side)`` for every side, ``rounds`` times, rotating who goes first.

    Returns ``{side: [sample, ...]}`` with the samples of round ``i`` at index ``i``.
    """
    samples = dict((side, []) for side in sides)
    count = len(sides)
    for number in range(rounds):
        shift = number % count
        for side in sides[shift:] + sides[:shift]:
            samples[side].append(run(side))
    return samples


def paired_ratios(samples, top, bottom):
    return [a / b for a, b in zip(samples[top], samples[bottom])]


class Report(object):
    """Collects rows for the final table and the raw samples for ``--json``."""

    def __init__(self):
        self.rows = []
        self.raw = {}

    def row(self, benchmark, what, stats=None, value=None, unit='', target=None, passed=None,
            note=''):
        self.rows.append({'benchmark': benchmark, 'what': what, 'stats': stats, 'value': value,
                          'unit': unit, 'target': target, 'passed': passed, 'note': note})
        print('  %s' % format_row(self.rows[-1]))
        sys.stdout.flush()


def format_number(value, unit):
    if unit == 'ratio':
        return '%.3f' % value
    if unit == 'us':
        return '%.0f' % value
    if unit == 'cores':
        return '%.2f' % value
    if unit in ('ms', 'MiB', 'MiB/s'):
        return '%.1f' % value if value >= 10 else '%.2f' % value
    if unit == 'requests':
        return '%d' % value
    return '%.4g' % value


def format_row(row):
    stats, unit = row['stats'], row['unit']
    if stats is not None:
        text = '%s %s (IQR %s-%s%s, n=%d)' % (
            format_number(stats['median'], unit), unit, format_number(stats['q1'], unit),
            format_number(stats['q3'], unit),
            '; 95%% CI of median %s-%s' % (format_number(stats['ci'][0], unit),
                                           format_number(stats['ci'][1], unit))
            if stats.get('ci') and unit == 'ratio' else '', stats['n'])
    elif row['value'] is not None:
        text = '%s %s' % (format_number(row['value'], unit), unit)
    else:
        text = '-'
    line = '%-52s %s' % (row['what'], text)
    if row['target']:
        line += '  [target %s: %s]' % (row['target'], 'met' if row['passed'] else 'MISSED')
    if row['note']:
        line += '  (%s)' % row['note']
    return line


# ---------------------------------------------------------------------------
# The server and the token


class Bench(object):
    """The shared state: one server, one bucket, one token."""

    def __init__(self, server):
        self.server = server
        self.endpoint_url = server.endpoint_url
        self.port = server.port
        self.admin = S3Connection(ADMIN_KEY, ADMIN_SECRET, host='127.0.0.1', port=server.port,
                                  is_secure=False, calling_format=OrdinaryCallingFormat())
        self.admin.create_bucket(BUCKET)
        self.token = self.issue()

    def issue(self):
        return stsboto.issue_token(bucket=BUCKET, name='bench-client', duration=3600,
                                   endpoint_url=self.endpoint_url, aws_access_key_id=ADMIN_KEY,
                                   aws_secret_access_key=ADMIN_SECRET)


def start_server(executable):
    server = LocalServer(executable=executable)
    server.start()
    return server


# ---------------------------------------------------------------------------
# 1. overhead


def _boto_sigv4_host_fix(host, http_request):
    # boto 2.49's S3HmacAuthV4Handler.host_header appends the port to a host
    # that already carries it ("127.0.0.1:PORT:PORT"); moto then cannot find
    # the bucket (404).  On AWS (port 443) the bug does not show, so a user
    # talking to a local server has to patch this one method; it costs nothing.
    return http_request.host


def overhead_sides(bench):
    """The four ways to connect and PUT 1 KiB: [(name, function(key_name, data))]."""
    token = bench.token
    url, port = bench.endpoint_url, bench.port

    def stsboto_v4(name, data):
        conn = stsboto.connect_with_token(token, endpoint_url=url)
        conn.get_bucket(BUCKET).new_key(name).set_contents_from_string(data)

    def stsboto_v2(name, data):
        conn = stsboto.connect_with_token(token, endpoint_url=url, sigv4=False)
        conn.get_bucket(BUCKET).new_key(name).set_contents_from_string(data)

    def boto_v2(name, data):
        # What the README's boto 2 reader writes today.
        conn = S3Connection(token.access_key, token.secret_key,
                            security_token=token.session_token, host='127.0.0.1', port=port,
                            is_secure=False, calling_format=OrdinaryCallingFormat())
        bucket = conn.get_bucket(BUCKET, validate=False)
        bucket.new_key(name).set_contents_from_string(
            data, headers={'x-amz-security-token': token.session_token})

    def boto_v4(name, data):
        # The same with SigV4, as boto documents it (S3_USE_SIGV4 in the
        # environment), the signing region set (boto cannot guess it from
        # 127.0.0.1), and the host bug patched.  S3_USE_SIGV4 stays set for the
        # whole operation: boto reads it again when it sends a body
        # (Key.send_file decides there whether to hash the payload); removed
        # after connecting, boto signs the SHA-256 of an empty body, which real
        # S3 refuses (the 0.1 baseline did that).
        os.environ['S3_USE_SIGV4'] = 'True'
        try:
            conn = S3Connection(token.access_key, token.secret_key,
                                security_token=token.session_token, host='127.0.0.1', port=port,
                                is_secure=False, calling_format=OrdinaryCallingFormat())
            conn.auth_region_name = 'us-east-1'
            conn._auth_handler.host_header = _boto_sigv4_host_fix
            bucket = conn.get_bucket(BUCKET, validate=False)
            # The header in boto's own spelling: boto 2.49's SigV4 signer adds
            # 'X-Amz-Security-Token' itself, so a lower-case one would be sent twice.
            bucket.new_key(name).set_contents_from_string(
                data, headers={'X-Amz-Security-Token': token.session_token})
        finally:
            del os.environ['S3_USE_SIGV4']

    return [('stsboto-v4', stsboto_v4), ('boto-v4', boto_v4), ('stsboto-v2', stsboto_v2),
            ('boto-v2', boto_v2)]


def check_overhead_sides(bench, sides):
    """Each side's request must reach the server, signed as intended, and store the bytes."""
    bench.server.start_recording()
    for name, run in sides:
        run('check/%s' % name, name.encode('ascii'))
    bench.server.stop_recording()
    requests = bench.server.recorded_requests()
    seen = [(r.method, r.path, r.signature_version, r.header('Host'),
             (r.header('x-amz-security-token') or '').count(',')) for r in requests]
    expected = []
    for name, _ in sides:
        version = 'v4' if name.endswith('v4') else 'v2'
        expected.append(('PUT', '/%s/check/%s' % (BUCKET, name), version,
                         '127.0.0.1:%d' % bench.port, 0))
    if seen != expected:
        raise SystemExit('overhead: the sides did not send what they should:\n  %r\n  expected '
                         '%r' % (seen, expected))
    bucket = bench.admin.get_bucket(BUCKET, validate=False)
    for name, _ in sides:
        body = bucket.new_key('check/%s' % name).get_contents_as_string()
        if body != name.encode('ascii'):
            raise SystemExit('overhead: %s stored %r' % (name, body))


def bench_overhead(bench, report, quick):
    """Operations interleaved one by one (each side once per cycle, in a new
    random order every cycle, so that no side always follows another); per
    round, each side's median time per operation; ratios of those medians.

    The server's answer time varies from one request to the next (a long tail
    of a few ms): medians per round resist it, and the interleaving at the
    level of single operations puts both sides of a ratio under the same
    conditions.  'boto-v2 (again)' runs the same code as 'boto-v2': its ratio
    shows how finely this machine can resolve a difference (an A/A test).
    The client's own CPU time per operation (``time.process_time``; this
    process only, not the server) is measured too: it is what stsboto adds,
    without the server's noise.
    """
    rounds, per_round = (10, 6) if quick else (150, 20)
    sides = overhead_sides(bench)
    check_overhead_sides(bench, sides)
    sides.append(('boto-v2 (again)', dict(sides)['boto-v2']))
    data = os.urandom(1024)
    names = [name for name, _ in sides]
    functions = dict(sides)
    keys = dict((name, 'overhead/%s' % name.split()[0]) for name in names)  # overwritten
    cpu_clock = getattr(time, 'process_time', None)
    shuffle = random.Random(2026).shuffle      # the same orders in every run
    wall = dict((name, []) for name in names)
    cpu = dict((name, []) for name in names)
    warm_up = 2
    for number in range(warm_up + rounds):
        times = dict((name, []) for name in names)
        cpus = dict((name, []) for name in names)
        gc.collect()
        for index in range(per_round):
            order = list(names)
            shuffle(order)
            for name in order:
                function, key = functions[name], keys[name]
                cpu_start = cpu_clock() if cpu_clock else 0.0
                start = clock()
                function(key, data)
                times[name].append(clock() - start)
                cpus[name].append((cpu_clock() if cpu_clock else 0.0) - cpu_start)
        if number >= warm_up:
            for name in names:
                wall[name].append(quantile(times[name], 0.5))
                cpu[name].append(quantile(cpus[name], 0.5))
    report.raw['overhead'] = {'rounds': rounds, 'per_round': per_round,
                              'median_seconds_per_op': wall, 'median_cpu_seconds_per_op': cpu}
    print('  (%d rounds; per round %d operations per side, interleaved one by one in random '
          'orders; the figures are medians over rounds of per-round medians)'
          % (rounds, per_round))
    for name in names:
        report.row('overhead', '%s: wall ms per connect+get_bucket+PUT' % name,
                   summary([v * 1000 for v in wall[name]]), unit='ms')
    if cpu_clock:
        for name in names:
            report.row('overhead', '%s: client CPU ms per operation' % name,
                       summary([v * 1000 for v in cpu[name]]), unit='ms')
    pairs = (('stsboto-v4', 'boto-v4', 1.02), ('stsboto-v4', 'boto-v2', None),
             ('stsboto-v2', 'boto-v2', 1.02), ('boto-v2 (again)', 'boto-v2', None))
    for top, bottom, target in pairs:
        stats = summary(paired_ratios(wall, top, bottom))
        report.row('overhead', 'wall time ratio %s / %s' % (top, bottom), stats, unit='ratio',
                   target='<= %.2f' % target if target else None,
                   passed=stats['median'] <= target if target else None,
                   note='A/A: the noise floor' if top.startswith(bottom) else '')
    if cpu_clock:
        for top, bottom, _ in pairs[:3]:
            report.row('overhead', 'client CPU ratio %s / %s' % (top, bottom),
                       summary(paired_ratios(cpu, top, bottom)), unit='ratio')
            report.row('overhead', 'client CPU added by %s over %s, per op' % (top, bottom),
                       summary([(a - b) * 1e6 for a, b in zip(cpu[top], cpu[bottom])]), unit='us')


def profile_overhead(bench, count=300):
    """cProfile of each side's loop: where the time goes (printed, not in the table)."""
    import cProfile
    import pstats
    if sys.version_info[0] == 2:  # pstats writes native str
        from StringIO import StringIO
    else:
        from io import StringIO
    data = os.urandom(1024)
    for name, function in overhead_sides(bench):
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(count):
            function('overhead/profile', data)
        profiler.disable()
        out = StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats('tottime').print_stats(18)
        print('--- %s: %d operations, %.1f ms each (under the profiler)'
              % (name, count, 1000 * stats.total_tt / count))
        print(out.getvalue())


# ---------------------------------------------------------------------------
# 2. requests per operation


def check_body(body):
    if body != b'hello':
        raise SystemExit('requests: read back %r, not the bytes stored' % (body,))


def bench_requests(bench, report, quick):
    server = bench.server
    url, port = bench.endpoint_url, bench.port
    stories = []

    def stsboto_story():
        token = stsboto.issue_token(bucket=BUCKET, name='bench-story', endpoint_url=url,
                                    aws_access_key_id=ADMIN_KEY, aws_secret_access_key=ADMIN_SECRET)
        bucket = stsboto.connect_with_token(token.to_json(), endpoint_url=url).get_bucket(BUCKET)
        bucket.new_key('story/stsboto').set_contents_from_string(b'hello')
        check_body(bucket.new_key('story/stsboto').get_contents_as_string())
    stories.append(('stsboto', stsboto_story, 3))

    def boto_story(validate):
        def story():
            import boto.sts
            from boto.regioninfo import RegionInfo
            sts = boto.sts.STSConnection(ADMIN_KEY, ADMIN_SECRET, is_secure=False, port=port,
                                         region=RegionInfo(name='us-east-1', endpoint='127.0.0.1'))
            sts.auth_region_name = 'us-east-1'
            sts.auth_service_name = 'sts'
            creds = sts.get_federation_token('bench-story', duration=900, policy=json.dumps(
                stsboto.bucket_policy(BUCKET), separators=(',', ':'))).credentials
            conn = S3Connection(creds.access_key, creds.secret_key,
                                security_token=creds.session_token, host='127.0.0.1', port=port,
                                is_secure=False, calling_format=OrdinaryCallingFormat())
            if validate:
                bucket = conn.get_bucket(BUCKET)       # boto's default: validate=True
            else:
                bucket = conn.get_bucket(BUCKET, validate=False)
            headers = {'x-amz-security-token': creds.session_token}
            bucket.new_key('story/boto').set_contents_from_string(b'hello', headers=headers)
            check_body(bucket.new_key('story/boto').get_contents_as_string(headers=headers))
        return story
    stories.append(('hand-written boto, get_bucket(validate=False)', boto_story(False), None))
    stories.append(('boto with get_bucket() defaults', boto_story(True), None))

    for label, story, target in stories:
        server.start_recording()
        story()
        server.stop_recording()
        requests = server.recorded_requests()
        sts_count = sum(1 for r in requests if r.action)
        listing = ', '.join('%s %s' % (r.action or r.method, r.path) for r in requests)
        report.raw.setdefault('requests', {})[label] = listing
        report.row('requests', '%s: requests for the user story' % label, value=len(requests),
                   unit='requests', target='== %d' % target if target else None,
                   passed=len(requests) == target if target else None,
                   note='%d STS; %s' % (sts_count, listing))


# ---------------------------------------------------------------------------
# 3. import time

IMPORTS = (
    ('stsboto', 'import stsboto'),
    ('boto', 'import boto.s3.connection, boto.sts'),
)
_IMPORT_CHILD = (
    'import sys, time\n'
    'clock = getattr(time, "perf_counter", time.time)\n'
    'start = clock()\n'
    '%s\n'
    'sys.stdout.write("%%.9f\\n" %% (clock() - start))\n'
)


def child_env(extra=None):
    env = dict(os.environ)
    path = env.get('PYTHONPATH')
    env['PYTHONPATH'] = ROOT + (os.pathsep + path if path else '')
    for name in ('PYTHONDONTWRITEBYTECODE', 'PYTHONSTARTUP', 'PYTHONPROFILEIMPORTTIME'):
        env.pop(name, None)
    env.update(extra or {})
    return env


def run_child(command, env, stdin_data=None, timeout=120):
    """Run ``command``, return its standard output (text); fail on a non-zero
    status, and kill it after ``timeout`` seconds (Python 3)."""
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, cwd=ROOT)
    try:
        if sys.version_info[0] >= 3:
            out, err = process.communicate(stdin_data, timeout=timeout)
        else:  # Python 2 has no timeout here
            out, err = process.communicate(stdin_data)
    except BaseException:
        process.kill()
        process.communicate()
        raise
    if process.returncode != 0:
        raise RuntimeError('%s failed (%s): %s' % (' '.join(command[:3]), process.returncode,
                                                   err.decode('utf-8', 'replace')[-2000:]))
    return out.decode('utf-8')


def python_version(python):
    out = run_child([python, '-c', 'import platform; print(platform.python_version())'],
                    child_env())
    return out.strip()


def bench_import(bench, report, quick, pythons):
    runs = 8 if quick else 30
    env = child_env()
    names = [name for name, _ in IMPORTS]
    code = dict((name, _IMPORT_CHILD % statement) for name, statement in IMPORTS)
    results = {}
    for python in pythons:
        try:
            version = python_version(python)
            for name in names:                      # fills the bytecode caches
                run_child([python, '-c', code[name]], env)
        except (OSError, RuntimeError) as error:
            report.row('import', '%s: skipped' % python, note=str(error).splitlines()[-1][:200])
            continue

        def run(side):
            return float(run_child([python, '-c', code[side]], env))
        interleaved(names, 2, run)
        samples = interleaved(names, runs, run)
        results[python] = {'version': version, 'seconds': samples}
        label = 'Python %s' % version
        for name in names:
            report.row('import', '%s: import %s, ms' % (label, name),
                       summary([s * 1000 for s in samples[name]]), unit='ms')
        stats = summary(paired_ratios(samples, 'stsboto', 'boto'))
        report.row('import', '%s: import time ratio stsboto / boto' % label, stats, unit='ratio',
                   target='<= 1.10', passed=stats['median'] <= 1.10)
    report.raw['import'] = results


# ---------------------------------------------------------------------------
# 4. throughput


def bench_throughput(bench, report, quick, size_mib=None, rounds=None, server=None):
    """The transfer benchmarks live in transfers.py (a sink and moto, boto3 both ways,
    the socket ceiling); this runs them with the runner's Python as boto3's."""
    try:
        import boto3  # noqa: F401
    except ImportError:
        raise SystemExit('throughput: this Python has no boto3; run benchmarks/transfers.py '
                         '--boto3-python PATH instead')
    command = [sys.executable, os.path.join(HERE, 'transfers.py'), '--boto3-python', sys.executable]
    if quick:
        command.append('--quick')
    if size_mib:
        command += ['--size-mib', str(size_mib)]
    if rounds:
        command += ['--rounds', str(rounds)]
    if server:
        command += ['--server', server]
    subprocess.check_call(command, env=child_env(), cwd=ROOT)


# ---------------------------------------------------------------------------
# The machine


class LoadMeter(object):
    """CPU time the machine spent on processes other than this benchmark.

    Busy time from ``/proc/stat`` minus what this process, its finished
    children (the import and transfer children) and the server used.  Other
    work on a 2-core machine slows the server and the client unevenly, so the
    figures of a benchmark that ran beside it are suspect.  Linux only;
    elsewhere it measures nothing.
    """

    def __init__(self, server):
        self.server = server
        try:
            self.tick = float(os.sysconf('SC_CLK_TCK'))
        except (AttributeError, ValueError, OSError):
            self.tick = 100.0

    def snapshot(self):
        try:
            with open('/proc/stat') as handle:
                values = [int(v) for v in handle.readline().split()[1:]]
            busy = sum(values[:8]) - values[3] - values[4]      # all but idle and iowait
        except (IOError, OSError, ValueError, IndexError):
            return None
        ours = sum(os.times()[:4])
        process = getattr(self.server, 'process', None)
        if process is not None:
            try:
                with open('/proc/%d/stat' % process.pid) as handle:
                    fields = handle.read().rsplit(')', 1)[1].split()
                ours += sum(int(v) for v in fields[11:15]) / self.tick
            except (IOError, OSError, ValueError, IndexError):
                pass
        return clock(), busy / self.tick, ours

    def foreign(self, start, end):
        """Cores used by other processes between two snapshots, or None."""
        if start is None or end is None or end[0] <= start[0]:
            return None
        return max(0.0, ((end[1] - start[1]) - (end[2] - start[2])) / (end[0] - start[0]))

    def wait_until_quiet(self, limit, timeout, window=3.0):
        """Wait (at most ``timeout`` seconds) until other processes use less than
        ``limit`` cores over ``window`` seconds; return the last figure."""
        deadline = clock() + timeout
        while True:
            start = self.snapshot()
            time.sleep(window)
            load = self.foreign(start, self.snapshot())
            if load is None or load < limit or clock() >= deadline:
                return load
            print('  (other processes use %.2f cores; waiting for a quieter machine, %.0f s '
                  'left)' % (load, max(0, deadline - clock())))
            sys.stdout.flush()


def machine(server_command):
    info = {'date': time.strftime('%Y-%m-%d'), 'nproc': _cpu_count(),
            'cpu': _cpu_model(), 'os': platform.platform(),
            'python': platform.python_version(), 'boto': boto.__version__,
            'stsboto': stsboto.__version__}
    for name in ('boto3', 'botocore', 's3transfer', 'six'):
        try:
            info[name] = __import__(name).__version__
        except ImportError:
            info[name] = 'not installed'
    info['moto'] = _moto_version(server_command)
    return info


def _cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        import multiprocessing
        return multiprocessing.cpu_count()


def _cpu_model():
    try:
        with open('/proc/cpuinfo') as handle:
            for line in handle:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except IOError:
        pass
    return platform.processor() or 'unknown'


def _moto_version(command):
    """moto's version, asked from the Python that runs the server."""
    python = None
    if command and len(command) >= 3 and command[1:3] == ['-m', 'moto.server']:
        python = command[0]
    elif command:
        try:
            with open(command[0], 'rb') as handle:
                first = handle.readline(1024)
            if first.startswith(b'#!'):
                python = first[2:].strip().split()[0].decode('utf-8')
        except (IOError, OSError, IndexError):
            pass
    if not python:
        return 'unknown'
    try:
        return run_child([python, '-c', 'import moto; print(moto.__version__)'],
                         child_env()).strip()
    except (OSError, RuntimeError):
        return 'unknown'


# ---------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--quick', action='store_true', help='fewer rounds, a 32 MiB transfer')
    parser.add_argument('--only', action='append', choices=NAMES, metavar='NAME',
                        help='run only this benchmark (%s); repeatable' % ', '.join(NAMES))
    parser.add_argument('--python', action='append', default=[], metavar='PATH',
                        help='another interpreter for the import benchmark (needs boto and six)')
    parser.add_argument('--size-mib', type=int, help='throughput object size (default 256)')
    parser.add_argument('--rounds', type=int, help='throughput rounds (default 5)')
    parser.add_argument('--server', help='the moto_server to run (default: STSBOTO_MOTO_SERVER, '
                                         'then the one beside this Python, then PATH)')
    parser.add_argument('--profile', action='store_true',
                        help='also print a cProfile of each overhead side')
    parser.add_argument('--json', metavar='PATH', help='write the table and raw samples here')
    parser.add_argument('--wait-quiet', type=float, default=0, metavar='SECONDS',
                        help='before each benchmark, wait up to this long for other processes '
                             'to use less than %.2f cores' % QUIET_CORES)
    args = parser.parse_args(argv)
    selected = args.only or list(NAMES)
    if args.size_mib is not None and not 5 <= args.size_mib <= 4096:
        parser.error('--size-mib must be between 5 and 4096')
    if args.rounds is not None and not 1 <= args.rounds <= 50:
        parser.error('--rounds must be between 1 and 50')

    command = find_server_command(args.server)
    info = machine(command)
    print('stsboto %(stsboto)s benchmarks, %(date)s: %(nproc)s CPUs (%(cpu)s), Python '
          '%(python)s, boto %(boto)s, boto3 %(boto3)s, moto %(moto)s' % info)
    report = Report()
    started = clock()
    server = start_server(args.server)
    try:
        bench = Bench(server)
        meter = LoadMeter(server)
        for name in NAMES:
            if name not in selected:
                continue
            print('\n%s' % name)
            sys.stdout.flush()
            if args.wait_quiet:
                meter.wait_until_quiet(QUIET_CORES, args.wait_quiet)
            before = meter.snapshot()
            if name == 'overhead':
                bench_overhead(bench, report, args.quick)
                if args.profile:
                    profile_overhead(bench)
            elif name == 'requests':
                bench_requests(bench, report, args.quick)
            elif name == 'import':
                bench_import(bench, report, args.quick, [sys.executable] + args.python)
            elif name == 'throughput':
                bench_throughput(bench, report, args.quick, args.size_mib, args.rounds,
                                 args.server)
            load = meter.foreign(before, meter.snapshot())
            if load is not None:
                report.row(name, 'other processes during %s, cores' % name, value=load,
                           unit='cores', target='< %.2f' % QUIET_CORES,
                           passed=load < QUIET_CORES,
                           note='' if load < QUIET_CORES else 'the figures above are suspect')
    finally:
        server.stop()
    elapsed = clock() - started
    missed = [row for row in report.rows if row['passed'] is False]
    print('\n%d figures in %.0f s; %s' % (
        len(report.rows), elapsed,
        'every target met' if not missed else 'targets MISSED: %s' % '; '.join(
            row['what'] for row in missed)))
    if args.json:
        with open(args.json, 'w') as handle:
            json.dump({'machine': info, 'quick': args.quick, 'seconds': elapsed,
                       'rows': report.rows, 'raw': report.raw}, handle, indent=1, sort_keys=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
