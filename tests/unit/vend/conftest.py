"""The fixtures of the stsboto.vend unit tests (the plain helpers are in tests/vend_support.py)."""
from __future__ import absolute_import, unicode_literals

import pytest

from stsboto.vend import VendApp
from tests.factories import FakeClock
from tests.vend_support import TWO_CALLERS, FakeIssuer, config_from


@pytest.fixture
def clock():
    return FakeClock('real')


@pytest.fixture
def make_app(tmpdir, clock):
    def make(text=TWO_CALLERS, **options):
        issuer = options.pop('issuer', None) or FakeIssuer(clock)
        app = VendApp(config_from(tmpdir, text), issue=issuer, clock=clock, **options)
        return app, issuer
    return make
