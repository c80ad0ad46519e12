"""What the « Tableau de bord » shows for a year: envelopes, totals, counts and the lists a coordinator acts on,
each figure with the filters of the Actions list that lists the records behind it."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cvdesk.domain.dates import format_date
from cvdesk.domain.status import STATUS_LABELS, STATUSES
from cvdesk.services import figure_cache
from cvdesk.services.lists import count, count_each
from cvdesk.services.totals import EnvelopeUse, Total, envelope_consumption, totals_by_orientation, \
    totals_by_quartier, year_figures, years
from cvdesk.store.connection import execute_sql  # plain SQL: the dashboard is painted before peewee loads

ENDING_WITHIN_DAYS = 60

Filters = dict[str, Any]


class _Value:
    """Equality and repr by slots, and a changed copy, for the plain classes below: they are created at every start,
    before the first paint, where a dataclass costs about a millisecond each to define (benchmarks/results.md)."""

    __slots__: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # equal by value, and holding lists

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self.__slots__)})"

    def but(self, **changes: Any) -> Any:
        """A copy with these attributes changed (dataclasses.replace)."""
        copy = object.__new__(type(self))
        for name in self.__slots__:
            setattr(copy, name, changes.get(name, getattr(self, name)))
        return copy


class Selection(_Value):
    """A count of actions, and the Actions list's filters that list exactly them (the same query)."""

    __slots__ = ("key", "label", "count", "filters", "help")

    def __init__(self, key: str, label: str, count: int, filters: Filters, help: str = "") -> None:  # noqa: A002
        self.key, self.label, self.count, self.filters, self.help = key, label, count, filters, help


class EnvelopeBar(_Value):
    """A funder's envelope against its lines (from the totals service), and its actions in the Actions list."""

    __slots__ = ("use", "actions")

    def __init__(self, use: EnvelopeUse, actions: Selection) -> None:
        self.use, self.actions = use, actions


class AreaTotal(_Value):
    """A line of the totals by orientation or by quartier; per_inhabitant (granted ÷ population, cents) for a
    quartier whose population is known."""

    __slots__ = ("total", "actions", "population", "per_inhabitant")

    def __init__(self, total: Total, actions: Selection, population: int | None = None,
                 per_inhabitant: int | None = None) -> None:
        self.total, self.actions, self.population, self.per_inhabitant = total, actions, population, per_inhabitant


class NextMeeting(_Value):
    __slots__ = ("id", "day", "kind", "place", "agenda")

    def __init__(self, id: int, day: date, kind: str, place: str, agenda: Selection) -> None:  # noqa: A002
        self.id, self.day, self.kind, self.place, self.agenda = id, day, kind, place, agenda


class Dashboard(_Value):
    __slots__ = ("year", "years", "contract", "envelopes", "orientations", "quartiers", "statuses", "to_act_on",
                 "meeting")

    def __init__(self, year: int | None, years: list[int], contract: str, envelopes: list[EnvelopeBar] | None = None,
                 orientations: list[AreaTotal] | None = None, quartiers: list[AreaTotal] | None = None,
                 statuses: list[Selection] | None = None, to_act_on: list[Selection] | None = None,
                 meeting: NextMeeting | None = None) -> None:
        self.year, self.years, self.contract = year, years, contract
        self.envelopes: list[EnvelopeBar] = envelopes or []
        self.orientations: list[AreaTotal] = orientations or []
        self.quartiers: list[AreaTotal] = quartiers or []
        self.statuses: list[Selection] = statuses or []
        self.to_act_on: list[Selection] = to_act_on or []
        self.meeting = meeting

    @property
    def empty(self) -> bool:
        """No live action at all: the tab explains where to start instead of showing zeros."""
        return not self.years


def default_year(known: list[int], today: date) -> int | None:
    """This year when it has actions, else the latest year that has some (None for a base without actions)."""
    if today.year in known:
        return today.year
    return max(known) if known else None


def per_inhabitant(cents: int, population: int | None) -> int | None:
    """Cents per inhabitant, rounded half up (None without a population)."""
    if not population or population <= 0:
        return None
    return (2 * cents + population) // (2 * population)


def _selection(key: str, label: str, filters: Filters, help_text: str = "") -> Selection:
    return Selection(key, label, count("actions", filters=filters), filters, help_text)


