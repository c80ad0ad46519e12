"""The export holds Python's cycle collector back while it writes (it makes thousands of objects per batch, none
in a cycle) and gives it back as it found it: after a whole export, after a cancelled one, and left off when the
caller had it off."""
from __future__ import annotations

import gc
import zipfile
from pathlib import Path

import pytest

from cvdesk.exchange.errors import Cancelled
from cvdesk.exchange.export_package import export_package

pytestmark = pytest.mark.both_engines


def test_the_collector_rests_while_the_package_is_written_and_comes_back(demo_db, tmp_path: Path) -> None:
    during: list[bool] = []
    summary = export_package(tmp_path / "p.zip", "Siège", progress=lambda done, total: during.append(gc.isenabled()))
    assert gc.isenabled()
    assert len(during) > 1 and not any(during[:-1])  # the last call comes once the package is complete
    with zipfile.ZipFile(tmp_path / "p.zip") as archive:
        assert archive.testzip() is None
    assert summary.total > 0


def test_a_cancelled_export_gives_the_collector_back_and_leaves_no_file(demo_db, tmp_path: Path) -> None:
    out = tmp_path / "paquets"
    out.mkdir()
    with pytest.raises(Cancelled):
        export_package(out / "p.zip", "Siège", cancelled=lambda: True)
    assert gc.isenabled()
    assert list(out.iterdir()) == []


def test_a_collector_the_caller_had_turned_off_stays_off(demo_db, tmp_path: Path) -> None:
    gc.disable()
    try:
        export_package(tmp_path / "p.zip", "Siège")
        assert not gc.isenabled()
    finally:
        gc.enable()
