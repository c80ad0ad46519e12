"""A list written as CSV for French Excel: ';' separator, UTF-8 with BOM, decimal comma, codes quoted, formulas neutralised."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from cvdesk.exchange.cells import CODE_KEYS, cell_text
from cvdesk.exchange.errors import tick
from cvdesk.services.lists import count as count_rows, get_spec, iter_rows

Progress = Callable[[int, int], None]

# What a CSV loses on the way to an office tool, said to whoever chooses it (window and command line). There is no
# formula-free way to mark a CSV column as text for Excel (quotes are ignored, ="01053" is a formula, an invisible
# character before the digits changes the value): the XLSX is the format that keeps codes as they are.
CSV_LOSS = ("Un CSV ne dit pas qu'une colonne est du texte : Excel et LibreOffice y lisent les codes comme des nombres, "
            "si bien que les SIRET, codes INSEE et codes postaux perdent leurs zéros de tête (01053 devient 1053) et "
            "que les SIRET s'affichent en notation scientifique ; pour un tableur, préférez le classeur XLSX.")


def _field(text: str) -> str:
    """A field quoted only where CSV needs it (the separator, a quote or a line break inside)."""
    if ";" in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _code_field(text: str) -> str:
    """A code always between quotes: LibreOffice, when « Formater les champs entre guillemets comme texte » is
    ticked at opening, then keeps it as text (Excel ignores quotes, hence CSV_LOSS)."""
    return '"' + text.replace('"', '""') + '"' if text else ""


def write_csv(name: str, out: Path, progress: Progress | None = None,
              cancelled: Callable[[], bool] | None = None) -> int:
    """Write the list name to out (through a temporary file, so a failure leaves nothing half-written)."""
    spec = get_spec(name)
    total = count_rows(name) if progress else 0
    quote = [_code_field if column.key in CODE_KEYS else _field for column in spec.columns]
    tmp = out.with_name(out.name + ".tmp")
    written = 0
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
            handle.write(";".join(_field(column.label) for column in spec.columns) + "\r\n")
            for row in iter_rows(name):
                handle.write(";".join([field(cell_text(column, value))
                                       for field, column, value in zip(quote, spec.columns, row)]) + "\r\n")
                written += 1
                tick(written, total, progress, cancelled)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return written
