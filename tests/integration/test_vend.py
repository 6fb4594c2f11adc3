"""``stsboto vend`` against moto with IAM enforcement: the user stories of issue 22.

The service runs as a real ``python -m stsboto vend`` subprocess (its own process
group, killed with the test, and by the kernel if pytest itself dies:
PR_SET_PDEATHSIG) in ``mode = assume-role``: moto checks the SigV4 signature and the
session token of assumed-role keys under enforcement (federation keys from moto are
static fakes), but not session policies, so what each caller was granted is read
from moto's request recorder (the AssumeRole ``Policy`` and ``RoleSessionName`` sent).
"""
from __future__ import absolute_import, print_function, unicode_literals

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import six
from six.moves.urllib import parse as urlparse
from six.moves.urllib import request as urlrequest
from six.moves.urllib.error import HTTPError

import stsboto
from stsboto.vend import VendApp, hash_secret, load_config
from tests.integration.support import create_assumable_role

pytestmark = pytest.mark.integration

BUCKET = 'vend-photos'
SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'patch_scripts')
DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'data')
SECRETS = dict(('app-%s' % name, 'secret-of-app-%s-0123456789abcdef' % name) for name in 'ab')
ROLE_POLICY = {'Version': '2012-10-17', 'Statement': [{
    'Effect': 'Allow', 'Action': ['s3:*'],
    'Resource': ['arn:aws:s3:::%s' % BUCKET, 'arn:aws:s3:::%s/*' % BUCKET]}]}
PY3 = sys.version_info[0] >= 3


def native(text):
    return text if isinstance(text, str) else text.encode('utf-8')


def config_text(role_arn, callers=('app-a', 'app-b'), duration=3600):
    text = ('[vend]\nmode = assume-role\nrole_arn = %s\nbucket = %s\nprefix = users/{caller}/\n'
            'duration = %d\n' % (role_arn, BUCKET, duration))
    for name in callers:
        text += '\n[caller %s]\ntoken_sha256 = %s\n' % (name, hash_secret(SECRETS.get(
            name, 'secret-of-%s-0123456789abcdef' % name)))
    return text


@pytest.fixture
def vend_setup(server, admin_s3, iam, child_env, tmpdir):
    """A bucket, a role the issuer may assume, enforcement on, a configuration file
    and the environment of an issuer holding an IAM user's long-term keys."""
    admin_s3.create_bucket(BUCKET)
    key, secret, role_arn = create_assumable_role(iam, 'vend-role', 'vend-issuer', ROLE_POLICY)
    server.enforce_iam()
    path = str(tmpdir.join('vend.ini'))
    with io.open(path, 'w', encoding='utf-8') as stream:
        stream.write(config_text(role_arn))
    env = dict(child_env)
    env.update((native(k), native(v)) for k, v in {
        'AWS_ACCESS_KEY_ID': key, 'AWS_SECRET_ACCESS_KEY': secret,
        'AWS_ENDPOINT_URL': server.endpoint_url, 'AWS_DEFAULT_REGION': 'us-east-1'}.items())
    return Setup(path, env, role_arn, key, secret, server)


class Setup(object):
    def __init__(self, path, env, role_arn, key, secret, server):
        self.path, self.env, self.role_arn = path, env, role_arn
        self.key, self.secret, self.server = key, secret, server

    def client_env(self, url, caller):
        """What a client holds: the service's address and its own secret, nothing else."""
        env = dict((k, v) for k, v in self.env.items()
                   if not k.startswith(native('AWS_')))
        env.update((native(k), native(v)) for k, v in {
            'AWS_CONTAINER_CREDENTIALS_FULL_URI': url,
            'AWS_CONTAINER_AUTHORIZATION_TOKEN': SECRETS[caller],
            'AWS_ENDPOINT_URL': self.server.endpoint_url, 'AWS_DEFAULT_REGION': 'us-east-1',
            'AWS_EC2_METADATA_DISABLED': 'true'}.items())
        return env

    def assume_role_calls(self):
        calls = []
        for request in self.server.recorded_requests():
            if request.action == 'AssumeRole':
                body = request.get('body') or ''
                if isinstance(body, six.binary_type):
                    body = body.decode('utf-8')
                form = dict((k, v[0]) for k, v in urlparse.parse_qs(body).items())
                calls.append(form)
        return calls


