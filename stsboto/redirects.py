"""S3 region redirects, followed safely.

Usage::

    from stsboto import redirects, transport
    response = transport.send(conn, request, redirector=redirects.for_connection(conn))

A bucket in another region than the one a request was sent to answers 301
``PermanentRedirect``, 400 ``AuthorizationHeaderMalformed`` (with the
``<Region>`` it expected), 400 ``IllegalLocationConstraintException`` (opt-in
regions), 307 (a young bucket, while DNS catches up), or a bare 301/400 to a
HEAD, mostly with an ``x-amz-bucket-region`` header.  As botocore's
``S3RegionRedirectorv2`` (``botocore/utils.py``), the bucket's region is taken
from that header, else from the error body, else from one HeadBucket, and the
request is sent once more, signed for that region, to that region's S3
endpoint; the bucket's region is remembered for the connection, so its later
requests go there directly.

What stsboto adds, because boto 2 followed any ``Location`` (and signed again
for whatever host it named, sending the session token, and with SigV2 the very
same ``Authorization``, to it):

* ``Location`` is never followed.  The new destination is built from the region:
  one of the S3 endpoints of the partition the connection talks to (the same
  form: ``s3.REGION``, ``s3-fips.REGION``, dual-stack), or, with a custom
  endpoint (moto, MinIO, a test's stand-in), that same endpoint, signed for the
  new region.  The scheme and port stay the connection's: never https to http.
* At most one redirect per request.
* Anything else (a second redirect, no region to be found, a region in another
  partition) raises :class:`stsboto.exceptions.RedirectRefusedError` naming the
  refused location: nothing was sent there.
"""
from __future__ import absolute_import, unicode_literals

import logging
import re
import threading

from stsboto import regions as _regions
from stsboto import transport
from stsboto.exceptions import InvalidParameterError, RedirectRefusedError

__all__ = ['S3Redirector', 'for_connection', 'aws_s3_host']

log = logging.getLogger(__name__)

_TAG = r'<%s>([^<]{1,256})</%s>'
# The AWS S3 endpoint forms a redirect may move between regions (S3 User Guide,
# "Regions and endpoints"): (pattern on the host, format of the host for a region).
_FORMS = (
    (r'^s3(-external-1)?\.amazonaws\.com\Z', None),
    (r'^s3[.-](?P<r>[a-z0-9-]+)\.(?P<s>amazonaws\.com(\.cn)?)\Z', None),
    (r'^s3\.dualstack\.(?P<r>[a-z0-9-]+)\.(?P<s>amazonaws\.com(\.cn)?)\Z', 's3.dualstack.%s.%s'),
    (r'^s3-fips\.(?P<r>[a-z0-9-]+)\.(?P<s>amazonaws\.com)\Z', 's3-fips.%s.%s'),
    (r'^s3-fips\.dualstack\.(?P<r>[a-z0-9-]+)\.(?P<s>amazonaws\.com)\Z', 's3-fips.dualstack.%s.%s'),
)


def aws_s3_host(host):
    """``(region, format)`` when ``host`` is one of AWS's regional S3 endpoints, else None.

    ``format`` is None for the plain forms (:func:`stsboto.regions.s3_host`).
    """
    name = (host or '').split(':')[0].lower()
    for pattern, form in _FORMS:
        match = re.match(pattern, name)
        if match:
            region = match.groupdict().get('r') or 'us-east-1'
            try:
                _regions.validate_region(region)
            except InvalidParameterError:
                return None
            return region, form
    return None


def _s3_server(region, form):
    if form is None:
        return _regions.s3_host(region)
    return form % (region, _regions.dns_suffix(region))


def _tag(body, name):
    if not body:
        return None
    if isinstance(body, bytes):
        body = body.decode('utf-8', 'replace')
    found = re.search(_TAG % (name, name), body)
    return found.group(1).strip() if found else None


def _bucket(request):
    """The bucket a boto S3 request is for (boto's ``auth_path`` is ``/bucket/key``), or None."""
    path = (getattr(request, 'auth_path', None) or '').split('?')[0]
    name = path.lstrip('/').split('/')[0]
    return name or None


def _creates_bucket(request):
    path = (getattr(request, 'auth_path', None) or '')
    return request.method == 'PUT' and '?' not in path and path.strip('/').count('/') == 0


