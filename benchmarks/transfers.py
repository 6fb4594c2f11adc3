"""Transfer benchmarks (issue 14): stsboto against boto3 and a plain socket, on a sink and on moto.

Usage (from the repository root)::

    python benchmarks/transfers.py --boto3-python /tmp/venv/bin/python          # about 12 minutes
    python benchmarks/transfers.py --quick --boto3-python /tmp/venv/bin/python  # under 5 minutes
    python benchmarks/transfers.py --python27 ~/.pyenv/versions/2.7.18/bin/python --json out.json

Servers: ``sink`` (benchmarks/sink.py: canned answers, bodies discarded, so
it measures the clients), ``sink-tls`` (the same over HTTPS, with a
certificate made at run time by ``trustme``, which must be installed beside
stsboto) and ``moto`` (a real S3 emulator).  Operations: a multipart upload,
one single PUT, downloads of an object with a plain-MD5 ETag, of one with a
multipart ETag and (sinks only) of a single-PUT object with a stored
CRC64NVME (checked when awscrt is installed), and 1 KiB upload + download
pairs.  Sides: stsboto on the runner's Python (3.x),
stsboto on Python 2.7 (``--python27``), boto3 with stsboto's configuration
(4 workers x 8 MiB parts, 8 MiB threshold), boto3 with its defaults (10
threads), and the plain-socket ceiling (one request, 8 MiB ``sendall`` /
``recv_into``).  Every sample is one transfer in a fresh child process
(transfer_child.py); the sides of an operation run interleaved, the first
one rotating, for ``--rounds`` rounds (9 by default, 3 with ``--quick``).
Reported per side: wall time as MiB/s (min / median / max), client CPU
seconds per GiB, peak RSS above the child's baseline; per pair, the ratio of
the median times (theirs / ours, > 1 means stsboto is faster) with the range
of per-round ratios.  The CPU that other processes used during each
operation is reported too (``LoadMeter``): a busy machine makes figures
suspect.

boto3 is never a dependency of stsboto: pass ``--boto3-python``, an
interpreter of a throw-away virtualenv that has boto3.
"""
from __future__ import absolute_import, division, print_function

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.run import (LoadMeter, child_env, quantile, run_child,  # noqa: E402
                            start_server)

import stsboto  # noqa: E402

MiB = 1024 * 1024
BUCKET = 'bench'
SAME = {'workers': 4, 'part_size': 8 * MiB, 'threshold': 8 * MiB}
ADMIN = ('AKIABENCHADMIN000001', 'bench-admin-secret/not+checked+by+moto')


class SinkServer(object):
    """benchmarks/sink.py in a child process (``process`` is read by LoadMeter).

    ``tls=True``: HTTPS with a certificate for 127.0.0.1 issued at run time by
    a throw-away CA (``trustme``, installed in the benchmark's environment);
    ``ca_path`` is that CA's PEM file, which the clients trust: stsboto through
    ``AWS_CA_BUNDLE`` (as botocore), the socket ceiling through ``SSL_CERT_FILE``
    (OpenSSL's default verify paths), boto3 through ``verify=``.
    """

    def __init__(self, size_mib, folder, tls=False):
        command = [sys.executable, os.path.join(HERE, 'sink.py'), '--size-mib', str(size_mib)]
        self.ca_path = None
        if tls:
            import trustme
            ca = trustme.CA()
            issued = ca.issue_cert('127.0.0.1', 'localhost')
            self.ca_path = os.path.join(folder, 'ca.pem')
            cert, key = os.path.join(folder, 'cert.pem'), os.path.join(folder, 'key.pem')
            ca.cert_pem.write_to_path(self.ca_path)
            issued.private_key_pem.write_to_path(key)
            with open(cert, 'wb') as handle:
                for blob in issued.cert_chain_pems:
                    handle.write(blob.bytes())
            command += ['--tls', cert, key]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE)
        port = int(self.process.stdout.readline().decode('ascii').strip())
        self.endpoint_url = '%s://127.0.0.1:%d' % ('https' if tls else 'http', port)

    def stop(self):
        self.process.kill()
        self.process.wait()


def make_file(path, size):
    block = os.urandom(MiB)
    with open(path, 'wb') as handle:
        for offset in range(0, size, MiB):
            handle.write(block[:min(MiB, size - offset)])


