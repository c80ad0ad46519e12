"""Our totals check: the figures a base's SQL gives (written here, by hand) against the services the window reads,
the programme, quartier and association PDFs (their text), the lists as CSV and XLSX, and the SCDL export.

Every expected figure comes from a query of this file or from a count by hand: none from the code under test."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from cvdesk import cli
from cvdesk.store.database import close_database, open_database
from cvdesk.store.models import db

from .pdfcheck import norm, pages_text

STATUS_ORDER = ["brouillon", "deposee", "en_instruction", "accordee", "refusee", "ajournee", "en_cours", "soldee",
                "evaluee", "abandonnee"]
STATUS_WORDS = {"brouillon": "Brouillon", "deposee": "Déposée", "en_instruction": "En instruction",
                "accordee": "Accordée", "refusee": "Refusée", "ajournee": "Ajournée", "en_cours": "En cours",
                "soldee": "Soldée", "evaluee": "Évaluée", "abandonnee": "Abandonnée"}


def euros(cents: int) -> str:
    """1 700 000,00 € written by hand (plain spaces: the PDF text is normalised)."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{format(units, ',').replace(',', ' ')},{rest:02d} €"


def share(part: int, whole: int) -> str:
    """The share to one decimal, rounded once half up from the exact fraction: 12 345 / 100 000 is « 12,3 % »."""
    exact = Fraction(abs(part) * 1000, abs(whole))
    tenths = int(exact + Fraction(1, 2))
    sign = "-" if part * whole < 0 and tenths else ""
    return f"{sign}{tenths // 10},{tenths % 10} %"


@dataclass(frozen=True)
class Sums:
    """What SQL says for one group: distinct actions, cost, and the plan lines' sums (granted NULL counted apart)."""

    actions: int
    cost: int
    requested: int
    granted: int
    paid: int
    undecided: int  # requested by the lines not decided
    undecided_lines: int
    lines: int

    @property
    def granted_text(self) -> str:
        return "—" if self.lines and self.undecided_lines == self.lines else euros(self.granted)

    @property
    def undecided_text(self) -> str:
        return euros(self.undecided) if self.undecided_lines else "—"

    def row(self, with_cost: bool = True) -> str:
        """The figures as a summary row prints them: actions, [cost], requested, granted, not decided, paid."""
        cost = f" {euros(self.cost)}" if with_cost else ""
        return f"{self.actions}{cost} {euros(self.requested)} {self.granted_text} {self.undecided_text} {euros(self.paid)}"


def _sums(group: str, where: str, params: list[Any], funder_id: int | None = None) -> dict[Any, Sums]:
    """By group (an expression on act), over the live actions of where: actions and cost from the actions, money
    from their live lines (only one funder's with funder_id)."""
    line_filter = "AND fl.funder_id = ?" if funder_id is not None else ""
    line_params = [funder_id] if funder_id is not None else []
    actions = db.execute_sql(
        f'SELECT {group}, count(*), COALESCE(SUM(act.total_cost), 0) FROM "action" act WHERE act.deleted = 0 AND {where} '
        f"GROUP BY {group}", params).fetchall()
    lines = {row[0]: row[1:] for row in db.execute_sql(
        f"""SELECT {group}, COALESCE(SUM(fl.requested), 0), SUM(COALESCE(fl.granted, 0)), SUM(COALESCE(fl.paid, 0)),
                   SUM(CASE WHEN fl.granted IS NULL THEN fl.requested ELSE 0 END), count(*) - count(fl.granted),
                   count(fl.uuid)
            FROM "action" act, funding fl
            WHERE fl.action_id = act.id AND fl.deleted = 0 {line_filter} AND act.deleted = 0 AND {where}
            GROUP BY {group}""", line_params + params)}
    return {key: Sums(n, int(cost), *(int(v) for v in lines.get(key, (0,) * 6))) for key, n, cost in actions}


@dataclass
class Expected:
    """One base's figures for a year, from SQL."""

    year: int
    overall: Sums
    by_orientation: dict[Any, Sums]
    by_status: dict[str, Sums]
    by_funder: dict[int, Sums]
    funder_names: dict[int, str]
    envelopes: list[tuple[int, Any, int, Sums]]  # funder, orientation, amount, what its lines ask, grant, pay


