# -*- coding: utf-8 -*-
"""The command line's shape and manners (issue 13 items 2 and 5; issue 12 items 2 and 6;
issue 11 items 7 and 8): one table of commands, --profile, what is printed and how
(terminal width, smoothed rate, control characters), signals and broken pipes.

Commands run in-process as in test_cli.py, with its fixtures (boto's real code over
tests/fakehttp.py's fake socket).
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import datetime
import io
import os
import re
import signal
import time

import pytest
import six

import stsboto
import stsboto.cli
import stsboto.sts
from stsboto import transfer
from stsboto.cli import commands, console, errors, output
from stsboto.exceptions import GET_ANOTHER_TOKEN
from stsboto.token import Token
from tests.unit import test_cli as base
from tests.unit.test_cli import (ACCESS_KEY, ARN, FAR, NOW, Stream, assert_no_secret, make_token,
                                 one_line, run, save_token)

import boto.provider  # noqa: E402  (after stsboto: importable on 3.12+)

# test_cli.py's fixtures (an autouse one included: the test's own folder)
isolated, aws, connections, transfers, issued = (base.isolated, base.aws, base.connections,
                                                 base.transfers, base.issued)
MiB = 1024 * 1024
PACKAGE = os.path.dirname(os.path.abspath(stsboto.__file__))


# ---------------------------------------------------------------------------
# The shape: stsboto/cli/ and stsboto/local/ (issue 13 items 2 and 5)


def test_cli_exports_only_main():
    assert stsboto.cli.__all__ == ['main']
    assert callable(stsboto.cli.main)


def test_every_command_comes_from_the_one_table():
    parser = commands.build_parser()
    subparsers = [a for a in parser._actions if a.__class__.__name__ == '_SubParsersAction'][0]
    assert sorted(subparsers.choices) == sorted(c.name for c in commands.COMMANDS)
    for command in commands.COMMANDS:
        sub = subparsers.choices[command.name]
        flags = set(flag for action in sub._actions for flag in action.option_strings)
        assert ('--token' in flags) == command.needs_token, command.name
        assert ('--endpoint-url' in flags) == command.remote, command.name
        assert '--debug' in flags, command.name  # demo and server too
        assert sub.get_default('command') is command
    assert set(c.name for c in commands.COMMANDS if c.needs_token) == set(
        ['env', 'put', 'get', 'ls', 'url', 'whoami'])


@pytest.mark.parametrize('folder', ['cli', 'local'])
def test_no_module_over_600_lines(folder):
    for name in os.listdir(os.path.join(PACKAGE, folder)):
        if name.endswith('.py'):
            with io.open(os.path.join(PACKAGE, folder, name), encoding='utf-8') as handle:
                assert len(handle.readlines()) <= 600, name


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


def test_demo_goes_through_the_common_error_mapping(monkeypatch):
    from stsboto import local
    monkeypatch.setattr(local, 'find_server_command', lambda *a, **k: None)
    result = run(['demo', '--debug'])
    assert result.code == 2
    assert one_line(result.err.splitlines()[-1] + '\n').startswith('stsboto: demo: ')
    assert 'moto[s3,sts,iam]' in result.err
    assert 'Traceback' in result.err  # --debug shows it, as for every command


def test_demo_and_server_name_the_option_not_the_parameter(tmpdir):
    for command in ('demo', 'server'):
        result = run([command, '--moto-server', str(tmpdir.join('nonexistent'))])
        assert result.code == 2
        line = one_line(result.err)
        assert "--moto-server names" in line and 'executable names' not in line


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


def test_whoami_says_which_source_answered():
    token = Token(ACCESS_KEY, 'secret0123456789abcdefghijklmnopqrstuvwx', 'FwoTOKEN', arn=ARN,
                  method='shared-credentials-file')
    lines = output.whoami_lines(token, NOW, 'profile dev')
    assert lines[-1] == 'Source:      profile dev (credential source: shared-credentials-file)'
    assert output.whoami_lines(token, NOW)[-1] == \
        'Source:      credential source: shared-credentials-file'


# ---------------------------------------------------------------------------
# What is printed (issue 12 item 6)


@pytest.mark.parametrize('columns', [40, 80, 120])
def test_progress_lines_fit_the_terminal(columns):
    states = [(0, 300 * MiB, 0.0, None, None, False), (5 * MiB, 300 * MiB, 0.5, None, None, False),
              (123 * MiB, 300 * MiB, 7.0, 17.6 * MiB, 10.0, False),
              (300 * MiB, 300 * MiB, 20.0, 15 * MiB, None, True),
              (300 * MiB, 300 * MiB, 20.5, 15 * MiB, None, False),
              (1536 * MiB, None, 60.0, 25 * MiB, None, False)]
    bars = set()
    for done, total, elapsed, rate, eta, completing in states:
        line = console.fit_progress('put', columns, done, total, elapsed, rate=rate, eta=eta,
                                    completing=completing)
        assert len(line) <= columns - 1, (columns, line)
        assert line.startswith('put ')
        if total is not None:
            assert '%' in line
            bars.update(len(bar) for bar in re.findall(r'\[([#-]+)\]', line))
        if completing:
            assert line.endswith('completing...')
        if eta:
            assert 'ETA 10s' in line  # the ETA outlives the sizes and the bar
    assert len(bars) == (0 if columns < 60 else 1), bars  # the bar does not jump


def test_progress_bar_follows_columns_from_the_environment(tmpdir, connections, transfers):
    tmpdir.join('big.bin').write_binary(b'x' * 3000)
    result = run(['put', 'big.bin', 'photos/big.bin', '--token', save_token(tmpdir)],
                 environ={'COLUMNS': '40'}, tty=True)
    assert result.code == 0, result.err
    drawn = [line.rstrip('\n') for line in result.err.split('\r') if line.strip()]
    assert drawn and all(len(line) <= 39 for line in drawn), drawn
    assert drawn[-1].startswith('put 100%') and ' in ' in drawn[-1]


def test_rate_is_smoothed_and_eta_waits_for_a_second():
    meter = console.RateMeter()
    meter.add(0.0, 0)
    meter.add(0.4, 1 * MiB)        # a slow start: connection set-up
    assert meter.eta(0.4, 1 * MiB, 100 * MiB) is None  # too early to say
    done = 1 * MiB
    for step in range(1, 21):      # then a steady 10 MiB/s
        done += 5 * MiB
        meter.add(0.4 + step * 0.5, done)
    assert 8 * MiB < meter.rate < 11 * MiB
    left = meter.eta(10.4, done, 150 * MiB)
    assert 4 < left < 6  # 49 MiB at about 10 MiB/s


def test_completing_phase_is_shown_until_the_transfer_returns():
    stream, now = io.StringIO(), [0.0]
    bar = console.ProgressBar(stream, 'put', clock=lambda: now[0], interval=0,
                              columns=lambda: 80)
    bar(0, 10 * MiB)
    now[0] = 2.0
    bar(10 * MiB, 10 * MiB)            # every byte sent; S3 still assembling the parts
    assert stream.getvalue().endswith('completing...')
    now[0] = 5.0
    bar.finish()
    assert stream.getvalue().split('\r')[-1] == \
        'put 100% [#################]  10.0 MiB / 10.0 MiB  2.0 MiB/s  in 5.0 s     \n'


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


@pytest.mark.parametrize('argv, said', [
    (['issue', '--bucket', 'photos', '--duration', '5'], '--duration must be between 900 and'),
    (['issue', '--bucket', 'photos', '--name', 'x'], '--name must be 2-32 characters'),
    (['url', 'photos/a', '--expires', '999999'], '--expires must be 1-604800 seconds'),
    (['put', 'cat.bin', 'photos/a', '--workers', '0'], '--workers must be between 1 and 256'),
])
def test_messages_use_the_option_names(argv, said, tmpdir, connections):
    """The real library checks; the message speaks in the command's options."""
    tmpdir.join('cat.bin').write_binary(b'meow')
    if argv[0] != 'issue':
        argv = argv + ['--token', save_token(tmpdir)]
    result = run(argv, environ={'AWS_ACCESS_KEY_ID': 'AKIAISSUER0000000000',
                                'AWS_SECRET_ACCESS_KEY': 'issuer0123456789abcdefghijklmnopqrstuvw'})
    assert result.code == 2
    assert one_line(result.err).startswith('stsboto: ' + said), result.err


