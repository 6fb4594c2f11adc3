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

__all__ = ['KNOWN_REGIONS', 'PARTITIONS', 'validate_region', 'partition', 'dns_suffix', 's3_host',
           'region_from_s3_host',
           'sts_host', 'GLOBAL_STS_HOST', 'Endpoint', 'parse_endpoint_url', 'endpoint_from_env',
           'resolve_endpoint', 'SERVICES', 'service_endpoint', 'signing_name',
           'service_env_name']

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
_REGION = r'^[a-z]{2,4}(-[a-z]{2,4})?-[a-z]+-\d{1,2}\Z'
# (region name prefix, partition, DNS suffix), first match wins; everything
# else is the commercial partition.  From the AWS SDKs' partition data
# (botocore data/partitions.json).
_PARTITIONS = (
    ('cn-', 'aws-cn', 'amazonaws.com.cn'),
    ('us-gov-', 'aws-us-gov', 'amazonaws.com'),
    ('us-isob-', 'aws-iso-b', 'sc2s.sgov.gov'),
    ('us-isof-', 'aws-iso-f', 'csp.hci.ic.gov'),
    ('us-iso-', 'aws-iso', 'c2s.ic.gov'),
    ('eu-isoe-', 'aws-iso-e', 'cloud.adc-e.uk'),
    ('eusc-', 'aws-eusc', 'amazonaws.eu'),
)
#: Every partition stsboto knows.
PARTITIONS = ('aws',) + tuple(p for _, p, _ in _PARTITIONS)


def validate_region(region, field='region'):
    """Return ``region`` if it is a plausible AWS region name, else raise
    :class:`InvalidParameterError` (a ``ValueError``)."""
    if not isinstance(region, six.string_types) or not re.match(_REGION, region):
        raise InvalidParameterError(
            '%s %r is not an AWS region name (expected lowercase words and a number, '
            'such as "eu-north-1")' % (field, region if isinstance(region, six.string_types) and
                                       len(region) < 64 else type(region).__name__), field)
    return region


def partition(region):
    """``aws``, ``aws-cn`` or ``aws-us-gov``: the ARN partition of ``region``."""
    return _partition_row(region)[1]


def _partition_row(region):
    validate_region(region)
    for row in _PARTITIONS:
        if region.startswith(row[0]):
            return row
    return ('', 'aws', 'amazonaws.com')


def dns_suffix(region):
    """``amazonaws.com``; ``amazonaws.com.cn`` in China; the ISO and EU
    sovereign partitions have their own."""
    return _partition_row(region)[2]


def s3_host(region):
    """The S3 endpoint host of ``region`` (``s3.amazonaws.com`` for us-east-1, as boto)."""
    if validate_region(region) == 'us-east-1':
        return 's3.amazonaws.com'
    return 's3.%s.%s' % (region, dns_suffix(region))


def region_from_s3_host(host):
    """The region to sign an S3 request to ``host`` for.

    The one in an AWS S3 host name (``s3.eu-north-1.amazonaws.com``,
    ``bucket.s3-eu-west-1.amazonaws.com``); ``us-east-1`` for the classic
    ``s3.amazonaws.com`` and for hosts that are not AWS's (the region AWS SDKs
    and S3-compatible servers such as MinIO assume).
    """
    name = (host or '').split(':')[0].lower()
    parts = name.split('.')
    for index, part in enumerate(parts):
        if part.startswith('s3-') and part not in ('s3-accelerate', 's3-external-1', 's3-fips'):
            return part[3:]
        if part in ('s3', 's3-fips') and index + 1 < len(parts) and \
                parts[index + 1] not in ('amazonaws', 'dualstack'):
            return parts[index + 1]
        if part == 'dualstack' and index + 1 < len(parts):
            return parts[index + 1]
    return 'us-east-1'


