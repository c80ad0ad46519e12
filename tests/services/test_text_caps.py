"""A text field accepts a bounded number of characters: the form, the spreadsheet import and the reference saves
refuse a longer one with one French sentence naming the field and the limit, and write nothing."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.sheet_import import import_sheet, preview_sheet
from cvdesk.services.actions import save_action
from cvdesk.services.associations import save_association
from cvdesk.services.quartiers import save_quartier
from cvdesk.services.reference import save_contract, save_meeting, save_meeting_item
from cvdesk.services.validation import MAX_LENGTH, max_length, validator_for
from cvdesk.store.models import RECORD_MODELS, Action, Association, History, Meeting, Quartier, db

pytestmark = pytest.mark.both_engines


def _count(table: str) -> int:
    return db.execute_sql(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def test_notes_one_character_over_the_cap_are_refused_in_french_and_nothing_is_written(empty_db) -> None:
    before = _count("association"), _count("history")
    result = save_association({"name": "Centre social Dutemple", "notes": "n" * 20_001})
    assert not result.ok
    assert result.errors == {"notes": "Le champ « Notes » accepte au plus 20\u00a0000 caractères ; "
                                      "il en contient 20\u00a0001."}
    assert (_count("association"), _count("history")) == before == (0, 0)


def test_notes_at_the_cap_are_saved_whole(empty_db) -> None:
    result = save_quartier({"code": "QP059001", "name": "Dutemple", "notes": "é" * 20_000})
    assert result.ok, result.errors
    stored = db.execute_sql("SELECT length(notes) FROM quartier WHERE code = 'QP059001'").fetchone()[0]
    assert stored == 20_000


def test_an_edit_that_overflows_a_field_leaves_the_stored_record_as_it_was(empty_db) -> None:
    record = save_quartier({"code": "QP059002", "name": "Chasse Royale", "notes": "Comité du 12 mars."}).record
    history_rows = _count("history")
    result = save_quartier({"notes": "Comité du 12 mars. " + "x" * 20_000}, record.id)
    assert "20\u00a0000" in result.errors["notes"] and "Notes" in result.errors["notes"]
    assert db.execute_sql("SELECT notes FROM quartier WHERE id = ?", (record.id,)).fetchone()[0] == "Comité du 12 mars."
    assert _count("history") == history_rows


def test_a_long_name_is_refused_and_its_length_wins_over_other_reasons(empty_db) -> None:
    result = save_association({"name": "A" * 256, "siret": "1" * 300})
    assert result.errors["name"] == "Le champ « Nom » accepte au plus 255 caractères ; il en contient 256."
    assert result.errors["siret"].startswith("Le champ « SIRET » accepte au plus 255 caractères")
    assert _count("association") == 0


def test_every_long_text_of_an_action_is_capped(empty_db) -> None:
    base = {"reference": "2024-VM-001", "title": "Atelier", "year": 2024}
    for name, label in (("description", "Description"), ("objectives", "Objectifs"), ("public", "Public visé"),
                        ("indicators", "Indicateurs d'évaluation")):
        result = save_action({**base, name: "x" * 20_001})
        assert result.errors == {name: f"Le champ « {label} » accepte au plus 20\u00a0000 caractères ; "
                                       "il en contient 20\u00a0001."}
    assert _count("action") == 0


def test_reference_records_without_other_rules_are_capped_too(empty_db) -> None:
    contract = save_contract({"name": "C" * 256, "start_year": 2024, "end_year": 2030})
    assert "« Nom du contrat » accepte au plus 255" in contract.errors["name"]
    meeting = save_meeting({"date": date(2024, 3, 12), "attendees": "p" * 20_001})
    assert "« Participants »" in meeting.errors["attendees"]
    assert _count("contract") == 0 and _count("meeting") == 0
    assert "« Observations »" in save_meeting_item({"notes": "o" * 20_001}).errors["notes"]


def test_a_spreadsheet_row_with_overlong_notes_is_refused_with_its_line(empty_db, tmp_path: Path) -> None:
    sheet = tmp_path / "assos.csv"
    sheet.write_text(f"Nom;Notes\nLire et grandir;{'n' * 20_001}\nFemmes solidaires;courtes\n", encoding="utf-8-sig")
    expected = (f"Le fichier {sheet}, ligne 2, colonne « Notes » : Le champ « Notes » accepte au plus "
                "20\u00a0000 caractères ; il en contient 20\u00a0001.")
    preview = preview_sheet(sheet, "associations")
    assert not preview.ok and preview.first_error() == expected
    with pytest.raises(ExchangeError) as refused:
        import_sheet(sheet, "associations")
    assert str(refused.value) == expected
    assert _count("association") == 0


def _columns(engine: str, sql_rows, table: str) -> list[tuple[str, str, int | None]]:
    """(column, "VARCHAR" | "TEXT" | another type, the VARCHAR's size) as the base declares them."""
    if engine == "sqlite":
        declared = [(column, kind.upper()) for column, kind in sql_rows("SELECT name, type FROM pragma_table_info(?)",
                                                                        (table,))]
        return [(column, "VARCHAR", int(kind[8:-1])) if kind.startswith("VARCHAR(") else (column, kind, None)
                for column, kind in declared]
    rows = sql_rows("SELECT column_name, data_type, character_maximum_length FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = ?", (table,))
    kinds = {"character varying": "VARCHAR", "text": "TEXT"}
    return [(column, kinds.get(kind, kind.upper()), size) for column, kind, size in rows]


def test_the_caps_are_data_that_fit_the_database_columns(empty_db, engine: str, sql_rows) -> None:
    """Each text column of each exchanged table has a cap; a one-line field's cap fits its VARCHAR(n), which
    PostgreSQL enforces at headquarters."""
    for model in RECORD_MODELS:
        table = model._meta.table_name
        columns = _columns(engine, sql_rows, table)
        assert columns, table
        for column, kind, size in columns:
            name = next((f.name for f in model._meta.fields.values() if f.column_name == column), column)
            if kind == "VARCHAR":
                assert max_length(model, name) is not None and max_length(model, name) <= size, (table, column)
            elif kind == "TEXT" and engine == "sqlite":  # peewee's TextField: a long text
                assert max_length(model, name) is not None and max_length(model, name) >= 1_000, (table, column)
            elif kind == "TEXT":  # PostgreSQL's one-line fields are TEXT too (unbounded): the cap is ours alone
                assert max_length(model, name) is not None, (table, column)
            else:
                assert max_length(model, name) is None, (table, column)
    assert MAX_LENGTH[Association]["notes"] == MAX_LENGTH[Action]["description"] == 20_000
    assert MAX_LENGTH[Quartier]["name"] == 255
    # A history row can hold a whole action's texts twice over (before and after), escaped.
    action_texts = sum(MAX_LENGTH[Action].values())
    assert MAX_LENGTH[History]["changes"] >= 4 * action_texts


def test_every_record_type_has_a_validator_that_checks_lengths(empty_db) -> None:
    for model in RECORD_MODELS:
        texts = MAX_LENGTH[model]
        name = next(n for n in texts if n not in ("uuid", "created_at", "updated_at"))
        errors = validator_for(model)({name: "z" * (texts[name] + 1)}, None)
        assert "accepte au plus" in errors[name], (model.__name__, name)
    assert validator_for(Meeting)({"place": "Salle des fêtes"}, None) == {"date": "La date de la réunion est obligatoire."}
