"""The fixtures of tests/credentials_support.py, for every test in this folder."""
from __future__ import absolute_import, unicode_literals

from tests.credentials_support import clock, fake_sts, home, imds_on  # noqa: F401  (fixtures)
