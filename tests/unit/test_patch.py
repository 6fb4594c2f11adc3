"""stsboto.patch_boto() / unpatch_boto(): what the patch changes in boto, and that it undoes it.

Each test starts and ends with boto unpatched (the ``unpatched`` fixture), so
the rest of the suite sees boto as it is.
"""
from __future__ import absolute_import, unicode_literals

import datetime
import importlib
import sys
import warnings

import pytest
import six

import stsboto
from stsboto import patch, regions
from stsboto._compat import UTC
from stsboto.exceptions import InvalidParameterError, StsbotoError
from tests.factories import looping_path, write_ini
from tests.factories import make_token

import boto  # noqa: E402  (after stsboto)
import boto.auth  # noqa: E402
import boto.connection  # noqa: E402
import boto.provider  # noqa: E402
import boto.s3.connection  # noqa: E402
import boto.sns  # noqa: E402
import boto.sqs  # noqa: E402
import boto.sqs.connection  # noqa: E402

KEY = 'ASIAPATCHTEST0000001'
SECRET = 'patch/test+secret0000000000000000000000'
SESSION = 'FQoGZXIvYXdzEPatchTestSessionToken000000000000'


@pytest.fixture(autouse=True)
def unpatched():
    patch.unpatch_boto()
    yield
    patch.unpatch_boto()


@pytest.fixture
def env_credentials(monkeypatch):
    monkeypatch.setenv(str('AWS_ACCESS_KEY_ID'), str(KEY))
    monkeypatch.setenv(str('AWS_SECRET_ACCESS_KEY'), str(SECRET))
    monkeypatch.setenv(str('AWS_SESSION_TOKEN'), str(SESSION))


def _attributes():
    """Every (target, attribute) of the patch, with the object boto has there now."""
    targets = [(boto.provider.Provider, 'get_credentials'),
               (boto.connection.AWSAuthConnection, '__init__'),
               (boto.connection.AWSQueryConnection, 'make_request'),
               (boto.auth.HmacAuthV4Handler, 'query_string'),
               (boto.s3.connection.S3Connection, '__init__'),
               (boto.s3.connection.S3Connection, 'generate_url'),
               (boto.sqs.connection.SQSConnection, '__init__'),
               (boto.sqs, 'connect_to_region'), (boto.sns, 'connect_to_region')]
    return [(t, a, (t.__dict__.get(a) if isinstance(t, type) else getattr(t, a))) for t, a in targets]


def test_round_trip_restores_every_attribute():
    before = _attributes()
    filters = list(warnings.filters)
    meta_path = list(sys.meta_path)
    assert stsboto.patch_boto() is True
    assert patch.is_patched()
    during = _attributes()
    changed = [(t, a) for (t, a, old), (_, _, new) in zip(before, during) if old is not new]
    assert len(changed) == len(before)  # every one of them was replaced
    assert stsboto.unpatch_boto() is True
    assert not patch.is_patched()
    assert _attributes() == before
    assert warnings.filters == filters
    assert sys.meta_path == meta_path


def test_patch_and_unpatch_are_idempotent():
    assert stsboto.patch_boto() is True
    first = _attributes()
    assert stsboto.patch_boto() is False
    assert _attributes() == first
    assert stsboto.unpatch_boto() is True
    assert stsboto.unpatch_boto() is False


def test_import_stsboto_alone_does_not_patch(env_credentials):
    assert not patch.is_patched()
    conn = boto.connect_s3()
    assert conn.provider.security_token is None  # boto issue 3298, as before


def test_environment_variable_asks_for_the_patch(monkeypatch):
    assert patch.apply_from_environment({}) is False
    assert patch.apply_from_environment({'STSBOTO_PATCH_BOTO': '0'}) is False
    assert not patch.is_patched()
    assert patch.apply_from_environment({'STSBOTO_PATCH_BOTO': '1'}) is True
    assert patch.is_patched()


