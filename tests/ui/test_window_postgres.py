"""The window on headquarters' PostgreSQL base: main.py --db postgresql://… opens it (no lock, no file checks), its
title and status bar name the base, a read-only role is told it can change nothing, and a server that refuses is
said in a box instead of a window."""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from cvdesk.store.database import database_path, opened_database
from cvdesk.ui.app import run_window

pytestmark = pytest.mark.postgresql


def _with_a_contract(url: str) -> None:
    from cvdesk.store.models import Action, Contract

    with opened_database(url):
        Contract.create(name="Contrat de ville de Niort", start_year=2024, end_year=2030)
        Action.create(reference="2025-001", title="Atelier santé", year=2025, total_cost=1_250_000)


def _run_and_look(url: str, qapp: QApplication) -> dict[str, Any]:
    """run_window on url; once shown, what it shows is read and every window closed (the loop then ends)."""
    seen: dict[str, Any] = {}

    def look() -> None:
        for widget in qapp.topLevelWidgets():
            if widget.isVisible() and hasattr(widget, "path_label"):
                seen["title"] = widget.windowTitle()
                seen["label"] = widget.path_label.text()
                seen["file"] = database_path()
                seen["file_backups"] = [widget.backups_action.isEnabled(), widget.save_copy_action.isEnabled()]
        qapp.closeAllWindows()

    before = set(qapp.topLevelWidgets())
    QTimer.singleShot(1500, look)
    seen["code"] = run_window(url)
    # The windows this run made go (their timers with them): the base is closed, a later test opens its own. Only
    # those: deleting the earlier tests' widgets, which their Python objects may still own, crashed the suite.
    for widget in qapp.topLevelWidgets():
        if widget not in before:
            widget.deleteLater()
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return seen


def test_a_coordinator_opens_the_headquarters_base_in_the_window(pg_url: str, qapp: QApplication) -> None:
    _with_a_contract(pg_url)
    seen = _run_and_look(pg_url, qapp)
    name = urlsplit(pg_url).path.lstrip("/")
    assert seen["code"] == 0
    assert seen["title"] == f"{name} (PostgreSQL) — cvdesk"
    assert seen["label"] == pg_url
    assert seen["file"] is None  # no file opened, none locked
    assert seen["file_backups"] == [False, False]  # no backup folder beside a URL: the server keeps the backups


def test_a_read_only_role_is_told_it_can_change_nothing(pg_server: Any, pg_url: str, qapp: QApplication,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _with_a_contract(pg_url)
    admin = pg_server.connect(urlsplit(pg_url).path.lstrip("/"))
    admin.execute("DROP ROLE IF EXISTS lecteur_fenetre")
    admin.execute("CREATE ROLE lecteur_fenetre LOGIN")
    admin.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO lecteur_fenetre")
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a, **k: told.append(text))
    parts = urlsplit(pg_url)
    reader = urlunsplit((parts.scheme, "lecteur_fenetre@", parts.path, parts.query, ""))
    try:
        seen = _run_and_look(reader, qapp)
    finally:
        admin.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM lecteur_fenetre")
        admin.execute("DROP ROLE lecteur_fenetre")
        admin.close()
    assert seen["title"].endswith("(lecture seule)")
    assert seen["label"] == f"Lecture seule : {reader}"
    assert told == [f"Votre rôle sur la base PostgreSQL {reader} permet de la lire mais pas de la modifier : elle est "
                    "ouverte en consultation, aucune modification ne pourra être enregistrée."]


def test_a_server_that_refuses_is_said_in_a_box_and_no_window_opens(tmp_path, qapp: QApplication,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    boxes: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a, **k: boxes.append(text))
    url = f"postgresql://cvdesk@/absente?host={tmp_path}"
    assert run_window(url) == 2
    assert len(boxes) == 1 and boxes[0].startswith(f"Impossible de se connecter à la base PostgreSQL {url} (")


def test_the_window_asks_for_the_password_the_server_wants_in_a_masked_box(pg_server: Any, pg_url: str,
                                                                           qapp: QApplication, tmp_path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from cvdesk.store.postgres_prompt import keep_typed_password, set_password_prompt

    _with_a_contract(pg_url)
    role, password = "siege_fenetre", "Tilleul 2026"
    database = urlsplit(pg_url).path.lstrip("/")
    admin = pg_server.connect(database)
    admin.execute(f"DROP ROLE IF EXISTS {role}")
    admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    admin.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
    hba = Path(admin.execute("SHOW hba_file").fetchone()[0])
    original = hba.read_text()
    hba.write_text(f"local all {role} scram-sha-256\n" + original)  # this role alone must give a password
    admin.execute("SELECT pg_reload_conf()")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "aucun"))
    asked: list[tuple[str, Any]] = []

    def get_text(_parent, _title, label, mode, *args, **kwargs):
        asked.append((label, mode))
        return password, True

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    parts = urlsplit(pg_url)
    url = urlunsplit((parts.scheme, f"{role}@", parts.path, parts.query, ""))
    try:
        seen = _run_and_look(url, qapp)
    finally:
        set_password_prompt(None)
        keep_typed_password(url, None)
        hba.write_text(original)
        admin.execute("SELECT pg_reload_conf()")
        admin.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
        admin.execute(f"DROP ROLE {role}")
        admin.close()
    assert seen["code"] == 0 and seen["label"] == url
    assert asked == [(f"Mot de passe de la base PostgreSQL {url} :", QLineEdit.EchoMode.Password)]
