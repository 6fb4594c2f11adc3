"""The ``stsboto`` command, run as a user runs it (``python -m stsboto ...`` in a
child process), against the local moto server: issue a token file, put, get,
ls, url, whoami, env; and the exit status and the one stderr line of each
failure, none of which may show a secret.
"""
from __future__ import absolute_import, print_function, unicode_literals

import collections
import datetime
import functools
import hashlib
import io
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time

import pytest
import six
from six.moves.urllib import request as urlrequest

import stsboto
from stsboto.token import Token, parse_expiration, utcnow
from tests.integration.support import (ADMIN_KEY, ADMIN_SECRET, create_assumable_role,
                                       object_policy, sample_bytes)
from tests import processes

pytestmark = pytest.mark.integration

BUCKET = 'photos'
MiB = 1024 * 1024
# Secret keys and session tokens are long base64 runs; nothing else the CLI
# prints on stderr comes close (access keys: 20 characters).
SECRET_LIKE = re.compile(r'[A-Za-z0-9+/=]{30,}')

Result = collections.namedtuple('Result', 'code out err')


def native(value):
    """os.environ and subprocess want native str (bytes on Python 2)."""
    if sys.version_info[0] == 2 and not isinstance(value, str):
        return value.encode('utf-8')
    return value


class Cli(object):
    """Runs ``python -m stsboto`` in ``folder`` with a clean environment."""

    def __init__(self, env, folder, endpoint_url):
        self.env = env
        self.folder = folder
        self.endpoint_url = endpoint_url
        self.secrets = [ADMIN_SECRET]

    def __call__(self, *args, **options):
        env = dict(self.env)
        for name, value in options.get('env', {}).items():
            env[native(name)] = native(value)
        argv = [sys.executable, '-m', 'stsboto'] + [native(a) for a in args]
        process = processes.popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env, cwd=self.folder)
        out, err = process.communicate(options.get('stdin', b''))
        err = err.decode('utf-8', 'replace')
        result = Result(process.returncode, out, err)
        self.check_stderr(result, debug='--debug' in args)
        return result

    def endpoint(self):
        return ['--endpoint-url', self.endpoint_url]

    def check_stderr(self, result, debug=False):
        for secret in self.secrets:
            assert secret not in result.err
        if debug:  # boto's log shows payload hashes, long hex runs that are not secret
            return
        match = SECRET_LIKE.search(result.err)
        assert match is None, 'secret-like text on stderr: %s...' % match.group(0)[:6]

    def remember(self, token):
        self.secrets.extend([token.secret_key, token.session_token])


@pytest.fixture
def cli(child_env, server, tmpdir):
    env = dict(child_env)
    for name in list(env):
        text = name.decode('utf-8') if isinstance(name, bytes) else name
        if text.startswith(('AWS_', 'BOTO_', 'STSBOTO_TOKEN')):
            del env[name]
    env[native('HOME')] = native(str(tmpdir))  # no ~/.aws or ~/.boto of this machine
    # as the root conftest: the credential chain must never probe 169.254.169.254
    env[native('AWS_EC2_METADATA_DISABLED')] = native('true')
    return Cli(env, str(tmpdir), server.endpoint_url)


ISSUER_ENV = {'AWS_ACCESS_KEY_ID': ADMIN_KEY, 'AWS_SECRET_ACCESS_KEY': ADMIN_SECRET}


def one_line(result):
    assert result.err.endswith('\n') and result.err.count('\n') == 1, result.err
    assert result.err.startswith('stsboto: '), result.err
    return result.err


@pytest.fixture
def token_file(cli, admin_s3, tmpdir):
    """``stsboto issue ... --output token.json`` for a bucket that exists; returns the path."""
    admin_s3.create_bucket(BUCKET)
    result = cli('issue', '--bucket', BUCKET, '--actions', 'GetObject,PutObject',
                 '--actions', 's3:ListBucket', '--name', 'uploader-42', '--duration', '3600',
                 '--output', 'token.json', *cli.endpoint(), env=ISSUER_ENV)
    assert (result.code, result.out, result.err) == (0, b'', '')
    path = str(tmpdir.join('token.json'))
    cli.remember(Token.load(path))
    return path


