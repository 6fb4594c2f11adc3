"""Unit tests for ``stsboto.policy``: one test per policy, bucket-name, prefix,
action and size rule."""
from __future__ import absolute_import, unicode_literals

import json

import pytest
import six

from stsboto.exceptions import InvalidPolicyError, StsbotoError
from stsboto.policy import (BUCKET_ACTIONS, DEFAULT_ACTIONS, MAX_POLICY_LENGTH, OBJECT_ACTIONS,
                            bucket_policy, issuer_policy, to_json, validate_actions,
                            validate_bucket_name, validate_prefix)

BUCKET = 'photos'
BUCKET_ARN = 'arn:aws:s3:::photos'
VERSION = '2012-10-17'


def raises_invalid(func, *args, **kwargs):
    with pytest.raises(InvalidPolicyError) as excinfo:
        func(*args, **kwargs)
    assert isinstance(excinfo.value, ValueError)
    assert isinstance(excinfo.value, StsbotoError)
    return excinfo.value


def compact(policy):
    """Compact JSON, independently of the code under test: what STS counts."""
    return json.dumps(policy, separators=(',', ':'), sort_keys=True, ensure_ascii=False)


def statement_for(policy, resource):
    found = [s for s in policy['Statement'] if s['Resource'] == resource]
    assert len(found) == 1, policy
    return found[0]


# -- bucket_policy -----------------------------------------------------------

def test_default_policy_allows_get_put_and_abort_on_every_key():
    assert DEFAULT_ACTIONS == ('s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload')
    assert bucket_policy(BUCKET) == {
        'Version': VERSION,
        'Statement': [{'Effect': 'Allow',
                       'Action': ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
                       'Resource': 'arn:aws:s3:::photos/*'}]}


