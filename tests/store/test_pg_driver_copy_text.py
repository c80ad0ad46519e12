"""COPY's text made a column at a time (pg_driver._column_texts, the merge's path) is the text of each value made
alone (copy_text), whatever the column holds: texts with the characters COPY escapes, NULs, NULLs, integers,
mixed kinds. The server's reading of that text is held to the values themselves in test_copy_values.py."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cvdesk.store.pg_driver import _column_texts, copy_text

TEXTS = st.text(alphabet=st.sampled_from(["a", "é", " ", "\\", "\t", "\n", "\r", "\x00", "N", "«"]), max_size=12)
COLUMNS = st.one_of(
    st.lists(TEXTS, max_size=30),
    st.lists(st.one_of(TEXTS, st.none()), max_size=30),
    st.lists(st.integers(-2**63, 2**63 - 1), max_size=30),
    st.lists(st.one_of(st.integers(), st.none()), max_size=30),
    st.lists(st.one_of(TEXTS, st.integers(), st.none(), st.booleans(), st.floats(allow_nan=False)), max_size=30),
)


@given(COLUMNS)
def test_a_column_at_a_time_is_each_value_alone(column: list) -> None:
    assert list(_column_texts(column)) == [copy_text(value) for value in column]


def test_the_escapes_are_copys_own() -> None:
    assert copy_text("a\\b\tc\nd\re") == "a\\\\b\\tc\\nd\\re"
    assert copy_text(None) == "\\N" and copy_text(True) == "1" and copy_text(b"\x01\xff") == "\\\\x01ff"
    assert _column_texts(["x\ty", None, ""]) == ["x\\ty", "\\N", ""]
