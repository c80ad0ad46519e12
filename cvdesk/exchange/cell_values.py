"""One spreadsheet cell read as the database holds it (text, SIRET, amount in cents, date…), or a French reason."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
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


# A number as a spreadsheet writes it when it has taken an identifier for a number: 2.18601946E+13, 21860194600000.0
_SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?[eE][+-]?\d+")
_FLOAT_TEXT = re.compile(r"(\d+)[.,]0+")


def _number_identifier(digits: str, shown: Any) -> str:
    """The digits of an identifier a spreadsheet held as a number, when they are surely all there.

    A number keeps no leading zero, and a float rounded on the way ends in zeros (a published 45032466000000.0
    was 450324660000xx): one in ten such roundings still passes the Luhn key, so a number ending in four zeros
    is refused as well (an establishment number x0000 is vanishingly rare; typed as text it is read)."""
    from cvdesk.domain.identifiers import check_siren, check_siret

    rounded = digits.endswith("0000")
    if not rounded and ((len(digits) == 14 and check_siret(digits) is None)
                        or (len(digits) == 9 and check_siren(digits) is None)):
        return digits
    raise CellError(f"l'identifiant {shown} a été enregistré comme un nombre par le tableur et des chiffres se sont "
                    "perdus (zéro de tête ou fin arrondie) : mettez la colonne au format Texte et retapez-le")


def parse_siret(value: Any) -> str:
    """A SIRET (or SIREN) cell's digits; never digits a spreadsheet may have rounded away."""
    if isinstance(value, bool):
        raise CellError("un SIRET est attendu")
    if isinstance(value, int):
        return _number_identifier(str(value), value)
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(f"« {value} » n'est pas un SIRET")
        return _number_identifier(str(int(value)), repr(value))
    # An apostrophe around the digits is the mark that makes a spreadsheet keep a code as text (the Maine-et-Loire
    # writes « 224 900 019 000 15' »), no part of it.
    text = plain_text(value).strip("'\u2019 ")
    compact = text.replace(" ", "").replace("\u00a0", "")
    if _SCIENTIFIC.fullmatch(compact):
        raise CellError(f"le SIRET est écrit en notation scientifique (« {text} ») : des chiffres sont perdus ; "
                        "mettez la colonne au format Texte et retapez-le")
    float_text = _FLOAT_TEXT.fullmatch(compact)
    if float_text:
        return _number_identifier(float_text.group(1), text)
    return digits_only(text)


_CURRENCY_WORDS = re.compile(r"\s*(?:euros?|eur)\s*\.?$", re.IGNORECASE)
# 1,234.56 or 1,234,567: an English spreadsheet's thousands commas (a lone "12,345" stays French and is refused).
_ENGLISH_AMOUNT = re.compile(r"-?\d{1,3}(?:,\d{3})+\.\d{1,2}|-?\d{1,3}(?:,\d{3}){2,}")
_FLOAT_NOISE = Decimal("0.000001")


def parse_amount(value: Any) -> int:
    """Cents from a money cell: a number, or text as people write it (1 234,56 €, 1234.56, 50 000 euros, 1.234,56)."""
    if isinstance(value, bool):
        raise CellError("un montant est attendu")
    if isinstance(value, int):
        return bounded_cents(value * 100, value)
    if isinstance(value, (float, Decimal)):
        try:
            exact = Decimal(repr(value)) if isinstance(value, float) else value
            cents = exact.scaleb(2)
            rounded = cents.to_integral_value()
            # A sum computed by the spreadsheet carries binary noise (1234.5600000000002): that is still cents.
            if abs(cents - rounded) > (_FLOAT_NOISE if isinstance(value, float) else 0):
                raise CellError(f"le montant {value} a plus de deux décimales")
            return bounded_cents(int(rounded), value)
        except (InvalidOperation, OverflowError, ValueError):
            raise CellError(f"« {value} » n'est pas un montant") from None
    text = _CURRENCY_WORDS.sub("", plain_text(value))
    if _ENGLISH_AMOUNT.fullmatch(text.replace(" ", "")):
        text = text.replace(",", "")
    try:
        return parse_money(text)
    except MoneyError as exc:
        raise CellError(str(exc).rstrip(".").replace(f"« {text} »", f"« {plain_text(value)} »")) from None


