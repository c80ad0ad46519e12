"""A command running on a PostgreSQL base whose session the server ends midway (an administrator, a restart): the
command line says it in one French sentence, the server's own words quoted « message du serveur : « … » » as the
window's box does, with exit code 1 and no traceback."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from cvdesk.store.database import opened_database

pytestmark = pytest.mark.postgresql

ROOT = Path(__file__).resolve().parents[2]


def test_a_command_whose_session_the_server_ends_says_so_in_french_quoting_the_server(
        pg_server: Any, pg_url: str, tmp_path: Path) -> None:
    with opened_database(pg_url):  # the base built, as a first opening does
        pass
    database = urlsplit(pg_url).path.lstrip("/")
    admin = pg_server.connect(database)
    # pg_stat_activity is read outside the locking transaction, which would see one snapshot of it only.
    watcher = pg_server.connect(database)
    try:
        # Another session holds the actions table: the command waits for it (up to its 5 s lock timeout) …
        admin.execute("BEGIN")
        admin.execute('LOCK TABLE "action" IN ACCESS EXCLUSIVE MODE')
        command = subprocess.Popen(
            [sys.executable, "-m", "cvdesk", "table", "actions", "--db", pg_url, "--out", str(tmp_path / "a.csv")],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        waiting: list[tuple] = []
        deadline = time.monotonic() + 60
        while not waiting and command.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            waiting = watcher.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
                                    "AND pid <> pg_backend_pid()", (database,)).fetchall()
        assert waiting, "la commande n'a pas attendu le verrou : " + (command.stderr.read() if command.stderr else "")
        # … and the administrator ends its session while it waits.
        watcher.execute("SELECT pg_terminate_backend(%s)", (waiting[0][0],))
        admin.execute("ROLLBACK")
        out, err = command.communicate(timeout=120)
    finally:
        admin.close()
        watcher.close()

    assert command.returncode == 1, out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err  # one sentence, no traceback
    sentence = lines[0]
    assert sentence.startswith("La connexion au serveur PostgreSQL a été interrompue (message du serveur : « ")
    assert "») : la commande s'est arrêtée et sa transaction en cours est annulée ; relancez-la quand le serveur " \
           "répond." in sentence
    # libpq's own words, between the quotes, as the driver gave them (its English: « server closed the connection
    # unexpectedly », or the server's « terminating connection … » when libpq read it before the socket closed).
    quoted = sentence.split("« ", 1)[1].split(" »", 1)[0]
    assert "terminat" in quoted or "server closed the connection" in quoted, quoted
    assert "Traceback" not in err and "Erreur inattendue" not in err
    assert not (tmp_path / "a.csv").exists()
