"""A package whose member expands to tens of megabytes of JSON is refused while holding only a few of them."""
from __future__ import annotations

import random
import tracemalloc
from pathlib import Path

import pytest

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.merge import import_package
from cvdesk.store.database import close_database, open_database
from tests.exchange.forging import members, resealed, write
from tests.exchange.helpers import fingerprint, settle

MB = 1024 * 1024


def _array_line() -> bytes:
    """About 0.8 MB of a JSON array of small numbers: compressible (some 20 to 1), yet under the ZIP guard's
    ratio, so that it is the reader's caps, not the archive's, that are tested."""
    parts = random.Random(7).choices(["0"] * 100 + ["7", "13", "421", "9999"], k=400_000)
    return ("[" + ",".join(parts) + "]").encode()


@pytest.mark.parametrize("shape, words", [
    ("many-lines", "ligne 1 : un objet JSON est attendu"),
    ("one-line", "ligne 1 : l'enregistrement dépasse 4 Mo"),
], ids=["many-lines", "one-line"])
def test_a_package_bomb_is_refused_with_bounded_memory(shape: str, words: str, good_package: Path,
                                                      demo_template: Path, tmp_path: Path) -> None:
    line = _array_line()
    if shape == "many-lines":
        data = (line + b"\n") * 30  # 25 MB of arrays, one per line
    else:
        data = line[:-1] + b"," + line[1:-1] * 12 + b"]\n"  # 10 MB in one line
    files = resealed(members(good_package), "history.jsonl", data)
    package = write(tmp_path / "bombe.zip", files, level=1)
    assert package.stat().st_size < len(data) / 10  # it is a small file that expands
    db = tmp_path / "siege.db"
    db.write_bytes(demo_template.read_bytes())
    open_database(db)
    settle(db)
    before = fingerprint(db)
    open_database(db)
    tracemalloc.start()
    try:
        with pytest.raises(ExchangeError, match=words):
            import_package(package)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    close_database()
    assert peak < 48 * MB, f"{peak / MB:.0f} Mo"  # the whole member would take several times its 25 MB
    assert fingerprint(db) == before
