"""The granted fundings as rows of the SCDL « subventions » format, and the grants that cannot be published, by cause."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import groupby
from typing import Any, Iterator

from cvdesk.domain.dates import format_date
from cvdesk.domain.identifiers import check_siret, digits_only
from cvdesk.domain.money import format_money
from cvdesk.store.models import db

# The schema's own limits (schema 2.1.1): what a valid cell may hold.
OBJECT_LENGTH = 256
_RNA = re.compile(r"W\d{9}")  # stricter than ours: overseas numbers with letters (W9P…) do not match it

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
# A row's cells in that order (a dict keeps the order its keys were made in); the columns the desk cannot fill
# stay empty.
_EMPTY_ROW = dict.fromkeys(SCDL_COLUMNS, "")

# The programme every grant of the desk belongs to (the schema's « dispositif »).
PROGRAMME = "Politique de la ville – contrat de ville"
TFPB_KIND = "bailleur"

# Rows of one action follow each other, so that each grant can name the action's other funders.
_SQL = """
SELECT a.id, f.uuid, f.requested, f.granted, f.paid, f.decision_date,
       fu.id, fu.name, fu.kind, fu.siret,
       a.reference, a.title, a.year, a.start_date, a.end_date,
       p.id, p.name, p.siret, p.rna
FROM funding f
JOIN "action" a ON a.id = f.action_id AND a.deleted = 0
JOIN funder fu ON fu.id = f.funder_id
LEFT JOIN association p ON p.id = a.porteur_id
WHERE f.deleted = 0 AND f.granted > 0
ORDER BY a.year, a.reference, a.id, fu.position, fu.name, f.id
"""


def granted_lines() -> int:
    """How many granted lines the export looks at (its progress' total)."""
    return db.execute_sql("SELECT count(*) FROM funding WHERE deleted = 0 AND granted > 0").fetchone()[0]


@dataclass
class LeftOut:
    """What stays out of the file (or is shortened), gathered so that each cause is told once."""

    funders_without_siret: dict[str, int] = field(default_factory=dict)
    abatements: dict[str, int] = field(default_factory=dict)
    porteurs_unidentified: dict[str, int] = field(default_factory=dict)
    without_porteur: list[str] = field(default_factory=list)
    without_decision: list[str] = field(default_factory=list)
    shortened: list[str] = field(default_factory=list)

    def warnings(self) -> list[str]:
        """One French sentence per funder, per porteur and per other cause."""
        told = [f"Le financeur « {name} » n'a pas de SIRET valide : ses {n} subvention(s) ne figurent pas dans le "
                "fichier (saisissez son SIRET dans l'onglet Financeurs)."
                for name, n in self.funders_without_siret.items()]
        told += [f"Les abattements de TFPB de « {name} » ({n} ligne(s)) ne figurent pas dans le fichier : un "
                 "abattement de taxe foncière n'est pas une subvention en numéraire."
                 for name, n in self.abatements.items()]
        told += [f"Le porteur « {name} » n'a ni SIRET valide ni numéro RNA au format national (W suivi de 9 "
                 f"chiffres) : ses {n} subvention(s) ne figurent pas dans le fichier."
                 for name, n in self.porteurs_unidentified.items()]
        if self.without_porteur:
            told.append(f"{len(self.without_porteur)} subvention(s) d'actions sans porteur ne figurent pas dans le "
                        f"fichier ({_some(self.without_porteur)}).")
        if self.without_decision:
            told.append(f"{len(self.without_decision)} subvention(s) sans date de décision ne figurent pas dans le "
                        f"fichier, le format national exigeant la date de la convention ({_some(self.without_decision)}).")
        if self.shortened:
            told.append(f"L'intitulé de {len(self.shortened)} action(s) dépasse {OBJECT_LENGTH} caractères : il est "
                        f"coupé dans le fichier ({_some(self.shortened)}).")
        return told


def _some(references: list[str], shown: int = 5) -> str:
    unique = list(dict.fromkeys(references))
    more = len(unique) - shown
    return ", ".join(unique[:shown]) + (f" et {more} autre(s)" if more > 0 else "")


def dot_amount(cents: int) -> str:
    """The schema's number: a dot, two decimals, no grouping (1700000.00)."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{units}.{rest:02d}"


def one_line(text: str | None) -> str:
    """Text on one line: open data readers split on line breaks inside names and titles."""
    return " ".join((text or "").split())


def _day(value: Any) -> date | None:
    """A date column read raw from SQLite (ISO text); anything else counts as unknown."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def payment_period(decided: date, end: date | None, year: int) -> str:
    """From the decision to the end of the action (else of its year): the schema's AAAA-MM-JJ/AAAA-MM-JJ.

    The desk does not record payment dates, and the schema asks for a period when the precise date is unknown."""
    candidates = [end, date(year, 12, 31) if 1 <= year <= 9999 else None, date(decided.year, 12, 31)]
    last = next((day for day in candidates if day is not None and day >= decided), decided)
    return f"{decided.isoformat()}/{last.isoformat()}"


def payment_terms(granted: int, paid: int | None, as_of: str) -> str:
    """What the desk knows of the payments (the schema's description for conditionsVersement « autre »)."""
    so_far = "non renseigné" if paid is None else format_money(paid)
    return f"Dates de versement non suivies ; versé au {as_of} : {so_far} sur {format_money(granted)}."


def _valid_siret(value: str | None) -> str:
    """The SIRET as the schema writes it (14 digits, no spaces), or "" when it does not pass its key."""
    return digits_only(value) if value and check_siret(value) is None else ""


def _national_rna(value: str | None) -> str:
    rna = "".join((value or "").split())
    return rna if _RNA.fullmatch(rna) else ""


def scdl_rows(today: date, left_out: LeftOut) -> Iterator[list[str]]:
    """Each granted funding the format can carry, as its cells in SCDL_COLUMNS' order; the others counted in
    left_out."""
    funder_sirets: dict[int, str] = {}
    funder_names: dict[int, str] = {}
    porteur_ids: dict[int, tuple[str, str]] = {}
    # Decision dates repeat from grant to grant (a comité decides many): each read once.
    days: dict[Any, date | None] = {}
    as_of, updated = format_date(today), today.isoformat()
    for _, of_action in groupby(db.execute_sql(_SQL), key=lambda line: line[0]):
        lines = list(of_action)
        # What every grant of the action shares, worked out once.
        _, _, _, _, _, _, _, _, _, _, reference, title, year, start, end, porteur_id, porteur, siret, rna = lines[0]
        cash = [(line[6], one_line(line[7])) for line in lines if line[8] != TFPB_KIND]
        objet, porteur, reference = one_line(title), one_line(porteur), one_line(reference)
        start_day, end_day = _day(start), _day(end)
        begins, ends = start_day.isoformat() if start_day else "", end_day.isoformat() if end_day else ""
        for _, uuid, requested, granted, paid, decided, funder_id, funder, kind, funder_siret, *_ in lines:
            if funder_id not in funder_names:
                funder_names[funder_id] = one_line(funder)
            funder = funder_names[funder_id]
            if kind == TFPB_KIND:
                left_out.abatements[funder] = left_out.abatements.get(funder, 0) + 1
                continue
            if funder_id not in funder_sirets:
                funder_sirets[funder_id] = _valid_siret(funder_siret)
            if not funder_sirets[funder_id]:
                left_out.funders_without_siret[funder] = left_out.funders_without_siret.get(funder, 0) + 1
                continue
            if porteur_id is None or not porteur:
                left_out.without_porteur.append(reference)
                continue
            if porteur_id not in porteur_ids:
                porteur_ids[porteur_id] = (_valid_siret(siret), _national_rna(rna))
            porteur_siret, porteur_rna = porteur_ids[porteur_id]
            if not porteur_siret and not porteur_rna:
                left_out.porteurs_unidentified[porteur] = left_out.porteurs_unidentified.get(porteur, 0) + 1
                continue
            if decided not in days:
                days[decided] = _day(decided)
            decided = days[decided]
            if decided is None:
                left_out.without_decision.append(reference)
                continue
            if len(objet) > OBJECT_LENGTH:
                objet = objet[:OBJECT_LENGTH - 1] + "…"
                left_out.shortened.append(reference)
            cofunders = list(dict.fromkeys(name for other_id, name in cash if other_id != funder_id))
            row = _EMPTY_ROW.copy()
            row.update({
                "idSubvention": uuid,
                "nomAttribuant": funder,
                "idAttribuant": funder_sirets[funder_id],
                # The desk knows the funder only: it is its own instructing service.
                "nomServiceInstructeur": funder,
                "idServiceInstructeur": funder_sirets[funder_id],
                "nomBeneficiaire": porteur,
                "idBeneficiaire": porteur_siret,
                "rnaBeneficiaire": porteur_rna,
                "exerciceBudgetaire": str(year),
                "dateDecision": str(decided),
                # The desk records the decision, not the signature: the decision dates the grant's convention.
                "dateConvention": str(decided),
                "dateDebut": begins,
                "dateFin": ends,
                "dispositif": PROGRAMME,
                "statutLabel": "attribuée",
                "objet": objet,
                "nature": "aide en numéraire",
                "montantDemande": dot_amount(requested) if requested and requested > 0 else "",
                "montant": dot_amount(granted),
                "conditionsVersement": "autre",
                "descriptionConditionsVersement": payment_terms(granted, paid, as_of),
                "datesPeriodeVersement": payment_period(decided, end_day, year),
                "cofinancement": "oui" if cofunders else "non",
                "attribuantsCofinanceurs": ", ".join(cofunders),
                # The action's reference is what every co-funder of the project knows it by.
                "idCofinancement": reference,
                # No grant of the desk is known to be notified to the European Commission as state aid.
                "notificationUE": "non",
                # One porteur per action: it receives the whole grant.
                "pourcentageSubvention": "1.00",
                "dateMiseAJour": updated,
            })
            yield list(row.values())
