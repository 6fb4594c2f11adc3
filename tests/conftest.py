"""Every test starts from a machine with no AWS configuration at all.

No credential, profile, endpoint, region or boto setting of the developer's
machine (or of CI) reaches a test: ``AWS_*`` and ``BOTO_*`` variables are
removed, ``HOME`` is an empty folder, and the EC2 instance metadata service
is switched off (``AWS_EC2_METADATA_DISABLED``) so that nothing ever probes
169.254.169.254.  Tests that need any of these set them themselves, pointing
at loopback emulators only.  ``STSBOTO_*`` variables the test runner sets
(``STSBOTO_MOTO_SERVER``) are kept.
"""
from __future__ import absolute_import, unicode_literals

import os
import signal

import pytest


def pytest_configure(config):
    """The signal handlers the tests rely on, whatever the shell that started the run left.

    A job started in the background by a non-interactive shell (``nohup sh
    tests/run-all.sh &``, CI without a terminal) inherits SIGINT *ignored*, and
    Python then never installs its ``KeyboardInterrupt`` handler: the Ctrl-C
    tests of stsboto.transfer would test nothing.  Children of the tests get
    the same treatment from :mod:`tests.processes`.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmpdir_factory):
    # not inside tmpdir: tests list their tmpdir and expect only their own files
    home = tmpdir_factory.mktemp('home')
    for name in list(os.environ):
        if name.startswith(('AWS_', 'BOTO_')) or name in ('S3_USE_SIGV4',):
            monkeypatch.delenv(name)
    monkeypatch.setenv(str('HOME'), str(home))
    monkeypatch.setenv(str('AWS_EC2_METADATA_DISABLED'), str('true'))
    return home


@pytest.fixture(autouse=True)
def forget_remembered_secrets():
    """Each test starts with an empty stsboto.logfilter registry (see remember())."""
    yield
    from stsboto import logfilter
    logfilter._forget_all()


@pytest.fixture(autouse=True)
def metadata_requests_stay_on_loopback(monkeypatch):
    """A safety net under AWS_EC2_METADATA_DISABLED: the credential chain's metadata
    client (IMDS, container credentials) never leaves 127.0.0.1, even in a test
    whose own fixture clears AWS_* or passes an environ of its own.  A request to any
    other host is answered "no connection" and recorded in ``blocked``."""
    from six.moves.urllib.parse import urlsplit

    from stsboto.credentials import http

    blocked = []
    real_request = http.request

    def guarded_request(method, url, *args, **kwargs):
        if urlsplit(url).hostname not in ('127.0.0.1', 'localhost', '::1'):
            blocked.append((method, url))
            raise http.MetadataUnreachable('tests/conftest.py: only loopback hosts in tests')
        return real_request(method, url, *args, **kwargs)

    monkeypatch.setattr(http, 'request', guarded_request)
    return blocked


@pytest.fixture(autouse=True)
def boto_metadata_stays_on_loopback(monkeypatch):
    """boto 2's own IMDSv1 client (``boto.utils.retry_url``, used by its Provider
    when it finds no keys) ignores AWS_EC2_METADATA_DISABLED: in tests it may only
    reach 127.0.0.1; any other URL is refused at once and recorded in ``blocked``."""
    from six.moves.urllib.parse import urlsplit

    import stsboto  # noqa: F401  (makes boto importable on 3.12+)
    import boto.utils

    blocked = []
    real_retry_url = boto.utils.retry_url

    def guarded_retry_url(url, *args, **kwargs):
        if urlsplit(url).hostname not in ('127.0.0.1', 'localhost', '::1'):
            blocked.append(url)
            return ''  # what boto's retry_url returns when every attempt failed
        return real_retry_url(url, *args, **kwargs)

    monkeypatch.setattr(boto.utils, 'retry_url', guarded_retry_url)
    return blocked


@pytest.fixture
def patched():
    """boto patched for this test only (stsboto.patch_boto), whatever the tests before it did."""
    import stsboto
    stsboto.unpatch_boto()
    stsboto.patch_boto()
    yield
    stsboto.unpatch_boto()


@pytest.fixture
def boto_config():
    """``boto_config(option, value)`` sets an option of boto's ``[Boto]`` section for this test."""
    import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
    import boto
    set_ = []

    def setter(option, value):
        if not boto.config.has_section('Boto'):
            boto.config.add_section('Boto')
        boto.config.set('Boto', option, value)
        set_.append(option)
    yield setter
    for option in set_:
        boto.config.remove_option('Boto', option)


@pytest.fixture
def boto_log():
    """The 'boto' logger at DEBUG, captured (a tests.factories.ListHandler); every
    change undone afterwards."""
    import logging
    from tests.factories import ListHandler
    logger = logging.getLogger('boto')
    handler = ListHandler()
    saved = (logger.level, list(logger.filters))
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.filters[:] = saved[1]


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.applies(condition, reason=...)``: a test that does not apply
    to this Python (a feature of 3.12+, a reference client that exists on Python 3
    only) is deselected, not skipped, and the run says how many were left out and
    why.  Every test that is collected runs: the matrix has no skips."""
    keep, dropped = [], []
    for item in items:
        marker = item.get_closest_marker('applies')
        if marker is not None and not marker.args[0]:
            dropped.append((item, marker.kwargs.get('reason', '')))
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=[item for item, _ in dropped])
        items[:] = keep
        reasons = sorted(set(reason for _, reason in dropped))
        config._stsboto_not_applicable = (len(dropped), reasons)


def pytest_terminal_summary(terminalreporter):
    dropped = getattr(terminalreporter.config, '_stsboto_not_applicable', None)
    if dropped:
        count, reasons = dropped
        terminalreporter.write_line('%d tests do not apply to this Python and were deselected: %s'
                                    % (count, '; '.join(reasons)))
