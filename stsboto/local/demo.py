"""``stsboto demo``: the whole story against a local AWS endpoint, step by step.

Usage::

    $ stsboto demo                   # or: python -m stsboto demo
    >>> from stsboto.local.demo import run_demo
    >>> result = run_demo()          # prints to stdout; result.ok, result.exit_code

It starts a moto server on 127.0.0.1 (see :mod:`stsboto.local.server`), plays the
admin, the issuing service and the client, prints which requests went out and
which carried the session token, and stops the server.  Secret keys and
session tokens are never printed: a token shows as its first 4 characters
and ``...``; every line is also scrubbed of every secret the demo knows.
"""
from __future__ import absolute_import, print_function, unicode_literals

import json
import sys
import time

import six

import stsboto
from stsboto.exceptions import StsbotoError
from stsboto.local.admin import ADMIN_KEY as _ADMIN_KEY
from stsboto.local.admin import ADMIN_SECRET as _ADMIN_SECRET
from stsboto.local.admin import access_key_of as _access_key_of
from stsboto.local.admin import admin_iam
from stsboto.local.server import LocalServer
from stsboto.logfilter import mask_secrets, printable
from stsboto.s3 import TOKEN_HEADER

import boto.exception  # noqa: E402  (stsboto made boto importable)

__all__ = ['run_demo', 'DemoResult', 'mask']

BUCKET = 'stsboto-demo'
OTHER_BUCKET = 'stsboto-demo-other'
ISSUER = 'stsboto-issuer'
ROLE = 'stsboto-demo-uploader'
CLIENT_NAME = 'uploader-42'


def mask(value, keep=4):
    """``AQoD...``: enough to recognise a secret in a log, not to use it."""
    if not value:
        return '(none)'
    return '%s...' % value[:keep]


class DemoResult(object):
    """What :func:`run_demo` did.

    :ivar bool ok: every step behaved as expected.
    :ivar int exit_code: 0 when ok, else 1.
    :ivar float seconds: how long the demo took, server start and stop included.
    :ivar list tokens: the :class:`stsboto.Token` objects issued (for tests).
    :ivar list secrets: every secret the demo handled, none of which it printed.
    :ivar str failure: what went wrong, or None.
    """

    def __init__(self):
        self.ok = False
        self.seconds = 0.0
        self.tokens = []
        self.secrets = []
        self.failure = None

    @property
    def exit_code(self):
        return 0 if self.ok else 1


class _StepFailed(Exception):
    pass


class _Printer(object):
    def __init__(self, out, secrets):
        self.out = out
        self.secrets = secrets

    def __call__(self, text='', indent=0):
        # no secret, no control character (ARNs and key names come from the server),
        # and ASCII only: the demo must print on any terminal, Python 2 included.
        text = printable(mask_secrets(text, self.secrets))
        text = text.encode('ascii', 'replace').decode('ascii')
        self.out.write(' ' * indent + text + '\n')
        try:
            self.out.flush()
        except (AttributeError, IOError, ValueError):
            pass


def _expect_refusal(say, label, call, status, code):
    """Run ``call``; it must fail with HTTP ``status`` and AWS error ``code``."""
    try:
        call()
    except boto.exception.S3ResponseError as error:
        if (error.status, error.error_code) != (status, code):
            raise _StepFailed('%s: expected %s %s, got %s %s'
                              % (label, status, code, error.status, error.error_code))
        say('%-50s -> refused: %s %s (as expected)' % (label, error.status, error.error_code),
            indent=4)
        return
    raise _StepFailed('%s: expected a refusal (%s %s), but it was allowed' % (label, status, code))


