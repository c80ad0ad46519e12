"""Review R2: what a partner reads on an action sheet's plan keeps « — » (nothing decided, nothing paid) in its
total too, as on its lines; figures from SQL written here."""
from __future__ import annotations

from pathlib import Path

from cvdesk.domain.money import format_money
from cvdesk.reports.action_sheet import build_action_sheet
from cvdesk.services.report_data import find_action
from cvdesk.store.models import Action

from .pdfcheck import norm, pages_text


def _sql(query: str, *params):
    return Action._meta.database.execute_sql(query, params).fetchone()


def test_a_plan_waiting_for_every_decision_totals_a_dash_not_zero(demo_db, tmp_path: Path) -> None:
    # 2015-VM-006 is in instruction: none of its lines has a granted amount nor a payment yet.
    action = find_action("2015-VM-006")
    requested, decided, paid_lines, lines = _sql(
        "SELECT sum(requested), count(granted), count(paid), count(*) FROM funding WHERE action_id = ? AND deleted = 0",
        action.id)
    assert lines >= 2 and decided == 0 and paid_lines == 0
    out = tmp_path / "fiche.pdf"
    build_action_sheet(action.id, out)
    text = " ".join(pages_text(out))
    assert f"Total des financements {norm(format_money(requested))} — —" in text, text
    assert "Total des financements " + norm(format_money(requested)) + " 0,00 €" not in text


def test_a_refused_plan_still_totals_zero_granted(demo_db, tmp_path: Path) -> None:
    # 2015-VM-013 was refused: its lines carry 0 granted, which the total must keep (0,00 €, not « — »).
    action = find_action("2015-VM-013")
    requested, granted, decided = _sql(
        "SELECT sum(requested), sum(granted), count(granted) FROM funding WHERE action_id = ? AND deleted = 0",
        action.id)
    assert decided >= 1 and granted == 0
    out = tmp_path / "fiche.pdf"
    build_action_sheet(action.id, out)
    text = " ".join(pages_text(out))
    assert f"Total des financements {norm(format_money(requested))} {norm(format_money(0))}" in text, text


def test_a_programme_asked_for_a_short_name_two_funders_share_names_them_and_prints_nothing(
        demo_db, db_path: Path, tmp_path: Path, capsys) -> None:
    from cvdesk import cli
    from cvdesk.services.reference import save_funder
    from cvdesk.store.database import close_database

    north, position = _sql("SELECT name, position FROM funder WHERE short_name = 'CAF' AND deleted = 0")
    assert save_funder({"name": "CAF du Pas-de-Calais", "short_name": "CAF", "kind": "caf",
                        "position": position}).ok
    close_database()
    out = tmp_path / "caf.pdf"
    # « CAF » names two funders: the coordinator is told which, and no programme of either is printed.
    assert cli.main(["report", "programme", "--db", str(db_path), "--year", "2015", "--funder", "caf",
                     "--out", str(out)]) != 0
    said = capsys.readouterr().err
    assert north in said and "CAF du Pas-de-Calais" in said and "« caf »" in said
    assert len(said.strip().splitlines()) == 1
    assert not out.exists()
    # Its full name chooses one.
    assert cli.main(["report", "programme", "--db", str(db_path), "--year", "2015", "--funder",
                     "CAF du Pas-de-Calais", "--out", str(out)]) == 0
    text = " ".join(pages_text(out))
    assert "CAF du Pas-de-Calais" in text and north not in text
    close_database()
