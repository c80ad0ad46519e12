"""A save of an action gives back what the form shows next (its version, the history row it wrote, its plan and
quartiers as stored) so that the window does not read them again; the reference is looked up only when it changes,
and a stale save is still refused. On both engines; the expected values come from plain SQL."""
from __future__ import annotations

import json

import pytest

from cvdesk.domain.money import format_money
from cvdesk.services.actions import FundingInput, save_action
from cvdesk.services.choices import fundings_of, quartier_ids_of
from cvdesk.services.concurrency import ConcurrentEdit, read_at
from cvdesk.services.records import SaveResult
from cvdesk.store.models import Action, db
from tests.services.test_two_editors import on_another_computer

pytestmark = pytest.mark.both_engines


def planned_action(sql_rows) -> tuple[int, str, str]:
    """A live demo action with a plan and quartiers: its id, reference and title (plain SQL)."""
    (action_id, reference, title), = sql_rows(
        'SELECT a.id, a.reference, a.title FROM "action" a WHERE a.deleted = 0 AND EXISTS (SELECT 1 FROM funding f '
        "WHERE f.action_id = a.id AND f.deleted = 0) AND EXISTS (SELECT 1 FROM action_quartier q WHERE "
        "q.action_id = a.id AND q.deleted = 0) ORDER BY a.reference LIMIT 1")
    return action_id, reference, title


def version_in_base(sql_rows, action_id: int) -> int:
    (version,), = sql_rows('SELECT version FROM "action" WHERE id = ?', (action_id,))
    return version


def test_a_new_title_comes_back_with_the_stored_version_history_row_plan_and_quartiers(demo_db, sql_rows) -> None:
    action_id, _reference, title = planned_action(sql_rows)
    read = version_in_base(sql_rows, action_id)
    plan, quartiers = fundings_of(action_id), quartier_ids_of(action_id)
    with read_at(Action, action_id, read):
        result = save_action({"title": "Atelier cuisine du quartier"}, action_id, quartiers, plan)
    assert result.ok, result.errors
    assert result.version == version_in_base(sql_rows, action_id) == read + 1
    # The history row it wrote, as the panel shows it: the newest row of the base, with its office and changes.
    (history_id, office, user, operation, changes), = sql_rows(
        "SELECT id, office, os_user, operation, changes FROM history WHERE id = (SELECT max(id) FROM history)")
    entry = result.history
    assert (entry.id, entry.office, entry.user, entry.operation) == (history_id, office, user, "Modification")
    assert operation == "update"
    assert entry.changes == [("title", old, new) for old, new in json.loads(changes).values()]
    assert entry.changes == [("title", title, "Atelier cuisine du quartier")]
    assert "Intitulé : « " + title + " » → « Atelier cuisine du quartier »" == entry.describe()
    # The plan and quartiers as the base holds them (the plan in the funders' order).
    stored_plan = sql_rows("SELECT f.funder_id, f.requested, f.granted, f.paid FROM funding f JOIN funder fr "
                           "ON fr.id = f.funder_id WHERE f.action_id = ? AND f.deleted = 0 ORDER BY fr.position, "
                           "fr.name", (action_id,))
    assert [(line.funder_id, line.requested, line.granted, line.paid) for line in result.plan] == \
        [tuple(row) for row in stored_plan]
    assert result.plan == plan
    assert result.quartiers == sorted(q for (q,) in sql_rows(
        "SELECT quartier_id FROM action_quartier WHERE action_id = ? AND deleted = 0", (action_id,)))


def test_a_save_that_writes_a_plan_line_gives_no_version_and_the_form_reads_it_again(demo_db, sql_rows) -> None:
    action_id, _reference, _title = planned_action(sql_rows)
    read = version_in_base(sql_rows, action_id)
    plan = fundings_of(action_id)
    first = plan[0]
    changed = [FundingInput(first.funder_id, first.requested + 100, first.granted, first.paid, first.decision_date,
                            first.notes), *plan[1:]]
    with read_at(Action, action_id, read):
        result = save_action({"title": "Atelier vélo"}, action_id, quartier_ids_of(action_id), changed)
    assert result.ok, result.errors
    assert result.version is None and result.plan is None
    # Each line written moved the version on: more than the one step of the action's own row.
    assert version_in_base(sql_rows, action_id) > read + 1


