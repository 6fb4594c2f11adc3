# -*- coding: utf-8 -*-
"""Tests of stsboto.cli.commands: the one table of commands and the parser built from it."""
from __future__ import absolute_import, division, print_function, unicode_literals

from stsboto.cli import commands


def test_every_command_is_in_the_parser():
    help_text = commands.build_parser().format_help()
    for name in ('issue', 'env', 'put', 'get', 'ls', 'url', 'whoami', 'demo'):
        assert name in help_text


def test_every_command_comes_from_the_one_table():
    parser = commands.build_parser()
    subparsers = [a for a in parser._actions if a.__class__.__name__ == '_SubParsersAction'][0]
    assert sorted(subparsers.choices) == sorted(c.name for c in commands.COMMANDS)
    for command in commands.COMMANDS:
        sub = subparsers.choices[command.name]
        flags = set(flag for action in sub._actions for flag in action.option_strings)
        assert ('--token' in flags) == command.needs_token, command.name
        assert ('--endpoint-url' in flags) == command.remote, command.name
        assert '--debug' in flags, command.name  # demo and server too
        assert sub.get_default('command') is command
    assert set(c.name for c in commands.COMMANDS if c.needs_token) == set(
        ['env', 'put', 'get', 'ls', 'url', 'whoami'])