def _counted(year: int, wanted: list[tuple[str, str, Filters, str]]) -> list[Selection]:
    """The selections (key, label, filters beside the year, help) with their counts, in one pass over the year's
    actions by the Actions list's own conditions (lists.count_each)."""
    counts = count_each("actions", {key: filters for key, _label, filters, _help in wanted}, {"year": year})
    return [Selection(key, label, counts[key], {"year": year, **filters}, help_text)
            for key, label, filters, help_text in wanted]


def status_counts(year: int) -> list[Selection]:
    """The year's actions by status, in the workflow's order (the statuses with no action left out).

    Counted by one GROUP BY over the year's live actions, which is what the Actions list's status filter selects
    (t.status = ?, with t.deleted = 0 and t.year = ?: services/lists.py): ten CASEs evaluated on every row by
    lists.count_each took 13 to 21 ms on the national base, at every start; the GROUP BY reads the covering index
    of the year's actions in about 1 ms."""
    counted = dict(execute_sql('SELECT status, count(*) FROM "action" WHERE deleted = 0 AND year = ? GROUP BY status',
                               (year,)).fetchall())
    return [Selection(f"status:{code}", STATUS_LABELS[code], counted[code], {"year": year, "status": code})
            for code in STATUSES if counted.get(code)]


def lists_to_act_on(year: int, today: date) -> list[Selection]:
    """The lists a coordinator acts on, for the year: each a named selection of the Actions list."""
    return _counted(year, _lists_wanted(today))


def year_counts(year: int, today: date) -> tuple[list[Selection], list[Selection]]:
    """status_counts and lists_to_act_on."""
    return status_counts(year), lists_to_act_on(year, today)


def _lists_wanted(today: date) -> list[tuple[str, str, Filters, str]]:
    last = today + timedelta(days=ENDING_WITHIN_DAYS)
    return [
        ("waiting_decision", "En attente de décision", {"waiting_decision": True},
         "Actions déposées, en instruction ou ajournées."),
        ("granted_not_paid", "Accordées, pas entièrement versées", {"granted_not_paid": True},
         "Actions dont le montant accordé dépasse le montant versé."),
        ("unbalanced_plan", "Plans de financement déséquilibrés", {"unbalanced_plan": True},
         "Actions dont les financements demandés ou accordés dépassent le coût total."),
        ("no_porteur", "Actions sans porteur", {"no_porteur": True},
         "Actions sans association porteuse (ou dont le porteur a été supprimé)."),
        ("ending_soon", f"Conventions finissant d'ici {ENDING_WITHIN_DAYS} jours",
         {"ending_between": (today.isoformat(), last.isoformat())},
         f"Actions dont la date de fin tombe entre le {format_date(today)} et le {format_date(last)}."),
    ]


def envelope_bars(year: int, uses: list[EnvelopeUse] | None = None) -> list[EnvelopeBar]:
    bars = []
    for use in envelope_consumption(year) if uses is None else uses:
        filters: Filters = {"year": year, "funder": use.funder_id}
        orientation_id = getattr(use, "orientation_id", None)  # an envelope given for one orientation
        if orientation_id is not None:
            filters["orientation"] = orientation_id
        key, label = f"funder:{use.funder_id}:{orientation_id}", f"Actions financées par {use.funder}"
        actions = getattr(use, "actions", None)  # the distinct actions of the envelope's lines, when the service says
        bars.append(EnvelopeBar(use, _selected(key, label, filters, actions) if actions is not None
                                else _selection(key, label, filters)))
    return bars


def _selected(key: str, label: str, filters: Filters, actions: int) -> Selection:
    """A selection whose count the totals service gave (the same actions as the filters list)."""
    return Selection(key, label, actions, filters)


def orientation_totals(year: int, totals: list[Total] | None = None) -> list[AreaTotal]:
    found = []
    for total in totals_by_orientation(year) if totals is None else totals:
        filters: Filters = {"year": year}
        if total.key is None:
            filters["no_orientation"] = True
        else:
            filters["orientation"] = total.key
        found.append(AreaTotal(total, _selected(f"orientation:{total.key}", total.label, filters, total.actions)))
    return found


