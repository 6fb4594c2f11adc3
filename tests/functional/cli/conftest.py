"""The command line's fixtures (tests/cli_support.py): requests reach tests/fakehttp.py's fake socket."""
from __future__ import absolute_import, unicode_literals

from tests.cli_support import aws, connections, isolated, issued, transfers, urls  # noqa: F401