def test_issue_without_credentials_says_what_to_set(monkeypatch):
    probes = []
    # boto would ask the EC2 metadata service next: never from a test
    monkeypatch.setattr(boto.provider.Provider, '_populate_keys_from_metadata_server',
                        lambda self: probes.append(self))
    result = run(['issue', '--bucket', 'photos'])
    assert result.code == 2
    line = one_line(result.err)
    assert 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile NAME' in line
    assert 'aws_access_key_id' not in line  # the Python parameter names
    assert probes


def test_issue_help_shows_the_real_defaults(capsys):
    from stsboto.policy import DEFAULT_ACTIONS
    assert run(['issue', '--help']).code == 0
    text = ' '.join(capsys.readouterr().out.split())
    assert '(default: %s)' % ','.join(DEFAULT_ACTIONS) in text
    assert 's3:AbortMultipartUpload' in text
    assert 'and s3:ListBucket only for it' not in text
    assert 'if --actions includes s3:ListBucket' in text


def test_help_lists_every_exit_status(capsys):
    assert run(['--help']).code == 0
    text = ' '.join(capsys.readouterr().out.split())
    for status in ('0 ok', '1 AWS or network error', '2 usage error', '3 expired token',
                   '130 interrupted', '141 output closed', '143 stopped by SIGTERM'):
        assert status in text


