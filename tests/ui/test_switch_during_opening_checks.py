"""After a crash the window owes its base a full integrity check, run in the background. A coordinator who opens
another base (Fichier > Ouvrir une base) before it ends, then quits, must find the crashed base still owing its
check at the next start, and the other base marked cleanly closed."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from cvdesk.store.database import opened_database
from cvdesk.store.errors import CheckInterrupted
from cvdesk.store.lock import CHECK_PENDING, lock_path
from cvdesk.ui import opening_checks


@pytest.fixture
def slow_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """A big base: the full check takes seconds, and stops when asked (as SQLite's does)."""
    real = opening_checks.verify_integrity

    def slow_verify(path, full=False, stop=None):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if stop is not None and stop():
                raise CheckInterrupted()
            time.sleep(0.02)
        return real(path, full=full, stop=stop)

    monkeypatch.setattr(opening_checks, "verify_integrity", slow_verify)


def test_opening_another_base_during_the_owed_full_check_keeps_it_owed(demo_template: Path, tmp_path: Path,
                                                                        qtbot, slow_check) -> None:
    crashed, other = tmp_path / "bureau.db", tmp_path / "autre.db"
    shutil.copyfile(demo_template, crashed)
    shutil.copyfile(demo_template, other)
    lock_path(crashed).write_bytes(b"999999")  # the PID of a program that did not close it: an unclean exit
    with opened_database(crashed, defer_check=True, models=False):
        from cvdesk.ui.main_window import MainWindow

        window = MainWindow(crashed)
        window.show()
        qtbot.waitExposed(window)
        checks = opening_checks.start_opening_checks(window)
        assert checks.full and not checks.isFinished()
        assert window.switch_database(other, create=False)
        assert window.db_path == other
        window.close()
        qtbot.waitUntil(checks.isFinished, timeout=10_000)
        window.deleteLater()
    assert lock_path(other).read_bytes() == b""  # closed cleanly: its next opening is quick
    assert lock_path(crashed).read_bytes() == CHECK_PENDING  # its full check never ended: still owed