def test_an_action_sharing_its_reference_with_another_still_saves_a_new_title(demo_db, sql_rows) -> None:
    """Two live actions with one reference (as a package from another office can bring): the reference kept as it
    was is not looked up, and the title is saved (it was refused before: « déjà celle d'une autre action »)."""
    action_id, reference, _title = planned_action(sql_rows)
    (other,), = sql_rows('SELECT id FROM "action" WHERE deleted = 0 AND id <> ? ORDER BY id LIMIT 1', (action_id,))
    db.execute_sql('UPDATE "action" SET reference = ? WHERE id = ?', (reference, other))
    result = save_action({"reference": reference, "title": "Atelier théâtre"}, action_id)
    assert result.ok, result.errors
    assert sql_rows('SELECT title FROM "action" WHERE id = ?', (action_id,)) == [("Atelier théâtre",)]


def test_a_changed_reference_that_another_action_holds_is_still_refused(demo_db, sql_rows) -> None:
    action_id, reference, title = planned_action(sql_rows)
    (taken,), = sql_rows('SELECT reference FROM "action" WHERE deleted = 0 AND id <> ? ORDER BY id LIMIT 1',
                         (action_id,))
    history_before = sql_rows("SELECT count(*) FROM history")
    result = save_action({"reference": f"  {taken} ", "title": "Atelier danse"}, action_id)
    assert not result.ok
    assert result.errors["reference"] == f"La référence {taken} est déjà celle d'une autre action."
    assert sql_rows('SELECT reference, title FROM "action" WHERE id = ?', (action_id,)) == [(reference, title)]
    assert sql_rows("SELECT count(*) FROM history") == history_before


def test_a_stale_title_is_refused_and_the_other_coordinators_title_stays(demo_db, sql_rows) -> None:
    """The changed columns and the version check are one UPDATE now: a form read before another coordinator's save
    is still refused in French, and nothing of it is written."""
    action_id, _reference, _title = planned_action(sql_rows)
    mine = version_in_base(sql_rows, action_id)

    def other_coordinator() -> SaveResult:
        with read_at(Action, action_id, mine):
            return save_action({"title": "Titre de Bruno"}, action_id)

    assert on_another_computer(other_coordinator).ok
    history_before = sql_rows("SELECT count(*) FROM history")
    with pytest.raises(ConcurrentEdit) as refused, read_at(Action, action_id, mine):
        save_action({"title": "Titre d'Aïcha"}, action_id, quartier_ids_of(action_id), fundings_of(action_id))
    assert "depuis que vous l'avez ouverte" in str(refused.value)
    assert sql_rows('SELECT title, version FROM "action" WHERE id = ?', (action_id,)) == [("Titre de Bruno",
                                                                                             mine + 1)]
    assert sql_rows("SELECT count(*) FROM history") == history_before


def test_a_forms_save_moving_the_action_to_a_year_without_envelopes_warns_of_each_grant(demo_db, sql_rows) -> None:
    """The plan is read with the action, before the save: its envelopes are still looked up in the new year."""
    (action_id,), = sql_rows('SELECT a.id FROM "action" a WHERE a.deleted = 0 AND EXISTS (SELECT 1 FROM funding f '
                             "WHERE f.action_id = a.id AND f.deleted = 0 AND f.granted > 0) ORDER BY a.reference "
                             "LIMIT 1")
    granted = sql_rows("SELECT fr.name, f.granted FROM funding f JOIN funder fr ON fr.id = f.funder_id WHERE "
                       "f.action_id = ? AND f.deleted = 0 AND f.granted > 0 ORDER BY fr.position, fr.name",
                       (action_id,))
    assert granted and not sql_rows("SELECT 1 FROM envelope WHERE year = 2031")
    with read_at(Action, action_id, version_in_base(sql_rows, action_id)):
        result = save_action({"year": 2031}, action_id, quartier_ids_of(action_id), fundings_of(action_id))
    assert result.ok, result.errors
    expected = [f"{name} n'a pas d'enveloppe en 2031 : les {format_money(cents)} accordés n'entrent dans aucune "
                "enveloppe." for name, cents in granted]
    assert [w for w in result.warnings if "enveloppe en" in w] == expected
