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
        lines = [line.strip() for line in handle if line.strip() and not line.startswith('#')]
    assert command in lines


# -- the README runner (tests/readme.py; tests/integration/test_readme.py runs it) ----------


def test_runner_finds_literal_and_code_blocks_with_their_marks():
    from tests.readme import parse_blocks
    text = ('Title\n=====\n\nRun this::\n\n    import os\n    print(os.sep)\n\n'
            'Then::\n\n    stsboto whoami --token t.json\n\n'
            '.. readme-test: skip needs AWS\n\nNot this::\n\n    stsboto issue --bucket b\n\n'
            'Other\n-----\n\n.. code-block:: json\n\n    {"a": 1}\n\n'
            '.. code-block:: ini\n\n    [profile x]\n    a = b\n')
    blocks = parse_blocks(text)
    assert [(b.section, b.kind, b.marker) for b in blocks] == [
        ('Title', 'python', None), ('Title', 'shell', None), ('Title', 'shell', 'skip needs AWS'),
        ('Other', 'json', None), ('Other', 'other', None)]
    assert blocks[0].text == 'import os\nprint(os.sep)\n'
    assert blocks[0].line == 4


def test_every_readme_block_is_run_or_marked_with_a_reason():
    from tests.readme import describe, read_blocks
    blocks = read_blocks(README)
    runnable = ('python', 'shell', 'json', 'text')
    for block in blocks:
        marker = (block.marker or '').split(None, 1)
        if marker and marker[0] in ('skip', 'python3'):
            assert len(marker) == 2 and marker[1].strip(), describe(block)
        if not marker or marker[0] != 'skip':
            assert block.kind in runnable or marker[:1] == ['server'], describe(block)
    servers = [b for b in blocks if (b.marker or '').startswith('server')]
    # the Quickstart's local AWS endpoint comes first: every later block may use it
    assert servers and servers[0].section == 'Quickstart'
    assert len(blocks) >= 10


def test_runner_reports_the_block_that_fails(tmpdir):
    import pytest
    from tests.readme import BlockFailed, ReadmeRun, parse_blocks
    blocks = parse_blocks('Ab\n==\n\nFirst::\n\n    x = 41\n\nThen::\n\n    print(x)\n\n'
                          'Shell::\n\n    echo ok\n    false\n'
                          '    echo never\n')
    with ReadmeRun(str(tmpdir)) as readme:
        readme.run(blocks[0])
        with pytest.raises(BlockFailed) as python:
            readme.run(blocks[1])  # each block runs alone: x is not carried over (issue 20 item 7)
        with pytest.raises(BlockFailed) as shell:
            readme.run(blocks[2])
    assert "NameError: name 'x' is not defined" in str(python.value)
    assert 'README.rst line 8, Ab' in str(python.value)
    assert 'exited with status 1' in str(shell.value) and 'never' not in str(shell.value)


def test_python3_mark_runs_on_python_3_and_is_listed_as_skipped_on_python_2(tmpdir):
    import six
    from tests.readme import ReadmeRun, parse_blocks
    blocks = parse_blocks('Ab\n==\n\n.. readme-test: python3 a py3 client\n\nRun::\n\n'
                          '    open("ran", "w").close()\n')
    with ReadmeRun(str(tmpdir)) as readme:
        readme.run(blocks[0])
    if six.PY2:
        assert readme.skipped == [(blocks[0], 'Python 3 only: a py3 client')]
        assert not tmpdir.join('ran').exists()
    else:
        assert readme.ran == [blocks[0]] and tmpdir.join('ran').exists()


def test_a_second_server_block_starts_another_server_stopped_first(tmpdir):
    import sys
    from tests.readme import ReadmeRun, parse_blocks
    serve = ('%s -c "import signal, sys, time; signal.signal(signal.SIGTERM, lambda *a: sys.exit(0)); '
             'print(\'export X%%s=1\'); print(\'# ready\'); sys.stdout.flush(); '
             'time.sleep(60)"' % sys.executable)
    text = 'Ab\n==\n\n'
    for n in (1, 2):
        text += '.. readme-test: server\n\nStart::\n\n    %s\n\n' % (serve % n)
    blocks = parse_blocks(text)
    with ReadmeRun(str(tmpdir)) as readme:
        for block in blocks:
            readme.run(block)
        assert readme.env['X1'] == readme.env['X2'] == '1'
        assert readme.stop_server() == 0
        assert [status for status, _ in readme.more_stopped] == [0]
