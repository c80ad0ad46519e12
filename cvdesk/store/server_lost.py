"""A PostgreSQL server lost in the middle of a command, said in French (without importing psycopg at start)."""
from __future__ import annotations

import sys


def lost_server_sentence(exc: BaseException) -> str | None:
    """The French sentence for a PostgreSQL server lost during a command (restarted, network cut, session ended by
    its administrator), None for any other error. Without importing psycopg: no PostgreSQL error can have happened
    if it was never loaded."""
    psycopg = sys.modules.get("psycopg")
    if psycopg is None:
        return None
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, psycopg.Error):
        cause = cause.__cause__ or cause.__context__
    if cause is None or not isinstance(cause, psycopg.OperationalError):
        return None
    reason = next((line.strip() for line in str(cause).splitlines() if line.strip()), type(cause).__name__)
    return (f"La connexion au serveur PostgreSQL a été interrompue ({reason.rstrip('.')}) : la commande s'est arrêtée "
            "et sa transaction en cours est annulée ; relancez-la quand le serveur répond.")
