"""Packaging for stsboto; metadata lives in setup.cfg, the version in stsboto/__init__.py."""
import io
import os
import re

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))


def read_version():
    with io.open(os.path.join(HERE, 'stsboto', '__init__.py'), encoding='utf-8') as handle:
        match = re.search(r"^__version__ = '([^']+)'", handle.read(), re.M)
    if not match:
        raise RuntimeError('stsboto/__init__.py has no __version__')
    return match.group(1)


setup(version=read_version())
