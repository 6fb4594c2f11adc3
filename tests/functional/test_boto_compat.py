# -*- coding: utf-8 -*-
"""stsboto._boto makes boto 2.49 importable and usable on every supported Python.

Every check runs in a fresh interpreter (``sys.executable -c CODE``), so import
order is real: nothing the test process (or another test) imported leaks in.
The child prints one ``RESULT:{json}`` line; the assertions are made here.

The TLS tests start a real HTTPS server in a thread of the test process
(127.0.0.1, ephemeral port, certificates from tests/data, see make_certs.sh) and
let boto talk to it from the child: a trusted certificate must work, a
certificate from an unknown CA must fail the handshake, and a trusted
certificate for another hostname must fail boto's own hostname check.
"""
from __future__ import absolute_import, print_function, unicode_literals

import json
import os
import socket
import ssl
import subprocess
import sys
import textwrap
import threading

import pytest

from tests import processes
from tests.localhttp import HTTPServer, ScriptedHandler

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(ROOT, 'tests', 'data')
CA = os.path.join(DATA, 'ca.pem')
UNKNOWN_CA = os.path.join(DATA, 'unknown-ca.pem')

#: The Pythons on which stsboto._boto has to fix boto.
NEEDS_FIXES = sys.version_info >= (3, 12)

#: Server certificate sets: name -> (certfile, keyfile).
SERVER_CERTS = {
    'trusted': ('localhost.pem', 'localhost.key'),
    'unknown_ca': ('unknown-localhost.pem', 'unknown-localhost.key'),
    'wrong_host': ('wrong-host.pem', 'wrong-host.key'),
}

ACCESS_KEY = 'ASIAFEDERATEDTESTKEY'
SECRET_KEY = 'fedSecret/TestOnly+0123456789abcdefghij'
SESSION_TOKEN = 'FQoGZXIvYXdzEFederatedSessionTokenForTests//////////=='
EXPIRATION = '2030-01-02T03:04:05Z'
FEDERATED_ARN = 'arn:aws:sts::123456789012:federated-user/user'
REQUEST_ID = 'c6104cbe-af31-11e0-8154-cbc7ccf896c7'

GET_FEDERATION_TOKEN_XML = """\
<GetFederationTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetFederationTokenResult>
    <Credentials>
      <SessionToken>{token}</SessionToken>
      <SecretAccessKey>{secret}</SecretAccessKey>
      <Expiration>{expiration}</Expiration>
      <AccessKeyId>{access}</AccessKeyId>
    </Credentials>
    <FederatedUser>
      <Arn>{arn}</Arn>
      <FederatedUserId>123456789012:user</FederatedUserId>
    </FederatedUser>
    <PackedPolicySize>6</PackedPolicySize>
  </GetFederationTokenResult>
  <ResponseMetadata>
    <RequestId>{request_id}</RequestId>
  </ResponseMetadata>
</GetFederationTokenResponse>
""".format(token=SESSION_TOKEN, secret=SECRET_KEY, expiration=EXPIRATION,
           access=ACCESS_KEY, arn=FEDERATED_ARN, request_id=REQUEST_ID)

#: Environment variables that would let the user's own setup leak into boto.
_SCRUBBED_ENV = ('BOTO_CONFIG', 'BOTO_PATH', 'AWS_CREDENTIAL_FILE', 'AWS_ACCESS_KEY_ID',
                 'AWS_SECRET_ACCESS_KEY', 'AWS_SECURITY_TOKEN', 'AWS_SESSION_TOKEN',
                 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_CONFIG_FILE',
                 'AWS_SHARED_CREDENTIALS_FILE', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
                 'PYTHONWARNINGS', 'http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY')

# Put in front of every child's code.
_CHILD_PRELUDE = """\
from __future__ import print_function
import json, sys
PARAMS = json.loads(sys.argv[1])

def report(**result):
    print('RESULT:' + json.dumps(result, sort_keys=True))
    sys.stdout.flush()

def without_startup_finder():
    # What a Python without stsboto's stsboto.pth has: no lazy boto finder.
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != 'LazyBotoFinder']

def describe(exc):
    reason = getattr(exc, 'reason', None)  # ssl.SSLError: e.g. CERTIFICATE_VERIFY_FAILED
    return {'class': type(exc).__module__ + '.' + type(exc).__name__,
            'reason': None if reason is None else str(reason),
            'message': str(exc)}
"""


