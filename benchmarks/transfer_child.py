"""One timed transfer in a fresh process, for ``run.py --only throughput``.

Reads its order as JSON on stdin (the token travels there, not on the command
line): ``{"tool": "stsboto"|"boto3"|"socket", "direction": "upload"|"download"|"small",
"endpoint_url", "bucket", "key", "path", "token"}`` and optionally ``"config"``
(``{"workers", "part_size", "threshold"}``: the same tuning for either tool;
absent: the tool's own defaults), ``"ca_bundle"`` (the test CA of an https
sink: boto3 gets it as ``verify=``; stsboto and the socket trust it through
``SSL_CERT_FILE``, set by the runner), ``"checksum"`` (stsboto: ``crc32``/``md5``)
and ``"count"`` (``small``: that many 1 KiB uploads and downloads).  ``socket``
is the ceiling: one plain HTTP request over a plain socket (TLS for https) with 8 MiB
``sendall`` calls (or ``recv_into`` one buffer), no signing, no checks.
Prints one JSON line: ``seconds`` (the transfer call alone), ``cpu`` (user +
system seconds of this process during it, every thread), ``bytes``,
``peak_mib`` (resident memory at its peak during the transfer, above the
resident memory just before it), ``memory_method``, ``parts`` and ``bound``
(the configuration that bounds the memory, in words).

Imports, the client, and one warm-up request (a HEAD of a missing key) come
before the clock starts and before the memory baseline is taken, for every tool.
"""
from __future__ import absolute_import, division, print_function

import gc
import json
import os
import re
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


def _small_data():
    return b'x' * 1024


def with_stsboto(order):
    import io
    import stsboto
    from stsboto import transfer

    config = transfer.TransferConfig(checksum=order.get('checksum') or 'crc32')
    if order.get('config'):
        config = config.replace(**order['config'])
    bucket = stsboto.connect_with_token(order['token'], endpoint_url=order['endpoint_url']) \
        .get_bucket(order['bucket'], validate=False)
    bucket.get_key('warm-up/missing')
    # awscrt is imported on first use (about 0.1 s cold); botocore imports it
    # with boto3, before the clock: the same here.
    transfer.checksums.algorithm('CRC64NVME')
    part = config.part_size or transfer.DEFAULT_PART_SIZE
    bound = '%d workers, %d MiB parts: <= %d parts (%d MiB) held' % (
        config.workers, part // MiB, config.workers, config.workers * part // MiB)

    def run():
        if order['direction'] == 'upload':
            return transfer.upload(bucket, order['key'], order['path'], config=config)
        if order['direction'] == 'download':
            return transfer.download(bucket, order['key'], order['path'], config=config)
        data = _small_data()
        for number in range(order['count']):
            transfer.upload(bucket, '%s-%d' % (order['key'], number), io.BytesIO(data),
                            config=config)
            transfer.download(bucket, 'small', io.BytesIO(), config=config)
        return transfer.TransferResult('small', 1024 * order['count'], '', order['count'], True)
    return run, bound, lambda result: (result.size, result.parts)


def with_boto3(order):
    import io
    import boto3
    import botocore.exceptions
    from boto3.s3.transfer import TransferConfig

    token = json.loads(order['token'])
    client = boto3.client('s3', endpoint_url=order['endpoint_url'], region_name='us-east-1',
                          verify=order.get('ca_bundle'),
                          aws_access_key_id=token['AccessKeyId'],
                          aws_secret_access_key=token['SecretAccessKey'],
                          aws_session_token=token['SessionToken'])
    try:
        client.head_object(Bucket=order['bucket'], Key='warm-up/missing')
    except botocore.exceptions.ClientError:
        pass
    config = TransferConfig()
    given = order.get('config')
    if given:
        config = TransferConfig(max_concurrency=given.get('workers', 10),
                                multipart_chunksize=given.get('part_size', 8 * MiB),
                                multipart_threshold=given.get('threshold', 8 * MiB))
    bound = '%d threads, %d MiB parts' % (config.max_concurrency,
                                          config.multipart_chunksize // MiB)
    if order['direction'] == 'download':
        bound += ', write queue <= %d x %d KiB' % (config.max_io_queue, config.io_chunksize // 1024)

    def run():
        if order['direction'] == 'upload':
            client.upload_file(order['path'], order['bucket'], order['key'], Config=config)
        elif order['direction'] == 'download':
            client.download_file(order['bucket'], order['key'], order['path'], Config=config)
        else:
            data = _small_data()
            for number in range(order['count']):
                client.upload_fileobj(io.BytesIO(data), order['bucket'],
                                      '%s-%d' % (order['key'], number), Config=config)
                client.download_fileobj(order['bucket'], 'small', io.BytesIO(), Config=config)

    def describe(_):
        if order['direction'] == 'small':
            return 1024 * order['count'], order['count']
        size = os.path.getsize(order['path'])
        chunk = config.multipart_chunksize
        return size, max(1, -(-size // chunk)) if size >= config.multipart_threshold else 1
    return run, bound, describe


def with_socket(order):
    import socket
    try:
        from urllib.parse import urlsplit
    except ImportError:
        from urlparse import urlsplit
    where = urlsplit(order['endpoint_url'])
    block = 8 * MiB
    path = '/%s/%s' % (order['bucket'], order['key'])

    def connect():
        sock = socket.create_connection((where.hostname, where.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if where.scheme == 'https':       # the same TLS as the clients (SSL_CERT_FILE trusted)
            import ssl
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=where.hostname)
        return sock

    def read_answer(sock, buffer, sink=None):
        view = memoryview(buffer)
        data = b''
        while b'\r\n\r\n' not in data:
            data += sock.recv(65536)
        head, _, rest = data.partition(b'\r\n\r\n')
        length = int(re.search(br'(?i)content-length:\s*(\d+)', head).group(1))
        if sink is not None and rest:
            sink.write(rest)
        left = length - len(rest)
        while left > 0:
            got = sock.recv_into(view, min(left, len(buffer)))
            if not got:
                break
            if sink is not None:
                sink.write(view[:got])
            left -= got
        return length

    def run():
        sock = connect()
        buffer = bytearray(block)
        try:
            if order['direction'] == 'upload':
                size = os.path.getsize(order['path'])
                sock.sendall(('PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n'
                              % (path, where.netloc, size)).encode('ascii'))
                with open(order['path'], 'rb') as handle:
                    while True:
                        data = handle.read(block)
                        if not data:
                            break
                        sock.sendall(data)
                read_answer(sock, buffer)
                return size
            sock.sendall(('GET %s HTTP/1.1\r\nHost: %s\r\n\r\n' % (path, where.netloc))
                         .encode('ascii'))
            with open(order['path'], 'wb') as handle:
                return read_answer(sock, buffer, handle)
        finally:
            sock.close()
    return run, 'one request, %d MiB blocks' % (block // MiB), lambda size: (size, 1)


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    order = json.loads(sys.stdin.read())
    prepare = {'stsboto': with_stsboto, 'boto3': with_boto3, 'socket': with_socket}[order['tool']]
    run, bound, describe = prepare(order)
    memory = Memory()
    memory.start()
    cpu = cpu_seconds()
    start = clock()
    result = run()
    seconds = clock() - start
    cpu = cpu_seconds() - cpu
    peak = memory.peak_mib()
    size, parts = describe(result)
    print(json.dumps({'seconds': seconds, 'cpu': cpu, 'bytes': size, 'peak_mib': peak,
                      'memory_method': memory.method, 'parts': parts, 'bound': bound}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
