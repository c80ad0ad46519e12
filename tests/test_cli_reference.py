"""A coordinator looks up the official reference from the command line: `cvdesk reference epci|commune TEXTE`.

Expected codes and counts were copied by hand from the package JSON (@etalab/decoupage-administratif 6.0.0).
"""
from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvdesk.cli import EXIT_OK, EXIT_USAGE, main
from tests.territory.test_reference_lookup import GRAND_BESANCON_MEMBERS, VALENCIENNES_METROPOLE_MEMBER_COUNT


def reference(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["reference", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_commune_by_name_shows_its_insee_code_siren_postcode_and_epci(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = reference(capsys, "commune", "valenciennes")
    assert code == EXIT_OK, err
    lines = out.splitlines()
    assert lines[0].startswith("2 communes pour « valenciennes »") and "6.0.0" in lines[0]
    assert lines[1].startswith("59606 · Valenciennes (59) · CP 59300 · SIREN 215906066 · ")
    assert lines[1].endswith("EPCI 245901160 CA Valenciennes Métropole")
    assert lines[2].startswith("59032 · Aulnoy-lez-Valenciennes (59)")


def test_words_typed_without_quotes_or_accents_find_the_commune(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = reference(capsys, "commune", "saint", "etienne")
    assert code == EXIT_OK
    assert out.splitlines()[1].startswith("42218 · Saint-Étienne (42)")
    assert "les plus peuplées" in out.splitlines()[0]  # 20 shown, more exist


def test_an_epci_by_its_old_name_lists_its_member_communes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = reference(capsys, "epci", "CA du Grand Besançon Métropole")
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[1].startswith("242500361 · CU Grand Besançon Métropole · communauté urbaine · 67 communes")
    assert lines[2] == "Communes membres :"
    assert [line.split(" · ")[0].strip() for line in lines[3:]] == GRAND_BESANCON_MEMBERS


def test_an_epci_by_siren_or_by_a_member_commune(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = reference(capsys, "epci", "245 901 160")
    assert code == EXIT_OK
    assert "CA Valenciennes Métropole · communauté d'agglomération" in out
    assert sum(line.startswith("  ") for line in out.splitlines()) == VALENCIENNES_METROPOLE_MEMBER_COUNT
    code, out, _ = reference(capsys, "epci", "59606")
    assert code == EXIT_OK and out.splitlines()[1].startswith("245901160 · CA Valenciennes Métropole")


def test_a_postcode_lists_the_communes_it_serves(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = reference(capsys, "commune", "75116")
    assert code == EXIT_OK
    assert out.splitlines()[1].startswith("75056 · Paris (75) · CP 75001 … 75116 (21 codes)")


@pytest.mark.parametrize(("args", "sentence"), [
    (("commune", "Xyzzyville"), "Aucune commune du référentiel (@etalab/decoupage-administratif 6.0.0) ne correspond "
                                "à « Xyzzyville »"),
    (("epci", "CA de Nulle Part"), "Aucun EPCI du référentiel (@etalab/decoupage-administratif 6.0.0) ne correspond "
                                   "à « CA de Nulle Part »"),
    (("epci", "999999999"), "Aucun EPCI du référentiel"),
    (("commune", " - "), "Indiquez un nom, un code INSEE, un code postal ou un SIREN à chercher (argument TEXTE)."),
])
def test_nothing_found_is_one_french_sentence_and_exit_code_2(
        capsys: pytest.CaptureFixture[str], args: tuple[str, ...], sentence: str) -> None:
    code, out, err = reference(capsys, *args)
    assert code == EXIT_USAGE
    assert out == ""
    assert sentence in err and err.count("\n") == 1


def test_a_wrong_kind_is_refused_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["reference", "ville", "Valenciennes"])
    assert stop.value.code == EXIT_USAGE
    assert "choix invalide « ville »" in capsys.readouterr().err


def test_the_real_command_needs_no_database(tmp_path: Path) -> None:
    absent = tmp_path / "aucune" / "base.db"
    result = subprocess.run([sys.executable, "-m", "cvdesk", "reference", "commune", "59606"], capture_output=True,
                            text=True, timeout=120, env={**os.environ, "CVDESK_DB": str(absent)})
    assert result.returncode == 0, result.stderr
    assert "59606 · Valenciennes (59)" in result.stdout
    assert not absent.parent.exists()


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(["epci", "commune"]),
       text=st.one_of(st.text(max_size=40), st.sampled_from(["\udcff", "9" * 40, "-1", "2A", "' OR 1=1 --", "%s"])))
def test_whatever_is_typed_the_answer_is_matches_or_one_french_sentence(kind: str, text: str) -> None:
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = main(["reference", kind, text])
        except SystemExit as stop:  # argparse refuses by exiting
            code = stop.code
    assert code in (EXIT_OK, EXIT_USAGE)
    assert "Défaut de cvdesk" not in err.getvalue() and "Traceback" not in err.getvalue()
    if code == EXIT_OK:
        assert out.getvalue() and err.getvalue() == ""
    else:
        assert err.getvalue().count("\n") == 1
