"""The dossier de séance: a comité's papers in one PDF, with bookmarks, page numbers and the dashboard's figures."""
from __future__ import annotations

import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from cvdesk.domain.money import format_money
from cvdesk.reports.action_sheet import build_action_sheet
from cvdesk.reports.meeting_pack import build_meeting_pack
from cvdesk.reports.styles import ReportCancelled, ReportError
from cvdesk.services.report_data import find_meeting
from cvdesk.store.models import db

from .pdfcheck import assert_page_numbers, assert_sound_pdf, norm, pages_text

pytestmark = pytest.mark.both_engines

ROOT = Path(__file__).resolve().parents[2]
PILOTAGE = "16/04/2015"


def m(cents: int) -> str:
    return norm(format_money(cents))


def agenda_from_sql(meeting_id: int) -> list[tuple[int, str, str]]:
    """(action id, reference, title) of the meeting's live items on live actions, in agenda order."""
    return db.execute_sql(
        'SELECT a.id, a.reference, a.title FROM meeting_item mi JOIN "action" a ON a.id = mi.action_id '
        "WHERE mi.meeting_id = ? AND mi.deleted = 0 AND a.deleted = 0 ORDER BY mi.position, mi.id",
        (meeting_id,)).fetchall()


def pages_of(build) -> int:
    out = BytesIO()
    build(out)
    return len(PdfReader(out).pages)


@pytest.fixture
def pilotage_pack(demo_db, tmp_path: Path) -> tuple[int, Path]:
    meeting = find_meeting(PILOTAGE)
    out = tmp_path / "dossier.pdf"
    build_meeting_pack(meeting.id, out)
    return meeting.id, out


def test_the_comite_pack_has_a_bookmark_for_each_part_and_each_item(pilotage_pack) -> None:
    meeting_id, out = pilotage_pack
    agenda = agenda_from_sql(meeting_id)
    assert len(agenda) == 24  # the demo's comité de pilotage
    reader = PdfReader(str(out))
    titles = [entry.title for entry in reader.outline]
    assert titles == ["Couverture", "Ordre du jour", "Synthèse"] + [f"{ref} – {title}" for _, ref, title in agenda]
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"  # the reader opens on the bookmarks
    starts = [reader.get_destination_page_number(entry) for entry in reader.outline]
    assert starts[:3] == [0, 1, 2]
    texts = pages_text(out)
    assert "Dossier de séance" in texts[0] and "Comité de pilotage du 16/04/2015" in texts[0]
    assert "24 dossiers" in texts[0] and "Sous-préfecture de Valenciennes" in texts[0]
    assert texts[1].count("Ordre du jour – Comité de pilotage du 16/04/2015") == 1
    assert "Synthèse" in texts[2]
    for number, ((_, ref, title), start) in enumerate(zip(agenda, starts[3:]), start=1):
        assert norm(f"{ref} – {title}") in texts[start], (ref, start)
        assert f"point {number} / 24 de l'ordre du jour" in texts[start]
    assert_sound_pdf(out)


def test_the_page_count_is_the_sum_of_its_parts_each_item_as_its_sheet_alone(pilotage_pack) -> None:
    meeting_id, out = pilotage_pack
    reader = PdfReader(str(out))
    starts = [reader.get_destination_page_number(entry) for entry in reader.outline]
    agenda = agenda_from_sql(meeting_id)
    alone = [pages_of(lambda o, a=action_id: build_action_sheet(a, o)) for action_id, _, _ in agenda]
    # Cover and agenda take a page each for 24 items on the demo, the synthesis two (the agenda's figures, then
    # the year's and its envelopes); each item then takes the pages its fiche action takes printed alone.
    assert starts[:4] == [0, 1, 2, 4]
    for number, pages in enumerate(alone):
        following = starts[4 + number] if 4 + number < len(starts) else len(reader.pages)
        assert following - starts[3 + number] == pages, agenda[number][1]
    assert len(reader.pages) == 4 + sum(alone)
    assert_page_numbers(out)  # « Page n / N » on every page


