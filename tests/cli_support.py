# -*- coding: utf-8 -*-
"""What the tests of stsboto.cli share, in tests/unit/cli and tests/functional/cli.

Commands run in-process through ``cli.main(argv, stdin=..., stdout=...,
stderr=..., environ=..., now=...)`` (:func:`run`).  S3 requests go through
boto's real connection code and stsboto's real ``connect_with_token``,
``generate_url`` and transfers; the fixtures record what the CLI passed them.
Here the requests go to ``tests/fakehttp.py``'s fake socket (``aws``: ``CliAWS``
adds listings and error bodies), as the functional tests need;
tests/unit/cli/conftest.py gives the unit tests a ``connections`` that records
the same calls with no network behind it (tests/unit/conftest.py refuses any).
``issue_token`` is replaced where a test needs a token without STS;
``tests/integration/test_cli.py`` runs the real thing against a local server.

The tests came from tests/unit/test_cli.py (arguments, exit statuses, output
formats, and no secret on the screen), test_cli_manners.py (the command line's
shape and manners, issue 13 items 2 and 5, issue 12 items 2 and 6, issue 11
items 7 and 8: one table of commands, --profile, what is printed and how
(terminal width, smoothed rate, control characters), signals and broken pipes)
and test_cli_doctor.py (``stsboto doctor``, issue 20 item 10).
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import collections
import datetime
import io
import logging
import os

import pytest
import six

import stsboto
import stsboto.s3
import stsboto.sts
from stsboto import cli, transfer
from stsboto.cli import commands, options
from stsboto.token import UTC, Token

from tests.factories import ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, make_token
from tests.fakehttp import FakeAWS

import boto.connection  # noqa: E402  (after stsboto: importable on 3.12+)

ISSUER_SECRET = 'issuer/Long+Term+Secret+Key+0123456789ab'
NOW = datetime.datetime(2026, 11, 27, 21, 0, 57, tzinfo=UTC)
EXPIRES = datetime.datetime(2026, 11, 27, 21, 15, 0, tzinfo=UTC)
SECRETS = (SECRET_KEY, SESSION_TOKEN, ISSUER_SECRET)
#: The stsboto package's folder.
PACKAGE = os.path.dirname(os.path.abspath(stsboto.__file__))

Result = collections.namedtuple('Result', 'code out err out_bytes')


class Stream(io.StringIO):
    """A text stream that may claim to be a terminal."""

    def __init__(self, tty=False):
        io.StringIO.__init__(self)
        self.tty = tty

    def isatty(self):
        return self.tty


def save_token(tmpdir, token=None, name='token.json'):
    path = str(tmpdir.join(name))
    (token or make_token()).save(path)
    return path


def run(argv, stdin=b'', environ=None, now=NOW, tty=False):
    stdout = io.TextIOWrapper(io.BytesIO(), encoding='utf-8', newline='\n')
    stderr = Stream(tty=tty)
    stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding='utf-8')
    code = cli.main(argv, stdin=stdin, stdout=stdout, stderr=stderr,
                    environ={} if environ is None else environ, now=lambda: now)
    stdout.flush()
    data = stdout.buffer.getvalue()
    return Result(code, data.decode('utf-8', 'replace'), stderr.getvalue(), data)


def parse(argv):
    return commands.build_parser().parse_args(argv)


def assert_no_secret(*texts):
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
            assert six.moves.urllib.parse.quote(secret, safe=str('')) not in text


def one_line(text):
    assert text.endswith('\n') and text.count('\n') == 1, text
    assert text.startswith('stsboto: '), text
    return text


def log_and_raise(error):
    def fail(*args, **kwargs):
        # as boto does at DEBUG level (boto/connection.py)
        logging.getLogger('boto').debug('Token: %s', SESSION_TOKEN)
        logging.getLogger('boto').debug('Headers: %r', {'x-amz-security-token': SESSION_TOKEN})
        raise error
    return fail


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmpdir):
    """Commands run in the test's own folder, with no token file named for them.

    (AWS_*, BOTO_* and HOME are the root conftest's: tests/conftest.py.)
    """
    monkeypatch.delenv(str(options.TOKEN_FILE_ENV), raising=False)
    monkeypatch.chdir(tmpdir)


class Connected(object):
    """One real ``connect_with_token`` call the CLI made: its arguments and result."""

    def __init__(self, token, region, endpoint_url, conn):
        self.token = Token.coerce(token)
        self.region = region
        self.endpoint_url = endpoint_url
        self.conn = conn


#: What CliAWS answers for an object nobody stored.
DOWNLOADED = b'\x00\xff downloaded \xc3\xa9'
LAST_MODIFIED = '2026-11-27T21:01:02.000Z'


class CliAWS(FakeAWS):
    """tests/fakehttp.py's FakeAWS (boto's real requests, a fake socket) plus what
    the command line needs: bucket listings computed from the stored objects,
    any error body, and an object for every key (:data:`DOWNLOADED`).

    :ivar s3_reply: set to ``(status, xml)`` to answer every S3 request with it.
    """

    s3_reply = None

    def handle_s3(self, request):
        bucket, key = self._bucket_key(request)
        if self.s3_reply is not None:
            status, body = self.s3_reply
            return _answer(status, b'' if request.method == 'HEAD' else body)
        if request.method == 'GET' and bucket and not key:
            return _answer(200, self.listing(bucket, request))
        if request.method in ('GET', 'HEAD') and key:
            self.objects.setdefault((bucket, key), DOWNLOADED)
        return FakeAWS.handle_s3(self, request)

    def listing(self, bucket, request):
        """ListBucketResult as S3 writes it: Contents first, then CommonPrefixes."""
        prefix = request.query.get('prefix', [''])[0]
        delimiter = request.query.get('delimiter', [''])[0]
        contents, prefixes = [], []
        for (name, key), data in sorted(self.objects.items()):
            if name != bucket or not key.startswith(prefix):
                continue
            rest = key[len(prefix):]
            if delimiter and delimiter in rest:
                common = prefix + rest.split(delimiter, 1)[0] + delimiter
                if common not in prefixes:
                    prefixes.append(common)
            else:
                contents.append('<Contents><Key>%s</Key><LastModified>%s</LastModified>'
                                '<Size>%d</Size></Contents>' % (key, LAST_MODIFIED, len(data)))
        return ('<ListBucketResult><Name>%s</Name><Prefix>%s</Prefix><IsTruncated>false'
                '</IsTruncated>%s%s</ListBucketResult>'
                % (bucket, prefix, ''.join(contents),
                   ''.join('<CommonPrefixes><Prefix>%s</Prefix></CommonPrefixes>' % p
                           for p in prefixes)))


def _answer(status, body):
    if isinstance(body, six.text_type):
        body = body.encode('utf-8')
    return (('HTTP/1.1 %d Answer\r\nContent-Length: %d\r\nx-amz-request-id: CLI0001\r\n\r\n'
             % (status, len(body))).encode('ascii') + body)


@pytest.fixture
def aws(monkeypatch):
    """boto's real connection code over CliAWS; every request is in ``aws.requests``."""
    fake = CliAWS()
    monkeypatch.setattr(boto.connection.AWSAuthConnection, 'new_http_connection',
                        fake.connection_factory())
    return fake