def quartier_totals(year: int, totals: list[Total] | None = None) -> list[AreaTotal]:
    totals = totals_by_quartier(year) if totals is None else totals
    if not totals:
        return []
    populations = dict(execute_sql("SELECT id, population FROM quartier").fetchall())
    found = []
    for total in totals:
        population = populations.get(total.key) or None
        found.append(AreaTotal(total, _selected(f"quartier:{total.key}", total.label,
                                                {"year": year, "quartier": total.key}, total.actions),
                               population, per_inhabitant(total.granted, population)))
    return found


def next_meeting(today: date) -> NextMeeting | None:
    """The first live meeting from today on, with its agenda's actions."""
    row = execute_sql("SELECT id, date, kind, place FROM meeting WHERE deleted = 0 AND date >= ? "
                         "ORDER BY date, id LIMIT 1", (today.isoformat(),)).fetchone()
    if row is None:
        return None
    meeting_id, day, kind, place = row
    day = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
    from cvdesk.services.report_data import meeting_kind_label

    label = f"Ordre du jour : {meeting_kind_label(kind)} du {format_date(day)}"
    return NextMeeting(meeting_id, day, kind, place or "", _selection(f"meeting:{meeting_id}", label,
                                                                       {"meeting": meeting_id}))


def contract_name() -> str:
    row = execute_sql("SELECT name FROM contract WHERE deleted = 0 ORDER BY id LIMIT 1").fetchone()
    return row[0] if row else ""


class YearTotals(_Value):
    """The money figures of a year, from the totals services (the slow part of the dashboard on a large base)."""

    __slots__ = ("envelopes", "orientations", "quartiers")

    def __init__(self, envelopes: list[EnvelopeBar], orientations: list[AreaTotal], quartiers: list[AreaTotal]) -> None:
        self.envelopes, self.orientations, self.quartiers = envelopes, orientations, quartiers


def year_totals(year: int, rows: list[tuple[Any, ...]] | None = None) -> YearTotals:
    """The three money sections from one pass over the year's plan lines (totals.year_figures), or from rows, the
    sums of that pass read earlier (figure_cache)."""
    found = year_figures(year, rows)
    return YearTotals(envelope_bars(year, found.envelopes), orientation_totals(year, found.orientations),
                      quartier_totals(year, found.quartiers))


def kept_year_totals(year: int) -> YearTotals | None:
    """The year's envelopes and totals by orientation from the sums kept in the base, if nothing they read has
    changed since; else None (read_year_totals then reads them, in the background). Without the quartiers:
    kept_quartier_totals gives them (1,600 lines on a national base, below the fold: after the first paint)."""
    rows = figure_cache.kept_rows(year)
    return None if rows is None else year_totals(year, rows)


def kept_quartier_totals(year: int) -> list[AreaTotal] | None:
    """The year's totals by quartier from the sums kept in the base, if nothing they read has changed since."""
    rows = figure_cache.kept_rows(year, figure_cache.QUARTIERS)
    return None if rows is None else quartier_totals(year, year_figures(year, rows).quartiers)


def read_year_totals(year: int) -> tuple[YearTotals, figure_cache.KeptRows]:
    """The year's money sections read now, and their sums to keep (figure_cache.keep_rows, in the window's thread)."""
    kept = figure_cache.read_rows(year)
    return year_totals(year, kept.rows), kept


def build_dashboard(year: int | None = None, today: date | None = None, totals: bool = True) -> Dashboard:
    """Everything the tab shows for the year (by default: this year if it has actions, else the latest one);
    without totals, only the counts (indexed), the lists to act on and the next meeting: year_totals() gives the
    rest, which the window reads off its UI thread."""
    today = today or date.today()
    known = years()
    if year is None or year not in known:
        year = default_year(known, today)
    name = contract_name()
    if year is None:
        return Dashboard(None, known, name, meeting=next_meeting(today))
    statuses, to_act_on = year_counts(year, today)
    board = Dashboard(year, known, name, statuses=statuses, to_act_on=to_act_on, meeting=next_meeting(today))
    return with_totals(board, year_totals(year)) if totals else board


def with_totals(board: Dashboard, found: YearTotals) -> Dashboard:
    return board.but(envelopes=found.envelopes, orientations=found.orientations, quartiers=found.quartiers)
