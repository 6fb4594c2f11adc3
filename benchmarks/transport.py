"""The small-request path through the transport (issue 17): no more than before.

Usage::

    git -C /path/to/repo worktree add /tmp/bench-main main     # the code to compare with
    python benchmarks/transport.py --baseline /tmp/bench-main [--rounds 9] [--requests 400]

Each round runs one child Python per side (this checkout, then the baseline,
alternating which goes first), each making ``--requests`` small requests (a
HEAD and a GET of the 1 KiB ``small`` object of ``benchmarks/sink.py``,
which answers at once; the sink's ETags are not MD5s, so no PUT) on one
``connect_with_token`` connection after a warm-up.
A child reports its CPU time per request (what the client costs, free of the
server's noise) and the wall time.  Printed: min / median / max per side over
the rounds, and the median of the per-round ratios, which must be within 5%.
"""
from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CHILD = r'''
import json, sys, time
import stsboto
token = {'AccessKeyId': 'AKIABENCH00000000001', 'SecretAccessKey': 'bench-secret/0123456789',
         'SessionToken': 'bench-session-token-0123456789'}
conn = stsboto.connect_with_token(token, endpoint_url='http://127.0.0.1:%d' % int(sys.argv[1]))
bucket = conn.get_bucket('bench')
get = bucket.new_key('small')
def once():
    bucket.get_key('small')          # HEAD
    get.get_contents_as_string()     # GET of 1 KiB
for _ in range(50):
    once()
count = int(sys.argv[2])
cpu, wall = time.process_time(), time.perf_counter()
for _ in range(count):
    once()
print(json.dumps({'cpu_us': (time.process_time() - cpu) / (2 * count) * 1e6,
                  'wall_us': (time.perf_counter() - wall) / (2 * count) * 1e6}))
'''


def run_side(python, path, port, requests):
    env = dict(os.environ, PYTHONPATH=path)
    for name in list(env):
        if name.startswith('AWS_') or name.startswith('BOTO_'):
            del env[name]
    output = subprocess.check_output([python, '-c', CHILD, str(port), str(requests)], env=env)
    return json.loads(output.decode('ascii').strip().splitlines()[-1])


def summary(values):
    ordered = sorted(values)
    return ordered[0], ordered[len(ordered) // 2], ordered[-1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--baseline', required=True, help='a checkout of the code to compare with')
    parser.add_argument('--python', default=sys.executable)
    parser.add_argument('--rounds', type=int, default=9)
    parser.add_argument('--requests', type=int, default=400)
    args = parser.parse_args(argv)
    sink = subprocess.Popen([args.python, os.path.join(HERE, 'sink.py'), '--size-mib', '1'],
                            stdout=subprocess.PIPE)
    try:
        port = int(sink.stdout.readline().decode('ascii').strip())
        sides = {'this': ROOT, 'baseline': os.path.abspath(args.baseline)}
        results = {'this': [], 'baseline': []}
        for round_ in range(args.rounds):
            order = ['this', 'baseline'] if round_ % 2 == 0 else ['baseline', 'this']
            for side in order:
                results[side].append(run_side(args.python, sides[side], port, args.requests))
    finally:
        sink.terminate()
        sink.wait()
    for measure in ('cpu_us', 'wall_us'):
        for side in ('this', 'baseline'):
            low, mid, high = summary([r[measure] for r in results[side]])
            print('%-8s %-8s min %8.1f  median %8.1f  max %8.1f us/request'
                  % (measure, side, low, mid, high))
        ratios = [a[measure] / b[measure] for a, b in zip(results['this'], results['baseline'])]
        low, mid, high = summary(ratios)
        print('%-8s this/baseline: median %.3f (min %.3f, max %.3f) %s' % (
            measure, mid, low, high, 'within 5%' if mid <= 1.05 else 'OVER 5%'))


if __name__ == '__main__':
    main()
