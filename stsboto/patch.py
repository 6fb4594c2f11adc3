"""Fix boto 2 in place, so that unchanged programs work with temporary credentials.

Usage::

    import stsboto
    stsboto.patch_boto()      # boto.connect_s3(), S3Connection(), boto.sqs.connect_to_region() ...
    stsboto.unpatch_boto()    # boto's own behaviour again

or, with no code change at all, ``STSBOTO_PATCH_BOTO=1`` in the environment
(the ``stsboto.pth`` file stsboto installs applies the patch when the program
first imports boto).

Every change is a row of :data:`TABLE`: where, which attribute, why (the boto
issue or the AWS rule it follows).  :func:`patch_boto` records the original of
each attribute it replaces and :func:`unpatch_boto` puts every one back, in
reverse order.  The rows marked "each service module" are applied to every
boto service module (``boto.sqs``, ``boto.ec2.elb``, ...) when it is imported,
or at once if it already is: importing all of boto's 45 service modules
eagerly would cost about half a second.

The Python 3.12+ import fixes of ``stsboto._boto`` are not part of the patch:
they stay after :func:`unpatch_boto`.
"""
from __future__ import absolute_import

import collections
import io
import os
import sys
import threading
import warnings

import six
from six.moves.urllib.parse import quote_plus

import _stsboto_startup as _startup  # the start-up hook's module: the variable and its rule
from stsboto import regions as _regions
from stsboto import _boto
from stsboto._boto import boto
from stsboto.config import Settings, is_true
from stsboto.exceptions import InvalidParameterError, MissingCredentialsError

import boto.auth  # noqa: E402  (stsboto._boto made boto importable)
import boto.connection  # noqa: E402
import boto.provider  # noqa: E402
import boto.regioninfo  # noqa: E402
import boto.utils  # noqa: E402

__all__ = ['patch_boto', 'unpatch_boto', 'is_patched', 'TABLE', 'SERVICE_MODULES', 'ENV_VAR']

#: The environment variable that applies the patch at start-up (see ``_stsboto_startup``).
ENV_VAR = _startup.ENV_VAR

#: One row of :data:`TABLE`.  ``where``: ``module:Class`` (or ``module``), or
#: :data:`EACH_MODULE` / :data:`EACH_CLASS` for every boto service module (its
#: ``connect_to_region``) and its connection class; ``make`` builds the
#: replacement from the original (and, per service, from what is known of the
#: service); ``reason``: the boto issue or AWS rule the row follows.
Row = collections.namedtuple('Row', 'where attribute make reason')
EACH_MODULE = 'each service module'
EACH_CLASS = "each service module's connection class"

#: boto service module -> boto service name (the key of boto's endpoints.json).
SERVICE_MODULES = collections.OrderedDict([
    ('boto.awslambda', 'awslambda'), ('boto.beanstalk', 'elasticbeanstalk'),
    ('boto.cloudformation', 'cloudformation'), ('boto.cloudhsm', 'cloudhsm'),
    ('boto.cloudsearch', 'cloudsearch'), ('boto.cloudsearch2', 'cloudsearch'),
    ('boto.cloudsearchdomain', 'cloudsearchdomain'), ('boto.cloudtrail', 'cloudtrail'),
    ('boto.codedeploy', 'codedeploy'), ('boto.cognito.identity', 'cognito-identity'),
    ('boto.cognito.sync', 'cognito-sync'), ('boto.configservice', 'configservice'),
    ('boto.datapipeline', 'datapipeline'), ('boto.directconnect', 'directconnect'),
    ('boto.dynamodb', 'dynamodb'), ('boto.dynamodb2', 'dynamodb'), ('boto.ec2', 'ec2'),
    ('boto.ec2.autoscale', 'autoscaling'), ('boto.ec2.cloudwatch', 'cloudwatch'),
    ('boto.ec2.elb', 'elasticloadbalancing'), ('boto.ec2containerservice', 'ec2containerservice'),
    ('boto.elasticache', 'elasticache'), ('boto.elastictranscoder', 'elastictranscoder'),
    ('boto.emr', 'elasticmapreduce'), ('boto.glacier', 'glacier'), ('boto.iam', 'iam'),
    ('boto.kinesis', 'kinesis'), ('boto.kms', 'kms'), ('boto.logs', 'logs'),
    ('boto.machinelearning', 'machinelearning'), ('boto.opsworks', 'opsworks'),
    ('boto.rds', 'rds'), ('boto.rds2', 'rds'), ('boto.redshift', 'redshift'),
    ('boto.route53', 'route53'), ('boto.route53.domains', 'route53domains'), ('boto.s3', 's3'),
    ('boto.sdb', 'sdb'), ('boto.ses', 'ses'), ('boto.sns', 'sns'), ('boto.sqs', 'sqs'),
    ('boto.sts', 'sts'), ('boto.support', 'support'), ('boto.swf', 'swf'), ('boto.vpc', 'ec2'),
])