def test_every_row_of_the_table_is_applied_and_undone():
    import boto.route53  # noqa: F401  (their rows apply when they are imported)
    import boto.ses  # noqa: F401
    stsboto.patch_boto()
    applied = set((target, attribute) for target, attribute, _ in patch._applied)
    for row in patch.TABLE:
        if row.where == 'warnings':
            assert patch._state['filter'] in warnings.filters
        elif row.where in (patch.EACH_MODULE, patch.EACH_CLASS):
            assert any(attribute == row.attribute for _, attribute in applied), row
        else:
            assert (patch._target(row.where), row.attribute) in applied, row
    stsboto.unpatch_boto()
    assert patch._applied == []


def test_table_lists_every_kind_of_change_with_its_reason():
    wheres = [row.where for row in patch.TABLE]
    for needed in ('boto.provider:Provider', 'boto.connection:AWSAuthConnection',
                   'boto.s3.connection:S3Connection', 'each service module', 'warnings'):
        assert any(w.startswith(needed) for w in wheres), needed
    assert all(row.reason and row.attribute for row in patch.TABLE)
    assert any('3298' in row.reason for row in patch.TABLE)
    assert any('1477' in row.reason for row in patch.TABLE)


# -- credentials ------------------------------------------------------------------

def test_bare_connections_take_the_session_token_from_the_environment(env_credentials):
    stsboto.patch_boto()
    for conn in (boto.connect_s3(), boto.s3.connection.S3Connection(), boto.connect_sqs(),
                 boto.sqs.connect_to_region('eu-north-1'), boto.connect_sns()):
        assert (conn.provider.access_key, conn.provider.secret_key,
                conn.provider.security_token) == (KEY, SECRET, SESSION), conn


def test_shared_credentials_file_session_token(isolated_environment):
    folder = isolated_environment.mkdir('.aws')
    folder.join('credentials').write('[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n'
                                     'aws_session_token = %s\n' % (KEY, SECRET, SESSION))
    stsboto.patch_boto()
    assert boto.connect_sqs().provider.security_token == SESSION


def test_explicit_keys_are_left_to_boto(env_credentials):
    stsboto.patch_boto()
    conn = boto.connect_sqs('AKIAEXPLICIT00000001', 'explicit-secret')
    assert conn.provider.access_key == 'AKIAEXPLICIT00000001'
    assert conn.provider.security_token is None  # boto's rule: no env token with explicit keys


def test_connections_with_found_credentials_check_the_token_before_sending(monkeypatch):
    expired = make_token(expiration=datetime.datetime(2020, 1, 1, tzinfo=UTC))
    for name, value in expired.to_env().items():
        monkeypatch.setenv(str(name), str(value))
    stsboto.patch_boto()
    conn = boto.connect_sqs()
    request = conn.build_base_http_request('POST', '/', None, {'Action': 'ListQueues'})
    with pytest.raises(StsbotoError) as info:
        request.authorize(connection=conn)
    assert expired.secret_key not in str(info.value)
    assert expired.session_token not in str(info.value)


# -- regions and endpoints ----------------------------------------------------------

@pytest.mark.parametrize('module, region, host', [
    ('boto.sqs', 'eu-north-1', 'sqs.eu-north-1.amazonaws.com'),
    ('boto.dynamodb2', 'ap-southeast-5', 'dynamodb.ap-southeast-5.amazonaws.com'),
    ('boto.sns', 'mx-central-1', 'sns.mx-central-1.amazonaws.com'),
    ('boto.ec2', 'ap-southeast-9', 'ec2.ap-southeast-9.amazonaws.com'),
    ('boto.iam', 'cn-northwest-1', 'iam.cn-north-1.amazonaws.com.cn'),
    ('boto.s3', 'eu-north-1', 's3.eu-north-1.amazonaws.com'),
    ('boto.sts', 'eu-south-2', 'sts.eu-south-2.amazonaws.com'),
])
def test_regions_boto_does_not_know_get_a_connection(module, region, host):
    mod = importlib.import_module(module)
    assert mod.connect_to_region(region, aws_access_key_id=KEY, aws_secret_access_key=SECRET) is None
    stsboto.patch_boto()
    conn = mod.connect_to_region(region, aws_access_key_id=KEY, aws_secret_access_key=SECRET)
    assert conn.host == host
    assert conn._auth_handler.region_name == patch._regions.service_endpoint(
        patch.SERVICE_MODULES[module], region)[1]


