"""The fixtures of tests/transfer_support.py (shared with tests/unit/transfer)."""
from tests.transfer_support import ctrl_c, default_crc64nvme, no_crt, s3  # noqa: F401  (fixtures)
