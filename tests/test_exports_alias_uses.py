"""The `__all__` rule's quick read finds an alias's uses without a regex per alias; it must
find exactly what the regex `\\balias\\b(\\.\\s*(\\w+))?` finds, on any text."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from mmkit.checks.exports import _alias_uses, _without_alias

TEXT = st.lists(
    st.sampled_from(
        [b"f", b"fa", b"af", b"f_", b".", b" ", b"\n", b"\t", b"x", b"1", b"(", b"\xc3\xa9"]
    ),
    max_size=30,
).map(b"".join)
ALIAS = st.sampled_from([b"f", b"fa", b"f_", b"m0024_facade"])


def _regex(alias: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"\b" + re.escape(alias) + rb"\b(\.\s*(\w+))?")


@given(TEXT, ALIAS)
def test_the_uses_are_the_regex_matches(data: bytes, alias: bytes) -> None:
    expected = [(m.start(), m.end(), m[2]) for m in _regex(alias).finditer(data)]
    assert list(_alias_uses(data, alias)) == expected


@given(TEXT, ALIAS)
def test_taking_the_uses_out_is_the_regex_substitution(data: bytes, alias: bytes) -> None:
    assert _without_alias(data, alias) == _regex(alias).sub(b"", data)


def test_a_use_across_a_line_break_reads_the_attribute() -> None:
    data = b"import a.facade as f\nx = f.\n    name\n"
    assert list(_alias_uses(data, b"f")) == [(19, 20, None), (25, 36, b"name")]