def record_connections(monkeypatch):
    """The real connect_with_token; the list returned gets every call (:class:`Connected`)."""
    made = []
    real = stsboto.s3.connect_with_token

    def connect(token, region='us-east-1', endpoint_url=None, **kwargs):
        conn = real(token, region=region, endpoint_url=endpoint_url, **kwargs)
        made.append(Connected(token, region, endpoint_url, conn))
        return conn
    monkeypatch.setattr(stsboto.s3, 'connect_with_token', connect)
    return made


@pytest.fixture
def connections(monkeypatch, aws):
    """The real connect_with_token, over the fake socket; the list gets every call.

    (tests/unit/cli/conftest.py has the unit tests' own: the same record, no network.)
    """
    return record_connections(monkeypatch)


@pytest.fixture
def urls(monkeypatch, connections):
    """The real generate_url; the list gets ``(expires_in, method, bucket, key)`` of each call."""
    made = []
    real = stsboto.s3.TokenS3Connection.generate_url

    def generate_url(self, expires_in, method, bucket='', key='', **kwargs):
        made.append((expires_in, method, bucket, key))
        return real(self, expires_in, method, bucket, key, **kwargs)
    monkeypatch.setattr(stsboto.s3.TokenS3Connection, 'generate_url', generate_url)
    return made


@pytest.fixture
def transfers(monkeypatch, connections):
    """The real transfer.upload and download; the list gets what each call was given
    (``(what, bucket, key, data or dest, config)``)."""
    calls = []
    real_upload, real_download = transfer.upload, transfer.download

    def upload(bucket, key, source, progress=None, config=None):
        data = source.read() if hasattr(source, 'read') else io.open(source, 'rb').read()
        calls.append(('upload', bucket.name, key, data, config))
        return real_upload(bucket, key, io.BytesIO(data), progress=progress, config=config)

    def download(bucket, key, dest, progress=None, config=None):
        calls.append(('download', bucket.name, key, dest, config))
        return real_download(bucket, key, dest, progress=progress, config=config)
    monkeypatch.setattr(transfer, 'upload', upload)
    monkeypatch.setattr(transfer, 'download', download)
    return calls


@pytest.fixture
def issued(monkeypatch):
    """Replace issue_token: it records its arguments and returns a token."""
    calls = []

    def issue_token(**kwargs):
        calls.append(kwargs)
        return make_token(expiration=EXPIRES)
    monkeypatch.setattr(stsboto.sts, 'issue_token', issue_token)
    return calls


# ---------------------------------------------------------------------------
# stsboto doctor: the real command, with the child Python that imports boto as
# a program does (tests/unit/cli/test_doctor.py, tests/functional/cli/test_doctor.py)

_DOCTOR_SESSION_TOKEN = 'FwoGZXIvYXdzEBYaDH7EXAMPLE/SESSION+TOKEN=VALUE'
_DOCTOR_SECRETS = (SECRET_KEY, _DOCTOR_SESSION_TOKEN)
WORKTREE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def doctor_environ(**values):
    env = dict(os.environ)
    # the child Python finds this checkout's stsboto (and its start-up hook) first
    env['PYTHONPATH'] = os.pathsep.join([WORKTREE] + [p for p in [env.get('PYTHONPATH')] if p])
    env.update((str(k), str(v)) for k, v in values.items())
    return env


def doctor_token_env(expiration):
    token = Token(ACCESS_KEY, SECRET_KEY, _DOCTOR_SESSION_TOKEN, expiration)
    return token.to_env()


def run_doctor(argv, environ):
    stdout = io.StringIO()
    stderr = io.StringIO()
    code = cli.main(['doctor'] + argv, stdout=stdout, stderr=stderr, environ=environ,
                    now=lambda: NOW)
    out, err = stdout.getvalue(), stderr.getvalue()
    for text in (out, err):
        for secret in _DOCTOR_SECRETS:
            assert secret not in text
            assert six.moves.urllib.parse.quote(secret, safe=str('')) not in text
    return code, out, err


def problem_lines(out):
    return [line for line in out.splitlines() if line.startswith('- ')]
