"""stsboto._validate: the number, duration and JSON checks every module uses."""
from __future__ import absolute_import, unicode_literals

import pytest

from stsboto._validate import validate_json_depth
from stsboto.exceptions import InvalidParameterError


@pytest.mark.parametrize('text, deepest', [
    ('[]', 1), ('[[], [[]]]', 3), ('{"a": [{"b": []}]}', 4), ('"[[[[[["', 0),
    ('["\\\\", [[]]]', 3), ('["\\"[[[[", []]', 2), ('"unterminated [[[[[', 0), (']]]][[', 2),
])
def test_validate_json_depth_counts_brackets_outside_strings(text, deepest):
    validate_json_depth(text, 'f', deepest)
    if deepest:
        with pytest.raises(InvalidParameterError) as info:
            validate_json_depth(text, 'f', deepest - 1)
        assert info.value.field == 'f'
