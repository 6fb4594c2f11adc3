"""What the tests of stsboto.vend share: a configuration, a fake issuer, WSGI calls.

The WSGI application is called directly with environ dicts (``environ()``,
``Answer``), with a fake issuer and injected clocks: no server, no socket.
"""
from __future__ import absolute_import, unicode_literals

import json
import threading
import time

from stsboto.vend import hash_secret, load_config
from tests.factories import make_token

SECRET_A = 'secret-of-a-0123456789abcdefghij'
SECRET_B = 'secret-of-b-0123456789abcdefghij'
BASE = """[vend]
bucket = photos
prefix = users/{caller}/
"""
TWO_CALLERS = BASE + """
[caller app-a]
token_sha256 = %s

[caller app-b]
token_sha256 = %s
prefix = partners/{caller}/
actions = s3:GetObject
duration = 7200
""" % (hash_secret(SECRET_A), hash_secret(SECRET_B))


def write_config(tmpdir, text, name='vend.ini'):
    path = tmpdir.join(name)
    path.write_text(text, encoding='utf-8')
    return str(path)


def config_from(tmpdir, text):
    return load_config(write_config(tmpdir, text))


class FakeIssuer(object):
    """issue(caller): a distinct token per call, lasting the caller's duration."""

    def __init__(self, clock, delay=0.0, fail=None):
        self.clock = clock
        self.delay = delay
        self.fail = fail
        self.calls = []
        self.lock = threading.Lock()

    def __call__(self, caller):
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.calls.append(caller)
            serial = len(self.calls)
        if self.fail is not None:
            raise self.fail
        return make_token(serial=serial, clock=self.clock, lifetime=caller.duration, arn=None)


def environ(secret=None, path='/creds', remote='127.0.0.1', scheme='http', method='GET', **headers):
    env = {'REQUEST_METHOD': method, 'PATH_INFO': path, 'REMOTE_ADDR': remote,
           'wsgi.url_scheme': scheme}
    if secret is not None:
        env['HTTP_AUTHORIZATION'] = secret
    env.update(headers)
    return env


class Answer(object):
    def __init__(self, app, env):
        seen = {}

        def start_response(status, headers):
            seen['status'], seen['headers'] = status, headers
        self.body = b''.join(app(env, start_response))
        self.status = int(seen['status'].split()[0])
        self.headers = dict(seen['headers'])
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in seen['headers'])

    def json(self):
        return json.loads(self.body.decode('utf-8'))
