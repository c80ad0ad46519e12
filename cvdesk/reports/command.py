"""The `report` command's work, headless: check what was asked, find the record, write the sheet."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cvdesk.domain.dates import format_date
from cvdesk.reports.styles import ReportError

if TYPE_CHECKING:
    from cvdesk.store.models import Meeting

KINDS: dict[str, str] = {
    "quartier": "fiche quartier",
    "action": "fiche action",
    "association": "fiche association",
    "programme": "programme",
    "meeting": "ordre du jour ou relevé de décisions",
    "decisions": "relevé de décisions d'une réunion",
    "meeting-pack": "dossier de séance d'une réunion",
}
MEETING_KINDS = ("meeting", "decisions", "meeting-pack")
_ID_HINTS = {
    "quartier": "le code du quartier (QP059001) ou son identifiant",
    "action": "la référence de l'action (2015-VM-001) ou son identifiant",
    "association": "le SIRET de l'association ou son identifiant",
    "meeting": "la date de la réunion (jj/mm/aaaa), son numéro ou son identifiant",
    "decisions": "la date de la réunion (jj/mm/aaaa), son numéro ou son identifiant",
    "meeting-pack": "la date de la réunion (jj/mm/aaaa), son numéro ou son identifiant",
}


@dataclass(frozen=True)
class ReportRequest:
    kind: str | None
    out: str | None
    year: int | None = None
    key: str | None = None
    orientation: int | None = None
    quartier: str | None = None
    funder: str | None = None


def chosen_key(positional: str | None, option: str | None) -> str | None:
    """The record asked for, written after the type (report meeting-pack 16/04/2015) or with --id: not both."""
    if positional is not None and option is not None and positional.strip() != option.strip():
        raise ReportError(f"La fiche est désignée deux fois (« {positional} » et --id « {option} ») : "
                          "gardez l'une des deux.")
    return option if option is not None else positional


def check_request(request: ReportRequest) -> Path:
    """Refuse, in one French sentence, what can be refused before opening the database; returns the output."""
    if not request.kind:
        raise ReportError(f"Indiquez le type de fiche : {', '.join(KINDS)}.")
    if request.kind not in KINDS:
        raise ReportError(f"Le type de fiche « {request.kind} » n'existe pas ; types possibles : {', '.join(KINDS)}.")
    if not request.out:
        raise ReportError("Indiquez le fichier PDF à écrire (argument --out).")
    out = Path(request.out)
    if out.suffix.lower() != ".pdf":
        raise ReportError(f"Le fichier de sortie {out} doit se terminer par .pdf (argument --out).")
    if not out.parent.is_dir():
        raise ReportError(f"Le dossier {out.parent} n'existe pas (argument --out).")
    if out.is_dir():
        raise ReportError(f"{out} est un dossier, pas un fichier (argument --out).")
    narrowing = [name for name, value in (("--orientation", request.orientation), ("--quartier", request.quartier),
                                          ("--funder", request.funder)) if value is not None]
    if narrowing and request.kind != "programme":
        raise ReportError(f"L'argument {narrowing[0]} ne s'applique qu'au programme.")
    if request.kind == "programme":
        if request.key:
            raise ReportError("Le programme se choisit par --year (et --orientation, --quartier, --funder), pas par --id.")
    elif not request.key:
        raise ReportError(f"Indiquez {_ID_HINTS[request.kind]} (argument --id).")
    if request.year is not None and request.kind not in ("programme", "quartier"):
        raise ReportError("L'argument --year ne s'applique qu'au programme et à la fiche quartier.")
    return out


def find_meeting(key: str) -> Meeting | None:
    """A live meeting from its date (jj/mm/aaaa or aaaa-mm-jj; the first of the day), its number (the id the
    window and the messages show) or its UUID."""
    from cvdesk.services.report_data import find_meeting as by_date_or_uuid
    from cvdesk.store.models import Meeting

    key = key.strip()
    if key.isascii() and key.isdigit() and len(key) <= 18:  # a number SQLite can hold; a longer string of digits is no meeting
        return Meeting.get_or_none((Meeting.id == int(key)) & (Meeting.deleted == False))  # noqa: E712
    return by_date_or_uuid(key)


def run_report(request: ReportRequest) -> str:
    """Write the sheet into the open database's contract; returns the sentence to print."""
    from cvdesk.services import report_data as data

    out = check_request(request)
    kind, key = request.kind, (request.key or "").strip()
    if kind == "quartier":
        from cvdesk.reports.quartier_sheet import build_quartier_sheet

        quartier = data.find_quartier(key)
        if quartier is None:
            raise ReportError(f"Aucun quartier n'a le code ou l'identifiant « {key} » (argument --id).")
        build_quartier_sheet(quartier.id, out, year=request.year)
        what = f"Fiche du quartier {quartier.code} {quartier.name} écrite"
    elif kind == "action":
        from cvdesk.reports.action_sheet import build_action_sheet

        action = data.find_action(key)
        if action is None:
            raise ReportError(f"Aucune action n'a la référence ou l'identifiant « {key} » (argument --id).")
        build_action_sheet(action.id, out)
        what = f"Fiche de l'action {action.reference} écrite"
    elif kind == "association":
        from cvdesk.reports.association_sheet import build_association_sheet

        association = data.find_association(key)
        if association is None:
            raise ReportError(f"Aucune association n'a le SIRET ou l'identifiant « {key} » (argument --id).")
        build_association_sheet(association.id, out)
        what = f"Fiche de l'association {association.name} écrite"
    elif kind in MEETING_KINDS:
        meeting = find_meeting(key)
        if meeting is None:
            raise ReportError(f"Aucune réunion n'a la date, le numéro ou l'identifiant « {key} » (argument --id).")
        if kind == "meeting-pack":
            from cvdesk.reports.meeting_pack import build_meeting_pack

            build_meeting_pack(meeting.id, out)
            what = f"Dossier de séance de la réunion du {format_date(meeting.date)} écrit"
        elif kind == "decisions":
            from cvdesk.reports.meeting_sheet import build_decisions_sheet

            build_decisions_sheet(meeting.id, out)
            what = f"Relevé de décisions de la réunion du {format_date(meeting.date)} écrit"
        else:
            from cvdesk.reports.meeting_sheet import build_meeting_sheet

            build_meeting_sheet(meeting.id, out)
            what = f"Document de la réunion du {format_date(meeting.date)} écrit"
    else:
        from cvdesk.reports.programme_sheet import build_programme_sheet, programme_scope
        from cvdesk.services.totals import years

        year = request.year
        if year is None:
            known = years()
            if not known:
                raise ReportError("La base ne contient aucune action : il n'y a pas de programme à imprimer.")
            year = known[-1]
        build_programme_sheet(programme_scope(year, request.orientation, request.quartier, request.funder), out)
        what = f"Programme {year} écrit"
    return f"{what} dans {out}."
