"""Funding totals by orientation, quartier, funder, status and year, and envelope consumption, all in cents.

Every printed or shown total comes from here (the window's panels, the dashboard, the PDF sheets), so that one
place decides what a figure means:
- the money sums come from the live plan lines (``funding``), never from copies of them;
- « Actions » counts distinct actions (after a merge two offices may hold two lines, or two quartier links, of one
  action);
- a line not decided yet (granted NULL) adds nothing to « accordé » and is counted apart (``undecided``: what such
  lines request, ``undecided_lines``), so that a total can show « — » or « non décidé » instead of « 0,00 € »;
- funders are grouped by identity (their id), in one order: position, then name, then id.
"""
from __future__ import annotations

from typing import Any, Iterable

from cvdesk.domain.frozen_value import FrozenValue, frozen_init
from cvdesk.domain.money import apply_share, format_share, percent_of
from cvdesk.domain.status import STATUSES, status_label
from cvdesk.store.connection import execute_sql  # plain SQL: the dashboard is painted before peewee loads
from cvdesk.store.dialect import join_in_order


class Total(FrozenValue):
    """One line of a summary: what it is, how many actions, and the sums in cents.

    undecided is what the lines still waiting for a decision request (their granted is NULL); lines counts the plan
    lines summed, undecided_lines those of them not decided."""

    __slots__ = ("key", "label", "actions", "total_cost", "requested", "granted", "paid", "undecided",
                 "undecided_lines", "lines")
    key: Any
    label: str
    actions: int
    total_cost: int
    requested: int
    granted: int
    paid: int
    undecided: int
    undecided_lines: int
    lines: int

    def __init__(self, key: Any, label: str, actions: int, total_cost: int, requested: int, granted: int, paid: int,
                 undecided: int = 0, undecided_lines: int = 0, lines: int = 0) -> None:
        frozen_init(self, key, label, actions, total_cost, requested, granted, paid, undecided, undecided_lines,
                    lines)

    @property
    def decided_lines(self) -> int:
        return self.lines - self.undecided_lines

    @property
    def nothing_decided(self) -> bool:
        """Lines exist and none has a decision: « accordé » is « — », not 0,00 €."""
        return self.lines > 0 and self.undecided_lines == self.lines


class FigureScope(FrozenValue):
    """What a set of figures covers. funder_id narrows the actions to those the funder finances AND the money to
    that funder's own lines (the actions' cost stays the whole cost, all funders together)."""

    __slots__ = ("year", "orientation_id", "quartier_id", "funder_id", "porteur_id", "action_ids")
    year: int | None
    orientation_id: int | None
    quartier_id: int | None
    funder_id: int | None
    porteur_id: int | None
    action_ids: tuple[int, ...] | None  # only these actions (a programme cut to its first N, for one)

    def __init__(self, year: int | None = None, orientation_id: int | None = None, quartier_id: int | None = None,
                 funder_id: int | None = None, porteur_id: int | None = None,
                 action_ids: tuple[int, ...] | None = None) -> None:
        frozen_init(self, year, orientation_id, quartier_id, funder_id, porteur_id, action_ids)

    @classmethod
    def of(cls, scope: Any) -> "FigureScope":
        """A FigureScope from any object with some of these attributes (a ProgrammeScope, for one)."""
        if isinstance(scope, FigureScope):
            return scope
        return cls(*(getattr(scope, name, None) for name in
                     ("year", "orientation_id", "quartier_id", "funder_id", "porteur_id", "action_ids")))


def _actions_where(scope: FigureScope) -> tuple[str, list[Any]]:
    """WHERE for the live actions in scope, aliased a."""
    # « +a.deleted »: the deleted flag's index would scan every action of a national base (100,000) where the
    # year's index reads one year's (measured: about half the time of the whole query).
    clauses, params = ["+a.deleted = 0" if scope.year is not None else "a.deleted = 0"], []
    if scope.year is not None:
        clauses.append("a.year = ?")
        params.append(scope.year)
    if scope.orientation_id is not None:
        clauses.append("a.orientation_id = ?")
        params.append(scope.orientation_id)
    if scope.quartier_id is not None:
        # IN, not a join: two offices may each have linked the same action to the quartier (merged by UUID).
        clauses.append("a.id IN (SELECT action_id FROM action_quartier WHERE quartier_id = ? AND deleted = 0)")
        params.append(scope.quartier_id)
    if scope.funder_id is not None:
        clauses.append("a.id IN (SELECT action_id FROM funding WHERE funder_id = ? AND deleted = 0)")
        params.append(scope.funder_id)
    if scope.porteur_id is not None:
        clauses.append("a.porteur_id = ?")
        params.append(scope.porteur_id)
    if scope.action_ids is not None:
        # Integers written into the query: no limit on how many, and nothing a user typed.
        clauses.append(f"a.id IN ({','.join(str(int(i)) for i in scope.action_ids) or 'NULL'})")
    return " AND ".join(clauses), params


