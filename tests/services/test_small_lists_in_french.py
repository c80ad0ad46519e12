"""The small reference lists read as French: a funder's kind by its label, accented names sorted among their letter."""
from __future__ import annotations

import pytest

from cvdesk.services.lists import iter_rows
from cvdesk.store.models import db

pytestmark = pytest.mark.both_engines


def test_every_kind_shows_its_french_label(demo_db) -> None:
    db.execute_sql("UPDATE funder SET kind = 'bailleur' WHERE id = (SELECT min(id) FROM funder)")
    stored = dict(db.execute_sql("SELECT name, kind FROM funder WHERE deleted = 0").fetchall())
    shown = {row[0]: row[2] for row in iter_rows("funders")}
    assert shown.keys() == stored.keys()
    labels = {"etat": "État – crédits politique de la ville (BOP 147)", "region": "Région", "departement": "Département",
              "epci": "EPCI", "commune": "Commune", "caf": "CAF", "bailleur": "Bailleurs sociaux (TFPB)", "fipd": "FIPD",
              "fse": "FSE", "autre": "Autre"}  # typed from the funder form's pick list
    for name, code in stored.items():
        assert shown[name] == labels[code]


def test_small_lists_sort_accented_names_among_their_letter(demo_db) -> None:
    names = [row[0] for row in iter_rows("funders")]
    assert names.index("État – crédits politique de la ville (BOP 147)") < names.index("FIPD")
    assert names.index("Département du Nord") < names.index("État – crédits politique de la ville (BOP 147)")
