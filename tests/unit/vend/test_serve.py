# -*- coding: utf-8 -*-
"""stsboto.vend.serve: the ready lines, the server chosen, what each server is given, SIGHUP reloads."""
from __future__ import absolute_import, unicode_literals

import logging
import os
import signal
import socket
import ssl
import sys
import threading
import types
from wsgiref import simple_server

import pytest

from stsboto.exceptions import VendConfigError
from stsboto.vend import hash_secret, load_config, serve
from tests.vend_support import BASE, SECRET_A, TWO_CALLERS, write_config

ONE_CALLER = BASE + '\n[caller app-a]\ntoken_sha256 = %s\n' % hash_secret(SECRET_A)
DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                    'data')
EXPORT = 'export AWS_CONTAINER_CREDENTIALS_FULL_URI='


@pytest.fixture
def config_path(tmpdir):
    return write_config(tmpdir, TWO_CALLERS)


@pytest.fixture
def own_sighup():
    """A SIGHUP handler of the test's own, put back afterwards whatever serve() did."""
    def previous(signum, frame):
        pass
    before = signal.signal(signal.SIGHUP, previous)
    yield previous
    signal.signal(signal.SIGHUP, before)


# -- the ready lines and the server chosen ---------------------------------------------------


@pytest.mark.parametrize('scheme, host, port, url', [
    ('http', '127.0.0.1', 8900, 'http://127.0.0.1:8900/'),
    ('http', '0.0.0.0', 8900, 'http://127.0.0.1:8900/'),      # every interface: loopback is one
    ('http', '::', 8900, 'http://127.0.0.1:8900/'),
    ('http', '', 41234, 'http://127.0.0.1:41234/'),
    ('https', '::1', 8443, 'https://[::1]:8443/'),
    ('https', 'vend.internal', 8443, 'https://vend.internal:8443/'),
], ids=['loopback', 'any-ipv4', 'any-ipv6', 'empty', 'ipv6', 'name'])
def test_ready_lines_tell_a_client_on_this_host_where_to_ask(scheme, host, port, url):
    assert serve.ready_lines(scheme, host, port) == [EXPORT + url, '# ready; Ctrl-C stops the server']


def fake_modules(monkeypatch, base):
    for name in ('gunicorn', 'gunicorn.app', 'gunicorn.app.base'):
        module = None if base is None else types.ModuleType(str(name))
        monkeypatch.setitem(sys.modules, name, module)
    if base is not None:
        sys.modules['gunicorn'].app = sys.modules['gunicorn.app']
        sys.modules['gunicorn.app'].base = sys.modules['gunicorn.app.base']
        sys.modules['gunicorn.app.base'].BaseApplication = base


def test_gunicorn_is_available_when_its_base_application_imports(monkeypatch):
    fake_modules(monkeypatch, None)
    assert serve.gunicorn_available() is False
    fake_modules(monkeypatch, object)
    assert serve.gunicorn_available() is True


@pytest.mark.parametrize('server, installed, chosen', [
    ('auto', True, 'gunicorn'),
    ('auto', False, 'wsgiref'),
    ('wsgiref', True, 'wsgiref'),
    ('gunicorn', False, 'gunicorn'),            # asked for: its ImportError says what is missing
], ids=['auto-installed', 'auto-missing', 'wsgiref-asked', 'gunicorn-asked'])
def test_the_server_chosen_and_the_warning_for_wsgiref(monkeypatch, config_path, server,
                                                       installed, chosen):
    started = []
    monkeypatch.setattr(serve, 'gunicorn_available', lambda: installed)
    monkeypatch.setattr(serve, '_serve_gunicorn', lambda *a: started.append(('gunicorn', a)) or 7)
    monkeypatch.setattr(serve, '_serve_wsgiref', lambda *a: started.append(('wsgiref', a)) or 8)
    warnings, out = [], [].append
    code = serve.serve(config_path, host='::1', port=0, certfile='c.pem', keyfile='k.pem',
                       server=server, workers=3, threads=4, out=out, err=warnings.append)
    ((name, arguments),) = started
    assert name == chosen and arguments[0] == config_path
    assert sorted(arguments[1].callers) == ['app-a', 'app-b']         # loaded from the path
    if chosen == 'gunicorn':
        assert code == 7 and arguments[2:] == ('::1', 0, 'c.pem', 'k.pem', 3, 4, out)
        assert warnings == []
    else:
        assert code == 8 and arguments[2:] == ('::1', 0, 'c.pem', 'k.pem', out)
        assert warnings == ['stsboto vend: warning: ' + serve.WSGIREF_WARNING]


