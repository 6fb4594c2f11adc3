"""An unchanged boto 2 program: no stsboto import, no keys in the code.

tests/integration/test_patch_scripts.py runs it in a child Python with only
STSBOTO_PATCH_BOTO=1, AWS_ENDPOINT_URL, AWS_REGION and the environment
credentials of an assumed role (AWS_SESSION_TOKEN, which boto 2 ignores by
itself).  It prints one RESULT:{json} line.
"""
from __future__ import print_function

import json
import sys

import boto
import boto.dynamodb2
import boto.sns
import boto.sqs
from boto.s3.connection import S3Connection
from boto.s3.key import Key

BUCKET = sys.argv[1]
result = {}

# S3 through boto.connect_s3(): put, get, list with a prefix holding "/"
conn = boto.connect_s3()
bucket = conn.get_bucket(BUCKET, validate=False)
key = Key(bucket, 'reports/2026/q1.txt')
key.set_contents_from_string('first quarter')
bucket.new_key('reports/2026/q2.txt').set_contents_from_string('second quarter')
bucket.new_key('reports/2025/q4.txt').set_contents_from_string('last year')
result['get'] = bucket.get_key('reports/2026/q1.txt').get_contents_as_string().decode('utf-8')
result['list'] = sorted(k.name for k in bucket.list(prefix='reports/2026/'))
result['dirs'] = sorted(p.name for p in bucket.list(prefix='reports/', delimiter='/'))

# a bare S3Connection(), as libraries build it
bare = S3Connection()
result['bare'] = bare.get_bucket(BUCKET, validate=False).get_key(
    'reports/2025/q4.txt').get_contents_as_string().decode('utf-8')

# SQS: create, send, receive
sqs = boto.sqs.connect_to_region('us-east-1')
queue = sqs.create_queue('report-jobs')
queue.write(queue.new_message('render q1'))
messages = queue.get_messages(1, wait_time_seconds=1)
result['sqs'] = [m.get_body() for m in messages]

# SNS: create a topic, publish to it
sns = boto.connect_sns()
topic = sns.create_topic('report-done')
arn = topic['CreateTopicResponse']['CreateTopicResult']['TopicArn']
published = sns.publish(topic=arn, message='q1 rendered')
result['sns'] = bool(published['PublishResponse']['PublishResult']['MessageId'])

# DynamoDB (boto.dynamodb2's JSON API): a table, an item written and read back
dynamodb = boto.dynamodb2.connect_to_region('us-east-1')
dynamodb.create_table(
    attribute_definitions=[{'AttributeName': 'report', 'AttributeType': 'S'}],
    table_name='reports', key_schema=[{'AttributeName': 'report', 'KeyType': 'HASH'}],
    provisioned_throughput={'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1})
dynamodb.put_item('reports', {'report': {'S': 'q1'}, 'state': {'S': 'rendered'}})
item = dynamodb.get_item('reports', {'report': {'S': 'q1'}})
result['dynamodb'] = item['Item']['state']['S']

print('RESULT:' + json.dumps(result, sort_keys=True))