_MISSING = object()
_lock = threading.RLock()
_applied = []         # (target, attribute, original or _MISSING), in the order applied
_state = {'on': False, 'hook': None, 'filter': None}
# A deprecation boto triggers, not the caller: exactly this message, from boto's modules.
_UTC_MESSAGE = r'datetime\.datetime\.utc(now|fromtimestamp)\(\) is deprecated'
_BOTO_MODULES = r'boto(\..*)?\Z'


def is_patched():
    """True between :func:`patch_boto` and :func:`unpatch_boto`."""
    return _state['on']


def patch_boto():
    """Apply every row of :data:`TABLE` to boto; calling it again changes nothing.

    Usage: ``stsboto.patch_boto()`` (or ``STSBOTO_PATCH_BOTO=1`` in the environment)

    :returns: True if this call applied the patch, False if it was already applied.
    """
    with _lock:
        if _state['on']:
            return False
        import boto.s3.connection  # noqa: F401  (stsboto imports it anyway)
        for row in TABLE:
            module = row.where.split(':')[0]
            if row.where not in (EACH_MODULE, EACH_CLASS) and module not in SERVICE_MODULES:
                _apply(row, _target(row.where))
        for name in SERVICE_MODULES:
            if name in sys.modules:
                _patch_service_module(sys.modules[name])
        hook = _ServiceModuleHook()
        sys.meta_path.insert(0, hook)
        _state['hook'] = hook
        _state['on'] = True
        return True


def unpatch_boto():
    """Undo :func:`patch_boto`: every attribute it replaced gets its original back.

    Usage: ``stsboto.unpatch_boto()``

    Connections made while the patch was on keep what they were given (their
    region, their signer, their token source).  The Python 3.12+ import fixes
    stay.

    :returns: True if the patch was on, False otherwise.
    """
    with _lock:
        if not _state['on']:
            return False
        hook = _state['hook']
        if hook in sys.meta_path:
            sys.meta_path.remove(hook)
        if _state['filter'] in warnings.filters:
            warnings.filters.remove(_state['filter'])
            mutated = getattr(warnings, '_filters_mutated', None)  # Python 3: drop its cache
            if mutated is not None:
                mutated()
        while _applied:
            target, attribute, original = _applied.pop()
            if original is _MISSING:
                delattr(target, attribute)
            else:
                setattr(target, attribute, original)
        _state.update(on=False, hook=None, filter=None)
        return True


def apply_from_environment(environ=None):
    """Patch when ``STSBOTO_PATCH_BOTO`` is 1/true/yes/on; what ``import stsboto`` calls."""
    if _startup.wanted(os.environ if environ is None else environ):
        return patch_boto()
    return False


def _replace(target, attribute, replacement):
    original = target.__dict__.get(attribute, _MISSING) if isinstance(target, type) else \
        getattr(target, attribute, _MISSING)
    if isinstance(target, type) and isinstance(original, (staticmethod, classmethod)):
        raise TypeError('cannot patch %s.%s' % (target.__name__, attribute))
    _applied.append((target, attribute, original))
    setattr(target, attribute, replacement)


def _target(where):
    module, _, name = where.partition(':')
    target = sys.modules[module]
    for part in filter(None, name.split('.')):
        target = getattr(target, part)
    return target


def _apply(row, target, *context):
    """Apply one row of TABLE to ``target`` (per-service rows get the service)."""
    if row.make is None:  # the warnings filter: an entry added, removed on unpatch
        warnings.filterwarnings('ignore', message=_UTC_MESSAGE, category=DeprecationWarning,
                                module=_BOTO_MODULES)
        _state['filter'] = warnings.filters[0]
        return
    original = target.__dict__[row.attribute] if isinstance(target, type) else \
        getattr(target, row.attribute)
    _replace(target, row.attribute, row.make(*(context + (original,))))


