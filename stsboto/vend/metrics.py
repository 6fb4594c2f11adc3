"""What ``GET /metrics`` answers, in the Prometheus text format.

Usage::

    metrics = Metrics()
    metrics.count('issuances', caller='mobile-app')
    metrics.observe(0.0004)
    body, content_type = metrics.render()

With ``prometheus_client`` installed (the ``[vend]`` extra, where it installs)
its registry, counters and histogram do the work; without it a small built-in
renderer writes the same metric names in the same text format (version 0.0.4).
Each process keeps its own figures (under gunicorn, one set per worker).
"""
from __future__ import absolute_import, division, unicode_literals

import threading

__all__ = ['Metrics', 'COUNTERS', 'BUCKETS']

#: name -> (help, label names)
COUNTERS = {
    'issuances': ('Credentials issued by STS, per caller', ('caller',)),
    'cache_hits': ('Answers served from cached credentials, per caller', ('caller',)),
    'sts_errors': ('STS calls that failed (throttled, refused, unreachable)', ()),
    'unauthorized': ('Requests refused with 401 (unknown or missing secret)', ()),
}
#: latency histogram buckets, seconds
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_PREFIX = 'stsboto_vend_'
_TEXT_FORMAT = str('text/plain; version=0.0.4; charset=utf-8')


class Metrics(object):
    """Counters and a latency histogram; :meth:`render` gives ``(bytes, content type)``.

    :param bool use_prometheus_client: None (default) uses it when importable.
    """

    def __init__(self, use_prometheus_client=None):
        client = None
        if use_prometheus_client is not False:
            try:
                import prometheus_client as client
            except ImportError:
                if use_prometheus_client:
                    raise
        self.backend = 'prometheus_client' if client is not None else 'builtin'
        self._lock = threading.Lock()
        if client is not None:
            self._client = client
            self._registry = client.CollectorRegistry(auto_describe=True)
            self._counters = dict(
                (name, client.Counter(_PREFIX + name, text, list(labels), registry=self._registry))
                for name, (text, labels) in COUNTERS.items())
            self._histogram = client.Histogram(_PREFIX + 'request_seconds',
                                               'Time to answer a credentials request',
                                               buckets=BUCKETS, registry=self._registry)
        else:
            self._client = None
            self._values = dict((name, {}) for name in COUNTERS)
            self._buckets = [0] * (len(BUCKETS) + 1)
            self._sum = 0.0
            self._count = 0

    def count(self, name, amount=1, **labels):
        if self._client is not None:
            counter = self._counters[name]
            (counter.labels(**labels) if labels else counter).inc(amount)
            return
        key = tuple(sorted(labels.items()))
        with self._lock:
            values = self._values[name]
            values[key] = values.get(key, 0) + amount

    def observe(self, seconds):
        if self._client is not None:
            self._histogram.observe(seconds)
            return
        with self._lock:
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    self._buckets[i] += 1
                    break
            else:
                self._buckets[-1] += 1
            self._sum += seconds
            self._count += 1

    def render(self):
        """``(body bytes, Content-Type)`` in the Prometheus text format."""
        if self._client is not None:
            return self._client.generate_latest(self._registry), self._client.CONTENT_TYPE_LATEST
        lines = []
        with self._lock:
            for name in sorted(COUNTERS):
                text, _ = COUNTERS[name]
                full = _PREFIX + name + '_total'
                lines.append('# HELP %s %s' % (full, text))
                lines.append('# TYPE %s counter' % full)
                for key, value in sorted(self._values[name].items()):
                    labels = ','.join('%s="%s"' % (k, _escape(v)) for k, v in key)
                    lines.append('%s%s %s' % (full, '{%s}' % labels if labels else '',
                                              float(value)))
            full = _PREFIX + 'request_seconds'
            lines.append('# HELP %s Time to answer a credentials request' % full)
            lines.append('# TYPE %s histogram' % full)
            running = 0
            for bound, value in zip(list(BUCKETS) + ['+Inf'], self._buckets):
                running += value
                lines.append('%s_bucket{le="%s"} %s' % (full, bound, float(running)))
            lines.append('%s_count %s' % (full, float(self._count)))
            lines.append('%s_sum %r' % (full, self._sum))
        return ('\n'.join(lines) + '\n').encode('utf-8'), _TEXT_FORMAT


def _escape(value):
    return ('%s' % value).replace('\\', '\\\\').replace('\n', '\\n').replace('"', '\\"')
