"""What reading the configuration (stsboto.config) adds to making a connection (issue 18).

Usage::

    python benchmarks/settings.py                  # 7 interleaved rounds of 200 connections
    python benchmarks/settings.py --rounds 11 --count 500

Under the patch every boto connection reads its region, endpoint, FIPS,
dual-stack, S3 and application-id settings (``stsboto.config.Settings``), and
``connect_with_token`` does the same.  Parsed shared config files are
remembered while they stay the same (``read_ini_cached``); this measures, in
microseconds per connection, ``boto.connect_s3()``, ``boto.connect_sqs()``
(patched) and ``stsboto.connect_with_token(token)`` with a config file of 21
profiles, each operation once per round, rounds interleaved, and prints
min / median / max.  ``--uncached`` re-parses the files for every connection
(what the cache saves).
"""
from __future__ import print_function

import argparse
import os
import shutil
import sys
import tempfile
import time

clock = getattr(time, 'perf_counter', time.time)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--rounds', type=int, default=7)
    parser.add_argument('--count', type=int, default=200)
    parser.add_argument('--uncached', action='store_true')
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix='stsboto-settings-')
    try:
        os.makedirs(os.path.join(home, '.aws'))
        with open(os.path.join(home, '.aws', 'config'), 'w') as out:
            out.write('[default]\nregion = eu-west-1\n' + ''.join(
                '[profile p%d]\nregion = eu-west-1\n' % i for i in range(20)))
        for name in list(os.environ):
            if name.startswith(('AWS_', 'BOTO_')):
                del os.environ[name]
        os.environ.update(HOME=home, AWS_EC2_METADATA_DISABLED='true',
                          AWS_ACCESS_KEY_ID='AKIABENCHMARK0000001', AWS_SECRET_ACCESS_KEY='s' * 40,
                          AWS_SESSION_TOKEN='benchmark-token')
        run(args)
    finally:
        shutil.rmtree(home, True)


def run(args):
    import warnings
    warnings.simplefilter('ignore')
    import stsboto
    from stsboto import config
    import boto
    import boto.sqs  # noqa: F401
    stsboto.patch_boto()
    token = {'access_key': 'AKIABENCHMARK0000001', 'secret_key': 's' * 40, 'session_token': 't'}
    operations = [('boto.connect_s3() (patched)', boto.connect_s3),
                  ('boto.connect_sqs() (patched)', boto.connect_sqs),
                  ('connect_with_token(token)', lambda: stsboto.connect_with_token(token))]
    if args.uncached:
        config.read_ini_cached = lambda path, what, field=None: config.read_ini(path, what, field)
    times = dict((name, []) for name, _ in operations)
    for _ in range(args.rounds):
        for name, operation in operations:
            start = clock()
            for _ in range(args.count):
                operation()
            times[name].append((clock() - start) / args.count * 1e6)
    note = ', files parsed every time' if args.uncached else ''
    print('Python %s, %d rounds of %d%s' % (sys.version.split()[0], args.rounds, args.count, note))
    for name, _ in operations:
        values = sorted(times[name])
        print('%-32s min %6.0f us  median %6.0f us  max %6.0f us'
              % (name, values[0], values[len(values) // 2], values[-1]))


if __name__ == '__main__':
    main()