def test_invalid_region_names_still_give_none():
    stsboto.patch_boto()
    assert boto.sqs.connect_to_region('Narnia-1', aws_access_key_id=KEY,
                                      aws_secret_access_key=SECRET) is None


def test_aws_region_where_boto_picks_us_east_1(env_credentials, monkeypatch):
    monkeypatch.setenv(str('AWS_REGION'), str('eu-north-1'))
    stsboto.patch_boto()
    assert boto.connect_sqs().host == 'sqs.eu-north-1.amazonaws.com'
    assert boto.sqs.connection.SQSConnection().region.name == 'eu-north-1'
    assert boto.connect_s3().host == 's3.eu-north-1.amazonaws.com'
    assert boto.connect_s3()._auth_handler.region_name == 'eu-north-1'
    # a region the program names wins over the environment's
    assert boto.sqs.connect_to_region('eu-west-1').region.name == 'eu-west-1'


def test_aws_default_region_and_a_bad_region_variable(env_credentials, monkeypatch):
    monkeypatch.setenv(str('AWS_DEFAULT_REGION'), str('ap-southeast-7'))
    stsboto.patch_boto()
    assert boto.connect_sns().host == 'sns.ap-southeast-7.amazonaws.com'
    monkeypatch.setenv(str('AWS_REGION'), str('Mars'))
    with pytest.raises(InvalidParameterError) as info:
        boto.connect_sns()
    assert info.value.field == 'AWS_REGION'


@pytest.mark.parametrize('variable', ['AWS_ENDPOINT_URL_SQS', 'AWS_ENDPOINT_URL'])
def test_endpoint_url_variables(env_credentials, monkeypatch, variable):
    monkeypatch.setenv(str(variable), str('http://127.0.0.1:4566'))
    stsboto.patch_boto()
    for conn in (boto.connect_sqs(), boto.sqs.connect_to_region('eu-north-1')):
        assert (conn.host, conn.port, conn.is_secure) == ('127.0.0.1', 4566, False)
        assert conn.auth_service_name == 'sqs'


def test_service_endpoint_variable_wins_and_names_the_sdk_id(env_credentials, monkeypatch):
    monkeypatch.setenv(str('AWS_ENDPOINT_URL'), str('http://127.0.0.1:1111'))
    monkeypatch.setenv(str('AWS_ENDPOINT_URL_S3'), str('http://127.0.0.1:2222'))
    stsboto.patch_boto()
    s3 = boto.connect_s3()
    assert (s3.host, s3.port) == ('127.0.0.1', 2222)
    assert isinstance(s3.calling_format, boto.s3.connection.OrdinaryCallingFormat)
    assert boto.connect_sqs().port == 1111


def test_program_chosen_host_is_kept(env_credentials, monkeypatch):
    monkeypatch.setenv(str('AWS_ENDPOINT_URL'), str('http://127.0.0.1:1111'))
    stsboto.patch_boto()
    assert boto.connect_s3(host='s3.eu-west-1.amazonaws.com').host == 's3.eu-west-1.amazonaws.com'


def test_ses_and_route53_sign_with_sigv4(env_credentials):
    import boto.route53
    import boto.ses
    stsboto.patch_boto()
    ses = boto.ses.connect_to_region('eu-north-1')
    assert isinstance(ses._auth_handler, boto.auth.HmacAuthV4Handler)
    assert ses.auth_service_name == 'ses'
    assert isinstance(boto.route53.connection.Route53Connection()._auth_handler,
                      boto.auth.HmacAuthV4Handler)


