"""Headquarters runs every command on its PostgreSQL base by URL (--db or CVDESK_DB): demo, check, table, report,
export, then import of that package into a second, empty base, whose actions list comes out identical."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cvdesk.cli import main

pytestmark = pytest.mark.postgresql


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_headquarters_runs_every_command_on_its_postgresql_base(pg_server: Any, pg_url: str, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = _run(capsys, "--db", pg_url, "demo")
    assert code == 0, err
    assert out.strip() == f"Contrat de démonstration créé dans {pg_url}."
    assert not list(tmp_path.iterdir())  # no file, lock or backup folder made anywhere for a URL

    code, out, err = _run(capsys, "--db", pg_url, "check")
    assert code == 0, err
    assert "La base est cohérente." in out

    monkeypatch.setenv("CVDESK_DB", pg_url)  # the same base named by the environment
    code, out, err = _run(capsys, "table", "--out", str(tmp_path / "actions.csv"), "actions")
    assert code == 0, err
    conn = pg_server.connect(pg_url.split("/")[3].split("?")[0])
    live = conn.execute('SELECT count(*) FROM "action" WHERE deleted = 0').fetchone()[0]
    conn.close()
    assert out.strip() == f"{live} ligne(s) écrite(s) dans {tmp_path / 'actions.csv'}."

    code, out, err = _run(capsys, "report", "--out", str(tmp_path / "programme.pdf"), "programme")
    assert code == 0, err
    assert (tmp_path / "programme.pdf").read_bytes().startswith(b"%PDF")

    code, out, err = _run(capsys, "export", "--out", str(tmp_path / "siege.zip"))
    assert code == 0, err
    monkeypatch.delenv("CVDESK_DB")

    name = pg_server.new_database_name("import")
    second = pg_server.create_database(name)
    try:
        code, out, err = _run(capsys, "--db", second, "import", str(tmp_path / "siege.zip"))
        assert code == 0, err
        code, out, err = _run(capsys, "--db", second, "table", "--out", str(tmp_path / "actions-2.csv"), "actions")
        assert code == 0, err
    finally:
        pg_server.drop_database(name)
    assert (tmp_path / "actions-2.csv").read_bytes() == (tmp_path / "actions.csv").read_bytes()
