# -*- coding: utf-8 -*-
"""Tests of stsboto.cli.objects (put, get, ls, url) that send nothing: arguments, usage errors, url."""
from __future__ import absolute_import, division, print_function, unicode_literals

import datetime
import re

import pytest

from stsboto import cli
from stsboto.cli import options
from stsboto.token import utcnow

from tests.cli_support import one_line, parse, run, save_token
from tests.factories import make_token


# ---------------------------------------------------------------------------
# Arguments


@pytest.mark.parametrize('flags, expected', [([], None), (['--progress'], True),
                                             (['--no-progress'], False)])
def test_progress_switch(flags, expected):
    assert parse(['put', 'a.txt', 'photos/a.txt'] + flags).progress is expected


def test_transfer_sizes():
    args = parse(['get', 'photos/a', 'a', '--threshold', '1M', '--part-size', '5MiB',
                  '--workers', '8'])
    assert (args.threshold, args.part_size, args.workers) == (1024 ** 2, 5 * 1024 ** 2, 8)


def test_checksum_option_refuses_other_algorithms():
    with pytest.raises(SystemExit):
        parse(['put', 'a.txt', 'photos/a.txt', '--checksum', 'sha1'])


@pytest.mark.parametrize('method, expected', [('get', 'GET'), ('PUT', 'PUT'), ('Head', 'HEAD')])
def test_url_method_any_case(method, expected):
    assert parse(['url', 'photos/a', '--method', method]).method == expected


@pytest.mark.parametrize('command, said, not_said', [('get', 'download', 'upload'),
                                                     ('put', 'upload', 'download')])
def test_quiet_help_names_the_line_the_command_prints(capsys, command, said, not_said):
    assert cli.main([command, '--help']) == 0
    text = ' '.join(capsys.readouterr().out.split())
    assert 'no "%s: ..." line' % said in text and '%s:' % not_said not in text


# ---------------------------------------------------------------------------
# put, get: usage errors (nothing is sent)


@pytest.mark.parametrize('make, said', [
    (lambda tmpdir: None, 'nothere.jpg: no such file'),
    (lambda tmpdir: tmpdir.mkdir('nothere.jpg'), 'nothere.jpg is a folder: put uploads one file'),
], ids=['missing', 'folder'])
def test_put_says_what_is_wrong_with_the_source(tmpdir, connections, make, said):
    make(tmpdir)
    result = run(['put', 'nothere.jpg', 'photos/', '--token', save_token(tmpdir)])
    assert result.code == 2 and one_line(result.err) == 'stsboto: %s\n' % said
    assert connections == []


@pytest.mark.parametrize('argv, message', [
    (['put', 'missing.bin', 'photos/a'], 'missing.bin: no such file'),
    (['put', '.', 'photos/a'], '. is a folder: put uploads one file'),
    (['put', '-', 'photos/'], 'name the key'),
    (['put', '-', 'photos/a', '--token', '-'], 'both the token and the data'),
    (['put', 'cat.bin', 'Bad_Bucket/a'], 'Bad_Bucket'),
    (['put', 'cat.bin', 'photos/a', '--workers', '0'], 'workers must be between 1 and 256'),
    (['get', 'photos/', 'x'], 'names no object'),
    (['get', 'photos/a', 'nowhere/x'], 'does not exist'),
    (['get', 'Bad_Bucket/a', 'x'], 'Bad_Bucket'),
])
def test_transfer_usage_errors_exit_2(tmpdir, connections, transfers, argv, message):
    tmpdir.join('cat.bin').write_binary(b'meow')
    result = run(argv + (['--token', save_token(tmpdir)] if '--token' not in argv else []))
    assert result.code == 2, result.err
    assert message in one_line(result.err)
    assert transfers == []


def test_put_from_stdin_with_the_token_file_variable_on_stdin_too(connections, transfers):
    result = run(['put', '-', 'photos/a'], environ={options.TOKEN_FILE_ENV: '-'})
    assert result.code == 2 and 'both the token and the data' in one_line(result.err)
    assert connections == []


# ---------------------------------------------------------------------------
# url (no request is made)


def expiring_in_an_hour(left):
    """``(token, now)``: a token the real connection takes as valid for an hour, and
    the command line's clock ``left`` seconds before it expires."""
    expiration = utcnow().replace(microsecond=0) + datetime.timedelta(hours=1)
    return (make_token(expiration=expiration),
            expiration - datetime.timedelta(seconds=left))


def test_url_defaults_to_get_and_the_token_life(tmpdir, urls):
    token, now = expiring_in_an_hour(843)
    path = save_token(tmpdir, token)
    result = run(['url', 'photos/a b.txt', '--token', path, '--endpoint-url', 'http://127.0.0.1:9'],
                 now=now)
    assert (result.code, result.err) == (0, '')
    assert urls == [(843, 'GET', 'photos', 'a b.txt')]
    assert result.out.startswith('http://127.0.0.1:9/photos/a%20b.txt?')
    assert re.search(r'[?&]X-Amz-Expires=843(&|$)', result.out.strip()), result.out


def test_url_default_is_an_hour_for_long_tokens(tmpdir, urls):
    assert run(['url', 'photos/a', '--token', save_token(tmpdir)]).code == 0
    assert run(['url', 'photos/a', '--token', save_token(tmpdir, make_token(expiration=None))]
               ).code == 0
    assert [u[0] for u in urls] == [3600, 3600]


def test_url_put_and_expires_beyond_the_token(tmpdir, urls):
    token, now = expiring_in_an_hour(843)
    path = save_token(tmpdir, token)
    result = run(['url', 'photos/a', '--method', 'put', '--expires', '7200', '--token', path],
                 now=now)
    assert result.code == 0
    assert urls == [(7200, 'PUT', 'photos', 'a')]
    assert 'the token expires in 14m 3s; the URL stops working then' in one_line(result.err)


def test_url_with_the_real_connection(tmpdir):
    """Real connect_with_token and generate_url; no request is made."""
    path = save_token(tmpdir)
    result = run(['url', 'photos/a.txt', '--expires', '60', '--token', path, '--endpoint-url',
                  'http://127.0.0.1:9'])
    assert result.code == 0
    assert result.out.startswith('http://127.0.0.1:9/photos/a.txt?')
    assert 'X-Amz-Expires=60' in result.out and 'X-Amz-Security-Token=' in result.out
    bad = run(['url', 'photos/a.txt', '--expires', '999999', '--token', path])
    assert bad.code == 2 and one_line(bad.err).startswith(
        'stsboto: --expires must be 1-604800 seconds')  # the option's name, and no note first
