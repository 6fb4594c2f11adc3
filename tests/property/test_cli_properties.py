"""``stsboto.cli.main`` with random argv exits with a documented status and never
raises or prints a traceback.  No network: every connection attempt fails at
once, so commands that would reach AWS end as AWS/network errors (status 1)."""
from __future__ import absolute_import, unicode_literals

import argparse
import io
import socket

import pytest
from hypothesis import Phase, find, given, settings, strategies as st

import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
from stsboto import cli
from stsboto.cli import commands as cli_commands
from stsboto.cli import errors as cli_errors

#: Statuses documented in ``stsboto --help`` (stsboto.cli.errors: 0 ok, 1 AWS or network,
#: 2 usage or unavailable, 3 expired, 130 interrupted, 141 broken pipe, 143 terminated).
STATUSES = set([cli_errors.EXIT_OK, cli_errors.EXIT_ERROR, cli_errors.EXIT_USAGE,
                cli_errors.EXIT_EXPIRED, cli_errors.EXIT_INTERRUPTED, cli_errors.EXIT_BROKEN_PIPE,
                cli_errors.EXIT_TERMINATED, cli_errors.EXIT_UNAVAILABLE])
# The commands that start servers or write outside the test's folder are left out.
SKIPPED = set(['demo', 'server'])


def _parser_words():
    """The real commands, and every option of the top parser and of each command's."""
    parser = cli_commands.build_parser()
    (subparsers,) = [action for action in parser._actions  # argparse keeps no public list
                     if isinstance(action, argparse._SubParsersAction)]
    options = set()
    for each in [parser] + list(subparsers.choices.values()):
        for action in each._actions:
            options.update(action.option_strings)
    return sorted(set(subparsers.choices) - SKIPPED), sorted(options)


COMMANDS, OPTIONS = _parser_words()
WORDS = ['photos', 'photos/k', 's3://photos/k', 'http://127.0.0.1:1', '900', '-1', 'nan', 'inf',
         '1e9', '0', 'x' * 300, '\u00e9', '\x1b[31m', '', ' ', 'token.json', '/dev/null', '.', '..',
         '--', '-']
words = st.one_of(st.sampled_from(OPTIONS), st.sampled_from(WORDS), st.text(max_size=12))
# Mostly a real command with real options, sometimes anything at all.
argvs = st.one_of(
    st.tuples(st.sampled_from(COMMANDS), st.lists(words, max_size=7)).map(
        lambda pair: [pair[0]] + pair[1]),
    st.lists(st.one_of(st.sampled_from(COMMANDS + ['--help', '--version']), words), max_size=8))
# No credentials, or a token in the environment (so token commands run on).
ENVIRONS = [{}, {'AWS_ACCESS_KEY_ID': 'ASIAIOSFODNN7EXAMPLE',
                 'AWS_SECRET_ACCESS_KEY': 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY',
                 'AWS_SESSION_TOKEN': 'FwoGZXIvYXdzEPropertyTestSessionTokenValue0123456789+/==',
                 'AWS_CREDENTIAL_EXPIRATION': '2099-01-01T00:00:00Z'}]
environs = st.sampled_from(ENVIRONS)


def run(argv, environ):
    stdout, stderr = io.StringIO(), io.StringIO()
    status = cli.main(argv, stdin=io.StringIO(''), stdout=stdout, stderr=stderr, environ=environ)
    return status, stdout.getvalue(), stderr.getvalue()


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


@given(argv=argvs, environ=environs)
def test_main_exits_with_a_documented_status_and_no_traceback(argv, environ, capsys):
    if any(word in SKIPPED for word in argv):
        return
    status, out, err = run(argv, dict(environ))
    captured = capsys.readouterr()
    assert status in STATUSES, (argv, status)
    for text in (out, err, captured.out, captured.err):
        assert 'Traceback (most recent call last)' not in text, (argv, text)


def test_the_fuzzed_command_lines_are_real_commands_and_options():
    assert set(['issue', 'env', 'put', 'get', 'ls', 'url', 'whoami']) <= set(COMMANDS)
    assert set(['--bucket', '--token', '--endpoint-url', '--retries', '--debug']) <= set(OPTIONS)
    assert not SKIPPED & set(COMMANDS)


@pytest.mark.parametrize('wanted', [cli_errors.EXIT_OK, cli_errors.EXIT_USAGE])
def test_the_fuzz_reaches_the_commands_not_only_the_parser(wanted):
    """Some generated command lines run a command to success, others are refused."""
    within = settings(max_examples=150, phases=[Phase.generate], database=None)  # no shrinking
    argv, environ = find(st.tuples(argvs, environs),
                         lambda pair: pair[0][:1] and pair[0][0] in COMMANDS and
                         not SKIPPED & set(pair[0]) and run(pair[0], dict(pair[1]))[0] == wanted,
                         settings=within)
    assert argv[0] in COMMANDS and run(argv, dict(environ))[0] == wanted
