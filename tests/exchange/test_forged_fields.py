"""A package whose one field is wrong is refused whole, naming the file, the line, the record and the field."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from cvdesk.store.database import close_database, open_database
from tests.exchange.forging import edited, members, resealed, write
from tests.exchange.helpers import fingerprint, run_cli

DEEP = "[" * 100_000 + "]" * 100_000


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda record: record.__setitem__(key, value)


# (file, line (1-based), change, field named, words of the reason)
FORGERIES = [
    ("action.jsonl", 1, _set("updated_at", "2024-13-02T10:00:00.000000Z"), "updated_at", "heure UTC"),
    ("action.jsonl", 4, _set("created_at", "2023-02-30T10:00:00.000000Z"), "created_at", "n'existe pas au calendrier"),
    ("action.jsonl", 2, _set("start_date", "2024-13-01"), "start_date", "une date AAAA-MM-JJ"),
    ("action.jsonl", 2, _set("status", "pirate"), "status", "Le statut « pirate » n'existe pas"),
    ("action.jsonl", 5, _set("year", 1850), "year", "entre 2000 et 2100"),
    ("funding.jsonl", 1, _set("requested", -100), "requested", "ne peut pas être négatif"),
    ("funding.jsonl", 3, _set("granted", 10**18), "granted", "plus grand montant accepté"),
    ("action.jsonl", 3, _set("total_cost", 2**63), "total_cost", "64 bits"),
    ("association.jsonl", 1, _set("siret", "12345678901234"), "siret", "Le SIRET 12345678901234 est invalide"),
    ("association.jsonl", 2, _set("rna", "X123"), "rna", "numéro RNA"),
    ("association.jsonl", 2, _set("name", "Centre \ud800 social"), "name", "caractère invalide"),
    ("association.jsonl", 3, _set("name", "   "), "name", "est obligatoire"),
    ("quartier.jsonl", 1, _set("code", "QX59"), "code", "Le code de quartier « QX59 » est invalide"),
    ("quartier.jsonl", 2, _set("uuid", "pas-un-uuid"), "uuid", "un UUID est attendu"),
    ("quartier_indicator.jsonl", 2, _set("value", 20000), "value", "ne dépasse pas 100 %"),
    ("quartier_indicator.jsonl", 1, _set("kind", "bonheur"), "kind", "bonheur"),
    ("funder.jsonl", 1, _set("kind", "mecene"), "kind", "mecene"),
    ("meeting.jsonl", 1, _set("kind", "apero"), "kind", "apero"),
    ("orientation.jsonl", 1, _set("pillar", "loisirs"), "pillar", "loisirs"),
    ("history.jsonl", 1, _set("operation", "rewrite"), "operation", "rewrite"),
    ("history.jsonl", 2, _set("changes", DEEP), "changes", "imbrication JSON trop profonde"),
    ("history.jsonl", 3, _set("deleted", True), "deleted", "un historique ne se supprime pas"),
    ("funding.jsonl", 2, _set("notes", "x" * 20_001), "notes", "au plus"),
]


@pytest.mark.parametrize("name, line, change, field, words", FORGERIES,
                         ids=[f"{f[0]}-{f[3]}-{n}" for n, f in enumerate(FORGERIES)])
def test_one_bad_field_refuses_the_package_and_names_it(name: str, line: int, change, field: str, words: str,
                                                        good_package: Path, demo_template: Path, tmp_path: Path,
                                                        capsys) -> None:
    files = members(good_package)
    target: dict[str, Any] = {}

    def forge(records: list[dict[str, Any]]) -> None:
        target.update(records[line - 1])
        change(records[line - 1])

    package = write(tmp_path / "paquet.zip", edited(files, name, forge))
    db = tmp_path / "siege.db"
    db.write_bytes(demo_template.read_bytes())
    before = fingerprint(db)
    code, out, err = run_cli(capsys, "import", "--db", str(db), str(package))
    assert code == 2, out + err
    assert err.count("\n") == 1 and "Traceback" not in err and "Défaut de cvdesk" not in err
    assert f"Le paquet {package}, fichier {name}, ligne {line}" in err
    if field != "uuid":
        assert f"enregistrement {target['uuid']}" in err
    assert f"champ « {field} »" in err
    assert words in err
    assert out == ""
    assert fingerprint(db) == before  # the receiving database is byte-identical


@pytest.mark.parametrize("line_text, words", [
    ('{"uuid": ' + DEEP + "}", "imbrication JSON trop profonde"),
    ('{"uuid": 1' + "0" * 5000 + "}", "un nombre y est démesurément long"),
    ('{"uuid": "a", "uuid": NaN', "ce n'est pas un objet JSON valide"),
    ("+surrogate-key", "champ inconnu « \\ud800 »"),
], ids=["deep", "huge-number", "broken", "surrogate-key"])
def test_a_line_that_json_cannot_hold_is_refused_by_its_number(line_text: str, words: str, good_package: Path,
                                                                demo_template: Path, tmp_path: Path,
                                                                capsys) -> None:
    files = members(good_package)
    lines = files["commune.jsonl"].decode().splitlines()
    if line_text == "+surrogate-key":  # the real record, with one more field named by a lone surrogate
        line_text = json.dumps({**json.loads(lines[1]), "\ud800": 1})
    lines[1] = line_text
    package = write(tmp_path / "paquet.zip", resealed(files, "commune.jsonl", ("\n".join(lines) + "\n").encode()))
    db = tmp_path / "siege.db"
    db.write_bytes(demo_template.read_bytes())
    before = fingerprint(db)
    code, out, err = run_cli(capsys, "import", "--db", str(db), str(package))
    assert code == 2, out + err
    assert f"fichier commune.jsonl, ligne 2 : {words}" in err
    assert "Défaut de cvdesk" not in err and err.count("\n") == 1
    assert fingerprint(db) == before


def test_a_forged_manifest_date_is_refused(good_package: Path, demo_template: Path, tmp_path: Path, capsys) -> None:
    from tests.exchange.forging import with_manifest

    files = with_manifest(members(good_package), lambda m: m.update(exported_at="2026-02-30T10:00:00.000000Z"))
    package = write(tmp_path / "paquet.zip", files)
    db = tmp_path / "siege.db"
    db.write_bytes(demo_template.read_bytes())
    before = fingerprint(db)
    code, _, err = run_cli(capsys, "import", "--db", str(db), str(package))
    assert code == 2 and "exported_at" in err and "n'existe pas au calendrier" in err
    assert fingerprint(db) == before


def test_the_manifest_of_a_good_package_is_plain_json(good_package: Path) -> None:
    manifest = json.loads(members(good_package)["manifest.json"])
    assert manifest["office"] == "Bureau Nord"


def test_a_file_changed_without_its_checksum_is_called_changed(good_package: Path, tmp_path: Path,
                                                               demo_template: Path, capsys) -> None:
    """Its first odd line is not the story: the file is not the one the manifest describes."""
    files = members(good_package)
    files["action.jsonl"] = files["action.jsonl"].replace(b'"status":"', b'"status":"pirate', 1)
    package = write(tmp_path / "paquet.zip", files)
    db = tmp_path / "siege.db"
    db.write_bytes(demo_template.read_bytes())
    code, _, err = run_cli(capsys, "import", "--db", str(db), str(package))
    assert code == 2 and "la somme de contrôle du fichier action.jsonl ne correspond pas" in err


def test_more_records_than_the_manifest_announces_are_refused(good_package: Path, tmp_path: Path) -> None:
    from cvdesk.exchange.errors import ExchangeError
    from cvdesk.exchange.merge import import_package
    from tests.exchange.forging import with_manifest

    files = members(good_package)
    files = with_manifest(files, lambda m: m["files"]["commune.jsonl"].update(records=3))
    package = write(tmp_path / "paquet.zip", files)
    open_database(tmp_path / "vide.db")
    try:
        with pytest.raises(ExchangeError, match="commune.jsonl contient plus d'enregistrements que les 3 annoncés"):
            import_package(package)
    finally:
        close_database()
