"""The merge's whole-column test of UUIDs and UTC times accepts exactly what the per-value regular expressions accept.

Each batch's UUID, reference and time columns are tested at once (by positions and one deletion of the digits)
rather than by a regular expression over the joined column. If the column test let through one value the regular
expression refuses (a capital letter, a 24th hour, a 30 February, a line break inside a value), a forged package
would bring in a record no form could write; the expected verdicts come from UUID_RE, UTC_RE and the calendar.
"""
from __future__ import annotations

import uuid
from datetime import date

from hypothesis import given, settings, strategies as st

from cvdesk.exchange.record_checks import UTC_RE, UUID_RE, _column_ok
from cvdesk.store.models import Funding

UUID_MUTANTS = "0123456789abcdefABCDEF-g \n\u00e9"
UTC_MUTANTS = "0123456789-T:.Z 2\n\u00e9"


def _utc_by_regex(value: str) -> bool:
    if "\n" in value or not UTC_RE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        return False
    return True


@st.composite
def mutated(draw: st.DrawFn, good: st.SearchStrategy[str], letters: str) -> str:
    """A well-formed value, sometimes with a character replaced, inserted or removed."""
    value = draw(good)
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(value)))
        letter = draw(st.sampled_from(letters))
        value = draw(st.sampled_from([value[:at] + letter + value[at + 1:], value[:at] + letter + value[at:],
                                      value[:at] + value[at + 1:]]))
    return value


uuids = st.builds(lambda n: str(uuid.UUID(int=n)), st.integers(0, 2**128 - 1))
times = st.builds(lambda d, h, m, s, f: f"{d.isoformat()}T{h:02d}:{m:02d}:{s:02d}.{f:06d}Z",
                  st.dates(min_value=date(1, 1, 1)), st.integers(0, 23), st.integers(0, 59), st.integers(0, 59),
                  st.integers(0, 999_999))
digit_times = st.text(alphabet="0123456789", min_size=20, max_size=20).map(
    lambda d: f"{d[:4]}-{d[4:6]}-{d[6:8]}T{d[8:10]}:{d[10:12]}:{d[12:14]}.{d[14:20]}Z")


@settings(max_examples=1500, deadline=None)
@given(st.lists(mutated(uuids, UUID_MUTANTS), min_size=1, max_size=6))
def test_a_column_of_uuids_passes_exactly_when_each_value_is_a_uuid(column: list[str]) -> None:
    expected = all(UUID_RE.fullmatch(value) and "\n" not in value for value in column)
    assert _column_ok(Funding, "uuid", False, "uuid", column) == expected, column
    assert _column_ok(Funding, "fk", False, "action", column) == expected, column


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(mutated(times, UTC_MUTANTS), digit_times), min_size=1, max_size=6))
def test_a_column_of_utc_times_passes_exactly_when_each_is_a_real_instant(column: list[str]) -> None:
    assert _column_ok(Funding, "utc", False, "updated_at", column) == all(map(_utc_by_regex, column)), column


def test_hand_written_near_misses_are_refused() -> None:
    good_uuid, good_time = "e137cbfc-765e-40d2-9156-dddaf302597f", "2024-02-29T08:00:00.000000Z"
    assert _column_ok(Funding, "uuid", False, "uuid", [good_uuid, good_uuid])
    assert _column_ok(Funding, "utc", False, "updated_at", [good_time, "2024-12-31T23:59:59.999999Z"])
    for bad in ("E137cbfc-765e-40d2-9156-dddaf302597f", "e137cbfc-765e-40d2-9156-dddaf302597",
                "e137cbfc765e-40d2-9156-dddaf302597f0", "e137cbfc-765e-40d2-9156-dddaf302597\n", "\n" * 36):
        assert not _column_ok(Funding, "uuid", False, "uuid", [good_uuid, bad]), bad
    for bad in ("2023-02-29T08:00:00.000000Z", "2024-02-29T24:00:00.000000Z", "2024-02-29T08:60:00.000000Z",
                "2024-02-29T08:00:60.000000Z", "2024-13-01T08:00:00.000000Z", "0000-01-01T08:00:00.000000Z",
                "2024-02-29 08:00:00.000000Z", "2024-02-29T08:00:00.000000z"):
        assert not _column_ok(Funding, "utc", False, "updated_at", [good_time, bad]), bad
