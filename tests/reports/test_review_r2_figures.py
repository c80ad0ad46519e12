"""Review R2: what a partner reads on an action sheet's plan keeps « — » (nothing decided, nothing paid) in its
total too, as on its lines; figures from SQL written here."""
from __future__ import annotations

from pathlib import Path

import pytest

from cvdesk.domain.money import format_money
from cvdesk.reports.action_sheet import build_action_sheet
from cvdesk.services.report_data import find_action
from cvdesk.store.models import Action

from .pdfcheck import norm, pages_text

pytestmark = pytest.mark.both_engines


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
        demo_db, db_target: Path | str, tmp_path: Path, capsys) -> None:
    from cvdesk import cli
    from cvdesk.services.reference import save_funder
    from cvdesk.store.database import close_database

    north, position = _sql("SELECT name, position FROM funder WHERE short_name = 'CAF' AND deleted = 0")
    assert save_funder({"name": "CAF du Pas-de-Calais", "short_name": "CAF", "kind": "caf",
                        "position": position}).ok
    close_database()
    out = tmp_path / "caf.pdf"
    # « CAF » names two funders: the coordinator is told which, and no programme of either is printed.
    assert cli.main(["report", "programme", "--db", str(db_target), "--year", "2015", "--funder", "caf",
                     "--out", str(out)]) != 0
    said = capsys.readouterr().err
    assert north in said and "CAF du Pas-de-Calais" in said and "« caf »" in said
    assert len(said.strip().splitlines()) == 1
    assert not out.exists()
    # Its full name chooses one.
    assert cli.main(["report", "programme", "--db", str(db_target), "--year", "2015", "--funder",
                     "CAF du Pas-de-Calais", "--out", str(out)]) == 0
    text = " ".join(pages_text(out))
    assert "CAF du Pas-de-Calais" in text and north not in text
    close_database()


def test_a_comite_pack_keeps_what_waits_for_its_decision_apart(demo_db, tmp_path: Path) -> None:
    from datetime import date

    from cvdesk.reports.meeting_pack import build_meeting_pack
    from cvdesk.services.meetings import add_items, save_meeting

    # A comité d'attribution gets the year's actions still in instruction or deposited: their lines wait.
    waiting = [aid for aid, in Action._meta.database.execute_sql(
        """SELECT id FROM "action" WHERE year = 2015 AND deleted = 0 AND status IN ('deposee', 'en_instruction')
           ORDER BY reference""")]
    assert len(waiting) >= 3
    meeting = save_meeting({"kind": "comite_attribution", "date": date(2015, 5, 21)}).record.id
    assert add_items(meeting, waiting).ok
    ids = ",".join(str(i) for i in waiting)
    requested, granted, decided, undecided, paid, funders = _sql(
        f"""SELECT sum(requested), COALESCE(sum(granted), 0), count(granted),
                   COALESCE(sum(CASE WHEN granted IS NULL THEN requested ELSE 0 END), 0), COALESCE(sum(paid), 0),
                   count(DISTINCT funder_id)
            FROM funding WHERE deleted = 0 AND action_id IN ({ids})""")
    cost, = _sql(f'SELECT sum(total_cost) FROM "action" WHERE id IN ({ids})')
    assert decided == 0 and undecided == requested  # by hand: the demo decides nothing before instruction ends
    out = tmp_path / "dossier.pdf"
    build_meeting_pack(meeting, out)
    text = " ".join(pages_text(out))
    agenda = text[text.index("Dossiers inscrits à l'ordre du jour, par orientation"):text.index("Programmation 2015 : toutes")]
    euro = norm(format_money(int(requested)))
    # Nothing decided yet: « — » in Accordé, the amount asked under « Non décidé », and nothing paid.
    assert f"Total {len(waiting)} {norm(format_money(cost))} {euro} — {euro} {norm(format_money(0))}" in agenda, agenda
    orientations, = _sql(f'SELECT count(DISTINCT orientation_id) FROM "action" WHERE id IN ({ids})')
    by_orientation = agenda.split("par financeur")[0]
    assert "Accordé Non décidé Versé" in by_orientation
    assert by_orientation.count(" — ") == orientations + 1  # every orientation's row and the total wait
    # The funders' table sums too, counting distinct actions.
    financed, = _sql(f"SELECT count(DISTINCT action_id) FROM funding WHERE deleted = 0 AND action_id IN ({ids})")
    funders_part = agenda[agenda.index("par financeur"):]
    assert f"Total {financed} {euro} — {euro} {norm(format_money(0))}" in funders_part, funders_part
    assert funders_part.count(" — ") == funders + 1  # every funder's row and the total wait


def test_a_funders_programme_says_whose_money_its_status_table_counts(demo_db, tmp_path: Path) -> None:
    from cvdesk.reports.programme_sheet import build_programme_sheet, programme_scope

    name, = _sql("SELECT name FROM funder WHERE short_name = 'CAF' AND deleted = 0")
    out = tmp_path / "caf.pdf"
    build_programme_sheet(programme_scope(2015, funder_name=name), out)
    text = " ".join(pages_text(out))
    # The « dont, par statut » table's Demandé… are the CAF's lines only, its cost the actions' whole cost: it says
    # so above its figures, not only above the next table.
    status_part = text[text.index("Dont, par statut"):text.index("Statut Actions Coût total")]
    assert f"les lignes de {name} seulement" in status_part, status_part
