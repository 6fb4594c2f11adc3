"""Functional tests for stsboto.credentials.roles: a role whose credential_source is a loopback IMDS."""
from __future__ import absolute_import, unicode_literals

import stsboto
from tests.credentials_support import ROLE_ARN, write
from tests.emulators import imds
from tests.factories import make_token


def test_credential_source_ec2_instance_metadata(home, fake_sts, monkeypatch):
    monkeypatch.delenv(str('AWS_EC2_METADATA_DISABLED'))
    with imds([make_token(serial=5)]) as server:
        write(home.join('.aws', 'config'), '[profile r]\nrole_arn = %s\ncredential_source = '
              'Ec2InstanceMetadata\nec2_metadata_service_endpoint = %s\n' % (ROLE_ARN, server.url))
        stsboto.find_token('r').get()
    assert fake_sts.calls[0]['aws_access_key_id'] == 'ASIA%016d' % 5
