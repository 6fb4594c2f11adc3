"""Configuration keys on the wire, with botocore as the oracle (issue 18 item 2).

For each row of settings (environment variables and shared config file
content), stsboto's own connection and patched boto send their request, and a
botocore client built by a ``Session`` from the same environment and files
prepares the same call; the host, the path and the SigV4 signing region must
agree.  Only the socket is faked (tests/fakehttp.py); botocore's request is
stopped in its ``before-send`` event, before any network.
"""
from __future__ import absolute_import, unicode_literals

import re

import pytest
import six

import stsboto
from tests.fakehttp import ISSUED

import boto  # noqa: E402  (after stsboto)
import boto.sqs  # noqa: E402
import boto.sts  # noqa: E402

ENV_KEYS = {'AWS_ACCESS_KEY_ID': ISSUED['access_key'], 'AWS_SECRET_ACCESS_KEY': ISSUED['secret_key'],
            'AWS_SESSION_TOKEN': ISSUED['session_token']}
ACCESS_POINT = 'arn:aws:s3:us-west-2:123456789012:accesspoint/reports'


def _botocore_applies():
    if six.PY2:
        return False
    try:
        import botocore
    except ImportError:
        return False
    return tuple(int(p) for p in botocore.__version__.split('.')[:2]) >= (1, 31)


pytestmark = pytest.mark.applies(_botocore_applies(), reason='botocore with endpoint rulesets and '
                                 'AWS_ENDPOINT_URL (1.31+) is a py3 test dependency')

#: (id, environment, config file, bucket): S3 PutObject photos/k
S3_ROWS = [
    ('default', {}, '', 'photos'),
    ('AWS_DEFAULT_REGION', {'AWS_DEFAULT_REGION': 'eu-west-2'}, '', 'photos'),
    ('profile region', {}, '[default]\nregion = ap-southeast-2\n', 'photos'),
    ('named profile region', {'AWS_PROFILE': 'work'}, '[profile work]\nregion = ca-central-1\n', 'photos'),
    ('AWS_DEFAULT_PROFILE first', {'AWS_PROFILE': 'home', 'AWS_DEFAULT_PROFILE': 'work'},
     '[profile work]\nregion = sa-east-1\n[profile home]\nregion = eu-west-3\n', 'photos'),
    ('fips env', {'AWS_DEFAULT_REGION': 'us-east-2', 'AWS_USE_FIPS_ENDPOINT': 'true'}, '', 'photos'),
    ('fips profile', {}, '[default]\nregion = us-west-2\nuse_fips_endpoint = true\n', 'photos'),
    ('dualstack env', {'AWS_DEFAULT_REGION': 'eu-west-1', 'AWS_USE_DUALSTACK_ENDPOINT': 'true'}, '',
     'photos'),
    ('dualstack s3 sub-key', {}, '[default]\nregion = eu-central-1\ns3 =\n  use_dualstack_endpoint = true\n',
     'photos'),
    ('fips and dualstack', {'AWS_DEFAULT_REGION': 'us-east-2', 'AWS_USE_FIPS_ENDPOINT': 'true',
                            'AWS_USE_DUALSTACK_ENDPOINT': 'true'}, '', 'photos'),
    ('fips govcloud', {'AWS_DEFAULT_REGION': 'us-gov-west-1', 'AWS_USE_FIPS_ENDPOINT': 'true'}, '',
     'photos'),
    ('accelerate', {}, '[default]\nregion = eu-west-1\ns3 =\n  use_accelerate_endpoint = true\n',
     'photos'),
    ('accelerate dualstack', {'AWS_USE_DUALSTACK_ENDPOINT': 'true'},
     '[default]\nregion = eu-west-1\ns3 =\n  use_accelerate_endpoint = true\n', 'photos'),
    ('addressing path', {}, '[default]\nregion = eu-west-1\ns3 =\n  addressing_style = path\n', 'photos'),
    ('addressing virtual', {}, '[default]\nregion = eu-west-1\ns3 =\n  addressing_style = virtual\n',
     'photos'),
    ('dotted bucket', {'AWS_DEFAULT_REGION': 'eu-west-1'}, '', 'my.photos'),
    ('us-east-1 regional env', {'AWS_DEFAULT_REGION': 'us-east-1',
                                'AWS_S3_US_EAST_1_REGIONAL_ENDPOINT': 'regional'}, '', 'photos'),
    ('us-east-1 regional profile', {},
     '[default]\nregion = us-east-1\ns3_us_east_1_regional_endpoint = regional\n', 'photos'),
    ('us-east-1 regional s3 sub-key', {},
     '[default]\nregion = us-east-1\ns3 =\n  us_east_1_regional_endpoint = regional\n', 'photos'),
    ('access point', {'AWS_DEFAULT_REGION': 'us-west-2'}, '', ACCESS_POINT),
    ('access point fips', {'AWS_DEFAULT_REGION': 'us-west-2', 'AWS_USE_FIPS_ENDPOINT': 'true'}, '',
     ACCESS_POINT),
    ('access point dualstack', {'AWS_DEFAULT_REGION': 'us-west-2', 'AWS_USE_DUALSTACK_ENDPOINT': 'true'},
     '', ACCESS_POINT),
    ('endpoint env', {'AWS_ENDPOINT_URL_S3': 'http://127.0.0.1:9000'}, '', 'photos'),
    ('endpoint profile', {}, '[default]\nendpoint_url = http://127.0.0.1:9000\n', 'photos'),
    ('endpoint services section', {},
     '[default]\nservices = local\n[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:9002\n'
     'sts =\n  endpoint_url = http://127.0.0.1:9003\n', 'photos'),
    ('service env beats services section', {'AWS_ENDPOINT_URL_S3': 'http://127.0.0.1:9004'},
     '[default]\nservices = local\n[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:9002\n',
     'photos'),
    ('ignore configured endpoints env', {'AWS_ENDPOINT_URL': 'http://127.0.0.1:9000',
                                         'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS': 'true',
                                         'AWS_DEFAULT_REGION': 'eu-west-1'}, '', 'photos'),
    ('ignore configured endpoints profile', {},
     '[default]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:9000\n'
     'ignore_configured_endpoint_urls = true\n', 'photos'),
]