def _mark(wrapper, original):
    wrapper._stsboto_original = original
    wrapper.__name__ = getattr(original, '__name__', wrapper.__name__)
    wrapper.__doc__ = getattr(original, '__doc__', None)
    return wrapper


# -- credentials -----------------------------------------------------------------

def _find_source(profile_name):
    """What the AWS SDK chain finds (or None): a Token, or a RefreshableToken.

    An explicit ``profile_name`` goes through the whole chain too; a profile
    stsboto does not find is left to boto (its config's ``[profile NAME]``
    sections).
    """
    from stsboto import credentials
    if profile_name is None:
        return credentials.find_token()
    try:
        return credentials.find_token(profile=profile_name)
    except MissingCredentialsError:
        return None


def _wrap_get_credentials(original):
    def get_credentials(self, access_key=None, secret_key=None, security_token=None,
                        profile_name=None):
        if self.name == 'aws' and access_key is None and secret_key is None and \
                security_token is None:
            source = _find_source(profile_name)
            if source is not None:
                token = source.get() if callable(getattr(source, 'get', None)) else source
                self.access_key = token.access_key
                self.secret_key = token.secret_key
                self.security_token = token.session_token
                convert = getattr(self, '_convert_key_to_str', None)
                if convert is not None:  # boto keeps the secret a native str
                    self._secret_key = convert(self._secret_key)
                self._stsboto_source = source
                return None
        self._stsboto_source = None
        if self.name == 'aws' and os.environ.get('AWS_EC2_METADATA_DISABLED', '').strip().lower() == \
                'true':
            # The AWS SDKs' switch for the instance metadata service; boto
            # would ask 169.254.169.254 (IMDSv1) whenever keys are missing.
            self.MetadataServiceSupport = dict(type(self).MetadataServiceSupport, aws=False)
        return original(self, access_key, secret_key, security_token, profile_name)
    return _mark(get_credentials, original)


def _stsboto_made(conn):
    """True for connections of stsboto's own classes, which set up their credentials,
    endpoint and signer themselves."""
    return any(klass.__module__.split('.')[0] == 'stsboto' for klass in type(conn).__mro__)


def _wrap_connection_init(original):
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        # Taken off the provider (which boto's keys, buckets and connections
        # pickle with it): the source may hold locks and callables.
        source = getattr(self, 'provider', None).__dict__.pop('_stsboto_source', None) \
            if hasattr(getattr(self, 'provider', None), '__dict__') else None
        if source is not None and not _stsboto_made(self):
            from stsboto import signing
            signing.attach_token_source(self, source)
    return _mark(__init__, original)


def _wrap_query_request(original):
    def make_request(self, action, params=None, path='/', verb='GET'):
        # The AWS query protocol takes the parameters as a form body; every
        # current SDK sends POST (boto's GET puts them in the URL, and moto 5
        # does not parse SQS calls sent that way).
        return original(self, action, params, path, 'POST' if verb == 'GET' else verb)
    return _mark(make_request, original)


def _wrap_query_string(original):
    def query_string(self, http_request):
        if http_request.method != 'POST' or isinstance(self, boto.auth.S3HmacAuthV4Handler):
            return original(self, http_request)
        # The body of a query-protocol POST is an HTML form
        # (application/x-www-form-urlencoded): botocore writes it with
        # urlencode, a space as "+"; boto writes "%20".
        pairs = []
        for name in sorted(http_request.params):
            value = boto.utils.get_utf8_value(http_request.params[name])
            pairs.append('%s=%s' % (quote_plus(_utf8(name), safe=''), quote_plus(value, safe='-_~')))
        return '&'.join(pairs)
    return _mark(query_string, original)


def _wrap_canonical_headers(original):
    def canonical_headers(self, headers_to_sign):
        from stsboto import signing
        return signing.canonical_headers(headers_to_sign)
    return _mark(canonical_headers, original)


def _wrap_build_host(original):
    def build_host(self, server, bucket):
        from stsboto import s3 as _s3
        found = _s3.access_point_host(bucket)
        return found[0] if found is not None else original(self, server, bucket)
    return _mark(build_host, original)


def _wrap_build_path(original):
    def build_path(self, bucket, key=''):
        from stsboto import s3 as _s3
        if _s3.access_point_host(bucket) is not None:
            return _s3.access_point_path(bucket, key)
        return original(self, bucket, key)
    return _mark(build_path, original)


