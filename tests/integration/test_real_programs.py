"""Real programs built on boto 2, unchanged, under the patch (issue 18 item 4).

smart_open 1.5.3 (streaming reads and writes, and ``s3_iter_bucket``, which
hands boto keys to worker processes) and WAL-E 1.1.1 (``wal-push``,
``wal-fetch``, ``backup-list``) run as released, in child processes whose
environment holds only an assumed role's credentials (``AWS_SESSION_TOKEN``,
which boto 2 ignores: boto issue 3298), against moto with IAM enforcement on.
Each passes only if every request it made carried SigV4 and the role's session
token (moto's recorder shows it); each has a control run without
``STSBOTO_PATCH_BOTO`` that must fail.

tox installs the programs where they install and run (see tox.ini); a test
that finds its program missing FAILS, never skips.
"""
from __future__ import absolute_import, print_function, unicode_literals

import json
import os
import signal
import subprocess
import sys
import threading

import pytest

from tests.integration import test_patch_scripts
from tests.integration.test_patch_scripts import BUCKET, _native

# The same story as test_patch_scripts.py: only an assumed role's keys in the environment.
role_env = test_patch_scripts.role_env

try:
    # SIGKILL when the test process dies (prctl PR_SET_PDEATHSIG), where main has it (issue 21)
    from tests.processes import prepare_child
except ImportError:
    prepare_child = None

pytestmark = pytest.mark.integration

SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'patch_scripts')
#: How long a program may run before the test stops it (and its children).
TIMEOUT = 120


def run_program(command, env, timeout=TIMEOUT):
    """``(status, stdout, stderr)`` of ``command``, in a process group of its own that is
    killed when it ends or after ``timeout`` s (pool workers, lzop, WAL-E's helpers go too)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                               preexec_fn=_prepare_child)
    killed = []

    def kill():
        killed.append(True)
        _kill_group(process.pid)
    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        out, err = process.communicate()
    finally:
        timer.cancel()
        _kill_group(process.pid)
    err = err.decode('utf-8', 'replace') + ('\n[killed by the test after %d s]' % timeout if killed else '')
    return process.returncode, out.decode('utf-8', 'replace'), err


def _prepare_child():
    os.setsid()
    if prepare_child is not None:
        prepare_child()


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass   # the group is gone already


def result_of(status, out, err):
    assert status == 0, 'program failed (status %s):\n%s\n%s' % (status, out, err)
    return json.loads(out.split('RESULT:', 1)[1])


def every_request_carried_the_token(server, token):
    """The recorded S3 requests (at least one), each SigV4-signed with the role's token."""
    requests = [r for r in server.recorded_requests() if r.service == 's3']
    assert requests
    for request in requests:
        assert request.signature_version == 'v4', request.url
        assert request.access_key == token.access_key, request.url
        assert request.session_token == token.session_token, request.url
    return requests


def app_env(role_env):
    env, token = role_env
    env = dict(env)
    env.pop(_native('AWS_ENDPOINT_URL'))       # the programs' own settings name the endpoint
    return env, token


def without_patch(env):
    env = dict(env)
    env.pop(_native('STSBOTO_PATCH_BOTO'))
    return env


# -- smart_open 1.5.3 -------------------------------------------------------------------

def smart_open_job(env, server, mode):
    command = [sys.executable, os.path.join(SCRIPTS, 'smart_open_job.py'), BUCKET, str(server.port),
               mode]
    return run_program(command, env)


def test_smart_open_streams_with_role_credentials(server, role_env):
    import smart_open  # noqa: F401  (tox installs it here: fail, never skip, when it is missing)
    env, token = app_env(role_env)
    server.start_recording()
    result = result_of(*smart_open_job(env, server, 'stream'))
    server.stop_recording()
    assert result == {'lines': ['first line', 'second line', 'gr\u00fc\u00dfe']}
    requests = every_request_carried_the_token(server, token)
    assert {'PUT', 'GET', 'POST'} <= set(r.method for r in requests)   # multipart upload, then read


def test_smart_open_without_the_patch_is_refused(server, role_env, tmpdir):
    env, _ = app_env(role_env)
    config = tmpdir.join('boto.cfg')
    config.write('[Boto]\nnum_retries = 0\n')
    env = without_patch(env)
    env[_native('BOTO_CONFIG')] = _native(str(config))
    status, out, err = smart_open_job(env, server, 'stream')
    assert status != 0 and 'RESULT:' not in out
    assert 'BotoServerError: 500' in err   # moto's answer to boto's SigV2 under enforcement


def test_smart_open_s3_iter_bucket_in_worker_processes(server, role_env):
    import smart_open  # noqa: F401
    env, token = app_env(role_env)
    server.start_recording()
    status, out, err = smart_open_job(env, server, 'iter')
    server.stop_recording()
    assert result_of(status, out, err) == {'keys': [['jobs/part-%d.txt' % n, 'part %d' % n]
                                                    for n in range(3)]}
    requests = every_request_carried_the_token(server, token)
    # the three downloads were made by the pool's workers, with the token
    assert sum(1 for r in requests if r.method == 'GET' and '/jobs/part-' in r.url) == 3


