# -*- coding: utf-8 -*-
"""Tests of stsboto.cli.options: option values, BUCKET/KEY, where the token comes from, --profile."""
from __future__ import absolute_import, division, print_function, unicode_literals

import json

import pytest
import six

from stsboto import cli
from stsboto.cli import errors, options
from stsboto.exceptions import InvalidPolicyError

from tests.cli_support import assert_no_secret, one_line, parse, run, save_token
from tests.factories import ACCESS_KEY, ARN, SECRET_KEY, SESSION_TOKEN, make_token


# ---------------------------------------------------------------------------
# Option values


def test_actions_repeated_and_comma_separated():
    args = parse(['issue', '--bucket', 'b1b', '--actions', 'GetObject, s3:PutObject',
                  '--actions', 's3:ListBucket'])
    assert options.split_actions(args.actions) == ['s3:GetObject', 's3:PutObject', 's3:ListBucket']


@pytest.mark.parametrize('argv', [
    ['--region', 'eu-north-1', '--debug', '--retries', '1', 'ls', 'photos'],
    ['ls', 'photos', '--region', 'eu-north-1', '--debug', '--retries', '1'],
    ['--region', 'us-west-2', 'ls', 'photos', '--region', 'eu-north-1', '--debug',
     '--retries', '1'],
], ids=['before', 'after', 'after-wins'])
def test_common_options_before_or_after_the_command(argv):
    args = parse(argv)
    assert (args.region, args.debug, args.retries) == ('eu-north-1', True, 1)


def test_common_option_before_the_command_is_not_reset_by_the_command():
    args = parse(['--endpoint-url', 'http://127.0.0.1:5000', 'whoami'])
    assert args.endpoint_url == 'http://127.0.0.1:5000' and args.token is None


@pytest.mark.parametrize('flags, checksum', [([], 'crc32'), (['--checksum', 'md5'], 'md5'),
                                             (['--checksum', 'crc32'], 'crc32')])
def test_checksum_option_reaches_the_transfer_config(flags, checksum):
    args = parse(['put', 'a.txt', 'photos/a.txt'] + flags)
    assert options.transfer_config(args).checksum == checksum


@pytest.mark.parametrize('text, size', [('0', 0), ('8388608', 8388608), ('64k', 65536),
                                        ('64KiB', 65536), ('8M', 8 * 1024 ** 2),
                                        ('8 MB', 8 * 1024 ** 2), ('1g', 1024 ** 3),
                                        ('5b', 5)])
def test_parse_size(text, size):
    assert options.parse_size(text) == size


@pytest.mark.parametrize('text', ['', 'M', '1.5M', '-1', '8X', '8MiBs', 'ten'])
def test_parse_size_refuses(text):
    with pytest.raises(Exception) as info:
        options.parse_size(text)
    assert 'is not a size' in str(info.value)


def test_bad_size_is_a_usage_error(capsys):
    assert cli.main(['put', 'a', 'photos/a', '--part-size', 'lots']) == 2
    assert 'is not a size' in capsys.readouterr().err


# ---------------------------------------------------------------------------
# BUCKET/KEY


@pytest.mark.parametrize('text, expected', [
    ('photos/a/b.txt', ('photos', 'a/b.txt')),
    ('s3://photos/a/b.txt', ('photos', 'a/b.txt')),
    ('photos/caf\u00e9 \u2603.txt', ('photos', 'caf\u00e9 \u2603.txt')),
])
def test_parse_location(text, expected):
    assert options.parse_location(text) == expected


@pytest.mark.parametrize('text, expected', [('photos', ('photos', '')),
                                            ('photos/', ('photos', '')),
                                            ('photos/a/', ('photos', 'a/'))])
def test_parse_location_without_key(text, expected):
    assert options.parse_location(text, key_required=False) == expected


@pytest.mark.parametrize('text', ['Bad_Bucket/key', 'ab/key', '/key', '192.168.1.1/key'])
def test_parse_location_bad_bucket(text):
    with pytest.raises(InvalidPolicyError):
        options.parse_location(text)


@pytest.mark.parametrize('text', ['photos', 'photos/', 'photos/dir/', 'photos/' + 'k' * 1025])
def test_parse_location_needs_a_usable_key(text):
    with pytest.raises(errors.UsageError):
        options.parse_location(text)


if six.PY3:  # Python 2 hands the command line over as bytes (next test)
    def test_location_from_a_c_locale_command_line():
        """Python 3.6 under LANG=C hands non-ASCII arguments over as surrogate escapes."""
        assert options.parse_location('photos/gr\udcc3\udcbc\udcc3\udc9f') == ('photos', 'gr\u00fc\u00df')
        with pytest.raises(errors.UsageError) as info:
            options.parse_location('photos/bad\udcff')
        assert 'is not UTF-8 text' in str(info.value)


def test_location_from_python_2_bytes():
    assert options.parse_location(b'photos/gr\xc3\xbc\xc3\x9f') == ('photos', 'gr\u00fc\u00df')
    with pytest.raises(errors.UsageError):
        options.parse_location(b'photos/bad\xff')


# ---------------------------------------------------------------------------
# Where the token comes from


