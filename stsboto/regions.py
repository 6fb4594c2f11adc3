"""Where S3 and STS live for a region, without boto's 2018 endpoint table.

Usage::

    s3_host('eu-north-1')      # 's3.eu-north-1.amazonaws.com'
    sts_host('cn-north-1')     # 'sts.cn-north-1.amazonaws.com.cn'
    partition('us-gov-west-1') # 'aws-us-gov'

Any region name that follows AWS's pattern (``area-direction-N``, e.g.
``ap-southeast-7``) works, including regions AWS launches after this release:
the host names are built from the pattern, as the AWS SDKs' endpoint rules do
("AWS service endpoints", AWS General Reference).
"""
from __future__ import absolute_import, unicode_literals

import re

import six

from stsboto.exceptions import InvalidParameterError

__all__ = ['KNOWN_REGIONS', 'validate_region', 'partition', 'dns_suffix', 's3_host',
           'sts_host', 'GLOBAL_STS_HOST']

#: Regions known when this release was made (commercial, China, GovCloud).
#: Others that follow the pattern work too; this list is for tests and docs.
KNOWN_REGIONS = (
    'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
    'af-south-1',
    'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2', 'ap-northeast-1', 'ap-northeast-2',
    'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4',
    'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
    'ca-central-1', 'ca-west-1',
    'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1',
    'eu-south-1', 'eu-south-2',
    'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1', 'sa-east-1',
    'cn-north-1', 'cn-northwest-1',
    'us-gov-east-1', 'us-gov-west-1',
)

GLOBAL_STS_HOST = 'sts.amazonaws.com'
_REGION = re.compile(r'^[a-z]{2,4}(-[a-z]{2,4})?-[a-z]+-\d{1,2}$')


def validate_region(region, field='region'):
    """Return ``region`` if it is a plausible AWS region name, else raise
    :class:`InvalidParameterError` (a ``ValueError``)."""
    if not isinstance(region, six.string_types) or not _REGION.match(region):
        raise InvalidParameterError(
            '%s %r is not an AWS region name (expected lowercase words and a number, '
            'such as "eu-north-1")' % (field, region if isinstance(region, six.string_types) and
                                       len(region) < 64 else type(region).__name__), field)
    return region


def partition(region):
    """``aws``, ``aws-cn`` or ``aws-us-gov``: the ARN partition of ``region``."""
    validate_region(region)
    if region.startswith('cn-'):
        return 'aws-cn'
    if region.startswith('us-gov-'):
        return 'aws-us-gov'
    return 'aws'


def dns_suffix(region):
    """``amazonaws.com``, or ``amazonaws.com.cn`` in the China partition."""
    return 'amazonaws.com.cn' if partition(region) == 'aws-cn' else 'amazonaws.com'


def s3_host(region):
    """The S3 endpoint host of ``region`` (``s3.amazonaws.com`` for us-east-1, as boto)."""
    if validate_region(region) == 'us-east-1':
        return 's3.amazonaws.com'
    return 's3.%s.%s' % (region, dns_suffix(region))


def sts_host(region, regional=True):
    """The STS endpoint host of ``region``.

    Regional by default (``sts.REGION.amazonaws.com``), as current AWS SDKs do:
    tokens from the global endpoint are not valid in opt-in regions (AWS STS
    User Guide, "Managing AWS STS in an AWS Region").  ``regional=False`` gives
    the global ``sts.amazonaws.com`` where one exists (not in China or GovCloud).
    """
    if not regional and partition(region) == 'aws':
        return GLOBAL_STS_HOST
    return 'sts.%s.%s' % (region, dns_suffix(region))
