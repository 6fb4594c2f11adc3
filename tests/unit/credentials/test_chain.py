"""Unit tests for stsboto.credentials.chain: which profile the chain reads, and the environment's place in it.

The order of all the sources, against loopback emulators, is in
tests/functional/credentials/test_chain.py.
"""
from __future__ import absolute_import, unicode_literals

import pytest
import six

import stsboto
from stsboto.exceptions import MissingCredentialsError
from stsboto.token import Token
from tests.credentials_support import keys, write


def test_explicit_profile_skips_environment_keys_aws_profile_does_not(home):
    write(home.join('.aws', 'credentials'), keys('default', 1) + keys('up', 2))
    env = {'AWS_ACCESS_KEY_ID': 'testing', 'AWS_SECRET_ACCESS_KEY': 'testing', 'AWS_PROFILE': 'up'}
    assert stsboto.find_token(environ=env).access_key == 'testing'
    assert stsboto.find_token('up', environ=env).access_key == 'AKIA%016d' % 2


@pytest.mark.parametrize('how', ['argument', 'AWS_PROFILE'])
def test_missing_named_profile_is_an_error(home, how):
    write(home.join('.aws', 'credentials'), keys('default', 1))
    with pytest.raises(MissingCredentialsError) as info:
        if how == 'argument':
            stsboto.find_token('nope')
        else:
            stsboto.find_token(environ={'AWS_PROFILE': 'nope'})
    assert 'profile nope' in six.text_type(info.value)


def test_profile_argument_is_checked():
    with pytest.raises(ValueError):
        stsboto.find_token(profile='')


def test_aws_default_profile_comes_before_aws_profile_as_in_botocore(home):
    write(home.join('.aws', 'credentials'),
          '[first]\naws_access_key_id = AKIDFIRST\naws_secret_access_key = s1\n'
          '[second]\naws_access_key_id = AKIDSECOND\naws_secret_access_key = s2\n')
    env = {'AWS_DEFAULT_PROFILE': 'first', 'AWS_PROFILE': 'second'}
    assert stsboto.find_token(environ=env).access_key == 'AKIDFIRST'
    assert Token.from_profile(environ=env).access_key == 'AKIDFIRST'
    assert stsboto.find_token(environ={'AWS_PROFILE': 'second'}).access_key == 'AKIDSECOND'
    with pytest.raises(MissingCredentialsError):   # named by the variable: it must exist
        stsboto.find_token(environ={'AWS_DEFAULT_PROFILE': 'nowhere'})
