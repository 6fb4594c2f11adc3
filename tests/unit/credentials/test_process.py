"""Unit tests for stsboto.credentials.process: credential_process helpers (real child processes)."""
from __future__ import absolute_import, unicode_literals

import pytest
import six

import stsboto
from stsboto.exceptions import CredentialSourceError
from stsboto.refresh import RefreshableToken
from stsboto.token import Token
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
