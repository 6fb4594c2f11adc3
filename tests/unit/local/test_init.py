# -*- coding: utf-8 -*-
"""Tests of stsboto.local (the package): its names and what it imports (issue 13 items 2 and 5)."""
from __future__ import absolute_import, division, print_function, unicode_literals

import io
import os

from tests.cli_support import PACKAGE


def test_local_package_keeps_its_names_and_says_what_it_imports():
    from stsboto import local
    from stsboto.local import server
    assert local.LocalServer is server.LocalServer
    assert local.find_server_command is server.find_server_command
    assert local.ENV_VAR == 'STSBOTO_MOTO_SERVER'
    assert not os.path.exists(os.path.join(PACKAGE, 'demo.py'))
    with io.open(server.__file__.replace('.pyc', '.py'), encoding='utf-8') as handle:
        source = handle.read()
    assert 'nothing here imports boto' not in source  # it does, through stsboto.exceptions
