"""Unit tests of stsboto.vend (the package): the application for other WSGI servers."""
from __future__ import absolute_import, unicode_literals

import pytest
import six

from stsboto.exceptions import VendConfigError
from tests.vend_support import TWO_CALLERS, write_config


def test_application_from_environment_needs_the_config_variable(tmpdir):
    from stsboto.vend import application_from_environment
    with pytest.raises(VendConfigError) as caught:
        application_from_environment({})
    assert 'STSBOTO_VEND_CONFIG' in six.text_type(caught.value)
    app = application_from_environment({
        'STSBOTO_VEND_CONFIG': write_config(tmpdir, TWO_CALLERS),
        'AWS_ACCESS_KEY_ID': 'AKIAIOSFODNN7EXAMPLE', 'AWS_SECRET_ACCESS_KEY': 'x' * 40})
    assert sorted(app.config.callers) == ['app-a', 'app-b']