def said(line):
    """What a successful put or get returns: status 0, ``line`` on stdout, nothing on stderr."""
    return (0, (line + '\n').encode('utf-8'), '')


def write(tmpdir, name, data):
    tmpdir.join(name).write_binary(data)
    return name


def test_issue_writes_a_private_token_file(token_file):
    if os.name == 'posix':
        assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    token = Token.load(token_file)
    assert token.arn == 'arn:aws:sts::123456789012:federated-user/uploader-42'
    assert token.session_token and token.secret_key
    assert 3500 < token.remaining().total_seconds() <= 3605


def test_put_get_ls_url_whoami(cli, token_file, tmpdir, admin_s3):
    """The client's story: small and multipart uploads, downloads, listing, a URL."""
    small = sample_bytes()
    big = os.urandom(6 * MiB + 1234)  # two parts: 5 MiB (moto's minimum) and the rest
    use = ['--token', 'token.json'] + cli.endpoint()
    assert cli('put', write(tmpdir, 'small.bin', small), BUCKET + '/u/small.bin', *use) == \
        said('upload: small.bin to s3://photos/u/small.bin')
    # moto keeps a part's CRC32 without answering it (FACTS.md): the command says so
    assert cli('put', write(tmpdir, 'big.bin', big), BUCKET + '/u/', '--threshold', '1M',
               '--part-size', '5M', '--workers', '2', *use) == \
        (0, b'upload: big.bin to s3://photos/u/big.bin\n',
         'stsboto: put: not verified: the server did not confirm the checksum; '
         '--checksum md5 checks ETags\n')
    stored = admin_s3.get_bucket(BUCKET).get_key('u/big.bin')
    assert stored.size == len(big)
    assert stored.etag.strip('"').endswith('-2')  # it really went in two parts

    assert cli('get', BUCKET + '/u/small.bin', 'small.copy', *use) == \
        said('download: s3://photos/u/small.bin to small.copy')
    assert cli('get', BUCKET + '/u/small.bin', 'small.copy', '--quiet', *use) == (0, b'', '')
    assert tmpdir.join('small.copy').read_binary() == small
    tmpdir.mkdir('into')
    assert cli('get', BUCKET + '/u/big.bin', 'into', '--threshold', '1M', '--part-size', '2M',
               *use) == said('download: s3://photos/u/big.bin to ' + os.path.join('into', 'big.bin'))
    assert hashlib.md5(tmpdir.join('into', 'big.bin').read_binary()).hexdigest() == \
        hashlib.md5(big).hexdigest()

    listing = cli('ls', BUCKET, *use)
    assert (listing.code, listing.err) == (0, '')
    assert listing.out.decode('utf-8').split() == ['PRE', 'u/']
    listing = cli('ls', BUCKET + '/u/', *use)
    rows = [line.split() for line in listing.out.decode('utf-8').splitlines()]
    assert [(row[2], row[3]) for row in rows] == [(str(len(big)), 'u/big.bin'),
                                                  (str(len(small)), 'u/small.bin')]
    assert cli('ls', BUCKET, '--recursive', *use).out == listing.out

    url = cli('url', BUCKET + '/u/small.bin', '--expires', '300', *use)
    assert (url.code, url.err) == (0, '')
    assert b'X-Amz-Expires=300' in url.out and b'X-Amz-Security-Token=' in url.out
    opener = urlrequest.build_opener(urlrequest.ProxyHandler({}))
    assert opener.open(url.out.decode('ascii').strip(), timeout=10).read() == small

    put_url = cli('url', BUCKET + '/u/by-url.txt', '--method', 'PUT', *use)
    # (urllib's default Content-Type is a form, which moto would parse as one)
    request = urlrequest.Request(put_url.out.decode('ascii').strip(), data=b'via url',
                                 headers={'Content-Type': 'application/octet-stream'})
    request.get_method = lambda: 'PUT'
    opener.open(request, timeout=10).read()
    assert admin_s3.get_bucket(BUCKET).get_key('u/by-url.txt').get_contents_as_string() == \
        b'via url'

    who = cli('whoami', env={'STSBOTO_TOKEN_FILE': 'token.json'})
    assert (who.code, who.err) == (0, '')
    text = who.out.decode('utf-8')
    token = Token.load(token_file)
    assert 'ARN:         arn:aws:sts::123456789012:federated-user/uploader-42\n' in text
    assert 'Access key:  %s\n' % token.access_key in text
    assert re.search(r'Expires: +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in (59m \d+s|1h 0m 0s)\)',
                     text), text
    assert 'Source:      token file token.json' in text
    assert token.secret_key not in text and token.session_token not in text


