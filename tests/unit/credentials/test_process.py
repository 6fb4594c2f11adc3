"""Unit tests for stsboto.credentials.process: credential_process helpers (real child processes)."""
from __future__ import absolute_import, unicode_literals

import io
import time

import pytest
import six

import stsboto
from stsboto.exceptions import CredentialSourceError
from stsboto.refresh import RefreshableToken
from stsboto.token import Token
from tests.credentials_support import write_aws_config
from tests.credentials_support import process_profile, write
from tests.factories import SECRET_KEY, FakeClock


def test_credential_process_version_1(home, tmpdir):
    process_profile(home, tmpdir, '''
        import json, sys
        assert sys.argv[1:] == ['--flag']
        print(json.dumps({"Version": 1, "AccessKeyId": "test", "SecretAccessKey": "test",
                          "SessionToken": "tok"}))
    ''')
    token = stsboto.find_token('p')
    assert isinstance(token, Token)
    assert (token.access_key, token.session_token, token.method) == ('test', 'tok', 'custom-process')


def test_credential_process_with_expiration_refreshes(home, tmpdir):
    counter = tmpdir.join('count')
    process_profile(home, tmpdir, '''
        import json, os
        path = %r
        n = int(open(path).read()) + 1 if os.path.exists(path) else 1
        open(path, 'w').write(str(n))
        print(json.dumps({"Version": 1, "AccessKeyId": "AKIA%%016d" %% n, "SecretAccessKey": "s",
                          "SessionToken": "t", "Expiration": "2026-11-27T13:00:00Z"}))
    ''' % str(counter))
    clock = FakeClock()   # 12:00; the credentials expire at 13:00
    source = stsboto.find_token('p', time_fetcher=clock)
    assert isinstance(source, RefreshableToken) and source.method == 'custom-process'
    assert source.get().access_key == 'AKIA%016d' % 1
    clock.advance(55 * 60)            # 5 minutes left: mandatory window
    token = source.get()
    assert token.access_key == 'AKIA%016d' % 2 and token.method == 'custom-process'


@pytest.mark.parametrize('script, words', [
    ('import sys\nsys.stderr.write("helper says: no session\\n")\nsys.exit(3)\n', 'status 3'),
    ('print("not json %s")\n' % SECRET_KEY, 'did not print JSON'),
    ('import json\nprint(json.dumps({"Version": 2, "AccessKeyId": "a", "SecretAccessKey": "%s"}))\n'
     % SECRET_KEY, '"Version": 1'),
    ('import json\nprint(json.dumps({"Version": 1, "AccessKeyId": "a"}))\n', 'SecretAccessKey'),
    ('import json\nprint(json.dumps({"Version": 1, "AccessKeyId": "a b", "SecretAccessKey": "%s"}))\n'
     % SECRET_KEY, 'AccessKeyId'),
    ('import sys\nsys.stdout.write("x" * 70000)\n', 'more than'),
    ('print("[1, 2]")\n', 'not an object'),
])
def test_credential_process_failures_name_the_profile_never_the_secret(
        home, tmpdir, capfd, script, words):
    process_profile(home, tmpdir, script, name='helper')
    with pytest.raises(CredentialSourceError) as info:
        stsboto.find_token('helper')
    message = six.text_type(info.value)
    assert words in message and 'profile helper' in message
    assert info.value.method == 'custom-process' and info.value.profile == 'helper'
    assert SECRET_KEY not in message and SECRET_KEY not in repr(info.value)
    if 'status' in words:
        assert 'helper says: no session' in capfd.readouterr().err   # passed through


def test_credential_process_that_cannot_start(home):
    write(home.join('.aws', 'config'), '[profile p]\ncredential_process = /nonexistent/helper\n')
    with pytest.raises(CredentialSourceError) as info:
        stsboto.find_token('p')
    assert 'could not start' in six.text_type(info.value)


# -- issue 19 item 7: credential_process has a time limit ----------------------------------------

def _helper(tmpdir, script):
    import sys
    path = str(tmpdir.join('helper.py'))
    with io.open(path, 'w', encoding='utf-8') as stream:
        stream.write(script)
    return '"%s" "%s"' % (sys.executable, path)


