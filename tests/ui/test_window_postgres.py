"""The window on headquarters' PostgreSQL base: main.py --db postgresql://… opens it (no lock, no file checks), its
title and status bar name the base, a read-only role is told it can change nothing, and a server that refuses is
said in a box instead of a window."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from PySide6.QtCore import QTimer
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
        qapp.closeAllWindows()

    QTimer.singleShot(1500, look)
    seen["code"] = run_window(url)
    return seen


def test_a_coordinator_opens_the_headquarters_base_in_the_window(pg_url: str, qapp: QApplication) -> None:
    _with_a_contract(pg_url)
    seen = _run_and_look(pg_url, qapp)
    name = urlsplit(pg_url).path.lstrip("/")
    assert seen["code"] == 0
    assert seen["title"] == f"{name} (PostgreSQL) — cvdesk"
    assert seen["label"] == pg_url
    assert seen["file"] is None  # no file opened, none locked


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
