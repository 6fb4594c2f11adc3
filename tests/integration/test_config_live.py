"""Issue 18 item 2 as a user story against moto with IAM enforcement: an unchanged boto 2
program whose endpoints and region live only in the shared config file (a ``services``
section and the profile's ``region``), its credentials only in the environment."""
from __future__ import absolute_import, print_function, unicode_literals

import pytest

from tests.integration.test_patch_scripts import (BUCKET, EXPECTED, _native,
                                                  check_every_request_carried_the_token, role_env, run)

pytestmark = pytest.mark.integration
__all__ = ['role_env']  # the fixture, used here too

CONFIG = """[profile legacy-app]
region = us-east-1
services = local

[services local]
s3 =
  endpoint_url = {url}
sqs =
  endpoint_url = {url}
sns =
  endpoint_url = {url}
dynamodb =
  endpoint_url = {url}
"""


def test_endpoints_and_region_from_the_config_file_only(server, role_env, tmpdir):
    env, token = role_env
    for name in ('AWS_ENDPOINT_URL', 'AWS_REGION'):
        env.pop(_native(name))
    config = tmpdir.join('config')
    config.write(CONFIG.format(url=server.endpoint_url))
    env[_native('AWS_CONFIG_FILE')] = _native(str(config))
    env[_native('AWS_DEFAULT_PROFILE')] = _native('legacy-app')
    server.start_recording()
    result, _ = run('boto_user_story.py', env, BUCKET)
    server.stop_recording()
    assert result == EXPECTED
    check_every_request_carried_the_token(server, token)


def test_a_profile_naming_a_missing_services_section_fails_before_any_request(server, role_env, tmpdir):
    env, _ = role_env
    env.pop(_native('AWS_ENDPOINT_URL'))
    config = tmpdir.join('config')
    config.write('[default]\nservices = nowhere\n')
    env[_native('AWS_CONFIG_FILE')] = _native(str(config))
    server.start_recording()
    with pytest.raises(AssertionError) as caught:
        run('boto_user_story.py', env, BUCKET)
    server.stop_recording()
    assert "services section 'nowhere'" in str(caught.value)
    assert server.recorded_requests() == []