def _with_app_id(original):
    from stsboto import signing
    return signing.user_agent(base=original) or original


# Positions of set_contents_from_file's parameters after fp (boto/s3/key.py).
_REWIND_AT, _SIZE_AT = 10, 9


def _wrap_set_contents_from_file(original):
    def set_contents_from_file(self, fp, *args, **kwargs):
        return original(self, _text_as_bytes(fp, args, kwargs), *args, **kwargs)
    return _mark(set_contents_from_file, original)


def _text_as_bytes(fp, args, kwargs):
    """An in-memory text stream (``io.StringIO``: ``tell()`` counts characters)
    as the UTF-8 bytes boto can size and hash (boto issue 2868); anything
    else as it is.  A real text file is left alone: its ``tell()`` is a byte
    offset and boto uploads it right."""
    if not isinstance(fp, io.TextIOBase):
        return fp
    try:
        fp.fileno()
        return fp
    except (AttributeError, IOError, OSError, ValueError):
        pass
    from stsboto._textio import EncodingReader
    rewind = kwargs.get('rewind', args[_REWIND_AT] if len(args) > _REWIND_AT else False)
    if rewind:
        fp.seek(0)
    reader, chunks = EncodingReader(fp, 'utf-8'), []
    while True:
        chunk = reader.read(1024 * 1024)
        if not chunk:
            break
        chunks.append(chunk)
    return io.BytesIO(b''.join(chunks))


def _utf8(text):
    return text.encode('utf-8') if isinstance(text, six.text_type) else text


# -- regions and endpoints ----------------------------------------------------------

def _boto_own_region(service, region):
    """True when ``region`` is boto's own RegionInfo for its name (from boto's
    endpoints.json, e.g. ``boto.ec2.regions()`` or ``boto.ec2.get_region``):
    passing it is choosing a region, not an endpoint, so the configured
    endpoint (AWS_ENDPOINT_URL_EC2, a profile's ``endpoint_url``) and FIPS or
    dual-stack settings still apply (boto's ``list_instances`` script connects
    that way).  Any other endpoint the program wrote wins."""
    name = getattr(region, 'name', None)
    endpoint = getattr(region, 'endpoint', None)
    if not name or not endpoint:
        return False
    try:
        listed = service.module.regions()
    except Exception:  # noqa: BLE001  boto.dynamodb does not import on 3.10+
        return False
    return any(known.name == name and known.endpoint == endpoint for known in listed)


def _configured_host(service, region_name, settings, chosen=True):
    """The host the configuration asks for in ``region_name`` (FIPS, dual-stack,
    S3's us-east-1 choice, STS regional or global), or None when boto's or
    stsboto's usual host will do.  ``chosen``: the region was chosen (by the
    program or the configuration), not boto's default."""
    fips, dualstack = _regions.endpoint_variant(settings, service.name)
    if service.name == 's3':
        host = _regions.s3_regional_host(region_name, settings, fips, dualstack)
        return None if host == _regions.s3_host(region_name) else host
    if fips or dualstack:
        return _regions.variant_host(service.name, region_name, fips, dualstack)
    if service.name == 'sts' and chosen:
        # AWS_STS_REGIONAL_ENDPOINTS / sts_regional_endpoints (botocore's default:
        # regional); boto's endpoints.json has the global host for every region.
        return _regions.sts_host(region_name, _regions.sts_regional(region_name, settings))
    return None


class _Service(object):
    """What the patch knows about one boto service module."""

    def __init__(self, module, name):
        self.module = module
        self.name = name
        self._sample = None

    def _first_region(self):
        # Asked when first needed: during the import of some service packages
        # (boto.swf) regions() cannot run yet.
        if self._sample is None:
            try:
                listed = self.module.regions()
            except Exception:  # noqa: BLE001  boto.dynamodb does not import on 3.10+
                return boto.regioninfo.RegionInfo()
            if not listed:
                return boto.regioninfo.RegionInfo()
            self._sample = listed[0]
        return self._sample

    @property
    def region_cls(self):
        return type(self._first_region())

    @property
    def connection_cls(self):
        return self._first_region().connection_cls

    def region(self, region_name, host=None):
        """A RegionInfo of boto's class for this service: boto's own host when boto
        knows the region, else the partition-correct host."""
        if host is None:
            for known in self.module.regions():
                if known.name == region_name:
                    return known
            host = _regions.service_endpoint(self.name, region_name)[0]
        return self.region_cls(name=region_name, endpoint=host, connection_cls=self.connection_cls)


