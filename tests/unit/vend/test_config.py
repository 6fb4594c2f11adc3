"""Unit tests of stsboto.vend.config: the configuration's rules, the issuer, who may call."""
from __future__ import absolute_import, unicode_literals

import io
import os

import pytest
import six

from stsboto.exceptions import VendConfigError
from stsboto.vend import add_caller, check_issuer, hash_secret, load_config
from stsboto.vend import config as vend_config
from tests.factories import make_token
from tests.vend_support import (BASE, SECRET_A, SECRET_B, TWO_CALLERS, Answer, config_from, environ,
                                write_config)


def refused(tmpdir, text):
    with pytest.raises(VendConfigError) as caught:
        config_from(tmpdir, text)
    return caught.value


def test_callers_get_their_grant_with_caller_filled_in(tmpdir):
    config = config_from(tmpdir, TWO_CALLERS)
    assert config.mode == 'federation' and config.region == 'us-east-1'
    a, b = config.callers['app-a'], config.callers['app-b']
    assert a.duration == 3600 and b.duration == 7200
    assert a.policy['Statement'] == [{
        'Effect': 'Allow', 'Action': ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        'Resource': 'arn:aws:s3:::photos/users/app-a/*'}]
    assert b.policy['Statement'] == [{'Effect': 'Allow', 'Action': ['s3:GetObject'],
                                      'Resource': 'arn:aws:s3:::photos/partners/app-b/*'}]
    assert config.caller_for_secret(SECRET_A) is a
    assert config.caller_for_secret(SECRET_B) is b
    assert config.caller_for_secret('not-a-secret') is None
    assert config.caller_for_secret('') is None


@pytest.mark.parametrize('text, section, key, words', [
    ('[caller x1]\ntoken_sha256 = %s\n' % ('a' * 64), 'vend', None, 'needs a [vend] section'),
    (BASE + 'mode = federated\n', 'vend', 'mode', 'federation or assume-role'),
    (BASE + 'mode = assume-role\n', 'vend', 'role_arn', 'role ARN'),
    (BASE + 'role_arn = arn:aws:iam::123456789012:role/r\n', 'vend', 'role_arn', 'assume-role'),
    (BASE + 'colour = blue\n', 'vend', 'colour', 'unknown key colour'),
    (BASE + 'duration = 900\n', 'vend', 'duration', 'botocore'),
    (BASE + 'duration = 1h\n', 'vend', 'duration', 'whole number of seconds'),
    (BASE + 'duration = 200000\n', 'vend', 'duration', 'at most 129600'),
    (BASE + 'mode = assume-role\nrole_arn = arn:aws:iam::123456789012:role/r\nduration = 43201\n',
     'vend', 'duration', 'at most 43200'),
    (BASE + 'trusted_proxies = 10.0.0.1/8\n', 'vend', 'trusted_proxies', 'host bits'),
    (BASE + 'metrics_from = example.com\n', 'vend', 'metrics_from', 'not an IPv4 or IPv6'),
    (BASE + 'region = mars-1\n', 'vend', 'region', 'region'),
    (BASE + '[caller a]\ntoken_sha256 = %s\n' % ('a' * 64), 'caller a', None, '2-32 characters'),
    (BASE + '[caller app]\n', 'caller app', 'token_sha256', 'needs token_sha256'),
    (BASE + '[caller app]\ntoken_sha256 = %s\n' % SECRET_A, 'caller app', 'token_sha256',
     'never the secret itself'),
    (BASE + '[caller app]\ntoken_sha256 = %s\n[caller app2]\ntoken_sha256 = %s\n'
     % (hash_secret(SECRET_A), hash_secret(SECRET_A)), 'caller app2', 'token_sha256',
     'each secret names one caller'),
    (BASE + '[caller app]\ntoken_sha256 = %s\nowner = me\n' % ('a' * 64), 'caller app', 'owner',
     'unknown key owner'),
    (BASE + '[caller app]\ntoken_sha256 = %s\nprefix = {user}/\n' % ('a' * 64), 'caller app',
     'prefix', '{caller} and no other braces'),
    (BASE + '[caller app]\ntoken_sha256 = %s\nprefix = a*/\n' % ('a' * 64), 'caller app', 'prefix',
     'wildcards'),
    (BASE + '[caller app]\ntoken_sha256 = %s\nbucket = Photos\n' % ('a' * 64), 'caller app',
     'bucket', 'lowercase'),
    (BASE + '[caller app]\ntoken_sha256 = %s\nactions = s3:*\n' % ('a' * 64), 'caller app',
     'actions', 'wildcard'),
    (BASE + '[caller app]\ntoken_sha256 = %s\nduration = 60\n' % ('a' * 64), 'caller app',
     'duration', 'at least 1800'),
    (BASE + '[callers app]\ntoken_sha256 = %s\n' % ('a' * 64), 'callers app', None,
     '[caller NAME] only'),
    ('[vend]\n[caller app]\ntoken_sha256 = %s\n' % ('a' * 64), 'caller app', 'bucket', 'bucket'),
])
def test_bad_configurations_are_refused_naming_section_and_key(tmpdir, text, section, key, words):
    error = refused(tmpdir, text)
    assert isinstance(error, ValueError)
    assert (error.section, error.key) == (section, key)
    assert '[%s]' % section in six.text_type(error)
    if key:
        assert key in six.text_type(error)
    assert words in six.text_type(error)
    assert SECRET_A not in six.text_type(error)


