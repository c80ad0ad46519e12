"""A damaged .xls from a partner is refused in French, never the end of the program.

Two single bytes of a real département's file, found by flipping bytes at random: one makes calamine's OLE2 reader ask
for 1.7 TB and abort the process (every calamine release from 0.5 to 0.9), the other makes it panic, which Python's
`except Exception` does not catch. Before the reader tried the bytes in a child process, the first test ended the
whole test run (« Fatal Python error: Aborted »)."""
from __future__ import annotations

from pathlib import Path

import pytest

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.sheet_reader import read_sheet

XLS = Path(__file__).resolve().parents[1] / "fixtures" / "partners" / "deux_sevres.xls"


def _damaged(tmp_path: Path, position: int, value: int) -> Path:
    data = bytearray(XLS.read_bytes())
    data[position] = value
    path = tmp_path / "subventions.xls"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(("position", "value", "harm"), [(2733, 214, "abort"), (2364, 252, "panic"),
                                                         (2340, 238, "panic")])
def test_a_damaged_xls_that_stops_calamine_is_refused_in_one_french_sentence(tmp_path: Path, position: int,
                                                                             value: int, harm: str) -> None:
    path = _damaged(tmp_path, position, value)
    with pytest.raises(ExchangeError) as refused:
        read_sheet(path)
    assert str(refused.value) == (f"Le fichier {path} n'est pas un classeur Excel 97-2003 (.xls) lisible : il est "
                                  "endommagé (sa lecture arrête le lecteur de classeurs).")


def test_the_same_file_undamaged_still_reads_its_rows(tmp_path: Path) -> None:
    sheet = read_sheet(_damaged(tmp_path, 0, XLS.read_bytes()[0]))
    assert len(sheet.rows) > 50
    assert sheet.header[0]