def test_smart_open_s3_iter_bucket_without_the_patch_is_refused(server, role_env, tmpdir):
    env, _ = app_env(role_env)
    config = tmpdir.join('boto.cfg')
    config.write('[Boto]\nnum_retries = 0\n')
    env = without_patch(env)
    env[_native('BOTO_CONFIG')] = _native(str(config))
    status, out, err = smart_open_job(env, server, 'iter')
    assert status != 0 and 'RESULT:' not in out
    assert 'BotoServerError: 500' in err


# -- WAL-E 1.1.1 ----------------------------------------------------------------------------
# Configured as its README says for an S3-compatible server: WALE_S3_PREFIX and
# WALE_S3_ENDPOINT (WAL-E then builds boto's S3Connection itself and leaves the
# credentials to boto); its logs go to stderr (the test machine has no syslog).

wal_e_installs = pytest.mark.applies(
    sys.version_info >= (3, 6), reason='WAL-E 1.1.1 needs Python 3.4+ (its setup.py refuses 2.7)')

SEGMENT = '000000010000000000000001'
SENTINEL = 'pg/basebackups_005/base_000000010000000000000002_00000040_backup_stop_sentinel.json'
SENTINEL_BODY = {'wal_segment_backup_start': '000000010000000000000002',
                 'wal_segment_offset_backup_start': '00000028',
                 'wal_segment_backup_stop': '000000010000000000000002',
                 'wal_segment_offset_backup_stop': '00000040', 'expanded_size_bytes': 123}


def wal_e(env, *args, **kwargs):
    command = [os.path.join(os.path.dirname(sys.executable), 'wal-e')] + list(args)
    return run_program(command, env, **kwargs)


@pytest.fixture
def wal_e_env(server, role_env, tmpdir):
    """WAL-E's settings; a WAL segment on disk; the sentinel a base backup leaves in S3."""
    import stsboto
    env, token = app_env(role_env)
    env.update({_native('WALE_S3_PREFIX'): _native('s3://%s/pg' % BUCKET),
                _native('WALE_S3_ENDPOINT'): _native('http+path://127.0.0.1:%d' % server.port),
                _native('WALE_LOG_DESTINATION'): _native('stderr')})
    # what `wal-e backup-push` leaves behind when a base backup ends (it needs a database)
    connection = stsboto.connect_with_token(token, endpoint_url=server.endpoint_url)
    connection.get_bucket(BUCKET, validate=False).new_key(SENTINEL).set_contents_from_string(
        json.dumps(SENTINEL_BODY))
    xlog = tmpdir.mkdir('pg_xlog')
    xlog.mkdir('archive_status')
    segment = xlog.join(SEGMENT)
    segment.write_binary(os.urandom(256 * 1024))
    return env, token, segment


@wal_e_installs
def test_wal_e_push_fetch_and_list_with_role_credentials(server, wal_e_env, tmpdir):
    env, token, segment = wal_e_env
    restored = tmpdir.join('restored')
    server.start_recording()
    pushed = wal_e(env, 'wal-push', str(segment))
    fetched = wal_e(env, 'wal-fetch', '--prefetch', '0', SEGMENT, str(restored))
    listed = wal_e(env, 'backup-list', '--detail')
    server.stop_recording()
    for status, out, err in (pushed, fetched, listed):
        assert status == 0, 'wal-e failed:\n%s\n%s' % (out, err)
    assert restored.read_binary() == segment.read_binary()
    rows = [line.split('\t') for line in listed[1].splitlines()]
    assert rows[0][:2] == ['name', 'last_modified']
    assert [row[0] for row in rows[1:]] == ['base_000000010000000000000002_00000040']
    assert rows[1][2:] == ['123', '000000010000000000000002', '00000028', '000000010000000000000002',
                           '00000040']
    requests = every_request_carried_the_token(server, token)
    wal_key = '/%s/pg/wal_005/%s.lzo' % (BUCKET, SEGMENT)
    assert [(r.method, r.path) for r in requests] == [
        ('PUT', wal_key), ('GET', wal_key), ('GET', '/%s/' % BUCKET), ('GET', '/%s/%s' % (BUCKET, SENTINEL))]


@wal_e_installs
@pytest.mark.parametrize('command', [('backup-list',), ('wal-push', 'SEGMENT')])
def test_wal_e_without_the_patch_is_refused(server, wal_e_env, tmpdir, command):
    env, _, segment = wal_e_env
    config = tmpdir.join('boto.cfg')
    config.write('[Boto]\nnum_retries = 0\n')
    env = without_patch(env)
    env[_native('BOTO_CONFIG')] = _native(str(config))
    args = [str(segment) if arg == 'SEGMENT' else arg for arg in command]
    status, out, err = wal_e(env, *args, timeout=30)
    assert status != 0, 'wal-e succeeded without the patch:\n%s\n%s' % (out, err)
    assert 'base_000000010000000000000002' not in out
    assert 'BotoServerError: 500' in err   # refused by the server, not a setup problem
