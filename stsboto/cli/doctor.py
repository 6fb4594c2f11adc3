"""``stsboto doctor``: what a boto 2 program on this machine will get, and what is wrong.

Usage::

    stsboto doctor                      # S3 and STS
    stsboto doctor sqs logs --profile deploy
    stsboto doctor --json               # for scripts: the shape of REPORT_KEYS

It reads everything through the resolvers the connections use (nothing is
worked out a second time here): the credential chain
(:class:`stsboto.credentials.chain.Chain`), the settings
(:class:`stsboto.config.Settings`), the transport's CA bundle and proxies
(:func:`stsboto.transport.ca_bundle`, :func:`~stsboto.transport.proxy_for`).
The endpoints are the ones an unchanged program gets: a child Python (this
one, with this environment) runs ``import boto`` and builds each connection as
a program would, with the patch if ``STSBOTO_PATCH_BOTO`` turns it on, and
says which host it chose; a broken boto is reported, not raised.  The clock
is compared with the ``Date`` of one ``HEAD /`` sent to the S3 endpoint through
the transport (SigV4 requests fail once clocks differ by more than 5 minutes).

Never printed: a secret key or a session token.  The access key id is shown as
``aws configure list`` shows it (``****************ABCD``).  No request goes
to a metadata service unless the credential chain itself would make it
(``AWS_EC2_METADATA_DISABLED=true`` is honoured by the chain).

Exit status 0 when no problem was found, 1 otherwise.
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import collections
import datetime
import email.utils
import json
import os
import subprocess
import sys

import six

from stsboto.cli.console import format_duration, printable
from stsboto.cli.errors import EXIT_ERROR, EXIT_OK

__all__ = ['add_doctor_arguments', 'run_doctor', 'diagnose', 'render_text', 'mask_access_key',
           'REPORT_KEYS', 'MAX_SKEW', 'JSON_VERSION']

#: SigV4: AWS refuses a request signed more than 5 minutes away from its clock
#: (RequestTimeTooSkewed).
MAX_SKEW = 300
#: The version of the ``--json`` shape; raised when a key changes meaning or goes.
JSON_VERSION = 1
#: The keys of the ``--json`` report, in order (the README's "stsboto doctor" describes each).
REPORT_KEYS = ('version', 'ok', 'python', 'stsboto', 'boto', 'patch', 'profile', 'credentials',
               'region', 'endpoints', 'ca_bundle', 'clock', 'problems')
#: Seconds allowed for the child Python, and for the HEAD of the S3 endpoint.
PROBE_TIMEOUT = 60
HEAD_TIMEOUT = 5

# Keys given to the connections the child builds: they are never sent anywhere
# (building a boto connection makes no request) and keep boto from looking for
# credentials (a metadata request) on its own.
_PROBE_KEY = 'AKIDSTSBOTODOCTOR000'
_PROBE_SECRET = 'stsboto-doctor-probe-not-a-secret'

# The child: import boto first, exactly as a program does (the start-up hook
# and STSBOTO_PATCH_BOTO apply), then build one connection per service.
_PROBE = r'''
import json, sys
out = {"boto": None, "error": None, "patched": False, "endpoints": {}}
try:
    import boto
    out["boto"] = getattr(boto, "__version__", "?")
except BaseException as error:
    out["error"] = "%s: %s" % (type(error).__name__, error)
    sys.stdout.write(json.dumps(out))
    sys.exit(0)
patch = sys.modules.get("stsboto.patch")
out["patched"] = bool(patch is not None and patch.is_patched())
keys = {"aws_access_key_id": sys.argv[1], "aws_secret_access_key": sys.argv[2]}
for item in json.loads(sys.argv[3]):
    name, region = item
    try:
        if name == "s3":
            conn = boto.connect_s3(**keys)
        elif name == "sts":
            conn = boto.connect_sts(**keys)
        else:
            import importlib
            module = importlib.import_module("boto." + name)
            conn = module.connect_to_region(region or "us-east-1", **keys)
        if conn is None:
            out["endpoints"][name] = {"error": "boto knows no endpoint for %s in %s"
                                      % (name, region or "us-east-1")}
            continue
        conn = getattr(conn, "layer1", conn)
        out["endpoints"][name] = {"host": conn.host, "port": conn.port,
                                  "is_secure": bool(conn.is_secure)}
    except BaseException as error:
        out["endpoints"][name] = {"error": "%s: %s" % (type(error).__name__, error)}
sys.stdout.write(json.dumps(out))
'''

# Where each source of the chain reads (README, "Where credentials come from").
_METHOD_SOURCES = {
    'env': None,  # the variables set, filled in below
    'assume-role': 'profile %(profile)s role_arn (STS AssumeRole on first use)',
    'assume-role-with-web-identity': 'AWS_WEB_IDENTITY_TOKEN_FILE / profile %(profile)s '
                                     'web_identity_token_file',
    'shared-credentials-file': 'profile %(profile)s in %(credentials)s',
    'custom-process': 'profile %(profile)s credential_process',
    'config-file': 'profile %(profile)s in %(config)s',
    'boto-config': 'boto config [Credentials]',
    'container-role': None,  # the variable set, filled in below
    'iam-role': 'EC2 instance metadata',
}


def add_doctor_arguments(parser):
    """``SERVICE ...``, ``--profile`` and ``--json``."""
    parser.add_argument('services', nargs='*', metavar='SERVICE',
                        help='boto 2 services to resolve besides s3 and sts (sqs, logs, ec2, ...)')
    parser.add_argument('--profile', metavar='NAME', default=None,
                        help='report for this profile: its credentials as aws --profile NAME reads them, '
                             'its region and endpoints')
    parser.add_argument('--json', action='store_true', dest='as_json',
                        help='print one JSON object (see the README, "stsboto doctor")')


def mask_access_key(access_key):
    """``****************ABCD``: the last four characters, as ``aws configure list`` shows keys."""
    if not access_key:
        return None
    return '*' * max(len(access_key) - 4, 4) + access_key[-4:]


def run_doctor(args):
    """Print the report (text or ``--json``); 0 if nothing is wrong, 1 otherwise."""
    console = args.console
    report = diagnose(console.environ, profile=args.profile, services=args.services,
                      now=console.now())
    if args.as_json:
        console.out(json.dumps(report, indent=2, sort_keys=False))
    else:
        for line in render_text(report):
            console.out(line)
    return EXIT_OK if report['ok'] else EXIT_ERROR


class _Report(object):
    def __init__(self):
        self.data = collections.OrderedDict((key, None) for key in REPORT_KEYS)
        self.data['version'] = JSON_VERSION
        self.data['problems'] = []

    def problem(self, what, fix):
        self.data['problems'].append({'problem': _one_line(what), 'fix': _one_line(fix)})


def _one_line(text):
    return ' '.join(six.text_type(text).split())


def diagnose(environ=None, profile=None, services=(), now=None, probe=None, head=None):
    """The report as a dict (the ``--json`` shape: :data:`REPORT_KEYS`).

    :param environ: the environment of the programs to diagnose (default ``os.environ``).
    :param str profile: report for this profile (as ``AWS_PROFILE=NAME``).
    :param services: boto 2 service names besides ``s3`` and ``sts``.
    :param now: the current time (aware datetime), for expiry and clock skew.
    :param probe: ``callable(environ, [(service, region)]) -> dict`` instead of
        the child Python (tests).
    :param head: ``callable(host, port, is_secure) -> Date header or None``
        instead of the HEAD through the transport (tests).
    """
    import stsboto
    from stsboto._compat import utcnow
    environ = dict(os.environ if environ is None else environ)
    if profile is not None:
        # botocore reads AWS_DEFAULT_PROFILE first (stsboto.config.profile_name)
        environ['AWS_PROFILE'] = environ['AWS_DEFAULT_PROFILE'] = profile
    now = utcnow() if now is None else now
    report = _Report()
    data = report.data
    data['python'] = {'version': '%d.%d.%d' % sys.version_info[:3], 'executable': sys.executable}
    data['stsboto'] = stsboto.__version__
    settings = _settings(report, environ, profile)
    region = _region(report, settings)
    wanted = ['s3', 'sts'] + [name for name in services or () if name not in ('s3', 'sts')]
    child = _probe(report, environ, [(name, _service_region(settings, name, region))
                                     for name in wanted], probe)
    _patch(report, environ, child)
    _credentials(report, environ, profile, now)
    _endpoints(report, settings, wanted, child, environ)
    _ca_bundle(report, settings)
    _clock(report, now, head)
    data['ok'] = not data['problems']
    return data


def _settings(report, environ, profile):
    from stsboto.config import Settings
    settings = Settings(environ, profile)
    named = bool(profile or environ.get('AWS_DEFAULT_PROFILE') or environ.get('AWS_PROFILE'))
    try:
        exists = settings.files.has_profile(settings.profile_name)
    except Exception as error:  # noqa: BLE001  an unreadable file: said, with its fix
        report.problem('cannot read the shared files: %s' % _masked(error),
                       'fix or remove the file named (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE)')
        exists = False
    report.data['profile'] = {'name': settings.profile_name, 'named': named, 'exists': exists}
    if named and not exists:
        report.problem('profile %s is in neither %s nor %s' % (
            settings.profile_name, settings.files.credentials_path, settings.files.config_path),
            'add [profile %s] to %s, or name an existing profile (--profile, AWS_PROFILE)'
            % (settings.profile_name, settings.files.config_path))
    return settings


def _region(report, settings):
    from stsboto.regions import validate_region
    try:
        name, where = settings.region('s3')
    except Exception as error:  # noqa: BLE001
        name, where = None, None
        report.problem('cannot read the region: %s' % _masked(error),
                       'fix the configuration file named')
    if name is None:
        report.data['region'] = {'name': None, 'from': None}
        report.problem('no region is configured: boto 2 uses us-east-1 and SigV4 requests to '
                       'buckets elsewhere fail',
                       'export AWS_DEFAULT_REGION=REGION, or set region = REGION in profile %s'
                       % settings.profile_name)
        return None
    try:
        validate_region(name, where)
    except ValueError as error:
        report.problem(_masked(error), 'set %s to a region name such as eu-west-1' % where)
    report.data['region'] = {'name': name, 'from': where}
    return name


def _service_region(settings, service, default):
    try:
        return settings.region(service)[0] or default
    except Exception:  # noqa: BLE001  said once already by _region
        return default


def _run_child(environ, wanted):
    command = [sys.executable, '-c', _PROBE, _PROBE_KEY, _PROBE_SECRET, json.dumps(wanted)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=_text_environ(environ))
    out, err = _communicate(process)
    if process.returncode != 0 or not out.strip():
        lines = err.decode('utf-8', 'replace').strip().splitlines()
        raise RuntimeError('the child Python exited with status %s: %s'
                           % (process.returncode, lines[-1] if lines else 'no output'))
    return json.loads(out.decode('utf-8'))


def _communicate(process):
    if six.PY2:  # no timeout= on 2.7: the probe makes no request, so it ends on its own
        return process.communicate(b'')
    try:
        return process.communicate(b'', timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise RuntimeError('the child Python did not finish within %d s' % PROBE_TIMEOUT)


def _text_environ(environ):
    # subprocess on Python 2 wants native strings
    return dict((str(k), str(v)) for k, v in environ.items()) if six.PY2 else dict(environ)


def _probe(report, environ, wanted, probe):
    try:
        child = (probe or _run_child)(environ, wanted)
    except Exception as error:  # noqa: BLE001  reported, not raised
        child = {'boto': None, 'error': _masked(error), 'patched': False, 'endpoints': {}}
    report.data['boto'] = {'importable': child.get('boto') is not None,
                           'version': child.get('boto'), 'error': child.get('error')}
    if child.get('boto') is None:
        report.problem('import boto fails in %s: %s' % (sys.executable, child.get('error')),
                       '%s -m pip install boto (2.49.0); on Python 3.12+ stsboto.pth must be '
                       'installed (pip install stsboto)' % os.path.basename(sys.executable))
    return child


def _pth_file():
    import site
    folders = list(getattr(site, 'getsitepackages', lambda: [])())
    user = getattr(site, 'getusersitepackages', lambda: None)()
    if user:
        folders.append(user)
    folders.extend(path for path in sys.path if path.endswith(('site-packages', 'dist-packages')))
    for folder in folders:
        candidate = os.path.join(folder, 'stsboto.pth')
        if os.path.isfile(candidate):
            return candidate
    return None


def _patch(report, environ, child):
    import _stsboto_startup as startup
    value = environ.get(startup.ENV_VAR)
    ignored = startup.ignored_by_boto(environ)
    pth = _pth_file()
    report.data['patch'] = {'on': bool(child.get('patched')), 'variable': value,
                            'pth': pth, 'ignored_by_boto': ignored}
    if child.get('boto') is None:
        return
    if startup.wanted(environ) and not child.get('patched'):
        report.problem('STSBOTO_PATCH_BOTO=%s but import boto did not patch boto (stsboto.pth is '
                       '%s)' % (value, 'at %s' % pth if pth else 'not installed'),
                       'reinstall stsboto in this Python (pip install --force-reinstall stsboto), '
                       'or call stsboto.patch_boto() in the program')
    elif ignored and not child.get('patched'):
        report.problem('the patch is off, so boto 2 ignores %s' % ', '.join(ignored),
                       'export STSBOTO_PATCH_BOTO=1 (or unset them)')


def _credentials(report, environ, profile, now):
    from stsboto.credentials.chain import Chain
    from stsboto.token import format_expiration
    try:
        chain = Chain(profile, environ)
        found = chain.find()
    except Exception as error:  # noqa: BLE001  a broken source is a problem line
        report.problem('the credential chain failed: %s' % _masked(error),
                       _credential_fix(error))
        return
    if found is None:
        report.problem('no credentials found (environment, shared files, boto config, container, '
                       'instance metadata)',
                       'export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), '
                       'or add keys to ~/.aws/credentials')
        return
    method = getattr(found, 'method', None)
    token = getattr(found, 'token', found) if not hasattr(found, 'access_key') else found
    described = {'method': method, 'from': _where(method, chain, environ), 'access_key': None,
                 'temporary': None, 'expiration': None, 'expires_in': None}
    report.data['credentials'] = described
    if token is None:  # a role source: STS is asked on first use
        return
    described['access_key'] = mask_access_key(token.access_key)
    described['temporary'] = bool(token.session_token)
    if token.expiration is not None:
        left = (token.expiration - now).total_seconds()
        described['expiration'] = format_expiration(token.expiration.replace(microsecond=0))
        described['expires_in'] = int(left)
        if left <= 0:
            report.problem('the credentials (%s, %s) expired %s ago'
                           % (method, described['from'], format_duration(left)),
                           _expired_fix(method))


def _where(method, chain, environ):
    if method == 'env':
        from stsboto.token import ENV_VARIABLES
        return ', '.join(name for name in ENV_VARIABLES if environ.get(name))
    if method == 'container-role':
        return ', '.join(name for name in ('AWS_CONTAINER_CREDENTIALS_FULL_URI',
                                           'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')
                         if environ.get(name))
    pattern = _METHOD_SOURCES.get(method) or (method or 'unknown')
    return pattern % {'profile': chain.profile, 'credentials': chain.files.credentials_path,
                      'config': chain.files.config_path}


def _expired_fix(method):
    if method == 'env':
        return ('get a new token (stsboto issue) and export it: eval "$(stsboto env --token '
                'FILE)"; or unset AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION')
    return 'replace the expired keys at the source named'


def _credential_fix(error):
    from stsboto.exceptions import MissingCredentialsError
    if isinstance(error, MissingCredentialsError):
        return ('name a profile that exists (--profile, AWS_PROFILE), or point AWS_CONFIG_FILE / '
                'AWS_SHARED_CREDENTIALS_FILE at files that exist')
    return 'fix the setting the message names'


def _endpoints(report, settings, wanted, child, environ):
    from stsboto import regions, transport
    found = {}
    boto_ok = child.get('boto') is not None
    for name in wanted:
        entry = {'url': None, 'from': None, 'proxy': None, 'error': None}
        try:
            url, where = settings.endpoint_url(regions.service_key(name))
            entry['from'] = where or 'default for the region'
            if where and boto_ok and not child.get('patched'):
                entry['from'] = "boto 2's own: %s is ignored while the patch is off" % where
        except Exception as error:  # noqa: BLE001
            entry['error'] = _masked(error)
        answer = child.get('endpoints', {}).get(name)
        if answer and answer.get('error'):
            entry['error'] = _masked(answer['error'])
        elif answer:
            scheme = 'https' if answer['is_secure'] else 'http'
            port = answer.get('port')
            default = 443 if answer['is_secure'] else 80
            entry['url'] = '%s://%s%s' % (scheme, answer['host'],
                                          ':%s' % port if port and port != default else '')
            entry['host'], entry['port'], entry['is_secure'] = \
                answer['host'], port or default, answer['is_secure']
            try:
                proxy = transport.proxy_for(scheme, answer['host'], environ)
                entry['proxy'] = proxy.display if proxy is not None else None
            except Exception as error:  # noqa: BLE001
                report.problem('the proxy setting is wrong: %s' % _masked(error),
                               'set HTTPS_PROXY / HTTP_PROXY to http://[user:password@]host[:port]')
        if entry['error'] and boto_ok:
            report.problem('no endpoint for %s: %s' % (name, entry['error']),
                           'export STSBOTO_PATCH_BOTO=1 (endpoints for every region) or set '
                           '%s' % regions.service_env_name(name) if name in regions.SERVICES
                           else 'name a boto 2 service (sqs, logs, ec2, ...)')
        found[name] = entry
    report.data['endpoints'] = found


def _ca_bundle(report, settings):
    from stsboto import transport
    try:
        path, where = transport.ca_bundle(settings)
    except Exception as error:  # noqa: BLE001
        report.problem('cannot read the CA bundle setting: %s' % _masked(error),
                       'fix the configuration file named')
        return
    report.data['ca_bundle'] = {'path': path, 'from': where}
    if path is not None and not os.path.isfile(path):
        report.problem('%s names the CA bundle %s, which is not a file: every HTTPS request fails'
                       % (where, path), 'point %s at a PEM file of CA certificates, or unset it '
                       '(the system\'s store is used then)' % where)


def _head_date(host, port, is_secure):
    """The ``Date`` header of ``HEAD /`` at the endpoint, sent through the transport."""
    from stsboto import transport
    import boto.s3.connection
    conn = boto.s3.connection.S3Connection(host=host, port=port, is_secure=is_secure, anon=True)
    http = transport.new_http_connection(conn, host, port, is_secure, connect_timeout=HEAD_TIMEOUT)
    try:
        http.timeout = HEAD_TIMEOUT
        http.request('HEAD', '/', headers={'User-Agent': 'stsboto-doctor'})
        response = http.getresponse()
        response.read()
        return response.getheader('Date')
    finally:
        http.close()


def _clock(report, now, head):
    endpoint = (report.data['endpoints'] or {}).get('s3') or {}
    if not endpoint.get('url'):
        return
    clock = {'endpoint': endpoint['url'], 'date': None, 'skew_seconds': None}
    report.data['clock'] = clock
    try:
        date = (head or _head_date)(endpoint['host'], endpoint['port'], endpoint['is_secure'])
    except Exception as error:  # noqa: BLE001  unreachable, refused, TLS: a problem line, not a crash
        clock['error'] = _masked(error)
        report.problem('cannot reach the S3 endpoint %s to compare clocks: %s'
                       % (endpoint['url'], clock['error']),
                       'check the endpoint, the network, the proxy and the CA bundle above')
        return
    parsed = email.utils.parsedate_tz(date) if date else None
    if parsed is None:
        clock['error'] = 'no Date header in its answer'
        return
    server = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=email.utils.mktime_tz(parsed))
    skew = (server - now.replace(tzinfo=None)).total_seconds()
    clock['date'] = server.strftime('%Y-%m-%dT%H:%M:%SZ')
    clock['skew_seconds'] = int(round(skew))
    if abs(skew) > MAX_SKEW:
        report.problem('this clock is %s %s the S3 endpoint\'s (%s): SigV4 requests fail past 5 '
                       'minutes (RequestTimeTooSkewed)'
                       % (format_duration(skew), 'behind' if skew > 0 else 'ahead of',
                          endpoint['url']),
                       'set the system clock right (NTP: timedatectl set-ntp true, chronyc '
                       'makestep)')


def _masked(error):
    from stsboto.logfilter import mask_secrets
    return _one_line(mask_secrets(six.text_type(error)))


# -- the text -----------------------------------------------------------------------

def render_text(report):
    """The lines ``stsboto doctor`` prints (every value through :func:`printable`)."""
    rows = []
    python = report['python']
    rows.append(('Python', '%s (%s)' % (python['version'], python['executable'])))
    rows.append(('stsboto', report['stsboto']))
    boto = report['boto']
    rows.append(('boto', '%s (import boto works)' % boto['version'] if boto['importable']
                 else 'import boto FAILS: %s' % boto['error']))
    patch = report['patch']
    if patch is not None:
        rows.append(('Patch', '%s (STSBOTO_PATCH_BOTO=%s; stsboto.pth %s)' % (
            'on' if patch['on'] else 'off', patch['variable'] if patch['variable'] is not None
            else '(unset)', patch['pth'] or 'not found')))
    profile = report['profile']
    rows.append(('Profile', '%s%s' % (profile['name'], '' if profile['exists'] or not
                                      profile['named'] else ' (NOT FOUND)')))
    creds = report['credentials']
    if creds is None:
        rows.append(('Credentials', 'none (see the problems below)'))
    else:
        text = '%s (%s)' % (creds['method'], creds['from'])
        if creds['access_key']:
            text += ': %s, %s' % (creds['access_key'], 'temporary' if creds['temporary']
                                  else 'long-term keys')
        if creds['expiration']:
            left = creds['expires_in']
            text += ', expires %s (%s)' % (creds['expiration'], 'in ' + format_duration(left)
                                           if left > 0 else 'EXPIRED %s ago' % format_duration(left))
        elif creds['access_key']:
            text += ', no expiry'
        else:
            text += ', fetched on first use'
        rows.append(('Credentials', text))
    region = report['region']
    rows.append(('Region', '%s (%s)' % (region['name'], region['from']) if region['name']
                 else 'none (boto uses us-east-1)'))
    for name, entry in sorted(report['endpoints'].items(), key=lambda item: (
            item[0] not in ('s3', 'sts'), item[0])):
        if entry['url']:
            text = '%s (%s)' % (entry['url'], entry['from'])
        else:
            text = 'unknown: %s' % (entry['error'] or 'boto did not import')
        label = name.upper() if name in ('s3', 'sts', 'sqs', 'sns', 'ec2', 'iam') else name
        rows.append((label, text))
        if entry['proxy']:
            rows.append(('', 'through the proxy %s' % entry['proxy']))
    bundle = report['ca_bundle']
    rows.append(('CA bundle', '%s (%s)' % (bundle['path'], bundle['from'])
                 if bundle and bundle['path'] else 'the system\'s store'))
    clock = report['clock']
    if clock is not None:
        if clock.get('skew_seconds') is not None:
            skew = clock['skew_seconds']
            rows.append(('Clock', 'in step with %s' % clock['endpoint'] if abs(skew) <= 1 else
                         '%s %s %s' % (format_duration(skew), 'behind' if skew > 0 else 'ahead of',
                                       clock['endpoint'])))
        else:
            rows.append(('Clock', 'not compared: %s' % clock.get('error')))
    lines = ['%-12s %s' % ((name + ':') if name else '', printable(value)) for name, value in rows]
    problems = report['problems']
    if problems:
        lines.append('')
        lines.append('%d problem%s:' % (len(problems), '' if len(problems) == 1 else 's'))
        lines.extend(printable('- %s. Fix: %s.' % (p['problem'].rstrip('.'), p['fix'].rstrip('.')))
                     for p in problems)
    else:
        lines.append('')
        lines.append('No problems found.')
    return lines
