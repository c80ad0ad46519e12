"""How long a bulk writer (a merge, a spreadsheet import, a copy) waits on PostgreSQL for rows another session holds.

Every connection waits at most postgres.LOCK_TIMEOUT_MS (5 s) for a lock: a coordinator's save is refused in French
rather than freezing the window behind a long merge. A bulk writer's own statements may wait longer, in its own
transaction only (SET LOCAL ends with it): what it waits for is a colleague's save (milliseconds) or another
import's transaction (its whole length, tens of seconds), and a merge given up after 5 s of waiting would throw
away the reading and checking already done, for a wait its user, who watches its progress, would have accepted.
Still bounded: a session left open in a transaction by another tool would otherwise freeze the progress dialog for
good (« Annuler » is asked between steps and cannot interrupt a wait); after a minute the import is refused whole.

A copy keeps the 5 s: it writes only into an empty base, where nobody else writes; a lock it waits for longer than
that means someone is using the base it was about to fill, and refusing (nothing written) is then right. So do the
demo and the synthetic sets (an empty base too) and the settling of one conflict (one record, a save's length)."""
from __future__ import annotations

from cvdesk.store.engine import is_postgres, raw

BULK_LOCK_TIMEOUT_MS = 60_000


def allow_bulk_lock_wait() -> None:
    """Inside a bulk writer's transaction: its statements may wait BULK_LOCK_TIMEOUT_MS for a lock (PostgreSQL;
    SQLite's single writer has its busy timeout)."""
    if is_postgres():
        raw().execute(f"SET LOCAL lock_timeout = {BULK_LOCK_TIMEOUT_MS}")
