"""Write stsboto/_endpoint_data.py from the installed botocore's endpoint rulesets.

Usage: python tools/gen_endpoint_data.py [OUTPUT]   (OUTPUT '-' prints it)

The FIPS and dual-stack hosts of every boto 2 service stsboto knows
(stsboto.regions.SERVICES), and S3's accelerate hosts, as botocore's
endpoint rulesets (data/<service>/<version>/endpoint-rule-set-1.json with
data/partitions.json) resolve them for each region of stsboto.regions.KNOWN_REGIONS.
Stored compactly: per service and variant, the host pattern most regions
follow (``{region}``, ``{dns}`` = the partition's DNS suffix, ``{dsdns}`` =
its dual-stack DNS suffix) and the regions that differ (a host, or None: no
such endpoint there).  Python 2.7 then needs no botocore; a py3 test
regenerates the module and compares (tests/unit/test_endpoint_data.py).
"""
from __future__ import print_function

import collections
import os
import pprint
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

# boto 2 service name -> botocore service name (where they differ)
BOTOCORE_NAMES = {
    'awslambda': 'lambda', 'configservice': 'config', 'ec2containerservice': 'ecs',
    'elasticloadbalancing': 'elb', 'elasticmapreduce': 'emr',
}
VARIANTS = collections.OrderedDict([
    ('fips', {'UseFIPS': True, 'UseDualStack': False}),
    ('dualstack', {'UseFIPS': False, 'UseDualStack': True}),
    ('fips-dualstack', {'UseFIPS': True, 'UseDualStack': True}),
])
# S3 only: virtual-hosted accelerate hosts ("{bucket}" stands for the bucket).
S3_VARIANTS = collections.OrderedDict([
    ('accelerate', {'UseFIPS': False, 'UseDualStack': False, 'Accelerate': True,
                    'Bucket': 'bucketplaceholder'}),
    ('accelerate-dualstack', {'UseFIPS': False, 'UseDualStack': True, 'Accelerate': True,
                              'Bucket': 'bucketplaceholder'}),
])
# S3 only: access point hosts ("{bucket}" stands for NAME-ACCOUNT), for an
# access point ARN in the region itself.
ACCESS_POINT = 'arn:{partition}:s3:{region}:123456789012:accesspoint/apname'
for _name, _flags in (('accesspoint', (False, False)), ('accesspoint-fips', (True, False)),
                      ('accesspoint-dualstack', (False, True)),
                      ('accesspoint-fips-dualstack', (True, True))):
    S3_VARIANTS[_name] = {'UseFIPS': _flags[0], 'UseDualStack': _flags[1], 'Bucket': ACCESS_POINT}


def _resolve(provider, params):
    from botocore.exceptions import EndpointResolutionError
    try:
        url = provider.resolve_endpoint(**params).url
    except EndpointResolutionError:
        return None
    return url.split('://', 1)[1].rstrip('/')


def _pattern(host, region, outputs):
    if host is None:
        return None
    host = host.replace('bucketplaceholder', '{bucket}').replace('apname-123456789012', '{bucket}')
    if host.endswith('.' + outputs['dualStackDnsSuffix']):
        host = host[:-len(outputs['dualStackDnsSuffix'])] + '{dsdns}'
    elif host.endswith('.' + outputs['dnsSuffix']):
        host = host[:-len(outputs['dnsSuffix'])] + '{dns}'
    return host.replace(region, '{region}')


def generate():
    import botocore
    import botocore.loaders
    from botocore.endpoint_provider import EndpointProvider
    from stsboto import regions
    loader = botocore.loaders.create_loader()
    partitions = loader.load_data('partitions')
    outputs = dict((p['id'], dict(p['outputs'])) for p in partitions['partitions'])
    table = collections.OrderedDict()
    for service in sorted(regions.SERVICES):
        name = BOTOCORE_NAMES.get(service, service)
        try:
            ruleset = loader.load_service_model(name, 'endpoint-rule-set-1')
        except Exception:  # noqa: BLE001  a service botocore no longer has
            continue
        provider = EndpointProvider(ruleset, partitions)
        variants = dict(VARIANTS)
        if service == 's3':
            variants.update(S3_VARIANTS)
        entry = collections.OrderedDict()
        for variant in list(VARIANTS) + (list(S3_VARIANTS) if service == 's3' else []):
            found = collections.OrderedDict()
            for region in regions.KNOWN_REGIONS:
                params = dict(variants[variant], Region=region)
                if 'Bucket' in params:
                    params['Bucket'] = params['Bucket'].format(
                        partition=regions.partition(region), region=region)
                if service == 'sts':
                    params['UseGlobalEndpoint'] = False
                found[region] = _pattern(_resolve(provider, params), region,
                                         outputs[regions.partition(region)])
            counts = collections.Counter(p for p in found.values() if p is not None)
            common = counts.most_common(1)[0][0] if counts else None
            rows = collections.OrderedDict()
            for region, pattern in found.items():
                if pattern != common:
                    rows[region] = None if pattern is None else pattern.replace('{region}', region)
            entry[variant] = (common, rows)
        table[service] = entry
    return botocore.__version__, outputs, table


def render():
    version, outputs, table = generate()
    keep = ('dnsSuffix', 'dualStackDnsSuffix', 'supportsFIPS', 'supportsDualStack')
    parts = collections.OrderedDict(
        (pid, dict((k, v) for k, v in sorted(out.items()) if k in keep))
        for pid, out in sorted(outputs.items()))
    lines = [
        '"""FIPS, dual-stack and S3 accelerate hosts, generated from botocore %s\'s endpoint'
        % version,
        'rulesets by tools/gen_endpoint_data.py: do not edit (regenerate; a py3 test compares).',
        '',
        'HOSTS[service][variant] = (pattern, {region: host, or None where there is none}):',
        'the pattern holds {region}, {dns} (the partition\'s DNS suffix), {dsdns} (its',
        'dual-stack suffix) and, for S3 accelerate and access points, {bucket}',
        '(the bucket; NAME-ACCOUNT of an access point).',
        '"""',
        '# flake8: noqa',
        'BOTOCORE_VERSION = %r' % str(version),
        'PARTITION_OUTPUTS = %s' % pprint.pformat(dict(parts), width=100),
        'HOSTS = {',
    ]
    for service, entry in table.items():
        lines.append('    %r: {' % str(service))
        for variant, (common, rows) in entry.items():
            lines.append('        %r: (%r, {' % (str(variant), common if common is None else str(common)))
            for region, host in rows.items():
                lines.append('            %r: %r,' % (str(region), host if host is None else str(host)))
            lines.append('        }),')
        lines.append('    },')
    lines.append('}')
    return '\n'.join(lines) + '\n'


def main(argv):
    text = render()
    default = os.path.join(os.path.dirname(HERE), 'stsboto', '_endpoint_data.py')
    target = argv[1] if len(argv) > 1 else default
    if target == '-':
        sys.stdout.write(text)
    else:
        with open(target, 'w') as out:
            out.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
