# -*- coding: utf-8 -*-
"""Tests of stsboto.cli.objects (put, get, ls) over the fake network: what is sent and what is said."""
from __future__ import absolute_import, division, print_function, unicode_literals

import os
import re

import pytest

from stsboto import transfer
from stsboto.exceptions import UnverifiedUploadWarning

from tests.cli_support import one_line, run, save_token
from tests.factories import make_token


# ---------------------------------------------------------------------------
# put, get


def test_put_file(tmpdir, connections, transfers):
    tmpdir.join('cat.bin').write_binary(b'\x00meow\xff')
    path = save_token(tmpdir)
    result = run(['put', 'cat.bin', 'photos/user-42/cat.bin', '--token', path, '--threshold', '1M',
                  '--part-size', '5M', '--workers', '2', '--endpoint-url', 'http://127.0.0.1:9',
                  '--region', 'eu-north-1'])
    assert (result.code, result.err) == (0, '')
    assert result.out == 'upload: cat.bin to s3://photos/user-42/cat.bin\n'
    [conn] = connections
    assert (conn.region, conn.endpoint_url) == ('eu-north-1', 'http://127.0.0.1:9')
    assert conn.token == make_token()
    [(what, bucket, key, data, config)] = transfers
    assert (what, bucket, key, data) == ('upload', 'photos', 'user-42/cat.bin', b'\x00meow\xff')
    assert config == transfer.TransferConfig(threshold=1024 ** 2, part_size=5 * 1024 ** 2,
                                             workers=2)


@pytest.mark.parametrize('quiet', [[], ['--quiet']])
def test_put_to_a_server_that_does_not_confirm_the_checksum_says_so(tmpdir, aws, connections,
                                                                    quiet, recwarn):
    aws.flexible_checksums = False
    tmpdir.join('cat.bin').write_binary(b'meow')
    result = run(['put', 'cat.bin', 'photos/cat.bin', '--token', save_token(tmpdir)] + quiet)
    assert result.code == 0
    assert result.err == ('stsboto: put: not verified: the server did not confirm the checksum; '
                          '--checksum md5 checks ETags\n')
    assert result.out == ('' if quiet else 'upload: cat.bin to s3://photos/cat.bin\n')
    assert not [w for w in recwarn if issubclass(w.category, UnverifiedUploadWarning)]


@pytest.mark.parametrize('destination, key', [('photos', 'cat.bin'), ('photos/', 'cat.bin'),
                                              ('photos/user-42/', 'user-42/cat.bin')])
def test_put_to_a_prefix_uses_the_file_name(tmpdir, connections, transfers, destination, key):
    tmpdir.join('cat.bin').write_binary(b'meow')
    assert run(['put', 'cat.bin', destination, '--token', save_token(tmpdir)]).code == 0
    assert transfers[0][2] == key


def test_put_from_stdin(tmpdir, connections, transfers):
    data = bytes(bytearray(range(256)))
    result = run(['put', '-', 'photos/raw.bin', '--token', save_token(tmpdir)], stdin=data)
    assert result.code == 0
    assert transfers[0][3] == data


def test_get_to_a_file_and_into_a_folder(tmpdir, connections, transfers):
    path = save_token(tmpdir)
    assert run(['get', 'photos/user-42/cat.bin', 'copy.bin', '--token', path]).code == 0
    assert transfers[-1][3] == 'copy.bin'
    tmpdir.mkdir('into')
    assert run(['get', 'photos/user-42/cat.bin', 'into', '--token', path]).code == 0
    assert transfers[-1][3] == os.path.join('into', 'cat.bin')
    assert tmpdir.join('into', 'cat.bin').read_binary() == b'\x00\xff downloaded \xc3\xa9'


def test_get_to_stdout_writes_bytes(tmpdir, connections, transfers):
    result = run(['get', 'photos/a.bin', '-', '--token', save_token(tmpdir)])
    assert result.code == 0
    assert result.out_bytes == b'\x00\xff downloaded \xc3\xa9'
    assert result.err == ''


