"""Opening a base already at the last schema step loads no migration machinery (the window's start pays for it)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Run in a fresh interpreter: the test session itself has long imported playhouse.migrate.
OPEN_AND_LIST_MODULES = """
import sys
from cvdesk.store.database import opened_database
with opened_database(sys.argv[1], defer_check=True):  # as the window opens it: its checks run after the first paint
    pass
print(" ".join(sorted(name for name in sys.modules if name in ("playhouse.migrate", "cvdesk.store.backups"))))
"""


def _modules_loaded_by_opening(path: Path) -> set[str]:
    done = subprocess.run([sys.executable, "-c", OPEN_AND_LIST_MODULES, str(path)], capture_output=True, text=True,
                          check=True, timeout=120)
    return set(done.stdout.split())


def test_a_base_at_the_last_step_opens_without_the_migration_machinery(tmp_path: Path) -> None:
    base = tmp_path / "bureau.db"
    # A new base climbs every step: the migrator is needed then.
    assert "playhouse.migrate" in _modules_loaded_by_opening(base)
    # The next opening (every start of the window) has nothing to climb, and loads neither the migrator nor backups.
    assert _modules_loaded_by_opening(base) == set()