def _sign_for(conn, service, region_name):
    """Point the connection's SigV4 signer at the region and service it talks to."""
    if service == 's3':
        from stsboto import signing
        signing.fix_s3_connection(conn, region_name)
        return
    if not hasattr(conn, '_auth_handler') and hasattr(conn, 'layer1'):
        conn = conn.layer1  # boto.glacier's Layer2 wraps the connection
    handler = getattr(conn, '_auth_handler', None)
    if not isinstance(handler, boto.auth.HmacAuthV4Handler):
        return
    if region_name is None:
        region_name = getattr(getattr(conn, 'region', None), 'name', None)
    try:
        signing_region = _regions.service_endpoint(service, region_name)[1]
    except InvalidParameterError:  # a RegionInfo named 'custom' or the like
        signing_region = None
    if signing_region is not None:
        conn.auth_region_name = signing_region
    conn.auth_service_name = _regions.signing_name(service)


def _wrap_connect_to_region(service, original):
    def connect_to_region(region_name, **kw_params):
        region = kw_params.get('region')
        custom = (region is not None and not _boto_own_region(service, region)) or \
            kw_params.get('host') not in (None, '')
        settings = Settings()
        endpoint = None if custom else _regions.configured_endpoint(service.name, settings)
        if endpoint is not None:
            conn = _connect_to_endpoint(service, region_name, endpoint, kw_params)
        else:
            host = None
            if not custom and _is_region(region_name):
                host = _configured_host(service, region_name, settings)
            if host is not None:
                kw_params = dict(kw_params)
                kw_params.pop('region', None)
                conn = service.region(region_name, host=host).connect(**kw_params)
            else:
                conn = original(region_name, **kw_params)
                if conn is None and _is_region(region_name):
                    conn = service.region(region_name).connect(**kw_params)
        if conn is not None:
            _sign_for(conn, service.name, region_name if _is_region(region_name) else None)
        return conn
    return _mark(connect_to_region, original)


def _is_region(name):
    try:
        _regions.validate_region(name)
    except InvalidParameterError:
        return False
    return True


def _connect_to_endpoint(service, region_name, endpoint, kw_params):
    kw_params = dict(kw_params)
    kw_params.pop('region', None)  # boto's own RegionInfo: the endpoint replaces it
    if endpoint.port:
        kw_params.setdefault('port', endpoint.port)
    kw_params.setdefault('is_secure', endpoint.is_secure)
    if service.name == 's3':
        import boto.s3.connection
        kw_params.setdefault('calling_format', boto.s3.connection.OrdinaryCallingFormat())
    return service.region(region_name, host=endpoint.host).connect(**kw_params)


def _given(function, args, kwargs):
    """The names of ``function``'s parameters the call passed (positionally or by name)."""
    code = function.__code__
    names = code.co_varnames[1:code.co_argcount]
    return set(names[:len(args)]) | set(kwargs), set(names)


def _wrap_class_init(service, cls, original):
    def __init__(self, *args, **kwargs):
        own = _stsboto_made(self)  # stsboto's own connections (TokenS3Connection) choose themselves
        region_name = None if own else _defaults_from_environment(service, cls, original, args, kwargs)
        original(self, *args, **kwargs)
        if not own:
            _sign_for(self, service.name, region_name)
    return _mark(__init__, original)


