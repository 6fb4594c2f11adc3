"""stsboto's own paths under ``-W error::DeprecationWarning`` (issue 24 item 3).

Many users' CI turns deprecation warnings into errors.  boto 2 reads the time
for every SigV4 signature with ``datetime.utcnow()``, deprecated on 3.12+;
stsboto's connections sign through boto's code with a clock that is not
deprecated (stsboto._boto), so the README's issuer and client, a multipart
transfer, a repeated GetSessionToken, the command line and the boto patch run
clean in a child Python started with ``-W error::DeprecationWarning``.  The
control at the end shows that the flag does reach boto's own signer, so the
child runs above can fail.
"""
from __future__ import absolute_import, print_function, unicode_literals

import json
import subprocess
import sys
import textwrap

import pytest

from tests.integration.support import ADMIN_KEY, ADMIN_SECRET

pytestmark = pytest.mark.integration

WARNINGS_AS_ERRORS = ['-W', 'error::DeprecationWarning']


def run_child(code, child_env, server, **extra):
    env = dict(child_env, AWS_ACCESS_KEY_ID=str(ADMIN_KEY), AWS_SECRET_ACCESS_KEY=str(ADMIN_SECRET),
               AWS_ENDPOINT_URL=str(server.endpoint_url), AWS_DEFAULT_REGION=str('us-east-1'))
    env.update(dict((str(k), str(v)) for k, v in extra.items()))
    process = subprocess.Popen([sys.executable] + WARNINGS_AS_ERRORS + ['-c', textwrap.dedent(code)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate()
    return process.returncode, out.decode('utf-8'), err.decode('utf-8', 'replace')


def last_json(out):
    return json.loads(out.strip().splitlines()[-1])


def test_readme_issuer_and_client_flow(server, admin_s3, child_env):
    admin_s3.create_bucket('photos')
    code, out, err = run_child('''
        import json
        import stsboto

        # the issuer (README "Quickstart")
        token = stsboto.issue_token(bucket='photos', name='uploader-42', duration=900)
        payload = token.to_json()

        # the client
        conn = stsboto.connect_with_token(payload)
        bucket = conn.get_bucket('photos')
        key = bucket.new_key('uploads/cat.txt')
        key.set_contents_from_string('meow')
        url = conn.generate_url(600, 'GET', 'photos', 'uploads/cat.txt')
        print(json.dumps([key.get_contents_as_string().decode('ascii'), 'X-Amz-Signature' in url]))
        ''', child_env, server)
    assert code == 0, err
    assert last_json(out) == ['meow', True]


def test_multipart_transfer_and_session_tokens(server, admin_s3, child_env):
    admin_s3.create_bucket('photos')
    code, out, err = run_child('''
        import json, os, tempfile
        import stsboto
        from stsboto import transfer

        # twice: boto checks its session-token cache (a clock read) from the second call on
        stsboto.get_session_token(duration=900)
        stsboto.get_session_token(duration=900)
        payload = stsboto.issue_token(bucket='photos', duration=900).to_json()
        bucket = stsboto.connect_with_token(payload).get_bucket('photos')
        folder = tempfile.mkdtemp()
        source = os.path.join(folder, 'big.bin')
        with open(source, 'wb') as out:
            out.write(os.urandom(6 * transfer.MiB))
        config = transfer.TransferConfig(threshold=5 * transfer.MiB, part_size=5 * transfer.MiB,
                                         workers=2)
        transfer.upload(bucket, 'big.bin', source, config=config)
        target = os.path.join(folder, 'back.bin')
        transfer.download(bucket, 'big.bin', target, config=config)
        with open(source, 'rb') as a, open(target, 'rb') as b:
            print(json.dumps(a.read() == b.read()))
        ''', child_env, server)
    assert code == 0, err
    assert last_json(out) is True


def test_command_line_and_patch(server, admin_s3, child_env, tmpdir):
    admin_s3.create_bucket('photos')
    token_file = str(tmpdir.join('token.json'))
    cat = tmpdir.join('cat.txt')
    cat.write('meow')
    code, out, err = run_child('''
        import json
        from stsboto.cli import main

        token_file, cat = %r, %r
        codes = [main(['issue', '--bucket', 'photos', '--output', token_file]),
                 main(['put', cat, 'photos/', '--token', token_file])]
        print(json.dumps(codes))
        ''' % (token_file, str(cat)), child_env, server)
    assert code == 0, err
    assert last_json(out) == [0, 0]

    # an unchanged boto 2 script under the patch, with the token in AWS_* variables
    with open(token_file) as handle:
        token = json.load(handle)
    script = '''
        import json
        import boto
        conn = boto.connect_s3()
        print(json.dumps(conn.get_bucket('photos', validate=False).get_key('cat.txt') is not None))
        '''
    code, out, err = run_child(script, child_env, server, STSBOTO_PATCH_BOTO='1',
                               AWS_ACCESS_KEY_ID=token['AccessKeyId'],
                               AWS_SECRET_ACCESS_KEY=token['SecretAccessKey'],
                               AWS_SESSION_TOKEN=token['SessionToken'])
    assert code == 0, err
    assert last_json(out) is True


@pytest.mark.applies(sys.version_info >= (3, 12), reason='datetime.utcnow() warns on Python 3.12+ only')
def test_control_boto_own_sigv4_signer_fails_under_the_same_flag(server, child_env):
    code, out, err = run_child('''
        import boto.sts
        from boto.regioninfo import RegionInfo
        conn = boto.sts.STSConnection(region=RegionInfo(name='us-east-1', endpoint='127.0.0.1'),
                                      is_secure=False)
        request = conn.build_base_http_request('POST', '/', None, {'Action': 'GetCallerIdentity'})
        request.authorize(connection=conn)
        ''', child_env, server)
    assert code != 0 and 'utcnow' in err