def _native(text):
    """str on every Python (bytes on 2): what subprocess and os.environ want."""
    return text if isinstance(text, str) else text.encode('utf-8')


@pytest.fixture(scope='module')
def boto_config(tmp_path_factory):
    """A boto config that only turns retries off (a failure costs one attempt)."""
    path = tmp_path_factory.mktemp('boto') / 'boto.cfg'
    with open(str(path), 'w') as fp:
        fp.write('[Boto]\nnum_retries = 0\n')
    return str(path)


@pytest.fixture
def run_child(boto_config):
    """Returns run(code, env=None, **params): runs ``code`` in a fresh interpreter
    and returns the dict it reported (fails the test if it crashed)."""

    def run(code, env=None, **params):
        child_env = dict((k, v) for k, v in os.environ.items() if k not in _SCRUBBED_ENV)
        child_env['BOTO_CONFIG'] = boto_config
        child_env['PYTHONPATH'] = os.pathsep.join(
            p for p in (ROOT, os.environ.get('PYTHONPATH')) if p)
        child_env.update(env or {})
        child_env = dict((_native(k), _native(v)) for k, v in child_env.items())
        source = _CHILD_PRELUDE + textwrap.dedent(code)
        proc = processes.popen(
            [sys.executable, _native('-c'), _native(source), _native(json.dumps(params))],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env, cwd=ROOT)
        out, err = proc.communicate()
        out, err = out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')
        assert proc.returncode == 0, 'child failed (rc=%s):\n%s\n%s' % (proc.returncode, out, err)
        lines = [line for line in out.splitlines() if line.startswith('RESULT:')]
        assert len(lines) == 1, 'child reported %d results:\n%s\n%s' % (len(lines), out, err)
        return json.loads(lines[0][len('RESULT:'):])

    return run


# --------------------------------------------------------------------------- imports

BOTO_MODULES = ['boto', 'boto.sts', 'boto.s3.connection', 'boto.auth', 'boto.provider',
                'boto.pyami.config', 'boto.plugin', 'boto.s3.key', 'boto.s3.bucket']


def test_boto_modules_import_after_stsboto(run_child):
    result = run_child("""
        import importlib
        import stsboto
        imported = []
        for name in PARAMS['modules']:
            importlib.import_module(name)
            imported.append(name)
        import boto
        from boto.vendored.six.moves import http_client, urllib
        vendored = sys.modules['boto.vendored.six']
        report(imported=imported, boto_version=boto.__version__,
               http_client=http_client.__name__,
               vendored_file=getattr(vendored, '__file__', None),
               vendored_is_six=vendored is sys.modules.get('six'))
    """, modules=BOTO_MODULES)
    assert result['imported'] == BOTO_MODULES
    assert result['http_client'] in ('http.client', 'httplib')
    if NEEDS_FIXES:
        # boto's vendored six 1.9.0 never loads: the installed six answers.
        assert result['vendored_is_six'] is True
    else:
        assert result['vendored_is_six'] is False
        assert os.path.join('boto', 'vendored', 'six') in result['vendored_file']


def test_plain_boto_import_needs_stsboto_exactly_from_312(run_child):
    # The control for the test above: without stsboto (and its start-up
    # finder), boto 2.49 does not import on 3.12+, and does before (where
    # install() must change nothing).
    result = run_child("""
        without_startup_finder()
        try:
            import boto
        except ImportError as exc:
            report(error=describe(exc))
        else:
            report(error=None)
    """)
    if not NEEDS_FIXES:
        assert result['error'] is None
        return
    assert result['error'] is not None, 'boto imported without stsboto: is boto fixed upstream?'
    assert 'boto.vendored.six.moves' in result['error']['message']


def test_stsboto_recovers_from_a_failed_boto_import(run_child):
    # A user who tried `import boto` first (it fails on 3.12+ without the
    # start-up finder) can still import stsboto.
    result = run_child("""
        without_startup_finder()
        try:
            import boto
            first = None
        except ImportError as exc:
            first = describe(exc)
        import stsboto
        import boto.sts, boto.s3.connection
        report(first=first, ok=True)
    """)
    assert result['ok'] is True
    assert (result['first'] is not None) == NEEDS_FIXES