def test_token_from_file_stdin_variable_environment_and_profile(tmpdir):
    path = save_token(tmpdir)
    assert 'Source:      token file %s' % path in run(['whoami', '--token', path]).out
    stdin = make_token().to_json().encode('ascii')
    assert 'Source:      standard input' in run(['whoami', '--token', '-'], stdin=stdin).out
    assert 'token file %s' % path in run(['whoami'], environ={options.TOKEN_FILE_ENV: path}).out
    env = dict((k, v) for k, v in make_token().to_env().items())
    out = run(['whoami'], environ=env).out
    assert 'Source:      environment variables' in out and ACCESS_KEY in out
    tmpdir.join('credentials').write('[uploader]\naws_access_key_id = %s\naws_secret_access_key '
                                     '= abcdefgh12345678\n' % ACCESS_KEY)
    out = run(['whoami'], environ={'AWS_SHARED_CREDENTIALS_FILE': str(tmpdir.join('credentials')),
                                   'AWS_PROFILE': 'uploader'}).out
    assert 'profile uploader of the shared credentials file' in out
    assert 'long-term keys (no session token)' in out


def test_token_option_wins_over_the_variable(tmpdir):
    first = save_token(tmpdir, make_token(arn='arn:aws:sts::1:federated-user/first'), 'a.json')
    second = save_token(tmpdir, make_token(arn='arn:aws:sts::1:federated-user/second'), 'b.json')
    out = run(['whoami', '--token', first], environ={options.TOKEN_FILE_ENV: second}).out
    assert 'federated-user/first' in out and 'second' not in out


def test_token_in_other_shapes(tmpdir):
    """aws sts get-federation-token output, read from standard input."""
    cli_output = {'Credentials': {'AccessKeyId': ACCESS_KEY, 'SecretAccessKey': SECRET_KEY,
                                  'SessionToken': SESSION_TOKEN,
                                  'Expiration': '2026-11-27T21:15:00+00:00'},
                  'FederatedUser': {'Arn': ARN, 'FederatedUserId': '1:uploader-42'},
                  'PackedPolicySize': 12}
    result = run(['whoami', '--token', '-'], stdin=json.dumps(cli_output).encode('utf-8'))
    assert result.code == 0 and ARN in result.out


@pytest.mark.parametrize('argv, environ, message', [
    (['whoami'], {}, 'no token: pass --token FILE'),
    (['whoami', '--token', 'missing.json'], {}, 'cannot read the token file missing.json (--token)'),
    (['env'], {options.TOKEN_FILE_ENV: 'gone.json'}, 'gone.json (%s)' % options.TOKEN_FILE_ENV),
    (['whoami', '--token', '-'], {}, 'standard input: token is not valid JSON'),
    (['ls', 'photos'], {'AWS_ACCESS_KEY_ID': ACCESS_KEY}, 'AWS_SECRET_ACCESS_KEY is not'),
])
def test_token_not_found_or_unreadable_exits_2(argv, environ, message, connections):
    result = run(argv, environ=environ)
    assert result.code == 2
    assert message in one_line(result.err)
    assert connections == []


def test_an_unreadable_token_file_is_said_once():
    line = one_line(run(['whoami', '--token', 'missing.json']).err)
    assert line == ('stsboto: cannot read the token file missing.json (--token): '
                    'No such file or directory\n')


def test_bad_token_file_names_the_field_not_the_value(tmpdir):
    data = make_token().to_dict()
    data['SecretAccessKey'] = 'has space ' + SECRET_KEY
    tmpdir.join('bad.json').write(json.dumps(data))
    result = run(['whoami', '--token', 'bad.json'])
    assert result.code == 2
    assert 'SecretAccessKey' in one_line(result.err)
    assert_no_secret(result.out, result.err)


# ---------------------------------------------------------------------------
# --profile (issue 12 item 2)


def write_profiles(tmpdir):
    path = tmpdir.join('credentials')
    path.write('[uploader]\naws_access_key_id = ASIAPROFILEUPLOADER1\naws_secret_access_key = '
               'profileSecret0123456789abcdefghijklmnopq\naws_session_token = FwoPROFILEtoken\n'
               '[issuer]\naws_access_key_id = AKIAPROFILEISSUER001\naws_secret_access_key = '
               'issuerSecret0123456789abcdefghijklmnopqr\n')
    return {'AWS_SHARED_CREDENTIALS_FILE': str(path), 'AWS_PROFILE': 'sts',
            'AWS_ACCESS_KEY_ID': 'AKIAENVIRONMENTKEY01',
            'AWS_SECRET_ACCESS_KEY': 'envSecret0123456789abcdefghijklmnopqrstu'}


def test_whoami_profile_wins_over_the_environment_and_aws_profile(tmpdir):
    environ = write_profiles(tmpdir)
    result = run(['whoami', '--profile', 'uploader'], environ=environ)
    assert result.code == 0, result.err
    assert 'Access key:  ASIAPROFILEUPLOADER1\n' in result.out
    assert 'Source:      profile uploader (--profile) (credential source: ' \
        'shared-credentials-file)\n' in result.out


def test_issue_signs_with_the_profile_named(tmpdir, issued):
    """The credential_process case: AWS_PROFILE=sts selected the line; the child must read
    the issuer's profile, not "sts", and not the environment's keys."""
    environ = write_profiles(tmpdir)
    result = run(['issue', '--bucket', 'photos', '--profile', 'issuer', '--duration', '3600'],
                 environ=environ)
    assert result.code == 0, result.err
    [call] = issued
    assert call['aws_access_key_id'] == 'AKIAPROFILEISSUER001'
    assert call['aws_secret_access_key'] == 'issuerSecret0123456789abcdefghijklmnopqr'
    assert call['duration'] == 3600


def test_profile_problems_are_usage_errors(tmpdir, issued):
    environ = write_profiles(tmpdir)
    both = run(['whoami', '--profile', 'uploader', '--token', 'x.json'], environ=environ)
    assert both.code == 2 and '--token and --profile' in one_line(both.err)
    missing = run(['issue', '--bucket', 'photos', '--profile', 'nobody'], environ=environ)
    assert missing.code == 2 and 'nobody' in one_line(missing.err)
    assert issued == []
