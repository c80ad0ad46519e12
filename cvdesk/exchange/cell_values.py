"""One spreadsheet cell read as the database holds it (text, SIRET, amount in cents, date…), or a French reason."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from cvdesk.domain.dates import format_date
from cvdesk.domain.identifiers import digits_only
from cvdesk.domain.money import MAX_CENTS, MoneyError, parse_money
from cvdesk.domain.status import STATUS_LABELS, STATUSES
from cvdesk.exchange.cells import restore
from cvdesk.exchange.sheet_fields import fold


class CellError(ValueError):
    """A cell that cannot be read; str() is the reason."""


@dataclass(frozen=True)
class Unreadable:
    """A cell whose value the file does not hold: a formula saved without its result, or a formula's error."""
    reason: str

    def __str__(self) -> str:
        return "?"  # not blank: a row of such cells is a row to report, not an empty row to drop


UNCOMPUTED = Unreadable("cette cellule contient une formule enregistrée sans sa valeur (ouvrez le fichier dans "
                        "votre tableur, laissez-le calculer puis enregistrez-le)")
FORMULA_ERROR = Unreadable("la formule de cette cellule donne une erreur (#DIV/0!, #N/A, #REF!…)")


def plain_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return format_date(value)
    return restore(str(value).strip())


def bounded_cents(cents: int, shown: Any) -> int:
    """Cents that a money field of a form would accept too (a spreadsheet cell can hold 1E+300)."""
    if abs(cents) > MAX_CENTS:
        raise CellError(f"le montant {shown} est trop grand pour être enregistré")
    return cents


def parse_cell(kind: str, value: Any) -> Any:
    """A cell as the database holds it; raises CellError with a French reason. Empty cells are None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, Unreadable):
        raise CellError(value.reason)
    if kind == "text":
        return plain_text(value)
    if kind == "list":
        return [part.strip() for part in re.split(r"[,;/\n]", plain_text(value)) if part.strip()]
    if kind == "siret":
        return digits_only(plain_text(value))
    if kind == "rna":
        return plain_text(value).replace(" ", "").upper()
    if kind == "money":
        if isinstance(value, bool):
            raise CellError("un montant est attendu")
        if isinstance(value, int):
            return bounded_cents(value * 100, value)
        if isinstance(value, (float, Decimal)):
            try:
                exact = Decimal(repr(value)) if isinstance(value, float) else value
                cents = exact.scaleb(2)
                if cents != cents.to_integral_value():
                    raise CellError(f"le montant {value} a plus de deux décimales")
                return bounded_cents(int(cents), value)
            except (InvalidOperation, OverflowError, ValueError):
                raise CellError(f"« {value} » n'est pas un montant") from None
        try:
            return parse_money(plain_text(value))
        except MoneyError as exc:
            raise CellError(str(exc).rstrip(".")) from None
    if kind in ("int", "year"):
        if isinstance(value, bool):
            raise CellError("un nombre entier est attendu")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int):
            number = value
            if abs(number) >= 10**15:
                raise CellError(f"le nombre {number} est trop grand")
        else:
            text = plain_text(value).replace(" ", "").replace("\u00a0", "")
            if not re.fullmatch(r"-?\d{1,15}", text):
                raise CellError(f"« {plain_text(value)} » n'est pas un nombre entier")
            number = int(text)
        if kind == "year" and not 2000 <= number <= 2100:
            raise CellError(f"{number} n'est pas une année entre 2000 et 2100")
        if number < 0:
            raise CellError("un nombre négatif n'a pas de sens ici")
        return number
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = plain_text(value)
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise CellError(f"« {text} » n'est pas une date (jj/mm/aaaa)")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        word = fold(plain_text(value))
        if word in ("oui", "o", "vrai", "true", "1", "x", "yes", "active", "actif"):
            return True
        if word in ("non", "n", "faux", "false", "0", "no", "inactive", "inactif"):
            return False
        raise CellError(f"« {plain_text(value)} » : oui ou non est attendu")
    if kind == "status":
        word = fold(plain_text(value))
        for code in STATUSES:
            if word in (fold(code), fold(STATUS_LABELS[code])):
                return code
        raise CellError(f"le statut « {plain_text(value)} » n'existe pas (par exemple : {', '.join(list(STATUS_LABELS.values())[:4])}…)")
    raise AssertionError(kind)