def _describe_requests(say, requests, who):
    """Print one line per recorded request; ``who`` maps access keys to names."""
    rows = []
    for request in requests:
        if request.service == 'sts' or request.action:
            what = 'STS %s' % request.action
        else:
            what = 'S3 %s %s' % (request.method, request.path)
        signer = who.get(request.access_key, request.access_key or 'unsigned')
        token = request.session_token
        rows.append((what, 'by ' + signer,
                     '%s: %s' % (TOKEN_HEADER, mask(token)) if token else 'no session token'))
    widths = [max(len(row[i]) for row in rows) for i in (0, 1)] if rows else [0, 0]
    for what, signer, token in rows:
        say('%-*s  %-*s  %s' % (widths[0], what, widths[1], signer, token), indent=4)


def _story(say, server, result):
    url = server.endpoint_url
    secrets = result.secrets

    # -- 1 ---------------------------------------------------------------------
    say('[1] Admin: buckets, an issuing IAM user, a role for the enforced part')
    admin_s3 = stsboto.s3.connect_to_region('us-east-1', aws_access_key_id=_ADMIN_KEY,
                                            aws_secret_access_key=_ADMIN_SECRET, endpoint_url=url)
    admin_s3.create_bucket(BUCKET)
    admin_s3.create_bucket(OTHER_BUCKET)
    iam = admin_iam(url)
    iam.create_user(ISSUER)
    issuer_key, issuer_secret = _access_key_of(iam.create_access_key(ISSUER))
    secrets.append(issuer_secret)
    iam.put_user_policy(ISSUER, 'stsboto-issuer', json.dumps(stsboto.issuer_policy(BUCKET)))
    trust = {'Version': '2012-10-17', 'Statement': [{
        'Effect': 'Allow', 'Action': 'sts:AssumeRole',
        'Principal': {'AWS': 'arn:aws:iam::123456789012:user/%s' % ISSUER}}]}
    role = iam.create_role(ROLE, assume_role_policy_document=json.dumps(trust))
    role_arn = role['create_role_response']['create_role_result']['role']['arn']
    iam.put_role_policy(ROLE, 'objects', json.dumps(stsboto.bucket_policy(BUCKET)))
    iam.put_user_policy(ISSUER, 'assume-uploader-role', json.dumps({
        'Version': '2012-10-17',
        'Statement': [{'Effect': 'Allow', 'Action': 'sts:AssumeRole', 'Resource': role_arn}]}))
    say("buckets %s and %s" % (BUCKET, OTHER_BUCKET), indent=4)
    say('IAM user %s (access key %s) with stsboto.issuer_policy(%r):'
        % (ISSUER, issuer_key, str(BUCKET)), indent=4)
    say('sts:GetFederationToken, and %s on %s/*'
        % (' + '.join(stsboto.policy.DEFAULT_ACTIONS), BUCKET), indent=6)
    say('role %s: stsboto.bucket_policy(%r); trusts %s' % (ROLE, str(BUCKET), ISSUER), indent=4)
    who = {_ADMIN_KEY: 'admin', issuer_key: 'issuer'}

    # -- 2 ---------------------------------------------------------------------
    server.start_recording()
    say('[2] Issuer: stsboto.issue_token(bucket=%r, name=%r, duration=900)'
        % (str(BUCKET), str(CLIENT_NAME)))
    token = stsboto.issue_token(bucket=BUCKET, name=CLIENT_NAME, duration=900, endpoint_url=url,
                                aws_access_key_id=issuer_key, aws_secret_access_key=issuer_secret)
    result.tokens.append(token)
    secrets.extend([token.secret_key, token.session_token])
    who[token.access_key] = 'the token'
    token_json = token.to_json()
    say('token for %s' % token.arn, indent=4)
    say('access key %s, secret key <hidden>, session token %s, expires %s'
        % (token.access_key, mask(token.session_token),
           token.expiration.strftime('%H:%M:%S UTC')), indent=4)
    say('handed to the client as JSON (%d characters, the credential_process shape)'
        % len(token_json), indent=4)

    # -- 3 ---------------------------------------------------------------------
    key_name = '%s/hello.txt' % CLIENT_NAME
    content = b'hello from uploader-42\n'
    say('[3] Client: conn = stsboto.connect_with_token(token_json)')
    conn = stsboto.connect_with_token(token_json, endpoint_url=url)
    before = len(server.recorded_requests())
    bucket = conn.get_bucket(BUCKET)
    sent = len(server.recorded_requests()) - before
    if sent:
        raise _StepFailed('get_bucket sent %d request(s); it should send none' % sent)
    say('conn.get_bucket(%r): no request sent (no s3:ListBucket needed)' % str(BUCKET), indent=4)
    bucket.new_key(key_name).set_contents_from_string(content)
    say('uploaded %s (%d bytes)' % (key_name, len(content)), indent=4)
    back = bucket.new_key(key_name).get_contents_as_string()
    if back != content:
        raise _StepFailed('read back %d bytes that differ from the %d uploaded'
                          % (len(back), len(content)))
    say('read it back: the same %d bytes' % len(back), indent=4)

    # -- 4 ---------------------------------------------------------------------
    server.stop_recording()
    requests = server.recorded_requests()
    say('[4] Requests the server received in steps 2-3 (from moto\'s request log):')
    _describe_requests(say, requests, who)
    sts_requests = [r for r in requests if r.service == 'sts']
    s3_requests = [r for r in requests if r.service == 's3']
    if len(sts_requests) != 1 or len(s3_requests) != 2 or len(requests) != 3:
        raise _StepFailed('expected 1 STS and 2 S3 requests, got %d requests' % len(requests))
    if any(r.session_token != token.session_token or r.access_key != token.access_key
           for r in s3_requests):
        raise _StepFailed('an S3 request did not carry the token')
    say('one STS request, then one request per object operation; every S3 request',
        indent=4)
    say('was signed with the token\'s key and carried its session token', indent=4)

    # -- 5 ---------------------------------------------------------------------
    server.enforce_iam()
    say('[5] IAM enforcement on: moto now checks every signature, the session token of')
    say('role credentials, and the policies of IAM users and roles. moto does not check', indent=4)
    say('the session policy of a federation token (its GetFederationToken returns fixed', indent=4)
    say('example keys), so the refusals are shown with a role-based token.', indent=4)
    server.start_recording()
    checked = stsboto.issue_token(bucket=BUCKET, name=CLIENT_NAME, duration=900, endpoint_url=url,
                                  aws_access_key_id=issuer_key,
                                  aws_secret_access_key=issuer_secret)
    result.tokens.append(checked)
    secrets.extend([checked.secret_key, checked.session_token])
    say('Issuer: stsboto.issue_token(...) again -> allowed: signature checked, and', indent=4)
    say('stsboto.issuer_policy grants sts:GetFederationToken', indent=6)
    say('Issuer: stsboto.assume_role(%r, \'job-1\')' % str(role_arn), indent=4)
    role_token = stsboto.assume_role(role_arn, 'job-1', duration=900, endpoint_url=url,
                                     aws_access_key_id=issuer_key,
                                     aws_secret_access_key=issuer_secret)
    say('-> allowed: the issuer may assume the role, and the role trusts the issuer', indent=6)
    result.tokens.append(role_token)
    secrets.extend([role_token.secret_key, role_token.session_token])
    who[role_token.access_key] = 'the role token'
    say('token for %s' % role_token.arn, indent=4)
    say('access key %s, secret key <hidden>, session token %s'
        % (role_token.access_key, mask(role_token.session_token)), indent=4)
    client = stsboto.connect_with_token(role_token, endpoint_url=url)
    job_key = 'jobs/job-1.txt'
    client.get_bucket(BUCKET).new_key(job_key).set_contents_from_string(b'job 1 output\n')
    say('%-50s -> allowed' % ('PUT %s/%s' % (BUCKET, job_key)), indent=4)
    if client.get_bucket(BUCKET).new_key(job_key).get_contents_as_string() != b'job 1 output\n':
        raise _StepFailed('the role token read back other bytes than it wrote')
    say('%-50s -> allowed, same bytes back' % ('GET %s/%s' % (BUCKET, job_key)), indent=4)
    # a HEAD, as bucket.get_key() sends it (moto 5.2.6 refused every HEAD under enforcement)
    if client.get_bucket(BUCKET).get_key(job_key) is None:
        raise _StepFailed('the role token could not find the object it wrote (HEAD)')
    say('%-50s -> allowed' % ('HEAD %s/%s' % (BUCKET, job_key)), indent=4)
    _expect_refusal(say, 'PUT %s/job-1.txt (other bucket)' % OTHER_BUCKET,
                    lambda: client.get_bucket(OTHER_BUCKET).new_key('job-1.txt')
                    .set_contents_from_string(b'x'), 403, 'AccessDenied')
    _expect_refusal(say, 'DELETE %s/%s (not granted)' % (BUCKET, job_key),
                    lambda: client.get_bucket(BUCKET).delete_key(job_key), 403, 'AccessDenied')
    no_token = stsboto.s3.connect_to_region('us-east-1', aws_access_key_id=role_token.access_key,
                                            aws_secret_access_key=role_token.secret_key,
                                            endpoint_url=url)
    _expect_refusal(say, 'GET %s/%s, no session token' % (BUCKET, job_key),
                    lambda: no_token.get_bucket(BUCKET).new_key(job_key)
                    .get_contents_as_string(), 403, 'InvalidAccessKeyId')

    # -- 6 ---------------------------------------------------------------------
    server.stop_recording()
    requests = server.recorded_requests()
    say('[6] Requests the server received in step 5:')
    _describe_requests(say, requests, who)
    s3_requests = [r for r in requests if r.service == 's3']
    with_token = [r for r in s3_requests if r.session_token == role_token.session_token]
    if len(requests) != 8 or len(s3_requests) != 6 or len(with_token) != 5:
        raise _StepFailed('expected 2 STS and 6 S3 requests (5 with the token), got %d requests'
                          % len(requests))
    say('every request made through connect_with_token carried the session token;', indent=4)
    say('only the deliberate one without it lacked it', indent=4)


