"""The consistency check: the engine's own checks (SQLite's pragmas, or PostgreSQL's equivalents in
store/pg_integrity), then the domain's rules over every live record, in SQL both engines read alike."""
from __future__ import annotations

from dataclasses import dataclass, field

from cvdesk.domain.identifiers import check_quartier_code, check_rna, check_siret
from cvdesk.domain.money import format_money
from cvdesk.store.models import db


@dataclass
class CheckReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was not checked, and why (a server's limits)

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        out = ([f"Erreur : {e}" for e in self.errors] + [f"Avertissement : {w}" for w in self.warnings]
               + [f"Note : {n}" for n in self.notes])
        verdict = "La base est cohérente." if self.ok else f"La base présente {len(self.errors)} erreur(s)."
        return out + [verdict]


MAX_LISTED = 50


def _add(target: list[str], messages: list[str], what: str) -> None:
    target.extend(messages[:MAX_LISTED])
    if len(messages) > MAX_LISTED:
        target.append(f"… et {len(messages) - MAX_LISTED} autres {what}.")


def run_check(integrity: bool = True) -> CheckReport:
    """The consistency checks; integrity=False when the opening has just run SQLite's full integrity check (the
    `check` command), so that the longest check runs once. On PostgreSQL the opening checks no file: integrity
    here means the server's own checks (indexes by amcheck, page checksums)."""
    from cvdesk.store.engine import is_postgres

    report = CheckReport()
    if is_postgres():
        from cvdesk.store.pg_integrity import broken_references, server_integrity

        if integrity:
            problems, notes = server_integrity()
            _add(report.errors, problems, "problèmes d'intégrité")
            report.notes.extend(notes)
        _add(report.errors, broken_references(), "références cassées")
    else:
        if integrity:
            problems = [row[0] for row in db.execute_sql("PRAGMA integrity_check")]
            if problems != ["ok"]:
                _add(report.errors, [f"intégrité SQLite : {line}" for line in problems], "problèmes d'intégrité")
        fk = list(db.execute_sql("PRAGMA foreign_key_check"))
        if fk:
            _add(report.errors, [f"la table {t} (ligne {rowid}) renvoie à un enregistrement absent de {parent}"
                                 for t, rowid, parent, _ in fk], "références cassées")
    _add(report.errors, mismatched_totals(), "totaux d'actions incohérents")
    bad_ids = []
    for name, siret, rna in db.execute_sql("SELECT name, siret, rna FROM association WHERE deleted = 0"):
        for value, checker in ((siret, check_siret), (rna, check_rna)):
            message = checker(value) if value else None
            if message:
                bad_ids.append(f"association « {name} » : {message}")
    _add(report.errors, bad_ids, "identifiants invalides")
    bad_codes = [f"quartier « {name} » : {check_quartier_code(code)}"
                 for code, name in db.execute_sql("SELECT code, name FROM quartier WHERE deleted = 0")
                 if check_quartier_code(code)]
    _add(report.errors, bad_codes, "codes de quartier invalides")
    duplicates = [f"la référence {ref} est portée par {n} actions"
                  for ref, n in db.execute_sql('SELECT reference, count(*) FROM "action" WHERE deleted = 0'
                                               " GROUP BY reference HAVING count(*) > 1")]
    _add(report.errors, duplicates, "références en double")
    over = [f"action {ref} : le plan ({format_money(req)} demandés) dépasse le coût total ({format_money(cost)})"
            for ref, req, cost in db.execute_sql('SELECT reference, requested_total, total_cost FROM "action"'
                                                 " WHERE deleted = 0 AND requested_total > total_cost")]
    _add(report.warnings, over, "plans dépassant le coût")
    doubles = [f"action {ref} : le quartier {code} lui est rattaché {n} fois"
               for ref, code, n in db.execute_sql(
                   'SELECT a.reference, q.code, count(*) FROM action_quartier aq JOIN "action" a ON a.id = aq.action_id'
                   " JOIN quartier q ON q.id = aq.quartier_id WHERE aq.deleted = 0 AND a.deleted = 0"
                   " GROUP BY aq.action_id, aq.quartier_id, a.reference, q.code HAVING count(*) > 1")]
    doubles += [f"action {ref} : le financeur {name} figure {n} fois dans le plan"
                for ref, name, n in db.execute_sql(
                    'SELECT a.reference, fu.name, count(*) FROM funding f JOIN "action" a ON a.id = f.action_id'
                    " JOIN funder fu ON fu.id = f.funder_id WHERE f.deleted = 0 AND a.deleted = 0"
                    " GROUP BY f.action_id, f.funder_id, a.reference, fu.name HAVING count(*) > 1")]
    _add(report.warnings, doubles, "rattachements en double (souvent après la fusion de deux bureaux)")
    orphans = [f"action {ref} : son porteur a été supprimé"
               for (ref,) in db.execute_sql('SELECT a.reference FROM "action" a JOIN association p ON p.id = a.porteur_id'
                                            " WHERE a.deleted = 0 AND p.deleted = 1")]
    _add(report.warnings, orphans, "actions au porteur supprimé")
    _add(report.warnings, live_children_of_deleted(), "rattachements encore actifs d'enregistrements supprimés")
    return report


# The totals an action caches, with the plan-line column each one sums and how the message names it.
CACHED_TOTALS = (("requested_total", "requested", "demandé"), ("granted_total", "granted", "accordé"),
                 ("paid_total", "paid", "versé"))


def mismatched_totals() -> list[str]:
    """One message per cached total of a live action that differs from the sum of its live plan lines."""
    cached = ", ".join(f"a.{total}" for total, _line, _label in CACHED_TOTALS)
    sums = ", ".join(f"COALESCE(s.{line}, 0)" for _total, line, _label in CACHED_TOTALS)
    per_line = ", ".join(f"SUM({line}) {line}" for _total, line, _label in CACHED_TOTALS)
    # IS DISTINCT FROM: a NULL total differs from 0 (both engines; SQLite's own spelling is IS NOT).
    differs = " OR ".join(f"a.{total} IS DISTINCT FROM COALESCE(s.{line}, 0)"
                          for total, line, _label in CACHED_TOTALS)
    messages = []
    for ref, *amounts in db.execute_sql(f"""
            SELECT a.reference, {cached}, {sums}
            FROM "action" a LEFT JOIN (SELECT action_id, {per_line} FROM funding WHERE deleted = 0
                                       GROUP BY action_id) s ON s.action_id = a.id
            WHERE a.deleted = 0 AND ({differs}) ORDER BY a.reference"""):
        stored, lines = amounts[:len(CACHED_TOTALS)], amounts[len(CACHED_TOTALS):]
        for (_total, _line, label), cached_amount, line_amount in zip(CACHED_TOTALS, stored, lines):
            if cached_amount != line_amount:
                messages.append(f"action {ref} : total {label} enregistré {_money(cached_amount)}, "
                                f"mais ses lignes de financement font {format_money(line_amount)}")
    return messages


def _money(cents: int | None) -> str:
    return format_money(cents) if cents is not None else "(vide)"


# The parents whose deletion takes children with it: table, the column that names a row, and how a message
# names a deleted one.
PARENTS = {"action": ('"action"', "reference", "action {} supprimée"),
           "quartier": ("quartier", "code", "quartier {} supprimé")}
# Child rows that a deletion takes with it (child table, parent column, parent, what they are); a merge of two
# offices or a database older than that rule may have left some live.
CHILDREN_OF_DELETED = (
    ("funding", "action_id", "action", "lignes de financement"),
    ("action_quartier", "action_id", "action", "rattachements aux quartiers"),
    ("meeting_item", "action_id", "action", "inscriptions à l'ordre du jour des réunions"),
    ("action_quartier", "quartier_id", "quartier", "rattachements aux actions"),
    ("quartier_commune", "quartier_id", "quartier", "rattachements aux communes"),
    ("quartier_indicator", "quartier_id", "quartier", "indicateurs"),
)


def live_children_of_deleted() -> list[str]:
    """Live child rows (plan lines, quartier links…) of a deleted action or quartier, counted by parent."""
    messages = []
    for child, parent_column, parent, what in CHILDREN_OF_DELETED:
        table, name_column, named = PARENTS[parent]
        rows = db.execute_sql(
            f"SELECT p.{name_column}, count(*) FROM {child} c JOIN {table} p ON p.id = c.{parent_column}"
            f" WHERE c.deleted = 0 AND p.deleted = 1 GROUP BY p.id, p.{name_column} ORDER BY p.{name_column}")
        messages += [f"{named.format(name)}, mais pas ses {what} ({n})" for name, n in rows]
    return messages
