"""What an administrator sets up on a local moto server: buckets and an issuing IAM user.

Usage::

    from stsboto.local.admin import create_buckets, create_issuer
    create_buckets(server.endpoint_url, ['photos'])
    key, secret = create_issuer(server.endpoint_url, 'stsboto-issuer', ['photos'])

moto accepts any keys until IAM enforcement is on; the setup is signed with
:data:`ADMIN_KEY` / :data:`ADMIN_SECRET`, fixed keys that exist only here.
"""
from __future__ import absolute_import, print_function, unicode_literals

import json

from stsboto import policy as _policy
from stsboto import regions as _regions
from stsboto import s3 as _s3

import boto.iam.connection  # noqa: E402  (stsboto made boto importable)

__all__ = ['ADMIN_KEY', 'ADMIN_SECRET', 'admin_s3', 'admin_iam', 'create_buckets',
           'create_issuer', 'access_key_of']

ADMIN_KEY = 'AKIASTSBOTODEMOADMIN'
ADMIN_SECRET = 'stsboto-demo/admin+secret/0123456789abcd'


def admin_s3(endpoint_url):
    """An S3 connection signed with the admin's keys."""
    return _s3.connect_to_region('us-east-1', aws_access_key_id=ADMIN_KEY,
                                 aws_secret_access_key=ADMIN_SECRET, endpoint_url=endpoint_url)


def admin_iam(endpoint_url, key=ADMIN_KEY, secret=ADMIN_SECRET):
    """An ``IAMConnection`` to the local server (boto's, SigV4 for us-east-1)."""
    endpoint = _regions.parse_endpoint_url(endpoint_url)
    conn = boto.iam.connection.IAMConnection(key, secret, **endpoint.boto_kwargs())
    # boto derives the SigV4 service and region from the host name, which a
    # local endpoint does not carry; moto routes requests on the service.
    conn.auth_region_name = 'us-east-1'
    conn.auth_service_name = 'iam'
    return conn


def access_key_of(response):
    """``(access key id, secret key)`` from boto's CreateAccessKey answer."""
    access = response['create_access_key_response']['create_access_key_result']['access_key']
    return access['access_key_id'], access['secret_access_key']


def create_buckets(endpoint_url, names):
    """Create each bucket (S3 CreateBucket, us-east-1)."""
    conn = admin_s3(endpoint_url)
    for name in names:
        conn.create_bucket(name)


def create_issuer(endpoint_url, user, buckets):
    """Create IAM user ``user`` with :func:`stsboto.issuer_policy` for each bucket
    (sts:GetFederationToken, and what tokens may do there); return its keys."""
    # Every policy first: a bad bucket name is refused before anything is created.
    policies = [('stsboto-issuer-%s' % bucket, json.dumps(_policy.issuer_policy(bucket)))
                for bucket in buckets]
    if not buckets:
        policies.append(('stsboto-issuer', json.dumps({
            'Version': _policy.VERSION,
            'Statement': [{'Effect': 'Allow', 'Action': 'sts:GetFederationToken',
                           'Resource': '*'}]})))
    iam = admin_iam(endpoint_url)
    iam.create_user(user)
    for name, document in policies:
        iam.put_user_policy(user, name, document)
    return access_key_of(iam.create_access_key(user))