def test_modules_imported_after_the_patch_are_patched(env_credentials):
    stsboto.patch_boto()
    for name in [n for n in list(sys.modules) if n == 'boto.kinesis' or n.startswith('boto.kinesis.')]:
        del sys.modules[name]
    kinesis = importlib.import_module('boto.kinesis')
    conn = kinesis.connect_to_region('eu-central-2')
    assert conn.host == 'kinesis.eu-central-2.amazonaws.com'


# -- the request ----------------------------------------------------------------------

def test_query_calls_go_as_post_with_an_sdk_form_body(env_credentials):
    stsboto.patch_boto()
    conn = boto.connect_sns()
    sent = []
    conn._mexe = lambda request, *a, **k: sent.append(request)
    conn.make_request('Publish', {'Message': 'a b+c', 'TopicArn': 'arn'})
    [request] = sent
    assert request.method == 'POST'
    request.authorize(connection=conn)
    assert 'Message=a+b%2Bc' in request.body


def test_boto_utcnow_warning_is_ignored_and_nothing_else():
    stsboto.patch_boto()
    message = 'datetime.datetime.utcnow() is deprecated and scheduled for removal'
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        # catch_warnings copies the filters; ours must be the first
        warnings.filters.insert(0, patch._state['filter'])
        warnings.warn_explicit(message, DeprecationWarning, 'auth.py', 1, module='boto.auth')
        warnings.warn_explicit(message, DeprecationWarning, 'mine.py', 1, module='myapp')
        warnings.warn_explicit('another thing', DeprecationWarning, 'auth.py', 1, module='boto.auth')
    assert [(str(w.message), w.filename) for w in caught] == [(message, 'mine.py'),
                                                              ('another thing', 'auth.py')]


def test_refreshable_credentials_from_the_chain_refresh_before_a_request(monkeypatch):
    """stsboto.find_token may return a RefreshableToken (the credential
    chain's expiring sources): boto's connections then sign each request with
    the token current at that moment, refreshed when due."""
    from stsboto import credentials
    from stsboto.refresh import RefreshableToken
    from tests.factories import FakeClock
    clock = FakeClock('real')
    first = make_token(serial=1, clock=clock, lifetime=3600)
    second = make_token(serial=2, clock=clock, lifetime=7200)
    refreshed = []

    def refresh():
        refreshed.append(True)
        return second

    source = RefreshableToken(first, refresh, time_fetcher=clock)
    monkeypatch.setattr(credentials, 'find_token', lambda *a, **k: source)
    stsboto.patch_boto()
    conn = boto.connect_sqs()
    assert conn.provider.access_key == first.access_key

    def signed_with():
        request = conn.build_base_http_request('POST', '/', None, {'Action': 'ListQueues'})
        request.authorize(connection=conn)
        return request.headers['Authorization'].split('Credential=')[1].split('/')[0], \
            request.headers['X-Amz-Security-Token']

    assert signed_with() == (first.access_key, first.session_token)
    clock.advance(3590)  # ten seconds left: due for refresh
    assert signed_with() == (second.access_key, second.session_token)
    assert refreshed == [True]


def test_explicit_profile_reads_its_session_token(isolated_environment):
    folder = isolated_environment.mkdir('.aws')
    folder.join('credentials').write('[ci]\naws_access_key_id = %s\naws_secret_access_key = %s\n'
                                     'aws_session_token = %s\n' % (KEY, SECRET, SESSION))
    stsboto.patch_boto()
    assert boto.connect_sqs(profile_name='ci').provider.security_token == SESSION


def test_a_profile_stsboto_does_not_know_is_left_to_boto():
    import boto.provider as provider_module
    stsboto.patch_boto()
    with pytest.raises(provider_module.ProfileNotFoundError):
        boto.connect_sqs(profile_name='nowhere')