def sts_host(region, regional=True):
    """The STS endpoint host of ``region``.

    Regional by default (``sts.REGION.amazonaws.com``), as current AWS SDKs do:
    tokens from the global endpoint are not valid in opt-in regions (AWS STS
    User Guide, "Managing AWS STS in an AWS Region").  ``regional=False`` gives
    the global ``sts.amazonaws.com`` where one exists (not in China or GovCloud).
    """
    if not regional and partition(region) == 'aws':  # only aws has a global STS
        return GLOBAL_STS_HOST
    return 'sts.%s.%s' % (region, dns_suffix(region))


class Endpoint(object):
    """A parsed ``endpoint_url``: ``scheme``, ``host``, ``port`` (None = default), ``is_secure``."""

    __slots__ = ('scheme', 'host', 'port', 'is_secure')

    def __init__(self, scheme, host, port):
        self.scheme = scheme
        self.host = host
        self.port = port
        self.is_secure = scheme == 'https'

    def __repr__(self):
        return 'Endpoint(%r)' % str(self.url)

    @property
    def url(self):
        return '%s://%s%s' % (self.scheme, self.host, ':%d' % self.port if self.port else '')

    def boto_kwargs(self):
        """``host``, ``port`` and ``is_secure`` for a boto 2 connection."""
        kwargs = {'host': self.host, 'is_secure': self.is_secure}
        if self.port:
            kwargs['port'] = self.port
        return kwargs


_HOST = r'^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)\Z'


def parse_endpoint_url(url, field='endpoint_url'):
    """An :class:`Endpoint` from ``http(s)://host[:port][/]``, or raise
    :class:`InvalidParameterError` saying which part is wrong."""
    if isinstance(url, Endpoint):
        return url
    if not isinstance(url, six.string_types) or not url.strip():
        raise InvalidParameterError('%s must be a URL such as "http://127.0.0.1:9000"' % field,
                                    field)
    try:
        parts = six.moves.urllib.parse.urlsplit(url.strip())
    except ValueError as error:
        # urlsplit raises a bare ValueError('Invalid IPv6 URL') for an unclosed
        # "[" (issue 11 item 6): keep the error contract, name the field.
        six.raise_from(InvalidParameterError(
            '%s has a bad host name (an IPv6 address must be in [brackets])' % field, field), error)
    if parts.scheme not in ('http', 'https'):
        raise InvalidParameterError('%s must start with http:// or https://' % field, field)
    if '@' in parts.netloc:
        raise InvalidParameterError('%s must not contain a user name or password' % field, field)
    if parts.path not in ('', '/') or parts.query or parts.fragment:
        raise InvalidParameterError('%s must be scheme, host and port only (no path, query or '
                                    'fragment)' % field, field)
    netloc = parts.netloc
    host, port = netloc, None
    match = re.match(r'^(.*?)(?::(\d*))?$', netloc)
    if match and not netloc.endswith(']'):
        host, port_text = match.group(1), match.group(2)
        if port_text is not None:
            if not port_text or not 0 < int(port_text) < 65536:
                raise InvalidParameterError('%s has a bad port (1-65535)' % field, field)
            port = int(port_text)
    if not host or not re.match(_HOST, host):
        raise InvalidParameterError('%s has a bad host name' % field, field)
    return Endpoint(parts.scheme, host, port)


def endpoint_from_env(service, environ=None):
    """The endpoint the AWS SDK environment names for ``service`` (``s3``, ``sts``), or None.

    ``service`` is a boto 2 service name (see :data:`SERVICES`: ``logs`` reads
    ``AWS_ENDPOINT_URL_CLOUDWATCH_LOGS``) or an SDK service id.

    ``AWS_ENDPOINT_URL_<SERVICE>`` wins over ``AWS_ENDPOINT_URL``; both are
    ignored when ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` is true (AWS SDKs and
    Tools Reference Guide, "Service-specific endpoints").
    """
    import os
    environ = os.environ if environ is None else environ
    if environ.get('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', '').lower() == 'true':
        return None
    own = service_env_name(service) if service in SERVICES else 'AWS_ENDPOINT_URL_%s' % service.upper()
    for name in (own, 'AWS_ENDPOINT_URL'):
        if environ.get(name):
            return parse_endpoint_url(environ[name], name)
    return None


