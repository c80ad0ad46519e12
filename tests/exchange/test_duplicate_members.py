"""A ZIP holding two members of the same name (a package or a workbook) is refused, naming the file and the member:
Python's zipfile would silently read the last one, which whoever checked the first one never saw."""
from __future__ import annotations

import hashlib
import json
import warnings
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.zipguard import open_checked_zip
from cvdesk.store.database import close_database, open_database
from tests.exchange.helpers import fingerprint, run_cli, settle


def _zip_with(path: Path, members: list[tuple[str, bytes]]) -> Path:
    """Write members in order, a name twice if asked (zipfile warns, and writes it anyway)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                archive.writestr(name, data)
    return path


def test_two_manifests_in_one_zip_are_refused_naming_the_file_and_the_member(tmp_path: Path) -> None:
    path = _zip_with(tmp_path / "paquet.zip", [("manifest.json", b'{"office": "Bureau Nord"}'),
                                               ("manifest.json", b'{"office": "Bureau pirate"}')])
    with pytest.raises(ExchangeError) as refused:
        open_checked_zip(path, "un paquet d'échange cvdesk")
    message = str(refused.value)
    assert str(path) in message and "manifest.json" in message and "deux fois" in message


def test_the_same_name_with_a_backslash_counts_as_a_duplicate(tmp_path: Path) -> None:
    path = _zip_with(tmp_path / "classeur.xlsx", [("xl/worksheets/sheet1.xml", b"<a/>"),
                                                  ("xl\\worksheets\\sheet1.xml", b"<b/>")])
    with pytest.raises(ExchangeError, match="deux fois"):
        open_checked_zip(path, "un classeur XLSX")


def test_distinct_names_still_open(tmp_path: Path) -> None:
    path = _zip_with(tmp_path / "paquet.zip", [("manifest.json", b"{}"), ("action.jsonl", b"")])
    open_checked_zip(path, "un paquet d'échange cvdesk").close()


@pytest.fixture
def office_package(demo_template: Path, tmp_path: Path) -> Path:
    source = tmp_path / "bureau.db"
    source.write_bytes(demo_template.read_bytes())
    open_database(source)
    export_package(tmp_path / "bureau.zip", "Bureau Nord")
    close_database()
    return tmp_path / "bureau.zip"


def test_a_package_with_a_second_manifest_sealing_forged_actions_changes_nothing(
        office_package: Path, demo_template: Path, tmp_path: Path, capsys) -> None:
    with zipfile.ZipFile(office_package) as archive:
        members = [(name, archive.read(name)) for name in archive.namelist()]
    genuine = dict(members)
    forged_actions = genuine["action.jsonl"].replace(b'"title":"', b'"title":"FAUX ', 1)
    assert forged_actions != genuine["action.jsonl"]
    manifest = json.loads(genuine["manifest.json"])
    manifest["files"]["action.jsonl"]["sha256"] = hashlib.sha256(forged_actions).hexdigest()
    # The genuine members first, as an inspector would see them, then the forged ones that zipfile would read.
    forged = _zip_with(tmp_path / "piege.zip", [*members, ("action.jsonl", forged_actions),
                                               ("manifest.json", json.dumps(manifest).encode())])
    headquarters = tmp_path / "siege.db"
    headquarters.write_bytes(demo_template.read_bytes())
    settle(headquarters)
    before = fingerprint(headquarters)
    code, out, err = run_cli(capsys, "import", "--db", str(headquarters), str(forged))
    assert code == 2, out + err
    assert str(forged) in err and "deux fois" in err and ("action.jsonl" in err or "manifest.json" in err)
    assert "Traceback" not in err and "Défaut de cvdesk" not in err
    settle(headquarters)
    assert fingerprint(headquarters) == before


def test_a_workbook_with_a_second_sheet_under_the_same_name_is_refused(tmp_path: Path, capsys) -> None:
    book = Workbook()
    book.active.append(["Nom", "Sigle"])
    book.active.append(["Lire et grandir", "LEG"])
    honest = tmp_path / "honnete.xlsx"
    book.save(honest)
    with zipfile.ZipFile(honest) as archive:
        members = [(name, archive.read(name)) for name in archive.namelist()]
    sheet = dict(members)["xl/worksheets/sheet1.xml"]
    forged = _zip_with(tmp_path / "associations.xlsx",
                       [*members, ("xl/worksheets/sheet1.xml", sheet.replace(b"Lire et grandir", b"Association pirate"))])
    database = tmp_path / "bureau.db"
    open_database(database)
    close_database()
    settle(database)
    before = fingerprint(database)
    code, out, err = run_cli(capsys, "import", "--db", str(database), str(forged), "--kind", "associations")
    assert code == 2, out + err
    assert str(forged) in err and "xl/worksheets/sheet1.xml" in err and "deux fois" in err
    settle(database)
    assert fingerprint(database) == before
