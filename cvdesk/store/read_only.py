"""The refusal of a write on a base opened for reading only (a PostgreSQL role that may only read, a file on a
read-only medium), said in one French sentence before anything is read or written."""
from __future__ import annotations

from cvdesk.store.database import database_display, database_target, is_read_only
from cvdesk.store.errors import StoreError


class ReadOnlyBase(StoreError):
    """A write asked of a base opened for reading only; str() is the sentence for the user."""


def read_only_reason() -> str:
    """Why the open base cannot be written to, as a clause of a sentence."""
    if database_target() is not None:
        return f"votre rôle sur la base PostgreSQL {database_display()} permet de la lire mais pas de la modifier"
    return f"la base {database_display()} est dans un dossier ou sur un support en lecture seule"


def refuse_writes(what: str, error: type[Exception] = ReadOnlyBase) -> None:
    """Raise error (ReadOnlyBase, or the caller's own kind of refusal: the exchange's ExchangeError) when the open
    base was opened for reading only: « {what} est impossible : … ; rien n'a été écrit. » (what: « L'import du
    tableur x.csv », « La création de la démonstration »…). Without this, an import whose rows change nothing wrote
    nothing and still said « 40 mis à jour »."""
    if is_read_only():
        raise error(f"{what} est impossible : {read_only_reason()} ; rien n'a été écrit.")
