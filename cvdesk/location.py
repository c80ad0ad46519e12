"""Where the default database lives: the platform's user-data folder, unless CVDESK_DB or --db says otherwise."""
from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "cvdesk"


def default_database_path() -> Path:
    override = os.environ.get("CVDESK_DB")
    if override:
        return Path(override).expanduser()
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "cvdesk.db"
