"""One timed transfer in a fresh process, for ``run.py --only throughput``.

Reads its order as JSON on stdin (the token travels there, not on the command
line): ``{"tool": "stsboto"|"boto3", "direction": "upload"|"download",
"endpoint_url", "bucket", "key", "path", "token"}``, optionally ``"workers"``
(threads, for either tool; default: the tool's own default) and ``"headers"``
(extra request headers for a stsboto upload).  Prints one JSON line:
``seconds`` (the transfer call alone), ``bytes``, ``peak_mib`` (resident
memory at its peak during the transfer, above the resident memory just before
it), ``memory_method``, ``parts`` and ``bound`` (the configuration that bounds
the memory, in words).

Imports, the client, and one warm-up request (a HEAD of a missing key) come
before the clock starts and before the memory baseline is taken, for both tools.
"""
from __future__ import absolute_import, division, print_function

import gc
import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

clock = getattr(time, 'perf_counter', time.time)
MiB = 1024 * 1024


def status_kib(field):
    """A ``/proc/self/status`` field in KiB (VmRSS, VmHWM), or None."""
    try:
        with open('/proc/self/status') as handle:
            for line in handle:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except (IOError, OSError, ValueError):
        pass
    return None


def reset_peak():
    """Reset VmHWM to the current RSS (Linux >= 4.0: write 5 to clear_refs)."""
    try:
        with open('/proc/self/clear_refs', 'w') as handle:
            handle.write('5')
        return True
    except (IOError, OSError):
        return False


class Memory(object):
    def start(self):
        gc.collect()
        if reset_peak() and status_kib('VmHWM') is not None:
            self.method = 'VmHWM after resetting it (clear_refs)'
            self.baseline = status_kib('VmRSS')
        else:
            # ru_maxrss (KiB on Linux) cannot be reset: the peak of the
            # imports may hide a smaller peak of the transfer.
            self.method = 'ru_maxrss'
            self.baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def peak_mib(self):
        if self.method.startswith('VmHWM'):
            peak = status_kib('VmHWM')
        else:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return (peak - self.baseline) / 1024.0


def with_stsboto(order):
    import stsboto
    from stsboto import transfer

    config = transfer.TransferConfig()
    if order.get('workers'):
        config = config.replace(workers=order['workers'])
    bucket = stsboto.connect_with_token(order['token'], endpoint_url=order['endpoint_url']) \
        .get_bucket(order['bucket'])
    bucket.get_key('warm-up/missing')
    part = config.part_size or transfer.DEFAULT_PART_SIZE
    window = config.workers if order['direction'] == 'upload' else 2 * config.workers
    bound = '%d workers, %d MiB parts: <= %d parts (%d MiB) held' % (
        config.workers, part // MiB, window, window * part // MiB)

    def run():
        if order['direction'] == 'upload':
            return transfer.upload(bucket, order['key'], order['path'], config=config,
                                   headers=order.get('headers'))
        return transfer.download(bucket, order['key'], order['path'], config=config)
    return run, bound, lambda result: (result.size, result.parts)


def with_boto3(order):
    import boto3
    import botocore.exceptions
    from boto3.s3.transfer import TransferConfig

    token = json.loads(order['token'])
    client = boto3.client('s3', endpoint_url=order['endpoint_url'], region_name='us-east-1',
                          aws_access_key_id=token['AccessKeyId'],
                          aws_secret_access_key=token['SecretAccessKey'],
                          aws_session_token=token['SessionToken'])
    try:
        client.head_object(Bucket=order['bucket'], Key='warm-up/missing')
    except botocore.exceptions.ClientError:
        pass
    config = TransferConfig()
    if order.get('workers'):
        config = TransferConfig(max_concurrency=order['workers'])
    bound = '%d threads, %d MiB parts' % (config.max_concurrency,
                                          config.multipart_chunksize // MiB)
    if order['direction'] == 'download':
        bound += ', write queue <= %d x %d KiB' % (config.max_io_queue, config.io_chunksize // 1024)

    def run():
        if order['direction'] == 'upload':
            client.upload_file(order['path'], order['bucket'], order['key'], Config=config)
        else:
            client.download_file(order['bucket'], order['key'], order['path'], Config=config)

    def describe(_):
        size = os.path.getsize(order['path'])
        chunk = config.multipart_chunksize
        return size, max(1, -(-size // chunk)) if size >= config.multipart_threshold else 1
    return run, bound, describe


def main():
    order = json.loads(sys.stdin.read())
    prepare = {'stsboto': with_stsboto, 'boto3': with_boto3}[order['tool']]
    run, bound, describe = prepare(order)
    memory = Memory()
    memory.start()
    start = clock()
    result = run()
    seconds = clock() - start
    peak = memory.peak_mib()
    size, parts = describe(result)
    print(json.dumps({'seconds': seconds, 'bytes': size, 'peak_mib': peak,
                      'memory_method': memory.method, 'parts': parts, 'bound': bound}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