def scope_where(year: int, funder_id: int | None = None, quartier_id: int | None = None) -> tuple[str, list[Any]]:
    where, params = "act.year = ?", [year]
    if funder_id is not None:
        where += " AND EXISTS (SELECT 1 FROM funding x WHERE x.action_id = act.id AND x.deleted = 0 AND x.funder_id = ?)"
        params.append(funder_id)
    if quartier_id is not None:
        where += (" AND EXISTS (SELECT 1 FROM action_quartier y WHERE y.action_id = act.id AND y.deleted = 0"
                  " AND y.quartier_id = ?)")
        params.append(quartier_id)
    return where, params


def expected(year: int, funder_id: int | None = None, quartier_id: int | None = None) -> Expected:
    where, params = scope_where(year, funder_id, quartier_id)
    overall = _sums("1", where, params, funder_id).get(1, Sums(0, 0, 0, 0, 0, 0, 0, 0))
    by_orientation = _sums("act.orientation_id", where, params, funder_id)
    by_status = _sums("act.status", where, params, funder_id)
    by_funder: dict[int, Sums] = {}
    for fid, in db.execute_sql("SELECT id FROM funder"):
        if funder_id is not None and fid != funder_id:
            continue
        fwhere = where + " AND EXISTS (SELECT 1 FROM funding z WHERE z.action_id = act.id AND z.deleted = 0" \
                         " AND z.funder_id = ?)"
        found = _sums("1", fwhere, params + [fid], fid).get(1)
        if found:
            by_funder[fid] = found
    names = dict(db.execute_sql("SELECT id, name FROM funder").fetchall())
    envelopes = []
    for fid, oid, amount in db.execute_sql(
            "SELECT funder_id, orientation_id, SUM(amount) FROM envelope WHERE deleted = 0 AND year = ? "
            "GROUP BY funder_id, orientation_id", [year]):
        if funder_id is not None and fid != funder_id:
            continue
        ewhere, eparams = "act.year = ?", [year]
        if oid is not None:
            ewhere += " AND act.orientation_id = ?"
            eparams.append(oid)
        ewhere += " AND EXISTS (SELECT 1 FROM funding z WHERE z.action_id = act.id AND z.deleted = 0 AND z.funder_id = ?)"
        found = _sums("1", ewhere, eparams + [fid], fid).get(1, Sums(0, 0, 0, 0, 0, 0, 0, 0))
        envelopes.append((fid, oid, int(amount), found))
    return Expected(year, overall, by_orientation, by_status, by_funder, names, envelopes)


def same(total: Any, sums: Sums, with_cost: bool = True) -> None:
    """A service's Total against SQL's sums, to the cent."""
    got = (total.actions, total.requested, total.granted, total.paid, total.undecided, total.undecided_lines,
           total.lines)
    want = (sums.actions, sums.requested, sums.granted, sums.paid, sums.undecided, sums.undecided_lines, sums.lines)
    assert got == want, (total.label, got, want)
    if with_cost:
        assert total.total_cost == sums.cost, (total.label, total.total_cost, sums.cost)


def check_services(exp: Expected, funder_id: int | None = None, quartier_id: int | None = None) -> None:
    """The services the window, the dashboard and the sheets read."""
    from cvdesk.services.list_totals import list_totals
    from cvdesk.services.totals import (FigureScope, envelope_consumption, figures, funder_totals,
                                        orientation_totals, overall_total, status_totals)

    scope = FigureScope(exp.year, funder_id=funder_id, quartier_id=quartier_id)
    together = figures(scope)
    for overall, orientations, statuses, funders in (
            (overall_total(scope), orientation_totals(scope), status_totals(scope), funder_totals(scope)),
            (together.overall, together.orientations, together.statuses, together.funders)):
        same(overall, exp.overall)
        assert [t.key for t in orientations] == sorted(exp.by_orientation, key=_orientation_rank), "orientations"
        for t in orientations:
            same(t, exp.by_orientation[t.key])
        assert [t.key for t in statuses] == [s for s in STATUS_ORDER if s in exp.by_status]
        for t in statuses:
            same(t, exp.by_status[t.key])
            assert t.label == STATUS_WORDS[t.key]
        assert [t.key for t in funders] == funder_order(exp.by_funder), "un financeur par identité, dans l'ordre"
        for t in funders:
            same(t, exp.by_funder[t.key])
    where, params = scope_where(exp.year, funder_id, quartier_id)
    line_filter = "AND fl.funder_id = ?" if funder_id is not None else ""
    financed, = db.execute_sql(
        f"""SELECT count(*) FROM "action" act WHERE act.deleted = 0 AND {where} AND act.id IN
            (SELECT fl.action_id FROM funding fl WHERE fl.deleted = 0 {line_filter})""",
        params + ([funder_id] if funder_id is not None else [])).fetchone()
    assert together.financed == financed
    if quartier_id is None:
        uses = envelope_consumption(exp.year, funder_id)
        assert len(uses) == len(exp.envelopes)
        wanted = {(fid, oid): (amount, s) for fid, oid, amount, s in exp.envelopes}
        for use in uses:
            amount, s = wanted[(use.funder_id, use.orientation_id)]
            assert (use.amount, use.requested, use.granted, use.paid, use.actions) == (
                amount, s.requested, s.granted, s.paid, s.actions)
            if amount:
                assert norm(use.granted_share) == share(s.granted, amount)
    if funder_id is None and quartier_id is None:
        # The Actions list's totals row (the window's, from the cached sums of each action).
        listed = list_totals("actions", filters={"year": exp.year})
        o = exp.overall
        assert (listed.count, listed.sums["total_cost"], listed.sums["requested"], listed.sums["granted"],
                listed.sums["paid"]) == (o.actions, o.cost, o.requested, o.granted, o.paid)
        for fid, s in exp.by_funder.items():
            lines = list_totals("fundings", filters={"year": exp.year, "funder": fid})
            assert (lines.count, lines.sums["requested"], lines.sums["granted"], lines.sums["paid"]) == (
                s.lines, s.requested, s.granted, s.paid)


