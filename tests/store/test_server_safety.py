"""Safety on a server: `cvdesk check` runs PostgreSQL's own checks and the consistency rules on a server base, and
`cvdesk backup` writes a verified pg_dump (or, without the tool, a verified exchange package) that gives the same
figures back. Expected figures come from plain SQL through psycopg."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cvdesk", *args], capture_output=True, text=True, timeout=300,
                          env=env)


def database_of(url: str) -> str:
    return url.split("@/", 1)[1].split("?", 1)[0]


def server_rows(pg_server: Any, database: str, sql: str) -> list[tuple[Any, ...]]:
    with pg_server.connect(database) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]


COUNTED = ("contract", "association", "action", "funding", "action_quartier", "meeting_item", "history")


def counts(pg_server: Any, database: str) -> dict[str, int]:
    return {t: server_rows(pg_server, database, f'SELECT count(*) FROM "{t}"')[0][0] for t in COUNTED}


def test_check_on_a_sound_server_base_says_so_and_what_the_server_checked(pg_demo_url: str, pg_server: Any) -> None:
    result = run("check", "--db", pg_demo_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "La base est cohérente." in result.stdout
    (indexes,) = server_rows(pg_server, database_of(pg_demo_url),
                             "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                             " JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace"
                             " WHERE am.amname = 'btree' AND n.nspname = 'public'")[0]
    assert f"Note : {indexes} index B-tree vérifiés par amcheck" in result.stdout
    # The test cluster is made without --data-checksums: the check says what it cannot see.
    assert "sommes de contrôle des pages ne sont pas activées" in result.stdout


def test_check_finds_a_plan_line_whose_action_is_gone_once_the_server_s_constraint_was_dropped(
        pg_demo_url: str, pg_server: Any) -> None:
    database = database_of(pg_demo_url)
    with pg_server.connect(database) as conn:
        (constraint,) = conn.execute("SELECT conname FROM pg_constraint WHERE conrelid = 'funding'::regclass"
                                     " AND confrelid = '\"action\"'::regclass").fetchone()
        conn.execute(f'ALTER TABLE funding DROP CONSTRAINT "{constraint}"')
        (line,) = conn.execute("UPDATE funding SET action_id = 987654 WHERE id = (SELECT min(id) FROM funding)"
                               " RETURNING id").fetchone()
    result = run("check", "--db", pg_demo_url)
    assert result.returncode == 1
    assert f"Erreur : la table funding (ligne {line}) renvoie à un enregistrement absent de action" in result.stdout


def test_check_finds_a_cached_total_that_its_plan_lines_contradict(pg_demo_url: str, pg_server: Any) -> None:
    with pg_server.connect(database_of(pg_demo_url)) as conn:
        reference, = conn.execute('UPDATE "action" SET granted_total = granted_total + 100 WHERE id = (SELECT min(id)'
                                  ' FROM "action" WHERE deleted = 0) RETURNING reference').fetchone()
    result = run("check", "--db", pg_demo_url)
    assert result.returncode == 1
    assert f"Erreur : action {reference} : total accordé enregistré" in result.stdout


def test_a_role_without_amcheck_rights_gets_the_consistency_check_and_a_note(pg_demo_url: str, pg_server: Any) -> None:
    database = database_of(pg_demo_url)
    with pg_server.connect(database) as conn:
        conn.execute("DROP ROLE IF EXISTS lecteur_verif")
        conn.execute("CREATE ROLE lecteur_verif LOGIN")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO lecteur_verif")
    url = pg_demo_url.replace("cvdesk@", "lecteur_verif@")
    result = run("check", "--db", url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "La base est cohérente." in result.stdout
    assert "Note : index non vérifiés" in result.stdout


def test_backup_with_pg_dump_restores_into_a_new_database_with_the_same_figures(pg_demo_url: str, pg_server: Any,
                                                                                 tmp_path: Path) -> None:
    out = tmp_path / "siege.dump"
    result = run("backup", "--db", pg_demo_url, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"écrite dans {out}" in result.stdout and "pg_dump" in result.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    restored = pg_server.new_database_name("restauree")
    url = pg_server.create_database(restored)
    done = subprocess.run(["pg_restore", "--no-owner", f"--dbname={url}", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert counts(pg_server, restored) == counts(pg_server, database_of(pg_demo_url))


def test_backup_without_pg_dump_writes_the_exchange_package_and_reads_it_back(pg_demo_url: str, pg_server: Any,
                                                                              tmp_path: Path) -> None:
    """A desk with the Python program alone (no postgresql-client): a package with every record."""
    nowhere = tmp_path / "sans-outils"
    nowhere.mkdir()
    folder = tmp_path / "sauvegardes"
    folder.mkdir()
    result = run("backup", "--db", pg_demo_url, "--out", str(folder), env={**os.environ, "PATH": str(nowhere)})
    assert result.returncode == 0, result.stderr
    assert "pg_dump n'est pas installé" in result.stdout
    (package,) = folder.iterdir()
    assert package.suffix == ".zip" and package.name.startswith(database_of(pg_demo_url) + "-")
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        lines = {name: sum(1 for line in archive.read(name).splitlines() if line.strip())
                 for name in manifest["files"]}
    expected = counts(pg_server, database_of(pg_demo_url))
    for table in ("association", "action", "funding", "history"):
        (file,) = [name for name in manifest["files"] if name.split(".")[0] == table]
        assert manifest["files"][file]["records"] == lines[file] == expected[table], table


def test_backup_with_no_out_goes_to_the_user_s_data_folder(pg_demo_url: str, tmp_path: Path) -> None:
    home = tmp_path / "donnees"
    result = run("backup", "--db", pg_demo_url, env={**os.environ, "XDG_DATA_HOME": str(home)})
    assert result.returncode == 0, result.stderr
    (written,) = (home / "cvdesk" / "sauvegardes").iterdir()
    assert str(written) in result.stdout
    assert written.suffix == ".dump"


def test_backup_of_a_file_still_needs_out(tmp_path: Path, demo_template: Path) -> None:
    result = run("backup", "--db", str(demo_template))
    assert result.returncode == 2
    assert "argument --out" in result.stderr



def test_check_names_a_search_trigger_someone_switched_off(pg_demo_url: str, pg_server: Any) -> None:
    """A trigger disabled by hand (a bulk load by a DBA) leaves the search index behind without a word: check says so."""
    with pg_server.connect(database_of(pg_demo_url)) as conn:
        (trigger,) = conn.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = '\"action\"'::regclass"
                                  " AND NOT tgisinternal ORDER BY tgname LIMIT 1").fetchone()
        conn.execute(f'ALTER TABLE "action" DISABLE TRIGGER "{trigger}"')
    result = run("check", "--db", pg_demo_url)
    assert result.returncode == 1
    assert f"le déclencheur {trigger} de la table action est désactivé" in result.stdout


def test_a_consultation_role_s_backup_falls_back_to_the_package_and_says_what_pg_dump_lacked(
        pg_demo_url: str, pg_server: Any, tmp_path: Path) -> None:
    """A role granted the tables only (as the README's consultation role) cannot read the id sequences pg_dump saves:
    the backup is still made, by the package, and the note says which GRANT pg_dump would need."""
    database = database_of(pg_demo_url)
    with pg_server.connect(database) as conn:
        conn.execute("DROP ROLE IF EXISTS consultation_sauvegarde")
        conn.execute("CREATE ROLE consultation_sauvegarde LOGIN")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO consultation_sauvegarde")
    folder = tmp_path / "sauvegardes"
    folder.mkdir()
    url = pg_demo_url.replace("cvdesk@", "consultation_sauvegarde@")
    result = run("backup", "--db", url, "--out", str(folder))
    assert result.returncode == 0, result.stderr
    assert "GRANT SELECT ON ALL SEQUENCES" in result.stdout
    (package,) = folder.iterdir()
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["files"]["action.jsonl"]["records"] == counts(pg_server, database)["action"]
