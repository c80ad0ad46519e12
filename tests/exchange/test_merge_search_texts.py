"""Headquarters' empty base: the search texts a merge makes from the package's rows are the ones the index's view
gives once the rows are written, for every kind of action an office sends."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import cvdesk.exchange.merge_write as merge_write
import cvdesk.exchange.package_reader as package_reader
from cvdesk.exchange.merge import import_package
from cvdesk.store.database import opened_database
from cvdesk.store.models import db
from tests.exchange.forging import edited, members, write


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of five records and the bulk path for any table of more than ten: several batches of texts."""
    monkeypatch.setattr(package_reader, "BATCH_LINES", 5)
    monkeypatch.setattr(merge_write, "BULK_ROWS", 10)


def _unusual(good_package: Path, folder: Path) -> tuple[Path, dict[str, Any]]:
    """The demo package with actions the texts must get right: a deleted one, one without porteur, one whose porteur
    is a deleted association, accents and a ligature in a title, an apostrophe and a line break in a description."""
    files = members(good_package)
    chosen: dict[str, Any] = {}

    def associations(records: list[dict[str, Any]]) -> None:
        records[1]["deleted"] = True
        chosen["gone porteur"] = records[1]["uuid"]

    def actions(records: list[dict[str, Any]]) -> None:
        records[0]["deleted"] = True
        records[1]["porteur"] = None
        records[2]["porteur"] = chosen["gone porteur"]
        records[3]["title"] = "Santé à l'école — Œuvre des Ÿvelines"
        records[4]["description"] = "L'atelier d'écriture\nde la Médiathèque"
        chosen.update(deleted=records[0]["uuid"], without=records[1]["uuid"], gone=records[2]["uuid"],
                      accented=records[3]["uuid"])

    files = edited(files, "association.jsonl", associations)
    files = edited(files, "action.jsonl", actions)
    return write(folder / "inhabituel.zip", files), chosen


def _indexed(index: str) -> list[tuple[int, str]]:
    return list(db.execute_sql(f"SELECT rowid, text FROM {index} ORDER BY rowid"))


def test_the_texts_a_merge_indexes_are_the_view_s_for_every_kind_of_action(good_package: Path, tmp_path: Path,
                                                                           small_batches: None) -> None:
    package, chosen = _unusual(good_package, tmp_path)
    with opened_database(tmp_path / "siege.db"):
        import_package(package)
        for index in ("action_search", "association_search"):
            db.execute_sql(f"INSERT INTO {index}({index}) VALUES ('integrity-check')")
            assert _indexed(index) == list(db.execute_sql(f"SELECT id, text FROM {index}_source ORDER BY id"))
        ids = dict(db.execute_sql('SELECT uuid, id FROM "action"'))
        texts = dict(_indexed("action_search"))
        assert ids[chosen["deleted"]] not in texts  # a deleted action is not searched
        # Without a porteur, or with a deleted one: the field is empty, or the association's name all the same.
        without = texts[ids[chosen["without"]]].split("\n")
        assert without[2] == ""
        name = db.execute_sql("SELECT name FROM association WHERE uuid = ?", (chosen["gone porteur"],)).fetchone()[0]
        assert name and texts[ids[chosen["gone"]]].split("\n")[2] != ""
        title = texts[ids[chosen["accented"]]].split("\n")[1]
        assert "ecole" in title.lower() and not {"é", "à", "Ÿ"} & set(title)
        # Found as the window searches: a folded word of the changed title, a word after the description's break.
        found = {rowid for (rowid,) in db.execute_sql(
            "SELECT rowid FROM action_search WHERE text MATCH '\"mediatheque\"'")}
        assert found == {i for (i,) in db.execute_sql(
            "SELECT id FROM action_search_source WHERE text LIKE '%mediatheque%'")} and found