def _orientation_rank(oid: Any) -> tuple[Any, ...]:
    if oid is None:
        return (1, 0, "", 0)
    number, title = db.execute_sql("SELECT number, title FROM orientation WHERE id = ?", [oid]).fetchone()
    return (0, number, title, oid)


def orientation_name(oid: Any) -> str:
    """« Orientation 2 – Promouvoir… » as a heading names it, from SQL; « Sans orientation » for none."""
    if oid is None:
        return "Sans orientation"
    number, title = db.execute_sql("SELECT number, title FROM orientation WHERE id = ?", [oid]).fetchone()
    return norm(f"Orientation {number} – {title}")


def funder_order(ids: Any) -> list[int]:
    rows = {fid: (pos, name, fid) for fid, pos, name in db.execute_sql("SELECT id, position, name FROM funder")}
    return sorted(ids, key=lambda fid: rows[fid])


def run(*args: str) -> None:
    """The command line, in this process, on a closed base (as a coordinator's second program would)."""
    close_database()
    code = cli.main(list(args))
    close_database()
    assert code == 0, args


def check_pdf_programme(exp: Expected, db_target: Path | str, out: Path, funder_name: str | None = None,
                        funder_id: int | None = None, quartier_code: str | None = None) -> str:
    """The programme the command line prints: headline, « dont » by status, synthesis, envelopes, funders."""
    args = ["report", "programme", "--db", str(db_target), "--out", str(out), "--year", str(exp.year)]
    if funder_name:
        args += ["--funder", funder_name]
    if quartier_code:
        args += ["--quartier", quartier_code]
    run(*args)
    text = " ".join(pages_text(out))
    open_database(db_target)
    o = exp.overall
    if funder_id is None:
        assert (f"{o.actions} action{'s' if o.actions > 1 else ''} · coût total {euros(o.cost)} · demandé "
                f"{euros(o.requested)} · accordé {o.granted_text} · versé {euros(o.paid)}") in text
    else:
        name = exp.funder_names[funder_id]
        assert (f"{o.actions} action{'s' if o.actions > 1 else ''} financée{'s' if o.actions > 1 else ''} par "
                f"{norm(name)} · coût total de ces actions (tous financeurs) {euros(o.cost)}") in text
        assert (f"demandé à {norm(name)} {euros(o.requested)} · accordé par {norm(name)} {o.granted_text} · "
                f"versé par {norm(name)} {euros(o.paid)}") in text
    for status in STATUS_ORDER:
        if status in exp.by_status:
            assert f"dont {STATUS_WORDS[status]} {exp.by_status[status].row()}" in text, status
    for oid, s in exp.by_orientation.items():
        # Each row under its own orientation's name (figures under a neighbour's label would still be « in text »).
        assert f"{orientation_name(oid)} {s.row()}" in text, oid
    assert f"Total {o.row()}" in text
    for fid, oid, amount, s in exp.envelopes:
        scope = "toutes orientations"
        if oid is not None:
            number, title = db.execute_sql("SELECT number, title FROM orientation WHERE id = ?", [oid]).fetchone()
            scope = f"orientation {number}. {title}"
        several, = db.execute_sql(
            "SELECT count(*) FROM envelope WHERE deleted = 0 AND year = ? AND funder_id = ? "
            "AND COALESCE(orientation_id, 0) = ?", [exp.year, fid, oid or 0]).fetchone()
        if several > 1:
            scope += f", {several} enveloppes additionnées"
        cells = [norm(f"{exp.funder_names[fid]} – {exp.year}, {scope}"), euros(amount)]
        for part in (s.requested, s.granted, s.paid):
            cells.append(euros(part) + (f" {share(part, amount)}" if amount else ""))
        cells.append(euros(amount - s.granted))
        assert " ".join(cells) in text, (fid, oid)
        if s.granted > amount:
            assert f"dépasse l'enveloppe : {share(s.granted, amount)} accordés" in text
    if funder_id is not None and not exp.envelopes:
        assert f"{norm(exp.funder_names[funder_id])} n'a pas d'enveloppe enregistrée pour {exp.year}" in text
    # Totaux par financeur: one row per funder identity, its full name, in funder order.
    positions = []
    for fid in funder_order(exp.by_funder):
        row = f"{norm(exp.funder_names[fid])} {exp.by_funder[fid].row(with_cost=False)}"
        assert row in text, row
        positions.append(text.index(row))
    assert positions == sorted(positions), "les financeurs dans l'ordre"
    return text


