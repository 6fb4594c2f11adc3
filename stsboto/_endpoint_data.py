"""FIPS, dual-stack and S3 accelerate hosts, generated from botocore 1.44.18's endpoint
rulesets by tools/gen_endpoint_data.py: do not edit (regenerate; a py3 test compares).

HOSTS[service][variant] = (pattern, {region: host, or None where there is none}):
the pattern holds {region}, {dns} (the partition's DNS suffix), {dsdns} (its
dual-stack suffix) and, for S3 accelerate and access points, {bucket}
(the bucket; NAME-ACCOUNT of an access point).
"""
# flake8: noqa
BOTOCORE_VERSION = '1.44.18'
PARTITION_OUTPUTS = {'aws': {'dnsSuffix': 'amazonaws.com',
         'dualStackDnsSuffix': 'api.aws',
         'supportsDualStack': True,
         'supportsFIPS': True},
 'aws-cn': {'dnsSuffix': 'amazonaws.com.cn',
            'dualStackDnsSuffix': 'api.amazonwebservices.com.cn',
            'supportsDualStack': True,
            'supportsFIPS': True},
 'aws-eusc': {'dnsSuffix': 'amazonaws.eu',
              'dualStackDnsSuffix': 'api.amazonwebservices.eu',
              'supportsDualStack': True,
              'supportsFIPS': True},
 'aws-iso': {'dnsSuffix': 'c2s.ic.gov',
             'dualStackDnsSuffix': 'api.aws.ic.gov',
             'supportsDualStack': True,
             'supportsFIPS': True},
 'aws-iso-b': {'dnsSuffix': 'sc2s.sgov.gov',
               'dualStackDnsSuffix': 'api.aws.scloud',
               'supportsDualStack': True,
               'supportsFIPS': True},
 'aws-iso-e': {'dnsSuffix': 'cloud.adc-e.uk',
               'dualStackDnsSuffix': 'api.cloud-aws.adc-e.uk',
               'supportsDualStack': True,
               'supportsFIPS': True},
 'aws-iso-f': {'dnsSuffix': 'csp.hci.ic.gov',
               'dualStackDnsSuffix': 'api.aws.hci.ic.gov',
               'supportsDualStack': True,
               'supportsFIPS': True},
 'aws-us-gov': {'dnsSuffix': 'amazonaws.com',
                'dualStackDnsSuffix': 'api.aws',
                'supportsDualStack': True,
                'supportsFIPS': True}}
