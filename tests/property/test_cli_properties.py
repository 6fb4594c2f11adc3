"""``stsboto.cli.main`` with random argv exits with a documented status and never
raises or prints a traceback.  No network: every connection attempt fails at
once, so commands that would reach AWS end as AWS/network errors (status 1)."""
from __future__ import absolute_import, unicode_literals

import io
import socket

import pytest
from hypothesis import given, strategies as st

import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
from stsboto import cli
from stsboto.cli import errors as cli_errors

#: Statuses documented in ``stsboto --help`` (stsboto.cli.errors: 0 ok, 1 AWS or network,
#: 2 usage or unavailable, 3 expired, 130 interrupted, 141 broken pipe, 143 terminated).
STATUSES = set([cli_errors.EXIT_OK, cli_errors.EXIT_ERROR, cli_errors.EXIT_USAGE,
                cli_errors.EXIT_EXPIRED, cli_errors.EXIT_INTERRUPTED, cli_errors.EXIT_BROKEN_PIPE,
                cli_errors.EXIT_TERMINATED, cli_errors.EXIT_UNAVAILABLE])
# The commands that start servers or write outside the test's folder are left out.
SKIPPED = set(['demo', 'server'])
COMMANDS = ['issue', 'whoami', 'env', 'ls', 'put', 'get', 'url', 'rm', 'export', 'check',
            '--help', '--version', 'help']
OPTIONS = ['--bucket', '--prefix', '--duration', '--name', '--output', '--region', '--endpoint-url',
           '--retries', '--debug', '--token', '--quiet', '--expires', '--workers', '--part-size',
           '--actions', '--format', '-h', '--', '-']
WORDS = ['photos', 'b/k', 's3://photos/k', 'http://127.0.0.1:1', '900', '-1', 'nan', 'inf', '1e9',
         '0', 'x' * 300, '\u00e9', '\x1b[31m', '', ' ', 'token.json', '/dev/null', '.', '..']
argvs = st.lists(st.one_of(st.sampled_from(COMMANDS), st.sampled_from(OPTIONS),
                           st.sampled_from(WORDS), st.text(max_size=12)), max_size=8)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise socket.error(111, 'connection refused by the test (no network in property tests)')
    monkeypatch.setattr(socket, 'create_connection', refuse)
    monkeypatch.setattr(socket.socket, 'connect', refuse)
    monkeypatch.setattr(socket, 'getaddrinfo', refuse)


@pytest.fixture(autouse=True)
def in_a_scratch_folder(tmpdir, monkeypatch):
    monkeypatch.chdir(tmpdir)


@given(argv=argvs)
def test_main_exits_with_a_documented_status_and_no_traceback(argv, capsys):
    if any(word in SKIPPED for word in argv):
        return
    stdout, stderr = io.StringIO(), io.StringIO()
    status = cli.main(argv, stdin=io.StringIO(''), stdout=stdout, stderr=stderr, environ={})
    captured = capsys.readouterr()
    assert status in STATUSES, (argv, status)
    for text in (stdout.getvalue(), stderr.getvalue(), captured.out, captured.err):
        assert 'Traceback (most recent call last)' not in text, (argv, text)
