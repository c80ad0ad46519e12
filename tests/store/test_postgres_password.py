"""A headquarters role with a password: libpq finds it in the file PGPASSFILE names, or cvdesk asks for it (never on
the command line, never written by us), and a refused or abandoned prompt is said in one French sentence."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from cvdesk.store.database import close_database, open_database, opened_database
from cvdesk.store.errors import StoreError
from cvdesk.store.postgres_prompt import keep_typed_password, set_password_prompt

pytestmark = pytest.mark.postgresql

ROLE, PASSWORD = "siege_mdp", "Chêne-vert 2026"


@pytest.fixture
def password_url(pg_server: Any, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The test's base reached as a role whose password the server demands (a scram-sha-256 rule for that role
    alone in the throwaway cluster's pg_hba.conf, removed after)."""
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(Path(pg_server.folder) / "aucun-pgpass"))
    admin = pg_server.connect()
    admin.execute(f"DROP ROLE IF EXISTS {ROLE}")
    admin.execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'")
    database = urlsplit(pg_url).path.lstrip("/")
    admin.execute(f'GRANT ALL ON DATABASE "{database}" TO {ROLE}')
    admin.execute(f'ALTER DATABASE "{database}" OWNER TO {ROLE}')
    hba = Path(admin.execute("SHOW hba_file").fetchone()[0])
    original = hba.read_text()
    hba.write_text(f"local all {ROLE} scram-sha-256\n" + original)
    admin.execute("SELECT pg_reload_conf()")
    parts = urlsplit(pg_url)
    yield urlunsplit((parts.scheme, f"{ROLE}@", parts.path, parts.query, ""))
    close_database()
    set_password_prompt(None)
    hba.write_text(original)
    admin.execute("SELECT pg_reload_conf()")
    admin.execute(f'ALTER DATABASE "{database}" OWNER TO cvdesk')
    admin.execute(f"REVOKE ALL ON DATABASE \"{database}\" FROM {ROLE}")
    admin.close()


def test_the_password_typed_at_the_prompt_opens_the_base_and_is_asked_once(password_url: str) -> None:
    asked: list[str] = []
    set_password_prompt(lambda message: asked.append(message) or PASSWORD)
    keep_typed_password(password_url, None)
    with opened_database(password_url) as db:
        assert db.execute_sql("SELECT current_user").fetchone()[0] == ROLE
    with opened_database(password_url):  # reopened in the same run: not asked again
        pass
    assert asked == [f"Mot de passe de la base PostgreSQL {password_url} :"]
    keep_typed_password(password_url, None)


def test_a_wrong_password_is_asked_again_then_refused_after_three_tries(password_url: str) -> None:
    answers = ["faux-1", "faux-2", "faux-3"]
    set_password_prompt(lambda message: answers.pop(0))
    with pytest.raises(StoreError, match="le mot de passe saisi a été refusé 3 fois"):
        open_database(password_url)
    assert answers == []


def test_a_prompt_left_empty_gives_up_in_one_sentence(password_url: str) -> None:
    set_password_prompt(lambda message: None)
    with pytest.raises(StoreError, match=r"^Connexion à la base PostgreSQL .* abandonnée : aucun mot de passe"):
        open_database(password_url)


def test_without_a_prompt_the_server_s_demand_is_said_in_french(password_url: str) -> None:
    set_password_prompt(None)
    with pytest.raises(StoreError, match=r"^Impossible de se connecter à la base PostgreSQL .*password"):
        open_database(password_url)


def test_a_pgpass_file_gives_the_password_without_any_prompt(password_url: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              pg_server: Any) -> None:
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:*:{ROLE}:{PASSWORD}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))

    def never(message: str) -> None:
        raise AssertionError("le mot de passe ne devait pas être demandé")

    set_password_prompt(never)
    with opened_database(password_url) as db:
        assert db.execute_sql("SELECT current_user").fetchone()[0] == ROLE