def _lines_join(scope: FigureScope) -> tuple[str, list[Any]]:
    """JOIN of the live plan lines counted in scope (only the chosen funder's lines when narrowed to a funder)."""
    if scope.funder_id is not None:
        return "JOIN funding f ON f.action_id = a.id AND f.deleted = 0 AND f.funder_id = ?", [scope.funder_id]
    return "JOIN funding f ON f.action_id = a.id AND f.deleted = 0", []


_LINE_SUMS = """COALESCE(SUM(f.requested), 0), COALESCE(SUM(f.granted), 0), COALESCE(SUM(f.paid), 0),
    COALESCE(SUM(CASE WHEN f.granted IS NULL THEN f.requested ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN f.granted IS NULL THEN 1 ELSE 0 END), 0), count(f.id)"""


class Figures(FrozenValue):
    """Everything in a scope, from one pass over its actions and one over their plan lines: the overall total, by
    orientation (number, then title; « Sans orientation » last), by status (the workflow's order) and by funder
    (identity, in funder order), and how many distinct actions have a line (of the funder, when narrowed)."""

    __slots__ = ("overall", "orientations", "statuses", "funders", "financed")
    overall: Total
    orientations: list[Total]
    statuses: list[Total]
    funders: list[Total]
    financed: int

    def __init__(self, overall: Total, orientations: list[Total], statuses: list[Total], funders: list[Total],
                 financed: int) -> None:
        frozen_init(self, overall, orientations, statuses, funders, financed)


def _add(into: dict[Any, list[int]], key: Any, values: Iterable[int]) -> None:
    into[key] = [a + b for a, b in zip(into.get(key, [0] * 8), values)]


def figures(scope: Any) -> Figures:
    """The figures of the live actions in scope (see FigureScope for a funder's narrowing)."""
    scope = FigureScope.of(scope)
    where, params = _actions_where(scope)
    join, join_params = _lines_join(scope)
    by_orientation: dict[Any, list[int]] = {}
    by_status: dict[Any, list[int]] = {}
    by_funder: dict[int, list[int]] = {}
    financed = 0
    funder_filter = " AND f.funder_id = ?" if scope.funder_id is not None else ""
    for oid, status, n, cost, with_lines in execute_sql(
            f"""SELECT a.orientation_id, a.status, count(*), COALESCE(SUM(a.total_cost), 0),
                  SUM(CASE WHEN EXISTS (SELECT 1 FROM funding f WHERE f.action_id = a.id AND f.deleted = 0{funder_filter})
                      THEN 1 ELSE 0 END)
                FROM "action" a WHERE {where} GROUP BY 1, 2""", join_params + params):
        _add(by_orientation, oid, (n, cost, 0, 0, 0, 0, 0, 0))
        _add(by_status, status, (n, cost, 0, 0, 0, 0, 0, 0))
        financed += with_lines or 0
    # A funder's action (and its cost) counts once however many lines it has there (its first line carries the
    # cost); an action has one orientation and one status, so the distinct counts add up across them.
    for oid, status, fid, n, cost, *sums in execute_sql(
            f"""SELECT a.orientation_id, a.status, f.funder_id, count(DISTINCT a.id),
                  SUM(CASE WHEN f.id = (SELECT MIN(g.id) FROM funding g WHERE g.action_id = a.id
                        AND g.funder_id = f.funder_id AND g.deleted = 0) THEN a.total_cost ELSE 0 END),
                  {_LINE_SUMS}
                FROM "action" a {join} WHERE {where} GROUP BY 1, 2, 3""", join_params + params):
        _add(by_orientation, oid, (0, 0, *sums))
        _add(by_status, status, (0, 0, *sums))
        _add(by_funder, fid, (n, cost, *sums))
    overall = [0] * 8
    for values in by_orientation.values():
        overall = [a + b for a, b in zip(overall, values)]
    names = funder_names()
    funders = [Total(fid, names[fid].label, *by_funder[fid])
               for fid in sorted(by_funder, key=lambda fid: (names[fid].position, names[fid].name, fid))]
    rank = {status: n for n, status in enumerate(STATUSES)}
    statuses = [Total(k, status_label(k), *by_status[k])
                for k in sorted(by_status, key=lambda k: (rank.get(k, len(rank)), k))]
    return Figures(Total(None, "Total", *overall), _orientation_lines(by_orientation), statuses, funders, financed)


