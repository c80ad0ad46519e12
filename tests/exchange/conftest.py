"""Exchange fixtures: a sound package exported from the demo contract by « Bureau Nord »."""
from __future__ import annotations

from pathlib import Path

import pytest

from cvdesk.exchange.export_package import export_package
from cvdesk.store.database import opened_database


@pytest.fixture(scope="module")
def good_package(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("paquet")
    db = folder / "a.db"
    db.write_bytes(demo_template.read_bytes())
    with opened_database(db):
        export_package(folder / "bon.zip", "Bureau Nord")
    return folder / "bon.zip"


@pytest.fixture
def siege_package(demo_template: Path, tmp_path: Path) -> Path:
    """The demo contract exported by « Siège », for bases that start from it."""
    demo = tmp_path / "demo.db"
    demo.write_bytes(demo_template.read_bytes())
    with opened_database(demo):
        export_package(tmp_path / "depart.zip", "Siège")
    return tmp_path / "depart.zip"