def test_an_explicit_profile_name_goes_through_the_chain(monkeypatch):
    from stsboto import credentials
    asked = []

    def find_token(profile=None):
        asked.append(profile)
        return make_token()

    monkeypatch.setattr(credentials, 'find_token', find_token)
    stsboto.patch_boto()
    boto.connect_sqs(profile_name='ci')
    boto.connect_sqs()
    assert asked == ['ci', None]


@pytest.mark.parametrize('value, wanted', [('1', True), ('true', True), ('Yes', True), (' on ', True),
                                           ('0', False), ('', False), ('false', False)])
def test_startup_variable_values(value, wanted):
    import _stsboto_startup
    assert _stsboto_startup.wanted({'STSBOTO_PATCH_BOTO': value}) is wanted


def test_startup_install_does_nothing_once_boto_is_loaded():
    import _stsboto_startup
    before = list(sys.meta_path)
    assert _stsboto_startup.install({'STSBOTO_PATCH_BOTO': '1'}) is False  # boto is imported here
    assert sys.meta_path == before


def test_no_instance_metadata_request_when_the_sdk_switch_says_so(monkeypatch):
    # conftest sets AWS_EC2_METADATA_DISABLED=true; boto alone ignores it
    import boto.exception
    import boto.utils
    asked = []
    monkeypatch.setattr(boto.utils, 'get_instance_metadata', lambda *a, **k: asked.append(k) or {})
    with pytest.raises(boto.exception.NoAuthHandlerFound):
        boto.connect_sqs()
    assert len(asked) == 1  # the control: boto asks the metadata service
    stsboto.patch_boto()
    with pytest.raises(boto.exception.NoAuthHandlerFound):
        boto.connect_sqs()
    assert len(asked) == 1
    monkeypatch.setenv(str('AWS_EC2_METADATA_DISABLED'), str('false'))
    with pytest.raises(boto.exception.NoAuthHandlerFound):
        boto.connect_sqs()
    assert len(asked) == 2


# -- every boto service module in every region, patched --------------------------------------
# After stsboto.patch_boto(): every boto 2 service module x every known region
# (and partition) x an unseen region gives a connection, to the partition's host,
# signed with SigV4 for that region, and never None.

UNSEEN = ('ap-southeast-9', 'eu-central-3', 'us-gov-central-1', 'cn-south-1')
# cloudsearchdomain needs a domain host; glacier's Layer2 is not a connection class.
ALL_MODULES = [m for m in patch.SERVICE_MODULES if m not in ('boto.cloudsearchdomain',)]


def _usable(name):
    """False when boto itself cannot import the module or what its
    connect_to_region needs (boto.dynamodb.layer2 uses collections.Mapping,
    gone in 3.10)."""
    try:
        importlib.import_module(name).connect_to_region(
            'us-east-1', aws_access_key_id=KEY, aws_secret_access_key=SECRET)
    except ImportError:
        return False
    return True


#: boto 2 modules that boto cannot import or connect with on this Python at all:
#: nothing of theirs can be patched or used.
BROKEN = [m for m in ALL_MODULES if not _usable(m)]
MODULES = [m for m in ALL_MODULES if m not in BROKEN]


@pytest.mark.usefixtures('patched')
def test_only_the_known_boto_modules_fail_to_import():
    """The modules the table test leaves out are exactly those boto itself breaks."""
    if sys.version_info >= (3, 10) and boto.__version__ == '2.49.0':
        assert BROKEN == ['boto.dynamodb']
    else:
        assert BROKEN == []


@pytest.mark.usefixtures('patched')
@pytest.mark.parametrize('module', MODULES)
def test_every_service_module_in_every_region(module):
    # one test per module, every region checked (a test per pair made 1,800 tests)
    mod = importlib.import_module(module)
    service = patch.SERVICE_MODULES[module]
    for region in regions.KNOWN_REGIONS + UNSEEN:
        _check_region(mod, service, region)


