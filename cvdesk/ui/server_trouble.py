"""What the window says when a click meets a PostgreSQL server lost (restarted, session ended, network cut), busy
(a row held past the lock timeout) or refusing a write to a consultation role: one French sentence in a box instead
of a traceback on the terminal. The window keeps running, and its next click connects again (store/postgres.py
drops the lost session between transactions)."""
from __future__ import annotations

import sys
from types import TracebackType
from typing import Callable

from PySide6.QtWidgets import QWidget

TITLE = "Base PostgreSQL"
# insufficient_privilege and read_only_sql_transaction: a write by a role that may only read, or on a standby, that
# a window path did not catch itself (the forms' saves do).
REFUSED_WRITES = ("42501", "25006")
Hook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def trouble_sentence(exc: BaseException) -> str | None:
    """The sentence for a server lost or busy under the window's work, None for anything else."""
    from cvdesk.store.errors import BUSY_REASON, waited_too_long
    from cvdesk.store.server_lost import loaded_driver, lost_server_reason

    reason = lost_server_reason(exc)
    if reason is not None:
        # libpq's and the server's words are often English: quoted as theirs, the sentence around them stays ours.
        return (f"La connexion au serveur PostgreSQL a été interrompue (message du serveur : « {reason} ») : ce que "
                "vous faisiez n'a pas été enregistré ; cvdesk se reconnecte à votre prochaine action, réessayez quand le serveur répond.")
    driver = loaded_driver()
    if driver is None:  # no PostgreSQL error can have happened if it was never loaded
        return None
    current: BaseException | None = exc
    for _ in range(10):
        if current is None:
            break
        if isinstance(current, driver.Error) and current.pgcode in REFUSED_WRITES:
            from cvdesk.store.errors import describe_write_error

            return describe_write_error(exc)  # a write a consultation role (or a standby) may not make
        current = current.__cause__ or current.__context__
    if waited_too_long(exc):
        return f"{BUSY_REASON[0].upper()}{BUSY_REASON[1:]} : rien n'a été modifié."
    return None


def install(window: QWidget) -> None:
    """Say the server's trouble in a box over window when an error of it reaches the event loop (a slot: a click,
    a key, a timer); any other error goes on to the hook there was before (Python's, or a test's)."""
    previous: Hook = sys.excepthook
    showing: list[bool] = []

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        sentence = trouble_sentence(exc)
        if sentence is None:
            previous(kind, exc, tb)
            return
        if showing:  # a second click while the box is up: one box is enough
            return
        from PySide6.QtWidgets import QMessageBox

        import shiboken6

        showing.append(True)
        try:
            QMessageBox.warning(window if shiboken6.isValid(window) else None, TITLE, sentence)
        finally:
            showing.clear()

    def restore() -> None:
        if sys.excepthook is hook:
            sys.excepthook = previous

    sys.excepthook = hook
    window.destroyed.connect(restore)