#: (id, environment, config file, region) for STS and SQS hosts
SERVICE_ROWS = [
    ('regional', {}, '', 'eu-west-1'),
    ('legacy listed region', {'AWS_STS_REGIONAL_ENDPOINTS': 'legacy'}, '', 'eu-west-1'),
    ('legacy unlisted region', {'AWS_STS_REGIONAL_ENDPOINTS': 'legacy'}, '', 'ap-east-1'),
    ('legacy profile', {}, '[default]\nsts_regional_endpoints = legacy\n', 'us-west-2'),
    ('fips', {'AWS_USE_FIPS_ENDPOINT': 'true'}, '', 'us-east-2'),
    ('fips govcloud', {'AWS_USE_FIPS_ENDPOINT': 'true'}, '', 'us-gov-east-1'),
    ('dualstack', {'AWS_USE_DUALSTACK_ENDPOINT': 'true'}, '', 'eu-north-1'),
    ('fips dualstack profile', {}, '[default]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = true\n',
     'us-west-1'),
    ('endpoint services section', {},
     '[default]\nservices = local\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:9003\n'
     'sqs =\n  endpoint_url = http://127.0.0.1:9005\n', 'eu-west-1'),
]


class _Stop(Exception):
    def __init__(self, request):
        Exception.__init__(self, 'stopped before sending')
        self.request = request


def _configure(monkeypatch, tmpdir, env, config):
    for name, value in dict(ENV_KEYS, **env).items():
        monkeypatch.setenv(str(name), str(value))
    path = tmpdir.join('config')
    path.write(config)
    monkeypatch.setenv(str('AWS_CONFIG_FILE'), str(path))


def _parts(url, authorization):
    match = re.match(r'^(https?)://([^/]+)(/[^?]*)', url)
    region = re.search(r'Credential=[^/]+/\d{8}/([^/]+)/', authorization or '')
    return match.group(2), match.group(3), region.group(1) if region else None


