"""Sphinx configuration: the API reference, built from the docstrings (tox -e docs)."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

with open(os.path.join(ROOT, 'stsboto', '__init__.py')) as handle:
    release = re.search(r"^__version__ = '([^']+)'", handle.read(), re.M).group(1)

project = 'stsboto'
author = 'the stsboto authors'
copyright = '2026, the stsboto authors'
version = release
extensions = ['sphinx.ext.autodoc', 'sphinx.ext.viewcode']
autodoc_member_order = 'bysource'
# boto's own members (TokenS3Connection is an S3Connection) are boto's to document
autodoc_default_options = {'members': True, 'show-inheritance': True, 'inherited-members': False}
master_doc = 'index'
exclude_patterns = ['_build', 'BENCHMARKS.rst']
html_theme = 'alabaster'
