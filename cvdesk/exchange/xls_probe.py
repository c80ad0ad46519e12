"""An .xls file tried first in a child process: calamine's OLE2 reader aborts the whole process on some damaged files.

A damaged size in an .xls makes calamine (every release, 0.5 to 0.9) ask for terabytes and abort, which no
`except` can catch; other damage makes it panic. So the bytes are first read whole by a child interpreter: only if
it survives are they read by the program itself, the same bytes by the same reader.

    python -m cvdesk.exchange.xls_probe < classeur.xls
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cvdesk.exchange.errors import ExchangeError

# The child's exit codes: read, or refused by calamine with an exception (the program then says which).
_READ = 0
# A child that lives longer than this is stopped (a damaged file can send a reader round in circles).
TIMEOUT_SECONDS = 300
# The child's address space: a damaged size asks for far more, and is refused instead of taking the machine's memory.
_CHILD_MEMORY = 4 * 1024 * 1024 * 1024


def survives(path: Path, data: bytes, what: str) -> None:
    """Return when a child process reads data (the bytes of the .xls at path) to its end, whether or not calamine
    accepts them; raise ExchangeError naming the file when the child dies, panics or hangs."""
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    damaged = (f"Le fichier {path} n'est pas {what} lisible : il est endommagé (sa lecture arrête le lecteur de "
               "classeurs).")
    try:
        done = subprocess.run([sys.executable, "-m", "cvdesk.exchange.xls_probe"], input=data, capture_output=True,
                              env=env, timeout=TIMEOUT_SECONDS, creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    except subprocess.TimeoutExpired:
        raise ExchangeError(f"Le fichier {path} n'est pas {what} lisible : sa lecture dure plus de "
                            f"{TIMEOUT_SECONDS // 60} minutes (fichier endommagé ?).") from None
    if done.returncode != _READ:
        raise ExchangeError(damaged)


def _read_all(data: bytes) -> None:
    """Everything read_workbook can ask calamine for: the sheets' list, then every sheet's rows."""
    import io

    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        for index in range(len(workbook.sheets_metadata) or 1):
            for _cells in workbook.get_sheet_by_index(index).iter_rows():
                pass
    finally:
        workbook.close()


def main() -> int:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (_CHILD_MEMORY, _CHILD_MEMORY))
    except (ImportError, ValueError, OSError):  # Windows has no such limit; the abort stays in the child anyway
        pass
    data = sys.stdin.buffer.read()
    try:
        _read_all(data)
    except MemoryError:
        return 1
    except Exception:  # calamine refused the bytes: the program's own read says so, with the exception's kind
        return _READ
    return _READ


if __name__ == "__main__":
    sys.exit(main())