def _defaults_from_environment(service, cls, original, args, kwargs):
    """Fill ``kwargs`` from the configuration (:mod:`stsboto.config`: the
    endpoint, the region, FIPS / dual-stack, S3's addressing) where boto
    would pick its default (us-east-1); returns the region to sign for, or None."""
    given, names = _given(original, args, kwargs)
    boto_region = None
    if 'region' in names:
        if 'region' in given - set(kwargs):
            return None
        if kwargs.get('region') is not None:
            if not _boto_own_region(service, kwargs['region']):
                return None
            boto_region = kwargs['region']
        chosen = 'region'
    elif 'host' in names:
        import boto.s3.connection
        host = kwargs.get('host', boto.s3.connection.NoHostProvided)
        if 'host' in given - set(kwargs) or host not in (None, '', boto.s3.connection.NoHostProvided):
            return None
        if service.name == 's3' and boto.config.get('s3', 'host'):
            return None  # the boto config's [s3] host is the program's choice
        chosen = 'host'
    else:
        return None
    settings = Settings()
    endpoint = _regions.configured_endpoint(service.name, settings)
    if boto_region is not None:
        region_name = boto_region.name
    else:
        region_name = _regions.configured_region(service.name, settings=settings)
    name = region_name or getattr(cls, 'DefaultRegionName', None) or 'us-east-1'
    if endpoint is not None:
        if endpoint.port and 'port' not in given:
            kwargs['port'] = endpoint.port
        if 'is_secure' not in given:
            kwargs['is_secure'] = endpoint.is_secure
        host = endpoint.host
        if service.name == 's3' and 'calling_format' not in given:
            kwargs['calling_format'] = _s3_calling_format(settings, 'path')  # one host name
    else:
        host = _configured_host(service, name, settings, region_name is not None) \
            if _is_region(name) else None
        if service.name == 's3':
            if 'calling_format' not in given and not boto.config.get('s3', 'calling_format'):
                # botocore's addressing (s3.addressing_style, default auto: path
                # style for names that cannot be a host label, such as dotted
                # ones, which break TLS as sub-domains); accelerate: virtual.
                accelerate = is_true(settings.s3('use_accelerate_endpoint')[0])
                if accelerate:
                    fips, dualstack = _regions.endpoint_variant(settings, 's3')
                    host = _regions.s3_accelerate_host(name, dualstack, fips)
                kwargs['calling_format'] = _s3_calling_format(
                    settings, 'auto', 'virtual' if accelerate else None)
        elif host is None and region_name is None:
            return None
        if boto_region is not None and host is None:
            return None
    if chosen == 'host':
        kwargs['host'] = host or _regions.service_endpoint(service.name, name)[0]
    else:
        kwargs['region'] = service.region(name, host)
        kwargs['region'].connection_cls = cls
    return name


def _s3_calling_format(settings, fallback, forced=None):
    """boto's calling format for ``forced``, else the profile's
    ``s3.addressing_style`` (``auto``, ``virtual``, ``path``; botocore's
    names), else ``fallback``."""
    from stsboto import s3 as _s3
    style = (forced or settings.s3('addressing_style')[0] or fallback).strip().lower()
    if style not in _s3.ADDRESSING:
        raise InvalidParameterError('s3.addressing_style must be auto, virtual or path, not %r'
                                    % style[:20], 'addressing_style')
    return _s3.ADDRESSING[style]()


def _always_sigv4(original):
    def _required_auth_capability(self):
        return ['hmac-v4']
    return _mark(_required_auth_capability, original)


def _patch_service_module(module):
    """Apply the per-service rows of TABLE to one boto service module (and its class)."""
    name = module.__name__
    current = getattr(module, 'connect_to_region', None)
    if name not in SERVICE_MODULES or current is None or hasattr(current, '_stsboto_original'):
        return
    service = _Service(module, SERVICE_MODULES[name])
    cls = service.connection_cls
    own_init = isinstance(cls, type) and issubclass(cls, boto.connection.AWSAuthConnection) and \
        '__init__' in cls.__dict__ and not hasattr(cls.__dict__['__init__'], '_stsboto_original')
    for row in TABLE:
        if row.where == EACH_MODULE:
            _apply(row, module, service)
        elif row.where == EACH_CLASS and own_init:
            _apply(row, cls, service, cls)
        elif row.where.split(':')[0] == name:
            _apply(row, _target(row.where))


def _wrap_generate_url(original):
    def generate_url(self, expires_in, method, bucket='', key='', headers=None, query_auth=True,
                     force_http=False, response_headers=None, expires_in_absolute=False,
                     version_id=None):
        from stsboto import signing
        return signing.generate_url(self, expires_in, method, bucket, key, headers, query_auth,
                                    force_http, response_headers, expires_in_absolute, version_id)
    return _mark(generate_url, original)


def _wrap_mexe(original):
    def _mexe(self, request, sender=None, override_num_retries=None, retry_handler=None):
        from stsboto import redirects, transport
        import boto.s3.connection
        redirector = None
        if isinstance(self, boto.s3.connection.S3Connection):
            redirector = redirects.for_connection(self)
        return transport.send(self, request, sender, override_num_retries, retry_handler,
                              redirector=redirector)
    return _mark(_mexe, original)