HOSTS = {
    'autoscaling': {
        'fips': ('autoscaling-fips.{region}.{dns}', {
            'us-gov-east-1': 'autoscaling.us-gov-east-1.{dns}',
            'us-gov-west-1': 'autoscaling.us-gov-west-1.{dns}',
        }),
        'dualstack': ('autoscaling.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('autoscaling-fips.{region}.{dsdns}', {
        }),
    },
    'awslambda': {
        'fips': ('lambda-fips.{region}.{dns}', {
        }),
        'dualstack': ('lambda.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('lambda-fips.{region}.{dsdns}', {
        }),
    },
    'cloudformation': {
        'fips': ('cloudformation-fips.{region}.{dns}', {
            'us-gov-east-1': 'cloudformation.us-gov-east-1.{dns}',
            'us-gov-west-1': 'cloudformation.us-gov-west-1.{dns}',
        }),
        'dualstack': ('cloudformation.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('cloudformation-fips.{region}.{dsdns}', {
        }),
    },
    'cloudhsm': {
        'fips': ('cloudhsm-fips.{region}.{dns}', {
        }),
        'dualstack': ('cloudhsm.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('cloudhsm-fips.{region}.{dsdns}', {
        }),
    },
    'cloudsearch': {
        'fips': ('cloudsearch-fips.{region}.{dns}', {
        }),
        'dualstack': ('cloudsearch.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('cloudsearch-fips.{region}.{dsdns}', {
        }),
    },
    'cloudsearchdomain': {
        'fips': ('cloudsearchdomain-fips.{region}.{dns}', {
        }),
        'dualstack': ('cloudsearchdomain.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('cloudsearchdomain-fips.{region}.{dsdns}', {
        }),
    },
    'cloudtrail': {
        'fips': ('cloudtrail-fips.{region}.{dns}', {
            'us-gov-east-1': 'cloudtrail.us-gov-east-1.{dns}',
            'us-gov-west-1': 'cloudtrail.us-gov-west-1.{dns}',
        }),
        'dualstack': ('cloudtrail.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('cloudtrail-fips.{region}.{dsdns}', {
        }),
    },
    'cloudwatch': {
        'fips': ('monitoring-fips.{region}.{dns}', {
            'us-gov-east-1': 'monitoring.us-gov-east-1.{dns}',
            'us-gov-west-1': 'monitoring.us-gov-west-1.{dns}',
        }),
        'dualstack': ('monitoring.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('monitoring-fips.{region}.{dsdns}', {
            'us-gov-east-1': 'monitoring.us-gov-east-1.{dsdns}',
            'us-gov-west-1': 'monitoring.us-gov-west-1.{dsdns}',
        }),
    },
    'codedeploy': {
        'fips': ('codedeploy-fips.{region}.{dns}', {
        }),
        'dualstack': ('codedeploy.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('codedeploy-fips.{region}.{dsdns}', {
        }),
    },
    'cognito-identity': {
        'fips': ('cognito-identity-fips.{region}.{dns}', {
        }),
        'dualstack': ('cognito-identity.{region}.{dns}', {
            'cn-north-1': 'cognito-identity.cn-north-1.{dsdns}',
            'cn-northwest-1': 'cognito-identity.cn-northwest-1.{dsdns}',
            'us-gov-east-1': 'cognito-identity.us-gov-east-1.{dsdns}',
            'us-gov-west-1': 'cognito-identity.us-gov-west-1.{dsdns}',
        }),
        'fips-dualstack': ('cognito-identity-fips.{region}.{dsdns}', {
            'us-east-1': 'cognito-identity-fips.us-east-1.{dns}',
            'us-east-2': 'cognito-identity-fips.us-east-2.{dns}',
            'us-west-1': 'cognito-identity-fips.us-west-1.{dns}',
            'us-west-2': 'cognito-identity-fips.us-west-2.{dns}',
        }),
    },
    'cognito-sync': {
        'fips': ('cognito-sync-fips.{region}.{dns}', {
        }),
        'dualstack': ('cognito-sync.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('cognito-sync-fips.{region}.{dsdns}', {
        }),
    },
    'configservice': {
        'fips': ('config-fips.{region}.{dns}', {
            'us-gov-east-1': 'config.us-gov-east-1.{dns}',
            'us-gov-west-1': 'config.us-gov-west-1.{dns}',
        }),
        'dualstack': ('config.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('config-fips.{region}.{dsdns}', {
        }),
    },
    'datapipeline': {
        'fips': ('datapipeline-fips.{region}.{dns}', {
        }),
        'dualstack': ('datapipeline.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('datapipeline-fips.{region}.{dsdns}', {
        }),
    },
    'directconnect': {
        'fips': ('directconnect-fips.{region}.{dns}', {
        }),
        'dualstack': ('directconnect.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('directconnect-fips.{region}.{dsdns}', {
        }),
    },
    'dynamodb': {
        'fips': ('dynamodb-fips.{region}.{dns}', {
            'us-gov-east-1': 'dynamodb.us-gov-east-1.{dns}',
            'us-gov-west-1': 'dynamodb.us-gov-west-1.{dns}',
        }),
        'dualstack': ('dynamodb.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('dynamodb-fips.{region}.{dsdns}', {
        }),
    },
    'ec2': {
        'fips': ('ec2-fips.{region}.{dns}', {
            'us-gov-east-1': 'ec2.us-gov-east-1.{dns}',
            'us-gov-west-1': 'ec2.us-gov-west-1.{dns}',
        }),
        'dualstack': ('ec2.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('ec2-fips.{region}.{dsdns}', {
        }),
    },
    'ec2containerservice': {
        'fips': ('ecs-fips.{region}.{dns}', {
        }),
        'dualstack': ('ecs.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('ecs-fips.{region}.{dsdns}', {
        }),
    },
    'elasticache': {
        'fips': ('elasticache-fips.{region}.{dns}', {
            'us-gov-east-1': 'elasticache.us-gov-east-1.{dns}',
            'us-gov-west-1': 'elasticache.us-gov-west-1.{dns}',
        }),
        'dualstack': ('elasticache.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('elasticache-fips.{region}.{dsdns}', {
        }),
    },
    'elasticbeanstalk': {
        'fips': ('elasticbeanstalk-fips.{region}.{dns}', {
            'us-gov-east-1': 'elasticbeanstalk.us-gov-east-1.{dns}',
            'us-gov-west-1': 'elasticbeanstalk.us-gov-west-1.{dns}',
        }),
        'dualstack': ('elasticbeanstalk.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('elasticbeanstalk-fips.{region}.{dsdns}', {
        }),
    },
    'elasticloadbalancing': {
        'fips': ('elasticloadbalancing-fips.{region}.{dns}', {
            'us-gov-east-1': 'elasticloadbalancing.us-gov-east-1.{dns}',
            'us-gov-west-1': 'elasticloadbalancing.us-gov-west-1.{dns}',
        }),
        'dualstack': ('elasticloadbalancing.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('elasticloadbalancing-fips.{region}.{dsdns}', {
        }),
    },
    'elasticmapreduce': {
        'fips': ('elasticmapreduce-fips.{region}.{dns}', {
            'us-gov-east-1': 'elasticmapreduce.us-gov-east-1.{dns}',
            'us-gov-west-1': 'elasticmapreduce.us-gov-west-1.{dns}',
        }),
        'dualstack': ('elasticmapreduce.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('elasticmapreduce-fips.{region}.{dsdns}', {
        }),
    },
    'glacier': {
        'fips': ('glacier-fips.{region}.{dns}', {
            'us-gov-east-1': 'glacier.us-gov-east-1.{dns}',
            'us-gov-west-1': 'glacier.us-gov-west-1.{dns}',
        }),
        'dualstack': ('glacier.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('glacier-fips.{region}.{dsdns}', {
        }),
    },
    'iam': {
        'fips': ('iam-fips.{dns}', {
            'us-gov-east-1': 'iam.us-gov.{dns}',
            'us-gov-west-1': 'iam.us-gov.{dns}',
        }),
        'dualstack': ('iam.global.{dsdns}', {
            'us-gov-east-1': 'iam.us-gov.{dsdns}',
            'us-gov-west-1': 'iam.us-gov.{dsdns}',
        }),
        'fips-dualstack': ('iam-fips.global.{dsdns}', {
            'cn-north-1': 'iam-fips.{dsdns}',
            'cn-northwest-1': 'iam-fips.{dsdns}',
            'us-gov-east-1': 'iam.us-gov.{dsdns}',
            'us-gov-west-1': 'iam.us-gov.{dsdns}',
        }),
    },
    'kinesis': {
        'fips': ('kinesis-fips.{region}.{dns}', {
            'us-gov-east-1': 'kinesis.us-gov-east-1.{dns}',
            'us-gov-west-1': 'kinesis.us-gov-west-1.{dns}',
        }),
        'dualstack': ('kinesis.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('kinesis-fips.{region}.{dsdns}', {
        }),
    },
    'kms': {
        'fips': ('kms-fips.{region}.{dns}', {
        }),
        'dualstack': ('kms.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('kms-fips.{region}.{dsdns}', {
        }),
    },
    'logs': {
        'fips': ('logs-fips.{region}.{dns}', {
            'us-gov-east-1': 'logs.us-gov-east-1.{dns}',
            'us-gov-west-1': 'logs.us-gov-west-1.{dns}',
        }),
        'dualstack': ('logs.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('logs-fips.{region}.{dsdns}', {
        }),
    },
    'machinelearning': {
        'fips': ('machinelearning-fips.{region}.{dns}', {
        }),
        'dualstack': ('machinelearning.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('machinelearning-fips.{region}.{dsdns}', {
        }),
    },
    'rds': {
        'fips': ('rds-fips.{region}.{dns}', {
            'us-gov-east-1': 'rds.us-gov-east-1.{dns}',
            'us-gov-west-1': 'rds.us-gov-west-1.{dns}',
        }),
        'dualstack': ('rds.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('rds-fips.{region}.{dsdns}', {
        }),
    },
    'redshift': {
        'fips': ('redshift-fips.{region}.{dns}', {
            'us-gov-east-1': 'redshift.us-gov-east-1.{dns}',
            'us-gov-west-1': 'redshift.us-gov-west-1.{dns}',
        }),
        'dualstack': ('redshift.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('redshift-fips.{region}.{dsdns}', {
        }),
    },
    'route53': {
        'fips': ('route53-fips.{dns}', {
            'us-gov-east-1': 'route53.us-gov.{dns}',
            'us-gov-west-1': 'route53.us-gov.{dns}',
        }),
        'dualstack': ('route53.global.{dsdns}', {
            'us-gov-east-1': 'route53.us-gov.{dsdns}',
            'us-gov-west-1': 'route53.us-gov.{dsdns}',
        }),
        'fips-dualstack': ('route53-fips.global.{dsdns}', {
            'cn-north-1': 'route53-fips.{dsdns}',
            'cn-northwest-1': 'route53-fips.{dsdns}',
            'us-gov-east-1': 'route53.us-gov.{dsdns}',
            'us-gov-west-1': 'route53.us-gov.{dsdns}',
        }),
    },
    'route53domains': {
        'fips': ('route53domains-fips.{region}.{dns}', {
        }),
        'dualstack': ('route53domains.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('route53domains-fips.{region}.{dsdns}', {
        }),
    },
    's3': {
        'fips': ('s3-fips.{region}.{dns}', {
            'cn-north-1': None,
            'cn-northwest-1': None,
        }),
        'dualstack': ('s3.dualstack.{region}.{dns}', {
        }),
        'fips-dualstack': ('s3-fips.dualstack.{region}.{dns}', {
            'cn-north-1': None,
            'cn-northwest-1': None,
        }),
        'accelerate': ('{bucket}.s3-accelerate.{dns}', {
            'cn-north-1': None,
            'cn-northwest-1': None,
        }),
        'accelerate-dualstack': ('{bucket}.s3-accelerate.dualstack.{dns}', {
            'cn-north-1': None,
            'cn-northwest-1': None,
        }),
        'accesspoint': ('{bucket}.s3-accesspoint.{region}.{dns}', {
        }),
        'accesspoint-fips': ('{bucket}.s3-accesspoint-fips.{region}.{dns}', {
            'cn-north-1': None,
            'cn-northwest-1': None,
        }),
        'accesspoint-dualstack': ('{bucket}.s3-accesspoint.dualstack.{region}.{dns}', {
        }),
        'accesspoint-fips-dualstack': ('{bucket}.s3-accesspoint-fips.dualstack.{region}.{dns}', {
            'cn-north-1': None,
            'cn-northwest-1': None,
        }),
    },
    'sdb': {
        'fips': ('sdb-fips.{region}.{dns}', {
        }),
        'dualstack': ('sdb.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('sdb-fips.{region}.{dsdns}', {
        }),
    },
    'ses': {
        'fips': ('email-fips.{region}.{dns}', {
        }),
        'dualstack': ('email.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('email-fips.{region}.{dsdns}', {
        }),
    },
    'sns': {
        'fips': ('sns-fips.{region}.{dns}', {
            'us-gov-east-1': 'sns.us-gov-east-1.{dns}',
            'us-gov-west-1': 'sns.us-gov-west-1.{dns}',
        }),
        'dualstack': ('sns.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('sns-fips.{region}.{dsdns}', {
        }),
    },
    'sqs': {
        'fips': ('sqs-fips.{region}.{dns}', {
            'us-gov-east-1': 'sqs.us-gov-east-1.{dns}',
            'us-gov-west-1': 'sqs.us-gov-west-1.{dns}',
        }),
        'dualstack': ('sqs.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('sqs-fips.{region}.{dsdns}', {
        }),
    },
    'sts': {
        'fips': ('sts-fips.{region}.{dns}', {
            'us-gov-east-1': 'sts.us-gov-east-1.{dns}',
            'us-gov-west-1': 'sts.us-gov-west-1.{dns}',
        }),
        'dualstack': ('sts.{region}.{dsdns}', {
        }),
        'fips-dualstack': ('sts-fips.{region}.{dsdns}', {
        }),
    },
    'support': {
        'fips': ('support-fips.us-east-1.{dns}', {
            'us-east-1': 'support-fips.us-east-1.{dns}',
            'cn-north-1': 'support-fips.cn-north-1.{dns}',
            'cn-northwest-1': 'support-fips.cn-north-1.{dns}',
            'us-gov-east-1': 'support-fips.us-gov-west-1.{dns}',
            'us-gov-west-1': 'support-fips.us-gov-west-1.{dns}',
        }),
        'dualstack': ('support.us-east-1.{dsdns}', {
            'us-east-1': 'support.us-east-1.{dsdns}',
            'cn-north-1': 'support.cn-north-1.{dsdns}',
            'cn-northwest-1': 'support.cn-north-1.{dsdns}',
            'us-gov-east-1': 'support.us-gov-west-1.{dsdns}',
            'us-gov-west-1': 'support.us-gov-west-1.{dsdns}',
        }),
        'fips-dualstack': ('support-fips.us-east-1.{dsdns}', {
            'us-east-1': 'support-fips.us-east-1.{dsdns}',
            'cn-north-1': 'support-fips.cn-north-1.{dsdns}',
            'cn-northwest-1': 'support-fips.cn-north-1.{dsdns}',
            'us-gov-east-1': 'support-fips.us-gov-west-1.{dsdns}',
            'us-gov-west-1': 'support-fips.us-gov-west-1.{dsdns}',
        }),
    },
    'swf': {
        'fips': ('swf-fips.{region}.{dns}', {
            'us-gov-east-1': 'swf.us-gov-east-1.{dns}',
            'us-gov-west-1': 'swf.us-gov-west-1.{dns}',
        }),
        'dualstack': ('swf.{region}.{dsdns}', {
            'us-gov-east-1': 'swf-fips.us-gov-east-1.{dsdns}',
            'us-gov-west-1': 'swf-fips.us-gov-west-1.{dsdns}',
        }),
        'fips-dualstack': ('swf-fips.{region}.{dsdns}', {
        }),
    },
}