# A helper that starts a child (which would hold the pipe), closes its own output and sleeps.
SLEEPER = '''
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])
with open(%r, 'w') as f:
    f.write('%%d %%d' %% (os.getpid(), child.pid))
os.close(1)
time.sleep(60)
'''


def _dead(pid):
    import errno
    import os
    try:
        os.kill(pid, 0)
    except OSError as error:
        return error.errno == errno.ESRCH
    try:   # a zombie waiting for its parent (or init) to reap it is dead too
        with open('/proc/%d/stat' % pid) as stream:
            return stream.read().split(')')[-1].split()[0] == 'Z'
    except (IOError, OSError):
        return True


def _wait_dead(pids, seconds=5):
    end = time.time() + seconds
    while time.time() < end and not all(_dead(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if not _dead(p)]


@pytest.mark.applies(__import__('os').name == 'posix', reason='process groups are POSIX')
@pytest.mark.parametrize('how', ['argument', 'variable'])
def test_item7_a_helper_that_never_finishes_is_stopped_with_its_children(tmpdir, how):
    home = __import__('os').environ['HOME']
    pids = str(tmpdir.join('pids'))
    write_aws_config(home, '[profile slow]\ncredential_process = %s\n' % _helper(tmpdir, SLEEPER % pids))
    started = time.time()
    with pytest.raises(CredentialSourceError) as caught:
        if how == 'argument':
            stsboto.find_token('slow', process_timeout=1.5)
        else:
            stsboto.find_token('slow', environ={'HOME': home,
                                                'STSBOTO_CREDENTIAL_PROCESS_TIMEOUT': '1.5'})
    elapsed = time.time() - started
    message = six.text_type(caught.value)
    assert 'did not finish within 1.5 s' in message and 'profile slow' in message
    assert 'STSBOTO_CREDENTIAL_PROCESS_TIMEOUT' in message
    assert 1.4 < elapsed < 6, elapsed
    helper, child = [int(p) for p in open(pids).read().split()]
    assert _wait_dead([helper, child]) == []


@pytest.mark.parametrize('value', ['0', '-1', 'nan', 'inf', 'soon'])
def test_item7_a_bad_time_limit_names_the_variable(tmpdir, value):
    from stsboto.exceptions import CredentialConfigError
    home = __import__('os').environ['HOME']
    write_aws_config(home, '[profile p]\ncredential_process = %s\n' % _helper(tmpdir, 'print(1)\n'))
    with pytest.raises(CredentialConfigError) as caught:
        stsboto.find_token('p', environ={'HOME': home, 'STSBOTO_CREDENTIAL_PROCESS_TIMEOUT': value})
    assert caught.value.field == 'STSBOTO_CREDENTIAL_PROCESS_TIMEOUT'
    with pytest.raises(CredentialConfigError) as caught:
        stsboto.find_token('p', process_timeout=float(value) if value != 'soon' else value)
    assert caught.value.field == 'process_timeout'


def test_item7_the_default_limit_is_60_seconds(tmpdir):
    from stsboto.credentials import process
    assert process.process_timeout(None, {}) == process.DEFAULT_TIMEOUT == 60
    home = __import__('os').environ['HOME']
    write_aws_config(home, '[profile p]\ncredential_process = %s\n' % _helper(
        tmpdir, 'import json\nprint(json.dumps({"Version": 1, "AccessKeyId": "test", '
                '"SecretAccessKey": "test-secret"}))\n'))
    assert stsboto.find_token('p', process_timeout=30).access_key == 'test'


def test_item10_a_credential_process_line_is_the_same_words_everywhere(tmpdir):
    home = __import__('os').environ['HOME']
    helper = _helper(tmpdir, 'import json, sys\nprint(json.dumps({"Version": 1, "AccessKeyId": '
                             '"AKID" + "x".join(sys.argv[1:]).replace(";", "S"), '
                             '"SecretAccessKey": "test-secret"}))\n')
    write_aws_config(home, '[profile p]\ncredential_process = %s one ;two three\n' % helper)
    token = stsboto.find_token('p')
    assert token.access_key == 'AKIDonexStwoxthree'
