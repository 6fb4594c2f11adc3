"""stsboto.local.demo: masking, printing, the request table, the flow with server and AWS mocked."""
from __future__ import absolute_import, unicode_literals

import io

import mock
import pytest

import stsboto
import stsboto.s3
from stsboto.exceptions import StsbotoError
from stsboto.local import demo
from stsboto.local.server import LocalServer, RecordedRequest
from tests.factories import make_token
from tests.local_support import ISSUER_KEY, ISSUER_SECRET, access_key_response

import boto.exception  # noqa: E402

URL = 'http://127.0.0.1:5555'
ROLE_ARN = 'arn:aws:iam::123456789012:role/stsboto-demo-uploader'
ACCESS_DENIED = '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'


def recorded(method, path, key=None, service='s3', token=None, body=None):
    """A request as moto's recorder gives it, signed (SigV4) by ``key`` if any."""
    headers = {}
    if key:
        headers['Authorization'] = ('AWS4-HMAC-SHA256 Credential=%s/20261127/us-east-1/%s/'
                                    'aws4_request, SignedHeaders=host, Signature=0' % (key, service))
    if token:
        headers['X-Amz-Security-Token'] = token
    return RecordedRequest(method=method, url=URL + path, headers=headers, body=body)


def mocked_server():
    server = mock.Mock(spec=LocalServer)
    server.endpoint_url = URL
    return server


@pytest.fixture
def clock(monkeypatch):
    """run_demo's clock: 2.5 s pass between its start and its end."""
    fake = mock.Mock()
    fake.time.side_effect = [100.0, 102.5]
    monkeypatch.setattr(demo, 'time', fake)
    return fake


def test_mask_keeps_only_the_first_characters():
    assert demo.mask('AQoDYXdzEPT//////////wEXAMPLE') == 'AQoD...'
    assert demo.mask('AQoDYXdz', keep=2) == 'AQ...'
    assert demo.mask('ab') == 'ab...'
    assert demo.mask(None) == demo.mask('') == '(none)'


def test_demo_result_fails_until_told_otherwise():
    result = demo.DemoResult()
    assert (result.ok, result.exit_code, result.failure, result.tokens, result.secrets,
            result.seconds) == (False, 1, None, [], [], 0.0)
    result.ok = True
    assert result.exit_code == 0


def test_printer_masks_secrets_known_later_escapes_controls_and_prints_ascii():
    out = io.StringIO()
    secrets = []
    say = demo._Printer(out, secrets)
    secrets.append(ISSUER_SECRET)          # the demo learns secrets as it goes
    say('secret %s caf\u00e9 \x1b[2J end' % ISSUER_SECRET, indent=3)
    say()
    assert out.getvalue() == '   secret <hidden> caf? \\x1b[2J end\n\n'


def test_printer_survives_streams_that_cannot_flush():
    class NoFlush(object):
        def __init__(self):
            self.written = []

        def write(self, text):
            self.written.append(text)

    class Closed(io.StringIO):
        def flush(self):
            raise ValueError('I/O operation on closed file')

    stream = NoFlush()
    demo._Printer(stream, [])('one')
    closed = Closed()
    demo._Printer(closed, [])('two', indent=1)
    assert (stream.written, closed.getvalue()) == (['one\n'], ' two\n')


def test_expect_refusal_wants_exactly_the_refusal_it_names():
    out = io.StringIO()
    say = demo._Printer(out, [])

    def refused(status, body):
        def call():
            raise boto.exception.S3ResponseError(status, 'Forbidden', body)
        return call
    demo._expect_refusal(say, 'DELETE b/k', refused(403, ACCESS_DENIED), 403, 'AccessDenied')
    assert out.getvalue() == '    %-50s -> refused: 403 AccessDenied (as expected)\n' % 'DELETE b/k'
    for status, code in [(403, 'SignatureDoesNotMatch'), (404, 'AccessDenied')]:
        body = '<Error><Code>%s</Code></Error>' % code
        with pytest.raises(demo._StepFailed) as info:
            demo._expect_refusal(say, 'PUT other/k', refused(status, body), 403, 'AccessDenied')
        expected = 'PUT other/k: expected 403 AccessDenied, got %s %s' % (status, code)
        assert str(info.value) == expected
    with pytest.raises(demo._StepFailed) as info:
        demo._expect_refusal(say, 'GET b/k', lambda: b'data', 403, 'InvalidAccessKeyId')
    assert str(info.value) == ('GET b/k: expected a refusal (403 InvalidAccessKeyId), but it '
                               'was allowed')
    assert out.getvalue().count('\n') == 1