def test_plain_boto_import_works_with_the_startup_finder(run_child):
    # stsboto.pth (installed with stsboto) registers the finder at start-up:
    # ``import boto`` first works on every Python, and boto is boto.
    result = run_child("""
        import boto
        import boto.s3.connection
        report(version=boto.__version__, origin=boto.__spec__.origin if hasattr(boto, '__spec__')
               else boto.__file__, stsboto='stsboto' in sys.modules)
    """)
    # boto's own file (__init__.pyc on Python 2)
    assert os.path.splitext(result['origin'])[0].endswith(os.path.join('boto', '__init__'))
    # stsboto is loaded for it exactly where boto needs fixes
    assert result['stsboto'] is NEEDS_FIXES


# --------------------------------------------------------------------------- install()

def test_install_is_idempotent_and_changes_nothing_before_312(run_child):
    result = run_child("""
        import ssl
        import stsboto
        from stsboto import _boto
        import boto.connection, boto.https_connection, boto.pyami.config
        namespace = boto.https_connection.ssl
        connect = boto.https_connection.CertValidatingHTTPSConnection.__dict__['connect']
        returns = [_boto.install(), _boto.install(), _boto.install()]
        finders = [type(f).__name__ for f in sys.meta_path
                   if isinstance(f, _boto._VendoredSixFinder)]
        report(returns=returns,
               finders=finders,
               needs_fixes=_boto.NEEDS_FIXES,
               https_ssl_is_ssl=boto.https_connection.ssl is ssl,
               connection_ssl_is_ssl=boto.connection.ssl is ssl,
               namespace_kept=boto.https_connection.ssl is namespace,
               same_namespace=boto.connection.ssl is boto.https_connection.ssl,
               boto_ssl_has_wrap_socket=hasattr(boto.https_connection.ssl, 'wrap_socket'),
               stdlib_ssl_has_wrap_socket=hasattr(ssl, 'wrap_socket'),
               connect_module=connect.__module__,
               connect_kept=boto.https_connection.CertValidatingHTTPSConnection.__dict__['connect']
               is connect,
               config_has_readfp='readfp' in vars(boto.pyami.config.Config))
    """)
    assert result['needs_fixes'] is NEEDS_FIXES
    assert result['boto_ssl_has_wrap_socket'] is True
    assert result['namespace_kept'] is True
    assert result['connect_kept'] is True
    if NEEDS_FIXES:
        assert result['returns'] == [True, True, True]
        assert result['finders'] == ['_VendoredSixFinder']
        assert result['https_ssl_is_ssl'] is False
        assert result['connection_ssl_is_ssl'] is False
        assert result['same_namespace'] is True
        assert result['connect_module'] == 'stsboto._boto'
        assert result['config_has_readfp'] is True
        # boto gets its wrap_socket; the standard library is left alone.
        assert result['stdlib_ssl_has_wrap_socket'] is False
    else:
        assert result['returns'] == [False, False, False]
        assert result['finders'] == []
        assert result['https_ssl_is_ssl'] is True
        assert result['connection_ssl_is_ssl'] is True
        assert result['connect_module'] == 'boto.https_connection'
        assert result['config_has_readfp'] is False
        assert result['stdlib_ssl_has_wrap_socket'] is True


def test_installed_six_keeps_its_own_spec(run_child):
    # Aliasing boto.vendored.six to six must not rename the real six module.
    result = run_child("""
        import six
        import stsboto
        import six.moves
        report(six_spec=six.__spec__.name if getattr(six, '__spec__', None) else None,
               moves_spec=getattr(getattr(six.moves, '__spec__', None), 'name', None),
               six_name=six.__name__)
    """)
    assert result['six_name'] == 'six'
    if sys.version_info[0] > 2:
        assert result['six_spec'] == 'six'
        assert result['moves_spec'] in ('six.moves', None)


# --------------------------------------------------------------------------- Config

def test_config_reads_a_file_object(run_child):
    result = run_child("""
        import io
        import stsboto
        from boto.pyami.config import Config
        config = Config(fp=io.StringIO(u'[Boto]\\nnum_retries = 7\\n'
                                       u'[Credentials]\\naws_access_key_id = AKIDFROMFP\\n'))
        report(num_retries=config.getint('Boto', 'num_retries'),
               key=config.get('Credentials', 'aws_access_key_id'))
    """)
    assert result == {'num_retries': 7, 'key': 'AKIDFROMFP'}


