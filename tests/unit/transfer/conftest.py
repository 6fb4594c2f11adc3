"""The fixtures of tests/transfer_support.py (shared with tests/functional/transfer)."""
from tests.transfer_support import no_crt, s3  # noqa: F401  (fixtures)