def test_describe_requests_prints_an_aligned_row_per_request():
    out = io.StringIO()
    token = make_token()
    requests = [recorded('POST', '/', ISSUER_KEY, 'sts', body=b'Action=GetFederationToken&Name=u'),
                recorded('PUT', '/b/k', token.access_key, token=token.session_token),
                recorded('GET', '/b/k'),
                recorded('HEAD', '/b/k', 'AKIAUNKNOWN')]
    demo._describe_requests(demo._Printer(out, []), requests,
                            {ISSUER_KEY: 'issuer', token.access_key: 'the token'})
    assert out.getvalue().splitlines() == [
        '    STS GetFederationToken  by issuer       no session token',
        # mask() wrote "FwoG...", but the printer's header pattern hides even that
        '    S3 PUT /b/k             by the token    x-amz-security-token: <hidden>',
        '    S3 GET /b/k             by unsigned     no session token',
        '    S3 HEAD /b/k            by AKIAUNKNOWN  no session token']
    demo._describe_requests(demo._Printer(out, []), [], {})
    assert out.getvalue().count('\n') == 4


# -- run_demo: the frame around the story ---------------------------------------------------

def test_run_demo_on_a_given_server_resets_it_before_and_after_and_leaves_it_running(
        monkeypatch, clock):
    server = mocked_server()
    told = []
    monkeypatch.setattr(demo, '_story', lambda say, srv, result: told.append(srv))
    out = io.StringIO()
    result = demo.run_demo(out=out, server=server)
    assert (result.ok, result.exit_code, result.failure, result.seconds) == (True, 0, None, 2.5)
    assert told == [server]
    assert server.method_calls == [mock.call.reset(), mock.call.reset()]
    assert out.getvalue() == ('stsboto demo: a scoped STS token, issued and used over HTTP\n'
                              'local AWS endpoint: moto server at %s\n'
                              'Demo passed in 2.5 s. No secret key or full session token was '
                              'printed.\n' % URL)
    assert result.secrets == [demo._ADMIN_SECRET]


def test_run_demo_starts_and_always_stops_a_server_of_its_own(monkeypatch, clock):
    cls = mock.Mock()
    server = cls.return_value.start.return_value = mocked_server()
    monkeypatch.setattr(demo, 'LocalServer', cls)

    def story(say, srv, result):
        raise RuntimeError('a bug in the demo')
    monkeypatch.setattr(demo, '_story', story)
    out = io.StringIO()
    with pytest.raises(RuntimeError):
        demo.run_demo(out=out, executable='/opt/moto/bin/moto_server')
    cls.assert_called_once_with(executable='/opt/moto/bin/moto_server')
    assert server.method_calls == [mock.call.stop()]
    assert out.getvalue().splitlines()[1] == ('local AWS endpoint: moto server at %s (started for '
                                              'this demo)' % URL)


def test_run_demo_without_a_server_prints_nothing(monkeypatch):
    cls = mock.Mock()
    cls.return_value.start.side_effect = StsbotoError('no moto server found: install it')
    monkeypatch.setattr(demo, 'LocalServer', cls)
    out = io.StringIO()
    with pytest.raises(StsbotoError) as info:
        demo.run_demo(out=out)
    assert str(info.value) == 'no moto server found: install it'
    assert out.getvalue() == ''


@pytest.mark.parametrize('error, failure', [
    (demo._StepFailed('get_bucket sent 1 request(s); it should send none'),
     'get_bucket sent 1 request(s); it should send none'),
    (StsbotoError('the local server is not running: call start() first'),
     'StsbotoError: the local server is not running: call start() first'),
    (boto.exception.S3ResponseError(403, 'Forbidden', ACCESS_DENIED),
     'S3ResponseError: S3ResponseError: 403 Forbidden\n' + ACCESS_DENIED),
    (IOError(5, 'Input/output error'), '%s: [Errno 5] Input/output error'),   # OSError on 3
])
def test_run_demo_reports_a_failed_step_in_one_line_without_secrets(monkeypatch, clock, error,
                                                                    failure):
    server = mocked_server()
    server.reset.side_effect = [None, StsbotoError('moto went away')]   # the last reset fails

    def story(say, srv, result):
        result.secrets.append(ISSUER_SECRET)
        say('issuer key %s, secret %s' % (ISSUER_KEY, ISSUER_SECRET))
        raise error
    monkeypatch.setattr(demo, '_story', story)
    out = io.StringIO()
    result = demo.run_demo(out=out, server=server)
    if failure.startswith('%s'):
        failure %= type(error).__name__
    assert (result.ok, result.exit_code, result.failure) == (False, 1, failure)
    lines = out.getvalue().splitlines()
    assert lines[2] == 'issuer key %s, secret <hidden>' % ISSUER_KEY
    assert lines[3:] == ['Demo FAILED after 2.5 s: %s' % failure.replace('\n', '\\n')]
    assert server.reset.call_count == 2


