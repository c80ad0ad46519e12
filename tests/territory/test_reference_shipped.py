"""The extract shipped under resources/reference says what it is: its README names the package version it holds.

Set CVDESK_DECOUPAGE_TGZ to the package (`npm pack @etalab/decoupage-administratif@VERSION`) to also rebuild the
extract from it byte for byte and compare every EPCI's members with the package's JSON; without it (no network in
CI) those two checks are skipped.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import tarfile
from pathlib import Path

import pytest

from cvdesk.territory.build_extract import PACKAGE_NAME, write_extract
from cvdesk.territory.extract import EXTRACT_NAME, FORMAT_VERSION, shipped_extract
from cvdesk.territory.lookup import Reference

README = shipped_extract().parent / "README.md"
PACKAGE = os.environ.get("CVDESK_DECOUPAGE_TGZ")
needs_package = pytest.mark.skipif(not PACKAGE, reason="CVDESK_DECOUPAGE_TGZ ne désigne pas le paquet npm")


def extract_meta() -> dict[str, str]:
    conn = sqlite3.connect(f"{shipped_extract().resolve().as_uri()}?mode=ro", uri=True)
    try:
        return dict(conn.execute("SELECT key, value FROM meta"))
    finally:
        conn.close()


def test_the_readme_names_the_version_and_the_counts_the_extract_holds() -> None:
    readme = README.read_text(encoding="utf-8")
    meta = extract_meta()
    assert re.search(r"\*\*version ([0-9][^*]*)\*\*", readme).group(1) == meta["package_version"]
    assert f"npm pack {PACKAGE_NAME}@{meta['package_version']}" in readme
    conn = sqlite3.connect(f"{shipped_extract().resolve().as_uri()}?mode=ro", uri=True)
    communes, epcis = (conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("commune", "epci"))
    conn.close()
    assert f"{communes} communes actuelles" in readme and f"{epcis} EPCI" in readme
    assert "Licence Ouverte" in readme and "MIT" in readme


def test_the_shipped_extract_is_small_and_in_the_layout_the_program_reads() -> None:
    assert shipped_extract().stat().st_size < 6_000_000
    with Reference() as reference:
        assert reference.meta["format"] == str(FORMAT_VERSION)
        # A version with the EPCI of 2024 or later (the Engagements Quartiers 2030 contracts) : 5.x or 6.x.
        assert int(reference.version.split(".")[0]) >= 5


@needs_package
def test_the_package_rebuilds_the_shipped_extract_byte_for_byte(tmp_path: Path) -> None:
    rebuilt = write_extract(Path(PACKAGE), tmp_path)
    assert rebuilt.name == EXTRACT_NAME
    assert rebuilt.read_bytes() == shipped_extract().read_bytes()
    assert (tmp_path / "README.md").read_bytes() == README.read_bytes()


@needs_package
def test_every_epci_has_exactly_the_members_of_the_package_json() -> None:
    with tarfile.open(PACKAGE, "r:gz") as archive:
        epcis = json.load(archive.extractfile("package/data/epci.json"))
    with Reference() as reference:
        for epci in epcis:
            members = sorted(member["code"] for member in epci["membres"])
            assert [c.insee for c in reference.members(epci["code"])] == members, epci["nom"]
