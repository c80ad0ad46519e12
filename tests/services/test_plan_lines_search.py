"""The Financements list is searched as the others are, without regard to case or accents: « etat » finds the
State's lines, a word of an action's title, reference or porteur finds its lines, several words must all be found;
the expected lines are picked here, by plain SQL and a fold written by hand."""
from __future__ import annotations

import unicodedata

import pytest

from cvdesk.services import lists

pytestmark = pytest.mark.both_engines


def _fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _expected(sql_rows, search: str) -> set[int]:
    lines = sql_rows('SELECT t.id, a.reference, a.title, p.name, fu.name FROM funding t '
                     'JOIN "action" a ON a.id = t.action_id AND a.deleted = 0 JOIN funder fu ON fu.id = t.funder_id '
                     'LEFT JOIN association p ON p.id = a.porteur_id WHERE t.deleted = 0')
    return {line for line, *texts in lines
            if all(any(_fold(word) in _fold(text) for text in texts) for word in search.split())}


@pytest.mark.parametrize("search", ["etat", "ÉTAT", "sante", "caf du NORD", "VM-012", "etat jardins", "zzzz"])
def test_plan_lines_are_found_without_regard_to_case_or_accents(search: str, demo_db, sql_rows) -> None:
    expected = _expected(sql_rows, search)
    assert set(lists.list_ids("fundings", search=search)) == expected
    assert lists.count("fundings", search=search) == len(expected)


def test_the_state_has_lines_in_the_demo(demo_db, sql_rows) -> None:
    """« etat » is not vacuous: the demo's State funds lines (the search once found none of them)."""
    state_lines = sql_rows("SELECT count(*) FROM funding t JOIN funder fu ON fu.id = t.funder_id "
                           "WHERE t.deleted = 0 AND fu.short_name = 'État'")[0][0]
    assert state_lines > 0 and len(lists.list_ids("fundings", search="etat")) >= state_lines