def resolve_endpoint(service, endpoint_url=None, environ=None):
    """The explicit ``endpoint_url`` if given, else the environment's, else None."""
    if endpoint_url is not None:
        return parse_endpoint_url(endpoint_url)
    return endpoint_from_env(service, environ)


# -- every boto 2 service -------------------------------------------------------
#
# boto's endpoints.json stops at 2018, so ``boto.<service>.connect_to_region``
# returns None for every later region.  What follows is the data the patch of
# boto (stsboto.patch) needs to build the host of any region: for each boto 2
# service name (the key boto's endpoints.json and regioninfo.connect use),
# the endpoint prefix, the SigV4 signing name and the AWS SDK service id
# (from botocore's data/<service>/<version>/service-2.json "metadata":
# endpointPrefix, signingName, serviceId).

#: boto service name -> (endpoint prefix, signing name, SDK service id).
SERVICES = {
    'autoscaling': ('autoscaling', 'autoscaling', 'Auto Scaling'),
    'awslambda': ('lambda', 'lambda', 'Lambda'),
    'cloudformation': ('cloudformation', 'cloudformation', 'CloudFormation'),
    'cloudhsm': ('cloudhsm', 'cloudhsm', 'CloudHSM'),
    'cloudsearch': ('cloudsearch', 'cloudsearch', 'CloudSearch'),
    'cloudsearchdomain': ('cloudsearchdomain', 'cloudsearch', 'CloudSearch Domain'),
    'cloudtrail': ('cloudtrail', 'cloudtrail', 'CloudTrail'),
    'cloudwatch': ('monitoring', 'monitoring', 'CloudWatch'),
    'codedeploy': ('codedeploy', 'codedeploy', 'CodeDeploy'),
    'cognito-identity': ('cognito-identity', 'cognito-identity', 'Cognito Identity'),
    'cognito-sync': ('cognito-sync', 'cognito-sync', 'Cognito Sync'),
    'configservice': ('config', 'config', 'Config Service'),
    'datapipeline': ('datapipeline', 'datapipeline', 'Data Pipeline'),
    'directconnect': ('directconnect', 'directconnect', 'Direct Connect'),
    'dynamodb': ('dynamodb', 'dynamodb', 'DynamoDB'),
    'ec2': ('ec2', 'ec2', 'EC2'),
    'ec2containerservice': ('ecs', 'ecs', 'ECS'),
    'elasticache': ('elasticache', 'elasticache', 'ElastiCache'),
    'elasticbeanstalk': ('elasticbeanstalk', 'elasticbeanstalk', 'Elastic Beanstalk'),
    'elasticloadbalancing': ('elasticloadbalancing', 'elasticloadbalancing',
                             'Elastic Load Balancing'),
    'elasticmapreduce': ('elasticmapreduce', 'elasticmapreduce', 'EMR'),
    'elastictranscoder': ('elastictranscoder', 'elastictranscoder', 'Elastic Transcoder'),
    'glacier': ('glacier', 'glacier', 'Glacier'),
    'iam': ('iam', 'iam', 'IAM'),
    'kinesis': ('kinesis', 'kinesis', 'Kinesis'),
    'kms': ('kms', 'kms', 'KMS'),
    'logs': ('logs', 'logs', 'CloudWatch Logs'),
    'machinelearning': ('machinelearning', 'machinelearning', 'Machine Learning'),
    'opsworks': ('opsworks', 'opsworks', 'OpsWorks'),
    'rds': ('rds', 'rds', 'RDS'),
    'redshift': ('redshift', 'redshift', 'Redshift'),
    'route53': ('route53', 'route53', 'Route 53'),
    'route53domains': ('route53domains', 'route53domains', 'Route 53 Domains'),
    's3': ('s3', 's3', 'S3'),
    'sdb': ('sdb', 'sdb', 'SimpleDB'),
    'ses': ('email', 'ses', 'SES'),
    'sns': ('sns', 'sns', 'SNS'),
    'sqs': ('sqs', 'sqs', 'SQS'),
    'sts': ('sts', 'sts', 'STS'),
    'support': ('support', 'support', 'Support'),
    'swf': ('swf', 'swf', 'SWF'),
}