# -- the story's own checks, with AWS mocked ------------------------------------------------

@pytest.fixture
def aws(monkeypatch):
    """What the story talks to: admin S3, admin IAM, STS and the client's S3, all mocks."""
    fakes = mock.Mock()
    fakes.token = make_token()
    monkeypatch.setattr(stsboto.s3, 'connect_to_region', fakes.admin_s3)
    monkeypatch.setattr(demo, 'admin_iam', fakes.admin_iam)
    iam = fakes.admin_iam.return_value
    iam.create_access_key.return_value = access_key_response()
    iam.create_role.return_value = {'create_role_response': {'create_role_result': {
        'role': {'arn': ROLE_ARN}}}}
    monkeypatch.setattr(stsboto, 'issue_token', fakes.issue_token)
    fakes.issue_token.return_value = fakes.token
    monkeypatch.setattr(stsboto, 'connect_with_token', fakes.connect)
    fakes.key = fakes.connect.return_value.get_bucket.return_value.new_key.return_value
    fakes.key.get_contents_as_string.return_value = b'hello from uploader-42\n'
    return fakes


def test_the_story_sets_up_issues_and_checks_what_the_client_reads_back(aws):
    aws.key.get_contents_as_string.return_value = b'other'
    server = mocked_server()
    server.recorded_requests.return_value = []
    out = io.StringIO()
    result = demo.run_demo(out=out, server=server)
    assert result.failure == 'read back 5 bytes that differ from the 23 uploaded'
    assert aws.admin_s3.return_value.method_calls == [
        mock.call.create_bucket('stsboto-demo'), mock.call.create_bucket('stsboto-demo-other')]
    iam = aws.admin_iam.return_value
    assert iam.create_user.call_args == mock.call('stsboto-issuer')
    assert [call[1][1] for call in iam.put_user_policy.mock_calls] == ['stsboto-issuer',
                                                                       'assume-uploader-role']
    assert aws.issue_token.call_args == mock.call(
        bucket='stsboto-demo', name='uploader-42', duration=900, endpoint_url=URL,
        aws_access_key_id=ISSUER_KEY, aws_secret_access_key=ISSUER_SECRET)
    assert aws.connect.call_args == mock.call(aws.token.to_json(), endpoint_url=URL)
    assert aws.key.set_contents_from_string.call_args == mock.call(b'hello from uploader-42\n')
    assert result.secrets == [demo._ADMIN_SECRET, ISSUER_SECRET, aws.token.secret_key,
                              aws.token.session_token]
    assert result.tokens == [aws.token]
    text = out.getvalue()
    assert 'access key %s' % ISSUER_KEY in text and 'session token FwoG...' in text
    for secret in result.secrets:
        assert secret not in text


@pytest.mark.parametrize('drop_token, failure', [
    (False, 'expected 1 STS and 2 S3 requests, got 2 requests'),
    (True, 'an S3 request did not carry the token')])
def test_the_story_checks_the_requests_the_server_saw(aws, drop_token, failure):
    token = aws.token
    s3 = [recorded('PUT', '/stsboto-demo/uploader-42/hello.txt', token.access_key,
                   token=token.session_token),
          recorded('GET', '/stsboto-demo/uploader-42/hello.txt', token.access_key,
                   token=None if drop_token else token.session_token)]
    sts = recorded('POST', '/', ISSUER_KEY, 'sts', body=b'Action=GetFederationToken')
    seen = [sts] + (s3 if drop_token else s3[:1])
    server = mocked_server()
    server.recorded_requests.side_effect = [[sts], [sts], seen]   # before and after get_bucket
    out = io.StringIO()
    result = demo.run_demo(out=out, server=server)
    assert result.failure == failure
    assert server.method_calls[:4] == [mock.call.reset(), mock.call.start_recording(),
                                       mock.call.recorded_requests(),
                                       mock.call.recorded_requests()]
    assert mock.call.stop_recording() in server.method_calls
    assert '[4] Requests the server received' in out.getvalue()
    assert '[5]' not in out.getvalue()
