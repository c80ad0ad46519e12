"""Issue 15's acceptance on the demo contract: the same program on SQLite and on PostgreSQL gives the same figures to
the cent, each engine's figures taken from plain SQL on its own base (sqlite3 or psycopg, none of cvdesk's code)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cvdesk import cli
from cvdesk.services.totals import totals_by_funder, years
from cvdesk.store.database import close_database, opened_database
from sql_oracle import SqlOracle

from reports.figures_check import euros
from reports.pdfcheck import all_text

pytestmark = pytest.mark.both_engines

# Each funder's live lines of live actions, by programming year: what the funders' table of a programme adds up.
FUNDER_YEAR_SQL = """
    SELECT fu.name, a.year, count(DISTINCT a.id), sum(f.requested), sum(COALESCE(f.granted, 0)),
           sum(COALESCE(f.paid, 0))
    FROM funding f JOIN "action" a ON a.id = f.action_id JOIN funder fu ON fu.id = f.funder_id
    WHERE f.deleted = 0 AND a.deleted = 0
    GROUP BY fu.name, a.year"""


def run(*arguments: str) -> None:
    """The command line in this process, as a coordinator types it, on a closed base."""
    close_database()
    assert cli.main(list(arguments)) == 0, arguments
    close_database()


def funder_year_sums(engine: str, target: Path | str) -> dict[tuple[str, int], tuple[int, ...]]:
    oracle = SqlOracle(engine, target)
    try:
        return {(name, year): tuple(sums) for name, year, *sums in oracle.rows(FUNDER_YEAR_SQL)}
    finally:
        oracle.close()


def funder_year_shown(target: Path | str) -> dict[tuple[str, int], tuple[int, ...]]:
    """The funders' totals the window's panels and the programme read, for every year of the base."""
    with opened_database(target):
        return {(total.label, year): (total.actions, total.requested, total.granted, total.paid)
                for year in years() for total in totals_by_funder(year)}


def test_the_demo_contract_has_the_same_figures_to_the_cent_on_both_engines(demo_template: Path, pg_demo_url: str,
                                                                               tmp_path: Path) -> None:
    """Headquarters moves to PostgreSQL: every funder's requested, granted and paid sums of every year are the
    office's, and each engine's services show what its own SQL adds up."""
    office = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, office)
    by_sql = {"sqlite": funder_year_sums("sqlite", office), "postgresql": funder_year_sums("postgresql", pg_demo_url)}
    shown = {"sqlite": funder_year_shown(office), "postgresql": funder_year_shown(pg_demo_url)}

    assert len(by_sql["sqlite"]) >= 8  # the demo's funders over its years: a comparison of something
    assert by_sql["postgresql"] == by_sql["sqlite"]
    assert shown["sqlite"] == by_sql["sqlite"]
    assert shown["postgresql"] == by_sql["postgresql"]


def test_the_demo_command_then_the_programme_print_what_sql_adds_up(engine: str, db_target: Path | str, sql_rows,
                                                                    tmp_path: Path) -> None:
    """`cvdesk demo --db …` then `cvdesk report programme --year 2015`: the programme's total granted is the sum of
    the 2015 lines that SQL gives, on each engine."""
    run("demo", "--db", str(db_target))
    (requested, granted), = sql_rows(
        'SELECT sum(f.requested), sum(COALESCE(f.granted, 0)) FROM funding f JOIN "action" a ON a.id = f.action_id '
        "WHERE f.deleted = 0 AND a.deleted = 0 AND a.year = ?", (2015,))
    assert granted > 1_000_000_00  # the seed's 1.7 M€ of State credits, and the others'
    out = tmp_path / "programme.pdf"
    run("report", "programme", "--year", "2015", "--out", str(out), "--db", str(db_target))
    text = all_text(out)
    assert euros(granted) in text
    assert euros(requested) in text