def test_expired_token_message_says_how_to_get_another(tmpdir, connections, transfers):
    tmpdir.join('cat.bin').write_binary(b'meow')
    expired = make_token(expiration=datetime.datetime(2001, 1, 1, tzinfo=FAR.tzinfo))
    result = run(['put', 'cat.bin', 'photos/a', '--token', save_token(tmpdir, expired)])
    assert result.code == 3
    line = one_line(result.err)
    assert 'expired at 2001-01-01T00:00:00Z, 25 years ago' in line
    # how to get another, in the command's words (issue 12 item 6, issue 20 item 6)
    assert 'get a new token (`stsboto issue`, or the service that issued it) and run the command ' \
        'again' in line and GET_ANOTHER_TOKEN not in line


def test_ctrl_c_while_starting_prints_no_traceback(monkeypatch):
    def interrupted():
        raise KeyboardInterrupt()
    monkeypatch.setattr(commands, 'build_parser', interrupted)
    result = run(['whoami'])
    assert (result.code, result.err) == (130, 'stsboto: interrupted\n')


# ---------------------------------------------------------------------------
# Signals and files (issue 11 item 7)


@pytest.mark.skipif(not hasattr(signal, 'SIGTERM') or os.name != 'posix', reason='POSIX signals')
def test_sigterm_during_put_ends_like_ctrl_c_with_143(tmpdir, connections, monkeypatch):
    seen = []

    def upload(bucket, key, source, progress=None, config=None):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(10)  # the handler raises in the main thread, by here
        except KeyboardInterrupt as error:  # what stsboto.transfer catches to abort
            seen.append(error)
            raise
    monkeypatch.setattr(transfer, 'upload', upload)
    before = signal.getsignal(signal.SIGTERM)
    tmpdir.join('cat.bin').write_binary(b'meow')
    started = time.time()
    result = run(['put', 'cat.bin', 'photos/a', '--token', save_token(tmpdir)])
    assert time.time() - started < 5
    assert result.code == 143
    assert one_line(result.err) == 'stsboto: stopped by SIGTERM\n'
    assert len(seen) == 1 and isinstance(seen[0], KeyboardInterrupt)
    assert signal.getsignal(signal.SIGTERM) == before  # restored


@pytest.mark.skipif(not hasattr(os, 'symlink'), reason='needs symbolic links')
def test_issue_output_link_is_refused_before_sts(tmpdir, issued):
    tmpdir.join('elsewhere.json').write('')
    os.symlink(str(tmpdir.join('elsewhere.json')), str(tmpdir.join('token.json')))
    result = run(['issue', '--bucket', 'photos', '--output', 'token.json'])
    assert result.code == 2
    assert 'token.json (--output): it is a symbolic link' in one_line(result.err)
    assert issued == []  # STS was never called: no token issued and lost


# ---------------------------------------------------------------------------
# Control characters (issue 11 item 8)


@pytest.mark.parametrize('text, shown', [
    ('plain name.txt', 'plain name.txt'),
    ('a\x1b[2Jb', 'a\\x1b[2Jb'),
    ('line\rover', 'line\\rover'),
    ('tab\there\n', 'tab\\there\\n'),
    ('c1 \x9b31m csi', 'c1 \\x9b31m csi'),
    ('nel\x85', 'nel\\x85'),
    ('bidi \u202eexe.txt', 'bidi \\u202eexe.txt'),
    ('caf\u00e9 \u2603', 'caf\u00e9 \u2603'),
    ('del\x7f', 'del\\x7f'),
])
def test_printable_escapes_control_characters(text, shown):
    assert console.printable(text) == shown


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


