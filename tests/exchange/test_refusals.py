"""A package that is not right is refused whole: exit code 2, one French sentence, the database byte-identical."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.merge import import_package
from cvdesk.store.database import close_database, open_database
from cvdesk.store.migrations import latest_version
from tests.exchange import forging
from tests.exchange.helpers import fingerprint, run_cli, settle


def not_a_zip(good: Path, tmp: Path) -> Path:
    path = tmp / "paquet.zip"
    path.write_text("Bonjour, voici le paquet.", encoding="utf-8")
    return path


def no_manifest(good: Path, tmp: Path) -> Path:
    members = forging.members(good)
    del members["manifest.json"]
    return forging.write(tmp / "paquet.zip", members)


def bad_manifest(good: Path, tmp: Path) -> Path:
    return forging.write(tmp / "paquet.zip", {**forging.members(good), "manifest.json": b'{"format": "cvdesk-echange",'})


def bad_checksum(good: Path, tmp: Path) -> Path:
    members = forging.members(good)
    members["action.jsonl"] = members["action.jsonl"].replace(b'"year":2015', b'"year":2016', 1)
    return forging.write(tmp / "paquet.zip", members)


def newer_schema(good: Path, tmp: Path) -> Path:
    members = forging.with_manifest(forging.members(good), lambda m: m.update(schema_version=latest_version() + 1))
    return forging.write(tmp / "paquet.zip", members)


def unknown_format_version(good: Path, tmp: Path) -> Path:
    return forging.write(tmp / "paquet.zip", forging.with_manifest(forging.members(good), lambda m: m.update(format_version=7)))


def dangling_reference(good: Path, tmp: Path) -> Path:
    members = forging.members(good)
    lines = members["funding.jsonl"].decode().splitlines()
    row = json.loads(lines[0])
    row["action"] = str(uuid.uuid4())
    data = ("\n".join([json.dumps(row, ensure_ascii=False), *lines[1:]]) + "\n").encode()
    return forging.write(tmp / "paquet.zip", forging.resealed(members, "funding.jsonl", data))


def wrong_field(good: Path, tmp: Path) -> Path:
    members = forging.members(good)
    lines = members["action.jsonl"].decode().splitlines()
    row = json.loads(lines[2])
    row["total_cost"] = "beaucoup"
    data = ("\n".join([*lines[:2], json.dumps(row, ensure_ascii=False), *lines[3:]]) + "\n").encode()
    return forging.write(tmp / "paquet.zip", forging.resealed(members, "action.jsonl", data))


def zip_bomb(good: Path, tmp: Path) -> Path:
    members = forging.members(good)
    members["history.jsonl"] = b"\0" * (30 * 1024 * 1024)
    return forging.write(tmp / "paquet.zip", members)


REFUSALS = [
    (not_a_zip, "n'est pas un paquet d'échange cvdesk"),
    (no_manifest, "n'a pas de fichier manifest.json"),
    (bad_manifest, "manifest.json est illisible ou mal formé"),
    (bad_checksum, "la somme de contrôle du fichier action.jsonl ne correspond pas"),
    (newer_schema, "version plus récente de cvdesk"),
    (unknown_format_version, "format d'échange version 7"),
    (dangling_reference, ("fichier funding.jsonl, ligne 1, enregistrement ",
                          ", champ « action » : il renvoie à un enregistrement")),
    (wrong_field, ("fichier action.jsonl, ligne 3, enregistrement ",
                   ", champ « total_cost » : un nombre entier est attendu")),
    (zip_bomb, "bombe de décompression"),
]


@pytest.mark.parametrize("make, words", REFUSALS, ids=[make.__name__ for make, _ in REFUSALS])
def test_a_bad_package_is_refused_and_the_database_is_untouched(make, words, good_package: Path, demo_template: Path,
                                                               tmp_path: Path, capsys) -> None:
    package = make(good_package, tmp_path)
    db = tmp_path / "siege.db"
    db.write_bytes(demo_template.read_bytes())
    before = fingerprint(db)
    code, out, err = run_cli(capsys, "import", "--db", str(db), str(package))
    assert code == 2, out + err
    for part in (words,) if isinstance(words, str) else words:
        assert part in err
    assert str(package) in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert out == ""
    assert fingerprint(db) == before


def test_a_refused_package_leaves_no_new_database_behind(good_package: Path, tmp_path: Path, capsys) -> None:
    package = not_a_zip(good_package, tmp_path)
    code, _, err = run_cli(capsys, "import", "--db", str(tmp_path / "neuve.db"), str(package))
    assert code == 2 and "n'est pas un paquet" in err
    assert not (tmp_path / "neuve.db").exists()


@pytest.fixture
def settled_db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("hasard") / "b.db"
    db.write_bytes(demo_template.read_bytes())
    open_database(db)
    settle(db)
    open_database(db)
    yield db
    close_database()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000))
def test_random_bytes_are_refused_without_crash_orwrite(data: bytes, settled_db: Path, tmp_path_factory) -> None:
    package = tmp_path_factory.mktemp("p") / "hasard.zip"
    package.write_bytes(data)
    before = fingerprint(settled_db)
    with pytest.raises(ExchangeError):
        import_package(package)
    assert fingerprint(settled_db) == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.floats(min_value=0, max_value=1), value=st.integers(0, 255))
def test_a_damaged_package_is_refused_or_harmless(position: float, value: int, good_package: Path, settled_db: Path,
                                                  tmp_path_factory) -> None:
    data = bytearray(good_package.read_bytes())
    index = min(int(position * len(data)), len(data) - 1)
    data[index] = value
    package = tmp_path_factory.mktemp("p") / "abime.zip"
    package.write_bytes(bytes(data))
    try:
        summary = import_package(package, dry_run=True)
    except ExchangeError:
        return
    assert summary.dry_run


def test_random_lines_inside_a_sealed_package_are_refused(good_package: Path, settled_db: Path, tmp_path: Path) -> None:
    members = forging.members(good_package)
    for junk in (b"[1,2]\n", b"{}\n", b"nul\n", b'{"uuid": 3}\n', b"\xff\xfe\n"):
        package = forging.write(tmp_path / "p.zip", forging.resealed(members, "commune.jsonl", junk))
        with pytest.raises(ExchangeError, match="commune.jsonl"):
            import_package(package)
