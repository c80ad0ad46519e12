"""Review of the exchange's reading: a package is JSON Lines, one record a line; lines that are not each a JSON value
are refused, naming the line, whichever parser reads the batch."""
from __future__ import annotations

from pathlib import Path

from tests.exchange import forging
from tests.exchange.helpers import fingerprint, run_cli


def test_a_record_cut_over_two_lines_is_refused_naming_its_first_line(good_package: Path, demo_template: Path,
                                                                      tmp_path: Path, capsys) -> None:
    """A broken office's file: the first action cut in two between two fields, and the next two actions on one line,
    so that the file still has as many lines as the manifest announces records (resealed). Joined by commas, the
    lines would make a valid array of as many records; read as JSON Lines, the first line is no JSON value."""
    files = forging.members(good_package)
    lines = files["action.jsonl"].split(b"\n")
    first, second, third = lines[:3]
    cut = first.index(b',"')  # after the first field's value
    forged = [first[:cut], first[cut + 1:], second + b"," + third, *lines[3:]]
    package = forging.write(tmp_path / "paquet.zip", forging.resealed(files, "action.jsonl", b"\n".join(forged)))
    db = tmp_path / "siege.db"
    db.write_bytes(demo_template.read_bytes())
    before = fingerprint(db)

    code, out, err = run_cli(capsys, "import", "--db", str(db), str(package))

    assert code == 2, out + err
    assert "fichier action.jsonl, ligne 1 : ce n'est pas un objet JSON valide" in err
    assert fingerprint(db) == before
