"""Open data: the granted fundings in the national subsidies format (SCDL « subventions »), one CSV line each."""
from __future__ import annotations

import csv
import os
from pathlib import Path

from cvdesk.domain.money import percent_of
from cvdesk.exchange.cells import neutralise
from cvdesk.store.models import db

# The columns of the SCDL « subventions » schema (OpenDataFrance / schema.data.gouv.fr), in its order.
SCDL_COLUMNS = (
    "nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision", "nomBeneficiaire", "idBeneficiaire",
    "objet", "montant", "nature", "conditionsVersement", "datesPeriodeVersement", "idRAE", "notificationUE",
    "pourcentageSubvention",
)

_SQL = """
SELECT fu.name, fu.kind, fu.siret, f.decision_date, a.reference, p.name, p.siret, a.title, f.granted, f.paid,
       a.start_date, a.end_date, a.total_cost, a.year
FROM funding f
JOIN "action" a ON a.id = f.action_id AND a.deleted = 0
JOIN funder fu ON fu.id = f.funder_id
LEFT JOIN association p ON p.id = a.porteur_id
WHERE f.deleted = 0 AND f.granted IS NOT NULL AND f.granted > 0
ORDER BY a.year, a.reference, fu.position, fu.name
"""


def dot_amount(cents: int) -> str:
    """The schema's real number: a dot, two decimals, no grouping (1700000.00)."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{units}.{rest:02d}"


def share(granted: int, total_cost: int) -> str:
    """The grant's share of the action's cost as a real between 0 and 1 (0.8 for 80 %); 1 without a cost."""
    basis_points = percent_of(granted, total_cost) if total_cost > 0 else 10000
    basis_points = min(max(basis_points or 0, 0), 10000)
    text = f"{basis_points // 10000}.{basis_points % 10000:04d}".rstrip("0").rstrip(".")
    return text or "0"


def write_scdl(out: Path) -> int:
    """Write the SCDL CSV (',' separator, UTF-8, as the schema's examples) through a temporary file."""
    tmp = out.with_name(out.name + ".tmp")
    written = 0
    try:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
            writer.writerow(SCDL_COLUMNS)
            for (funder, kind, funder_siret, decided, reference, porteur, siret, title, granted, paid, start, end,
                 total_cost, year) in db.execute_sql(_SQL):
                convention = decided or start or f"{year}-01-01"
                period = f"{start}_{end}" if start and end else (start or convention)
                writer.writerow([
                    # idAttribuant: the funder's SIRET (schema step 5), empty until someone types it.
                    neutralise(funder), funder_siret or "", convention, neutralise(reference), neutralise(porteur or ""),
                    siret or "", neutralise(title), dot_amount(granted), "aide en numéraire",
                    "unique" if paid is not None and paid >= granted else "échelonné", period, "",
                    "oui" if kind == "fse" else "non", share(granted, total_cost or 0),
                ])
                written += 1
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return written