def _wrap_new_http_connection(original):
    def new_http_connection(self, host, port, is_secure):
        from stsboto import transport
        return transport.new_http_connection(self, host, port, is_secure)
    return _mark(new_http_connection, original)


def _dotted(bucket):
    return '.' in (bucket or '')


def _wrap_bucket_server(original):
    def get_bucket_server(self, server, bucket):
        if _dotted(bucket):
            return server  # path style: boto issue 2836
        return original(self, server, bucket)
    return _mark(get_bucket_server, original)


def _ORDINARY():
    import boto.s3.connection
    return boto.s3.connection.OrdinaryCallingFormat()


def _wrap_path_base(original):
    def build_path_base(self, bucket, key=''):
        import boto.s3.connection
        if _dotted(bucket) and isinstance(self, boto.s3.connection.SubdomainCallingFormat):
            return boto.s3.connection.OrdinaryCallingFormat.build_path_base(_ORDINARY(), bucket, key)
        return original(self, bucket, key)
    return _mark(build_path_base, original)


class _ServiceModuleHook(object):
    """Applies the per-service rows to each boto service module when it is imported."""

    def _watch(self, fullname):
        return fullname in SERVICE_MODULES

    # Python 3 (PEP 451): boto's own loader runs, then the rows are applied.
    def find_spec(self, fullname, path=None, target=None):
        if not self._watch(fullname):
            return None
        import importlib.machinery
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _boto.AfterExecLoader(spec.loader, _after_service_import)
        return spec

    # Python 2 (PEP 302)
    def find_module(self, fullname, path=None):
        if not self._watch(fullname):
            return None
        return _Py2PatchingLoader(fullname, path)


def _after_service_import(module):
    with _lock:
        if _state['on']:
            _patch_service_module(module)


class _Py2PatchingLoader(object):  # pragma: no cover - Python 2 only
    def __init__(self, fullname, path):
        self.fullname = fullname
        self.path = path

    def load_module(self, fullname):
        import imp
        leaf = fullname.rsplit('.', 1)[1]
        found = imp.find_module(leaf, self.path)
        try:
            module = imp.load_module(fullname, *found)
        finally:
            if found[0] is not None:
                found[0].close()
        with _lock:
            if _state['on']:
                _patch_service_module(module)
        return module


