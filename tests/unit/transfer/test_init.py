# -*- coding: utf-8 -*-
"""Unit tests of stsboto.transfer (the package): imported only when asked for."""
from __future__ import absolute_import, division, print_function, unicode_literals

from tests import processes


def test_import_stsboto_does_not_import_transfer():
    import sys
    code = ('import sys, stsboto; assert "stsboto.transfer" not in sys.modules; '
            'from stsboto import transfer; assert transfer.TransferError is '
            'stsboto.exceptions.TransferError')
    processes.check_call([sys.executable, '-c', code])
