"""A large import writes its new actions a lot at a time, each table's columns made whole: the actions of a lot
that give different columns, plans left alone, empty or with undecided lines, repeated quartiers, texts with
quotes, accents and line breaks come out exactly as saving each through the form's service leaves them, and the
history's texts and search texts made by column are those made value by value."""
from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from cvdesk.domain.text_fold import FOLDS, fold
from cvdesk.exchange import bulk_actions
from cvdesk.exchange.bulk_actions import json_column, search_texts, write_new_actions
from cvdesk.exchange.sheet_preview import Item
from cvdesk.services.actions import FundingInput, save_action
from cvdesk.store.database import close_database, opened_database
from cvdesk.store.models import db
from tests.exchange.test_import_speed_path import _picture

LETTERS = "".join(accented for accented, _ in FOLDS) + "aeiouAEOcnœŒ \n'\"\\-0123456789"
TEXTS = st.one_of(st.text(alphabet=LETTERS, max_size=20), st.text(max_size=20))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                          TEXTS), min_size=1, max_size=12),
       st.sampled_from(["mixed", "texts", "numbers", "numbers or none", "texts or none"]))
def test_a_column_of_values_is_written_as_json_writes_each_value(column: list[Any], kind: str) -> None:
    # The usual columns (all texts, whole numbers with or without empty values) and any mixture.
    keep = {"mixed": lambda v: True, "texts": lambda v: type(v) is str, "numbers": lambda v: type(v) is int,
            "numbers or none": lambda v: v is None or type(v) is int,
            "texts or none": lambda v: v is None or type(v) is str}[kind]
    column = [value for value in column if keep(value)] or [None]
    assert json_column(column) == [json.dumps(value, ensure_ascii=False) for value in column]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), TEXTS), st.one_of(st.none(), TEXTS), st.text(alphabet="abc ", max_size=5),
                          st.one_of(st.none(), TEXTS, st.just("avec\x00nul")), TEXTS), min_size=1, max_size=30))
def test_each_action_s_search_text_is_its_fields_folded_as_the_search_folds_them(rows: list[tuple[Any, ...]]) -> None:
    # The view's text: reference, title, porteur's name (already folded), description, objectives, joined by line
    # breaks; NULL when one of them is (as || makes it); folded by the fold the searches apply to typed words.
    references, titles, names, descriptions, objectives = map(list, zip(*rows))
    expected = [None if None in (reference, title, description, objective) else
                "\n".join((fold(reference), fold(title), name, fold(description), fold(objective)))
                for reference, title, name, description, objective in rows]
    assert search_texts(references, titles, names, descriptions, objectives) == expected


def _demo_ids(base: Path) -> dict[str, list[int]]:
    conn = sqlite3.connect(base)
    try:
        def ids(sql: str) -> list[int]:
            return [id_ for (id_,) in conn.execute(sql)]

        return {"porteurs": ids("SELECT id FROM association WHERE deleted = 0 ORDER BY id LIMIT 2"),
                "orientations": ids("SELECT id FROM orientation WHERE deleted = 0 ORDER BY id LIMIT 2"),
                "funders": ids("SELECT id FROM funder WHERE deleted = 0 ORDER BY id LIMIT 3"),
                "quartiers": ids("SELECT id FROM quartier WHERE deleted = 0 ORDER BY id LIMIT 3")}
    finally:
        conn.close()


def _items(ids: dict[str, list[int]]) -> list[Item]:
    """Four new actions as the checks hand them over: four sets of columns, plans of two lines, none, left alone
    (None) and one undecided line; quartiers repeated, none, left alone."""
    p1, p2 = ids["porteurs"]
    o1, o2 = ids["orientations"]
    f1, f2, f3 = ids["funders"]
    q1, q2, q3 = ids["quartiers"]
    return [
        Item(2, {"reference": " 2040-LOT-001 ", "title": "Jardins « l'été » \"partagés\"", "year": 2040,
                 "orientation": o1, "porteur": p1, "status": "deposee", "total_cost": 1_200_000,
                 "start_date": date(2040, 3, 1), "end_date": date(2040, 11, 30)},
             None, {"quartiers": [q2, q1, q2],
                    "fundings": [FundingInput(f1, 300_000, 250_050, 100_000, date(2040, 5, 12), "accord « oral »\\"),
                                 FundingInput(f2, 150_000)]}),
        Item(3, {"reference": "2040-LOT-002", "title": "Café des parents Œuvre", "year": 2040},
             None, {"quartiers": None, "fundings": []}),
        Item(4, {"reference": "2040-LOT-003", "title": "Aide aux devoirs", "year": 2040, "porteur": p2,
                 "orientation": o2, "description": "Le soir\naprès l'école", "objectives": "Réussite"},
             None, {"quartiers": [], "fundings": None}),
        Item(5, {"reference": "2040-LOT-004", "title": "Sans porteur", "year": 2040, "status": "brouillon",
                 "total_cost": 0},
             None, {"quartiers": [q3], "fundings": [FundingInput(f3, 80_000, None, None, None, "")]}),
    ]


@pytest.mark.parametrize("lot", [2000, 3, 1], ids=["one-lot", "lots-of-3", "lots-of-1"])
def test_a_lot_of_actions_giving_different_columns_leaves_what_saving_each_leaves(
        lot: int, demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk_actions, "CHUNK", lot)
    ids = _demo_ids(demo_template)
    fast, slow = tmp_path / "lot.db", tmp_path / "service.db"
    for base in (fast, slow):
        shutil.copyfile(demo_template, base)
    with opened_database(fast):
        with db.atomic():
            write_new_actions(_items(ids))
    with opened_database(slow):
        with db.atomic():
            for item in _items(ids):
                assert save_action(item.values, None, item.extra["quartiers"], item.extra["fundings"]).ok
    close_database()
    references = ["2040-LOT-001", "2040-LOT-002", "2040-LOT-003", "2040-LOT-004"]
    left, right = _picture(fast, references), _picture(slow, references)
    assert left == right
    # Counted by hand from _items, so that two equal pictures cannot both be empty: 4 actions, 2 + 1 links
    # (a quartier given twice is one link), 2 + 1 lines, one history row each.
    assert (len(left["action"]), len(left["action_quartier"]), len(left["funding"]), len(left["history"])) == (
        4, 3, 3, 10)
    conn = sqlite3.connect(fast)
    try:
        assert conn.execute('SELECT requested_total, granted_total, paid_total FROM "action" '
                            "WHERE reference = '2040-LOT-001'").fetchone() == (450_000, 250_050, 100_000)
        assert conn.execute("SELECT count(*) FROM action_search WHERE action_search MATCH '\"oeuvre\"'").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM action_search WHERE action_search MATCH '\"apres l''ecole\"'"
                            ).fetchone()[0] == 1
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