def test_config_loads_a_credential_file(run_child, tmp_path):
    # Config.load_credential_file goes through readfp too.
    path = tmp_path / 'credentials'
    with open(str(path), 'w') as fp:
        fp.write('AWSAccessKeyId=AKIDFROMCREDFILE\nAWSSecretKey=credfile-secret\n')
    result = run_child("""
        import stsboto
        from boto.pyami.config import Config
        config = Config(do_load=False)
        config.load_credential_file(PARAMS['path'])
        report(key=config.get('Credentials', 'aws_access_key_id'),
               secret=config.get('Credentials', 'aws_secret_access_key'))
    """, path=str(path))
    assert result == {'key': 'AKIDFROMCREDFILE', 'secret': 'credfile-secret'}


def test_aws_credential_file_set_at_import(run_child, tmp_path):
    # boto builds boto.config (Config(), which reads AWS_CREDENTIAL_FILE through
    # readfp) while `import boto` runs, i.e. inside stsboto's own import.
    path = tmp_path / 'credentials'
    with open(str(path), 'w') as fp:
        fp.write('AWSAccessKeyId=AKIDFROMENVFILE\nAWSSecretKey=envfile-secret\n')
    result = run_child("""
        try:
            import stsboto
        except Exception as exc:
            report(error=describe(exc), key=None)
        else:
            import boto
            report(error=None, key=boto.config.get('Credentials', 'aws_access_key_id'))
    """, env={'AWS_CREDENTIAL_FILE': str(path)})
    assert result == {'error': None, 'key': 'AKIDFROMENVFILE'}


# --------------------------------------------------------------------------- TLS

class _TlsServer(HTTPServer):
    """An HTTPS server on 127.0.0.1 that records what its clients did."""

    def __init__(self, certfile, keyfile, payload):
        HTTPServer.__init__(self, ('127.0.0.1', 0), ScriptedHandler)
        self.script = [(200, payload, {'Content-Type': 'text/xml'})]
        self.before = {}
        self.seen = []
        self.connections = 0
        self.handshake_errors = []
        self.server_names = []
        # PROTOCOL_TLS_SERVER is 3.6+ only; PROTOCOL_SSLv23 is the same as PROTOCOL_TLS.
        context = ssl.SSLContext(getattr(ssl, 'PROTOCOL_TLS_SERVER', ssl.PROTOCOL_SSLv23))
        context.load_cert_chain(certfile, keyfile)
        if hasattr(context, 'sni_callback'):
            context.sni_callback = self._record_sni
        else:
            context.set_servername_callback(self._record_sni)
        self.context = context

    def _record_sni(self, ssl_socket, server_name, context):
        self.server_names.append(server_name)

    def get_request(self):
        sock, address = self.socket.accept()
        self.connections += 1
        sock.settimeout(10)
        try:
            return self.context.wrap_socket(sock, server_side=True), address
        except (ssl.SSLError, socket.error) as exc:
            # The client refused our certificate: expected in the failure tests.
            # socketserver ignores socket errors raised here.
            self.handshake_errors.append(repr(exc))
            sock.close()
            raise

    @property
    def port(self):
        return self.server_address[1]


@pytest.fixture
def tls_server():
    """Returns start(name): an HTTPS server with SERVER_CERTS[name], stopped at teardown."""
    started = []

    def start(name, payload=GET_FEDERATION_TOKEN_XML):
        certfile, keyfile = SERVER_CERTS[name]
        server = _TlsServer(os.path.join(DATA, certfile), os.path.join(DATA, keyfile),
                            payload.encode('utf-8'))
        thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05})
        thread.daemon = True
        thread.start()
        started.append((server, thread))
        return server

    yield start
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join(5)


