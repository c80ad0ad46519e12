"""Rebuilding the reference extract: the same package gives the same bytes, and a bad package changes nothing.

The packages here are tiny forgeries of @etalab/decoupage-administratif, made in the test, so that no network is
needed; their JSON has the shape of the real package's (version 6.0.0).
"""
from __future__ import annotations

import gzip
import io
import json
import random
import sqlite3
import tarfile
from pathlib import Path

import pytest

from cvdesk.territory.build_extract import PAGE_SIZE, main, write_extract
from cvdesk.territory.extract import EXTRACT_NAME, FORMAT_VERSION
from cvdesk.territory.lookup import Reference

COMMUNES = [
    {"code": "59606", "nom": "Valenciennes", "type": "commune-actuelle", "departement": "59", "siren": "215906066",
     "codesPostaux": ["59300"], "population": 43468},
    {"code": "59032", "nom": "Aulnoy-lez-Valenciennes", "type": "commune-actuelle", "departement": "59",
     "siren": "215900326", "codesPostaux": ["59300"], "population": 7080},
    {"code": "42218", "nom": "Saint-Étienne", "type": "commune-actuelle", "departement": "42",
     "siren": "214202186", "codesPostaux": ["42000", "42100"], "population": 173136, "anciensCodes": ["42999"]},
    {"code": "13055", "nom": "Marseille", "type": "commune-actuelle", "departement": "13", "siren": "211300553",
     "codesPostaux": ["13001", "13002"], "population": 886040},
    {"code": "13201", "nom": "Marseille 1er Arrondissement", "type": "arrondissement-municipal", "commune": "13055",
     "departement": "13", "codesPostaux": ["13001"], "population": 37599},
    {"code": "01138", "nom": "Belley", "type": "commune-actuelle", "departement": "01", "siren": "210101382",
     "codesPostaux": ["01300"], "population": 9310},
    {"code": "01039", "nom": "Béon", "type": "commune-deleguee", "chefLieu": "01138", "departement": "01"},
    {"code": "97801", "nom": "Saint-Martin", "type": "commune-actuelle", "departement": "978",
     "codesPostaux": ["97150"], "population": 31160},
]
EPCIS = [
    {"code": "245901160", "nom": "CA Valenciennes Métropole", "type": "CA", "modeFinancement": "FPU",
     "populationTotale": 50548, "populationMunicipale": 49900,
     "membres": [{"code": "59606", "siren": "215906066", "nom": "Valenciennes", "populationMunicipale": 42979},
                 {"code": "59032", "siren": "215900326", "nom": "Aulnoy-lez-Valenciennes"}]},
    {"code": "244200770", "nom": "Saint-Étienne Métropole", "type": "METRO", "modeFinancement": "FPU",
     "populationTotale": 173136, "membres": [{"code": "42218", "siren": "214202186", "nom": "Saint-Étienne"}]},
]


def forge_package(path: Path, communes: list = COMMUNES, epcis: list = EPCIS,
                  name: str = "@etalab/decoupage-administratif", version: str = "9.9.9") -> Path:
    """A .tgz laid out as `npm pack` writes it: package/package.json and package/data/*.json."""
    files = {
        "package/package.json": {"name": name, "version": version, "license": "MIT"},
        "package/data/communes.json": communes,
        "package/data/epci.json": epcis,
    }
    # gzip stamps the time of writing in its header: a fixed one makes the same forgery the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed, \
            tarfile.open(fileobj=packed, mode="w") as archive:
        for member, content in files.items():
            data = json.dumps(content, ensure_ascii=False).encode("utf-8")
            info = tarfile.TarInfo(member)
            info.size, info.mtime = len(data), 1_773_000_000  # 2026-03-08
            archive.addfile(info, io.BytesIO(data))
    return path


def build(package: Path, out: Path) -> bytes:
    out.mkdir()
    return write_extract(package, out).read_bytes()


