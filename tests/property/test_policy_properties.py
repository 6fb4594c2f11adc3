"""The policy builders never grant more than asked: no wildcard but the one that
ends the prefix, no policy variable, no other bucket, no other action."""
from __future__ import absolute_import, unicode_literals

import json
import re

from hypothesis import assume, given, strategies as st

import stsboto  # noqa: F401  (first: makes boto importable on Python 3.12+)
from stsboto.exceptions import InvalidPolicyError
from stsboto.policy import (BUCKET_ACTIONS, OBJECT_ACTIONS, bucket_policy, issuer_policy, to_json,
                            validate_bucket_name)

ACTIONS = OBJECT_ACTIONS + BUCKET_ACTIONS
# Mostly valid bucket names, with the characters that would widen a grant mixed in.
buckets = st.one_of(
    st.from_regex(r'\A[a-z0-9][a-z0-9.-]{1,20}[a-z0-9]\Z'),
    st.text(alphabet='abc.-*?${}/:\n 0', min_size=0, max_size=12),
)
prefixes = st.one_of(st.none(), st.text(max_size=40),
                     st.text(alphabet='ab/_-.*?${}: %\u00e9\u2603\n', max_size=20),
                     st.sampled_from(['u/${aws:UserAgent}/', '${aws:userid}/', 'a/*', '../', '{x}']))
actions = st.one_of(
    st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=6),
    st.lists(st.sampled_from(ACTIONS + ('s3:*', '*', 's3:Get*', 'iam:PassRole', 's3:getobject')),
             min_size=0, max_size=4),
)


def resources(policy):
    for statement in policy['Statement']:
        resource = statement['Resource']
        for item in resource if isinstance(resource, list) else [resource]:
            yield statement, item


@given(bucket=buckets, prefix=prefixes, wanted=actions,
       partition=st.sampled_from(['aws', 'aws-cn', 'aws-us-gov']))
def test_bucket_policy_grants_nothing_wider_than_asked(bucket, prefix, wanted, partition):
    try:
        policy = bucket_policy(bucket, actions=wanted, prefix=prefix, partition=partition)
    except InvalidPolicyError as error:
        assert isinstance(error, ValueError)
        assert error.field in ('bucket', 'prefix', 'actions', 'policy')
        return
    validate_bucket_name(bucket)  # it passed, so it is a valid bucket name
    prefix = prefix or ''
    bucket_arn = 'arn:%s:s3:::%s' % (partition, bucket)
    asked = set(a.lower() for a in wanted)
    for statement, resource in resources(policy):
        assert statement['Effect'] == 'Allow'
        assert resource in (bucket_arn, '%s/%s*' % (bucket_arn, prefix))
        assert '${' not in resource and '?' not in resource
        assert '*' not in resource[:-1]
        for action in statement['Action']:
            assert action.lower() in asked and '*' not in action
            assert (action in OBJECT_ACTIONS) == (resource != bucket_arn)
        condition = statement.get('Condition')
        if condition is not None:
            assert condition == {'StringLike': {'s3:prefix': [prefix + '*']}}
    assert json.loads(to_json(policy)) == policy


@given(bucket=buckets, prefix=prefixes, wanted=actions)
def test_issuer_policy_adds_only_get_federation_token(bucket, prefix, wanted):
    try:
        policy = issuer_policy(bucket, actions=wanted, prefix=prefix)
    except InvalidPolicyError:
        return
    first = policy['Statement'][0]
    assert first == {'Effect': 'Allow', 'Action': ['sts:GetFederationToken'], 'Resource': '*'}
    assert policy['Statement'][1:] == bucket_policy(bucket, actions=wanted, prefix=prefix)['Statement']


@given(prefix=st.text(alphabet='ab/${}:', min_size=1, max_size=16),
       name=st.sampled_from(['aws:userid', 'aws:username', 'aws:PrincipalAccount']))
def test_an_opted_in_variable_admits_only_itself(prefix, name):
    assume('$' in prefix or '{' in prefix or '}' in prefix)
    try:
        policy = bucket_policy('photos', prefix=prefix, policy_variables=[name])
    except InvalidPolicyError:
        return
    # what is left after removing the opted-in variable holds no variable syntax at all
    rest = re.sub(re.escape('${%s}' % name), '', prefix, flags=re.IGNORECASE)
    assert not set('${}') & set(rest)
    assert policy['Statement'][0]['Resource'] == 'arn:aws:s3:::photos/%s*' % prefix


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=6), children, max_size=4)),
    max_leaves=30)


@given(st.one_of(json_values, st.text(max_size=200),
                 st.text(alphabet='[]{}",:0aN', max_size=300), st.binary(max_size=50)))
def test_to_json_returns_text_sts_accepts_or_a_policy_error(value):
    try:
        text = to_json(value)
    except InvalidPolicyError as error:
        assert error.field == 'policy'
        return
    assert len(text) <= 2048
    parsed = json.loads(text)   # valid JSON: no NaN, no Infinity
    assert 'NaN' not in text or 'NaN' in json.dumps(parsed)
    assert json.dumps(parsed, separators=(',', ':'), sort_keys=True, ensure_ascii=False) == text