STS_CLIENT = """
    import ssl, time
    import stsboto
    import boto.connection, boto.https_connection
    from boto.regioninfo import RegionInfo
    from boto.sts.connection import STSConnection

    class NoSleep(object):
        # boto sleeps (up to 1 s) after a failed attempt, even the last one.
        sleeps = []
        def __getattr__(self, name):
            return getattr(time, name)
        def sleep(self, seconds):
            self.sleeps.append(seconds)

    boto.connection.time = NoSleep()
    conn = STSConnection(aws_access_key_id='AKIDEXAMPLE', aws_secret_access_key='callerSecret',
                         region=RegionInfo(name='us-east-1', endpoint='localhost'),
                         port=PARAMS['port'], is_secure=True, validate_certs=True)
    conn.ca_certificates_file = PARAMS['ca']
    conn.auth_region_name = 'us-east-1'
    conn.auth_service_name = 'sts'
    try:
        token = conn.get_federation_token('user', 900)
    except Exception as exc:
        report(error=describe(exc), attempts_slept=len(NoSleep.sleeps),
               is_ssl_error=isinstance(exc, ssl.SSLError),
               is_verification_error=isinstance(exc, getattr(ssl, 'SSLCertVerificationError', ())),
               is_invalid_certificate=isinstance(exc, boto.https_connection.InvalidCertificateException),
               invalid_host=getattr(exc, 'host', None))
    else:
        credentials = token.credentials
        report(error=None, access_key=credentials.access_key, secret_key=credentials.secret_key,
               session_token=credentials.session_token, expiration=credentials.expiration,
               federated_user_arn=token.federated_user_arn,
               packed_policy_size=token.packed_policy_size, request_id=token.request_id)
"""

DIRECT_CLIENT = """
    import ssl
    import stsboto
    import boto.https_connection
    from boto.https_connection import CertValidatingHTTPSConnection
    conn = CertValidatingHTTPSConnection('localhost', PARAMS['port'], ca_certs=PARAMS['ca'])
    try:
        conn.request('GET', '/direct')
        tls_version = conn.sock.version()  # getresponse() closes it (HTTP/1.0 server)
        response = conn.getresponse()
        body = response.read().decode('utf-8')
    except Exception as exc:
        report(error=describe(exc),
               is_ssl_error=isinstance(exc, ssl.SSLError),
               is_verification_error=isinstance(exc, getattr(ssl, 'SSLCertVerificationError', ())),
               is_invalid_certificate=isinstance(exc, boto.https_connection.InvalidCertificateException),
               invalid_host=getattr(exc, 'host', None))
    else:
        report(error=None, status=response.status, body=body, tls_version=tls_version)
        conn.close()
"""


def _expected_sni():
    # boto's own connect (up to 3.11) sends no SNI; stsboto's (3.12+) does.
    return ['localhost'] if NEEDS_FIXES else [None]


def test_sts_over_tls_with_trusted_ca(run_child, tls_server):
    server = tls_server('trusted')
    result = run_child(STS_CLIENT, port=server.port, ca=CA)
    assert result == {
        'error': None,
        'access_key': ACCESS_KEY,
        'secret_key': SECRET_KEY,
        'session_token': SESSION_TOKEN,
        'expiration': EXPIRATION,
        'federated_user_arn': FEDERATED_ARN,
        'packed_policy_size': 6,
        'request_id': REQUEST_ID,
    }
    assert server.connections == 1
    assert server.handshake_errors == []
    assert server.server_names == _expected_sni()
    [request] = server.seen
    assert request.method == 'POST'
    assert request.headers['host'] == 'localhost:%d' % server.port
    for field in ('Action=GetFederationToken', 'Name=user', 'DurationSeconds=900'):
        assert field in request.body.decode('utf-8').split('&')
    assert request.headers['authorization'].startswith('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/')
    assert '/us-east-1/sts/aws4_request' in request.headers['authorization']


def test_sts_over_tls_rejects_unknown_ca(run_child, tls_server):
    server = tls_server('unknown_ca')
    result = run_child(STS_CLIENT, port=server.port, ca=CA)
    error = result['error']
    assert error is not None, 'a certificate from an unknown CA was accepted'
    assert result['is_ssl_error'] is True
    assert error['reason'] == 'CERTIFICATE_VERIFY_FAILED'
    if sys.version_info >= (3, 7):
        assert result['is_verification_error'] is True
        assert error['class'] == 'ssl.SSLCertVerificationError'
    else:
        assert error['class'] == 'ssl.SSLError'
    # num_retries = 0: exactly one attempt, nothing sent.
    assert result['attempts_slept'] == 1
    assert server.connections == 1
    assert server.seen == []


