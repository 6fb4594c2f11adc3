"""An old boto 2 script whose one change is its import line.

It was ``from boto import sts, s3``; everything below uses boto's own names
only.  tests/integration/test_dropin.py runs it in a child process with
``AWS_ENDPOINT_URL`` set to the local server, and nothing else changed.
"""
from __future__ import print_function

import json

from stsboto import sts, s3

BUCKET = 'legacy-reports'
KEY_ID = 'AKIALEGACYSCRIPT0001'
SECRET = 'legacy/script+secret0000000000000000000'

# the admin part: a bucket and a report in it
conn = s3.connect_to_region('us-east-1', aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET,
                            calling_format=s3.connection.OrdinaryCallingFormat())
bucket = conn.create_bucket(BUCKET)
report = s3.key.Key(bucket)
report.key = 'report.txt'
report.set_contents_from_string('quarterly numbers')

# hand out a federation token for the bucket, the boto way
sts_conn = sts.connect_to_region('us-east-1', aws_access_key_id=KEY_ID,
                                 aws_secret_access_key=SECRET)
policy = {'Version': '2012-10-17', 'Statement': [{
    'Effect': 'Allow', 'Action': ['s3:GetObject', 's3:PutObject'],
    'Resource': 'arn:aws:s3:::%s/*' % BUCKET}]}
federated = sts_conn.get_federation_token('reporter', duration=900, policy=json.dumps(policy))
creds = federated.credentials
assert isinstance(creds, sts.credentials.Credentials), type(creds)

# the token holder's part
user_conn = s3.connect_to_region('us-east-1', aws_access_key_id=creds.access_key,
                                 aws_secret_access_key=creds.secret_key,
                                 security_token=creds.session_token,
                                 calling_format=s3.connection.OrdinaryCallingFormat())
user_bucket = user_conn.get_bucket(BUCKET, validate=False)
user_bucket.new_key('from-token.txt').set_contents_from_string('written with the token')
text = user_bucket.new_key('report.txt').get_contents_as_string()
print('RESULT:' + json.dumps({'report': text.decode('utf-8'), 'user': federated.federated_user_arn}))
