"""PostgreSQL's equivalents of SQLite's integrity and foreign-key checks, for the `check` command on a server base.

SQLite's `PRAGMA integrity_check` reads every page and index of the file; a server has no file of ours, so the
check asks the server: amcheck's bt_index_check() on each B-tree index of our tables (with heapallindexed: every
row of the table is in its indexes), the page checksum failures counted in pg_stat_database, constraints and
triggers left disabled or unvalidated by hand. `PRAGMA foreign_key_check` becomes one anti-join per reference
of the models. What cannot be checked with the role's rights is said as a note, never silently skipped."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from cvdesk.domain.dates import format_moment

# amcheck's functions are for superusers unless granted, and the extension is not "trusted" (PostgreSQL 15).
AMCHECK = "amcheck"


def _sql(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    from cvdesk.store.models import db

    return list(db.execute_sql(sql, params).fetchall())


def _attempt(sql: str, params: Sequence[Any] = ()) -> tuple[list[tuple[Any, ...]] | None, str]:
    """Run one statement in a savepoint: (rows, "") or (None, the server's reason) without spoiling the
    transaction around it."""
    from cvdesk.store.models import db

    try:
        with db.atomic():
            cursor = db.execute_sql(sql, params)
            return (list(cursor.fetchall()) if cursor.description is not None else []), ""
    except Exception as exc:  # the driver's or peewee's error: its first line is the server's reason
        return None, str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def server_integrity() -> tuple[list[str], list[str]]:
    """(problems, notes): what the server finds damaged, and what it could not check here and why."""
    problems: list[str] = []
    notes: list[str] = []
    _indexes(problems, notes)
    _checksums(problems, notes)
    problems += [f"intégrité PostgreSQL : la contrainte {name} de la table {table} n'a jamais été vérifiée "
                 "(NOT VALID) : des lignes peuvent la violer"
                 for table, name in _sql(
                     "SELECT t.relname, c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
                     " JOIN pg_namespace n ON n.oid = t.relnamespace"
                     " WHERE n.nspname = current_schema() AND NOT c.convalidated ORDER BY 1, 2")]
    problems += [f"intégrité PostgreSQL : le déclencheur {name} de la table {table} est désactivé : l'index de "
                 "recherche ou les totaux qu'il tient à jour peuvent être faux"
                 for table, name in _sql(
                     "SELECT t.relname, g.tgname FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid"
                     " JOIN pg_namespace n ON n.oid = t.relnamespace"
                     " WHERE n.nspname = current_schema() AND NOT g.tgisinternal AND g.tgenabled = 'D'"
                     " ORDER BY 1, 2")]
    return problems, notes


def _amcheck_ready(notes: list[str]) -> bool:
    if _sql("SELECT 1 FROM pg_extension WHERE extname = ?", (AMCHECK,)):
        return True
    created, reason = _attempt(f"CREATE EXTENSION IF NOT EXISTS {AMCHECK}")
    if created is None:
        notes.append(f"index non vérifiés : l'extension {AMCHECK} de PostgreSQL n'a pas pu être installée avec ce "
                     f"rôle ({reason}) ; un administrateur peut l'installer (CREATE EXTENSION {AMCHECK}) et "
                     "donner le droit d'exécuter bt_index_check")
        return False
    return True


def _indexes(problems: list[str], notes: list[str]) -> None:
    """Each B-tree index of our tables checked against its table (the trigram GIN index of the search is not:
    amcheck checks GIN indexes from PostgreSQL 18 on)."""
    if not _amcheck_ready(notes):
        return
    indexes = _sql("SELECT ci.oid, ci.relname, ct.relname FROM pg_index i"
                   " JOIN pg_class ci ON ci.oid = i.indexrelid JOIN pg_class ct ON ct.oid = i.indrelid"
                   " JOIN pg_am am ON am.oid = ci.relam JOIN pg_namespace n ON n.oid = ct.relnamespace"
                   " WHERE n.nspname = current_schema() AND am.amname = 'btree' ORDER BY ct.relname, ci.relname")
    for oid, index, table in indexes:
        done, reason = _attempt("SELECT bt_index_check(CAST(? AS oid), true)", (oid,))
        if done is not None:
            continue
        if "permission denied" in reason or "droit refusé" in reason:
            notes.append(f"index non vérifiés : ce rôle n'a pas le droit d'exécuter bt_index_check ({reason})")
            return
        problems.append(f"intégrité PostgreSQL : l'index {index} de la table {table} est endommagé ({reason}) ; "
                        f"REINDEX INDEX {index} le reconstruit")
    if indexes:
        notes.append(f"{len(indexes)} index B-tree vérifiés par {AMCHECK} (bt_index_check, lignes comprises)")


def _checksums(problems: list[str], notes: list[str]) -> None:
    enabled = _sql("SHOW data_checksums")[0][0] == "on"
    failures = _sql("SELECT COALESCE(checksum_failures, 0), checksum_last_failure FROM pg_stat_database"
                    " WHERE datname = current_database()")
    count, last = failures[0] if failures else (0, None)
    if count:
        if isinstance(last, str):
            last = datetime.fromisoformat(last)
        when = f", la dernière le {format_moment(last, ' à ')}" if last is not None else ""
        problems.append(f"intégrité PostgreSQL : {count} page(s) de cette base ont échoué à leur somme de contrôle"
                        f"{when} : le disque du serveur est à vérifier, et la base à restaurer depuis une sauvegarde")
    if not enabled:
        notes.append("les sommes de contrôle des pages ne sont pas activées sur ce serveur (initdb "
                     "--data-checksums) : une page abîmée sur le disque ne serait pas détectée")


def broken_references() -> list[str]:
    """Rows naming a row that is absent, per reference of the models: what SQLite's foreign_key_check finds. The
    server enforces its foreign keys, so this finds rows only where they were dropped or bypassed by hand."""
    from peewee import ForeignKeyField

    from cvdesk.store.models import RECORD_MODELS

    messages = []
    for model in RECORD_MODELS:
        table = model._meta.table_name
        for fk in (f for f in model._meta.sorted_fields if isinstance(f, ForeignKeyField)):
            parent = fk.rel_model._meta.table_name
            column = fk.column_name
            for (row_id,) in _sql(f'SELECT c.id FROM "{table}" c WHERE c."{column}" IS NOT NULL AND NOT EXISTS '
                                  f'(SELECT 1 FROM "{parent}" p WHERE p.id = c."{column}") ORDER BY c.id LIMIT 100'):
                messages.append(f"la table {table} (ligne {row_id}) renvoie à un enregistrement absent de {parent}")
    return messages
