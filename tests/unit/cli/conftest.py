"""The command line's fixtures (tests/cli_support.py), with no network behind them."""
from __future__ import absolute_import, unicode_literals

import pytest

from tests.cli_support import isolated, issued, record_connections, transfers, urls  # noqa: F401


@pytest.fixture
def connections(monkeypatch):
    """The real connect_with_token; the list gets every call.  Nothing is sent: a
    request would meet tests/unit/conftest.py's guard (tests/functional/cli has
    the fake network)."""
    return record_connections(monkeypatch)
