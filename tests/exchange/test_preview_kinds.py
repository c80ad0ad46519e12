"""An SCDL import's preview and result say how many funders, associations and actions it creates, not one total."""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

from openpyxl import load_workbook

from cvdesk.cli import main

PARTNERS = Path(__file__).resolve().parent.parent / "fixtures" / "partners"


def _by_openpyxl(path: Path) -> tuple[int, int, int]:
    """Attribuants, beneficiaries (by SIRET, else name) and grants of the file, counted with another reader."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the département's workbook has no default style
        sheet = load_workbook(path, read_only=True).worksheets[0]
        rows = [row for row in sheet.iter_rows(values_only=True) if any(v not in (None, "") for v in row)]
    header, grants = list(rows[0]), rows[1:]
    column = header.index
    funders = {row[column("idAttribuant")] or row[column("nomAttribuant")] for row in grants}
    beneficiaries = {str(row[column("idBeneficiaire")] or row[column("nomBeneficiaire")]) for row in grants}
    return len(funders), len(beneficiaries), len(grants)


def test_a_departements_file_says_what_kinds_of_records_it_creates(demo_template: Path, tmp_path: Path,
                                                                      capsys) -> None:
    base = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, base)
    source = PARTNERS / "charente_maritime.xlsx"
    funders, beneficiaries, grants = _by_openpyxl(source)
    assert (funders, beneficiaries, grants) == (1, 77, 101)  # as counted by hand once, too
    code = main(["import", "--db", str(base), str(source), "--kind", "scdl", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    total = funders + beneficiaries + grants
    assert (f"Prêt : {total} à créer (dont 1 financeur, {beneficiaries} associations et {grants} actions), "
            "0 à mettre à jour.") in out
    code = main(["import", "--db", str(base), str(source), "--kind", "scdl"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.strip().endswith(f"importé : {total} créé(s) (dont 1 financeur, {beneficiaries} associations et "
                                f"{grants} actions), 0 mis à jour.")
