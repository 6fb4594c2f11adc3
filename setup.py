"""Packaging for stsboto; metadata lives in setup.cfg, the version in stsboto/__init__.py.

Besides the ``stsboto`` package, the distribution installs two things at the
top of site-packages: the module ``_stsboto_startup`` and the file
``stsboto.pth`` whose one line imports it at interpreter start-up (see
``_stsboto_startup``: it registers a lazy finder, so that ``import boto``
works on Python 3.12+ in any import order and ``STSBOTO_PATCH_BOTO=1``
patches boto with no code change).  ``build_py`` writes the ``.pth`` into the
build folder, so wheels (and pip's installs from an sdist, as tox does) carry
it; ``pip install -e`` works too, without the start-up hook (import stsboto
first there).
"""
import io
import os
import re

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
PTH_NAME = 'stsboto.pth'
# site.py runs lines that start with "import"; it must stay one cheap line.
PTH_LINE = u'import _stsboto_startup; _stsboto_startup.install()\n'


def read_version():
    with io.open(os.path.join(HERE, 'stsboto', '__init__.py'), encoding='utf-8') as handle:
        match = re.search(r"^__version__ = '([^']+)'", handle.read(), re.M)
    if not match:
        raise RuntimeError('stsboto/__init__.py has no __version__')
    return match.group(1)


class BuildWithPth(build_py):
    """build_py that also puts ``stsboto.pth`` at the top of the build folder."""

    def run(self):
        build_py.run(self)
        path = os.path.join(self.build_lib, PTH_NAME)
        self.mkpath(self.build_lib)
        with io.open(path, 'w', encoding='ascii') as handle:
            handle.write(PTH_LINE)

    def get_outputs(self, include_bytecode=1):
        return build_py.get_outputs(self, include_bytecode) + [
            os.path.join(self.build_lib, PTH_NAME)]


setup(version=read_version(), py_modules=['_stsboto_startup'], cmdclass={'build_py': BuildWithPth})
