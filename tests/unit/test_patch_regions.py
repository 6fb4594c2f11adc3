"""After stsboto.patch_boto(): every boto 2 service module x every known region
(and partition) x an unseen region gives a connection, to the partition's host,
signed with SigV4 for that region, and never None."""
from __future__ import absolute_import, unicode_literals

import importlib
import sys

import pytest

import stsboto
from stsboto import patch, regions

import boto.auth  # noqa: E402  (after stsboto)

KEY = 'ASIAPATCHTEST0000001'
SECRET = 'patch/test+secret0000000000000000000000'
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


def test_only_the_known_boto_modules_fail_to_import():
    """The modules the table test leaves out are exactly those boto itself breaks."""
    if sys.version_info >= (3, 10) and boto.__version__ == '2.49.0':
        assert BROKEN == ['boto.dynamodb']
    else:
        assert BROKEN == []


@pytest.fixture(scope='module', autouse=True)
def patched():
    stsboto.patch_boto()
    yield
    stsboto.unpatch_boto()


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
