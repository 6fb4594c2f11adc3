"""Unit tests of stsboto.vend.metrics: the Prometheus text, built in or from prometheus_client."""
from __future__ import absolute_import, unicode_literals

import sys

import pytest

from stsboto.vend.metrics import Metrics


def check_metrics_text(metrics):
    metrics.count('issuances', caller='a')
    metrics.count('sts_errors')
    metrics.observe(0.002)
    body, content_type = metrics.render()
    text = body.decode('utf-8')
    assert 'text/plain' in content_type
    assert 'stsboto_vend_issuances_total{caller="a"} 1.0' in text
    assert 'stsboto_vend_sts_errors_total 1.0' in text
    assert 'stsboto_vend_request_seconds_bucket{le="0.0025"} 1.0' in text


def test_builtin_metrics_text():
    metrics = Metrics(use_prometheus_client=False)
    assert metrics.backend == 'builtin'
    check_metrics_text(metrics)


@pytest.mark.applies(sys.version_info >= (3, 7),
                     reason='prometheus_client (tests/requirements.txt) is installed on 3.7+')
def test_prometheus_client_metrics_text():
    metrics = Metrics()
    assert metrics.backend == 'prometheus_client'
    check_metrics_text(metrics)