def run_demo(out=None, server=None, executable=None):
    """Run the demo and print it to ``out``; return a :class:`DemoResult`.

    :param out: a text stream (default: ``sys.stdout``).
    :param server: a running :class:`stsboto.local.LocalServer` to use (reset
        before and after, and left running); default: start one, stop it after.
    :param str executable: the ``moto_server`` to start (see
        :func:`stsboto.local.find_server_command`).
    :raises StsbotoError: no moto server could be started (nothing printed).
    """
    out = sys.stdout if out is None else out
    result = DemoResult()
    result.secrets.append(_ADMIN_SECRET)
    say = _Printer(out, result.secrets)
    started = time.time()
    own = server is None
    if own:
        server = LocalServer(executable=executable).start()
    else:
        server.reset()
    try:
        say('stsboto demo: a scoped STS token, issued and used over HTTP')
        say('local AWS endpoint: moto server at %s (started for this demo)' % server.endpoint_url
            if own else 'local AWS endpoint: moto server at %s' % server.endpoint_url)
        _story(say, server, result)
        result.ok = True
    except _StepFailed as error:
        result.failure = six.text_type(error)
    except (StsbotoError, boto.exception.BotoServerError, boto.exception.BotoClientError,
            EnvironmentError) as error:
        result.failure = '%s: %s' % (type(error).__name__, error)
    finally:
        if own:
            server.stop()
        else:
            try:
                server.reset()
            except StsbotoError:
                pass
        result.seconds = time.time() - started
    if result.ok:
        say('Demo passed in %.1f s. No secret key or full session token was printed.'
            % result.seconds)
    else:
        say('Demo FAILED after %.1f s: %s' % (result.seconds, result.failure))
    return result
