"""``python -m stsboto ...``: the same as the ``stsboto`` command."""
from __future__ import absolute_import

import sys

from stsboto.cli import main

if __name__ == '__main__':
    sys.exit(main())
