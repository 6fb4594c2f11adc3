"""The README's examples must stay true: a reader copies them."""
from __future__ import absolute_import, unicode_literals

import io
import json
import os
import re

import stsboto

README = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, 'README.rst')


def _readme():
    with io.open(README, encoding='utf-8') as handle:
        return handle.read()


def test_issuer_policy_shown_is_what_the_helper_returns():
    block = re.search(r'\.\. code-block:: json\n\n((?:    .*\n|\n)+)', _readme()).group(1)
    assert json.loads(block) == stsboto.issuer_policy('photos')


def test_readme_test_command_is_what_ci_runs():
    command = re.search(r'integration tests::\n\n    (.+)\n', _readme()).group(1)
    with io.open(os.path.join(os.path.dirname(README), '.ci', 'run'), encoding='utf-8') as handle:
        lines = [l.strip() for l in handle if l.strip() and not l.startswith('#')]
    assert command in lines
