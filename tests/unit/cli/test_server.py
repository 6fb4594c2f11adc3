# -*- coding: utf-8 -*-
"""Tests of stsboto.cli.server (the server and demo commands) that start nothing."""
from __future__ import absolute_import, division, print_function, unicode_literals

from tests.cli_support import one_line, run


def test_demo_goes_through_the_common_error_mapping(monkeypatch):
    from stsboto import local
    monkeypatch.setattr(local, 'find_server_command', lambda *a, **k: None)
    result = run(['demo', '--debug'])
    assert result.code == 2
    assert one_line(result.err.splitlines()[-1] + '\n').startswith('stsboto: demo: ')
    assert 'moto[s3,sts,iam]' in result.err
    assert 'Traceback' in result.err  # --debug shows it, as for every command


def test_demo_and_server_name_the_option_not_the_parameter(tmpdir):
    for command in ('demo', 'server'):
        result = run([command, '--moto-server', str(tmpdir.join('nonexistent'))])
        assert result.code == 2
        line = one_line(result.err)
        assert "--moto-server names" in line and 'executable names' not in line


def test_server_checks_its_arguments_before_starting_anything(monkeypatch):
    from stsboto import local
    started = []
    monkeypatch.setattr(local, 'find_server_command', lambda *a, **k: started.append(a))
    bad = run(['server', '--bucket', 'Bad_Bucket'])
    assert bad.code == 2 and one_line(bad.err).startswith('stsboto: --bucket "Bad_Bucket" may')
    port = run(['server', '--port', '70000'])
    assert port.code == 2 and '--port must be 1-65535' in one_line(port.err)
    assert started == []
