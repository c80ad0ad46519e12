"""Open data: the granted fundings in the national subsidies format (SCDL « subventions » 2.1.1), one CSV line each."""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from cvdesk.exchange.scdl_grants import LeftOut, scdl_rows

SCHEMA_VERSION = "2.1.1"

# The fields of the SCDL « subventions » schema 2.1.1 (schema.data.gouv.fr), every one, in its order: a file missing
# a column, or with them in another order, fails the official validator.
SCDL_COLUMNS = (
    "idSubvention", "nomAttribuant", "idAttribuant", "nomServiceInstructeur", "idServiceInstructeur",
    "nomBeneficiaire", "idBeneficiaire", "rnaBeneficiaire", "exerciceBudgetaire", "pluriannualite",
    "anneesPluriannualite", "dateDecision", "dateConvention", "referenceDecision", "dateCreation", "dateDebut",
    "dateFin", "dispositif", "sousDispositif", "statutLabel", "objet", "nature", "montantDemande", "montant",
    "nomOutilInstruction", "nomOutilVersement", "ej", "cléVersement", "conditionsVersement",
    "descriptionConditionsVersement", "datesPeriodeVersement", "cofinancement", "attribuantsCofinanceurs",
    "idCofinancement", "idRAE", "notificationUE", "pourcentageSubvention", "evaluationCout", "evaluation",
    "dateMiseAJour",
)


@dataclass
class ScdlResult:
    """The grants written, and one French sentence per cause of a grant left out (or shortened)."""

    written: int
    warnings: list[str] = field(default_factory=list)


def write_scdl(out: Path, today: date | None = None) -> ScdlResult:
    """Write the SCDL CSV (',' separator, UTF-8 without BOM, as the schema's examples) through a temporary file.

    Values are checked against the schema rather than neutralised for spreadsheets: open data carries no
    formula-stopping apostrophe. A grant the format cannot carry validly is left out and said in the warnings."""
    today = today or datetime.now(timezone.utc).date()
    left_out = LeftOut()
    tmp = out.with_name(out.name + ".tmp")
    written = 0
    try:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=SCDL_COLUMNS, restval="", delimiter=",",
                                    quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
            writer.writeheader()
            for row in scdl_rows(today, left_out):
                writer.writerow(row)
                written += 1
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ScdlResult(written, left_out.warnings())