@pytest.mark.parametrize('server', ['nginx', 'Gunicorn', '', None])
def test_an_unknown_server_is_refused_naming_the_field_before_anything_runs(monkeypatch, server):
    from stsboto.exceptions import InvalidParameterError
    monkeypatch.setattr(serve, 'load_config', lambda path: pytest.fail('read the config'))
    monkeypatch.setattr(serve, '_serve_wsgiref', lambda *a: pytest.fail('served on wsgiref'))
    monkeypatch.setattr(serve, '_serve_gunicorn', lambda *a: pytest.fail('served on gunicorn'))
    with pytest.raises(InvalidParameterError) as info:
        serve.serve('vend.ini', server=server, out=lambda line: None, err=lambda line: None)
    assert info.value.field == 'server'
    assert str(info.value) == 'server must be one of auto, gunicorn, wsgiref, got %r' % (server,)


def test_the_command_line_offers_the_servers_serve_runs_on():
    import argparse
    from stsboto.cli import vend as cli_vend
    parser = argparse.ArgumentParser()
    cli_vend.add_vend_arguments(parser)
    (action,) = [a for a in parser._actions if '--server' in a.option_strings]
    assert tuple(action.choices) == serve.SERVERS


def test_a_configuration_given_is_used_and_a_bad_file_stops_before_any_server(monkeypatch, tmpdir):
    started = []
    monkeypatch.setattr(serve, '_serve_wsgiref', lambda *a: started.append(a) or 0)
    config = load_config(write_config(tmpdir, ONE_CALLER))
    serve.serve(str(tmpdir.join('not-read.ini')), server='wsgiref', config=config,
                out=None, err=lambda line: None)
    assert started[0][1] is config
    with pytest.raises(VendConfigError) as info:
        serve.serve(write_config(tmpdir, '[vend]\nmode = magic\n', 'bad.ini'), server='wsgiref')
    assert 'mode must be federation or assume-role' in str(info.value) and len(started) == 1


def test_the_default_out_and_err_are_stdout_and_stderr(monkeypatch, config_path, capsys):
    monkeypatch.setattr(serve, '_serve_wsgiref', lambda *a: a[-1]('the ready line') or 0)
    serve.serve(config_path, server='wsgiref')
    out, err = capsys.readouterr()
    assert out == 'the ready line\n'
    assert err == 'stsboto vend: warning: %s\n' % serve.WSGIREF_WARNING


# -- reloading the configuration -------------------------------------------------------------


class FakeApp(object):
    def __init__(self, config):
        self.config = config
        self.reloaded = []
        self.event = threading.Event()

    def reload(self, config):
        self.reloaded.append(config)
        self.event.set()


def test_a_reload_swaps_in_a_good_file_and_keeps_the_running_one_on_a_bad_one(tmpdir, caplog):
    caplog.set_level(logging.INFO, 'stsboto.vend')
    app = FakeApp(None)
    path = write_config(tmpdir, ONE_CALLER)
    config = serve._reload(app, path)
    assert app.reloaded == [config] and list(config.callers) == ['app-a']
    write_config(tmpdir, ONE_CALLER + 'duration = 12\n')          # 15 minutes at least
    assert serve._reload(app, path) is None and app.reloaded == [config]
    messages = [r.getMessage() for r in caplog.records if r.name == 'stsboto.vend']
    assert messages[0] == 'configuration reloaded: 1 callers'
    assert messages[1].startswith('SIGHUP: the configuration was NOT reloaded, the running one '
                                  'is kept: [caller app-a] duration')
    assert [r.levelname for r in caplog.records if r.name == 'stsboto.vend'] == ['INFO', 'ERROR']