def test_stdin_to_object_to_stdout(cli, token_file):
    data = os.urandom(300000) + b'\r\n\x00\x1a end'
    use = ['--token', token_file] + cli.endpoint()
    assert cli('put', '-', BUCKET + '/piped.bin', *use, stdin=data) == \
        said('upload: - to s3://photos/piped.bin')
    result = cli('get', BUCKET + '/piped.bin', '-', *use)
    assert (result.code, result.err) == (0, '')
    assert result.out == data


def test_non_ascii_names(cli, token_file, tmpdir):
    name = 'gr\u00fc\u00df \u2603.txt'
    tmpdir.join(name).write_binary(b'snow')
    use = ['--token', token_file] + cli.endpoint()
    result = cli('put', name, BUCKET + '/dir/', *use)
    assert result == said('upload: %s to s3://photos/dir/%s' % (name, name)), result.err
    listing = cli('ls', BUCKET + '/dir/', *use)
    assert listing.out.decode('utf-8').rstrip('\n').endswith(' 4 dir/' + name)
    assert cli('get', BUCKET + '/dir/' + name, '-', *use) == (0, b'snow', '')


def test_token_from_stdin(cli, token_file, tmpdir):
    with open(token_file, 'rb') as stream:
        payload = stream.read()
    result = cli('put', write(tmpdir, 'a.txt', b'a'), BUCKET + '/a.txt', '--token', '-',
                 *cli.endpoint(), stdin=payload)
    assert result == said('upload: a.txt to s3://photos/a.txt')


def test_progress_bar_on_request_and_debug_log_masked(cli, token_file, tmpdir):
    name = write(tmpdir, 'p.bin', os.urandom(7 * MiB))
    result = cli('--debug', 'put', name, BUCKET + '/p.bin', '--progress', '--threshold', '5M',
                 '--token', token_file, *cli.endpoint())
    assert result.code == 0 and result.out == b'upload: p.bin to s3://photos/p.bin\n'
    # (80 columns when stderr is no terminal: the bar leaves room for the longest numbers)
    assert re.search(r'\rput 100% \[#{8,24}\]  7\.0 MiB / 7\.0 MiB', result.err), result.err
    # boto logged its requests, with the token header and "Token:" line masked
    assert 'x-amz-security-token' in result.err.lower() and '<hidden>' in result.err
    assert 'Token: <hidden>' in result.err
    # (cli.check_stderr already checked that no secret is there)


def test_issue_debug_log_shows_no_secret(cli):
    """boto logs the STS answer, which holds the new token's secrets, at DEBUG level."""
    result = cli('--debug', 'issue', '--bucket', BUCKET, *cli.endpoint(), env=ISSUER_ENV)
    assert result.code == 0
    token = Token.coerce(result.out)
    assert 'GetFederationToken' in result.err and '<SessionToken><hidden></SessionToken>' in \
        result.err
    for secret in (token.secret_key, token.session_token, ADMIN_SECRET):
        assert secret not in result.err


def test_issue_as_credential_process(cli, admin_s3):
    """What an AWS SDK's ``credential_process`` reads: Version 1 JSON on stdout."""
    result = cli('issue', '--bucket', BUCKET, *cli.endpoint(), env=ISSUER_ENV)
    assert (result.code, result.err) == (0, '')
    assert result.out.count(b'\n') == 1
    data = json.loads(result.out.decode('utf-8'))
    assert data['Version'] == 1
    assert set(data) >= set(['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration'])
    assert parse_expiration(data['Expiration']) > utcnow() + datetime.timedelta(minutes=14)
    assert Token.coerce(data).arn == 'arn:aws:sts::123456789012:federated-user/stsboto'


