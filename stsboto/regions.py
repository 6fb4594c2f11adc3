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

from stsboto import _endpoint_data
from stsboto.config import Settings, is_true
from stsboto.exceptions import InvalidParameterError

__all__ = ['KNOWN_REGIONS', 'PARTITIONS', 'validate_region', 'partition', 'dns_suffix', 's3_host',
           'region_from_s3_host',
           'sts_host', 'GLOBAL_STS_HOST', 'Endpoint', 'parse_endpoint_url', 'endpoint_from_env',
           'resolve_endpoint', 'SERVICES', 'service_endpoint', 'signing_name',
           'service_env_name', 'service_key', 'configured_region', 'configured_endpoint',
           'variant_host', 'endpoint_variant', 's3_regional_host', 's3_accelerate_host',
           'sts_regional', 'LEGACY_GLOBAL_STS_REGIONS',
           'parse_access_point', 'access_point_host']

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

    ``s3.eu-north-1.amazonaws.com``, ``bucket.s3-eu-west-1.amazonaws.com``,
    ``s3-fips.dualstack.us-east-2.amazonaws.com``,
    ``ap-111122223333.s3-accesspoint.eu-west-1.amazonaws.com``; ``us-east-1``
    for the classic ``s3.amazonaws.com``, the accelerate hosts and hosts that
    are not AWS's (the region AWS SDKs and S3-compatible servers such as
    MinIO assume).
    """
    name = (host or '').split(':')[0].lower()
    parts = name.split('.')
    for index, part in enumerate(parts):
        if part in ('s3', 's3-fips', 's3-accesspoint', 's3-accesspoint-fips'):
            if index + 1 < len(parts) and parts[index + 1] not in ('amazonaws', 'dualstack'):
                return parts[index + 1]
            continue
        if part.startswith('s3-') and part not in ('s3-accelerate', 's3-external-1'):
            return part[3:]
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


def endpoint_from_env(service, environ=None, settings=None):
    """The endpoint configured for ``service`` (``s3``, ``sts``, ``logs``...), or None.

    ``service`` is a boto 2 service name (see :data:`SERVICES`: ``logs`` reads
    ``AWS_ENDPOINT_URL_CLOUDWATCH_LOGS``) or an SDK service id.  Read as
    botocore reads it (:meth:`stsboto.config.Settings.endpoint_url`):
    ``AWS_ENDPOINT_URL_<SERVICE>``, ``AWS_ENDPOINT_URL``, the service's
    ``endpoint_url`` in the profile's ``services`` section, the profile's
    ``endpoint_url``; none when ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` (or
    the profile's ``ignore_configured_endpoint_urls``) is true (AWS SDKs and
    Tools Reference Guide, "Service-specific endpoints").
    """
    return configured_endpoint(service, settings if settings is not None else Settings(environ))


def service_key(service):
    """The SDK service id in snake case, as the configuration names it:
    ``cloudwatch_logs`` for boto's ``logs`` (``AWS_ENDPOINT_URL_CLOUDWATCH_LOGS``,
    ``[services NAME] cloudwatch_logs =``)."""
    if service in SERVICES:
        return SERVICES[service][2].lower().replace(' ', '_')
    return service.lower().replace('-', '_').replace(' ', '_')


def configured_endpoint(service, settings=None):
    """The :class:`Endpoint` the configuration names for ``service``, or None
    (see :func:`endpoint_from_env`)."""
    settings = Settings() if settings is None else settings
    url, where = settings.endpoint_url(service_key(service))
    if url is None:
        return None
    field = where if where.startswith('AWS_') else 'endpoint_url'
    return parse_endpoint_url(url, field)


def resolve_endpoint(service, endpoint_url=None, environ=None, settings=None):
    """The explicit ``endpoint_url`` if given, else the configured one, else None."""
    if endpoint_url is not None:
        return parse_endpoint_url(endpoint_url)
    return endpoint_from_env(service, environ, settings)


def configured_region(service=None, explicit=None, settings=None, default=None):
    """The region in force, checked: ``explicit``, ``AWS_REGION``,
    ``AWS_DEFAULT_REGION``, the profile's ``region``, boto's own key for
    ``service`` (:meth:`stsboto.config.Settings.region`), else ``default``.

    :raises InvalidParameterError: the value found is not a region name
        (the message names where it came from).
    """
    settings = Settings() if settings is None else settings
    value, where = settings.region(service, explicit)
    if value is None:
        return default
    return validate_region(value, 'region' if where == 'argument' else where)


# -- FIPS, dual-stack, accelerate --------------------------------------------------

#: Regions where ``sts_regional_endpoints = legacy`` means the global
#: ``sts.amazonaws.com`` (botocore args.py ``LEGACY_GLOBAL_STS_REGIONS``).
LEGACY_GLOBAL_STS_REGIONS = frozenset((
    'ap-northeast-1', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1',
    'eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'sa-east-1',
    'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'))
_REGIONAL_CHOICES = ('legacy', 'regional')


def _regional_choice(settings, key, env, field):
    value, where = settings.lookup(key, env)
    if value is None:
        return None
    if value.lower() not in _REGIONAL_CHOICES:
        raise InvalidParameterError('%s must be "legacy" or "regional", not %r'
                                    % (where, value[:40]), field)
    return value.lower()


def sts_regional(region, settings=None):
    """False when ``AWS_STS_REGIONAL_ENDPOINTS`` / ``sts_regional_endpoints`` is
    ``legacy`` and ``region`` is one botocore then sends to ``sts.amazonaws.com``;
    True otherwise (the default, ``regional``)."""
    settings = Settings() if settings is None else settings
    choice = _regional_choice(settings, 'sts_regional_endpoints', 'AWS_STS_REGIONAL_ENDPOINTS',
                              'sts_regional_endpoints')
    return not (choice == 'legacy' and region in LEGACY_GLOBAL_STS_REGIONS)


def endpoint_variant(settings=None, service=None, fips=None, dualstack=None):
    """``(fips, dualstack)`` as configured: ``AWS_USE_FIPS_ENDPOINT`` /
    ``use_fips_endpoint``, ``AWS_USE_DUALSTACK_ENDPOINT`` /
    ``use_dualstack_endpoint`` (and for S3 the profile's ``s3`` sub-key
    ``use_dualstack_endpoint``); explicit values win."""
    settings = Settings() if settings is None else settings
    if fips is None:
        fips = settings.flag('use_fips_endpoint', 'AWS_USE_FIPS_ENDPOINT')
    if dualstack is None:
        dualstack = settings.flag('use_dualstack_endpoint', 'AWS_USE_DUALSTACK_ENDPOINT')
        if not dualstack and service == 's3':
            dualstack = is_true(settings.s3('use_dualstack_endpoint')[0])
    return bool(fips), bool(dualstack)


def _fill(pattern, region, bucket=None):
    outputs = _endpoint_data.PARTITION_OUTPUTS.get(partition(region), {})
    host = pattern.replace('{region}', region).replace('{dsdns}', outputs.get(
        'dualStackDnsSuffix', 'api.aws')).replace('{dns}', dns_suffix(region))
    return host.replace('{bucket}', bucket) if bucket is not None else host


def _variant(service, region, variant, what, bucket=None):
    validate_region(region)
    _service(service)
    entry = _endpoint_data.HOSTS.get(service, {}).get(variant)
    if entry is None:
        raise InvalidParameterError('service %s has no %s endpoint (stsboto knows none)'
                                    % (service, what), 'use_fips_endpoint' if 'FIPS' in what
                                    else 'use_dualstack_endpoint')
    pattern, rows = entry
    if region in rows:
        host = rows[region]
    else:
        outputs = _endpoint_data.PARTITION_OUTPUTS.get(partition(region), {})
        supported = (('fips' not in variant or outputs.get('supportsFIPS', False)) and
                     ('dualstack' not in variant or outputs.get('supportsDualStack', False)))
        host = pattern if supported else None
    if host is None:
        raise InvalidParameterError('service %s has no %s endpoint in region %s (botocore %s\'s '
                                    'endpoint rules)' % (service, what, region,
                                                         _endpoint_data.BOTOCORE_VERSION),
                                    'use_fips_endpoint' if 'FIPS' in what else
                                    'use_dualstack_endpoint')
    return _fill(host, region, bucket)


def variant_host(service, region, fips=False, dualstack=False):
    """The host of a boto 2 service in ``region``, FIPS and/or dual-stack.

    Usage: ``variant_host('sqs', 'us-east-2', fips=True)  # 'sqs-fips.us-east-2.amazonaws.com'``

    From botocore's endpoint rules (generated: ``stsboto/_endpoint_data.py``);
    without either flag, :func:`service_endpoint`'s host.

    :raises InvalidParameterError: the service has no such endpoint in that
        region (the message names both).
    """
    if not fips and not dualstack:
        return service_endpoint(service, region)[0]
    variant = 'fips-dualstack' if fips and dualstack else ('fips' if fips else 'dualstack')
    what = {'fips': 'FIPS', 'dualstack': 'dual-stack', 'fips-dualstack': 'FIPS dual-stack'}[variant]
    return _variant(service, region, variant, what)


def s3_regional_host(region, settings=None, fips=None, dualstack=None):
    """The S3 host of ``region`` as configured: FIPS / dual-stack, and for
    us-east-1 ``AWS_S3_US_EAST_1_REGIONAL_ENDPOINT`` /
    ``s3_us_east_1_regional_endpoint`` (``regional``: ``s3.us-east-1.amazonaws.com``;
    ``legacy``, the default: ``s3.amazonaws.com``)."""
    settings = Settings() if settings is None else settings
    fips, dualstack = endpoint_variant(settings, 's3', fips, dualstack)
    if fips or dualstack:
        return variant_host('s3', region, fips, dualstack)
    if region == 'us-east-1':
        value, where = settings.s3('us_east_1_regional_endpoint', 'AWS_S3_US_EAST_1_REGIONAL_ENDPOINT',
                                   's3_us_east_1_regional_endpoint')
        if value is not None and value.lower() not in _REGIONAL_CHOICES:
            raise InvalidParameterError('%s must be "legacy" or "regional", not %r'
                                        % (where, value[:40]), 's3_us_east_1_regional_endpoint')
        if value is not None and value.lower() == 'regional':
            return 's3.us-east-1.amazonaws.com'
    return s3_host(region)


_ACCESS_POINT = (r'^arn:(?P<partition>[a-z-]+):s3:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):'
                 r'accesspoint[/:](?P<name>[a-z0-9]([a-z0-9-]{1,48}[a-z0-9])?)\Z')


def parse_access_point(bucket):
    """``(region, name, account)`` of an S3 access point ARN given as a bucket
    name, or None for a plain bucket name.

    Usage: ``parse_access_point('arn:aws:s3:eu-west-1:123456789012:accesspoint/reports')``

    :raises InvalidParameterError: it starts with ``arn:`` but is not an S3
        access point ARN of a known partition and a region name (the message
        says which part).
    """
    if not isinstance(bucket, six.string_types) or not bucket.startswith('arn:'):
        return None
    match = re.match(_ACCESS_POINT, bucket)
    if match is None:
        raise InvalidParameterError(
            'bucket %r is an ARN but not an S3 access point ARN '
            '(arn:PARTITION:s3:REGION:ACCOUNT:accesspoint/NAME, NAME 3-50 of a-z 0-9 -)'
            % bucket[:120], 'bucket')
    region = validate_region(match.group('region'), 'bucket')
    if partition(region) != match.group('partition'):
        raise InvalidParameterError('bucket %r: region %s is not in partition %s'
                                    % (bucket[:120], region, match.group('partition')), 'bucket')
    return region, match.group('name'), match.group('account')


def access_point_host(bucket, settings=None, fips=None, dualstack=None):
    """``(host, region)`` of an S3 access point ARN (FIPS / dual-stack as
    configured), as botocore's S3 endpoint rules build it:
    ``NAME-ACCOUNT.s3-accesspoint.REGION.amazonaws.com``; None for a plain bucket."""
    parsed = parse_access_point(bucket)
    if parsed is None:
        return None
    region, name, account = parsed
    fips, dualstack = endpoint_variant(settings, 's3', fips, dualstack)
    variant = 'accesspoint' + ('-fips' if fips else '') + ('-dualstack' if dualstack else '')
    what = 'access point' + (' FIPS' if fips else '') + (' dual-stack' if dualstack else '')
    return _variant('s3', region, variant, what, bucket='%s-%s' % (name, account)), region


def s3_accelerate_host(region, dualstack=False, fips=False):
    """The S3 Transfer Acceleration host (``s3-accelerate.amazonaws.com``, buckets
    as sub-domains), or raise where the partition has none (China) and with
    FIPS (there is no FIPS accelerate endpoint; botocore refuses it too)."""
    if fips:
        raise InvalidParameterError('s3.use_accelerate_endpoint cannot be combined with '
                                    'use_fips_endpoint: S3 has no FIPS accelerate endpoint',
                                    'use_accelerate_endpoint')
    variant = 'accelerate-dualstack' if dualstack else 'accelerate'
    host = _variant('s3', region, variant, 'accelerate', bucket='{bucket}')
    return host.split('{bucket}.', 1)[1]


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
