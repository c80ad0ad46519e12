"""`python -m cvdesk report …`: the sheets from the command line, and French refusals that write nothing."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .pdfcheck import all_text, assert_sound_pdf

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cvdesk", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def demo_file(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    return path


@pytest.mark.parametrize("args, expected", [
    (("quartier", "--id", "QP059001"), "QP059001 – Chasse Royale"),
    (("action", "--id", "2015-VM-001"), "Plan de financement"),
    (("programme", "--year", "2015", "--orientation", "3"), "Programmation 2015 · orientation 3"),
    (("meeting", "--id", "12/03/2015"), "Comité technique du 12/03/2015"),
])
def test_each_sheet_is_written_from_the_command_line(demo_file: Path, tmp_path: Path, args, expected) -> None:
    out = tmp_path / "fiche.pdf"
    result = run("report", *args, "--db", str(demo_file), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    assert expected in all_text(out)
    assert_sound_pdf(out)


def test_an_association_is_found_by_its_siret(demo_file: Path, tmp_path: Path) -> None:
    import sqlite3

    siret, name = sqlite3.connect(demo_file).execute(
        "SELECT siret, name FROM association WHERE siret != '' ORDER BY id LIMIT 1").fetchone()
    out = tmp_path / "asso.pdf"
    result = run("report", "association", "--id", siret, "--db", str(demo_file), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert name in all_text(out) and siret in all_text(out)


@pytest.mark.parametrize("args, words", [
    (("quartier", "--id", "QP999999"), "Aucun quartier n'a le code"),
    (("action", "--id", "2099-XX-001"), "Aucune action n'a la référence"),
    (("association", "--id", "12345678901234"), "Aucune association"),
    (("meeting", "--id", "01/01/2001"), "Aucune réunion"),
    (("quartier",), "argument --id"),
    (("brochure", "--id", "x"), "n'existe pas"),
    (("programme", "--year", "2015", "--orientation", "9"), "L'orientation n° 9 n'existe pas"),
    (("programme", "--year", "2015", "--funder", "Banque"), "Le financeur « Banque » n'existe pas"),
    (("quartier", "--id", "QP059001", "--funder", "État"), "ne s'applique qu'au programme"),
    (("programme", "--year", "deux-mille"), "n'est pas une année"),
])
def test_bad_input_gets_one_french_sentence_exit_2_and_no_file(demo_file: Path, tmp_path: Path, args,
                                                               words) -> None:
    folder = tmp_path / "sorties"
    folder.mkdir()
    result = run("report", *args, "--db", str(demo_file), "--out", str(folder / "fiche.pdf"))
    assert result.returncode == 2
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert list(folder.iterdir()) == []


def test_a_missing_output_folder_or_a_wrong_suffix_is_refused(demo_file: Path, tmp_path: Path) -> None:
    missing = tmp_path / "absent" / "fiche.pdf"
    result = run("report", "quartier", "--id", "QP059001", "--db", str(demo_file), "--out", str(missing))
    assert result.returncode == 2 and "n'existe pas (argument --out)" in result.stderr
    assert not missing.parent.exists()
    result = run("report", "quartier", "--id", "QP059001", "--db", str(demo_file), "--out", str(tmp_path / "f.txt"))
    assert result.returncode == 2 and ".pdf" in result.stderr
    assert not (tmp_path / "f.txt").exists()