def test_a_short_duration_says_why(tmpdir):
    message = six.text_type(refused(tmpdir, BASE + 'duration = 1200\n'))
    assert 'at least 1800 seconds' in message and '15 minutes' in message


def test_unreadable_and_broken_files_are_config_errors(tmpdir):
    with pytest.raises(VendConfigError) as caught:
        load_config(str(tmpdir.join('missing.ini')))
    assert 'cannot read' in six.text_type(caught.value)
    assert 'not a valid INI' in six.text_type(refused(tmpdir, 'no section here\n'))


def test_networks_ipv4_ipv6_and_mapped_addresses():
    network = vend_config.Network('10.1.0.0/16')
    assert '10.1.2.3' in network and '::ffff:10.1.2.3' in network
    assert '10.2.0.1' not in network and 'fd00::1' not in network and 'junk' not in network
    assert '2001:db8::5' in vend_config.Network('2001:db8::/32')
    assert '192.0.2.7' in vend_config.Network('192.0.2.7')
    assert vend_config.is_loopback('127.0.0.2') and vend_config.is_loopback('::1')
    assert not vend_config.is_loopback('10.0.0.1')


def test_federation_needs_long_term_keys(tmpdir):
    config = config_from(tmpdir, TWO_CALLERS)
    check_issuer(config, make_token(access_key='AKIAIOSFODNN7EXAMPLE', session_token=None))
    with pytest.raises(VendConfigError) as caught:
        check_issuer(config, make_token())  # temporary: ASIA..., a session token
    assert 'long-term keys' in six.text_type(caught.value)
    assert caught.value.key == 'mode'
    with pytest.raises(VendConfigError) as caught:
        check_issuer(config, None)
    assert 'no issuer credentials' in six.text_type(caught.value)


def test_assume_role_from_role_credentials_is_capped_at_an_hour(tmpdir):
    text = TWO_CALLERS.replace('[vend]\n', '[vend]\nmode = assume-role\n'
                               'role_arn = arn:aws:iam::123456789012:role/vend\n')
    config = config_from(tmpdir, text)
    check_issuer(config, make_token(access_key='AKIAIOSFODNN7EXAMPLE', session_token=None))
    with pytest.raises(VendConfigError) as caught:
        check_issuer(config, make_token())
    assert (caught.value.section, caught.value.key) == ('caller app-b', 'duration')
    assert 'role chaining' in six.text_type(caught.value)
    check_issuer(config_from(tmpdir, text.replace('duration = 7200', 'duration = 3600')),
                 make_token())


def test_add_caller_adds_a_section_then_a_second_hash_keeping_the_file(tmpdir):
    path = write_config(tmpdir, BASE.replace('[vend]', '# the photo service\n[vend]'))
    add_caller(path, 'app-a', SECRET_A)
    add_caller(path, 'app-a', SECRET_B)  # rotation: both work until the old one is removed
    text = io.open(path, encoding='utf-8').read()
    assert text.startswith('# the photo service\n[vend]\n')
    assert SECRET_A not in text and SECRET_B not in text
    config = load_config(path)
    assert config.callers['app-a'].hashes == (hash_secret(SECRET_A), hash_secret(SECRET_B))
    assert config.caller_for_secret(SECRET_B).name == 'app-a'
    assert [f for f in os.listdir(str(tmpdir))] == ['vend.ini']


def test_add_caller_refuses_a_name_the_file_cannot_hold(tmpdir):
    path = write_config(tmpdir, BASE)
    with pytest.raises(VendConfigError):
        add_caller(path, 'x', SECRET_A)
    assert io.open(path, encoding='utf-8').read() == BASE
    assert os.listdir(str(tmpdir)) == ['vend.ini']


def test_secrets_are_compared_in_constant_time_against_every_hash(make_app, monkeypatch):
    app, _ = make_app()
    compared = []
    real = vend_config.hmac.compare_digest

    def counting(a, b):
        compared.append(b.decode('ascii'))
        return real(a, b)
    monkeypatch.setattr(vend_config.hmac, 'compare_digest', counting)
    for secret in (SECRET_A, SECRET_B, 'unknown-secret'):
        del compared[:]
        Answer(app, environ(secret))
        # every hash is compared, whichever (if any) matches
        assert sorted(compared) == sorted([hash_secret(SECRET_A), hash_secret(SECRET_B)])
