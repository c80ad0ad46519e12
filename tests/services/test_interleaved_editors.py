"""Any interleaving of three coordinators opening and saving one record: a save succeeds exactly when nobody changed
the record since its form was read, and the record always holds the last successful save (no update is lost)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvdesk.services.associations import save_association
from cvdesk.services.concurrency import ConcurrentEdit, read_at, version_of
from cvdesk.store.models import Association, db

pytestmark = pytest.mark.both_engines

EDITORS = 3
# ("open", editor) reads the record into that editor's form; ("save", editor, phone) saves the form with a phone.
steps = st.lists(st.one_of(st.tuples(st.just("open"), st.integers(0, EDITORS - 1)),
                           st.tuples(st.just("save"), st.integers(0, EDITORS - 1), st.integers(0, 99))),
                 min_size=1, max_size=14)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_no_interleaving_of_saves_loses_an_update(empty_db, sequence: list[tuple]) -> None:
    record_id = save_association({"name": "Maison des associations"}).record.id
    forms: dict[int, int] = {}  # editor -> the version their form read
    saved_last = ""  # by hand: the phone of the last save that went through
    saves_since: dict[int, int] = {}  # editor -> saves that changed the record since their form read it
    for step in sequence:
        if step[0] == "open":
            forms[step[1]] = version_of(Association, record_id)
            saves_since[step[1]] = 0
            continue
        _, editor, number = step
        if editor not in forms:
            continue  # nothing open: nothing to save
        phone = f"03 27 00 00 {number:02d}"
        should_pass = saves_since[editor] == 0
        try:
            with read_at(Association, record_id, forms[editor]):
                assert save_association({"name": "Maison des associations", "phone": phone}, record_id).ok
            passed = True
        except ConcurrentEdit:
            passed = False
        assert passed == should_pass
        if passed:
            if phone != saved_last:  # a save that changes nothing moves nothing: no one's edit can be lost by it
                for other in saves_since:
                    saves_since[other] += 1
            saved_last = phone
            forms[editor] = version_of(Association, record_id)  # the form shows the record as saved
            saves_since[editor] = 0
    stored = db.execute_sql("SELECT phone FROM association WHERE id = ?", (record_id,)).fetchone()[0]
    assert stored == saved_last