# -- wsgiref -----------------------------------------------------------------------------------


class FakeServer(object):
    """What _wsgiref_server builds; ``during(server)`` runs inside serve_forever's thread."""

    def __init__(self, port=54321, during=None):
        self.server_address = ('127.0.0.1', port)
        self.during = during
        self.calls = []

    def serve_forever(self, poll_interval=0.5):
        self.calls.append(('serve_forever', poll_interval))
        if self.during is not None:
            self.during(self)

    def shutdown(self):
        self.calls.append('shutdown')

    def server_close(self):
        self.calls.append('server_close')


@pytest.fixture
def wsgiref_run(monkeypatch):
    """_serve_wsgiref with its server and app replaced: returns what they were given
    (also in ``run.made``, for a run that raises)."""
    made = {}

    def run(path, config, certfile=None, keyfile=None, out=None, during=None, port=0):
        server = FakeServer(during=during)

        def build(app, host, port, context):
            made.update(app=app, host=host, port=port, context=context, server=server)
            server.app = app
            return server
        monkeypatch.setattr(serve, '_wsgiref_server', build)
        monkeypatch.setattr(serve, 'VendApp', FakeApp)
        lines = []
        made['code'] = serve._serve_wsgiref(path, config, '0.0.0.0', port, certfile, keyfile,
                                            out or lines.append)
        made['lines'] = lines
        return made
    run.made = made
    return run


def test_wsgiref_prints_the_bound_port_reloads_on_sighup_and_cleans_up(
        tmpdir, config_path, wsgiref_run, own_sighup):
    seen = {}

    def during(server):          # a SIGHUP while serving, after the file changed
        write_config(tmpdir, ONE_CALLER)
        seen['handler'] = signal.getsignal(signal.SIGHUP)
        seen['handler'](signal.SIGHUP, None)
        seen['reloaded'] = server.app.event.wait(10)     # the main loop reloads
    made = wsgiref_run(config_path, load_config(config_path), during=during)
    assert made['code'] == 0 and made['context'] is None
    assert (made['host'], made['port']) == ('0.0.0.0', 0)
    assert made['lines'] == [EXPORT + 'http://127.0.0.1:54321/', serve.READY_LINE]
    assert seen['handler'] is not own_sighup and seen['reloaded'] is True
    assert [list(c.callers) for c in made['app'].reloaded] == [['app-a']]
    assert made['server'].calls == [('serve_forever', 0.2), 'shutdown', 'server_close']
    assert signal.getsignal(signal.SIGHUP) is own_sighup


def test_wsgiref_over_tls_builds_a_server_context_from_the_certificate(config_path, wsgiref_run):
    made = wsgiref_run(config_path, load_config(config_path),
                       certfile=os.path.join(DATA, 'localhost.pem'),
                       keyfile=os.path.join(DATA, 'localhost.key'))
    assert isinstance(made['context'], ssl.SSLContext)
    assert made['lines'][0] == EXPORT + 'https://127.0.0.1:54321/'


def test_ctrl_c_while_serving_still_shuts_the_server_down_and_restores_sighup(
        config_path, wsgiref_run, own_sighup):
    def ctrl_c(line):
        raise KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        wsgiref_run(config_path, load_config(config_path), out=ctrl_c)
    assert wsgiref_run.made['server'].calls[-2:] == ['shutdown', 'server_close']
    assert signal.getsignal(signal.SIGHUP) is own_sighup


@pytest.fixture
def unbound(monkeypatch):
    """The wsgiref server class built without binding or listening (no socket in unit tests)."""
    monkeypatch.setattr(simple_server.WSGIServer, 'server_bind', lambda self: None)
    monkeypatch.setattr(simple_server.WSGIServer, 'server_activate', lambda self: None)
    handled = []
    monkeypatch.setattr(simple_server.WSGIServer, 'finish_request',
                        lambda self, request, address: handled.append(request))
    servers = []

    def build(host, context=None):
        server = serve._wsgiref_server('the app', host, 0, context)
        servers.append(server)
        return server
    yield build, handled
    for server in servers:
        server.server_close()