#: Everything the patch changes, in the order applied (README "Zero code
#: change" lists the same rows).  Rows whose module is a boto service module
#: (and the EACH_* rows) are applied when that module is imported.
TABLE = (
    Row('boto.provider:Provider', 'get_credentials', _wrap_get_credentials,
        'credentials as the AWS SDKs find them when none are passed: AWS_SESSION_TOKEN and '
        'aws_session_token, which boto ignores (boto issue 3298); then boto\'s own sources, '
        'without the instance metadata service when AWS_EC2_METADATA_DISABLED=true'),
    Row('boto.connection:AWSAuthConnection', '__init__', _wrap_connection_init,
        'credentials that stsboto found are checked before every attempt and refreshed before '
        'they expire; each request is signed from one snapshot (botocore get_frozen_credentials)'),
    Row('boto.connection:AWSQueryConnection', 'make_request', _wrap_query_request,
        'query-protocol calls go as POST, as the AWS SDKs send them (boto sends GET; moto '
        'parses only POST for SQS)'),
    Row('boto.auth:HmacAuthV4Handler', 'query_string', _wrap_query_string,
        'POST form bodies encoded as HTML forms are (space as "+"), as botocore sends them; '
        'servers that re-encode the form to check the signature (moto) refuse boto\'s "%20"'),
    Row('boto.auth:HmacAuthV4Handler', 'canonical_headers', _wrap_canonical_headers,
        'SigV4 canonical headers ordered by name, as the signed-headers list is (boto sorts the '
        '"name:value" lines: x-amz-copy-source-range before x-amz-copy-source, x-amz-meta-a-b '
        'before x-amz-meta-a; SignatureDoesNotMatch)'),
    Row('boto.connection', 'UserAgent', _with_app_id,
        'AWS_SDK_UA_APP_ID / sdk_ua_app_id added to the User-Agent as "app/ID", as the AWS SDKs do'),
    Row('boto.s3.key:Key', 'set_contents_from_file', _wrap_set_contents_from_file,
        'in-memory text (io.StringIO) uploads as its UTF-8 bytes: boto sizes and hashes it by '
        'characters (boto issue 2868: corrupted or refused with non-ASCII text)'),
    Row('boto.s3.connection:_CallingFormat', 'build_host', _wrap_build_host,
        'an S3 access point ARN as the bucket name goes to the access point\'s host '
        '(NAME-ACCOUNT.s3-accesspoint.REGION.amazonaws.com, FIPS / dual-stack as configured), '
        'signed for the ARN\'s region, as the AWS SDKs accept it'),
    Row('boto.s3.connection:_CallingFormat', 'build_path_base', _wrap_build_path,
        'the path of a key in an access point: /KEY (the host names the access point)'),
    Row('boto.s3.connection:_CallingFormat', 'build_auth_path', _wrap_build_path,
        'the path of a key in an access point, as signed'),
    Row('boto.s3.connection:OrdinaryCallingFormat', 'build_path_base', _wrap_build_path,
        'path-style addressing: the same for access point ARNs'),
    Row('warnings', 'filters', None,
        'boto\'s "datetime.datetime.utcnow() is deprecated" warnings (boto/auth.py, on every '
        'signed request on 3.12+) are ignored; nothing else is'),
    Row('boto.connection:AWSAuthConnection', '_mexe', _wrap_mexe,
        'one transport (stsboto.transport) sends every request: AWS_MAX_ATTEMPTS / '
        'AWS_RETRY_MODE with botocore\'s meaning (throttling retried with backoff, a 4xx '
        'that cannot succeed never), no [Boto] max_retry_delay TypeError on Python 3, a '
        'refused or unresolvable endpoint reported at once (boto took 31-78 s); no Location '
        'followed: S3 region redirects only to the bucket\'s region\'s S3 endpoint or the '
        'configured endpoint, once, never https to http (stsboto.redirects)'),
    Row('boto.connection:AWSAuthConnection', 'new_http_connection', _wrap_new_http_connection,
        'AWS_CA_BUNDLE / ca_bundle, SNI and hostname checks on every Python (boto\'s '
        'CertValidatingHTTPSConnection sends no SNI on 2.7); HTTPS_PROXY / HTTP_PROXY / '
        'NO_PROXY in both cases, CONNECT tunnels with Proxy-Authorization (boto\'s proxy_ssl '
        'writes str on Python 3); connect timeouts'),
    Row('boto.s3.connection:SubdomainCallingFormat', 'get_bucket_server', _wrap_bucket_server,
        'bucket names with dots use path style (boto issue 2836: the *.s3.amazonaws.com '
        'certificate does not cover bucket.with.dots.s3.amazonaws.com over HTTPS), as botocore'),
    Row('boto.s3.connection:_CallingFormat', 'build_path_base', _wrap_path_base,
        'the path of a bucket name with dots starts with the bucket (path style, as above)'),
    Row('boto.s3.connection:S3Connection', 'generate_url', _wrap_generate_url,
        'no session token in query_auth=False URLs (boto issue 1477); force_http keeps the port; '
        'SigV4 presigned URLs carry the token'),
    Row(EACH_MODULE, 'connect_to_region', _wrap_connect_to_region,
        'never None for a valid region: the partition-correct host of any region (boto\'s '
        'endpoints.json stops in 2018), SigV4 for that region; AWS_ENDPOINT_URL_<SERVICE> / '
        'AWS_ENDPOINT_URL (AWS SDKs and Tools Reference Guide, "Service-specific endpoints")'),
    Row(EACH_CLASS, '__init__', _wrap_class_init,
        'AWS_REGION / AWS_DEFAULT_REGION and AWS_ENDPOINT_URL(_<SERVICE>) where boto would pick '
        'us-east-1 (bare SQSConnection(), boto.connect_sqs(), ...); the SigV4 region and service '
        'name set, so custom endpoints sign right; for S3Connection: SigV4 for the region with '
        'stsboto\'s S3 signer (Host with one port, botocore\'s signed headers, "/" in query '
        'strings sent as signed)'),
    Row('boto.route53:Route53Connection', '_required_auth_capability', _always_sigv4,
        'SigV4 instead of boto\'s SigV3 (AWS signs every service with SigV4)'),
    Row('boto.ses:SESConnection', '_required_auth_capability', _always_sigv4,
        'SigV4 instead of boto\'s SigV3 (AWS signs every service with SigV4)'),
)