def test_sts_over_tls_rejects_wrong_hostname(run_child, tls_server):
    server = tls_server('wrong_host')
    result = run_child(STS_CLIENT, port=server.port, ca=CA)
    error = result['error']
    assert error is not None, 'a certificate for wrong.example was accepted for localhost'
    assert error['class'] == 'boto.https_connection.InvalidCertificateException'
    assert result['is_invalid_certificate'] is True
    # boto's hostname check (not the ssl module's) found it, after a good handshake.
    assert result['is_ssl_error'] is False
    assert result['invalid_host'] == 'localhost'
    assert 'does not match certificate' in error['message']
    assert result['attempts_slept'] == 0  # unretryable
    assert server.connections == 1
    assert server.seen == []


def test_cert_validating_connection_with_trusted_ca(run_child, tls_server):
    server = tls_server('trusted', payload='hello over tls')
    result = run_child(DIRECT_CLIENT, port=server.port, ca=CA)
    assert result['error'] is None
    assert result['status'] == 200
    assert result['body'] == 'hello over tls'
    assert result['tls_version'] in ('TLSv1.2', 'TLSv1.3')
    assert server.server_names == _expected_sni()
    assert [r.path for r in server.seen] == ['/direct']


def test_cert_validating_connection_rejects_unknown_ca(run_child, tls_server):
    server = tls_server('unknown_ca')
    result = run_child(DIRECT_CLIENT, port=server.port, ca=CA)
    assert result['error'] is not None
    assert result['is_ssl_error'] is True
    assert result['error']['reason'] == 'CERTIFICATE_VERIFY_FAILED'
    assert server.seen == []


def test_cert_validating_connection_rejects_wrong_hostname(run_child, tls_server):
    server = tls_server('wrong_host')
    result = run_child(DIRECT_CLIENT, port=server.port, ca=CA)
    assert result['error'] is not None
    assert result['error']['class'] == 'boto.https_connection.InvalidCertificateException'
    assert result['invalid_host'] == 'localhost'
    assert server.seen == []


def test_cert_validating_connection_accepts_the_other_ca_when_told(run_child, tls_server):
    # The unknown-CA server is fine once its CA is the one given: the failure
    # above is about trust, not about a broken certificate.
    server = tls_server('unknown_ca', payload='trusted now')
    result = run_child(DIRECT_CLIENT, port=server.port, ca=UNKNOWN_CA)
    assert result['error'] is None
    assert result['body'] == 'trusted now'


WRAP_SOCKET_CLIENT = """
    import socket, ssl
    import stsboto
    import boto.https_connection
    boto_ssl = boto.https_connection.ssl
    kwargs = {}
    if PARAMS['verify']:
        kwargs = {'cert_reqs': boto_ssl.CERT_REQUIRED, 'ca_certs': PARAMS['ca']}
    sock = socket.create_connection(('127.0.0.1', PARAMS['port']), 10)
    try:
        tls = boto_ssl.wrap_socket(sock, **kwargs)
    except Exception as exc:
        sock.close()
        report(error=describe(exc), is_ssl_error=isinstance(exc, ssl.SSLError))
    else:
        cert = tls.getpeercert()
        names = sorted(v for k, v in cert.get('subjectAltName', ()) if k == 'DNS')
        tls.close()
        report(error=None, peer_dns_names=names, got_cert=bool(cert))
"""


@pytest.mark.parametrize('server_name, verify, expected', [
    # cert_reqs defaults to CERT_NONE: any certificate, none returned by getpeercert().
    ('unknown_ca', False, {'error': None, 'peer_dns_names': [], 'got_cert': False}),
    # No hostname check in wrap_socket: a trusted chain for another name passes
    # (boto checks the name itself afterwards).
    ('wrong_host', True, {'error': None, 'peer_dns_names': ['wrong.example'], 'got_cert': True}),
    ('trusted', True, {'error': None, 'peer_dns_names': ['localhost'], 'got_cert': True}),
])
def test_boto_wrap_socket_keeps_the_old_semantics(run_child, tls_server, server_name, verify,
                                                  expected):
    server = tls_server(server_name)
    result = run_child(WRAP_SOCKET_CLIENT, port=server.port, ca=CA, verify=verify)
    assert result == expected


def test_boto_wrap_socket_verifies_when_asked(run_child, tls_server):
    server = tls_server('unknown_ca')
    result = run_child(WRAP_SOCKET_CLIENT, port=server.port, ca=CA, verify=True)
    assert result['error'] is not None
    assert result['is_ssl_error'] is True
    assert result['error']['reason'] == 'CERTIFICATE_VERIFY_FAILED'
