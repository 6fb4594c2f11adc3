"""A Django app storing files with django-storages 1.8's boto 2 backend, unmodified.

Its settings name the S3 endpoint (as an app configured for MinIO or moto
does); the credentials come from the environment, which django-storages reads
itself (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN).  No
stsboto import: tests/integration/test_patch_scripts.py runs it with
STSBOTO_PATCH_BOTO=1.  Prints one RESULT:{json} line.
"""
from __future__ import print_function

import json
import sys

import django
from django.conf import settings

BUCKET, PORT = sys.argv[1], int(sys.argv[2])

settings.configure(
    DEFAULT_FILE_STORAGE='storages.backends.s3boto.S3BotoStorage',
    AWS_STORAGE_BUCKET_NAME=BUCKET,
    AWS_S3_HOST='127.0.0.1',
    AWS_S3_PORT=PORT,
    AWS_S3_USE_SSL=False,
    AWS_S3_SECURE_URLS=False,
    AWS_S3_CALLING_FORMAT='boto.s3.connection.OrdinaryCallingFormat',
    AWS_DEFAULT_ACL=None,
    AWS_QUERYSTRING_AUTH=True,
)
django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402

saved = default_storage.save('uploads/report 1.txt', ContentFile(b'quarterly numbers'))
with default_storage.open(saved) as handle:
    content = handle.read()
result = {
    'saved': saved,
    'content': content.decode('utf-8'),
    'exists': default_storage.exists(saved),
    'missing': default_storage.exists('uploads/nothing.txt'),
    'listdir': [sorted(part) for part in default_storage.listdir('uploads')],
    'url_has_token': 'x-amz-security-token=' in default_storage.url(saved).lower(),
}
print('RESULT:' + json.dumps(result, sort_keys=True))