def _check_region(mod, service, region):
    conn = mod.connect_to_region(region, aws_access_key_id=KEY, aws_secret_access_key=SECRET)
    assert conn is not None, region
    host = getattr(conn, 'host', None) or conn.layer1.host
    suffix = regions.dns_suffix(region)
    assert host.endswith('.' + suffix), (region, host)
    expected_host, signing_region = regions.service_endpoint(service, region)
    known = [r for r in mod.regions() if r.name == region]
    if service == 'sts':  # regional, as botocore's default sts_regional_endpoints (issue 18)
        assert host == regions.sts_host(region), region
    elif known:
        assert host == known[0].endpoint, region  # boto's own table, where it knows the region
    else:
        assert host == expected_host, region
    handler = getattr(conn, '_auth_handler', None) or conn.layer1._auth_handler
    if service == 'sdb':  # SimpleDB signs with SigV2 only (AWS SimpleDB developer guide)
        return
    assert isinstance(handler, boto.auth.HmacAuthV4Handler), (region, type(handler))
    assert handler.region_name == signing_region, region
    if not isinstance(handler, boto.auth.S3HmacAuthV4Handler):
        assert handler.service_name == regions.signing_name(service), region


# -- the second security review (issue 19): one test per finding, each failing on 0.2.0 --


@pytest.fixture
def boto_config_keys():
    """Keys in boto's own (in-memory) config, as ``[Credentials]`` of ~/.boto gives them."""
    import boto
    added = not boto.config.has_section('Credentials')
    if added:
        boto.config.add_section('Credentials')
    boto.config.set('Credentials', 'aws_access_key_id', 'AKIDBOTOCONFIG000001')
    boto.config.set('Credentials', 'aws_secret_access_key', 'boto-config-secret-0000000000')
    yield
    if added:
        boto.config.remove_section('Credentials')
    else:
        boto.config.remove_option('Credentials', 'aws_access_key_id')
        boto.config.remove_option('Credentials', 'aws_secret_access_key')


def _connect_with_warnings():
    import warnings
    import boto
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        connection = boto.connect_s3()
    from stsboto.exceptions import ConfigurationWarning
    return connection, [w for w in caught if issubclass(w.category, ConfigurationWarning)]


@pytest.mark.applies(hasattr(__import__('os'), 'symlink'), reason='symbolic links')
def test_item5_under_the_patch_an_unreadable_config_file_warns_and_boto_goes_on(
        tmpdir, monkeypatch, boto_config_keys):
    monkeypatch.setenv(str('AWS_CONFIG_FILE'), str(looping_path(tmpdir)))
    from stsboto import patch
    patch.unpatch_boto()
    unpatched, warned = _connect_with_warnings()          # boto alone: works, no warning
    assert unpatched.aws_access_key_id == 'AKIDBOTOCONFIG000001' and warned == []
    stsboto.patch_boto()
    try:
        connection, warned = _connect_with_warnings()
    finally:
        patch.unpatch_boto()
    assert connection.aws_access_key_id == 'AKIDBOTOCONFIG000001'
    assert len(warned) == 1
    assert 'cannot be read' in six.text_type(warned[0].message)
    assert 'as it would without the patch' in six.text_type(warned[0].message)


def test_item5_under_the_patch_a_duplicate_key_warns_and_boto_goes_on(
        tmpdir, monkeypatch, boto_config_keys, patched):
    path = write_ini(tmpdir, '[default]\nregion = us-east-1\nregion = eu-west-1\n')
    monkeypatch.setenv(str('AWS_CONFIG_FILE'), str(path))
    connection, warned = _connect_with_warnings()
    assert connection.aws_access_key_id == 'AKIDBOTOCONFIG000001'
    assert len(warned) == 1 and 'DuplicateOptionError' in six.text_type(warned[0].message)