@pytest.mark.parametrize('host, family', [('127.0.0.1', socket.AF_INET), ('::1', socket.AF_INET6)],
                         ids=['ipv4', 'ipv6'])
def test_the_wsgiref_server_listens_on_the_hosts_family_in_daemon_threads(unbound, host, family):
    build, _ = unbound
    server = build(host)
    assert server.address_family == family and server.socket.family == family
    assert server.server_address[:2] == (host, 0) and server.get_app() == 'the app'
    assert server.daemon_threads is True


class FakeRequest(object):
    def __init__(self):
        self.timeouts = []

    def settimeout(self, seconds):
        self.timeouts.append(seconds)


class FakeContext(object):
    def __init__(self, failure=None):
        self.failure = failure
        self.wrapped = []

    def wrap_socket(self, request, server_side=False):
        self.wrapped.append(server_side)
        if self.failure is not None:
            raise self.failure
        return ('tls', request)


def test_the_tls_handshake_happens_in_the_requests_thread_and_a_failed_one_is_dropped(
        unbound, caplog):
    caplog.set_level(logging.DEBUG, 'stsboto.vend')
    build, handled = unbound
    plain = FakeRequest()
    build('127.0.0.1').finish_request(plain, ('10.0.0.5', 1))
    assert handled == [plain] and plain.timeouts == []
    context = FakeContext()
    request = FakeRequest()
    build('127.0.0.1', context).finish_request(request, ('10.0.0.5', 1))
    assert handled[-1] == ('tls', request) and context.wrapped == [True]
    assert request.timeouts == [10]                   # a slow client cannot hold the handshake
    refused = FakeRequest()
    server = build('127.0.0.1', FakeContext(ssl.SSLError('bad record')))
    server.finish_request(refused, ('10.0.0.6', 1))
    assert len(handled) == 2
    assert [r.getMessage() for r in caplog.records][-1].startswith(
        'TLS handshake with 10.0.0.6 failed: ')


def test_the_handler_marks_https_and_logs_requests_at_debug_only(unbound, monkeypatch, caplog,
                                                                 capsys):
    caplog.set_level(logging.DEBUG, 'stsboto.vend')
    monkeypatch.setattr(simple_server.WSGIRequestHandler, 'get_environ',
                        lambda self: {'PATH_INFO': '/creds'})
    build, _ = unbound

    def handler(context):
        class Bare(build('127.0.0.1', context).RequestHandlerClass):
            def __init__(self):   # no request to handle
                pass

            def address_string(self):
                return '10.0.0.5'
        return Bare()
    assert handler(None).get_environ() == {'PATH_INFO': '/creds'}
    assert handler(FakeContext()).get_environ() == {'PATH_INFO': '/creds', 'HTTPS': 'on'}
    handler(None).log_message('"%s %s" %d', 'GET', '/creds', 200)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ('DEBUG', '10.0.0.5 "GET /creds" 200')]
    assert capsys.readouterr().err == ''               # not wsgiref's own line on stderr


# -- gunicorn ----------------------------------------------------------------------------------


class FakeArbiterSocket(object):
    def getsockname(self):
        return ('::1', 40001, 0, 0)


class FakeArbiter(object):
    class Listener(object):
        sock = FakeArbiterSocket()
    LISTENERS = [Listener()]


class FakeBaseApplication(object):
    """gunicorn.app.base.BaseApplication as _serve_gunicorn uses it: __init__ loads the
    settings (load_config), reload() is the arbiter's SIGHUP, run() the arbiter."""

    made = []
    run_as = None

    def __init__(self, usage=None, prog=None):
        self.settings = {}
        self.cfg = self
        self.base_reloads = 0
        FakeBaseApplication.made.append(self)
        self.load_config()

    def set(self, name, value):          # cfg.set
        self.settings[name] = value

    def reload(self):
        self.base_reloads += 1

    def run(self):
        return FakeBaseApplication.run_as(self)


