"""The commands about tokens: ``issue`` (the issuer's), ``env`` and ``whoami`` (a holder's).

Each command is an ``add_*_arguments(parser)`` and a ``run_*(args)`` returning
the exit status; :mod:`stsboto.cli.commands` lists them.
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import six

from stsboto.cli import options
from stsboto.cli.errors import EXIT_EXPIRED, EXIT_OK, UsageError
from stsboto.cli.output import env_lines, whoami_lines

__all__ = ['add_issue_arguments', 'run_issue', 'run_env', 'run_whoami']

#: GetFederationToken's default here; for a credential_process line use 3600 or more
#: (botocore refreshes 15 minutes before expiry, so a 900 s token is re-issued on
#: nearly every call).
DEFAULT_DURATION = 900


def add_issue_arguments(parser):
    from stsboto.policy import DEFAULT_ACTIONS
    grant = parser.add_argument_group('the grant (--bucket, or a complete --policy)')
    grant.add_argument('--bucket', help='grant the actions on this bucket')
    grant.add_argument('--prefix', help='limit the grant to keys under this prefix (and, if '
                                        '--actions includes s3:ListBucket, listing to it)')
    grant.add_argument('--actions', action='append', metavar='LIST',
                       help='S3 actions, comma-separated or repeated; the s3: prefix is optional '
                            '(default: %s)' % ','.join(DEFAULT_ACTIONS))
    grant.add_argument('--policy', metavar='FILE_OR_JSON',
                       help='a complete policy instead: a file, inline JSON, or - for standard input')
    parser.add_argument('--duration', type=int, default=DEFAULT_DURATION, metavar='SECONDS',
                        help='how long the token lives, 900-129600 (default: %d; use 3600 or '
                             'more in a credential_process line)' % DEFAULT_DURATION)
    parser.add_argument('--name', default='stsboto',
                        help='the federated user name, 2-32 characters of [A-Za-z0-9+=,.@_-] '
                             '(default: stsboto)')
    options.add_profile_argument(parser, 'sign with the keys of this profile of the shared '
                                         'credentials file (as aws --profile: the environment\'s '
                                         'keys are not used)')
    sts = parser.add_mutually_exclusive_group()
    sts.add_argument('--regional', dest='regional', action='store_true', default=None,
                     help='call the regional STS endpoint (the default, unless '
                          'AWS_STS_REGIONAL_ENDPOINTS=legacy)')
    sts.add_argument('--global-sts', dest='regional', action='store_false',
                     help='call the global endpoint sts.amazonaws.com')
    output = parser.add_argument_group('output (default: credential_process JSON on stdout)')
    output.add_argument('--format', choices=('json', 'env'), default=None,
                        help='json: the credential_process shape; env: shell export lines')
    output.add_argument('--output', '-o', metavar='FILE',
                        help='write the token to FILE (JSON, mode 0600) instead of stdout')


def _grant(args):
    """``(actions, policy)`` from --bucket/--prefix/--actions or --policy; usage errors first."""
    actions = options.split_actions(args.actions)
    if args.policy is not None:
        if args.bucket is not None or args.prefix is not None or actions:
            raise UsageError('--policy is a complete policy: leave out --bucket, --prefix and '
                             '--actions')
        return actions, options.read_policy(args.policy, args.console)
    if args.bucket is None:
        raise UsageError('say what the token may do: --bucket BUCKET (with --prefix, --actions) '
                         'or --policy FILE_OR_JSON')
    if args.prefix is not None and not args.prefix:
        raise UsageError('--prefix is empty: leave it out to grant the whole bucket')
    return actions, None


def run_issue(args):
    """Issue a scoped federation token with the issuer's own credentials."""
    from stsboto.exceptions import MissingCredentialsError
    from stsboto.policy import DEFAULT_ACTIONS
    from stsboto.sts import issue_token
    console = args.console
    if args.output and args.format == 'env':
        raise UsageError('--output writes the JSON token file; --format env prints shell lines: '
                         'pick one')
    actions, policy = _grant(args)
    if args.output:
        options.check_output_path(args.output, '--output')  # before STS: the token would be lost
    issuer, where = options.find_credentials(console.environ, args.profile)
    connect = {'endpoint_url': args.endpoint_url}
    if issuer is not None:
        console.remember(issuer)
        connect.update(issuer.to_boto_kwargs())
    elif args.profile is not None:
        raise UsageError('no credentials in profile %s (--profile)' % args.profile)
    if args.regional is not None:
        connect['regional'] = args.regional
    try:
        token = issue_token(bucket=args.bucket, prefix=args.prefix,
                            actions=actions or DEFAULT_ACTIONS, policy=policy, name=args.name,
                            duration=args.duration, region=options.region(args), **connect)
    except MissingCredentialsError as error:
        six.raise_from(MissingCredentialsError(
            'no AWS credentials to issue with: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, '
            'pass --profile NAME (or set AWS_PROFILE), or configure boto'), error)
    console.remember(token)
    if args.output:
        token.save(args.output)
    elif args.format == 'env':
        for line in env_lines(token):
            console.out(line)
    else:
        console.out(token.to_json())
    return EXIT_OK


def run_env(args):
    """Print shell lines that export the token (refuses an expired one)."""
    from stsboto.token import token_expired_error
    token, _ = options.load_token(args)
    now = args.console.now()
    if token.expired(now=now):
        raise token_expired_error(token, now, 'nothing was printed')
    for line in env_lines(token):
        args.console.out(line)
    return EXIT_OK


def run_whoami(args):
    """Show the token's ARN, access key and expiry (exit 3 once expired); never secrets."""
    token, where = options.load_token(args)
    now = args.console.now()
    for line in whoami_lines(token, now, where):
        args.console.out(line)
    return EXIT_EXPIRED if token.expired(now=now) else EXIT_OK
