"""A merge is a change like a colleague's save: a form opened at headquarters before an office's package came in
is refused when saved, instead of writing over what the package brought (on SQLite and on PostgreSQL)."""
from __future__ import annotations

from pathlib import Path

import pytest

from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.merge import import_package
from cvdesk.services.actions import FundingInput, save_action
from cvdesk.services.concurrency import ConcurrentEdit, read_at, version_of
from cvdesk.store.database import close_database, open_database
from cvdesk.store.models import Action, Funder, Funding
from cvdesk.store.settings import OFFICE, set_setting

pytestmark = pytest.mark.both_engines


def _plan_of(action: Action) -> list[FundingInput]:
    return [FundingInput(f.funder_id, f.requested, f.granted, f.paid, f.decision_date, f.notes)
            for f in Funding.select().where(Funding.action == action.id, Funding.deleted == 0).order_by(Funding.id)]


def test_a_form_opened_before_a_merge_is_refused_when_saved(demo_db, db_target, sql_rows, tmp_path: Path) -> None:
    set_setting(OFFICE, "Siège")
    first, second = Action.select().where(Action.deleted == 0).order_by(Action.id).limit(2)
    export_package(tmp_path / "depart.zip", "Siège")
    close_database()

    # Bureau Nord retitles the first action and adds a funder to the second one's plan.
    open_database(tmp_path / "nord.db")
    set_setting(OFFICE, "Bureau Nord")
    import_package(tmp_path / "depart.zip")
    assert save_action({"title": "Titre du Nord"}, Action.get(Action.uuid == first.uuid).id).ok
    there = Action.get(Action.uuid == second.uuid)
    plan = _plan_of(there)
    newcomer = Funder.select().where(Funder.deleted == 0, Funder.id.not_in([line.funder_id for line in plan])).first()
    assert save_action({}, there.id, fundings=[*plan, FundingInput(newcomer.id, requested=250_000)]).ok
    export_package(tmp_path / "nord.zip", "Bureau Nord")
    close_database()

    # At headquarters both actions' forms are open when the package is merged.
    open_database(db_target)
    read = {action.id: version_of(Action, action.id) for action in (first, second)}
    summary = import_package(tmp_path / "nord.zip")
    assert summary.counts["action"].updated == 1 and summary.counts["funding"].added == 1
    for action in (first, second):
        [(version,)] = sql_rows('SELECT version FROM "action" WHERE id = ?', (action.id,))
        assert version == read[action.id] + 1

    with pytest.raises(ConcurrentEdit), read_at(Action, first.id, read[first.id]):
        save_action({"title": "Titre du siège"}, first.id)
    with pytest.raises(ConcurrentEdit), read_at(Action, second.id, read[second.id]):
        save_action({"description": "Vu au siège"}, second.id, fundings=_plan_of(second))
    # Nothing of the refused saves is written: the package's title and line stay.
    assert sql_rows('SELECT title FROM "action" WHERE id = ?', (first.id,)) == [("Titre du Nord",)]
    assert sql_rows("SELECT count(*) FROM funding WHERE action_id = ? AND funder_id = ? AND deleted = 0",
                    (second.id, newcomer.id)) == [(1,)]
    # Read again (« Reprendre les leurs »), the form saves.
    with read_at(Action, first.id, version_of(Action, first.id)):
        assert save_action({"title": "Titre du siège"}, first.id).ok


def test_a_conflict_is_reviewed_and_the_other_offices_version_chosen(demo_db, db_target, sql_rows,
                                                                    tmp_path: Path) -> None:
    from cvdesk.exchange.conflicts import pending_conflicts, resolve_conflict

    set_setting(OFFICE, "Siège")
    action = Action.select().where(Action.deleted == 0).order_by(Action.id).first()
    export_package(tmp_path / "depart.zip", "Siège")
    close_database()
    open_database(tmp_path / "nord.db")
    set_setting(OFFICE, "Bureau Nord")
    import_package(tmp_path / "depart.zip")
    assert save_action({"title": "Titre du Nord"}, Action.get(Action.uuid == action.uuid).id).ok
    export_package(tmp_path / "nord.zip", "Bureau Nord")
    close_database()

    open_database(db_target)
    assert save_action({"title": "Titre du siège"}, action.id).ok
    assert len(import_package(tmp_path / "nord.zip").conflicts) == 1
    [view] = pending_conflicts()
    assert [(d.field, d.local, d.incoming) for d in view.differences] == [("title", "Titre du siège", "Titre du Nord")]
    [(version,)] = sql_rows('SELECT version FROM "action" WHERE id = ?', (action.id,))
    resolve_conflict(view.id, "incoming")
    assert sql_rows('SELECT title, version FROM "action" WHERE id = ?', (action.id,)) == [("Titre du Nord", version + 1)]
    assert sql_rows("SELECT operation FROM history WHERE record_uuid = ? ORDER BY id DESC LIMIT 1",
                    (action.uuid,)) == [("update",)]
    assert sql_rows("SELECT resolution FROM exchange_conflict") == [("incoming",)]
    assert pending_conflicts() == []
