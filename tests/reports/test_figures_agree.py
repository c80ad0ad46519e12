"""Our totals check: on the demo, on the demo with two funders both called « CAF », on odd cents, on two offices
merged and on a synthetic contract, SQL, the services, the PDFs, the lists and the SCDL export give the same
figures to the cent."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.merge import import_package
from cvdesk.services.actions import FundingInput, save_action, set_fundings
from cvdesk.services.reference import save_contract, save_envelope, save_funder, save_orientation
from cvdesk.store.database import close_database, open_database
from cvdesk.store.models import Action, ActionQuartier, Funding, db

from .figures_check import (
    Sums,
    check_association_sheet,
    check_dashboard,
    check_lists,
    check_pdf_programme,
    check_quartier_sheet,
    check_services,
    euros,
    expected,
    run,
    share,
)
from .pdfcheck import pages_text

# The figures on each engine: SQLite, and PostgreSQL (the tests' own server); two merged offices on SQLite only.
pytestmark = pytest.mark.both_engines


def add_line(action_id: int, funder_id: int, requested: int, granted: int | None, paid: int | None = None) -> None:
    """A coordinator adds one funder's line to an action's plan (the others kept as they are)."""
    kept = [FundingInput(f.funder_id, f.requested, f.granted, f.paid, f.decision_date, f.notes)
            for f in Funding.select().where((Funding.action == action_id) & (Funding.deleted == False))]  # noqa: E712
    with db.atomic():
        assert set_fundings(Action.get_by_id(action_id), kept + [FundingInput(funder_id, requested, granted, paid)]) == {}


def check_everything(db_target: Path | str, folder: Path, year: int, funder_programmes: bool = True) -> None:
    """Services, programme (whole, and narrowed to each funder with lines unless told not to), lists and SCDL."""
    exp = expected(year)
    assert exp.overall.actions > 0
    check_services(exp)
    check_dashboard(exp)
    check_lists(exp, db_target, folder)
    for fid in exp.by_funder:
        check_services(expected(year, funder_id=fid), funder_id=fid)
    check_pdf_programme(exp, db_target, folder / "programme.pdf")
    for fid in exp.by_funder if funder_programmes else ():
        narrowed = expected(year, funder_id=fid)
        check_pdf_programme(narrowed, db_target, folder / f"programme-{fid}.pdf", funder_name=exp.funder_names[fid],
                            funder_id=fid)


def test_the_demo_figures_agree_everywhere(demo_db, db_target: Path | str, tmp_path: Path) -> None:
    check_everything(db_target, tmp_path, 2015)
    code, = db.execute_sql("SELECT code FROM quartier WHERE deleted = 0 ORDER BY code LIMIT 1").fetchone()
    check_quartier_sheet(db_target, tmp_path / "quartier.pdf", code, 2015)


@pytest.fixture
def two_cafs(demo_db, db_target: Path | str) -> tuple[int, int]:
    """The demo, edited: a second funder also called « CAF » (du Pas-de-Calais) at the same position, with lines
    on three actions that CAF du Nord also finances, one of them not decided yet, and an envelope of its own."""
    north, position = db.execute_sql("SELECT id, position FROM funder WHERE short_name = 'CAF'").fetchone()
    south = save_funder({"name": "CAF du Pas-de-Calais", "short_name": "CAF", "kind": "caf",
                         "position": position}).record.id
    shared = [aid for aid, in db.execute_sql(
        'SELECT a.id FROM "action" a JOIN funding f ON f.action_id = a.id AND f.deleted = 0 AND f.funder_id = ? '
        "WHERE a.deleted = 0 AND a.year = 2015 ORDER BY a.reference LIMIT 3", [north])]
    assert len(shared) == 3
    add_line(shared[0], south, 1_234_567, 1_000_001, 500_000)
    add_line(shared[1], south, 700_033, 700_033)
    add_line(shared[2], south, 250_000, None)
    assert save_envelope({"funder": south, "year": 2015, "amount": 1_500_000}).ok
    return north, south


def test_two_funders_called_caf_keep_their_own_rows_and_names(two_cafs, db_target: Path | str, tmp_path: Path) -> None:
    north, south = two_cafs
    check_everything(db_target, tmp_path, 2015)
    text = " ".join(pages_text(tmp_path / "programme.pdf"))
    # Each has its row, under its full name, with its own sums (the programme summed both under « CAF »).
    exp = expected(2015)
    for fid, name in ((north, "CAF du Nord"), (south, "CAF du Pas-de-Calais")):
        assert f"{name} {exp.by_funder[fid].row(with_cost=False)}" in text
    # In the plans, a line says which CAF it is.
    details = text[text.index("Orientation 1 –", text.index("Totaux par financeur")):]
    assert "CAF du Nord" in details and "CAF du Pas-de-Calais" in details
    assert " CAF " not in details.replace("CAF du", "")


@pytest.fixture
def odd_cents(empty_db, db_target: Path | str) -> Path | str:
    """A small contract whose sums end in odd cents: an envelope of 1 000,00 € of which 123,45 € are granted."""
    contract = save_contract({"name": "Contrat de ville de Centimes", "start_year": 2024, "end_year": 2030}).record
    first = save_orientation({"contract": contract.id, "number": 1, "title": "Emploi"}).record
    second = save_orientation({"contract": contract.id, "number": 2, "title": "Santé"}).record
    state = save_funder({"name": "État – BOP 147", "short_name": "État", "kind": "etat", "position": 0}).record
    town = save_funder({"name": "Ville de Centimes", "short_name": "Ville", "kind": "commune", "position": 1}).record
    assert save_envelope({"funder": state.id, "year": 2024, "amount": 100_000}).ok
    assert save_envelope({"funder": town.id, "year": 2024, "amount": 30_000}).ok  # overspent below
    assert save_envelope({"funder": state.id, "year": 2024, "orientation": second.id, "amount": 3}).ok
    plans = [
        ("2024-C-001", first.id, "accordee", 20_001, [FundingInput(state.id, 12_346, 12_345, 1),
                                                      FundingInput(town.id, 33_333, 33_333, None)]),
        ("2024-C-002", second.id, "en_instruction", 9_999, [FundingInput(state.id, 1, None),
                                                            FundingInput(town.id, 4_999, None)]),
        ("2024-C-003", second.id, "refusee", 101, [FundingInput(state.id, 100, 0, 0)]),
        ("2024-C-004", None, "brouillon", 7, []),
    ]
    for reference, orientation, status, cost, lines in plans:
        result = save_action({"reference": reference, "title": f"Action {reference}", "year": 2024,
                              "orientation": orientation, "status": status, "total_cost": cost}, fundings=lines)
        assert result.ok, result.errors
    return db_target


def test_odd_cents_are_summed_and_shared_to_the_cent(odd_cents: Path | str, tmp_path: Path) -> None:
    check_everything(odd_cents, tmp_path, 2024)
    text = " ".join(pages_text(tmp_path / "programme.pdf"))
    # By hand: the State granted 123,45 € (+ 0,00 € refused) of 1 000,00 €: 12,345 % printed once rounded.
    assert share(12_345, 100_000) == "12,3 %"
    assert f"{euros(12_345)} 12,3 %" in text
    # The town granted 333,33 € of 300,00 €: above 100 %, said so.
    assert "dépasse l'enveloppe : 111,1 % accordés" in text
    # Not decided is not 0,00 €: the second action's lines wait, and its orientation shows what they ask.
    assert "—" in text and euros(1 + 4_999) in text
    # The State's envelope for orientation 2 stays apart from its yearly one.
    assert euros(3) in text and "orientation 2" in text.lower()


@pytest.fixture
def merged_offices(demo_template: Path, tmp_path: Path) -> Path:
    """Headquarters (the demo) merges an office's package: both had added a CAF du Nord line, and a link to the
    same quartier, to the same action, each on its own side."""
    headquarters, office = tmp_path / "siege.db", tmp_path / "bureau.db"
    shutil.copyfile(demo_template, headquarters)
    shutil.copyfile(demo_template, office)
    for path, amount in ((headquarters, 300_001), (office, 200_000)):
        open_database(path)
        caf, = db.execute_sql("SELECT id FROM funder WHERE short_name = 'CAF'").fetchone()
        action_id, = db.execute_sql(
            """SELECT id FROM "action" WHERE reference = '2015-VM-001' AND deleted = 0""").fetchone()
        assert not Funding.select().where((Funding.action == action_id) & (Funding.funder == caf)
                                          & (Funding.deleted == False)).exists()  # noqa: E712
        quartier, = db.execute_sql(
            "SELECT id FROM quartier WHERE id NOT IN (SELECT quartier_id FROM action_quartier WHERE action_id = ? "
            "AND deleted = 0) AND deleted = 0 ORDER BY code LIMIT 1", [action_id]).fetchone()
        add_line(action_id, caf, amount, amount if path == office else None)
        ActionQuartier.create(action=action_id, quartier=quartier, share_bp=2500)
        if path == office:
            export_package(tmp_path / "bureau.zip", "Bureau Sud")
        close_database()
    open_database(headquarters)
    import_package(tmp_path / "bureau.zip")
    lines = db.execute_sql(
        """SELECT count(*) FROM funding f JOIN "action" a ON a.id = f.action_id JOIN funder fu ON fu.id = f.funder_id
           WHERE a.reference = '2015-VM-001' AND fu.short_name = 'CAF' AND f.deleted = 0""").fetchone()[0]
    assert lines == 2, "la fusion garde les deux lignes des deux bureaux"
    close_database()
    return headquarters


def test_two_merged_offices_count_each_action_once(merged_offices: Path, tmp_path: Path) -> None:
    open_database(merged_offices)
    try:
        check_everything(merged_offices, tmp_path, 2015)
        caf, = db.execute_sql("SELECT id FROM funder WHERE short_name = 'CAF'").fetchone()
        exp = expected(2015)
        # By hand: the CAF's lines now outnumber the actions it finances by the office's duplicate line.
        assert exp.by_funder[caf].lines == exp.by_funder[caf].actions + 1
        quartier, code = db.execute_sql(
            "SELECT q.id, q.code FROM action_quartier aq JOIN quartier q ON q.id = aq.quartier_id "
            "GROUP BY aq.action_id, aq.quartier_id HAVING count(*) > 1").fetchone()
        check_quartier_sheet(merged_offices, tmp_path / "quartier.pdf", code, 2015)
        porteur, = db.execute_sql(
            """SELECT porteur_id FROM "action" WHERE reference = '2015-VM-001' AND deleted = 0""").fetchone()
        check_association_sheet(merged_offices, tmp_path / "association.pdf", porteur)
        narrowed = expected(2015, quartier_id=quartier)
        check_services(narrowed, quartier_id=quartier)
        text = check_pdf_programme(narrowed, merged_offices, tmp_path / "quartier-programme.pdf", quartier_code=code)
        assert "comptent ici en entier" in text and "Part du quartier" in text
    finally:
        close_database()


@pytest.fixture
def synthetic(empty_db, db_target: Path | str) -> Path | str:
    from cvdesk.services.synthetic import Scale, build_synthetic

    build_synthetic(Scale(communes=12, quartiers=20, associations=60, actions=240, first_year=2020, years=2))
    return db_target


def test_a_synthetic_contract_agrees_everywhere(synthetic: Path | str, tmp_path: Path) -> None:
    for year in (2020, 2021):
        folder = tmp_path / str(year)
        folder.mkdir()
        # Each funder's own programme once (the first year) is enough: the second year checks the rest again.
        check_everything(synthetic, folder, year, funder_programmes=year == 2020)


def test_the_hand_helpers_are_what_a_reader_expects() -> None:
    assert euros(170_000_050) == "1 700 000,50 €" and euros(-5) == "-0,05 €"
    assert share(12_345, 100_000) == "12,3 %" and share(1, 2_000) == "0,1 %" and share(333_33, 300_00) == "111,1 %"
    assert Sums(1, 0, 10, 0, 0, 10, 1, 1).granted_text == "—"


def test_the_check_can_fail(odd_cents: Path | str, tmp_path: Path) -> None:
    """A cent moved behind the services' back (the cached sum of an action) is caught by the lists' check."""
    db.execute_sql("""UPDATE "action" SET granted_total = granted_total + 1 WHERE reference = '2024-C-001'""")
    with pytest.raises(AssertionError):
        check_services(expected(2024))
    close_database()
    run("table", "actions", "--db", str(odd_cents), "--out", str(tmp_path / "a.csv"))
    open_database(odd_cents)
