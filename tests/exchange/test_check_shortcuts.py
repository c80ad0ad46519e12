"""The checking of a large action sheet measures its texts' lengths by C loops: it says exactly what the plain way
says, whatever the values."""
from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cvdesk.exchange import action_import
from cvdesk.services.validation import UNSTORABLE, max_length
from cvdesk.store.models import Action

def _fit_as_before(rows: list[tuple[int, dict[str, Any]]], keys: Any, same: list[bool]) -> bool:
    """action_import._columns_fit as it was (1b70a4e): comprehensions over the rows."""
    measured = [values for (_, values), repeats in zip(rows, same) if not repeats]
    for key in keys:
        cap = max_length(Action, key)
        if cap is None:
            continue
        texts = [value for values in measured if isinstance(value := values.get(key), str)]
        if max(map(len, texts), default=0) > cap or UNSTORABLE.search("".join(texts)):
            return False
    return True


VALUES = st.one_of(st.none(), st.integers(), st.text(max_size=3), st.just("x" * 255), st.just("x" * 256),
                   st.just("a\x00b"), st.lists(st.text(max_size=2), max_size=2))
ROWS = st.lists(st.tuples(st.dictionaries(st.sampled_from(list(action_import.ACTION_KEYS)), VALUES), st.booleans()),
                max_size=12)


@settings(max_examples=600, deadline=None)
@given(rows=ROWS)
def test_the_lengths_measured_by_c_loops_say_what_the_comprehensions_said(rows: list[tuple[dict, bool]]) -> None:
    numbered = [(line + 2, values) for line, (values, _) in enumerate(rows)]
    same = [repeats for _, repeats in rows]
    assert action_import._columns_fit(numbered, action_import.ACTION_KEYS, same) == _fit_as_before(
        numbered, action_import.ACTION_KEYS, same)


def test_a_title_one_character_too_long_is_found() -> None:
    rows = [(2, {"title": "x" * 255}), (3, {"title": "x" * 256})]
    assert action_import._columns_fit(rows, ("title",), [False, False]) is False
    assert action_import._columns_fit(rows, ("title",), [False, True]) is True  # the row repeating is not measured