def test_put_and_get_say_what_was_written_unless_quiet(tmpdir, connections, transfers):
    tmpdir.join('cat.jpg').write_binary(b'meow')
    path = save_token(tmpdir)
    put = run(['put', 'cat.jpg', 'photos/user-42/', '--token', path])
    assert put.out == 'upload: cat.jpg to s3://photos/user-42/cat.jpg\n'
    get = run(['get', 'photos/user-42/cat.jpg', 'copy.jpg', '--token', path])
    assert get.out == 'download: s3://photos/user-42/cat.jpg to copy.jpg\n'
    for argv in (['put', 'cat.jpg', 'photos/a', '--quiet'], ['get', 'photos/a', 'c', '-q'],
                 ['put', 'cat.jpg', 'photos/a', '-q', '--progress']):
        quiet = run(argv + ['--token', path], tty=True)
        assert (quiet.code, quiet.out, quiet.err) == (0, '', '')


# ---------------------------------------------------------------------------
# ls


def store_listing(aws):
    aws.objects[('photos', 'user-42/cat.bin')] = b'c' * 5000
    aws.objects[('photos', 'user-42/old/dog.bin')] = b'd'


def listed(aws):
    """``(prefix, delimiter)`` of every listing request the fake received."""
    return [(r.query.get('prefix', [''])[0], r.query.get('delimiter', [''])[0])
            for r in aws.requests if r.method == 'GET' and aws._bucket_key(r) == ('photos', '')]


def test_ls(tmpdir, connections, aws):
    path = save_token(tmpdir)
    store_listing(aws)
    result = run(['ls', 'photos/user-42/', '--token', path])
    recursive = run(['ls', 's3://photos', '-r', '--token', path])
    assert result.code == 0
    # S3's order (Contents, then CommonPrefixes), as boto yields them
    assert result.out.splitlines() == ['2026-11-27 21:01:02       5000 user-42/cat.bin',
                                       '%30s user-42/old/' % 'PRE']
    assert listed(aws) == [('user-42/', '/'), ('', '')]
    assert recursive.code == 0
    assert recursive.out.splitlines()[-1] == '2026-11-27 21:01:02          1 user-42/old/dog.bin'


ACCESS_DENIED = ('<Error><Code>AccessDenied</Code><Message>Access Denied</Message>'
                 '<RequestId>R1</RequestId></Error>')


def test_ls_refused_names_list_bucket(tmpdir, connections, aws):
    aws.s3_reply = (403, ACCESS_DENIED)
    result = run(['ls', 'photos/user-42/', '--token', save_token(tmpdir)])
    assert result.code == 1 and result.out == ''
    line = one_line(result.err)
    assert "the token's grant does not include s3:ListBucket on bucket photos" in line
    assert 's3://photos/user-42/' in line
    # the hint grants what uploads need, AbortMultipartUpload included (issue 12 item 6)
    assert ('stsboto issue --actions s3:GetObject,s3:PutObject,s3:AbortMultipartUpload,'
            's3:ListBucket') in line


def test_ls_other_errors(tmpdir, connections, aws):
    aws.s3_reply = (404, '<Error><Code>NoSuchBucket</Code><Message>The specified bucket does '
                         'not exist</Message></Error>')
    result = run(['ls', 'photos', '--token', save_token(tmpdir)])
    assert result.code == 1
    assert one_line(result.err) == ('stsboto: cannot list s3://photos/: AWS refused the request: '
                                    '404 Answer NoSuchBucket: The specified bucket does not exist\n')


def test_ls_escapes_key_names(tmpdir, connections, aws):
    # XML 1.0 carries CR (as &#13;), C1 controls and bidi overrides; S3 sends them.
    for key in ('evil\r\u009b2Jname', 'dir\u202e/x', 'ok.txt'):
        aws.objects[('photos', key)] = b'x'
    real = aws.listing
    aws.listing = lambda bucket, request: real(bucket, request).replace('\r', '&#13;')
    result = run(['ls', 'photos', '--token', save_token(tmpdir)])
    assert result.code == 0, result.err
    assert not re.search('[\x00-\x1f\x7f-\x9f\u202a-\u202e]', result.out.replace('\n', ''))
    assert 'evil\\r\\x9b2Jname' in result.out
    assert 'PRE dir\\u202e/' in result.out
