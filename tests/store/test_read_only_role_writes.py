"""A consultation role at headquarters (SELECT only) reads everything and writes nothing: every command that would
write (a spreadsheet or package import, the demo, a new contract) is refused in one French sentence before anything
is read or written, instead of « 40 mis à jour » for an import that wrote nothing; reading commands still work."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from cvdesk.cli import EXIT_OK, EXIT_USAGE, main

pytestmark = pytest.mark.postgresql

BESANCON_EPCI = "242500361"


def _dbname(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _as_role(url: str, role: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, f"{role}@{parts.hostname or ''}", parts.path, parts.query, ""))


@pytest.fixture
def reader(pg_server: Any) -> Iterator[Callable[[str], str]]:
    """reader(url): the URL of a role that may read every table of that base and write none (roles are the
    cluster's: one per base, dropped after the test)."""
    made: list[tuple[str, str]] = []

    def make(url: str) -> str:
        role = f"lecteur_{_dbname(url)}"
        conn = pg_server.connect(_dbname(url))
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        conn.close()
        made.append((url, role))
        return _as_role(url, role)

    yield make
    for url, role in made:
        conn = pg_server.connect(_dbname(url))
        conn.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
        conn.execute(f"DROP ROLE {role}")
        conn.close()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _written(pg_server: Any, url: str) -> tuple:
    """What any write leaves: history rows, records of each kind, settings (read by psycopg, not by cvdesk)."""
    conn = pg_server.connect(_dbname(url))
    try:
        return tuple(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                     for table in ("history", "action", "association", "funding", "contract", "setting"))
    finally:
        conn.close()


def _refusal(what: str, url: str) -> str:
    return (f"{what} est impossible : votre rôle sur la base PostgreSQL {url} permet de la lire mais pas de la "
            "modifier ; rien n'a été écrit.")


def test_a_consultation_role_importing_its_own_export_is_refused_instead_of_told_40_updated(
        pg_server: Any, pg_demo_url: str, reader: Callable[[str], str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = reader(pg_demo_url)
    sheet = tmp_path / "actions.xlsx"
    code, out, err = _run(capsys, "--db", url, "table", "--out", str(sheet), "actions")
    assert code == EXIT_OK, err
    before = _written(pg_server, pg_demo_url)
    code, out, err = _run(capsys, "--db", url, "import", "--kind", "actions", str(sheet))
    assert code == EXIT_USAGE
    assert out == ""
    assert err.splitlines()[-1] == _refusal(f"L'import du tableur {sheet}", url)
    assert "mis à jour" not in err
    assert _written(pg_server, pg_demo_url) == before
    # Reading it is still allowed: the simulation says what would change, and writes nothing either.
    code, out, err = _run(capsys, "--db", url, "import", "--dry-run", "--kind", "actions", str(sheet))
    assert code == EXIT_OK, err
    assert "rien n'a été écrit" in out


def test_every_writing_command_is_refused_in_one_sentence_and_reading_ones_work(
        pg_server: Any, pg_demo_url: str, pg_url: str, reader: Callable[[str], str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from cvdesk.store.database import opened_database

    with opened_database(pg_url):  # a cvdesk base with its schema and no data yet, where demo and contract write
        pass
    empty, demo = reader(pg_url), reader(pg_demo_url)
    before = _written(pg_server, pg_url), _written(pg_server, pg_demo_url)

    code, _, err = _run(capsys, "--db", empty, "demo")
    assert (code, err.splitlines()[-1]) == (EXIT_USAGE, _refusal("La création de la démonstration", empty))
    code, _, err = _run(capsys, "contract", "new", "--db", empty, "--epci", BESANCON_EPCI, "--years", "2024-2030")
    assert (code, err.splitlines()[-1]) == (EXIT_USAGE, _refusal("La création du contrat", empty))

    package = tmp_path / "siege.zip"
    code, out, err = _run(capsys, "--db", demo, "export", "--office", "Siège", "--out", str(package))
    assert code == EXIT_OK, err  # an export only reads; the office's name is not kept (it cannot be)
    code, _, err = _run(capsys, "--db", demo, "import", str(package))
    assert (code, err.splitlines()[-1]) == (EXIT_USAGE, _refusal(f"L'import du paquet {package}", demo))
    code, out, err = _run(capsys, "--db", demo, "import", "--dry-run", str(package))
    assert code == EXIT_OK, err

    code, out, err = _run(capsys, "--db", demo, "check")
    assert code == EXIT_OK, err
    assert (_written(pg_server, pg_url), _written(pg_server, pg_demo_url)) == before
    for line in err.splitlines():
        assert "Traceback" not in line and "Défaut" not in line


def test_the_windows_import_path_is_refused_too_before_the_package_is_read(
        pg_server: Any, pg_demo_url: str, reader: Callable[[str], str], tmp_path: Path) -> None:
    """The window runs apply_sheet and import_package in its Operations: they refuse by themselves."""
    from cvdesk.exchange.export_package import export_package
    from cvdesk.exchange.merge import import_package
    from cvdesk.exchange.sheet_import import apply_sheet, preview_sheet
    from cvdesk.store.database import opened_database
    from cvdesk.exchange.errors import ExchangeError

    url = reader(pg_demo_url)
    sheet = tmp_path / "associations.csv"
    conn = pg_server.connect(_dbname(pg_demo_url))
    (name,), = conn.execute("SELECT name FROM association WHERE deleted = 0 ORDER BY id LIMIT 1").fetchall()
    conn.close()
    sheet.write_text(f"Nom;Notes\n{name};Vue au siège\n", encoding="utf-8")
    before = _written(pg_server, pg_demo_url)
    with opened_database(url):
        preview = preview_sheet(sheet, "associations")  # reading and checking stay allowed
        assert preview.ok and preview.updated == 1
        with pytest.raises(ExchangeError) as refused:
            apply_sheet(preview)
        assert str(refused.value) == _refusal(f"L'import du tableur {sheet}", url)
        export_package(tmp_path / "siege.zip", "Siège")
        with pytest.raises(ExchangeError, match="^L'import du paquet .* rien n'a été écrit.$"):
            import_package(tmp_path / "siege.zip")
    assert _written(pg_server, pg_demo_url) == before
