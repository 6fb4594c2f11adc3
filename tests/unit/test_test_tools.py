"""The test runner's own helpers: tests/chroot.py (py314/py315) and tests/summary.py.

tests/chroot.py runs with the tools' Python 3 only, so these tests apply to Python 3.
"""
from __future__ import absolute_import, unicode_literals

import sys

import pytest

pytestmark = pytest.mark.applies(sys.version_info[0] >= 3, reason='tests/chroot.py runs on Python 3 only')


@pytest.fixture
def chroot():
    from tests import chroot
    return chroot


@pytest.fixture
def apt(tmpdir):
    tmpdir.join('sources.list.d').ensure(dir=True)
    return tmpdir


def test_mirror_from_deb822_sources_skips_security_and_disabled(chroot, apt):
    apt.join('sources.list.d', 'a.sources').write(
        'Types: deb\nURIs: http://deb.example.org/debian-security\nSuites: bookworm-security\n\n'
        'Types: deb\nURIs: http://off.example.org/debian\nSuites: bookworm\nEnabled: no\n\n'
        'Types: deb\nURIs: http://mirror.example.org/debian\nSuites: bookworm bookworm-updates\n')
    assert chroot.debian_mirror({}, str(apt)) == 'http://mirror.example.org/debian'


def test_mirror_from_one_line_sources_with_options(chroot, apt):
    apt.join('sources.list').write('# comment\ndeb-src http://src.example.org/debian sid main\n'
                                   'deb [arch=amd64 signed-by=/k.gpg] http://one.example.org/debian/ '
                                   'bookworm main\n')
    assert chroot.debian_mirror({}, str(apt)) == 'http://one.example.org/debian/'


def test_mirror_from_the_variable_first_and_a_clear_failure_without_any(chroot, apt):
    assert chroot.debian_mirror({'STSBOTO_DEBIAN_MIRROR': 'http://m/debian'}, str(apt)) == 'http://m/debian'
    with pytest.raises(chroot.Failure) as info:
        chroot.debian_mirror({}, str(apt))
    assert 'STSBOTO_DEBIAN_MIRROR' in str(info.value)


def test_local_pip_folders_are_found_with_an_index_parent(chroot, tmpdir, monkeypatch):
    wheels = tmpdir.join('wheels').ensure(dir=True)
    index = tmpdir.join('pypi', 'simple').ensure(dir=True)
    conf = tmpdir.join('pip.conf')
    conf.write('[global]\nextra-index-url = file://%s https://pypi.example.org/simple\n' % index)
    monkeypatch.setattr(chroot, 'HOST_FILES', (str(conf),))
    found = chroot.local_package_sources({'PIP_FIND_LINKS': str(wheels) + ' /no/such/folder'})
    assert found == [str(wheels), str(tmpdir.join('pypi'))]


def test_summary_lists_an_expected_env_without_a_report_and_fails(tmpdir, capsys):
    from tests import summary
    tmpdir.join('py313', 'junit.xml').write(
        '<testsuites><testsuite tests="3" failures="1" errors="0" skipped="0"/></testsuites>', ensure=True)
    assert summary.main(str(tmpdir)) == 0
    assert summary.main(str(tmpdir), ['py313', 'py315']) == 1
    out = capsys.readouterr().out.splitlines()
    assert 'py313: 2 passed, 1 failed, 0 skipped' in out
    assert 'py315: no test report (its tests did not run)' in out
    assert out[-1] == 'total: 2 passed, 1 failed, 0 skipped'
