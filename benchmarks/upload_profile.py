"""Where the time of an HTTP upload goes: stsboto signed, stsboto unsigned, the socket ceiling.

Usage (from the repository root, Python 3)::

    python benchmarks/upload_profile.py --size-mib 256 --rounds 9

Over plain HTTP a SigV4 upload signs the SHA-256 of every byte, as botocore
does (``payload_signing_enabled`` None: signed over HTTP only); the socket
ceiling (``transfer_child.py``'s ``socket``) hashes nothing.  This runs the
three interleaved, in fresh processes, against ``benchmarks/sink.py`` with the
same 4 workers and 8 MiB parts, and prints per side the median speed, the
client's CPU per GiB and the sink's, then each stsboto side's share of the
ceiling (median of the per-round ratios, min-max).  The difference between the
signed and unsigned client CPU is the SHA-256 alone (issue 23's upload target).
"""
from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.run import LoadMeter, child_env, run_child  # noqa: E402
from benchmarks.transfers import MiB, SinkServer, make_file  # noqa: E402
from tests.factories import make_token  # noqa: E402

SIDES = (('signed', 'stsboto', {}),
         ('unsigned', 'stsboto', {'payload_signing_enabled': False}),
         ('socket', 'socket', {}))


def process_cpu(pid):
    """User + system seconds of process ``pid`` so far (Linux ``/proc``)."""
    with open('/proc/%d/stat' % pid) as handle:
        fields = handle.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf('SC_CLK_TCK'))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size-mib', type=int, default=256)
    parser.add_argument('--rounds', type=int, default=9)
    args = parser.parse_args(argv)
    folder = tempfile.mkdtemp(prefix='stsboto-upload-profile-')
    path = os.path.join(folder, 'upload.bin')
    make_file(path, args.size_mib * MiB)
    server = SinkServer(args.size_mib, folder)
    meter = LoadMeter(server)
    token = make_token(1)
    env = child_env()
    gib = args.size_mib / 1024.0
    samples = dict((name, []) for name, _, _ in SIDES)
    try:
        for number in range(args.rounds):
            for name, tool, config in SIDES:
                order = {'tool': tool, 'direction': 'upload', 'path': path, 'bucket': 'bench',
                         'key': 'profile/%s-%d' % (name, number), 'token': token.to_json(),
                         'endpoint_url': server.endpoint_url,
                         'config': dict(config, workers=4, part_size=8 * MiB, threshold=8 * MiB)}
                sink_before = process_cpu(server.process.pid)
                start = meter.snapshot()
                out = run_child([sys.executable, os.path.join(HERE, 'transfer_child.py')], env,
                                json.dumps(order).encode('utf-8'))
                other = meter.foreign(start, meter.snapshot()) or 0.0
                result = json.loads(out.strip().splitlines()[-1])
                samples[name].append({'speed': args.size_mib / result['seconds'],
                                      'cpu': result['cpu'] / gib,
                                      'sink': (process_cpu(server.process.pid) - sink_before) / gib,
                                      'other': other})
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    for name, _, _ in SIDES:
        rows = samples[name]
        speeds = [row['speed'] for row in rows]
        print('%-9s %7.0f MiB/s (%.0f-%.0f)  client cpu %.2f s/GiB  sink cpu %.2f s/GiB  '
              'other processes %.2f cores'
              % (name, statistics.median(speeds), min(speeds), max(speeds),
                 statistics.median(row['cpu'] for row in rows),
                 statistics.median(row['sink'] for row in rows),
                 statistics.median(row['other'] for row in rows)))
    for name in ('signed', 'unsigned'):
        ratios = [ours['speed'] / ceiling['speed']
                  for ours, ceiling in zip(samples[name], samples['socket'])]
        print('%-9s of the socket ceiling: %.2f (%.2f-%.2f)'
              % (name, statistics.median(ratios), min(ratios), max(ratios)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
