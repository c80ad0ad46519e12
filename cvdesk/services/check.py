"""The consistency check: SQLite's own checks, then the domain's rules over every live record."""
from __future__ import annotations

from dataclasses import dataclass, field

from cvdesk.domain.identifiers import check_quartier_code, check_rna, check_siret
from cvdesk.domain.money import format_money
from cvdesk.store.models import db


@dataclass
class CheckReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        out = [f"Erreur : {e}" for e in self.errors] + [f"Avertissement : {w}" for w in self.warnings]
        verdict = "La base est cohérente." if self.ok else f"La base présente {len(self.errors)} erreur(s)."
        return out + [verdict]


MAX_LISTED = 50


def _add(target: list[str], messages: list[str], what: str) -> None:
    target.extend(messages[:MAX_LISTED])
    if len(messages) > MAX_LISTED:
        target.append(f"… et {len(messages) - MAX_LISTED} autres {what}.")


def run_check() -> CheckReport:
    report = CheckReport()
    integrity = [row[0] for row in db.execute_sql("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        _add(report.errors, [f"intégrité SQLite : {line}" for line in integrity], "problèmes d'intégrité")
    fk = list(db.execute_sql("PRAGMA foreign_key_check"))
    if fk:
        _add(report.errors, [f"la table {t} (ligne {rowid}) renvoie à un enregistrement absent de {parent}"
                             for t, rowid, parent, _ in fk], "références cassées")
    mismatched = [
        f"action {ref} : totaux enregistrés ({format_money(req)} demandés) différents de ses lignes ({format_money(sreq)})"
        for ref, req, sreq, gra, sgra in db.execute_sql("""
            SELECT a.reference, a.requested_total, COALESCE(s.req, 0), a.granted_total, COALESCE(s.gra, 0)
            FROM "action" a LEFT JOIN (SELECT action_id, SUM(requested) req, SUM(granted) gra FROM funding
                                       WHERE deleted = 0 GROUP BY action_id) s ON s.action_id = a.id
            WHERE a.deleted = 0 AND (a.requested_total != COALESCE(s.req, 0) OR a.granted_total != COALESCE(s.gra, 0))
        """)
    ]
    _add(report.errors, mismatched, "actions aux totaux incohérents")
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
                   " GROUP BY aq.action_id, aq.quartier_id HAVING count(*) > 1")]
    doubles += [f"action {ref} : le financeur {name} figure {n} fois dans le plan"
                for ref, name, n in db.execute_sql(
                    'SELECT a.reference, fu.name, count(*) FROM funding f JOIN "action" a ON a.id = f.action_id'
                    " JOIN funder fu ON fu.id = f.funder_id WHERE f.deleted = 0 AND a.deleted = 0"
                    " GROUP BY f.action_id, f.funder_id HAVING count(*) > 1")]
    _add(report.warnings, doubles, "rattachements en double (souvent après la fusion de deux bureaux)")
    orphans = [f"action {ref} : son porteur a été supprimé"
               for (ref,) in db.execute_sql('SELECT a.reference FROM "action" a JOIN association p ON p.id = a.porteur_id'
                                            " WHERE a.deleted = 0 AND p.deleted = 1")]
    _add(report.warnings, orphans, "actions au porteur supprimé")
    return report
