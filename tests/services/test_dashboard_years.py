"""The dashboard's year choice lists every year that has a live action, once, in order, on both engines: a year
whose only action was deleted is not offered (expected years by plain SQL on the test's base)."""
from __future__ import annotations

import pytest

from cvdesk.services.totals import years
from cvdesk.store.models import Action

pytestmark = pytest.mark.both_engines


def test_the_year_list_holds_the_years_of_live_actions_only(demo_db, sql_rows) -> None:
    some = Action.select().where(Action.deleted == False).first()  # noqa: E712
    lonely = Action.get_by_id(some.id)
    Action.update(year=2031).where(Action.id == lonely.id).execute()  # a year of its own…
    Action.update(deleted=True).where(Action.id == lonely.id).execute()  # …whose only action is deleted
    other = Action.select().where((Action.deleted == False) & (Action.id != lonely.id)).first()  # noqa: E712
    Action.update(year=2009).where(Action.id == other.id).execute()  # an early year, kept by a live action
    expected = [year for year, in sql_rows('SELECT DISTINCT year FROM "action" WHERE deleted = 0 ORDER BY year')]
    assert 2009 in expected and 2031 not in expected and len(expected) >= 2
    assert years() == expected
