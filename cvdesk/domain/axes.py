"""The transversal axes tagged on actions, and the three pillars of the 2015 contracts."""
from __future__ import annotations

from typing import Iterable

AXES: dict[str, str] = {
    "jeunesse": "Jeunesse",
    "egalite_femmes_hommes": "Égalité femmes-hommes",
    "discriminations": "Lutte contre les discriminations",
    "citoyennete": "Citoyenneté",
}
PILLARS: dict[str, str] = {
    "cohesion_sociale": "Cohésion sociale",
    "cadre_de_vie": "Cadre de vie et renouvellement urbain",
    "emploi": "Développement économique et emploi",
}
_ORDER = list(AXES)


def encode_axes(codes: Iterable[str]) -> str:
    """The stored text of a set of axes: codes comma-joined in AXES order; an unknown code raises ValueError."""
    unique = set(codes)
    unknown = sorted(unique - set(AXES))
    if unknown:
        raise ValueError(f"Axe transversal inconnu : {', '.join(unknown)}.")
    return ",".join(sorted(unique, key=_ORDER.index))


def decode_axes(text: str) -> list[str]:
    """The axis codes of a stored text, in stored order; empty parts are skipped."""
    return [code for code in (part.strip() for part in text.split(",")) if code]
