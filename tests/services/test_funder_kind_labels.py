"""The funders' list names each funder's kind as the forms do, never by its stored code."""
from __future__ import annotations

from cvdesk.services.lists import iter_rows
from cvdesk.store.models import db


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
