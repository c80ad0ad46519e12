"""A PostgreSQL server lost in the middle of a command, said in French (without importing the driver at start)."""
from __future__ import annotations

import sys
from types import ModuleType

# The PostgreSQL driver's module (cvdesk.store.pg_driver imports it): until it is loaded, no error can be its.
DRIVER = "psycopg2"


def loaded_driver() -> ModuleType | None:
    """The PostgreSQL driver's module when it is loaded, else None (this never loads it)."""
    return sys.modules.get(DRIVER)

# SQLSTATEs of a session the server ended: its administrator (57P01), a crash (57P02), a server not yet up (57P03);
# class 08 is a connection failure. A lock or statement timeout (55P03, 57014) is an OperationalError too, but the
# session lives on: it is not a lost server.
_ENDED_SESSION = ("57P01", "57P02", "57P03")


def lost_server_reason(exc: BaseException) -> str | None:
    """libpq's or the server's first line when exc (or its cause) is a PostgreSQL connection lost during a command
    (restarted, network cut, session ended by its administrator), None for any other error."""
    driver = loaded_driver()
    if driver is None:  # no PostgreSQL error can have happened if it was never loaded
        return None
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, driver.Error):
        cause = cause.__cause__ or cause.__context__
    if cause is None or not isinstance(cause, driver.OperationalError):
        return None
    state = getattr(cause, "pgcode", None)
    if state is not None and not state.startswith("08") and state not in _ENDED_SESSION:
        return None
    reason = next((line.strip() for line in str(cause).splitlines() if line.strip()), type(cause).__name__)
    return reason.rstrip(".")


def lost_server_sentence(exc: BaseException) -> str | None:
    """The French sentence for a PostgreSQL server lost during a command, None for any other error."""
    reason = lost_server_reason(exc)
    if reason is None:
        return None
    # libpq's and the server's words are often English: quoted as theirs (as the window's box does, in
    # ui/server_trouble.py), the sentence around them stays ours.
    return (f"La connexion au serveur PostgreSQL a été interrompue (message du serveur : « {reason} ») : la "
            "commande s'est arrêtée et sa transaction en cours est annulée ; relancez-la quand le serveur répond.")