class S3Redirector(object):
    """The redirector of one S3 connection (a ``transport.send`` ``redirector``).

    :ivar regions: ``{bucket: region}`` learned from redirects.
    """

    def __init__(self):
        self.regions = {}
        self._lock = threading.Lock()

    def prepare(self, conn, request):
        """Before a request's first attempt: send it to its bucket's known region."""
        bucket = _bucket(request)
        region = self.regions.get(bucket) if bucket else None
        if region is not None:
            self._point(conn, request, bucket, region)

    def __call__(self, conn, request, response, redirected):
        status = response.status
        if status < 300:
            return False
        head = request.method == 'HEAD'
        body = b'' if head else response.read()  # boto's HTTPResponse keeps it for the caller
        code = _tag(body, 'Code')
        body_region = _tag(body, 'Region')
        header_region = response.getheader('x-amz-bucket-region')
        location = response.getheader('location')
        redirect = status in (301, 302, 307) or code == 'PermanentRedirect' or \
            (code == 'AuthorizationHeaderMalformed' and body_region is not None) or \
            (code == 'IllegalLocationConstraintException' and not _creates_bucket(request)) or \
            (head and status == 400 and header_region is not None)
        if not redirect:
            return False
        shown = location or (_tag(body, 'Endpoint') and 'endpoint ' + _tag(body, 'Endpoint')) or \
            'another region'
        bucket = _bucket(request)
        if bucket is None:
            raise RedirectRefusedError(
                'S3 answered %d (%s) to a request for no bucket; not followed to %s'
                % (status, code or 'redirect', shown), location, status)
        if redirected:
            raise RedirectRefusedError(
                'S3 redirected the request for bucket %s a second time (%d %s, to %s); a request '
                'is redirected at most once' % (bucket, status, code or '', shown), location, status)
        region = header_region or body_region
        if region is None:
            region = self._head_bucket(conn, request, bucket)
        try:
            _regions.validate_region(region or '', 'x-amz-bucket-region')
        except InvalidParameterError:
            raise RedirectRefusedError(
                'S3 answered %d%s for bucket %s without a region stsboto can use; not followed '
                'to %s (only the bucket\'s region\'s S3 endpoint, or the configured endpoint, '
                'gets the request)' % (status, ' ' + code if code else '', bucket, shown),
                location, status)
        self._check_partition(conn, bucket, region, location, status)
        with self._lock:
            self.regions[bucket] = region
        log.info('bucket %s is in %s: request sent again there (configure that region to avoid '
                 'the redirect)', bucket, region)
        self._point(conn, request, bucket, region)
        return True

    def _check_partition(self, conn, bucket, region, location, status):
        known = aws_s3_host(conn.host)
        if known is None:
            return  # a custom endpoint: the request stays on it
        if _regions.partition(known[0]) != _regions.partition(region):
            raise RedirectRefusedError(
                'S3 redirected bucket %s to region %s, outside the partition of %s (%s); not '
                'followed' % (bucket, region, conn.host, _regions.partition(known[0])),
                location or region, status)

    def _point(self, conn, request, bucket, region):
        request.signing_region = region
        known = aws_s3_host(conn.host)
        if known is None:
            return
        new = _s3_server(region, known[1])
        host = request.host.split(':')[0]
        if host.startswith(bucket + '.') and aws_s3_host(host[len(bucket) + 1:]) is not None:
            request.host = '%s.%s' % (bucket, new)  # virtual-hosted style
        else:
            request.host = new

    def _head_bucket(self, conn, request, bucket):
        """One HeadBucket to the endpoint that answered: its ``x-amz-bucket-region``."""
        fmt = conn.calling_format
        head = conn.build_base_http_request(
            'HEAD', fmt.build_path_base(bucket, ''), fmt.build_auth_path(bucket, ''),
            headers={}, host=request.host)
        head.port = request.port
        response = transport.send(conn, head, override_num_retries=0)
        response.read()
        return response.getheader('x-amz-bucket-region')


_lock = threading.Lock()


def for_connection(conn):
    """The :class:`S3Redirector` of an S3 connection (made on first use), or None
    for connections that must not be redirected (other storage providers)."""
    found = getattr(conn, 'stsboto_redirector', None)
    if found is None:
        if getattr(getattr(conn, 'provider', None), 'name', 'aws') != 'aws':
            return None
        with _lock:
            found = conn.__dict__.get('stsboto_redirector')
            if found is None:
                found = conn.stsboto_redirector = S3Redirector()
    return found