# Services with one endpoint per partition (botocore data/endpoints.json
# "partitionEndpoint" and its "credentialScope"): partition -> (host, signing region).
_GLOBAL = {
    'iam': {'aws': ('iam.amazonaws.com', 'us-east-1'),
            'aws-cn': ('iam.cn-north-1.amazonaws.com.cn', 'cn-north-1'),
            'aws-us-gov': ('iam.us-gov.amazonaws.com', 'us-gov-west-1')},
    'route53': {'aws': ('route53.amazonaws.com', 'us-east-1'),
                'aws-cn': ('route53.amazonaws.com.cn', 'cn-northwest-1'),
                'aws-us-gov': ('route53.us-gov.amazonaws.com', 'us-gov-west-1')},
    'route53domains': {'aws': ('route53domains.us-east-1.amazonaws.com', 'us-east-1')},
    'support': {'aws': ('support.us-east-1.amazonaws.com', 'us-east-1'),
                'aws-cn': ('support.cn-north-1.amazonaws.com.cn', 'cn-north-1'),
                'aws-us-gov': ('support.us-gov-west-1.amazonaws.com', 'us-gov-west-1')},
}
# us-east-1 kept its pre-regional host for these (AWS General Reference).
_US_EAST_1 = {'s3': 's3.amazonaws.com', 'sdb': 'sdb.amazonaws.com'}


def _service(service):
    try:
        return SERVICES[service]
    except KeyError:
        raise InvalidParameterError('service %r is not a boto 2 service stsboto knows (one of: %s)'
                                    % (service, ', '.join(sorted(SERVICES))), 'service')


def service_endpoint(service, region):
    """``(host, signing_region)`` of a boto 2 service in ``region``, for any valid region.

    Usage: ``service_endpoint('sqs', 'eu-north-1')  # ('sqs.eu-north-1.amazonaws.com', 'eu-north-1')``

    The host is ``{endpoint prefix}.{region}.{partition DNS suffix}`` (the
    AWS SDKs' default endpoint rule), except for services with one endpoint
    per partition (IAM, Route 53, Support: signed for that partition's
    region) and the us-east-1 hosts of S3 and SimpleDB.  STS is regional, as
    in current SDKs.

    :param str service: boto's service name (``sqs``, ``awslambda``, ``ses``...).
    :param str region: any AWS region name, seen before or not.
    :raises InvalidParameterError: unknown service or not a region name.
    """
    prefix = _service(service)[0]
    part = partition(region)
    scoped = _GLOBAL.get(service, {}).get(part)
    if scoped is not None:
        return scoped
    if region == 'us-east-1' and service in _US_EAST_1:
        return _US_EAST_1[service], region
    return '%s.%s.%s' % (prefix, region, dns_suffix(region)), region


def signing_name(service):
    """The SigV4 service name of a boto 2 service (``ses`` for ``email`` hosts)."""
    return _service(service)[1]


def service_env_name(service):
    """``AWS_ENDPOINT_URL_<ID>`` for a boto 2 service: the SDK service id, upper
    case, spaces as underscores (AWS SDKs and Tools Reference Guide,
    "Service-specific endpoints"): ``AWS_ENDPOINT_URL_CLOUDWATCH_LOGS``."""
    return 'AWS_ENDPOINT_URL_' + _service(service)[2].upper().replace(' ', '_')
