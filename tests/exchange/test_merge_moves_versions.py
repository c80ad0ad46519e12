"""A package merged at headquarters while a coordinator there has the same record open: her save is refused."""
from __future__ import annotations

from pathlib import Path

import pytest

from cvdesk.exchange.conflicts import resolve_conflict
from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.merge import import_package
from cvdesk.services.associations import save_association
from cvdesk.services.concurrency import ConcurrentEdit, read_at, version_of
from cvdesk.store.database import close_database, open_database
from cvdesk.store.models import Association, db
from cvdesk.store.settings import OFFICE, set_setting


def offices_with_a_renamed_association(demo_template: Path, tmp_path: Path) -> tuple[Path, str, str]:
    """Headquarters (the demo), and Bureau Nord's package back to it with its first association renamed
    « … (Nord) »; returns headquarters' base, the association's uuid and its name there."""
    siege, nord = tmp_path / "siege.db", tmp_path / "nord.db"
    siege.write_bytes(demo_template.read_bytes())
    open_database(siege)
    set_setting(OFFICE, "Siège")
    export_package(tmp_path / "depart.zip", "Siège")
    uuid, name = db.execute_sql("SELECT uuid, name FROM association WHERE deleted = 0 ORDER BY id LIMIT 1").fetchone()
    close_database()
    open_database(nord)
    set_setting(OFFICE, "Bureau Nord")
    import_package(tmp_path / "depart.zip")
    assert save_association({"name": name + " (Nord)"}, Association.get(Association.uuid == uuid).id).ok
    export_package(tmp_path / "retour.zip", "Bureau Nord")
    close_database()
    return siege, uuid, name


def test_a_form_opened_before_a_merge_that_changed_its_record_is_refused(demo_template: Path, tmp_path: Path) -> None:
    siege, uuid, name = offices_with_a_renamed_association(demo_template, tmp_path)

    open_database(siege)
    try:
        record_id = Association.get(Association.uuid == uuid).id
        read = version_of(Association, record_id)  # the form opened at headquarters
        import_package(tmp_path / "retour.zip")
        assert db.execute_sql("SELECT name FROM association WHERE id = ?", (record_id,)).fetchone() == (
            name + " (Nord)",)
        with pytest.raises(ConcurrentEdit), read_at(Association, record_id, read):
            save_association({"name": name + " (Siège)"}, record_id)
        assert db.execute_sql("SELECT name FROM association WHERE id = ?", (record_id,)).fetchone() == (
            name + " (Nord)",)
    finally:
        close_database()


def test_a_conflict_settled_for_the_other_office_refuses_a_form_opened_before(demo_template: Path,
                                                                              tmp_path: Path) -> None:
    siege, uuid, name = offices_with_a_renamed_association(demo_template, tmp_path)
    open_database(siege)
    try:
        record_id = Association.get(Association.uuid == uuid).id
        assert save_association({"name": name + " (Siège)"}, record_id).ok  # both changed it: a conflict
        import_package(tmp_path / "retour.zip")
        (conflict_id,), = db.execute_sql("SELECT id FROM exchange_conflict WHERE record_uuid = ?", (uuid,)).fetchall()
        read = version_of(Association, record_id)  # a form opened while the conflict waits
        resolve_conflict(conflict_id, "incoming")
        with pytest.raises(ConcurrentEdit), read_at(Association, record_id, read):
            save_association({"name": name + " (Siège, encore)"}, record_id)
        assert db.execute_sql("SELECT name FROM association WHERE id = ?", (record_id,)).fetchone() == (
            name + " (Nord)",)
    finally:
        close_database()