_LOADER = []


def _botocore(service, call, **kwargs):
    import botocore.loaders
    import botocore.session
    session = botocore.session.Session()
    if not _LOADER:
        _LOADER.append(botocore.loaders.create_loader())
    # one loader for every session: botocore's service models parsed once, not per row
    session.register_component('data_loader', _LOADER[0])
    client = session.create_client(service)

    def stop(request, **_):
        raise _Stop(request)
    client.meta.events.register('before-send', stop)
    with pytest.raises(_Stop) as caught:
        getattr(client, call)(**kwargs)
    request = caught.value.request
    return _parts(request.url, request.headers.get('Authorization', b'').decode('ascii'))


def _ours(request):
    scheme_host = request.host.split(':')[0] if request.host.endswith((':443', ':80')) else request.host
    authorization = request.header('authorization')
    url = 'http://%s%s' % (scheme_host, request.target)
    return _parts(url, authorization)


@pytest.mark.parametrize('row', S3_ROWS, ids=[row[0] for row in S3_ROWS])
def test_own_s3_connection_resolves_as_botocore(fake_aws, monkeypatch, tmpdir, row):
    _, env, config, bucket = row
    _configure(monkeypatch, tmpdir, env, config)
    expected = _botocore('s3', 'put_object', Bucket=bucket, Key='k', Body=b'x')
    conn = stsboto.connect_with_token(None)
    conn.get_bucket(bucket).new_key('k').set_contents_from_string(b'x')
    (request,) = fake_aws.requests
    assert _ours(request) == expected


@pytest.mark.parametrize('row', S3_ROWS, ids=[row[0] for row in S3_ROWS])
def test_patched_boto_s3_resolves_as_botocore(fake_aws, monkeypatch, tmpdir, row):
    _, env, config, bucket = row
    _configure(monkeypatch, tmpdir, env, config)
    expected = _botocore('s3', 'put_object', Bucket=bucket, Key='k', Body=b'x')
    stsboto.patch_boto()
    try:
        conn = boto.connect_s3()
        conn.get_bucket(bucket, validate=False).new_key('k').set_contents_from_string(b'x')
    finally:
        stsboto.unpatch_boto()
    (request,) = fake_aws.requests
    assert _ours(request) == expected


@pytest.mark.parametrize('row', SERVICE_ROWS, ids=[row[0] for row in SERVICE_ROWS])
def test_sts_hosts_resolve_as_botocore(monkeypatch, tmpdir, row):
    _, env, config, region = row
    _configure(monkeypatch, tmpdir, dict(env, AWS_DEFAULT_REGION=region), config)
    host, _, signing_region = _botocore('sts', 'get_caller_identity')
    conn = stsboto.sts.connect_to_region(region)
    assert conn.host == host.split(':')[0]
    stsboto.patch_boto()
    try:
        for patched in (boto.sts.connect_to_region(region), boto.connect_sts()):
            assert patched.host == host.split(':')[0]
    finally:
        stsboto.unpatch_boto()


# Without a setting that changes the host, patched boto keeps boto's own SQS
# hosts (eu-west-1.queue.amazonaws.com, still served by AWS) where botocore
# writes sqs.eu-west-1.amazonaws.com: only the rows that change it are compared.
SQS_ROWS = [row for row in SERVICE_ROWS if row[0] != 'regional' and 'legacy' not in row[0]]


@pytest.mark.parametrize('row', SQS_ROWS, ids=[row[0] for row in SQS_ROWS])
def test_patched_sqs_hosts_resolve_as_botocore(monkeypatch, tmpdir, row):
    _, env, config, region = row
    _configure(monkeypatch, tmpdir, dict(env, AWS_DEFAULT_REGION=region), config)
    host, _, _ = _botocore('sqs', 'list_queues')
    stsboto.patch_boto()
    try:
        for conn in (boto.sqs.connect_to_region(region), boto.connect_sqs()):
            assert (conn.host if not conn.port or conn.port in (80, 443) else
                    '%s:%s' % (conn.host, conn.port)) == host
    finally:
        stsboto.unpatch_boto()
