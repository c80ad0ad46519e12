"""The lists the window and the spreadsheets show: ids sorted and filtered in SQL, rows fetched by batches of ids."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Sequence

from cvdesk.domain.decisions import MEETING_KINDS, MEETING_STATUSES
from cvdesk.domain.frozen_value import FrozenValue, frozen_init
from cvdesk.domain.funders import FUNDER_KINDS
from cvdesk.domain.status import AJOURNEE, DEPOSEE, EN_INSTRUCTION
from cvdesk.domain.storable_text import without_unstorable
from cvdesk.store.connection import execute_sql  # not peewee's db: the window's first list is read without peewee
from cvdesk.store.dialect import case_blind_like, group_concat, nocase, unindexed
from cvdesk.store.search_index import ACTION_SEARCH, ASSOCIATION_SEARCH, FOLDED_FIELDS, like_pattern, search_condition


class Column(FrozenValue):
    """A column of a list (plain classes here: a dataclass costs about a millisecond to define at every start, and
    the window's first list is read before its first paint)."""

    __slots__ = ("key", "label", "expr", "kind", "sortable", "nocase", "nullable")
    key: str
    label: str
    expr: str | Callable[[], str]  # SQL; a function for SQL that depends on the engine (read when a query is built)
    kind: str  # text | int | money | status | bool | date | year
    sortable: bool
    # Codes typed in capitals sort on their plain index; free text sorts case-insensitively.
    nocase: bool
    # The value may be NULL (a nullable column, a LEFT JOIN's): its sort says where NULLs go (see _order).
    nullable: bool

    def __init__(self, key: str, label: str, expr: str | Callable[[], str], kind: str = "text", sortable: bool = True,
                 nocase: bool = True, nullable: bool = False) -> None:
        frozen_init(self, key, label, expr, kind, sortable, nocase, nullable)

    @property
    def sql(self) -> str:
        return self.expr() if callable(self.expr) else self.expr


class ListSpec(FrozenValue):
    __slots__ = ("name", "label", "source", "columns", "search", "filters", "default_sort", "fts", "folded", "base",
                 "search_via", "search_small")
    name: str
    label: str
    source: str  # FROM clause; the listed table is aliased t
    columns: tuple[Column, ...]
    search: tuple[str, ...]
    filters: Mapping[str, str]  # key -> condition with one '?'
    default_sort: str
    # A full-text index of the listed table's searched columns with accents folded (rowid = t.id): every word is
    # looked up there, none is compared with the columns themselves.
    fts: str
    # Without an index, the searched columns are folded row by row in the query (a Python function: the list must
    # stay small); False keeps a plain LIKE, which ignores the case of plain letters only.
    folded: bool
    # The listed table alone, for counting when no search needs the joined tables (saves a join per row).
    base: str
    # Searched through indexes of other tables, word by word: (index, id column of the listed table) pairs whose
    # index's folded text holds the word, or (table, its searched column, id column) of a small table folded in
    # the query. A word is found when one of them holds it (the lines of a plan: their action's index, or their
    # funder's name).
    search_via: tuple[tuple[str, str], ...]
    search_small: tuple[tuple[str, str, str], ...]

    def __init__(self, name: str, label: str, source: str, columns: tuple[Column, ...], search: tuple[str, ...],
                 filters: Mapping[str, str] | None = None, default_sort: str = "", fts: str = "", folded: bool = True,
                 base: str = "", search_via: tuple[tuple[str, str], ...] = (),
                 search_small: tuple[tuple[str, str, str], ...] = ()) -> None:
        frozen_init(self, name, label, source, columns, search, {} if filters is None else filters, default_sort,
                    fts, folded, base, search_via, search_small)

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(f"Colonne inconnue pour la liste {self.name} : {key}")


# A quartier or a commune holds a few hundred actions at most: the ids come from its links by index (0.2 ms on the
# national dataset) rather than from a check on every action (60-150 ms). A funder holds tens of thousands: there the
# check per action lets the first page stop at its 200th match.
_LIVE_QUARTIER_OF_ACTION = (
    "t.id IN (SELECT aq.action_id FROM action_quartier aq WHERE aq.quartier_id = ? AND aq.deleted = 0)"
)

# The lists a coordinator acts on (the dashboard's figures): each is a filter of the actions list, so that the
# dashboard counts with the very query the Actions tab then lists. A condition without « ? » takes True as value.
# Waiting for a decision: filed, under review, or adjourned to a later meeting.
WAITING_DECISION = (DEPOSEE, EN_INSTRUCTION, AJOURNEE)
ACTION_SELECTIONS: dict[str, str] = {
    "waiting_decision": f"t.status IN ({', '.join(repr(code) for code in WAITING_DECISION)})",
    "granted_not_paid": "t.granted_total > t.paid_total",
    # Own funds close a plan: it fails to balance when its lines ask (or grant) more than the action costs.
    "unbalanced_plan": "(t.total_cost < 0 OR t.requested_total > t.total_cost OR t.granted_total > t.total_cost)",
    "no_porteur": "(t.porteur_id IS NULL OR t.porteur_id IN (SELECT id FROM association WHERE deleted = 1))",
    "ending_between": "t.end_date BETWEEN ? AND ?",  # (first day, last day), ISO dates
    "no_orientation": "t.orientation_id IS NULL",
    "meeting": "t.id IN (SELECT mi.action_id FROM meeting_item mi WHERE mi.meeting_id = ? AND mi.deleted = 0)",
}

LISTS: dict[str, ListSpec] = {}


def _register(spec: ListSpec) -> None:
    LISTS[spec.name] = spec


_register(ListSpec(
    name="actions",
    label="Actions",
    source='"action" t LEFT JOIN association p ON p.id = t.porteur_id LEFT JOIN orientation o ON o.id = t.orientation_id',
    columns=(
        Column("reference", "Référence", "t.reference", nocase=False),
        Column("title", "Intitulé", "t.title"),
        Column("year", "Année", "t.year", "year"),
        Column("orientation", "Orientation", "o.number", "int", nullable=True),
        Column("porteur", "Porteur", "p.name", nullable=True),
        Column("status", "Statut", "t.status", "status"),
        Column("total_cost", "Coût total", "t.total_cost", "money"),
        Column("requested", "Demandé", "t.requested_total", "money"),
        Column("granted", "Accordé", "t.granted_total", "money"),
        Column("paid", "Versé", "t.paid_total", "money"),
    ),
    search=("t.reference", "t.title", "p.name"),
    filters={
        "year": "t.year = ?",
        "orientation": "t.orientation_id = ?",
        "status": "t.status = ?",
        "porteur": "t.porteur_id = ?",
        "quartier": _LIVE_QUARTIER_OF_ACTION,
        "funder": "EXISTS (SELECT 1 FROM funding f WHERE f.action_id = t.id AND f.deleted = 0 AND f.funder_id = ?)",
        "commune": "t.id IN (SELECT aq.action_id FROM action_quartier aq JOIN quartier_commune qc"
                   " ON qc.quartier_id = aq.quartier_id AND qc.deleted = 0 WHERE qc.commune_id = ? AND aq.deleted = 0)",
        **ACTION_SELECTIONS,
    },
    default_sort="reference",
    base='"action" t',
    fts=ACTION_SEARCH,
))

_register(ListSpec(
    name="associations",
    label="Associations",
    source="association t LEFT JOIN commune c ON c.id = t.commune_id",
    columns=(
        Column("name", "Nom", "t.name"),
        Column("acronym", "Sigle", "t.acronym"),
        Column("siret", "SIRET", "t.siret"),
        Column("rna", "RNA", "t.rna"),
        Column("legal_form", "Forme juridique", "t.legal_form"),
        Column("city", "Commune", "COALESCE(c.name, t.city)"),
        Column("email", "Courriel", "t.email"),
        Column("active", "Active", "t.active", "bool"),
    ),
    search=("t.name", "t.acronym", "t.siret", "t.rna"),
    filters={
        "active": "t.active = ?",
        "commune": "t.commune_id = ?",
        "year": "EXISTS (SELECT 1 FROM \"action\" a WHERE a.porteur_id = t.id AND a.deleted = 0 AND a.year = ?)",
    },
    default_sort="name",
    base="association t",
    fts=ASSOCIATION_SEARCH,
))

def _communes_of_quartier() -> str:
    return (f"(SELECT {group_concat('n.name', ', ')} FROM (SELECT c.name FROM quartier_commune qc JOIN commune c"
            " ON c.id = qc.commune_id WHERE qc.quartier_id = t.id AND qc.deleted = 0 ORDER BY c.name) n)")

_register(ListSpec(
    name="quartiers",
    label="Quartiers",
    source="quartier t",
    columns=(
        Column("code", "Code", "t.code"),
        Column("name", "Nom", "t.name"),
        Column("communes", "Communes", _communes_of_quartier, nullable=True),
        Column("population", "Population", "t.population", "int"),
    ),
    search=("t.code", "t.name"),
    filters={
        "commune": "EXISTS (SELECT 1 FROM quartier_commune qc WHERE qc.quartier_id = t.id AND qc.deleted = 0"
                   " AND qc.commune_id = ?)",
    },
    default_sort="code",
))

_register(ListSpec(
    name="fundings",
    label="Financements",
    source='funding t JOIN "action" a ON a.id = t.action_id AND a.deleted = 0 JOIN funder fu ON fu.id = t.funder_id'
           " LEFT JOIN association p ON p.id = a.porteur_id",
    columns=(
        Column("reference", "Référence de l'action", "a.reference"),
        Column("title", "Intitulé de l'action", "a.title"),
        Column("year", "Année", "a.year", "year"),
        Column("porteur", "Porteur", "p.name", nullable=True),
        Column("funder", "Financeur", "fu.name"),
        Column("requested", "Demandé", "t.requested", "money"),
        Column("granted", "Accordé", "t.granted", "money", nullable=True),
        Column("paid", "Versé", "t.paid", "money", nullable=True),
        Column("decision_date", "Date de décision", "t.decision_date", "date", nullable=True),
    ),
    search=("a.reference", "a.title", "fu.name", "p.name"),
    filters={"year": "a.year = ?", "funder": "t.funder_id = ?", "action": "t.action_id = ?"},
    default_sort="reference",
    # 300,000 lines nationally: no fold per row. The action's reference, title and porteur are read from the
    # actions' index, the funder's name folded among the few funders: accents ignored as in the other lists
    # (« etat » finds the État's lines), and no LIKE over every line's joined texts.
    search_via=((ACTION_SEARCH, "t.action_id"),),
    search_small=(("funder", "name", "t.funder_id"),),
    folded=False,  # sorted on the columns themselves: a fold per row would cost seconds per page
))

_register(ListSpec(
    name="envelopes",
    label="Enveloppes",
    source="envelope t JOIN funder fu ON fu.id = t.funder_id LEFT JOIN orientation o ON o.id = t.orientation_id",
    columns=(
        Column("funder", "Financeur", "fu.name"),
        Column("year", "Année", "t.year", "year"),
        Column("orientation", "Orientation", "o.number", "int", nullable=True),
        Column("label", "Libellé", "t.label"),
        Column("amount", "Montant", "t.amount", "money"),
    ),
    search=("fu.name", "t.label"),
    filters={"year": "t.year = ?", "funder": "t.funder_id = ?"},
    default_sort="year",
))

_register(ListSpec(
    name="orientations",
    label="Orientations stratégiques",
    source="orientation t",
    columns=(
        Column("number", "N°", "t.number", "int"),
        Column("title", "Intitulé", "t.title"),
        Column("pillar", "Pilier", "t.pillar", "pillar", nullable=True),
    ),
    search=("t.title",),
    default_sort="number",
))

_register(ListSpec(
    name="communes",
    label="Communes",
    source="commune t",
    columns=(
        Column("name", "Nom", "t.name"),
        Column("insee_code", "Code INSEE", "t.insee_code", nocase=False),
        Column("postcode", "Code postal", "t.postcode"),
        Column("departement", "Département", "t.departement", nocase=False),
        Column("population", "Population", "t.population", "int", nullable=True),
        Column("siren", "SIREN", "t.siren", nocase=False),
    ),
    search=("t.name", "t.insee_code", "t.postcode"),
    default_sort="name",
))

def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _label_of(column: str, labels: Mapping[str, str]) -> str:
    """SQL naming a coded column's value as the forms do (an unknown code shows as itself)."""
    cases = " ".join(f"WHEN {_sql_text(code)} THEN {_sql_text(label)}" for code, label in labels.items())
    return f"CASE {column} {cases} ELSE {column} END"


# The funder's kind as the forms name it (« Région », « Bailleurs sociaux (TFPB) »), for the list and its spreadsheet.
_FUNDER_KIND_LABEL = _label_of("t.kind", FUNDER_KINDS)

_register(ListSpec(
    name="funders",
    label="Financeurs",
    source="funder t",
    columns=(
        Column("name", "Nom", "t.name"),
        Column("short_name", "Nom court", "t.short_name"),
        Column("kind", "Type", _FUNDER_KIND_LABEL),
        Column("siren", "SIREN", "t.siren", nocase=False),
        Column("siret", "SIRET", "t.siret", nocase=False),
    ),
    search=("t.name", "t.short_name", "t.siren", "t.siret"),
    default_sort="name",
))


# Meetings (the « Réunions » tab): the kind and the state as the forms name them; the agenda's size by its live items.
_MEETING_KIND_LABEL = _label_of("t.kind", MEETING_KINDS)
_MEETING_STATUS_LABEL = _label_of("t.status", MEETING_STATUSES)

_register(ListSpec(
    name="meetings",
    label="Réunions",
    source="meeting t",
    columns=(
        Column("date", "Date", "t.date", "date"),
        Column("kind", "Instance", _MEETING_KIND_LABEL),
        Column("title", "Intitulé", "t.title"),
        Column("place", "Lieu", "t.place"),
        Column("items", "Points", "(SELECT count(*) FROM meeting_item mi JOIN \"action\" a ON a.id = mi.action_id"
                                  " WHERE mi.meeting_id = t.id AND mi.deleted = 0 AND a.deleted = 0)", "int"),
        Column("status", "État", _MEETING_STATUS_LABEL),
    ),
    search=("t.title", "t.place", "t.attendees", "t.notes"),
    # A DATE on PostgreSQL, ISO text on SQLite: its text on both.
    filters={"year": "CAST(substr(CAST(t.date AS TEXT), 1, 4) AS INTEGER) = ?",
             "kind": "t.kind = ?", "status": "t.status = ?"},
    default_sort="date",
))


def get_spec(name: str) -> ListSpec:
    try:
        return LISTS[name]
    except KeyError:
        raise KeyError(f"La liste « {name} » n'existe pas ; listes connues : {', '.join(sorted(LISTS))}.") from None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(spec: ListSpec, search: str, filters: Mapping[str, Any] | None) -> tuple[str, list[Any]]:
    clauses, params = ["t.deleted = 0"], []
    for key, value in (filters or {}).items():
        if value is None:
            continue
        if key not in spec.filters:
            raise KeyError(f"Filtre inconnu pour la liste {spec.name} : {key}")
        condition = spec.filters[key]
        clauses.append(condition)
        # A named selection without a parameter is asked for with True; one with several takes a tuple.
        marks = condition.count("?")
        if marks == 1:
            params.append(value)
        elif marks > 1:
            params.extend(value)
    words = without_unstorable(search).split()  # a pasted NUL: PostgreSQL refuses it, FTS5 fails on it
    if not words:
        pass
    elif spec.search_via:
        for word in words:
            alternatives = []
            for index, record_id in spec.search_via:
                condition, search_params = search_condition(index, [word], record_id)
                alternatives.append(condition)
                params.extend(search_params)
            for table, column, record_id in spec.search_small:
                alternatives.append(f"{record_id} IN (SELECT s.id FROM {table} s WHERE "
                                    f"{FOLDED_FIELDS}(s.{column}) {case_blind_like()} ? ESCAPE '\\')")
                params.append(like_pattern(word))
            clauses.append("(" + " OR ".join(alternatives) + ")")
    elif spec.fts:
        condition, search_params = search_condition(spec.fts, words, "t.id")
        clauses.append(condition)
        params.extend(search_params)
    elif spec.folded:
        fields = f"{FOLDED_FIELDS}({', '.join(spec.search)})"
        for word in words:
            clauses.append(f"{fields} {case_blind_like()} ? ESCAPE '\\'")
            params.append(like_pattern(word))
    else:
        for word in words:
            like = case_blind_like()
            clauses.append("(" + " OR ".join(f"{expr} {like} ? ESCAPE '\\'" for expr in spec.search) + ")")
            params.extend([f"%{_escape_like(word)}%"] * len(spec.search))
    return " AND ".join(clauses), params


def _order(spec: ListSpec, sort: str | None, descending: bool, indexed: bool = True) -> str:
    """ORDER BY of the list; indexed=False keeps the sort's values and order but not its index (a few records)."""
    column = spec.column(sort or spec.default_sort)
    expr = column.sql if indexed else unindexed(column.sql)
    if column.kind == "text" and column.nocase:
        # A small list sorts as a French reader does (« État » among the E, not after « Valenciennes »); the large
        # ones keep SQLite's own order, which an index can serve.
        folded = spec.folded and not spec.fts
        expr = nocase(f"{FOLDED_FIELDS}({expr})" if folded else expr)
    direction = "DESC" if descending else "ASC"
    # Empty values first going up, last going down: SQLite's order, which PostgreSQL reverses unless told (said
    # only where a value may be NULL: PostgreSQL's plain indexes serve ASC NULLS LAST, its default, not this).
    nulls = (" NULLS LAST" if descending else " NULLS FIRST") if column.nullable else ""
    return f"{expr} {direction}{nulls}, t.id {direction}"


def list_ids(
    name: str,
    search: str = "",
    filters: Mapping[str, Any] | None = None,
    sort: str | None = None,
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[int]:
    """The ids of the live records matching search and filters, in the asked order (a page of them with limit)."""
    spec = get_spec(name)
    where, params = _where(spec, search, filters)
    sql = f"SELECT t.id FROM {spec.source} WHERE {where} ORDER BY {_order(spec, sort, descending)}"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params = [*params, limit, offset]
    return [row[0] for row in execute_sql(sql, params)]


def count(name: str, search: str = "", filters: Mapping[str, Any] | None = None) -> int:
    spec = get_spec(name)
    where, params = _where(spec, search, filters)
    # Filters only name the listed table (t) or their own subqueries; a search needs the joins unless an index
    # answers it.
    source = spec.base if spec.base and (spec.fts or not search.split()) else spec.source
    return execute_sql(f"SELECT count(*) FROM {source} WHERE {where}", params).fetchone()[0]


def count_each(name: str, selections: Mapping[str, Mapping[str, Any]],
               within: Mapping[str, Any] | None = None) -> dict[str, int]:
    """How many live records each selection would list (inside the common filters within), in one pass over them:
    each selection is counted by the very conditions count() and list_ids() put in their WHERE (_where)."""
    spec = get_spec(name)
    where, params = _where(spec, "", within)
    sums, sum_params = [], []
    for filters in selections.values():
        condition, condition_params = _where(spec, "", filters)
        sums.append(f"COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)")
        sum_params.extend(condition_params)
    if not sums:
        return {}
    row = execute_sql(f"SELECT {', '.join(sums)} FROM {spec.base or spec.source} WHERE {where}",
                      [*sum_params, *params]).fetchone()
    return {key: int(value) for key, value in zip(selections, row)}


FETCH_BATCH = 500


def fetch_rows(name: str, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """The column values of these records, keyed by id (in the order of spec.columns)."""
    spec = get_spec(name)
    exprs = ", ".join(column.sql for column in spec.columns)
    rows: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(ids), FETCH_BATCH):
        chunk = list(ids[start:start + FETCH_BATCH])
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT t.id, {exprs} FROM {spec.source} WHERE t.id IN ({marks})"
        for row in execute_sql(sql, chunk):
            rows[row[0]] = tuple(row[1:])
    return rows


def iter_rows(name: str, search: str = "", filters: Mapping[str, Any] | None = None,
              sort: str | None = None, descending: bool = False) -> Iterable[tuple[Any, ...]]:
    """Every matching row in order, streamed (for spreadsheets and reports)."""
    spec = get_spec(name)
    where, params = _where(spec, search, filters)
    exprs = ", ".join(column.sql for column in spec.columns)
    sql = f"SELECT {exprs} FROM {spec.source} WHERE {where} ORDER BY {_order(spec, sort, descending)}"
    yield from execute_sql(sql, params)
