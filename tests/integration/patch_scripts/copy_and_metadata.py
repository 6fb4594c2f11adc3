"""An unchanged boto 2 program (luigi's S3Client does the same): a ranged multipart
copy and metadata whose names prefix one another.  Prints RESULT:{json}."""
from __future__ import print_function

import json
import sys

import boto

PART = 5 * 1024 * 1024


def main(bucket_name):
    bucket = boto.connect_s3().get_bucket(bucket_name, validate=False)
    bucket.new_key('copy/src.bin').set_contents_from_string(b'a' * PART + b'tail')
    upload = bucket.initiate_multipart_upload('copy/dst.bin')
    upload.copy_part_from_key(bucket_name, 'copy/src.bin', 1, 0, PART - 1)   # x-amz-copy-source-range
    upload.copy_part_from_key(bucket_name, 'copy/src.bin', 2, PART, PART + 3)
    upload.complete_upload()
    meta = bucket.new_key('copy/meta.txt')
    meta.set_metadata('a', 'one')
    meta.set_metadata('a-b', 'two')                                        # x-amz-meta-a, x-amz-meta-a-b
    meta.set_contents_from_string(b'meta')
    copied = bucket.get_key('copy/dst.bin')
    stored = bucket.get_key('copy/meta.txt')
    meta = [stored.get_metadata('a'), stored.get_metadata('a-b')]
    print('RESULT:' + json.dumps({'copied': copied.size, 'meta': meta}))


if __name__ == '__main__':
    main(sys.argv[1])