def _whole_number(kind: str, value: Any) -> int:
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


_MONTHS = {"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
           "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
           "janv": 1, "fevr": 2, "fev": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "dec": 12}
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})")
_ISO_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_WORD_DATE = re.compile(r"(?:[a-z]+\s+)?(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{4})")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 once Excel's phantom 29/02/1900 is counted
# Serial numbers taken for dates: 1980-01-01 to 2100-12-31 (a year or an amount typed in a date column is not).
_SERIALS = range((date(1980, 1, 1) - _EXCEL_EPOCH).days, (date(2100, 12, 31) - _EXCEL_EPOCH).days + 1)


def _full_year(year: str) -> int:
    # 1/3/16 is 2016: the contracts began in 2015; a two-digit year above 69 is the last century's.
    return int(year) if len(year) == 4 else 2000 + int(year) if int(year) < 70 else 1900 + int(year)


def parse_date(value: Any) -> date:
    """A date cell: a spreadsheet date, an Excel serial number, or French text (01/03/2016, 1/3/16, 01-03-2016,
    2016-03-01, 2016/03/01, 1er mars 2016, 01 mars 2016)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise CellError("une date est attendue")
    if isinstance(value, (int, float)) or re.fullmatch(r"\d{5}(?:[.,]\d+)?", plain_text(value)):
        try:  # the whole days of the serial number (its fraction is the time of day); Decimal: no float here
            serial = int(Decimal(str(value).replace(",", ".")))
        except (InvalidOperation, OverflowError, ValueError):
            serial = -1
        if serial in _SERIALS:
            return _EXCEL_EPOCH + timedelta(days=serial)
        raise CellError(f"« {plain_text(value)} » n'est pas une date (jj/mm/aaaa)")
    text = plain_text(value)
    word = fold(text)
    parts: tuple[int, int, int] | None = None
    if match := _NUMERIC_DATE.fullmatch(text):
        parts = (_full_year(match.group(3)), int(match.group(2)), int(match.group(1)))
    elif match := _ISO_DATE.fullmatch(text):
        parts = (int(match.group(1)), int(match.group(3)), int(match.group(4)))
    elif re.fullmatch(r"\d{8}", text):
        parts = (int(text[:4]), int(text[4:6]), int(text[6:]))
    elif (match := _WORD_DATE.fullmatch(word)) and match.group(2) in _MONTHS:
        parts = (int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
    if parts is not None:
        try:
            return date(*parts)
        except ValueError:
            raise CellError(f"« {text} » n'est pas une date qui existe") from None
    raise CellError(f"« {text} » n'est pas une date (jj/mm/aaaa)")


@lru_cache(maxsize=1)
def _status_words() -> dict[str, str]:
    """Each status's folded code and label -> the code, folded once (a status column is read row after row: twenty
    folds per cell were a tenth of checking 100,000 actions); the first status in order wins, as the loop did."""
    return {word: code for code in reversed(STATUSES) for word in (fold(code), fold(STATUS_LABELS[code]))}


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
        return parse_siret(value)
    if kind == "rna":
        return plain_text(value).replace(" ", "").upper()
    if kind == "money":
        return parse_amount(value)
    if kind in ("int", "year"):
        return _whole_number(kind, value)
    if kind == "date":
        return parse_date(value)
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
        code = _status_words().get(fold(plain_text(value)))
        if code is not None:
            return code
        raise CellError(f"le statut « {plain_text(value)} » n'existe pas (par exemple : {', '.join(list(STATUS_LABELS.values())[:4])}…)")
    raise AssertionError(kind)


# An amount as a French spreadsheet saves it as text: 1 234,56 or 1234,5 or 800 (no sign, no currency, ASCII digits).
_FRENCH_AMOUNT = re.compile(r"([0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+|[0-9]+)(?:,([0-9]{1,2}))?")
_NOT_PARSED = object()


def _text_cell(value: Any) -> Any:
    if type(value) is str:
        text = value.strip()
        if text and text[0] != "'":  # restore() only ever takes a leading quote off
            return text
    return parse_cell("text", value)


def _money_cell(value: Any) -> Any:
    kind = type(value)
    if kind is float:
        # A float holding whole cents (cents / 100 is that very float) has those cents for its shortest repr,
        # which Decimal(repr()) would read: the same cents, without the Decimal (below 10^12 euros the float's
        # spacing is far under a cent, so no other number of cents shares its repr).
        if -1e12 < value < 1e12:
            cents = round(value * 100)
            if cents / 100 == value:
                return bounded_cents(cents, value)
    elif kind is int:
        return bounded_cents(value * 100, value)
    elif kind is str:
        match = _FRENCH_AMOUNT.fullmatch(value.strip())
        if match:
            units = match.group(1).replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
            if len(units) <= 15:  # parse_money's bound (MAX_UNIT_DIGITS); longer ones get its sentence
                return int(units) * 100 + int((match.group(2) or "").ljust(2, "0"))
    return parse_cell("money", value)


def _date_cell(value: Any) -> Any:
    kind = type(value)
    if kind is datetime:
        return value.date()
    if kind is date:
        return value
    if kind is str:
        match = _NUMERIC_DATE.fullmatch(value.strip())
        if match:
            try:
                return date(_full_year(match.group(3)), int(match.group(2)), int(match.group(1)))
            except ValueError:
                pass  # parse_cell names the date that does not exist
    return parse_cell("date", value)


def _number_cell(kind: str) -> Any:
    def number(value: Any) -> Any:
        if type(value) in (int, float):
            return _whole_number(kind, value)
        return parse_cell(kind, value)

    return number


def _remembering(parse: Any, copy: Any = None) -> Any:
    """parse, each distinct text of the column read once (statuses, dates, amounts, SIRETs come back row after
    row in a large sheet); a text's CellError is not kept (raised again each time it is read)."""
    seen: dict[str, Any] = {}

    def parse_once(value: Any) -> Any:
        if type(value) is not str:  # 1, 1.0 and True are one key of a dictionary, yet three different cells
            return parse(value)
        found = seen.get(value, _NOT_PARSED)
        if found is _NOT_PARSED:
            found = seen[value] = parse(value)
        return copy(found) if copy is not None and found is not None else found

    return parse_once