@pytest.fixture
def fake_gunicorn(monkeypatch):
    fake_modules(monkeypatch, FakeBaseApplication)
    monkeypatch.setattr(FakeBaseApplication, 'made', [])
    monkeypatch.setattr(FakeBaseApplication, 'run_as', staticmethod(lambda app: None))
    return FakeBaseApplication


def test_gunicorn_is_given_the_bind_workers_threads_and_tls_when_asked(fake_gunicorn, config_path):
    lines = []
    config = load_config(config_path)
    assert serve._serve_gunicorn(config_path, config, '::1', 8443, 'c.pem', 'k.pem', 3, 4,
                                 lines.append) == 0
    (app,) = fake_gunicorn.made
    when_ready = app.settings.pop('when_ready')
    assert app.settings == {'bind': '[::1]:8443', 'workers': 3, 'threads': 4,
                            'worker_class': 'gthread', 'certfile': 'c.pem', 'keyfile': 'k.pem',
                            'graceful_timeout': 10, 'proc_name': 'stsboto-vend'}
    when_ready(FakeArbiter())
    assert lines == [EXPORT + 'https://[::1]:40001/', serve.READY_LINE]
    assert app.load().config is config
    serve._serve_gunicorn(config_path, config, '0.0.0.0', 0, None, None, 1, 16, lines.append)
    plain = fake_gunicorn.made[1].settings                    # no TLS: no certificate settings
    assert 'certfile' not in plain and 'keyfile' not in plain and plain['bind'] == '0.0.0.0:0'
    plain['when_ready'](FakeArbiter())
    assert lines[2] == EXPORT + 'http://127.0.0.1:40001/'


def test_gunicorns_reload_takes_a_good_file_and_keeps_the_running_one_on_a_bad_one(
        fake_gunicorn, tmpdir):
    path = write_config(tmpdir, TWO_CALLERS)
    config = load_config(path)
    serve._serve_gunicorn(path, config, '127.0.0.1', 0, None, None, 1, 1, None)
    (app,) = fake_gunicorn.made
    write_config(tmpdir, ONE_CALLER)
    app.reload()
    assert list(app.vend_config.callers) == ['app-a'] and app.base_reloads == 1
    assert list(app.load().config.callers) == ['app-a']      # what the new workers serve
    kept = app.vend_config
    write_config(tmpdir, '[vend]\nmode = magic\n')
    app.reload()
    assert app.vend_config is kept and app.base_reloads == 2


@pytest.mark.parametrize('end, code', [
    (SystemExit(3), 3), (SystemExit(None), 0), (SystemExit('halted'), 0), (None, 0),
], ids=['exit-3', 'exit-none', 'exit-text', 'returns'])
def test_gunicorns_exit_is_the_exit_status(fake_gunicorn, config_path, end, code):
    def run(app):
        if end is not None:
            raise end
    fake_gunicorn.run_as = staticmethod(run)
    assert serve._serve_gunicorn(config_path, load_config(config_path), '127.0.0.1', 0, None,
                                 None, 1, 1, None) == code


@pytest.mark.applies(serve.gunicorn_available(), reason='gunicorn (the [vend] extra) installs on '
                     'Python 3.7+')
def test_gunicorn_itself_accepts_the_settings(monkeypatch, config_path):
    from gunicorn.app.base import BaseApplication
    apps = []
    monkeypatch.setattr(BaseApplication, 'run', lambda self: apps.append(self))
    serve._serve_gunicorn(config_path, load_config(config_path), '::1', 8443,
                          os.path.join(DATA, 'localhost.pem'), os.path.join(DATA, 'localhost.key'),
                          3, 4, None)
    cfg = apps[0].cfg
    assert cfg.bind == ['[::1]:8443'] and (cfg.workers, cfg.threads) == (3, 4)
    assert cfg.worker_class_str == 'gthread' and cfg.proc_name == 'stsboto-vend'
    assert cfg.certfile == os.path.join(DATA, 'localhost.pem') and cfg.is_ssl
    assert cfg.graceful_timeout == 10 and callable(cfg.when_ready)