if sys.version_info[0] >= 3:  # botocore (a test dependency) exists only there
    def test_issue_as_credential_process_for_botocore(cli, admin_s3):
        """botocore itself runs the command and accepts what it prints."""
        import botocore.credentials as credentials
        env = dict(cli.env)
        env.update((native(k), native(v)) for k, v in ISSUER_ENV.items())
        command = '%s -m stsboto issue --bucket %s --endpoint-url %s' % (
            sys.executable, BUCKET, cli.endpoint_url)
        provider = credentials.ProcessProvider(
            'stsboto', lambda: {'profiles': {'stsboto': {'credential_process': command}}},
            popen=functools.partial(subprocess.Popen, env=env))
        frozen = provider.load().get_frozen_credentials()
        assert frozen.access_key and frozen.secret_key and frozen.token
        assert frozen.token == Token.coerce(cli('issue', '--bucket', BUCKET, *cli.endpoint(),
                                                env=ISSUER_ENV).out).session_token


def test_issue_env_format_and_env_command(cli, token_file, tmpdir):
    issued = cli('issue', '--bucket', BUCKET, '--format', 'env', *cli.endpoint(), env=ISSUER_ENV)
    assert (issued.code, issued.err) == (0, '')
    lines = issued.out.decode('ascii').splitlines()
    assert [line.split('=')[0] for line in lines] == [
        'export AWS_ACCESS_KEY_ID', 'export AWS_SECRET_ACCESS_KEY', 'export AWS_SESSION_TOKEN',
        'export AWS_SECURITY_TOKEN', 'export AWS_CREDENTIAL_EXPIRATION']
    from_file = cli('env', '--token', token_file)
    assert from_file.code == 0
    if os.name == 'posix':
        shell = processes.popen(['sh', '-c', 'eval "$(cat)"; printf %s "$AWS_SESSION_TOKEN"'],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert shell.communicate(from_file.out)[0].decode('ascii') == \
            Token.load(token_file).session_token
    # and a command run with those variables finds the token in the environment
    who = cli('whoami', env=Token.load(token_file).to_env())
    assert who.code == 0 and b'Source:      environment variables' in who.out


EXPIRED_COMMANDS = [
    ('put', ['put', 'x.txt', BUCKET + '/x.txt']),
    ('get', ['get', BUCKET + '/x.txt', 'x.copy']),
    ('ls', ['ls', BUCKET]),
    ('url', ['url', BUCKET + '/x.txt']),
    ('env', ['env']),
]


@pytest.mark.parametrize('argv', [c[1] for c in EXPIRED_COMMANDS],
                         ids=[c[0] for c in EXPIRED_COMMANDS])
def test_expired_token_exits_3(cli, token_file, tmpdir, argv, server):
    expired = Token.load(token_file).replace(
        expiration=utcnow() - datetime.timedelta(minutes=5))
    expired.save(str(tmpdir.join('expired.json')))
    write(tmpdir, 'x.txt', b'x')
    server.start_recording()
    result = cli(*(argv + ['--token', 'expired.json'] + cli.endpoint()))
    server.stop_recording()
    assert result.code == 3
    assert result.out == b''
    assert 'expired' in one_line(result)
    assert server.recorded_requests() == []  # nothing was sent
    assert not tmpdir.join('x.copy').exists()


def test_whoami_of_an_expired_token_says_so_and_exits_3(cli, token_file, tmpdir):
    Token.load(token_file).replace(expiration=utcnow() - datetime.timedelta(minutes=5)).save(
        str(tmpdir.join('expired.json')))
    result = cli('whoami', '--token', 'expired.json')
    assert (result.code, result.err) == (3, '')
    assert re.search(br'Expires: +\S+Z \(EXPIRED 5m \d+s ago\)', result.out), result.out


@pytest.mark.parametrize('argv', [['put', 'x.txt', 'Bad_Bucket/x.txt'],
                                  ['get', 'Bad_Bucket/x.txt', 'x.copy'],
                                  ['ls', 'Bad_Bucket'], ['url', 'Bad_Bucket/x'],
                                  ['issue', '--bucket', 'Bad_Bucket']],
                         ids=['put', 'get', 'ls', 'url', 'issue'])
def test_bad_bucket_name_exits_2(cli, token_file, tmpdir, argv, server):
    write(tmpdir, 'x.txt', b'x')
    server.start_recording()
    result = cli(*(argv + ['--token', token_file] + cli.endpoint()
                   if argv[0] != 'issue' else argv + cli.endpoint()), env=ISSUER_ENV)
    server.stop_recording()
    assert result.code == 2
    assert 'bucket "Bad_Bucket" may contain only lowercase letters' in one_line(result)
    assert server.recorded_requests() == []


@pytest.mark.parametrize('argv', [['put', 'x.txt', BUCKET + '/x.txt'],
                                  ['get', BUCKET + '/x.txt', 'x.copy'],
                                  ['ls', BUCKET]], ids=['put', 'get', 'ls'])
def test_unreachable_endpoint_exits_1(cli, token_file, tmpdir, argv):
    write(tmpdir, 'x.txt', b'x')
    result = cli(*(argv + ['--token', token_file, '--endpoint-url', 'http://127.0.0.1:1',
                           '--retries', '0']))
    assert result.code == 1
    assert 'Connection refused' in one_line(result)
    assert not tmpdir.join('x.copy').exists()


def test_unreachable_sts_exits_1(cli):
    result = cli('issue', '--bucket', BUCKET, '--endpoint-url', 'http://127.0.0.1:1',
                 '--retries', '0', env=ISSUER_ENV)
    assert result.code == 1 and result.out == b''
    assert 'STS GetFederationToken failed: could not reach the endpoint' in one_line(result)


def test_missing_object_exits_1_and_writes_nothing(cli, token_file, tmpdir):
    result = cli('get', BUCKET + '/nothing-here', 'x.copy', '--token', token_file, *cli.endpoint())
    assert result.code == 1
    assert 's3://photos/nothing-here does not exist' in one_line(result)
    assert not tmpdir.join('x.copy').exists()


def no_metadata_service(tmpdir):
    """A boto config that stops boto asking the EC2 metadata service (169.254.169.254)
    for credentials when it finds none: boto 2 does not read AWS_EC2_METADATA_DISABLED."""
    path = tmpdir.join('no-imds.boto')
    path.write('[Boto]\nmetadata_service_num_attempts = 0\n')
    return {'BOTO_CONFIG': str(path)}


def test_issue_without_issuer_credentials_exits_2(cli, tmpdir):
    result = cli('issue', '--bucket', BUCKET, *cli.endpoint(), env=no_metadata_service(tmpdir))
    assert result.code == 2 and result.out == b''
    # in the command line's words: variables and options, not Python parameters
    assert 'no AWS credentials to issue with: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ' \
        'pass --profile NAME' in one_line(result)


def test_ls_without_list_bucket_says_so(cli, server, admin_s3, iam, tmpdir):
    """Under moto's IAM enforcement, with a role that may put and get but not list."""
    admin_s3.create_bucket(BUCKET)
    key, secret, role_arn = create_assumable_role(iam, 'uploader', 'job-user', object_policy(BUCKET))
    server.enforce_iam()
    token = stsboto.assume_role(role_arn, 'job-1', endpoint_url=server.endpoint_url,
                                aws_access_key_id=key, aws_secret_access_key=secret)
    token.save(str(tmpdir.join('role.json')))
    cli.remember(token)
    cli.secrets.append(secret)
    use = ['--token', 'role.json'] + cli.endpoint()
    # the token works for what its role allows ...
    assert cli('put', write(tmpdir, 'ok.txt', b'ok'), BUCKET + '/ok.txt', '-q', *use) == \
        (0, b'', '')
    # ... and listing is refused, with the reason.  (--recursive and no prefix: no
    # "/" in the query.  Under enforcement moto decodes %2F in a query before it
    # checks a SigV4 signature, so it refuses a prefix or delimiter "/" even from
    # botocore's own signer; AWS does not.)
    result = cli('ls', BUCKET, '--recursive', *use)
    assert result.code == 1 and result.out == b''
    assert ("cannot list s3://photos/: 403 AccessDenied: the token's grant does not include "
            "s3:ListBucket on bucket photos") in one_line(result)


# ---------------------------------------------------------------------------
# credential_process, stsboto server, signals, pipes (issues 12 and 11)


def readme_block(containing):
    from tests.readme import read_blocks
    [block] = [b for b in read_blocks() if containing in b.text]
    return block.text


@pytest.mark.applies(sys.version_info[0] > 2,
                     reason='botocore, the reference, is a test dependency of the Python 3 envs only')
@pytest.mark.parametrize('duration, runs', [(3600, 1), (900, None)], ids=['3600', '900'])
def test_credential_process_recipe(server, admin_s3, tmpdir, monkeypatch, duration, runs):
    """botocore runs the README's recipe: AWS_PROFILE selects the credential_process
    profile, the child signs with --profile issuer; with 3600 s it runs once for five
    calls, with the default 900 s on nearly every call (the README says why)."""
    import botocore.session
    from six.moves import configparser
    from stsboto.local.admin import create_issuer
    admin_s3.create_bucket(BUCKET)
    key, secret = create_issuer(server.endpoint_url, 'photos-issuer', [BUCKET])
    credentials = configparser.RawConfigParser()
    credentials.readfp(io.StringIO(readme_block('[issuer]'))) if six.PY2 else \
        credentials.read_string(readme_block('[issuer]'))
    credentials.set('issuer', 'aws_access_key_id', key)
    credentials.set('issuer', 'aws_secret_access_key', secret)
    with open(str(tmpdir.join('credentials')), 'w') as handle:
        credentials.write(handle)
    config = readme_block('credential_process')
    assert 'credential_process = stsboto issue --profile issuer --bucket photos ' \
           '--duration 3600' in config
    script = os.path.join(os.path.dirname(os.path.abspath(sys.executable)), 'stsboto')
    config = config.replace('= stsboto ', '= %s ' % script).replace(
        '--duration 3600', '--duration %d' % duration)
    tmpdir.join('config').write(config)
    for name, value in [('AWS_CONFIG_FILE', str(tmpdir.join('config'))),
                        ('AWS_SHARED_CREDENTIALS_FILE', str(tmpdir.join('credentials'))),
                        ('AWS_PROFILE', 'photos-upload'),
                        ('AWS_ENDPOINT_URL', server.endpoint_url)]:
        monkeypatch.setenv(str(name), str(value))
    server.start_recording()
    session = botocore.session.Session()
    found = session.get_credentials()
    assert found.method == 'custom-process'
    for _ in range(5):
        frozen = found.get_frozen_credentials()
        assert frozen.access_key and frozen.secret_key and frozen.token
    issued = [r for r in server.recorded_requests() if r.action == 'GetFederationToken']
    print('--duration %d: %d GetFederationToken calls for 5 credential reads'
          % (duration, len(issued)))
    assert all(r.access_key == key for r in issued)  # the issuer's profile, not photos-upload
    if runs is not None:
        assert len(issued) == runs
    else:
        assert len(issued) >= 5, len(issued)  # inside botocore's windows from the start


def start_cli(cli, *args, **options):
    env = dict(cli.env)
    for name, value in options.get('env', {}).items():
        env[native(name)] = native(value)
    return processes.popen([sys.executable, '-m', 'stsboto'] + [native(a) for a in args],
                           stdin=subprocess.PIPE, stdout=options.get('stdout', subprocess.PIPE),
                           stderr=subprocess.PIPE, env=env, cwd=cli.folder)


def wait(process, seconds=20):
    deadline = time.time() + seconds
    while process.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    if process.poll() is None:
        process.kill()
    return process.wait()


@pytest.mark.skipif(os.name != 'posix', reason='POSIX signals')
@pytest.mark.parametrize('stop', ['SIGINT', 'SIGTERM'])
def test_stsboto_server_serves_until_stopped(cli, tmpdir, stop):
    process = start_cli(cli, 'server', '--bucket', 'photos', '--bucket', 'notes')
    try:
        exports, lines = {}, []
        while True:
            line = process.stdout.readline().decode('utf-8')
            assert line, process.stderr.read()
            lines.append(line)
            if line.startswith('# ready'):
                break
            if line.startswith('export '):
                name, _, value = line[len('export '):].strip().partition('=')
                exports[name] = value
        assert sorted(exports) == ['AWS_ACCESS_KEY_ID', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL',
                                   'AWS_SECRET_ACCESS_KEY']
        assert re.match(r'^http://127\.0\.0\.1:\d+$', exports['AWS_ENDPOINT_URL'])
        assert 'unset AWS_SESSION_TOKEN\n' in lines
        # the keys printed are an issuer's: a token for the bucket created
        result = cli('issue', '--bucket', 'notes', '--output', 'notes.json', env=exports)
        assert result.code == 0, result.err
        cli.remember(Token.load(str(tmpdir.join('notes.json'))))
        write(tmpdir, 'n.txt', b'note')
        result = cli('put', 'n.txt', 'notes/n.txt', '--token', 'notes.json',
                     env={'AWS_ENDPOINT_URL': exports['AWS_ENDPOINT_URL']})
        assert result == said('upload: n.txt to s3://notes/n.txt')
    finally:
        process.send_signal(getattr(signal, stop))
        code = wait(process)
    err = process.stderr.read().decode('utf-8')
    assert code == 0, err
    assert err.rstrip().endswith('stsboto server: stopped') and 'Traceback' not in err
    opener = urlrequest.build_opener(urlrequest.ProxyHandler({}))
    with pytest.raises(Exception):  # the moto server went with it
        opener.open(exports['AWS_ENDPOINT_URL'] + '/moto-api/reset-auth', timeout=2)


@pytest.mark.skipif(os.name != 'posix', reason='POSIX signals')
def test_sigterm_during_put_aborts_the_multipart_upload(cli, token_file, tmpdir, admin_s3):
    """kill PID (SIGTERM) is handled as Ctrl-C: the upload is aborted, exit status 143."""
    write(tmpdir, 'big.bin', os.urandom(64 * MiB))
    process = start_cli(cli, 'put', 'big.bin', BUCKET + '/big.bin', '--threshold', '5M',
                        '--part-size', '5M', '--workers', '1', '--token', token_file,
                        *cli.endpoint())
    bucket = admin_s3.get_bucket(BUCKET)
    deadline = time.time() + 30
    while not bucket.get_all_multipart_uploads() and time.time() < deadline:
        assert process.poll() is None, process.stderr.read()
        time.sleep(0.02)
    [upload] = bucket.get_all_multipart_uploads()
    process.send_signal(signal.SIGTERM)
    code = wait(process)
    err = process.stderr.read().decode('utf-8')
    # (the upload id is a long base64 run too, and not a secret)
    cli.check_stderr(Result(code, b'', err.replace(upload.id, 'UPLOAD-ID')))
    assert code == 143, err
    assert err.startswith('stsboto: stopped by SIGTERM') and err.count('\n') == 1, err
    assert 'aborted' in err
    assert bucket.get_all_multipart_uploads() == []  # nothing left open on the server
    assert bucket.get_key('big.bin') is None


@pytest.mark.skipif(os.name != 'posix', reason='POSIX pipes')
def test_closed_output_ends_quietly_with_141(cli, token_file):
    """stsboto whoami | head -0: the reader is gone before anything is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        process = start_cli(cli, 'whoami', '--token', token_file, stdout=write_end)
    finally:
        os.close(write_end)
    _, err = process.communicate()
    assert (process.returncode, err) == (141, b'')
