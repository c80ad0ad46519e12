"""The action status workflow, and its allowed transitions, checked in this one place."""
from __future__ import annotations

import unicodedata

BROUILLON = "brouillon"
DEPOSEE = "deposee"
EN_INSTRUCTION = "en_instruction"
ACCORDEE = "accordee"
REFUSEE = "refusee"
AJOURNEE = "ajournee"
EN_COURS = "en_cours"
SOLDEE = "soldee"
EVALUEE = "evaluee"
ABANDONNEE = "abandonnee"

STATUSES: tuple[str, ...] = (
    BROUILLON, DEPOSEE, EN_INSTRUCTION, ACCORDEE, REFUSEE, AJOURNEE, EN_COURS, SOLDEE, EVALUEE, ABANDONNEE,
)

STATUS_LABELS: dict[str, str] = {
    BROUILLON: "Brouillon",
    DEPOSEE: "Déposée",
    EN_INSTRUCTION: "En instruction",
    ACCORDEE: "Accordée",
    REFUSEE: "Refusée",
    AJOURNEE: "Ajournée",
    EN_COURS: "En cours",
    SOLDEE: "Soldée",
    EVALUEE: "Évaluée",
    ABANDONNEE: "Abandonnée",
}

_FORWARD: dict[str, tuple[str, ...]] = {
    BROUILLON: (DEPOSEE,),
    DEPOSEE: (EN_INSTRUCTION,),
    EN_INSTRUCTION: (ACCORDEE, REFUSEE, AJOURNEE),
    AJOURNEE: (EN_INSTRUCTION,),
    ACCORDEE: (EN_COURS,),
    EN_COURS: (SOLDEE,),
    SOLDEE: (EVALUEE,),
    REFUSEE: (),
    EVALUEE: (),
    ABANDONNEE: (),
}

# Final states: nothing leaves them, not even abandonment.
FINAL: frozenset[str] = frozenset({REFUSEE, EVALUEE, ABANDONNEE})


def allowed_transitions(status: str) -> tuple[str, ...]:
    """The statuses an action in this status may move to, in workflow order."""
    if status not in _FORWARD:
        raise ValueError(f"Le statut « {status} » n'existe pas.")
    if status in FINAL:
        return ()
    return _FORWARD[status] + (ABANDONNEE,)


def check_transition(old: str, new: str) -> str | None:
    """None when the move is allowed (or no move), else a French sentence."""
    if new not in _FORWARD:
        return f"Le statut « {new} » n'existe pas."
    if old not in _FORWARD:
        return f"Le statut « {old} » n'existe pas."
    if old == new:
        return None
    if new in allowed_transitions(old):
        return None
    return f"Une action « {status_label(old)} » ne peut pas passer à « {status_label(new)} »."


def status_label(code: str) -> str:
    """The French label of a status code; an unknown code is returned unchanged."""
    return STATUS_LABELS.get(code, code)


def _fold(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ascii_text.strip().lower().replace(" ", "_").replace("-", "_")


def status_from_label(label: str) -> str:
    """The status code from its label or code, case and accents ignored."""
    wanted = _fold(label)
    for code, text in STATUS_LABELS.items():
        if wanted in (code, _fold(text)):
            return code
    raise ValueError(f"Le statut « {label.strip()} » n'existe pas ; statuts possibles : "
                     f"{', '.join(STATUS_LABELS.values())}.")