def check_lists(exp: Expected, db_target: Path | str, folder: Path) -> None:
    """The `table` command's CSV and XLSX of the actions and the plan lines, and the SCDL export."""
    actions_csv, lines_xlsx, scdl = folder / "actions.csv", folder / "financements.xlsx", folder / "scdl.csv"
    for name, out in (("actions", actions_csv), ("fundings", lines_xlsx), ("scdl", scdl)):
        run("table", name, "--db", str(db_target), "--out", str(out))
    open_database(db_target)

    def cents(text: str) -> int:
        return int(Decimal(text.replace(",", ".")) * 100) if text else 0

    with actions_csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter=";") if r["Année"] == str(exp.year)]
    o = exp.overall
    assert len(rows) == o.actions
    assert sum(cents(r["Coût total"]) for r in rows) == o.cost
    assert sum(cents(r["Demandé"]) for r in rows) == o.requested
    assert sum(cents(r["Accordé"]) for r in rows) == o.granted
    assert sum(cents(r["Versé"]) for r in rows) == o.paid

    sheet = load_workbook(lines_xlsx, read_only=True).active
    header, *lines = [list(r) for r in sheet.iter_rows(values_only=True)]
    col = {label: n for n, label in enumerate(header)}
    names = exp.funder_names
    assert len(set(names.values())) == len(names), "deux financeurs du même nom : la liste ne les distingue pas"
    by_name = {names[fid]: s for fid, s in exp.by_funder.items()}
    seen: dict[str, list[Any]] = {}
    def xlsx_cents(value: Any) -> int:
        # A number cell read back as the shortest decimal that names it (0.29, not 0.28999…).
        return int(Decimal(repr(value)) * 100) if value is not None else 0

    for line in lines:
        line = line + [None] * (len(header) - len(line))  # a read-only sheet drops the empty cells at a row's end
        if line[col["Année"]] != exp.year:
            continue
        entry = seen.setdefault(line[col["Financeur"]], [set(), 0, 0, 0, 0, 0, 0])
        granted, paid = line[col["Accordé"]], line[col["Versé"]]
        entry[0].add(line[col["Référence de l'action"]])
        entry[1] += xlsx_cents(line[col["Demandé"]])
        entry[2] += xlsx_cents(granted)
        entry[3] += xlsx_cents(paid)
        entry[4] += xlsx_cents(line[col["Demandé"]]) if granted is None else 0
        entry[5] += granted is None
        entry[6] += 1
    assert set(seen) == set(by_name)
    for name, (refs, req, gra, paid, undecided, undecided_lines, count) in seen.items():
        s = by_name[name]
        assert (len(refs), req, gra, paid, undecided, undecided_lines, count) == (
            s.actions, s.requested, s.granted, s.paid, s.undecided, s.undecided_lines, s.lines), name

    with scdl.open(encoding="utf-8", newline="") as handle:
        grants = [r for r in csv.DictReader(handle)]
    # A porteur with a SIRET or an RNA number (W and nine digits), told apart here in Python.
    porteurs = [aid for aid, siret, rna in db.execute_sql("SELECT id, siret, rna FROM association")
                if len(siret) == 14 or re.fullmatch(r"W[0-9]{9}", rna)]
    wanted = db.execute_sql(
        f"""SELECT fu.name, count(*), SUM(fl.granted) FROM funding fl, "action" act, funder fu
           WHERE fl.action_id = act.id AND fu.id = fl.funder_id AND fl.deleted = 0 AND act.deleted = 0
           AND fl.granted > 0
           -- What the national format carries: a decided cash grant (no TFPB abatement) of a funder with its SIRET to
           -- a porteur with a SIRET or an RNA number.
           AND fu.kind <> 'bailleur' AND length(fu.siret) = 14 AND fl.decision_date IS NOT NULL
           AND act.porteur_id IN ({','.join(str(int(aid)) for aid in porteurs) or 'NULL'})
           GROUP BY fu.id, fu.name""").fetchall()
    got: dict[str, list[int]] = {}
    for grant in grants:
        entry = got.setdefault(grant["nomAttribuant"], [0, 0])
        entry[0] += 1
        entry[1] += int(Decimal(grant["montant"]) * 100)
    assert got == {name: [n, int(total)] for name, n, total in wanted}


