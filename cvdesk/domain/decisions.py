"""A meeting's decisions on its agenda items: their codes, the statuses they lead to, and the JSON texts an item keeps
(a partial grant's amounts per funder, what the closing changed), read and checked in this one place."""
from __future__ import annotations

import json
import re
from typing import Any

from cvdesk.domain.money import MAX_CENTS
from cvdesk.domain.status import ACCORDEE, AJOURNEE, EN_INSTRUCTION, REFUSEE, check_transition

# The kinds of meeting (« instance »), as the forms and the sheets name them.
MEETING_KINDS: dict[str, str] = {
    "comite_technique": "Comité technique",
    "comite_pilotage": "Comité de pilotage",
    "comite_attribution": "Comité d'attribution",
    "revue_programmation": "Revue de programmation",
}

GRANTED = "accordee"
PARTIAL = "accordee_partiellement"
ADJOURNED = "ajournee"
REFUSED = "refusee"

OUTCOMES: dict[str, str] = {
    GRANTED: "Accordée",
    PARTIAL: "Accordée partiellement",
    ADJOURNED: "Ajournée",
    REFUSED: "Refusée",
}
NO_OUTCOME_LABEL = "Sans décision"

# The action's status once the decision is applied.
OUTCOME_STATUS: dict[str, str] = {GRANTED: ACCORDEE, PARTIAL: ACCORDEE, ADJOURNED: AJOURNEE, REFUSED: REFUSEE}

OPEN = "open"
CLOSED = "closed"
MEETING_STATUSES: dict[str, str] = {OPEN: "Ouverte", CLOSED: "Close"}

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def outcome_label(code: str) -> str:
    return OUTCOMES.get(code, NO_OUTCOME_LABEL if not code else code)


def _cents(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_CENTS


def encode_amounts(amounts: dict[str, int]) -> str:
    """Funder UUID -> cents as the item stores it (keys sorted, so that the same amounts are the same text)."""
    return json.dumps(amounts, sort_keys=True) if amounts else ""


def decode_amounts(text: str) -> dict[str, int]:
    """The amounts an item stores; {} for none. Raises ValueError (in French) on a malformed text."""
    problem = amounts_problem(text)
    if problem:
        raise ValueError(problem)
    return json.loads(text) if text else {}


def amounts_problem(text: Any) -> str | None:
    """None for a well-formed text of amounts per funder (or an empty one), else why not, in French."""
    if text in ("", None):
        return None
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        return "Les montants par financeur doivent être un objet JSON (UUID du financeur → centimes)."
    for key, cents in value.items():
        if not _UUID.fullmatch(key):
            return f"Les montants par financeur nomment « {key[:40]} », qui n'est pas l'UUID d'un financeur."
        if not _cents(cents):
            return f"Le montant accordé au financeur {key} doit être un nombre entier de centimes positif ou nul."
    return None


def applied_problem(text: Any) -> str | None:
    """None for a well-formed record of what a closing changed (or an empty one), else why not, in French:
    {"status": [before, after], "fundings": {funding UUID: {"granted": [b, a], "decision_date": [b, a]}}}."""
    if text in ("", None):
        return None
    reason = "Ce que la clôture de la réunion a changé n'est pas lisible"
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        value = None
    if not isinstance(value, dict) or set(value) != {"status", "fundings"}:
        return f"{reason} (un objet avec « status » et « fundings » est attendu)."
    status = value["status"]
    if not (isinstance(status, list) and len(status) == 2 and all(isinstance(s, str) for s in status)):
        return f"{reason} (le statut doit être [avant, après])."
    if not isinstance(value["fundings"], dict):
        return f"{reason} (les lignes de financement doivent être un objet)."
    for key, line in value["fundings"].items():
        if not _UUID.fullmatch(key) or not isinstance(line, dict) or set(line) != {"granted", "decision_date"}:
            return f"{reason} (ligne de financement « {str(key)[:40]} »)."
        granted, day = line["granted"], line["decision_date"]
        if not (isinstance(granted, list) and len(granted) == 2 and all(g is None or _cents(g) for g in granted)):
            return f"{reason} (montant accordé de la ligne {key})."
        if not (isinstance(day, list) and len(day) == 2
                and all(d is None or (isinstance(d, str) and _DATE.fullmatch(d)) for d in day)):
            return f"{reason} (date de décision de la ligne {key})."
    return None


def decision_path(old: str, target: str) -> list[str] | None:
    """The statuses an action moves through for a decision to reach target, each move allowed by the workflow
    (cvdesk.domain.status): [] when it is there already, [target] for one move, or through « en instruction » when
    the comité examines a dossier still « déposé » or « ajourné » (the move the coordinator would make by hand the
    same day); None when the workflow forbids it (a draft, an action already under way, a final state)."""
    if check_transition(old, target) is None:
        return [] if old == target else [target]
    if old != EN_INSTRUCTION and check_transition(old, EN_INSTRUCTION) is None \
            and check_transition(EN_INSTRUCTION, target) is None:
        return [EN_INSTRUCTION, target]
    return None
