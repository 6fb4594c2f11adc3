"""What masking costs per log record (issue 19, item 4).

Usage::

    python benchmarks/logmask.py                       # 9 rounds, this interpreter
    python benchmarks/logmask.py --rounds 5 --against old_logfilter.py --json out.json

Times ``SecretMaskingFilter.filter`` on records boto and stsboto really log, with
1 and with 32 tokens registered (the registry holds at most 64 secrets: 32
tokens).  Session tokens are 657 characters, as long as real assume-role tokens.
Records:

``plain``      a 200-character debug line with no secret in it
``headers``    a 2 KiB ``Headers: {...}`` line holding the session token
``presigned``  a presigned URL with the token percent-encoded twice (1.7 KiB)
``body``       a 20 KiB XML listing with no secret in it

``--against FILE`` loads another ``logfilter.py`` (for instance 0.2.0's:
``git show v0.2.0:stsboto/logfilter.py > old_logfilter.py``) and times it on
the same records; the sides alternate and the first side rotates each round.
Prints microseconds per record, median (min-max) over the rounds, and on
Python 3 the memory the registry of 32 tokens holds (``tracemalloc``).
"""
from __future__ import absolute_import, division, print_function

import argparse
import base64
import hashlib
import json
import logging
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import stsboto  # noqa: E402,F401  (makes boto importable on 3.12+)
from stsboto import logfilter  # noqa: E402
from stsboto.token import Token  # noqa: E402
from six.moves.urllib.parse import quote  # noqa: E402

clock = getattr(time, 'perf_counter', time.time)


def token(serial):
    blob = b''.join(hashlib.sha256(('%d-%d' % (serial, i)).encode('ascii')).digest() for i in range(24))
    session = 'IQoJb3JpZ2luX2VjE' + base64.b64encode(blob).decode('ascii')
    secret = base64.b64encode(hashlib.sha256(('k%d' % serial).encode('ascii')).digest())[:40]
    return Token('ASIA%016d' % serial, secret.decode('ascii'), session)


def records(tok):
    plain = ('path=/photos/cat-%04d.jpg, auth_path=/photos/cat.jpg, host=photos.s3.amazonaws.com, '
             'params={}, headers={"Content-Length": "1024", "User-Agent": "Boto/2.49.0"} ' % 7)[:200]
    headers = 'Headers: %r' % {
        'x-amz-security-token': tok.session_token, 'x-amz-date': '20261207T000000Z',
        'Authorization': 'AWS4-HMAC-SHA256 Credential=%s/20261207/us-east-1/s3/aws4_request, '
                         'SignedHeaders=host;x-amz-date, Signature=%s' % (tok.access_key, 'ab' * 32),
        'User-Agent': 'Boto/2.49.0 Python/3.12 Linux/6.1' + ' ' * 900}
    presigned = ('redirect to https://photos.s3.amazonaws.com/k?X-Amz-Security-Token=%s&X-Amz-Date=x'
                 % quote(quote(tok.session_token, safe=''), safe=''))
    body = '<ListBucketResult>%s</ListBucketResult>' % ''.join(
        '<Contents><Key>photos/2026/%05d.jpg</Key><Size>%d</Size></Contents>' % (i, i * 7)
        for i in range(330))
    return [('plain', plain), ('headers', headers), ('presigned', presigned), ('body', body[:20480])]


def load(path):
    import imp
    return imp.load_source('other_logfilter', path)


def per_record(module, tokens, text, count):
    module._forget_all()
    log_filter = module.SecretMaskingFilter([tokens[0]])
    for extra in tokens[1:]:
        module.remember(extra)
    record = logging.LogRecord('boto', logging.DEBUG, __file__, 1, '%s', (text,), None)
    started = clock()
    for _ in range(count):
        record.msg, record.args = '%s', (text,)
        log_filter.filter(record)
    return (clock() - started) / count * 1e6


def registry_bytes(tokens):
    try:
        import tracemalloc
    except ImportError:
        return None
    logfilter._forget_all()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for tok in tokens:
        logfilter.remember(tok)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    logfilter._forget_all()
    return after - before


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=9)
    parser.add_argument('--count', type=int, default=300, help='records timed per sample')
    parser.add_argument('--against', metavar='FILE', help='another logfilter.py to time too')
    parser.add_argument('--json', metavar='FILE')
    args = parser.parse_args()
    sides = [('stsboto', logfilter)]
    if args.against:
        sides.append(('other', load(args.against)))
    tokens = [token(n) for n in range(32)]
    cases = [(name, registered, text) for registered in (1, 32)
             for name, text in records(tokens[0])]
    samples = {}
    for round_number in range(args.rounds):
        order = sides[round_number % len(sides):] + sides[:round_number % len(sides)]
        for name, registered, text in cases:
            for side, module in order:
                value = per_record(module, tokens[:registered], text, args.count)
                samples.setdefault((name, registered, side), []).append(value)
    print('Python %s, %d rounds of %d records; microseconds per record, median (min-max)'
          % (sys.version.split()[0], args.rounds, args.count))
    results = []
    for (name, registered, side), values in sorted(samples.items()):
        values.sort()
        median = values[len(values) // 2]
        text = dict(records(tokens[0]))[name]
        print('%-10s %6d chars  %2d token(s)  %-8s %9.1f (%.1f-%.1f)'
              % (name, len(text), registered, side, median, values[0], values[-1]))
        results.append({'record': name, 'chars': len(text), 'tokens': registered, 'side': side,
                        'median_us': median, 'min_us': values[0], 'max_us': values[-1]})
    memory = registry_bytes(tokens)
    if memory is not None:
        print('registry of 32 tokens (64 secrets): %.1f MiB' % (memory / 1048576.0))
    if args.json:
        with open(args.json, 'w') as stream:
            json.dump({'python': sys.version.split()[0], 'results': results,
                       'registry_bytes': memory}, stream, indent=2)


if __name__ == '__main__':
    main()
