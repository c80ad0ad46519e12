"""Importing an exchange package: read and checked whole, compared and decided, then merged in one transaction.

The steps live in their own modules: package_reader (streaming the ZIP members), record_checks (the forms'
rules), merge_plan (the first pass: checks, comparison with this database, decisions) and merge_write (the
second pass: the writes). Into a database that holds no record yet, nothing is compared or decided: each batch is
checked and written in a single pass (merge_write.merge_into_empty), still in one transaction. The window and the command line call import_package() and read an ImportSummary.
A package from an office whose cvdesk is on an older schema merges too: the columns it does not carry are not
known, so the values here stay (see merge_plan, "Columns a package does not carry").
"""
from __future__ import annotations

from pathlib import Path

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.merge_plan import CancelCheck, Progress, plan_package
from cvdesk.exchange.merge_summary import TABLE_LABELS, Conflict, ImportSummary, TableCounts
from cvdesk.exchange.merge_write import base_is_empty, merge_into_empty, recompute_action_totals, write_plan
from cvdesk.store.backups import backup_before_import
from cvdesk.store.bulk_write import one_bulk_write_at_a_time
from cvdesk.store.errors import database_errors, describe_write_error
from cvdesk.store.read_only import refuse_writes

__all__ = ["TABLE_LABELS", "Conflict", "ImportSummary", "TableCounts", "import_package", "recompute_action_totals"]


def import_package(path: Path, dry_run: bool = False, progress: Progress | None = None,
                   cancelled: CancelCheck | None = None) -> ImportSummary:
    """Merge the package at path: refused whole (ExchangeError) or merged whole; with dry_run only counted."""
    if dry_run:
        return _import_package(path, dry_run, progress, cancelled)
    refuse_writes(f"L'import du paquet {path}", ExchangeError)  # a consultation role: said before the package is read
    # On a server, two merges at once would each decide on records the other is changing: the second waits its turn.
    with one_bulk_write_at_a_time() as alone:
        if not alone:
            raise ExchangeError(f"Import du paquet {path} : un autre import est en cours dans cette base (depuis un "
                                "autre poste) ; rien n'a été écrit, réessayez quand il sera fini.")
        return _import_package(path, dry_run, progress, cancelled)


def _import_package(path: Path, dry_run: bool, progress: Progress | None,
                    cancelled: CancelCheck | None) -> ImportSummary:
    if not dry_run and base_is_empty():
        try:
            return merge_into_empty(Path(path), progress, cancelled)
        except database_errors() as exc:  # the transaction is rolled back whole
            raise ExchangeError(f"Import du paquet {path} : {describe_write_error(exc)}") from exc
    plan = plan_package(Path(path), progress, cancelled)
    plan.summary.dry_run = dry_run
    if dry_run:
        return plan.summary
    if plan.summary.changed or plan.summary.conflicts:
        backup_before_import()
    try:
        write_plan(plan, progress, cancelled)
    except database_errors() as exc:  # a full disk, an I/O error: the transaction is rolled back whole
        raise ExchangeError(f"Import du paquet {plan.path} : {describe_write_error(exc)}") from exc
    return plan.summary