def _in_own_group_dying_with_parent():
    """preexec_fn: a process group of its own (stopped as a whole), and SIGKILL from the
    kernel when the test process dies (Linux prctl PR_SET_PDEATHSIG)."""
    os.setpgrp()
    if sys.platform.startswith('linux'):
        import ctypes
        libc = ctypes.CDLL(None)
        libc.prctl(1, signal.SIGKILL)


class VendProcess(object):
    """``python -m stsboto vend --config PATH --port 0 ...`` until :meth:`stop`."""

    def __init__(self, folder, env, path, *arguments):
        self.err = open(os.path.join(folder, 'vend.err'), 'w+b')
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'stsboto', 'vend', '--config', path, '--port', '0'] +
            list(arguments), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err,
            env=env, preexec_fn=_in_own_group_dying_with_parent)
        self.url = None
        self.exit_status = None

    def wait_ready(self, seconds=30):
        box = []

        def read():
            while True:
                line = self.process.stdout.readline().decode('utf-8')
                box.append(line)
                if not line or line.startswith('# ready'):
                    return
        reader = threading.Thread(target=read)
        reader.daemon = True
        reader.start()
        reader.join(seconds)
        for line in box:
            if line.startswith('export AWS_CONTAINER_CREDENTIALS_FULL_URI='):
                self.url = line.strip().split('=', 1)[1]
        assert box and box[-1].startswith('# ready'), 'no ready line: %r\n%s' % (box, self.stderr())
        return self

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode('utf-8', 'replace')

    def stop(self, signum=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(signum)
            deadline = time.time() + 15
            while self.process.poll() is None and time.time() < deadline:
                time.sleep(0.05)
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        else:  # workers of a stopped gunicorn arbiter, if any are left
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                pass
        self.exit_status = self.process.returncode
        return self.exit_status


@pytest.fixture
def start_vend(vend_setup, tmpdir):
    started = []

    def start(*arguments, **options):
        process = VendProcess(str(tmpdir), options.get('env', vend_setup.env), vend_setup.path,
                              *arguments)
        started.append(process)
        return process.wait_ready()
    yield start
    for process in started:
        process.stop()
        process.err.close()


def fetch(url, secret, context=None):
    """(status, JSON) of a GET with ``Authorization: secret``."""
    request = urlrequest.Request(url, headers={'Authorization': secret})
    opener = urlrequest.build_opener(urlrequest.ProxyHandler({}),
                                     *([urlrequest.HTTPSHandler(context=context)] if context else []))
    try:
        answer = opener.open(request, timeout=10)
        return answer.getcode(), json.loads(answer.read().decode('utf-8'))
    except HTTPError as error:
        return error.code, json.loads(error.read().decode('utf-8'))


# -- clients reading from the service ------------------------------------------------


@pytest.mark.applies(PY3, reason='boto3 (the reference AWS SDK client) is in the py3 envs')
def test_boto3_reads_credentials_from_the_service_and_uses_them(vend_setup, start_vend):
    service = start_vend('--server', 'wsgiref')
    vend_setup.server.start_recording()
    # endpoint_url passed: botocore < 1.31 (py36's) does not read AWS_ENDPOINT_URL
    command = ('import boto3, os\n'
               'session = boto3.session.Session()\n'
               'credentials = session.get_credentials()\n'
               's3 = session.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])\n'
               's3.put_object(Bucket="%s", Key="users/app-a/hello.txt", Body=b"hi")\n'
               'body = s3.get_object(Bucket="%s", Key="users/app-a/hello.txt")["Body"].read()\n'
               'print(credentials.method, body.decode())\n' % (BUCKET, BUCKET))
    out = subprocess.check_output([sys.executable, '-c', command],
                                  env=vend_setup.client_env(service.url, 'app-a'))
    assert out.decode('utf-8').split() == ['container-role', 'hi']
    calls = vend_setup.assume_role_calls()
    assert [c['RoleSessionName'] for c in calls] == ['app-a']
    # the S3 requests were signed with the vended (assumed-role) keys, token included
    s3 = [r for r in vend_setup.server.recorded_requests() if r.service == 's3']
    assert len(s3) == 2 and all(r.session_token and r.access_key != vend_setup.key for r in s3)
    assert 'issued caller=app-a' in service.stderr()


def test_stsboto_chain_reads_credentials_from_the_service(vend_setup, start_vend):
    service = start_vend('--server', 'wsgiref')
    env = dict((k if isinstance(k, six.text_type) else k.decode('utf-8'),
                v if isinstance(v, six.text_type) else v.decode('utf-8'))
               for k, v in vend_setup.client_env(service.url, 'app-b').items())
    found = stsboto.find_token(environ=env)
    assert found.method == 'container-role'
    conn = stsboto.connect_with_token(found, endpoint_url=vend_setup.server.endpoint_url)
    key = conn.get_bucket(BUCKET).new_key('users/app-b/note.txt')
    key.set_contents_from_string('from the chain')
    assert key.get_contents_as_string() == b'from the chain'


def test_unchanged_boto2_program_under_the_patch(vend_setup, start_vend):
    service = start_vend('--server', 'wsgiref')
    env = vend_setup.client_env(service.url, 'app-a')
    env[native('STSBOTO_PATCH_BOTO')] = native('1')
    env[native('AWS_REGION')] = native('us-east-1')
    script = ('import boto\n'
              'conn = boto.connect_s3()\n'
              'bucket = conn.get_bucket("%s", validate=False)\n'
              'key = bucket.new_key("users/app-a/old.txt")\n'
              'key.set_contents_from_string("boto 2")\n'
              'print(bucket.get_key("users/app-a/old.txt").get_contents_as_string().decode())\n'
              % BUCKET)
    out = subprocess.check_output([sys.executable, '-c', script], env=env)
    assert out.decode('utf-8').strip() == 'boto 2'


def test_caller_b_never_gets_caller_a_grant(vend_setup, start_vend):
    service = start_vend('--server', 'wsgiref')
    vend_setup.server.start_recording()
    status_a, a = fetch(service.url, SECRETS['app-a'])
    status_b, b = fetch(service.url, 'Bearer ' + SECRETS['app-b'])
    # a path or header naming A does not change what B gets
    status_b2, b2 = fetch(service.url + 'app-a?caller=app-a', SECRETS['app-b'])
    assert (status_a, status_b, status_b2) == (200, 200, 200)
    assert a['AccessKeyId'] != b['AccessKeyId'] and b2 == b
    calls = vend_setup.assume_role_calls()
    assert [c['RoleSessionName'] for c in calls] == ['app-a', 'app-b']
    policies = [json.loads(c['Policy']) for c in calls]
    assert [p['Statement'][0]['Resource'] for p in policies] == [
        'arn:aws:s3:::%s/users/app-a/*' % BUCKET, 'arn:aws:s3:::%s/users/app-b/*' % BUCKET]
    assert all(c['RoleArn'] == vend_setup.role_arn and c['DurationSeconds'] == '3600'
               for c in calls)
    status, error = fetch(service.url, 'not-a-secret')
    assert status == 401 and error['code'] == 'Unauthorized'
    assert len(vend_setup.assume_role_calls()) == 2  # no STS call for it
    for secret in SECRETS.values():
        assert secret not in service.stderr()
    assert a['SecretAccessKey'] not in service.stderr() and a['Token'] not in service.stderr()


def test_1000_requests_from_10_callers_on_8_threads_make_10_sts_calls(vend_setup, monkeypatch):
    """In-process (the WSGI callable from 8 threads), issuing through moto for real."""
    names = ['caller-%02d' % i for i in range(10)]
    for name in names:
        SECRETS.setdefault(name, 'secret-of-%s-0123456789abcdef' % name)
    with io.open(vend_setup.path, 'w', encoding='utf-8') as stream:
        stream.write(config_text(vend_setup.role_arn, names))
    for name in ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL'):
        monkeypatch.setenv(str(name), str(vend_setup.env[native(name)]))
    app = VendApp(load_config(vend_setup.path))
    vend_setup.server.start_recording()
    statuses = []

    def worker(n):
        for i in range(125):
            seen = []
            app({'REQUEST_METHOD': 'GET', 'PATH_INFO': '/', 'REMOTE_ADDR': '127.0.0.1',
                 'wsgi.url_scheme': 'http',
                 'HTTP_AUTHORIZATION': SECRETS[names[(n + i) % 10]]},
                lambda status, headers: seen.append(status))
            statuses.append(seen[0])
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 1000 and set(statuses) == {'200 OK'}
    calls = vend_setup.assume_role_calls()
    print('1000 requests, 10 callers, 8 threads: %d AssumeRole calls' % len(calls))
    assert sorted(c['RoleSessionName'] for c in calls) == names


# -- operations ------------------------------------------------------------------------


def test_sighup_drops_a_removed_caller(vend_setup, start_vend):
    service = start_vend('--server', 'wsgiref')
    assert fetch(service.url, SECRETS['app-b'])[0] == 200
    with io.open(vend_setup.path, 'w', encoding='utf-8') as stream:
        stream.write(config_text(vend_setup.role_arn, ['app-a']))
    service.process.send_signal(signal.SIGHUP)
    deadline = time.time() + 10
    while fetch(service.url, SECRETS['app-b'])[0] != 401:
        assert time.time() < deadline, service.stderr()
        time.sleep(0.1)
    assert fetch(service.url, SECRETS['app-a'])[0] == 200
    # a broken file on SIGHUP keeps the running configuration
    with io.open(vend_setup.path, 'w', encoding='utf-8') as stream:
        stream.write('[vend]\nduration = 60\n')
    service.process.send_signal(signal.SIGHUP)
    time.sleep(1)
    assert fetch(service.url, SECRETS['app-a'])[0] == 200
    assert 'NOT reloaded' in service.stderr()
    assert service.stop() == 0
    assert service.stderr().rstrip().endswith('stsboto vend: stopped')


@pytest.mark.parametrize('stop', [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_stop_it_cleanly(start_vend, stop):
    service = start_vend('--server', 'wsgiref')
    assert fetch(service.url, SECRETS['app-a'])[0] == 200
    assert service.stop(stop) == 0
    assert 'Traceback' not in service.stderr()


def test_https_with_its_own_certificate(vend_setup, start_vend):
    import ssl
    service = start_vend('--server', 'wsgiref', '--certfile', os.path.join(DATA, 'localhost.pem'),
                         '--keyfile', os.path.join(DATA, 'localhost.key'))
    assert service.url.startswith('https://127.0.0.1:')
    context = ssl.create_default_context(cafile=os.path.join(DATA, 'ca.pem'))
    # by name: Python 2.7's ssl matches no IP address in a certificate
    status, data = fetch(service.url.replace('127.0.0.1', 'localhost'), SECRETS['app-a'],
                         context=context)
    assert status == 200 and data['AccessKeyId']


@pytest.mark.applies(sys.version_info >= (3, 7),
                     reason='gunicorn (the [vend] extra) installs on Python 3.7+')
def test_under_gunicorn_with_several_workers(vend_setup, start_vend):
    service = start_vend('--server', 'gunicorn', '--workers', '3', '--threads', '4')
    vend_setup.server.start_recording()
    answers = [fetch(service.url, SECRETS['app-a']) for _ in range(30)]
    assert set(status for status, _ in answers) == {200}
    keys = set(data['AccessKeyId'] for _, data in answers)
    calls = vend_setup.assume_role_calls()
    # each worker keeps its own cache: at most one STS call per worker for the caller
    assert 1 <= len(calls) == len(keys) <= 3
    # SIGHUP: gunicorn starts new workers with the new configuration
    with io.open(vend_setup.path, 'w', encoding='utf-8') as stream:
        stream.write(config_text(vend_setup.role_arn, ['app-a']))
    service.process.send_signal(signal.SIGHUP)
    deadline = time.time() + 20
    while status_during_reload(service.url, SECRETS['app-b']) != 401:
        assert time.time() < deadline, service.stderr()
        time.sleep(0.2)
    while True:  # app-a is still served (a None is an old worker leaving)
        status = status_during_reload(service.url, SECRETS['app-a'])
        assert status in (None, 200) and time.time() < deadline, (status, service.stderr())
        if status == 200:
            break
        time.sleep(0.2)
    assert service.stop() == 0


def status_during_reload(url, secret):
    """The status, or None when an old worker that is stopping dropped the connection
    (gunicorn 23 does; botocore retries a container-credentials fetch 3 times)."""
    try:
        return fetch(url, secret)[0]
    except IOError:
        return None


@pytest.mark.applies(sys.version_info >= (3, 7),
                     reason='gunicorn (the [vend] extra) installs on Python 3.7+')
def test_gunicorn_serves_tls_itself(vend_setup, start_vend):
    import ssl
    service = start_vend('--server', 'gunicorn', '--certfile', os.path.join(DATA, 'localhost.pem'),
                         '--keyfile', os.path.join(DATA, 'localhost.key'))
    context = ssl.create_default_context(cafile=os.path.join(DATA, 'ca.pem'))
    assert fetch(service.url, SECRETS['app-a'], context=context)[0] == 200


# -- start-up refusals -------------------------------------------------------------------


def run_vend(env, path, folder):
    process = subprocess.Popen([sys.executable, '-m', 'stsboto', 'vend', '--config', path,
                                '--port', '0', '--server', 'wsgiref'],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                               preexec_fn=_in_own_group_dying_with_parent, cwd=folder)
    out, err = process.communicate()
    return process.returncode, out.decode('utf-8'), err.decode('utf-8')


@pytest.mark.parametrize('text, words', [
    ('[vend]\nbucket = %s\nduration = 900\n[caller app-a]\ntoken_sha256 = %s\n'
     % (BUCKET, hash_secret('x')), '[vend] duration must be at least 1800'),
    ('[vend]\nmode = assume-role\nbucket = %s\n' % BUCKET, '[vend] role_arn'),
    ('[vend]\nbucket = %s\n[caller app-a]\ntoken_sha256 = plain-secret\n' % BUCKET,
     '[caller app-a] token_sha256'),
])
def test_bad_configurations_are_refused_at_start_up(vend_setup, tmpdir, text, words):
    path = str(tmpdir.join('bad.ini'))
    with io.open(path, 'w', encoding='utf-8') as stream:
        stream.write(text)
    status, out, err = run_vend(vend_setup.env, path, str(tmpdir))
    assert status == 2 and words in err and out == ''


def test_federation_with_temporary_issuer_credentials_is_refused(vend_setup, tmpdir):
    token = stsboto.assume_role(vend_setup.role_arn, 'temp', endpoint_url=vend_setup.server.endpoint_url,
                                aws_access_key_id=vend_setup.key,
                                aws_secret_access_key=vend_setup.secret)
    env = dict(vend_setup.env)
    env.update((native(k), native(v)) for k, v in token.to_env().items())
    path = str(tmpdir.join('fed.ini'))
    with io.open(path, 'w', encoding='utf-8') as stream:
        stream.write('[vend]\nbucket = %s\n[caller app-a]\ntoken_sha256 = %s\n'
                     % (BUCKET, hash_secret('x')))
    status, out, err = run_vend(env, path, str(tmpdir))
    assert status == 2 and 'long-term keys' in err
    assert token.secret_key not in err and token.session_token not in err


@pytest.mark.applies(sys.version_info >= (3, 7),
                     reason='gunicorn (the [vend] extra) installs on Python 3.7+')
def test_the_documented_gunicorn_line_serves_the_app(vend_setup, tmpdir):
    """README: ``STSBOTO_VEND_CONFIG=vend.ini gunicorn --certfile ... --keyfile ...
    'stsboto.vend:application_from_environment()'``."""
    import re
    import ssl
    env = dict(vend_setup.env)
    env['STSBOTO_VEND_CONFIG'] = vend_setup.path
    gunicorn = os.path.join(os.path.dirname(sys.executable), 'gunicorn')
    err = open(str(tmpdir.join('gunicorn.err')), 'w+b')
    process = subprocess.Popen(
        [gunicorn, '--certfile', os.path.join(DATA, 'localhost.pem'),
         '--keyfile', os.path.join(DATA, 'localhost.key'), '--bind', '127.0.0.1:0',
         '--worker-class', 'gthread', '--workers', '2', '--threads', '4',
         'stsboto.vend:application_from_environment()'],
        stdout=subprocess.PIPE, stderr=err, env=env, preexec_fn=_in_own_group_dying_with_parent)
    try:
        deadline = time.time() + 30
        port = None
        while port is None:
            err.seek(0)
            found = re.search(br'Listening at: https?://127\.0\.0\.1:(\d+)', err.read())
            port = int(found.group(1)) if found else None
            assert process.poll() is None and time.time() < deadline, err.read()
            time.sleep(0.1)
        context = ssl.create_default_context(cafile=os.path.join(DATA, 'ca.pem'))
        url = 'https://localhost:%d/' % port
        while True:  # the workers boot after the arbiter listens
            try:
                status, data = fetch(url, SECRETS['app-b'], context=context)
                break
            except IOError:
                assert time.time() < deadline
                time.sleep(0.1)
        assert status == 200 and data['Token']
        assert fetch(url, 'wrong', context=context)[0] == 401
    finally:
        if process.poll() is None:
            process.terminate()
            wait_deadline = time.time() + 15
            while process.poll() is None and time.time() < wait_deadline:
                time.sleep(0.05)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
        process.wait()
        err.close()
    assert process.returncode == 0


def test_federation_mode_names_the_federated_user_after_the_caller(server, admin_s3, iam, tmpdir,
                                                                   monkeypatch):
    """mode = federation: GetFederationToken with Name = the caller and the grant as Policy
    (moto's federation keys are static fakes, so this is read from the recorder, enforcement off)."""
    from tests.integration.support import create_user_with_keys
    admin_s3.create_bucket(BUCKET)
    key, secret = create_user_with_keys(iam, 'vend-federation-issuer')
    path = str(tmpdir.join('fed.ini'))
    with io.open(path, 'w', encoding='utf-8') as stream:
        stream.write('[vend]\nbucket = %s\nprefix = users/{caller}/\n\n[caller app-a]\n'
                     'token_sha256 = %s\nactions = s3:GetObject\nduration = 7200\n'
                     % (BUCKET, hash_secret(SECRETS['app-a'])))
    for name, value in (('AWS_ACCESS_KEY_ID', key), ('AWS_SECRET_ACCESS_KEY', secret),
                        ('AWS_ENDPOINT_URL', server.endpoint_url)):
        monkeypatch.setenv(str(name), str(value))
    app = VendApp(load_config(path))
    server.start_recording()
    seen = []
    body = app({'REQUEST_METHOD': 'GET', 'PATH_INFO': '/', 'REMOTE_ADDR': '127.0.0.1',
                'wsgi.url_scheme': 'http', 'HTTP_AUTHORIZATION': SECRETS['app-a']},
               lambda status, headers: seen.append(status))
    assert seen == ['200 OK'] and json.loads(b''.join(body).decode('utf-8'))['Token']
    calls = []
    for request in server.recorded_requests():
        if request.action == 'GetFederationToken':
            text = request.get('body') or ''
            text = text.decode('utf-8') if isinstance(text, six.binary_type) else text
            calls.append(dict((k, v[0]) for k, v in urlparse.parse_qs(text).items()))
    assert [(c['Name'], c['DurationSeconds']) for c in calls] == [('app-a', '7200')]
    assert json.loads(calls[0]['Policy'])['Statement'] == [{
        'Effect': 'Allow', 'Action': ['s3:GetObject'],
        'Resource': 'arn:aws:s3:::%s/users/app-a/*' % BUCKET}]
    assert all(r.access_key == key for r in server.recorded_requests()
               if r.action == 'GetFederationToken')