def check_quartier_sheet(db_target: Path | str, out: Path, code: str, year: int) -> str:
    """The quartier's sheet: its funders, by identity, each with SQL's sums over the quartier's actions."""
    quartier_id, = db.execute_sql("SELECT id FROM quartier WHERE code = ? AND deleted = 0", [code]).fetchone()
    exp = expected(year, quartier_id=quartier_id)
    run("report", "quartier", "--db", str(db_target), "--out", str(out), "--id", code, "--year", str(year))
    text = " ".join(pages_text(out))
    open_database(db_target)
    for fid in funder_order(exp.by_funder):
        row = f"{norm(exp.funder_names[fid])} {exp.by_funder[fid].row(with_cost=False)}"
        assert row in text, row
    with_lines = db.execute_sql(
        f"""SELECT count(*) FROM "action" act WHERE act.deleted = 0 AND {scope_where(year, None, quartier_id)[0]}
            AND EXISTS (SELECT 1 FROM funding fl WHERE fl.action_id = act.id AND fl.deleted = 0)""",
        scope_where(year, None, quartier_id)[1]).fetchone()[0]
    o = exp.overall
    assert f"Total {with_lines} {euros(o.requested)} {o.granted_text} {o.undecided_text} {euros(o.paid)}" in text
    return text


def check_association_sheet(db_target: Path | str, out: Path, association_id: int) -> str:
    """The association's sheet: its funding by year and by funder identity, each with SQL's sums."""
    siret, = db.execute_sql("SELECT siret FROM association WHERE id = ?", [association_id]).fetchone()
    by_year = _sums("act.year", "act.porteur_id = ?", [association_id])
    by_funder = {}
    for fid, in db.execute_sql("SELECT id FROM funder"):
        found = _sums("1", "act.porteur_id = ? AND EXISTS (SELECT 1 FROM funding z WHERE z.action_id = act.id "
                      "AND z.deleted = 0 AND z.funder_id = ?)", [association_id, fid], fid).get(1)
        if found:
            by_funder[fid] = found
    names = dict(db.execute_sql("SELECT id, name FROM funder").fetchall())
    run("report", "association", "--db", str(db_target), "--out", str(out), "--id", siret)
    text = " ".join(pages_text(out))
    open_database(db_target)
    for year, s in by_year.items():
        assert f"{year} {s.row()}" in text, year
    positions = []
    for fid in funder_order(by_funder):
        row = f"{norm(names[fid])} {by_funder[fid].row(with_cost=False)}"
        assert row in text, row
        positions.append(text.index(row))
    assert positions == sorted(positions)
    return text


def check_dashboard(exp: Expected) -> None:
    """The « Tableau de bord »: its envelopes and orientations carry SQL's figures, and the Actions list a figure
    opens holds exactly SQL's actions."""
    from cvdesk.services import dashboard
    from cvdesk.services.lists import count

    wanted = {(fid, oid): (amount, s) for fid, oid, amount, s in exp.envelopes}
    bars = dashboard.envelope_bars(exp.year)
    assert len(bars) == len(wanted)
    for bar in bars:
        amount, s = wanted[(bar.use.funder_id, bar.use.orientation_id)]
        assert (bar.use.amount, bar.use.requested, bar.use.granted, bar.use.paid) == (
            amount, s.requested, s.granted, s.paid)
        assert count("actions", filters=bar.actions.filters) == s.actions
    for line in dashboard.orientation_totals(exp.year):
        same(line.total, exp.by_orientation[line.total.key])
        assert count("actions", filters=line.actions.filters) == exp.by_orientation[line.total.key].actions
