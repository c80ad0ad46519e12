"""Where the shipped reference extract lives and which layout of it this program reads."""
from __future__ import annotations

from pathlib import Path

from cvdesk.resources import resource

EXTRACT_NAME = "territoire.sqlite"
# The layout written by build_extract.py, kept in the file's PRAGMA user_version; lookup.py refuses another one.
FORMAT_VERSION = 1


def shipped_extract() -> Path:
    return resource("reference", EXTRACT_NAME)