def _orientation_lines(sums: dict[Any, list[int]]) -> list[Total]:
    ids = [k for k in sums if k is not None]
    labels: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for oid, number, title in execute_sql(
                f"SELECT id, number, title FROM orientation WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            labels[oid] = (number, title)
    order = sorted(sums, key=lambda k: (k is None, *(labels.get(k, (0, "")) if k is not None else (0, "")), k or 0))
    return [Total(k, f"{labels[k][0]}. {labels[k][1]}" if k is not None else "Sans orientation", *sums[k])
            for k in order]


def _grouped(scope: FigureScope, key: str) -> dict[Any, tuple[int, ...]]:
    """By key (an expression on a): (actions, cost, requested, granted, paid, undecided, undecided lines, lines)."""
    where, params = _actions_where(scope)
    found: dict[Any, list[int]] = {}
    for k, n, cost in execute_sql(
            f'SELECT {key}, count(*), COALESCE(SUM(a.total_cost), 0) FROM "action" a WHERE {where} GROUP BY 1',
            params):
        found[k] = [n, cost, 0, 0, 0, 0, 0, 0]
    join, join_params = _lines_join(scope)
    for k, *sums in execute_sql(
            f'SELECT {key}, {_LINE_SUMS} FROM "action" a {join} WHERE {where} GROUP BY 1', join_params + params):
        found.setdefault(k, [0, 0, 0, 0, 0, 0, 0, 0])[2:] = sums
    return {k: tuple(v) for k, v in found.items()}


def orientation_totals(scope: Any) -> list[Total]:
    """The actions in scope by orientation (number, then title), « Sans orientation » last."""
    return _orientation_lines({k: list(v) for k, v in _grouped(FigureScope.of(scope), "a.orientation_id").items()})


def status_totals(scope: Any) -> list[Total]:
    """The actions in scope by status, in the workflow's order (an unknown status last)."""
    sums = _grouped(FigureScope.of(scope), "a.status")
    rank = {status: n for n, status in enumerate(STATUSES)}
    return [Total(k, status_label(k), *sums[k]) for k in sorted(sums, key=lambda s: (rank.get(s, len(rank)), s))]


def overall_total(scope: Any, label: str = "Total") -> Total:
    """Everything in scope on one line."""
    sums = _grouped(FigureScope.of(scope), "0").get(0, (0,) * 8)
    return Total(None, label, *sums)


def financed_actions(scope: Any) -> int:
    """How many distinct actions in scope have at least one live plan line (of the funder, when narrowed to one):
    the « Actions » of a total by funder, where one action financed by three funders counts once."""
    scope = FigureScope.of(scope)
    where, params = _actions_where(scope)
    join, join_params = _lines_join(scope)
    return execute_sql(f'SELECT count(DISTINCT a.id) FROM "action" a {join} WHERE {where}',
                          join_params + params).fetchone()[0]


class FunderName(FrozenValue):
    """How a funder is named in a document: label in wide columns, short_label in narrow ones; both tell apart
    two funders sharing a short name (« CAF »), or even a name (two offices' « CAF du Nord »)."""

    __slots__ = ("id", "name", "short_name", "position", "label", "short_label")
    id: int
    name: str
    short_name: str
    position: int
    label: str
    short_label: str

    def __init__(self, id: int, name: str, short_name: str, position: int, label: str,  # noqa: A002
                 short_label: str) -> None:
        frozen_init(self, id, name, short_name, position, label, short_label)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def funder_names() -> dict[int, FunderName]:
    """Every funder's names, in the one funder order (position, name, id). Only live funders make two names
    collide; a tombstoned funder still gets a name (its old lines may be read)."""
    rows = execute_sql("SELECT id, name, short_name, position, siret, deleted FROM funder "
                          "ORDER BY position, name, id").fetchall()
    names: dict[str, int] = {}
    shorts: dict[str, int] = {}
    for _fid, name, short, _pos, _siret, deleted in rows:
        if not deleted:
            names[_fold(name)] = names.get(_fold(name), 0) + 1
            shorts[_fold(short or name)] = shorts.get(_fold(short or name), 0) + 1
    found: dict[int, FunderName] = {}
    for fid, name, short, position, siret, deleted in rows:
        short = short or name
        label = name
        # A live funder collides with another of the same name; a tombstoned one with any live one.
        if names.get(_fold(name), 0) > (0 if deleted else 1):
            label = f"{name} (SIRET {siret})" if siret else f"{name} (n° {fid})"
        # « CAF » twice: the full name tells them apart.
        short_label = label if shorts.get(_fold(short), 0) > (0 if deleted else 1) else short
        found[fid] = FunderName(fid, name, short, position, label, short_label)
    return found


def funder_totals(scope: Any) -> list[Total]:
    """Each funder's lines in scope, grouped by funder identity, in funder order; total_cost is the cost of the
    distinct actions the funder finances (all their funders together)."""
    return figures(scope).funders


def totals_by_orientation(year: int | None = None, quartier_id: int | None = None) -> list[Total]:
    return orientation_totals(FigureScope(year, quartier_id=quartier_id))


def totals_by_funder(year: int | None = None, quartier_id: int | None = None,
                     porteur_id: int | None = None) -> list[Total]:
    return funder_totals(FigureScope(year, quartier_id=quartier_id, porteur_id=porteur_id))


def totals_by_status(year: int | None = None, quartier_id: int | None = None) -> list[Total]:
    return status_totals(FigureScope(year, quartier_id=quartier_id))


def totals_by_quartier(year: int | None = None) -> list[Total]:
    """Each quartier's actions and sums; an action over several quartiers counts fully in each."""
    clauses, params = ["+a.deleted = 0" if year is not None else "a.deleted = 0"], []
    if year is not None:
        clauses.append("a.year = ?")
        params.append(year)
    # The year's actions first (its index), then their links: each (action, quartier) once, however many links two
    # merged offices left.
    pairs = f"""(SELECT DISTINCT aq.quartier_id AS qid, a.id AS aid, a.total_cost AS cost FROM "action" a
        JOIN action_quartier aq ON aq.action_id = a.id AND aq.deleted = 0 WHERE {' AND '.join(clauses)}) p
        JOIN quartier q ON q.id = p.qid AND q.deleted = 0"""
    found: dict[int, list[Any]] = {}
    for qid, label, n, cost in execute_sql(f"""
            SELECT q.id, q.code || ' ' || q.name, count(*), COALESCE(SUM(p.cost), 0) FROM {pairs} GROUP BY q.id""",
                                              params):
        found[qid] = [label, n, cost, 0, 0, 0, 0, 0, 0]
    for qid, *sums in execute_sql(f"""
            SELECT q.id, {_LINE_SUMS} FROM {pairs} JOIN funding f ON f.action_id = p.aid AND f.deleted = 0
            GROUP BY q.id""", params):
        found[qid][3:] = sums
    codes = dict(execute_sql("SELECT id, code FROM quartier").fetchall())
    return [Total(qid, *found[qid]) for qid in sorted(found, key=lambda q: (codes[q], q))]


class YearFigures(FrozenValue):
    """A year's envelopes, totals by orientation and totals by quartier, read together (see year_figures)."""

    __slots__ = ("envelopes", "orientations", "quartiers")
    envelopes: list[EnvelopeUse]
    orientations: list[Total]
    quartiers: list[Total]

    def __init__(self, envelopes: list[EnvelopeUse], orientations: list[Total], quartiers: list[Total]) -> None:
        frozen_init(self, envelopes, orientations, quartiers)


def year_figures(year: int, rows: list[tuple[Any, ...]] | None = None) -> YearFigures:
    """envelope_consumption(year), totals_by_orientation(year) and totals_by_quartier(year), the same figures, from
    one pass over the year's plan lines: on a national base reading those lines (30,000, one index search each) is
    most of the time, and the three used to read them once each. rows: year_figure_rows(year), read earlier (the
    dashboard keeps them in the base: services/figure_cache.py); names and envelopes are read here, live."""
    if rows is None:
        rows = year_figure_rows(year)
    lines: dict[tuple[int, Any], list[int]] = {}
    by_orientation: dict[Any, list[int]] = {}
    by_quartier: dict[int, list[int]] = {}
    for part, key, oid, n, cost, *sums in rows:
        if part == "e":
            # An action has one orientation: an orientation's lines are its funders' lines added up.
            lines[(key, oid)] = [n, *sums]
            _add(by_orientation, oid, (0, 0, *sums))
        elif part == "o":
            _add(by_orientation, key, (n, cost, 0, 0, 0, 0, 0, 0))
        elif part == "q":
            _add(by_quartier, key, (n, cost, 0, 0, 0, 0, 0, 0))
        else:
            _add(by_quartier, key, (0, 0, *sums))
    return YearFigures(_envelope_uses(year, None, lines), _orientation_lines(by_orientation),
                       _quartier_lines(by_quartier))


def year_figure_rows(year: int) -> list[tuple[Any, ...]]:
    """The sums year_figures() lays out: (part, key, orientation, actions, cost, requested, granted, paid, undecided,
    undecided lines, lines); part « e » by (funder, orientation), « o » by orientation, « q » and « l » by quartier.
    They read the live rows of action, funding, action_quartier and quartier only: services/figure_cache.py keeps
    them, watching these tables (a change of what this reads or returns bumps figure_cache.ROWS_VERSION)."""
    # The year's actions through the year's index (« +a.deleted »: not the deleted flag's); their live lines read
    # once (l), their (quartier, action) pairs once each however many links two merged offices left (x).
    return execute_sql(f"""WITH l AS MATERIALIZED ({_year_lines(year)}),
          x AS MATERIALIZED (
            SELECT DISTINCT aq.quartier_id AS qid, a.id AS aid, a.total_cost AS cost FROM "action" a
            JOIN action_quartier aq ON aq.action_id = a.id AND aq.deleted = 0
            JOIN quartier q ON q.id = aq.quartier_id AND q.deleted = 0
            WHERE a.year = ? AND +a.deleted = 0)
        SELECT 'e', l.fid, l.oid, count(DISTINCT l.aid), 0, {_YEAR_SUMS} FROM l GROUP BY l.fid, l.oid
        UNION ALL SELECT 'o', a.orientation_id, NULL, count(*), COALESCE(SUM(a.total_cost), 0), 0, 0, 0, 0, 0, 0
          FROM "action" a WHERE a.year = ? AND +a.deleted = 0 GROUP BY a.orientation_id
        UNION ALL SELECT 'q', x.qid, NULL, count(*), COALESCE(SUM(x.cost), 0), 0, 0, 0, 0, 0, 0 FROM x GROUP BY x.qid
        UNION ALL SELECT 'l', x.qid, NULL, 0, 0, {_YEAR_SUMS} FROM x JOIN l ON l.aid = x.aid GROUP BY x.qid""",
                       (year, year, year)).fetchall()  # l's, x's and o's


def _year_lines(year: int) -> str:
    """SELECT of the year's live plan lines (aid, oid, fid, req, gra, paid, lid; the year is its one ?).

    Lines are mostly entered year by year, so a year's lines tend to hold a narrow run of ids: when they do, that
    run is read in id order (one pass over consecutive rows, each checked against its action) rather than by one
    index search and one row search per action (measured on the national base: about 40 % less time for the
    30,000 lines of a year). The run's bounds come from the (action, funder) index alone, deleted lines included:
    every line of the year lies within them, and the checks keep exactly the same lines."""
    low, high, count = execute_sql("""SELECT min(f.id), max(f.id), count(*) FROM "action" a
        JOIN funding f ON f.action_id = a.id WHERE a.year = ? AND +a.deleted = 0""", (year,)).fetchone()
    columns = """a.id AS aid, a.orientation_id AS oid, f.funder_id AS fid, f.requested AS req, f.granted AS gra,
              f.paid AS paid, f.id AS lid"""
    if count and high - low + 1 <= 2 * count:
        # Integers read just above: written into the query, whose one parameter is the year.
        return f"""SELECT {columns} FROM funding f {join_in_order()} "action" a ON a.id = f.action_id
            WHERE f.id BETWEEN {int(low)} AND {int(high)} AND +f.deleted = 0 AND +a.year = ? AND +a.deleted = 0"""
    return f"""SELECT {columns} FROM "action" a JOIN funding f ON f.action_id = a.id AND f.deleted = 0
            WHERE a.year = ? AND +a.deleted = 0"""


_YEAR_SUMS = """COALESCE(SUM(l.req), 0), COALESCE(SUM(l.gra), 0), COALESCE(SUM(l.paid), 0),
    COALESCE(SUM(CASE WHEN l.gra IS NULL THEN l.req ELSE 0 END), 0), COALESCE(SUM(CASE WHEN l.gra IS NULL THEN 1 ELSE 0 END), 0),
    count(l.lid)"""


def _quartier_lines(sums: dict[int, list[int]]) -> list[Total]:
    """Quartier totals labelled « code name », in code order."""
    if not sums:  # not read for nothing (the dashboard's kept sums without their quartiers: 1,600 names)
        return []
    labels = {qid: (code, f"{code} {name}") for qid, code, name in execute_sql("SELECT id, code, name FROM quartier")}
    return [Total(qid, labels[qid][1], *sums[qid]) for qid in sorted(sums, key=lambda q: (labels[q][0], q))]


def totals_by_year(porteur_id: int | None = None) -> list[Total]:
    sums = _grouped(FigureScope(porteur_id=porteur_id), "a.year")
    return [Total(y, str(y), *sums[y]) for y in sorted(sums)]


class QuartierShare(FrozenValue):
    """A quartier's part of its actions in scope: the actions also led elsewhere count in full on its figures;
    where the user entered the quartier's share (ActionQuartier.share_bp) that part is also given, each amount
    rounded once, half up, action by action."""

    __slots__ = ("actions", "shared", "with_share", "total_cost", "requested", "granted", "paid", "full_cost",
                 "full_requested", "full_granted", "full_paid")
    actions: int
    shared: int  # of them, also linked to another quartier
    with_share: int  # of them, with the quartier's share entered
    total_cost: int  # the quartier's part of these with_share actions
    requested: int
    granted: int
    paid: int
    full_cost: int  # the same with_share actions, counted in full
    full_requested: int
    full_granted: int
    full_paid: int

    def __init__(self, actions: int, shared: int, with_share: int, total_cost: int, requested: int, granted: int,
                 paid: int, full_cost: int, full_requested: int, full_granted: int, full_paid: int) -> None:
        frozen_init(self, actions, shared, with_share, total_cost, requested, granted, paid, full_cost,
                    full_requested, full_granted, full_paid)


def quartier_share(scope: Any) -> QuartierShare:
    """The share figures of scope.quartier_id's actions in scope (money scoped like the other totals)."""
    scope = FigureScope.of(scope)
    if scope.quartier_id is None:
        raise ValueError("quartier_share demande un quartier.")
    where, params = _actions_where(scope)
    join, join_params = _lines_join(scope)
    lines = {aid: (req, gra, paid) for aid, req, gra, paid in execute_sql(
        f'SELECT a.id, COALESCE(SUM(f.requested), 0), COALESCE(SUM(f.granted), 0), COALESCE(SUM(f.paid), 0) '
        f'FROM "action" a {join} WHERE {where} GROUP BY a.id', join_params + params)}
    # Two links of one action to the quartier (two offices, merged): the larger share entered is read.
    rows = execute_sql(f"""
        SELECT a.id, a.total_cost,
          (SELECT MAX(share_bp) FROM action_quartier WHERE action_id = a.id AND quartier_id = ? AND deleted = 0),
          (SELECT count(DISTINCT aq.quartier_id) FROM action_quartier aq JOIN quartier q ON q.id = aq.quartier_id
            WHERE aq.action_id = a.id AND aq.deleted = 0 AND q.deleted = 0 AND aq.quartier_id <> ?)
        FROM "action" a WHERE {where}""", [scope.quartier_id, scope.quartier_id] + params).fetchall()
    part = [0] * 4
    full = [0] * 4
    shared = with_share = 0
    for aid, cost, share_bp, others in rows:
        shared += others > 0
        if share_bp is None:
            continue
        with_share += 1
        amounts = (cost, *lines.get(aid, (0, 0, 0)))
        for n, amount in enumerate(amounts):
            full[n] += amount
            part[n] += apply_share(amount, share_bp)
    return QuartierShare(len(rows), shared, with_share, *part, *full)


class EnvelopeUse(FrozenValue):
    """A funder's envelope for a year (for one orientation when orientation_id is set) against what its plan lines
    request, grant and pay, in cents. Shares are rounded once, from the integers (see format_share)."""

    __slots__ = ("funder_id", "funder", "year", "amount", "requested", "granted", "paid", "orientation_id",
                 "orientation", "undecided", "actions", "envelopes")
    funder_id: int
    funder: str
    year: int
    amount: int
    requested: int
    granted: int
    paid: int
    orientation_id: int | None
    orientation: str  # « 2. Promouvoir la santé… » for an orientation's envelope
    undecided: int
    actions: int
    envelopes: int  # how many envelope records were added up (two offices' envelopes, merged)

    def __init__(self, funder_id: int, funder: str, year: int, amount: int, requested: int, granted: int, paid: int,
                 orientation_id: int | None = None, orientation: str = "", undecided: int = 0, actions: int = 0,
                 envelopes: int = 1) -> None:
        frozen_init(self, funder_id, funder, year, amount, requested, granted, paid, orientation_id, orientation,
                    undecided, actions, envelopes)

    @property
    def granted_share_bp(self) -> int | None:
        """Granted as a share of the amount, in basis points; None for an envelope of 0 €."""
        return percent_of(self.granted, self.amount)

    @property
    def requested_share_bp(self) -> int | None:
        return percent_of(self.requested, self.amount)

    @property
    def paid_share_bp(self) -> int | None:
        return percent_of(self.paid, self.amount)

    @property
    def granted_share(self) -> str | None:
        """ "69,2 %", rounded once; None for an envelope of 0 €."""
        return format_share(self.granted, self.amount)

    @property
    def requested_share(self) -> str | None:
        return format_share(self.requested, self.amount)

    @property
    def paid_share(self) -> str | None:
        return format_share(self.paid, self.amount)

    @property
    def remaining(self) -> int:
        """What is left to grant (negative when the envelope is overspent)."""
        return self.amount - self.granted

    @property
    def over(self) -> bool:
        """More granted than the envelope holds (above 100 %)."""
        return self.granted > self.amount


def envelope_consumption(year: int, funder_id: int | None = None) -> list[EnvelopeUse]:
    """Each funder's envelope for the year against what its lines request, grant and pay: the yearly envelope (all
    orientations) and, apart from it, each envelope given for one orientation (which covers that orientation's
    actions only, and is read beside the yearly one, not subtracted from it). Funder order, yearly first.
    One pass over the year's plan lines (a national database cannot afford a scan per funder)."""
    sql = """SELECT e.funder_id, e.orientation_id, SUM(e.amount), count(*) FROM envelope e
        WHERE e.deleted = 0 AND e.year = ?"""
    params: list[Any] = [year]
    if funder_id is not None:
        sql += " AND e.funder_id = ?"
        params.append(funder_id)
    envelopes = execute_sql(sql + " GROUP BY e.funder_id, e.orientation_id", params).fetchall()
    if not envelopes:
        return []
    lines: dict[tuple[int, Any], list[int]] = {}
    line_sql = f"""SELECT f.funder_id, a.orientation_id, count(DISTINCT a.id), {_LINE_SUMS}
        FROM "action" a JOIN funding f ON f.action_id = a.id
        WHERE a.year = ? AND +a.deleted = 0 AND f.deleted = 0"""
    for fid, oid, n, *sums in execute_sql(
            line_sql + (" AND f.funder_id = ?" if funder_id is not None else "") + " GROUP BY 1, 2", params):
        lines[(fid, oid)] = [n, *sums]
    return _envelope_uses(year, envelopes, lines)


def _envelope_uses(year: int, envelopes: list[tuple[Any, ...]] | None,
                   lines: dict[tuple[int, Any], list[int]]) -> list[EnvelopeUse]:
    """The year's envelopes (funder, orientation, amount, count; read here when None) against their lines' sums by
    (funder, orientation): actions, requested, granted, paid, undecided, undecided lines, lines."""
    if envelopes is None:
        envelopes = execute_sql("""SELECT e.funder_id, e.orientation_id, SUM(e.amount), count(*) FROM envelope e
            WHERE e.deleted = 0 AND e.year = ? GROUP BY e.funder_id, e.orientation_id""", (year,)).fetchall()
    if not envelopes:
        return []
    by_orientation = {key: values[:5] for key, values in lines.items()}
    # An action has one orientation: a funder's distinct actions are the sum of its orientations' distinct actions.
    whole: dict[int, list[int]] = {}
    for (fid, _oid), values in by_orientation.items():
        whole[fid] = [a + b for a, b in zip(whole.get(fid, [0, 0, 0, 0, 0]), values)]
    orientations = {oid: (number, title) for oid, number, title in
                    execute_sql("SELECT id, number, title FROM orientation")}
    names = funder_names()
    uses = []
    for fid, oid, amount, count in envelopes:
        if oid is None:
            n, req, gra, paid, undecided = whole.get(fid, [0, 0, 0, 0, 0])
            orientation = ""
        else:
            n, req, gra, paid, undecided = by_orientation.get((fid, oid), [0, 0, 0, 0, 0])
            number, title = orientations.get(oid, (None, ""))
            orientation = f"{number}. {title}" if number is not None else title
        uses.append(EnvelopeUse(fid, names[fid].label, year, amount, req, gra, paid, oid, orientation, undecided, n,
                                count))

    def order(use: EnvelopeUse) -> tuple[Any, ...]:
        name = names[use.funder_id]
        number = orientations.get(use.orientation_id, (None, ""))[0] if use.orientation_id else None
        return (name.position, name.name, use.funder_id, use.orientation_id is not None, number or 0,
                use.orientation_id or 0)

    return sorted(uses, key=order)


def funder_line_sums(year: int, funder_id: int | None = None,
                     orientation_id: int | None = None) -> dict[int, tuple[int, int, int, int]]:
    """Per funder, over the live lines on the year's live actions (of one funder, of one orientation when given):
    how many actions, and what the lines request, grant and pay, in cents. The programme's envelope figures and
    the Enveloppes tab both read it, so that the two always agree."""
    sql = """
        SELECT f.funder_id, count(DISTINCT a.id), COALESCE(SUM(f.requested), 0), COALESCE(SUM(f.granted), 0),
               COALESCE(SUM(f.paid), 0)
        FROM "action" a JOIN funding f ON f.action_id = a.id
        WHERE a.year = ? AND a.deleted = 0 AND f.deleted = 0"""
    params: list[int] = [year]
    if funder_id is not None:
        sql += " AND f.funder_id = ?"
        params.append(funder_id)
    if orientation_id is not None:
        sql += " AND a.orientation_id = ?"
        params.append(orientation_id)
    return {fid: (n, req, gra, paid) for fid, n, req, gra, paid in execute_sql(sql + " GROUP BY f.funder_id", params)}


def ordered_funder_ids(funder_ids: Iterable[int]) -> list[int]:
    """These funders in the one funder order (position, name, id)."""
    names = funder_names()
    return sorted(set(funder_ids), key=lambda fid: (names[fid].position, names[fid].name, fid))


def years() -> list[int]:
    """The years of the live actions, in order. Read by hops along the (year, deleted, …) index, one per year: a
    DISTINCT read every action (PostgreSQL: a scan of the 100,000 rows, 114 ms at a load of 5 before the first
    paint of the dashboard, against 2 ms; SQLite: 7 ms against 0.3)."""
    return [row[0] for row in execute_sql(
        'WITH RECURSIVE y(year) AS (SELECT min(year) FROM "action" WHERE deleted = 0'
        ' UNION ALL SELECT (SELECT min(a.year) FROM "action" a WHERE a.deleted = 0 AND a.year > y.year)'
        ' FROM y WHERE y.year IS NOT NULL) SELECT year FROM y WHERE year IS NOT NULL ORDER BY year')]
