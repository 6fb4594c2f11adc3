"""stsboto/_endpoint_data.py is what tools/gen_endpoint_data.py makes from botocore's endpoint rules."""
from __future__ import absolute_import, unicode_literals

import io
import os
import runpy

import pytest

from stsboto import _endpoint_data, regions

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _installed_botocore():
    try:
        import botocore
    except ImportError:
        return None
    return botocore.__version__


@pytest.mark.applies(_installed_botocore() == _endpoint_data.BOTOCORE_VERSION,
                     reason='the data was generated from botocore %s (other releases may list other '
                            'hosts; regenerate with tools/gen_endpoint_data.py)'
                            % _endpoint_data.BOTOCORE_VERSION)
def test_shipped_data_is_what_botocore_generates():
    generator = runpy.run_path(os.path.join(ROOT, 'tools', 'gen_endpoint_data.py'))
    with io.open(os.path.join(ROOT, 'stsboto', '_endpoint_data.py'), encoding='utf-8') as shipped:
        assert generator['render']() == shipped.read()


def test_every_service_with_data_is_a_boto_service_with_three_variants():
    assert set(_endpoint_data.HOSTS) <= set(regions.SERVICES)
    assert len(_endpoint_data.HOSTS) >= 35
    for service, entry in _endpoint_data.HOSTS.items():
        assert {'fips', 'dualstack', 'fips-dualstack'} <= set(entry), service
        for pattern, rows in entry.values():
            assert set(rows) <= set(regions.KNOWN_REGIONS), service