def test_the_pack_totals_equal_sql_and_the_dashboard(pilotage_pack) -> None:
    from cvdesk.services.dashboard import build_dashboard

    meeting_id, out = pilotage_pack
    texts = pages_text(out)
    starts = [PdfReader(str(out)).get_destination_page_number(entry) for entry in PdfReader(str(out)).outline]
    agenda, synthesis = texts[1], " ".join(texts[starts[2]:starts[3]])
    ids = [action_id for action_id, _, _ in agenda_from_sql(meeting_id)]
    marks = ",".join("?" * len(ids))
    cost, requested = db.execute_sql(
        f'SELECT SUM(total_cost), (SELECT SUM(requested) FROM funding WHERE deleted = 0 AND action_id IN ({marks})) '
        f'FROM "action" WHERE id IN ({marks})', ids + ids).fetchone()
    assert f"Total {m(cost)} {m(requested)}" in agenda
    granted = db.execute_sql(f"SELECT SUM(granted) FROM funding WHERE deleted = 0 AND action_id IN ({marks})",
                             ids).fetchone()[0]
    assert f"Total 24 {m(cost)} {m(requested)} {m(granted)}" in synthesis

    # The year 2015, by orientation: the actions' count and cost, and their live plan lines' money (what the lines
    # not decided yet request apart, « — » when there is none).
    money_sql = """SELECT SUM(f.requested), SUM(f.granted), SUM(CASE WHEN f.granted IS NULL THEN f.requested END),
        SUM(f.paid) FROM funding f JOIN "action" b ON b.id = f.action_id
        WHERE f.deleted = 0 AND b.deleted = 0 AND b.year = 2015"""

    def money_of(requested: int, granted: int, undecided: int | None, paid: int) -> str:
        return f"{m(requested)} {m(granted)} {m(undecided) if undecided else '—'} {m(paid)}"

    year_rows = db.execute_sql("""SELECT o.id, o.number, o.title, count(*), SUM(a.total_cost)
        FROM "action" a JOIN orientation o ON o.id = a.orientation_id
        WHERE a.deleted = 0 AND a.year = 2015 GROUP BY o.id ORDER BY o.number""").fetchall()
    assert len(year_rows) == 6
    for orientation_id, number, title, n, cost in year_rows:
        sums = db.execute_sql(money_sql + " AND b.orientation_id = ?", (orientation_id,)).fetchone()
        assert norm(f"Orientation {number} – {title} {n} {m(cost)} {money_of(*sums)}") in synthesis, number
    n, cost = db.execute_sql('SELECT count(*), SUM(total_cost) FROM "action" WHERE deleted = 0 AND year = 2015'
                             ).fetchone()
    assert f"Total {n} {m(cost)} {money_of(*db.execute_sql(money_sql).fetchone())}" in synthesis

    # Each funder's 2015 envelope against its lines; the shares rounded once, half up, from the cents.
    def share(cents: int, amount: int) -> str:
        tenths = (cents * 2000 // amount + 1) // 2  # per mille, half up
        return f"{tenths // 10},{tenths % 10} %"

    envelopes = db.execute_sql("""
        SELECT fu.name, SUM(e.amount),
          (SELECT SUM(f.requested) FROM funding f JOIN "action" a ON a.id = f.action_id
            WHERE f.funder_id = fu.id AND f.deleted = 0 AND a.deleted = 0 AND a.year = 2015),
          (SELECT SUM(f.granted) FROM funding f JOIN "action" a ON a.id = f.action_id
            WHERE f.funder_id = fu.id AND f.deleted = 0 AND a.deleted = 0 AND a.year = 2015),
          (SELECT SUM(f.paid) FROM funding f JOIN "action" a ON a.id = f.action_id
            WHERE f.funder_id = fu.id AND f.deleted = 0 AND a.deleted = 0 AND a.year = 2015)
        FROM envelope e JOIN funder fu ON fu.id = e.funder_id
        WHERE e.deleted = 0 AND e.year = 2015 AND e.orientation_id IS NULL GROUP BY fu.id""").fetchall()
    assert envelopes
    for name, amount, requested, granted, paid in envelopes:
        assert norm(f"{name} – 2015, toutes orientations {m(amount)} {m(requested)} {share(requested, amount)} "
                    f"{m(granted)} {share(granted, amount)} {m(paid)} {share(paid, amount)} {m(amount - granted)}") \
            in synthesis, name

    # The dashboard of 2015 shows the same figures.
    dashboard = build_dashboard(2015)
    for line in dashboard.orientations:
        t = line.total
        assert norm(f"{t.actions} {m(t.total_cost)} {m(t.requested)} {m(t.granted)}") in synthesis, t.label
    for bar in dashboard.envelopes:
        use = bar.use
        assert norm(f"{use.funder} – 2015, toutes orientations {m(use.amount)} {m(use.requested)}") in synthesis
        assert norm(f"{m(use.granted)} {use.granted_share} {m(use.paid)}") in synthesis


def test_the_pack_reports_its_progress_item_by_item_and_can_be_cancelled(demo_db, tmp_path: Path) -> None:
    meeting = find_meeting(PILOTAGE)
    seen: list[tuple[int, int]] = []
    build_meeting_pack(meeting.id, BytesIO(), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(n, 24) for n in range(1, 25)]

    laid_out: list[int] = []
    folder = tmp_path / "impressions"
    folder.mkdir()
    out = folder / "annule.pdf"
    with pytest.raises(ReportCancelled):
        build_meeting_pack(meeting.id, out, progress=lambda done, total: laid_out.append(done),
                           cancelled=lambda: len(laid_out) >= 5)
    assert laid_out == [1, 2, 3, 4, 5]  # the user's cancel is honoured at once
    assert list(folder.iterdir()) == []  # and leaves no file behind


def test_an_empty_agenda_still_prints_its_cover_agenda_and_synthesis(demo_db, tmp_path: Path) -> None:
    from cvdesk.services.meetings import save_meeting

    meeting = save_meeting({"kind": "comite_technique", "date": "2015-09-10", "place": "Mairie de Denain",
                            "title": "Comité de rentrée"}).record
    out = tmp_path / "vide.pdf"
    build_meeting_pack(meeting.id, out)
    reader = PdfReader(str(out))
    assert [entry.title for entry in reader.outline] == ["Couverture", "Ordre du jour", "Synthèse"]
    pages = assert_page_numbers(out)
    assert "Intitulé Comité de rentrée" in pages[0] and "Mairie de Denain" in pages[0]
    text = " ".join(pages)
    assert "Aucun dossier n'est inscrit" in text
    assert "Programmation 2015" in text  # the meeting's year gives the context


def test_an_unknown_meeting_is_refused_in_one_french_sentence(demo_db, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="La réunion n° 999 n'existe pas."):
        build_meeting_pack(999, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cvdesk", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def demo_file(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    return path


def test_the_command_line_writes_the_pack_of_the_meeting_of_a_date(demo_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "dossier.pdf"
    result = run("report", "meeting-pack", PILOTAGE, "--db", str(demo_file), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Dossier de séance de la réunion du {PILOTAGE} écrit dans {out}."
    assert len(PdfReader(str(out)).outline) == 3 + 24


@pytest.mark.parametrize("args, sentence", [
    (("31/02/2015",), "Aucune réunion n'a la date, le numéro ou l'identifiant « 31/02/2015 » (argument --id)."),
    (("01/01/2015",), "Aucune réunion n'a la date, le numéro ou l'identifiant « 01/01/2015 » (argument --id)."),
    (("99999999999999999999",), "Aucune réunion n'a la date, le numéro ou l'identifiant"),
    (("1", "--id", "2"), "La fiche est désignée deux fois (« 1 » et --id « 2 ») : gardez l'une des deux."),
    ((), "Indiquez la date de la réunion (jj/mm/aaaa), son numéro ou son identifiant (argument --id)."),
])
def test_a_bad_meeting_key_gets_one_french_sentence_and_no_file(demo_file: Path, tmp_path: Path, args,
                                                                sentence: str) -> None:
    out = tmp_path / "dossier.pdf"
    result = run("report", "meeting-pack", *args, "--db", str(demo_file), "--out", str(out))
    assert result.returncode == 2
    assert sentence in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not out.exists()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.one_of(st.text(max_size=40), st.integers(min_value=-(10**30), max_value=10**30).map(str),
                     st.sampled_from(["\udcff", "9" * 40, "0", "2015-02-30", "16/04/2015\x00", "' OR 1=1 --"])))
def test_whatever_key_is_typed_the_pack_is_written_or_refused_in_one_sentence(demo_file: Path, tmp_path: Path,
                                                                              key: str) -> None:
    import contextlib
    import io

    from cvdesk.cli import main

    out = tmp_path / "dossier.pdf"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(["report", "meeting-pack", "--id", key, "--db", str(demo_file), "--out", str(out)])
        except SystemExit as exc:  # argparse refuses by exiting
            code = exc.code
    assert code in (0, 2), err.getvalue()
    assert "inattendue" not in err.getvalue() and "Traceback" not in err.getvalue()
    if code == 2:
        assert len(err.getvalue().strip().splitlines()) == 1 and not out.exists()
    else:
        assert len(PdfReader(str(out)).outline) >= 3
    out.unlink(missing_ok=True)