class Runner(object):
    def __init__(self, args, server, token, folder, keys):
        self.args = args
        self.server = server
        self.token = token
        self.folder = folder
        self.keys = keys                  # direction -> key of the object to download
        ca_path = getattr(server, 'ca_path', None)
        # stsboto trusts AWS_CA_BUNDLE (botocore's variable), the socket ceiling OpenSSL's default
        self.env = child_env({'SSL_CERT_FILE': ca_path, 'AWS_CA_BUNDLE': ca_path} if ca_path else None)
        self.meter = LoadMeter(server)

    def pythons(self, tool):
        if tool == 'boto3':
            return self.args.boto3_python
        return sys.executable

    def sample(self, side, op, round_number):
        tool, python, config = side['tool'], side['python'], side['config']
        order = {'tool': tool, 'endpoint_url': self.server.endpoint_url, 'bucket': BUCKET,
                 'token': self.token.to_json()}
        if config is not None:
            order['config'] = config
        if getattr(self.server, 'ca_path', None):
            order['ca_bundle'] = self.server.ca_path
        if op['name'] in ('upload', 'put'):
            order.update(direction='upload', path=op['path'],
                         key='up/%s-%s-%d' % (op['name'], side['name'], round_number))
        elif op['name'].startswith('download'):
            order.update(direction='download', key=self.keys[op['name']],
                         path=os.path.join(self.folder, 'down-%s.bin' % side['name']))
        else:
            order.update(direction='small', key='small/%s-%d' % (side['name'], round_number),
                         count=op['count'])
        if op['name'] == 'put' and config is not None:
            order['config'] = dict(config, threshold=op['size'] + 1)
        out = run_child([python, os.path.join(HERE, 'transfer_child.py')], self.env,
                        json.dumps(order).encode('utf-8'), timeout=900)
        result = json.loads(out.strip().splitlines()[-1])
        if order.get('path', '').startswith(os.path.join(self.folder, 'down-')):
            os.remove(order['path'])
        if result['bytes'] != op['size']:
            raise SystemExit('%s %s moved %d bytes, not %d' % (side['name'], op['name'],
                                                               result['bytes'], op['size']))
        return result


def sides_for(args, server, op):
    sides = [{'name': 'stsboto', 'tool': 'stsboto', 'python': sys.executable, 'config': SAME}]
    if args.python27:
        sides.append({'name': 'stsboto-py27', 'tool': 'stsboto', 'python': args.python27,
                      'config': SAME})
    sides.append({'name': 'boto3-same', 'tool': 'boto3', 'python': args.boto3_python,
                  'config': SAME})
    if op['name'] != 'put':               # boto3's defaults would not do one PUT of it
        sides.append({'name': 'boto3-defaults', 'tool': 'boto3', 'python': args.boto3_python,
                      'config': None})
    if op['name'] in ('upload', 'download-plain') and server.startswith('sink'):
        sides.append({'name': 'socket', 'tool': 'socket', 'python': sys.executable,
                      'config': None})
    return sides


def stats(values):
    ordered = sorted(values)
    return {'min': ordered[0], 'median': quantile(ordered, 0.5), 'max': ordered[-1],
            'n': len(ordered)}


