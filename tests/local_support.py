"""What the tests of stsboto.local share: an issuing user's keys as moto's IAM answers them."""
from __future__ import absolute_import, unicode_literals

ISSUER_KEY = 'AKIAISSUERKEY0000001'
ISSUER_SECRET = 'issuer/secret+key/0123456789abcdefghijkl'


def access_key_response(key=ISSUER_KEY, secret=ISSUER_SECRET):
    """boto's parsed CreateAccessKey answer."""
    return {'create_access_key_response': {
        'create_access_key_result': {'access_key': {
            'user_name': 'stsboto-issuer', 'access_key_id': key, 'status': 'Active',
            'secret_access_key': secret}},
        'response_metadata': {'request_id': 'R1'}}}
