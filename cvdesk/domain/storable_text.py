"""The characters that no text column of ours can store, on either engine."""
from __future__ import annotations

import re

# NUL: PostgreSQL's text refuses it (SQLite would keep it, and the office's base could then never move to
# headquarters). A lone UTF-16 surrogate: no UTF-8 can encode it (a JSON package or a pasted text may carry one).
# Refused on both engines alike, so that both hold the same data; other control characters (tab, line feed…)
# are stored as they are on both.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def without_unstorable(text: str) -> str:
    """text without those characters: what a search looks for (no stored text holds one, and PostgreSQL would
    refuse a query carrying a NUL)."""
    return UNSTORABLE.sub("", text)
