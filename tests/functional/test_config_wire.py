"""Configuration keys that show on the wire without a botocore oracle (issue 18 item 2):
the region's precedence, the application id in the User-Agent, the CLI's region."""
from __future__ import absolute_import, unicode_literals

import pytest

import stsboto
from tests.fakehttp import ISSUED
from tests.cli_support import issued, run  # noqa: F401  (issued: the fixture)

import boto  # noqa: E402  (after stsboto)
import boto.regioninfo  # noqa: E402
import boto.sqs  # noqa: E402
import boto.sts  # noqa: E402

ENV_KEYS = {'AWS_ACCESS_KEY_ID': ISSUED['access_key'], 'AWS_SECRET_ACCESS_KEY': ISSUED['secret_key'],
            'AWS_SESSION_TOKEN': ISSUED['session_token']}


def _setenv(monkeypatch, **values):
    for key, value in values.items():
        monkeypatch.setenv(str(key), str(value))


def _config(monkeypatch, tmpdir, text):
    path = tmpdir.join('config')
    path.write(text)
    _setenv(monkeypatch, AWS_CONFIG_FILE=str(path))


def test_aws_region_beats_aws_default_region_beats_the_profile(fake_aws, monkeypatch, tmpdir):
    _config(monkeypatch, tmpdir, '[default]\nregion = ap-south-1\n')
    hosts = []
    for env in ({'AWS_REGION': 'eu-west-3', 'AWS_DEFAULT_REGION': 'eu-west-2'},
                {'AWS_DEFAULT_REGION': 'eu-west-2'}, {}):
        for name in ('AWS_REGION', 'AWS_DEFAULT_REGION'):
            monkeypatch.delenv(str(name), raising=False)
        _setenv(monkeypatch, **env)
        stsboto.connect_with_token(dict(ISSUED)).get_bucket('photos').new_key('k') \
            .set_contents_from_string(b'x')
        hosts.append(fake_aws.requests[-1].host)
    assert hosts == ['photos.s3.eu-west-3.amazonaws.com:443', 'photos.s3.eu-west-2.amazonaws.com:443',
                     'photos.s3.ap-south-1.amazonaws.com:443']


def test_an_explicit_region_beats_the_configuration(fake_aws, monkeypatch):
    _setenv(monkeypatch, AWS_REGION='eu-west-3')
    conn = stsboto.connect_with_token(dict(ISSUED), region='sa-east-1')
    assert conn.host == 's3.sa-east-1.amazonaws.com'


def test_patched_boto_reads_the_profile_region(monkeypatch, tmpdir, patched):
    _setenv(monkeypatch, **ENV_KEYS)
    _config(monkeypatch, tmpdir, '[profile work]\nregion = eu-central-2\n')
    _setenv(monkeypatch, AWS_PROFILE='work')
    assert boto.connect_s3().host == 's3.eu-central-2.amazonaws.com'
    assert boto.connect_sqs().host == 'sqs.eu-central-2.amazonaws.com'


def test_the_application_id_is_in_the_user_agent(fake_aws, monkeypatch, tmpdir):
    _config(monkeypatch, tmpdir, '[default]\nsdk_ua_app_id = nightly-report\n')
    stsboto.connect_with_token(dict(ISSUED)).get_bucket('photos').new_key('k').set_contents_from_string(b'x')
    agent = fake_aws.requests[-1].header('user-agent')
    assert agent.startswith(boto.UserAgent) and agent.endswith(' app/nightly-report')


def test_patched_boto_sends_the_application_id_for_every_service(fake_aws, monkeypatch, patched):
    stsboto.unpatch_boto()
    _setenv(monkeypatch, AWS_SDK_UA_APP_ID='billing 2', AWS_ENDPOINT_URL='http://127.0.0.1:9000', **ENV_KEYS)
    stsboto.patch_boto()   # the User-Agent is read when the patch is applied
    boto.connect_s3().get_bucket('photos', validate=False).new_key('k').set_contents_from_string(b'x')
    with pytest.raises(boto.exception.SQSError):   # the fake answers SQS with an S3 error
        boto.connect_sqs().get_all_queues()
    agents = [request.header('user-agent') for request in fake_aws.requests]
    assert len(agents) == 2 and all(agent.endswith(' app/billing-2') for agent in agents), agents
    stsboto.unpatch_boto()
    assert boto.connection.UserAgent == boto.UserAgent   # put back


def test_without_an_application_id_the_user_agent_is_boto_s(fake_aws):
    stsboto.connect_with_token(dict(ISSUED)).get_bucket('photos').new_key('k').set_contents_from_string(b'x')
    assert fake_aws.requests[-1].header('user-agent') == boto.UserAgent


def test_cli_region_from_the_profile(issued, tmpdir):  # noqa: F811
    path = tmpdir.join('config')
    path.write('[default]\nregion = eu-south-2\n[profile work]\nregion = il-central-1\n')
    assert run(['issue', '--bucket', 'photos'], environ={'AWS_CONFIG_FILE': str(path)}).code == 0
    assert run(['issue', '--bucket', 'photos'],
               environ={'AWS_CONFIG_FILE': str(path), 'AWS_PROFILE': 'work'}).code == 0
    assert run(['issue', '--bucket', 'photos', '--region', 'me-central-1'],
               environ={'AWS_CONFIG_FILE': str(path)}).code == 0
    assert [call['region'] for call in issued] == ['eu-south-2', 'il-central-1', 'me-central-1']


def test_cli_bad_configured_region_is_an_error_naming_the_variable(issued):  # noqa: F811
    result = run(['issue', '--bucket', 'photos'], environ={'AWS_DEFAULT_REGION': 'Europe'})
    assert result.code != 0 and 'AWS_DEFAULT_REGION' in result.err
    assert issued == []


def test_sts_region_info_from_boto_yields_to_the_configured_endpoint(monkeypatch):
    _setenv(monkeypatch, AWS_ENDPOINT_URL_STS='http://127.0.0.1:9006', **ENV_KEYS)
    own = [r for r in boto.sts.regions() if r.name == 'eu-west-1'][0]
    conn = stsboto.sts.connect_to_region('eu-west-1', region=own)
    assert (conn.host, conn.port, conn.auth_region_name) == ('127.0.0.1', 9006, 'eu-west-1')
    written = boto.regioninfo.RegionInfo(name='eu-west-1', endpoint='sts.internal.example')
    assert stsboto.sts.connect_to_region('eu-west-1', region=written).host == 'sts.internal.example'


def test_own_sts_calls_send_the_application_id(fake_aws, monkeypatch):
    _setenv(monkeypatch, AWS_SDK_UA_APP_ID='issuer-7')
    stsboto.issue_token(bucket='photos', name='uploader-42', duration=900,
                        aws_access_key_id='AKIAISSUERKEY0000001', aws_secret_access_key='issuerSecret/0123')
    (request,) = fake_aws.requests
    assert request.header('user-agent') == boto.UserAgent + ' app/issuer-7'
    assert '/us-east-1/sts/aws4_request' in request.header('authorization')