def test_prefix_limits_objects_and_listing():
    policy = bucket_policy(BUCKET, actions=['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
                           prefix='users/42/')
    assert policy == {
        'Version': VERSION,
        'Statement': [
            {'Effect': 'Allow', 'Action': ['s3:GetObject', 's3:PutObject'],
             'Resource': 'arn:aws:s3:::photos/users/42/*'},
            {'Effect': 'Allow', 'Action': ['s3:ListBucket'], 'Resource': BUCKET_ARN,
             'Condition': {'StringLike': {'s3:prefix': ['users/42/*']}}},
        ]}


def test_prefix_without_listing_actions_adds_no_condition():
    policy = bucket_policy(BUCKET, prefix='users/42/')
    assert policy['Statement'] == [{'Effect': 'Allow', 'Action': list(DEFAULT_ACTIONS),
                                    'Resource': 'arn:aws:s3:::photos/users/42/*'}]


def test_prefix_limits_listing_versions_too():
    policy = bucket_policy(BUCKET, actions=['s3:ListBucketVersions'], prefix='logs/')
    assert policy['Statement'] == [
        {'Effect': 'Allow', 'Action': ['s3:ListBucketVersions'], 'Resource': BUCKET_ARN,
         'Condition': {'StringLike': {'s3:prefix': ['logs/*']}}}]


def test_bucket_actions_with_prefix_other_than_listing_have_no_condition():
    policy = bucket_policy(BUCKET, prefix='users/42/',
                           actions=['s3:GetObject', 's3:ListBucket', 's3:GetBucketLocation'])
    listing = [s for s in policy['Statement'] if 'Condition' in s]
    plain = [s for s in policy['Statement'] if s['Resource'] == BUCKET_ARN and 'Condition' not in s]
    assert [s['Action'] for s in listing] == [['s3:ListBucket']]
    assert plain == [{'Effect': 'Allow', 'Action': ['s3:GetBucketLocation'],
                      'Resource': BUCKET_ARN}]


def test_bucket_level_actions_without_prefix_are_on_the_bucket_arn_without_condition():
    policy = bucket_policy(BUCKET, actions=['s3:GetBucketLocation', 's3:ListBucket',
                                            's3:ListBucketMultipartUploads'])
    assert len(policy['Statement']) == 1
    statement = policy['Statement'][0]
    assert statement['Resource'] == BUCKET_ARN
    assert 'Condition' not in statement
    assert sorted(statement['Action']) == ['s3:GetBucketLocation', 's3:ListBucket',
                                           's3:ListBucketMultipartUploads']


@pytest.mark.parametrize('action', OBJECT_ACTIONS)
def test_every_object_action_applies_to_object_arns(action):
    assert bucket_policy(BUCKET, actions=[action])['Statement'] == [
        {'Effect': 'Allow', 'Action': [action], 'Resource': 'arn:aws:s3:::photos/*'}]


@pytest.mark.parametrize('action', BUCKET_ACTIONS)
def test_every_bucket_action_applies_to_the_bucket_arn(action):
    assert bucket_policy(BUCKET, actions=[action])['Statement'] == [
        {'Effect': 'Allow', 'Action': [action], 'Resource': BUCKET_ARN}]


def test_action_lists_do_not_overlap():
    assert not set(OBJECT_ACTIONS) & set(BUCKET_ACTIONS)


@pytest.mark.parametrize('partition', ['aws-cn', 'aws-us-gov'])
def test_partition_is_used_in_every_arn(partition):
    policy = bucket_policy(BUCKET, prefix='p/', partition=partition,
                           actions=['s3:GetObject', 's3:ListBucket', 's3:GetBucketLocation'])
    resources = sorted(s['Resource'] for s in policy['Statement'])
    assert resources == ['arn:%s:s3:::photos' % partition, 'arn:%s:s3:::photos' % partition,
                         'arn:%s:s3:::photos/p/*' % partition]
    assert 'arn:aws:' not in compact(policy)


# Regression guard (fixed bug in stsboto.policy.bucket_policy/issuer_policy): ``partition`` is pasted into
# the ARNs unchecked, so a region passed by mistake ('cn-north-1') or a typo
# ('aws-china') gives a policy that STS refuses later with a vaguer
# MalformedPolicyDocument.  Fix: check it against the known partitions (aws,
# aws-cn, aws-us-gov, plus aws-eusc / aws-iso* if regions.py learns them) and
# raise InvalidPolicyError(field='partition').
@pytest.mark.parametrize('func', [bucket_policy, issuer_policy])
@pytest.mark.parametrize('partition', ['cn-north-1', 'aws-china', '', 'aws:s3'])
def test_unknown_partition_is_rejected(func, partition):
    error = raises_invalid(func, BUCKET, partition=partition)
    assert error.field == 'partition'


def test_bucket_policy_validates_bucket_prefix_and_actions():
    assert raises_invalid(bucket_policy, 'Photos').field == 'bucket'
    assert raises_invalid(bucket_policy, BUCKET, prefix='a*').field == 'prefix'
    assert raises_invalid(bucket_policy, BUCKET, actions=['s3:*']).field == 'actions'


def test_bucket_policy_fits_sts():
    policy = bucket_policy(BUCKET, actions=list(OBJECT_ACTIONS) + list(BUCKET_ACTIONS),
                           prefix='users/42/')
    assert len(to_json(policy)) <= MAX_POLICY_LENGTH


def test_bucket_policy_too_long_for_sts_is_rejected_before_sending():
    # Every action and a long (but legal) key prefix that is written twice:
    # in the object ARN and in the s3:prefix condition.
    error = raises_invalid(bucket_policy, BUCKET,
                           actions=list(OBJECT_ACTIONS) + list(BUCKET_ACTIONS),
                           prefix='tenants/acme-corporation/' + 'x' * 700 + '/')
    assert error.field == 'policy'
    assert '2048' in str(error)


# -- validate_actions ---------------------------------------------------------

@pytest.mark.parametrize('given, expected', [
    (['S3:GETOBJECT', 's3:putobject'], ['s3:GetObject', 's3:PutObject']),
    (['s3:listbucket'], ['s3:ListBucket']),
    (['S3:GetBucketCors'], ['s3:GetBucketCORS']),
    ('s3:getobject', ['s3:GetObject']),
    (('s3:GetObject',), ['s3:GetObject']),
])
def test_action_names_are_canonicalised_case_insensitively(given, expected):
    assert validate_actions(given) == expected


@pytest.mark.parametrize('action', OBJECT_ACTIONS + BUCKET_ACTIONS)
def test_every_known_action_is_accepted_in_any_case(action):
    assert validate_actions([action.lower(), action.upper()]) == [action]


def test_duplicate_actions_are_removed_keeping_order():
    assert validate_actions(['s3:PutObject', 's3:GetObject', 'S3:PUTOBJECT', 's3:getobject']) == \
        ['s3:PutObject', 's3:GetObject']


def test_bucket_policy_uses_canonical_deduplicated_actions():
    policy = bucket_policy(BUCKET, actions=['s3:getobject', 'S3:GetObject', 'S3:LISTBUCKET'])
    assert [s['Action'] for s in policy['Statement']] == [['s3:GetObject'], ['s3:ListBucket']]


@pytest.mark.parametrize('action', ['s3:*', '*', 's3:Get*', 's3:GetObjec?', 'S3:PUT*',
                                    's3:*Object'])
def test_wildcard_actions_are_rejected(action):
    error = raises_invalid(validate_actions, ['s3:GetObject', action])
    assert error.field == 'actions'
    assert 'wildcard' in str(error)


@pytest.mark.parametrize('action', ['s3:Foo', 'GetObject', 'ec2:RunInstances',
                                    'sts:GetFederationToken', 's3:GetObject ', 's3:', ''])
def test_unknown_actions_are_rejected_naming_the_field(action):
    error = raises_invalid(validate_actions, [action])
    assert error.field == 'actions'
    assert 'actions' in str(error)


@pytest.mark.parametrize('actions', [[], (), set()], ids=['list', 'tuple', 'set'])
def test_empty_actions_are_rejected(actions):
    error = raises_invalid(bucket_policy, BUCKET, actions=actions)
    assert error.field == 'actions'
    assert 'at least one' in str(error)


@pytest.mark.parametrize('actions', [None, 5, [5], [None], [['s3:GetObject']]], ids=repr)
def test_actions_must_be_strings(actions):
    error = raises_invalid(validate_actions, actions)
    assert error.field == 'actions'


# Regression guard (fixed bug in stsboto.policy): messages are built with ``%r % str(value)``; on Python 2
# ``str()`` of non-ASCII unicode raises UnicodeEncodeError, so a non-ASCII
# bucket name or action escapes as UnicodeEncodeError instead of
# InvalidPolicyError.  Fix: format without str(), e.g. ``'"%s"' % value``
# (or a helper that gives repr() without the u prefix).


@pytest.mark.parametrize('action', ['s3:Get\u00d6bject', 's3:G\u00e9t*'])
def test_non_ascii_actions_are_rejected(action):
    assert raises_invalid(validate_actions, [action]).field == 'actions'


# -- validate_bucket_name -----------------------------------------------------

@pytest.mark.parametrize('bucket', ['abc', 'a' * 63, 'my-bucket.example.com', '1bucket', 'bucket1',
                                    '123', 'a.b-c', 'a-b', 'xn-bucket', 'bucket-s3', 'mrap'])
def test_valid_bucket_names_are_returned(bucket):
    assert validate_bucket_name(bucket) == bucket


@pytest.mark.parametrize('bucket, rule', [
    ('', 'non-empty'),
    (None, 'non-empty'),
    (123, 'non-empty'),
    ('ab', '3-63'),
    ('a' * 64, '3-63'),
    ('Photos', 'lowercase'),
    ('my_bucket', 'lowercase'),
    ('my bucket', 'lowercase'),
    ('bucket!', 'lowercase'),
    ('-bucket', 'begin'),
    ('bucket-', 'end'),
    ('.bucket', 'begin'),
    ('bucket.', 'end'),
    ('my..bucket', 'adjacent dots'),
    ('192.168.5.4', 'IP address'),
    ('10.0.0.1', 'IP address'),
    ('xn--bucket', 'xn--'),
    ('sthree-bucket', 'sthree-'),
    ('amzn-s3-demo-bucket', 'amzn-s3-demo-'),
    ('bucket-s3alias', '-s3alias'),
    ('bucket--ol-s3', '--ol-s3'),
    ('bucket.mrap', '.mrap'),
    ('bucket--x-s3', '--x-s3'),
    ('bucket--table-s3', '--table-s3'),
    pytest.param('b\u00fccket', 'lowercase', id='non-ascii'),
    # Regression guard (fixed bug in stsboto.policy._BUCKET_CHARS): ``$`` matches before a final newline,
    # so 'photos\n' passes and ends up in the policy ARN.  Fix: ``\Z``.
    pytest.param('photos\n', 'lowercase', id='trailing-newline'),
])
def test_bad_bucket_names_are_rejected_naming_the_rule(bucket, rule):
    error = raises_invalid(validate_bucket_name, bucket)
    assert error.field == 'bucket'
    assert 'bucket' in str(error)
    assert rule in str(error)


def test_bucket_name_field_can_be_renamed():
    assert raises_invalid(validate_bucket_name, 'ab', field='target').field == 'target'


# -- prefixes -------------------------------------------------------------------

@pytest.mark.parametrize('prefix', ['users/*', 'users/?', '*', 'a?b/'])
def test_prefix_with_wildcards_is_rejected(prefix):
    error = raises_invalid(bucket_policy, BUCKET, prefix=prefix)
    assert error.field == 'prefix'
    assert '*' in str(error)


@pytest.mark.parametrize('char', ['\x00', '\x01', '\x1f', '\t', '\n', '\r'], ids=repr)
def test_prefix_with_control_characters_is_rejected(char):
    error = raises_invalid(bucket_policy, BUCKET, prefix='users/%s42/' % char)
    assert error.field == 'prefix'


@pytest.mark.parametrize('prefix', ['users/\u0100/', 'users/\u2603/', 'users/\u20ac/'])
def test_prefix_outside_the_sts_character_set_is_rejected(prefix):
    assert raises_invalid(bucket_policy, BUCKET, prefix=prefix).field == 'prefix'


@pytest.mark.parametrize('prefix', ['a' * 1025, '\u00e9' * 513], ids=['1025-ascii', '513-e-acute'])
def test_prefix_longer_than_1024_bytes_is_rejected(prefix):
    error = raises_invalid(validate_prefix, prefix)
    assert error.field == 'prefix'
    assert '1024' in str(error)


@pytest.mark.parametrize('prefix', ['a' * 1024, '\u00e9' * 512], ids=['1024-ascii', '512-e-acute'])
def test_prefix_of_1024_bytes_is_accepted(prefix):
    assert validate_prefix(prefix) == prefix
    statement = bucket_policy(BUCKET, prefix=prefix)['Statement'][0]
    assert statement['Resource'] == 'arn:aws:s3:::photos/%s*' % prefix


@pytest.mark.parametrize('prefix', [None, ''])
def test_empty_prefix_means_the_whole_bucket(prefix):
    assert validate_prefix(prefix) == ''
    assert bucket_policy(BUCKET, prefix=prefix) == bucket_policy(BUCKET)


@pytest.mark.parametrize('prefix', [5, ['users/']], ids=repr)
def test_prefix_must_be_a_string(prefix):
    assert raises_invalid(validate_prefix, prefix).field == 'prefix'


def test_latin1_prefix_is_accepted():
    policy = bucket_policy(BUCKET, prefix='caf\u00e9/')
    assert policy['Statement'][0]['Resource'] == 'arn:aws:s3:::photos/caf\u00e9/*'


# -- issuer_policy ---------------------------------------------------------------

def test_issuer_policy_adds_get_federation_token_to_the_s3_statements():
    policy = issuer_policy(BUCKET)
    assert policy['Version'] == VERSION
    assert policy['Statement'][0] == {'Effect': 'Allow', 'Action': ['sts:GetFederationToken'],
                                      'Resource': '*'}
    assert policy['Statement'][1:] == bucket_policy(BUCKET)['Statement']


def test_issuer_policy_with_prefix_and_partition():
    kwargs = dict(actions=['s3:GetObject', 's3:ListBucket'], prefix='users/', partition='aws-cn')
    policy = issuer_policy(BUCKET, **kwargs)
    assert policy['Statement'][0]['Action'] == ['sts:GetFederationToken']
    assert policy['Statement'][1:] == bucket_policy(BUCKET, **kwargs)['Statement']


def test_issuer_policy_validates_its_input():
    assert raises_invalid(issuer_policy, 'ab').field == 'bucket'
    assert raises_invalid(issuer_policy, BUCKET, actions=[]).field == 'actions'


# -- to_json ---------------------------------------------------------------------

POLICY = {'Version': VERSION,
          'Statement': [{'Effect': 'Allow', 'Action': ['s3:GetObject'],
                         'Resource': 'arn:aws:s3:::photos/*'}]}
POLICY_TEXT = ('{"Statement":[{"Action":["s3:GetObject"],"Effect":"Allow",'
               '"Resource":"arn:aws:s3:::photos/*"}],"Version":"2012-10-17"}')


@pytest.mark.parametrize('given', [
    POLICY, json.dumps(POLICY), json.dumps(POLICY, indent=4), json.dumps(POLICY).encode('utf-8'),
], ids=['dict', 'str', 'pretty-str', 'bytes'])
def test_to_json_is_compact_and_sorted(given):
    text = to_json(given)
    assert text == POLICY_TEXT
    assert isinstance(text, six.text_type)


def test_to_json_is_deterministic_whatever_the_key_order():
    one = {'Version': VERSION, 'Statement': [{'Resource': 'r', 'Effect': 'Allow', 'Action': 'a'}]}
    two = {'Statement': [{'Action': 'a', 'Effect': 'Allow', 'Resource': 'r'}], 'Version': VERSION}
    assert to_json(one) == to_json(two) == \
        '{"Statement":[{"Action":"a","Effect":"Allow","Resource":"r"}],"Version":"2012-10-17"}'


def test_to_json_accepts_a_single_statement_object():
    policy = {'Version': VERSION,
              'Statement': {'Effect': 'Deny', 'Action': 's3:*', 'Resource': '*'}}
    assert json.loads(to_json(policy)) == policy


@pytest.mark.parametrize('policy', [
    ['Statement'], 42, None, '[]', '"policy"', '42', 'null', b'[1]',
], ids=repr)
def test_to_json_rejects_what_is_not_an_object(policy):
    error = raises_invalid(to_json, policy)
    assert error.field == 'policy'
    assert 'object' in str(error)


@pytest.mark.parametrize('text', ['{"Statement": [', "{'Statement': []}", 'Allow everything', ''],
                         ids=repr)
def test_to_json_rejects_invalid_json_text(text):
    assert raises_invalid(to_json, text).field == 'policy'


def test_to_json_rejects_bytes_that_are_not_utf8():
    assert 'UTF-8' in str(raises_invalid(to_json, json.dumps(POLICY).encode('utf-8') + b'\xff'))


@pytest.mark.parametrize('policy', [
    {'Version': VERSION},
    {'Version': VERSION, 'Statement': []},
    {'Version': VERSION, 'Statement': {}},
    {'Version': VERSION, 'Statement': 'Allow'},
    {'Version': VERSION, 'statement': POLICY['Statement']},
], ids=['missing', 'empty-list', 'empty-object', 'string', 'lowercase-key'])
def test_to_json_requires_a_statement(policy):
    error = raises_invalid(to_json, policy)
    assert 'Statement' in str(error)


@pytest.mark.parametrize('statement', [
    {'Action': 's3:GetObject', 'Resource': '*'},
    {'Effect': 'allow', 'Action': 's3:GetObject', 'Resource': '*'},
    {'Effect': 'Permit', 'Action': 's3:GetObject', 'Resource': '*'},
    {'Effect': True, 'Action': 's3:GetObject', 'Resource': '*'},
    'Allow',
], ids=['missing', 'lowercase', 'permit', 'bool', 'not-an-object'])
def test_to_json_requires_allow_or_deny_in_every_statement(statement):
    policy = {'Version': VERSION,
              'Statement': [{'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': '*'},
                            statement]}
    error = raises_invalid(to_json, policy)
    assert 'Effect' in str(error)


def tenant_policy(tenants):
    """What a multi-tenant issuer might send: one read-write prefix per tenant."""
    return {'Version': VERSION, 'Statement': [
        {'Sid': 'ReadWriteTenantUploads', 'Effect': 'Allow',
         'Action': ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject', 's3:DeleteObject'],
         'Resource': ['arn:aws:s3:::photos/tenants/tenant-%04d/uploads/*' % n
                      for n in range(tenants)]},
        {'Sid': 'ListTenantUploads', 'Effect': 'Allow', 'Action': ['s3:ListBucket'],
         'Resource': 'arn:aws:s3:::photos',
         'Condition': {'StringLike': {'s3:prefix': ['tenants/tenant-%04d/uploads/*' % n
                                                    for n in range(tenants)]}}},
    ]}


def test_to_json_rejects_policies_over_2048_characters():
    policy = tenant_policy(30)
    error = raises_invalid(to_json, policy)
    assert error.field == 'policy'
    assert str(len(compact(policy))) in str(error)
    assert '2048' in str(error)


def padded_policy(length, pad):
    """A realistic policy whose compact JSON is exactly ``length`` characters."""
    policy = tenant_policy(12)
    policy['Statement'][0]['Sid'] = ''
    short = len(compact(policy))
    assert short < length
    policy['Statement'][0]['Sid'] = pad * (length - short)
    assert len(compact(policy)) == length
    return policy


@pytest.mark.parametrize('pad', ['A', '\u00e9'], ids=['ascii', 'e-acute'])
def test_policy_of_exactly_2048_characters_is_accepted(pad):
    text = to_json(padded_policy(MAX_POLICY_LENGTH, pad))
    assert len(text) == MAX_POLICY_LENGTH == 2048


@pytest.mark.parametrize('pad', ['A', '\u00e9'], ids=['ascii', 'e-acute'])
def test_policy_of_2049_characters_is_rejected(pad):
    error = raises_invalid(to_json, padded_policy(MAX_POLICY_LENGTH + 1, pad))
    assert '2049' in str(error)


def test_latin1_character_is_kept_and_counted_as_one():
    policy = {'Version': VERSION, 'Statement': [
        {'Sid': 'Caf\u00e9', 'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': '*'}]}
    text = to_json(policy)
    assert '\u00e9' in text
    assert '\\u00e9' not in text
    assert len(text) == len(compact(policy))


@pytest.mark.parametrize('char', ['\u0100', '\u2603', '\u20ac'], ids=['U+0100', 'U+2603', 'U+20AC'])
def test_characters_above_u00ff_are_rejected_with_their_position(char):
    resource = 'arn:aws:s3:::photos/caf\u00e9-%s/*' % char
    policy = {'Version': VERSION,
              'Statement': [{'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': resource}]}
    position = compact(policy).index(char)
    error = raises_invalid(to_json, policy)
    assert 'U+%04X' % ord(char) in str(error)
    assert 'position %d' % position in str(error)


def test_first_bad_character_is_reported():
    policy = {'Version': VERSION, 'Statement': [{'Effect': 'Allow', 'Action': 's3:GetObject',
                                                 'Resource': 'arn:aws:s3:::photos/\u2603\u0100/*'}]}
    assert 'U+2603' in str(raises_invalid(to_json, policy))


def test_to_json_field_name_can_be_renamed():
    assert raises_invalid(to_json, [], field='grant').field == 'grant'


# -- policy variables (issue 11 item 1) ----------------------------------------

@pytest.mark.parametrize('prefix', ['users/${aws:UserAgent}/', 'users/${aws:Referer}/',
                                    'users/${s3:x-amz-acl}/', 'users/${aws:userid}/',
                                    'a$b/', 'a{b}/', 'users/}/', '${$}/'])
def test_prefix_with_a_policy_variable_is_refused_without_opt_in(prefix):
    error = raises_invalid(bucket_policy, BUCKET, prefix=prefix)
    assert error.field == 'prefix'
    assert 'policy variable' in str(error) and 'policy_variables' in str(error)


def test_opted_in_variable_reaches_the_resource_and_the_listing_condition():
    policy = bucket_policy(BUCKET, actions=['s3:GetObject', 's3:ListBucket'],
                           prefix='home/${aws:userid}/', policy_variables=['aws:userid'])
    assert statement_for(policy, BUCKET_ARN + '/home/${aws:userid}/*')['Action'] == ['s3:GetObject']
    listing = statement_for(policy, BUCKET_ARN)
    assert listing['Condition'] == {'StringLike': {'s3:prefix': ['home/${aws:userid}/*']}}


@pytest.mark.parametrize('variables', [['aws:userid', 'aws:username'], 'aws:USERID',
                                       ('aws:PrincipalAccount', 'aws:userid')])
def test_every_safe_variable_can_be_opted_in(variables):
    policy = bucket_policy(BUCKET, prefix='h/${aws:userid}/', policy_variables=variables)
    assert policy['Statement'][0]['Resource'] == BUCKET_ARN + '/h/${aws:userid}/*'


@pytest.mark.parametrize('variable', ['aws:UserAgent', 'aws:Referer', 's3:x-amz-acl',
                                      'aws:SourceIp', 'aws:PrincipalTag/team', '*', 3])
def test_header_derived_variables_cannot_be_opted_in(variable):
    error = raises_invalid(bucket_policy, BUCKET, prefix='u/${aws:UserAgent}/',
                           policy_variables=[variable])
    assert error.field == 'policy_variables'
    assert 'aws:userid' in str(error)


def test_opting_in_one_variable_does_not_allow_another():
    error = raises_invalid(bucket_policy, BUCKET, prefix='u/${aws:userid}/${aws:UserAgent}/',
                           policy_variables=['aws:userid'])
    assert error.field == 'prefix' and '${aws:userid}' in str(error)
    raises_invalid(bucket_policy, BUCKET, prefix='u/${aws:userid/', policy_variables=['aws:userid'])


@pytest.mark.parametrize('bucket', ['${aws:username}', 'photos${x}', 'a{b}c', 'ph$tos'])
def test_bucket_name_with_variable_characters_is_refused_saying_why(bucket):
    error = raises_invalid(bucket_policy, bucket)
    assert error.field == 'bucket' and 'policy variable' in str(error)


def test_issuer_policy_takes_the_same_opt_in():
    policy = issuer_policy(BUCKET, prefix='h/${aws:userid}/', policy_variables=['aws:userid'])
    assert policy['Statement'][1]['Resource'] == BUCKET_ARN + '/h/${aws:userid}/*'
    raises_invalid(issuer_policy, BUCKET, prefix='h/${aws:userid}/')


def test_policy_document_with_unsafe_variables_is_sent_with_a_warning(caplog):
    import logging
    policy = {'Version': VERSION, 'Statement': [{
        'Effect': 'Allow', 'Action': 's3:GetObject',
        'Resource': [BUCKET_ARN + '/${aws:UserAgent}/*', BUCKET_ARN + '/${aws:userid}/*']}]}
    with caplog.at_level(logging.WARNING, logger='stsboto.policy'):
        text = to_json(policy)
    assert json.loads(text) == policy
    warnings = [r.getMessage() for r in caplog.records if r.name == 'stsboto.policy']
    assert len(warnings) == 1
    assert '${aws:UserAgent}' in warnings[0] and '${aws:userid}' not in warnings[0].split(';')[0]


def test_policy_document_with_safe_variables_only_is_not_warned_about(caplog):
    import logging
    policy = {'Statement': [{'Effect': 'Allow', 'Action': 's3:GetObject',
                             'Resource': BUCKET_ARN + '/${aws:userid}/*'}]}
    with caplog.at_level(logging.WARNING, logger='stsboto.policy'):
        to_json(policy)
    assert not [r for r in caplog.records if r.name == 'stsboto.policy']


# -- bad policy values (issue 11 item 6) ---------------------------------------

def _allow(**extra):
    statement = {'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': BUCKET_ARN + '/*'}
    statement.update(extra)
    return {'Version': VERSION, 'Statement': [statement]}


@pytest.mark.parametrize('text', [
    '[' * 100000 + ']' * 100000,
    '{"Statement": ' * 5000 + '1' + '}' * 5000,
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "C": ' + '[' * 40 + ']' * 40 + '}]}',
])
def test_deeply_nested_json_text_is_refused_not_a_recursion_error(text):
    error = raises_invalid(to_json, text)
    assert error.field == 'policy'


