"""A job streaming objects with smart_open 1.5.3, unmodified (boto 2 underneath).

Its settings name the S3 endpoint (``host``/``port`` and the ``s3u://``
scheme for plain http, as smart_open 1.5 documents for a local server); the
credentials come from the environment, where boto looks.  No stsboto import:
tests/integration/test_real_programs.py runs it with STSBOTO_PATCH_BOTO=1.
Prints one RESULT:{json} line.

    smart_open_job.py BUCKET PORT stream    write a key, read it back line by line
    smart_open_job.py BUCKET PORT iter      write three keys with boto, then s3_iter_bucket
                                            over jobs/ (worker processes download them)
"""
from __future__ import print_function

import json
import sys

import boto
import boto.s3.connection
import smart_open

BUCKET, PORT, MODE = sys.argv[1], int(sys.argv[2]), sys.argv[3]
SERVER = {'host': '127.0.0.1', 'port': PORT}


def stream():
    with smart_open.smart_open('s3u://%s/jobs/out.txt' % BUCKET, 'wb', **SERVER) as fout:
        for line in [u'first line', u'second line', u'gr\u00fc\u00dfe']:
            fout.write(line.encode('utf-8') + b'\n')
    lines = [line.decode('utf-8').rstrip('\n')
             for line in smart_open.smart_open('s3u://%s/jobs/out.txt' % BUCKET, 'rb', **SERVER)]
    return {'lines': lines}


def iterate():
    connection = boto.connect_s3(is_secure=False,
                                 calling_format=boto.s3.connection.OrdinaryCallingFormat(), **SERVER)
    bucket = connection.get_bucket(BUCKET)
    for number in range(3):
        bucket.new_key('jobs/part-%d.txt' % number).set_contents_from_string('part %d' % number)
    found = smart_open.s3_iter_bucket(bucket, prefix='jobs/', workers=2)
    return {'keys': sorted([key.name, content.decode('utf-8')] for key, content in found)}


if __name__ == '__main__':   # s3_iter_bucket's worker processes import this module
    result = stream() if MODE == 'stream' else iterate()
    print('RESULT:' + json.dumps(result, sort_keys=True))
