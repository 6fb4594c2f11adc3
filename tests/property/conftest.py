"""Property-based suites (hypothesis), Python 3 only.

The ``ci`` profile (the default; ``HYPOTHESIS_PROFILE=dev`` for a longer
local hunt) uses a fixed seed (``derandomize``) and a bounded number of
examples, so a run in CI is repeatable and takes seconds; no example
database is written.
"""
from __future__ import absolute_import, unicode_literals

import os
import sys

collect_ignore_glob = []
if sys.version_info[0] < 3:
    # hypothesis is installed only on Python 3 (tests/requirements.txt)
    collect_ignore_glob.append('test_*.py')
else:
    from hypothesis import HealthCheck, settings

    settings.register_profile('ci', max_examples=150, derandomize=True, deadline=None,
                              database=None, print_blob=True,
                              suppress_health_check=[HealthCheck.too_slow,
                                                     HealthCheck.function_scoped_fixture])
    settings.register_profile('dev', max_examples=2000, deadline=None,
                              suppress_health_check=[HealthCheck.function_scoped_fixture])
    settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'ci'))