def test_whoami_escapes_what_the_token_file_says(tmpdir):
    token = make_token(arn='arn:aws:sts::123456789012:federated-user/x\x1b]0;owned\x07\r')
    result = run(['whoami', '--token', save_token(tmpdir, token)])
    assert result.code == 0
    assert 'ARN:         arn:aws:sts::123456789012:federated-user/x\\x1b]0;owned\\x07\\r\n' \
        in result.out
    assert '\x1b' not in result.out and '\r' not in result.out


def test_error_lines_escape_control_characters(tmpdir):
    result = run(['put', 'a\x1b[31mred', 'photos/x', '--token', save_token(tmpdir)])
    assert result.code == 2
    assert '\x1b' not in result.err
    assert 'a\\x1b[31mred' in result.err


def test_token_repr_and_str_with_a_non_ascii_arn():
    token = make_token(arn='arn:aws:sts::123456789012:federated-user/caf\u00e9')
    for text in (repr(token), str(token)):
        assert 'caf' in text
        assert_no_secret(text if isinstance(text, six.text_type) else text.decode('utf-8'))


# ---------------------------------------------------------------------------
# Broken pipe (issue 12 item 6)


class ClosedPipe(io.TextIOWrapper):
    """stdout whose reader went away: every write fails as a closed pipe does."""

    def __init__(self):
        io.TextIOWrapper.__init__(self, io.BytesIO(), encoding='utf-8')

    def write(self, text):
        raise IOError(32, 'Broken pipe')


def test_broken_pipe_on_stdout_exits_141_quietly(tmpdir):
    stderr = Stream()
    code = stsboto.cli.main(['whoami', '--token', save_token(tmpdir)], stdout=ClosedPipe(),
                            stderr=stderr, environ={})
    assert (code, stderr.getvalue()) == (141, '')
    assert errors.exit_status(IOError(32, 'Broken pipe')) == errors.EXIT_BROKEN_PIPE


def test_server_checks_its_arguments_before_starting_anything(monkeypatch):
    from stsboto import local
    started = []
    monkeypatch.setattr(local, 'find_server_command', lambda *a, **k: started.append(a))
    bad = run(['server', '--bucket', 'Bad_Bucket'])
    assert bad.code == 2 and one_line(bad.err).startswith('stsboto: --bucket "Bad_Bucket" may')
    port = run(['server', '--port', '70000'])
    assert port.code == 2 and '--port must be 1-65535' in one_line(port.err)
    assert started == []


class _InterruptedImport(object):
    """A meta-path finder whose import of stsboto.cli is interrupted (Ctrl-C)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == 'stsboto.cli':
            raise KeyboardInterrupt
        return None

    def find_module(self, fullname, path=None):  # Python 2
        return self.find_spec(fullname, path)


def test_ctrl_c_while_stsboto_imports_prints_no_traceback(monkeypatch, capsys):
    """The console script catches Ctrl-C during ``import stsboto`` too (issue 12 item 6)."""
    import sys
    import _stsboto_startup
    for name in [n for n in sys.modules if n == 'stsboto.cli' or n.startswith('stsboto.cli.')]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delattr(stsboto, 'cli', raising=False)
    monkeypatch.setattr(sys, 'meta_path', [_InterruptedImport()] + sys.meta_path)
    assert _stsboto_startup.run_cli() == 130
    captured = capsys.readouterr()
    assert captured.err == 'stsboto: interrupted\n' and 'Traceback' not in captured.err


def test_console_script_is_the_interrupt_safe_entry_point():
    setup_cfg = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, 'setup.cfg')
    with io.open(setup_cfg, encoding='utf-8') as handle:
        assert 'stsboto = _stsboto_startup:run_cli' in handle.read()


def test_a_mistyped_option_shows_the_command_s_usage(capsys):
    assert stsboto.cli.main(["put", "--bogus", "a.txt", "photos/"]) == 2
    err = capsys.readouterr().err
    assert err.startswith('usage: stsboto put ') and 'LOCAL BUCKET/KEY' in err
    assert 'stsboto put: error: unrecognized arguments: --bogus' in err
