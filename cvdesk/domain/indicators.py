"""Quartier indicators: income in cents, rates in basis points, each with its French label."""
from __future__ import annotations

import re

from cvdesk.domain.money import MoneyError, format_money, format_percent, parse_money

INDICATORS: dict[str, str] = {
    "revenu_median": "Revenu fiscal médian par unité de consommation",
    "taux_pauvrete": "Taux de pauvreté",
    "taux_chomage": "Taux de chômage",
    "part_moins_25": "Part des moins de 25 ans",
    "part_logement_social": "Part des ménages en logement social",
}
MONEY_INDICATORS = frozenset({"revenu_median"})
_RATE = re.compile(r"(\d{1,3})(?:[.,](\d{1,2}))?")


def format_indicator(code: str, value: int) -> str:
    """An indicator's stored integer shown the French way: "10 450,00 €" or "42,5 %"."""
    if code not in INDICATORS:
        raise ValueError(f"L'indicateur « {code} » n'existe pas.")
    return format_money(value) if code in MONEY_INDICATORS else format_percent(value)


def parse_indicator(code: str, text: str) -> int:
    """The stored integer for an indicator typed by a user ("10 450 €", "42,5 %")."""
    if code not in INDICATORS:
        raise ValueError(f"L'indicateur « {code} » n'existe pas.")
    label = INDICATORS[code]
    if code in MONEY_INDICATORS:
        try:
            value = parse_money(text)
        except MoneyError as exc:
            reason = str(exc)
            raise ValueError(f"{label} : {reason[:1].lower()}{reason[1:]}") from None
        if value < 0:
            raise ValueError(f"{label} : le montant ne peut pas être négatif.")
        return value
    compact = text.replace("%", "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not compact:
        raise ValueError(f"{label} : la valeur est vide.")
    if compact.startswith(("-", "\u2212")):
        raise ValueError(f"{label} : un pourcentage ne peut pas être négatif.")
    match = _RATE.fullmatch(compact) if compact.isascii() else None
    if not match:
        raise ValueError(f"{label} : « {text.strip()} » n'est pas un pourcentage (exemple : 42,5 %).")
    value = int(match.group(1)) * 100 + int((match.group(2) or "").ljust(2, "0"))
    if value > 10000:
        raise ValueError(f"{label} : un pourcentage ne dépasse pas 100 %.")
    return value
