"""README.rst runs as written, from top to bottom (issue 12 item 5).

Every code block is run (tests/readme.py says how): shell blocks by ``sh`` with
this environment's ``stsboto`` first on PATH, Python blocks in one child
interpreter of this Python (2.7 under py27), against the ``stsboto server`` the
Quickstart starts.  A block that cannot run is marked in the README with the
reason; this test lists what it ran and what it skipped.
"""
from __future__ import absolute_import, print_function, unicode_literals

import pytest

from tests.readme import ReadmeRun, describe, read_blocks

pytestmark = pytest.mark.integration


def test_every_readme_block_runs_as_written(tmpdir, child_env):
    blocks = read_blocks()
    with ReadmeRun(str(tmpdir)) as readme:
        # this stsboto and the session's moto server command; PATH stays the runner's
        readme.env.update(dict((k if isinstance(k, str) else k.decode('utf-8'),
                                v if isinstance(v, str) else v.decode('utf-8'))
                               for k, v in child_env.items() if k != str('PATH')))
        for block in blocks:
            readme.run(block)
        stopped = readme.stop_server()
        server_err = readme.server_stderr()
        print('README blocks run:')
        for block in readme.ran:
            print('  ran      ' + describe(block))
        for block, reason in readme.skipped:
            print('  skipped  %s -- %s' % (describe(block), reason))
    assert len(readme.ran) + len(readme.skipped) == len(blocks)
    assert stopped == 0, server_err  # SIGTERM (or Ctrl-C) is the way to stop it
    for status, err in readme.more_stopped:  # the other servers (stsboto vend) too
        assert status == 0, err
    assert server_err.rstrip().endswith('stsboto server: stopped')
    # what the Quickstart and the Command line wrote, through the server
    assert tmpdir.join('copy.jpg').read_binary() == b'meow'
    assert tmpdir.join('copy.iso').size() == 20 * 1024 * 1024
