"""Helpers and constants shared by the integration tests (fixtures are in conftest.py)."""
from __future__ import absolute_import, print_function, unicode_literals

import json

#: moto accepts any keys while IAM enforcement is off; these sign the admin's setup.
ADMIN_KEY = 'AKIAADMINSETUP000001'
ADMIN_SECRET = 'admin-setup-secret/not+used+by+moto0000'
ACCOUNT = '123456789012'  # moto's default account
ENDPOINT_ENV = ('AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_STS')


def create_user_with_keys(iam, name, policies=None):
    """An IAM user with an access key and inline ``policies`` ({name: dict}); returns (key, secret)."""
    iam.create_user(name)
    result = iam.create_access_key(name)
    access = result['create_access_key_response']['create_access_key_result']['access_key']
    for policy_name, document in sorted((policies or {}).items()):
        iam.put_user_policy(name, policy_name, json.dumps(document))
    return access['access_key_id'], access['secret_access_key']


def create_role(iam, name, trusted_user, policy):
    """A role that ``trusted_user`` may assume, with inline ``policy``; returns its ARN."""
    trust = {'Version': '2012-10-17', 'Statement': [{
        'Effect': 'Allow', 'Action': 'sts:AssumeRole',
        'Principal': {'AWS': 'arn:aws:iam::%s:user/%s' % (ACCOUNT, trusted_user)}}]}
    result = iam.create_role(name, assume_role_policy_document=json.dumps(trust))
    iam.put_role_policy(name, 'grant', json.dumps(policy))
    return result['create_role_response']['create_role_result']['role']['arn']


def create_assumable_role(iam, role, user, policy):
    """Role ``role`` with inline ``policy``, and IAM user ``user`` with keys who may
    assume it (and nothing else); returns (key, secret, role_arn)."""
    role_arn = create_role(iam, role, user, policy)
    key, secret = create_user_with_keys(iam, user, {'assume': {
        'Version': '2012-10-17',
        'Statement': [{'Effect': 'Allow', 'Action': 'sts:AssumeRole', 'Resource': role_arn}]}})
    return key, secret, role_arn


def object_policy(bucket, actions=('s3:PutObject', 's3:GetObject')):
    return {'Version': '2012-10-17', 'Statement': [{
        'Effect': 'Allow', 'Action': list(actions), 'Resource': 'arn:aws:s3:::%s/*' % bucket}]}


def sample_bytes():
    """Binary content that would break on any text or encoding mix-up."""
    return bytes(bytearray(range(256))) * 64 + u'gr\u00fc\u00df \u2603\n'.encode('utf-8')