def test_nesting_inside_strings_does_not_count():
    text = json.dumps(_allow(Sid='[' * 100))
    assert json.loads(to_json(text))['Statement'][0]['Sid'] == '[' * 100


def test_deeply_nested_and_self_referring_dicts_are_refused():
    deep = inner = {}
    for _ in range(5000):
        inner['x'] = {}
        inner = inner['x']
    raises_invalid(to_json, _allow(Condition=deep))
    cycle = _allow()
    cycle['Statement'][0]['Condition'] = cycle
    error = raises_invalid(to_json, cycle)
    assert 'nests deeper' in str(error)


@pytest.mark.parametrize('value, shown', [
    (set(['s3:GetObject']), 'set'), (object(), 'object'),
    pytest.param(b'bytes', 'bytes', marks=pytest.mark.applies(six.PY3, reason='bytes are text on Python 2')),
    (float('nan'), 'nan'), (float('inf'), 'inf'), (float('-inf'), '-inf'),
])
def test_values_json_cannot_carry_are_refused_naming_the_path(value, shown):
    error = raises_invalid(to_json, _allow(Condition={'NumericLessThan': {'x': value}}))
    assert 'policy.Statement[0].Condition.NumericLessThan.x' in str(error)
    assert shown in str(error)


def test_non_string_keys_are_refused():
    error = raises_invalid(to_json, _allow(Condition={1: 'x'}))
    assert 'key of type int' in str(error)


@pytest.mark.parametrize('constant', ['NaN', 'Infinity', '-Infinity', '1e999'])
def test_nan_and_infinity_in_json_text_are_refused(constant):
    text = '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", ' \
           '"Condition": {"NumericLessThan": {"x": %s}}}]}' % constant
    error = raises_invalid(to_json, text)
    assert error.field == 'policy'
