"""The command line as a user runs it: real processes, French messages, exit codes, files on disk."""
from __future__ import annotations

import csv
import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services.test_demo import ORIENTATIONS


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cvdesk", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 avec BOM pour Excel"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "x.db"
    result = run("demo", "--db", str(path))
    assert result.returncode == 0, result.stderr
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_demo_database_is_sound(demo_file: Path) -> None:
    conn = sqlite3.connect(demo_file)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    conn.close()
    check = run("check", "--db", str(demo_file))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "La base est cohérente." in check.stdout


def test_table_quartiers(demo_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "quartiers.csv"
    result = run("table", "quartiers", "--db", str(demo_file), "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = read_csv(out)
    assert len(rows) == 14
    assert sum(int(r["Population"]) for r in rows) == 36_000
    communes = {c.strip() for r in rows for c in r["Communes"].split(",")}
    assert len(communes) == 12


def test_table_orientations_word_for_word(demo_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "orientations.csv"
    assert run("table", "orientations", "--db", str(demo_file), "--out", str(out)).returncode == 0
    assert [r["Intitulé"] for r in read_csv(out)] == ORIENTATIONS


def test_table_envelopes_shows_the_state_envelope(demo_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "enveloppes.csv"
    assert run("table", "envelopes", "--db", str(demo_file), "--out", str(out)).returncode == 0
    etat = [r for r in read_csv(out) if r["Financeur"].startswith("État") and r["Année"] == "2015"]
    # A plain number with a decimal comma: French spreadsheets read it as 1 700 000,00.
    assert [r["Montant"] for r in etat] == ["1700000,00"]


def test_every_list_exports(demo_file: Path, tmp_path: Path) -> None:
    for name in ("actions", "associations", "fundings", "communes"):
        out = tmp_path / f"{name}.csv"
        result = run("table", name, "--db", str(demo_file), "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert len(read_csv(out)) > 0


def test_demo_refuses_a_database_with_data(demo_file: Path) -> None:
    before = digest(demo_file)
    result = run("demo", "--db", str(demo_file))
    assert result.returncode == 2
    assert "contient déjà des données" in result.stderr
    assert "Traceback" not in result.stderr
    assert digest(demo_file) == before


@pytest.mark.parametrize(
    "args, words",
    [
        (("table", "inconnue", "--out", "x.csv"), "choix invalide"),
        (("table", "quartiers"), "--out"),
        (("report", "quartier", "--year", "deux-mille"), "n'est pas une année"),
        (("frobnicate",), "choix invalide"),
        (("table", "quartiers", "--out", "x.ods"), ".xlsx ou .csv"),
        (("report", "quartier", "--out", "x.pdf"), "argument --id"),
    ],
)
def test_bad_arguments_get_one_french_sentence_and_exit_2(demo_file: Path, tmp_path: Path, args, words) -> None:
    args = tuple(a if a not in ("x.csv", "x.ods", "x.pdf") else str(tmp_path / a) for a in args)
    result = run(*args, "--db", str(demo_file)) if args[0] != "frobnicate" else run(*args)
    assert result.returncode == 2, result
    assert words in result.stderr
    assert "Traceback" not in result.stderr and "usage" not in result.stderr.lower()
    assert len(result.stderr.strip().splitlines()) == 1
    assert not any(tmp_path.iterdir())


def test_a_missing_database_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "absente.db"
    result = run("check", "--db", str(missing))
    assert result.returncode == 2 and str(missing) in result.stderr
    assert not missing.exists()


def test_a_foreign_file_is_refused_untouched(tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    other.write_text("pas une base", encoding="utf-8")
    before = digest(other)
    result = run("check", "--db", str(other))
    assert result.returncode == 2 and "n'est pas une base de données cvdesk" in result.stderr
    assert digest(other) == before


def test_backup_writes_a_checked_copy(demo_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "copie.db"
    result = run("backup", "--db", str(demo_file), "--out", str(out))
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(out)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute('SELECT count(*) FROM "action"').fetchone()[0] == 40
    conn.close()


def test_the_global_db_option_is_honoured_before_the_subcommand(demo_file: Path) -> None:
    result = run("--db", str(demo_file), "check")
    assert result.returncode == 0 and "La base est cohérente." in result.stdout


def test_backup_works_while_another_cvdesk_has_the_base_open(demo_file: Path, tmp_path: Path) -> None:
    from cvdesk.store.database import close_database, open_database

    open_database(demo_file)
    try:
        out = tmp_path / "pendant.db"
        result = run("backup", "--db", str(demo_file), "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert out.exists()
    finally:
        close_database()