def cell_parser(kind: str) -> Any:
    """parse_cell(kind, value) as a function of the value alone, chosen once for a column: the usual cells (text,
    a number, a date, a French amount or date as text) read without the dispatch, each distinct text of a column
    of codes, dates or amounts read once; anything else through parse_cell itself."""
    parse, remembered, copy = _parts(kind)
    return _remembering(parse, copy) if remembered else parse


def text_column_reader(kind: str) -> tuple[Any, dict[str, Any] | None, Any]:
    """cell_parser(kind) taken apart for a column whose cells are all non-empty texts (a CSV's): the parser of one
    text, the dictionary where each distinct text's value is to be kept (None: free texts, not kept) and the copy
    each row gets of a kept value (None: the value itself). read_cells looks each text up itself, sparing the
    remembering parser's call for each of a large CSV's million cells; a CellError is never kept."""
    parse, remembered, copy = _parts(kind)
    return parse, ({} if remembered else None), copy


def _parts(kind: str) -> tuple[Any, bool, Any]:
    """A column's parser of one cell, whether its texts are remembered, and the copy each row gets of a value."""
    if kind == "text":
        return _text_cell, False, None
    if kind == "money":
        return _money_cell, True, None
    if kind == "date":
        return _date_cell, True, None
    if kind in ("int", "year"):
        return _number_cell(kind), True, None
    if kind == "list":
        return (lambda value: parse_cell(kind, value)), True, list  # each row gets its own list
    return (lambda value: parse_cell(kind, value)), True, None