def test_the_same_package_gives_the_same_bytes_even_with_its_lists_in_another_order(tmp_path: Path) -> None:
    first = build(forge_package(tmp_path / "a.tgz"), tmp_path / "one")
    again = build(forge_package(tmp_path / "a.tgz"), tmp_path / "two")
    shuffled_communes, shuffled_epcis = COMMUNES[:], EPCIS[:]
    random.Random(12).shuffle(shuffled_communes)
    shuffled_epcis.reverse()
    shuffled = build(forge_package(tmp_path / "b.tgz", shuffled_communes, shuffled_epcis), tmp_path / "three")
    assert first == again
    assert (tmp_path / "one" / "README.md").read_bytes() == (tmp_path / "two" / "README.md").read_bytes()
    assert shuffled == first
    # And the comparison can fail: one more inhabitant changes the file.
    changed = [dict(c, population=c["population"] + 1) if c["code"] == "59606" else c for c in COMMUNES]
    assert build(forge_package(tmp_path / "a.tgz", changed), tmp_path / "four") != first


def test_the_extract_holds_the_communes_of_today_and_the_epci_members_of_the_json(tmp_path: Path) -> None:
    extract = write_extract(forge_package(tmp_path / "p.tgz"), tmp_path)
    conn = sqlite3.connect(extract)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == FORMAT_VERSION
    assert conn.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    current = sorted(c["code"] for c in COMMUNES if c["type"] == "commune-actuelle")
    assert [code for code, in conn.execute("SELECT insee FROM commune ORDER BY insee")] == current
    conn.close()
    with Reference(extract) as reference:
        assert reference.version == "9.9.9"
        valenciennes = reference.commune("59606")
        assert (valenciennes.siren, valenciennes.postcodes, valenciennes.population) == ("215906066", ("59300",), 43468)
        assert valenciennes.population_municipale == 42979
        assert [c.insee for c in reference.members("245901160")] == ["59032", "59606"]
        assert reference.find_communes("saint etienne")[0].insee == "42218"
        assert reference.commune("13201").insee == "13055"  # arrondissement municipal
        assert reference.commune("01039").insee == "01138"  # commune déléguée
        assert reference.commune("42999").insee == "42218"  # old code
        assert reference.find_communes("Béon") == []
        assert reference.commune("97801").siren is None
        assert reference.find_epcis("saint etienne")[0].kind == "METRO"
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "version 9.9.9" in readme and "2026-03-08" in readme and "Licence Ouverte" in readme


@pytest.mark.parametrize(("forge", "reason"), [
    (lambda path: path.write_bytes(b"not a tarball"), "n'est pas une archive .tgz lisible"),
    (lambda path: forge_package(path, name="left-pad"), "n'est pas @etalab/decoupage-administratif"),
    (lambda path: forge_package(path, epcis=[dict(EPCIS[0], membres=[{"code": "01039"}])]),
     "le membre 01039 n'est pas une commune actuelle"),
    (lambda path: forge_package(path, epcis=[dict(EPCIS[0], code="24590116")]), "n'a pas 9 chiffres"),
    (lambda path: forge_package(path, communes="oops"), "n'est pas une liste d'objets"),
    (lambda path: forge_package(path, epcis=[dict(EPCIS[0], membres=["59606"])]), "un objet JSON est attendu"),
])
def test_a_bad_package_is_refused_in_one_french_sentence_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], forge, reason: str) -> None:
    package = tmp_path / "paquet.tgz"
    forge(package)
    out = tmp_path / "out"
    out.mkdir()
    assert main([str(package), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert reason in error and "paquet.tgz" in error and error.count("\n") == 1
    assert list(out.iterdir()) == []


def test_the_build_command_tells_where_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(forge_package(tmp_path / "p.tgz")), "--out", str(tmp_path)]) == 0
    assert f"Extrait écrit dans {tmp_path / EXTRACT_NAME}" in capsys.readouterr().out