def bench_server(args, name, report):
    size = (args.size_mib or (64 if args.quick else 256)) * MiB
    if name == 'moto':
        size = min(size, (64 if args.quick else 128) * MiB)   # moto serves about 60 MiB/s
    put_size = min(64 * MiB, size)
    rounds = args.rounds or (3 if args.quick else 9)
    folder = tempfile.mkdtemp(prefix='stsboto-bench-')
    big = os.path.join(folder, 'big.bin')
    make_file(big, size)
    single = os.path.join(folder, 'single.bin')
    make_file(single, put_size)
    keys = {'download-plain': 'plain', 'download-multipart': 'multipart'}
    if name.startswith('sink'):
        server = SinkServer(size // MiB, folder, tls=name == 'sink-tls')
        token = stsboto.Token('ASIABENCHSINK0000001', 'sink-secret/not+checked+at+all0000000',
                              'FwoGZXIvYXdzSinkTokenNotChecked', expiration='2099-01-01T00:00:00Z')
        keys['download-crc64'] = 'crc64'  # a single-PUT object with S3's default CRC64NVME
    else:
        server = start_server(args.server)
        from boto.s3.connection import OrdinaryCallingFormat, S3Connection
        admin = S3Connection(ADMIN[0], ADMIN[1], host='127.0.0.1', port=server.port,
                             is_secure=False, calling_format=OrdinaryCallingFormat())
        bucket = admin.create_bucket(BUCKET)
        from stsboto import transfer
        # Objects without a stored checksum: the plain one has an MD5 ETag.
        transfer.upload(bucket, 'plain', big, checksum='md5', threshold=size + 1)
        transfer.upload(bucket, 'multipart', big, checksum='md5')
        transfer.upload(bucket, 'small', io.BytesIO(b'x' * 1024))
        token = stsboto.issue_token(bucket=BUCKET, name='bench', duration=3600,
                                    endpoint_url=server.endpoint_url,
                                    aws_access_key_id=ADMIN[0], aws_secret_access_key=ADMIN[1])
    runner = Runner(args, server, token, folder, keys)
    ops = [{'name': 'upload', 'path': big, 'size': size},
           {'name': 'put', 'path': single, 'size': put_size},
           {'name': 'download-plain', 'size': size},
           {'name': 'download-multipart', 'size': size},
           {'name': 'download-crc64', 'size': size},
           {'name': 'small', 'size': 1024 * (20 if args.quick else 100),
            'count': 20 if args.quick else 100}]
    ops = [op for op in ops if not op['name'].startswith('download') or op['name'] in keys]
    if args.ops:
        ops = [op for op in ops if op['name'] in args.ops.split(',')]
    try:
        for op in ops:
            sides = sides_for(args, name, op)
            samples = dict((s['name'], []) for s in sides)
            start = runner.meter.snapshot()
            for number in range(rounds):
                shift = number % len(sides)
                for side in sides[shift:] + sides[:shift]:
                    samples[side['name']].append(runner.sample(side, op, number))
            load = runner.meter.foreign(start, runner.meter.snapshot())
            report_op(report, name, op, sides, samples, load)
    finally:
        server.stop()
        for path in os.listdir(folder):
            os.remove(os.path.join(folder, path))
        os.rmdir(folder)


def report_op(report, server, op, sides, samples, load):
    size = op['size']
    print('\n%s / %s (%.0f MiB%s, n=%d, other processes: %s cores)' % (
        server, op['name'], size / MiB, ', %d x 1 KiB up + down' % op['count']
        if 'count' in op else '', len(samples[sides[0]['name']]),
        '%.2f' % load if load is not None else '?'))
    rows = {}
    for side in sides:
        runs = samples[side['name']]
        if op['name'] == 'small':
            speed = stats([r['seconds'] / (2 * op['count']) * 1e6 for r in runs])
            unit = 'us/request'
        else:
            speed = stats([size / MiB / r['seconds'] for r in runs])
            unit = 'MiB/s'
        if op['name'] == 'small':
            cpu = stats([r['cpu'] / (2 * op['count']) * 1e6 for r in runs])   # us/request
        else:
            cpu = stats([r['cpu'] / (size / 1024.0 / MiB) for r in runs])   # s/GiB
        peak = stats([r['peak_mib'] for r in runs])
        rows[side['name']] = {'speed': speed, 'unit': unit, 'cpu_per_gib': cpu, 'peak_mib': peak,
                              'bound': runs[0]['bound']}
        cpu_unit = 'us/request' if op['name'] == 'small' else 's/GiB'
        print('  %-15s %8.1f %s (min %.1f, max %.1f)  cpu %.2f %s  peak RSS %.1f MiB (max %.1f)'
              % (side['name'], speed['median'], unit, speed['min'], speed['max'],
                 cpu['median'], cpu_unit, peak['median'], peak['max']))
    for ours in ('stsboto', 'stsboto-py27'):
        if ours not in samples:
            continue
        for theirs in ('boto3-same', 'boto3-defaults', 'socket'):
            if theirs not in samples:
                continue
            pairs = zip(samples[ours], samples[theirs])
            per_round = [b['seconds'] / a['seconds'] for a, b in pairs]
            theirs_median = stats([t['seconds'] for t in samples[theirs]])['median']
            ratio = theirs_median / stats([a['seconds'] for a in samples[ours]])['median']
            rows['%s/%s' % (ours, theirs)] = {'ratio': ratio, 'per_round': stats(per_round)}
            what = 'of the ceiling' if theirs == 'socket' else 'x %s' % theirs
            print('  %s: %.2f %s (per round %.2f-%.2f)' % (
                ours, ratio, what, min(per_round), max(per_round)))
    report.setdefault(server, {})[op['name']] = {'load_cores': load, 'rows': rows,
                                                 'raw': samples, 'size': size}


def rst_tables(report):
    """The figures of a run as reStructuredText tables (docs/BENCHMARKS.rst)."""
    lines = []
    for server in ('sink', 'sink-tls', 'moto'):
        if server not in report:
            continue
        head = ('Operation', 'Side', 'Speed, median (min-max)', 'Client CPU', 'Peak RSS MiB (max)')
        rows = []
        ratios = []
        for op, figures in report[server].items():
            size = figures['size']
            what = '%s %d MiB' % (op, size // MiB) if op != 'small' else '1 KiB up+down'
            for name, row in figures['rows'].items():
                if '/' in name:
                    ours, theirs = name.split('/')
                    ratios.append((what, '%s / %s' % (theirs, ours) if theirs != 'socket'
                                   else '%s of the socket ceiling' % ours,
                                   '%.2f' % row['ratio'], '%.2f-%.2f' % (
                                       row['per_round']['min'], row['per_round']['max']),
                                   '%.2f' % (figures['load_cores'] or 0)))
                    continue
                speed = row['speed']
                rows.append((what, name, '%.1f %s (%.1f-%.1f)' % (
                    speed['median'], 'MiB/s' if row['unit'] == 'MiB/s' else 'us/req',
                    speed['min'], speed['max']),
                    '%.2f %s' % (row['cpu_per_gib']['median'],
                                 's/GiB' if row['unit'] == 'MiB/s' else 'us/req'),
                    '%.1f (%.1f)' % (row['peak_mib']['median'], row['peak_mib']['max'])))
        lines += ['', '%s: each side' % server, '', ] + _table(head, rows)
        head = ('Operation', 'Ratio (time of the other / time of ours)', 'Median', 'Per round',
                'Other load (cores)')
        lines += ['', '%s: ratios (> 1: stsboto faster; ceiling: share of it reached)' % server,
                  ''] + _table(head, ratios)
    return '\n'.join(lines) + '\n'


def _table(head, rows):
    widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    rule = '  '.join('=' * w for w in widths)
    out = [rule, '  '.join(str(h).ljust(w) for h, w in zip(head, widths)), rule]
    out += ['  '.join(str(c).ljust(w) for c, w in zip(r, widths)) for r in rows]
    return out + [rule]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true', help='3 rounds, 64 MiB: under 5 minutes')
    parser.add_argument('--rounds', type=int)
    parser.add_argument('--size-mib', type=int)
    parser.add_argument('--servers', default='sink,sink-tls,moto',
                        help='of sink, sink-tls (the sink over HTTPS), moto')
    parser.add_argument('--ops', help='only these operations (upload, put, download-plain, '
                                      'download-multipart, download-crc64, small)')
    parser.add_argument('--boto3-python',
                        help='a Python that has boto3 (a throw-away virtualenv)')
    parser.add_argument('--python27', help='a Python 2.7 with boto and six, for stsboto on 2.7')
    parser.add_argument('--server', help='the moto_server executable (or STSBOTO_MOTO_SERVER)')
    parser.add_argument('--json', help='write every sample here')
    parser.add_argument('--rst', help='print the tables of this --json file and stop')
    args = parser.parse_args(argv)
    if args.rst:
        with open(args.rst) as handle:
            print(rst_tables(json.load(handle)))
        return 0
    report = {'machine': {'nproc': os.cpu_count() if hasattr(os, 'cpu_count') else None,
                          'loadavg_start': os.getloadavg(),
                          'date': time.strftime('%Y-%m-%d %H:%M')}}
    if not args.boto3_python:
        parser.error('--boto3-python is required (a Python with boto3)')
    started = time.time()
    for name in args.servers.split(','):
        bench_server(args, name, report)
    report['machine']['loadavg_end'] = os.getloadavg()
    report['machine']['seconds'] = time.time() - started
    print('\ntotal %.0f s; load average %s -> %s' % (
        report['machine']['seconds'], report['machine']['loadavg_start'],
        report['machine']['loadavg_end']))
    if args.json:
        with open(args.json, 'w') as handle:
            json.dump(report, handle, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
