"""What the command line says when the fault is ours, and when its reader goes away."""
from __future__ import annotations

import subprocess
import sys

import pytest

from cvdesk import cli


def test_a_defect_of_the_program_is_one_sentence_that_says_so(monkeypatch: pytest.MonkeyPatch, capsys,
                                                               tmp_path) -> None:
    def broken(_args: object) -> int:
        raise RuntimeError("boum")

    monkeypatch.setattr(cli, "cmd_check", broken)
    monkeypatch.delenv("CVDESK_DEBUG", raising=False)
    assert cli.main(["check", "--db", str(tmp_path / "x.db")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("Défaut de cvdesk (RuntimeError : boum) : la commande s'est arrêtée ; relancez-la avec "
                          "CVDESK_DEBUG=1")
    assert "inattendue" not in err and "Traceback" not in err


def test_a_reader_that_stops_early_gets_no_error_message() -> None:
    child = subprocess.Popen([sys.executable, "-m", "cvdesk", "reference", "commune", "saint"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # as « | head -0 » does: before the program writes its first line
    err = child.stderr.read().decode("utf-8")
    assert child.wait() == 0
    assert err == ""
