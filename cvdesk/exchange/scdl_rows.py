"""Reading the rows of a subsidies file in the SCDL format: each row one grant, its cells checked, its doubtful
identifiers left out and told once per kind of problem."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from cvdesk.domain.dates import format_date
from cvdesk.domain.identifiers import check_rna, check_siren, check_siret
from cvdesk.domain.money import format_money
from cvdesk.exchange.cell_values import CellError, parse_cell
from cvdesk.exchange.scdl_columns import SCDL_FIELDS
from cvdesk.exchange.sheet_fields import fold
from cvdesk.exchange.sheet_preview import RowError, SheetPreview, header_of
from cvdesk.exchange.sheet_reader import Sheet

GRANTED, REFUSED, PENDING = "granted", "refused", "pending"
_FIELDS = {f.key: f for f in SCDL_FIELDS}
_IDENTIFIERS = ("funder_siret", "beneficiary_siret", "beneficiary_rna")
# What publishers write in a cell they have nothing for (the Aube: « Ne rien indiquer »), read as an empty cell.
_PLACEHOLDERS = frozenset({"ne rien indiquer", "neant", "sans objet", "non renseigne", "nc", "n c", "na", "n a"})
_PLACEHOLDER_LENGTH = max(map(len, _PLACEHOLDERS)) + 8  # room for spaces and dots (« N.C. »)
_PLACEHOLDER_STARTS = frozenset(c for p in _PLACEHOLDERS for c in (p[0], p[0].upper()))
_YEAR_SOURCES = ("year", "convention_date", "decision_date")


@dataclass
class Grant:
    """One row of the file, read: one attribuant's grant to one beneficiary (amounts in cents, its share applied)."""

    line: int
    funder_name: str
    funder_siret: str
    funder_siren: str  # when the file gives a SIREN where the SIRET goes (the Nièvre)
    beneficiary_name: str
    beneficiary_siret: str
    beneficiary_siren: str
    beneficiary_rna: str
    year: int
    title: str
    outcome: str
    requested: int
    granted: int | None
    decision_date: date | None
    start_date: date | None
    end_date: date | None
    cost: int | None
    note: str


@dataclass(eq=False)
class Pending:
    """A funder or an association the grants point to: already in the base (id known), or to be created (its id
    is set when the import writes it, before the actions that need it)."""

    name: str
    id: int | None = None



# ---- reading a row ---------------------------------------------------------------------------------------------

def parse_share(value: Any) -> Decimal | None:
    """The beneficiary's share of the grant as a fraction: « 1.00 », « 0,45 », « 45 % » or « 100 » (the format's
    first files wrote percents); CellError with a French reason otherwise. Empty: None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    shown = parse_cell("text", value)  # raises for a cell the file does not hold (a formula without its value)
    if isinstance(value, bool):
        raise CellError(f"« {shown} » n'est pas un pourcentage")
    percent = False
    if isinstance(value, (int, float)):
        number = Decimal(repr(value))
    else:
        text = shown.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        percent = text.endswith("%")
        try:
            number = Decimal(text.rstrip("%").replace(",", "."))
        except InvalidOperation:
            raise CellError(f"« {shown} » n'est pas un pourcentage") from None
        if not number.is_finite():
            raise CellError(f"« {shown} » n'est pas un pourcentage")
    if percent or number > 1:
        number /= 100
    if not 0 < number <= 1:
        raise CellError(f"la part du bénéficiaire « {shown} » doit être comprise entre 0 et 100 %")
    return number


def _outcome(text: str) -> str | None:
    """What statutLabel says of the request; None for a word the format does not know."""
    word = _folded(text)
    if "refus" in word or "inelig" in word:
        return REFUSED
    if "instruction" in word or "intruction" in word or "en cours" in word:
        return PENDING
    if "attribu" in word or "accord" in word or "vote" in word:
        return GRANTED
    return None


def _note(values: dict[str, Any], share: Decimal | None, total: int | None) -> str:
    """What the funding line keeps of the row, so that a grant can be traced back to its decision."""
    parts = []
    if values.get("decision_reference"):
        parts.append(f"décision {values['decision_reference']}")
    if values.get("grant_id"):
        parts.append(f"subvention {values['grant_id']}")
    if values.get("convention_date"):
        parts.append(f"convention du {format_date(values['convention_date'])}")
    if share is not None and share < 1 and total is not None:
        parts.append(f"{(share * 100).normalize():f} % d'une subvention de {format_money(total)}".replace(".", ","))
    if values.get("nature") and _folded(values["nature"]) != _folded("aide en numéraire"):
        parts.append(values["nature"])
    if values.get("scheme"):
        parts.append(f"dispositif {values['scheme']}")
    if values.get("payment_period"):
        parts.append(f"versement {values['payment_period']}")
    return "SCDL : " + " ; ".join(parts) if parts else ""


_VALUES = re.compile(r"«[^»]*»|\d[\d.,E+ ]*")  # what a reason quotes of a cell: « … » or digits


class _Told:
    """Points to check said once per column and reason, with the number of rows that repeat them: a publisher's own
    SIRET written as a float on each of its 200 rows is one point, not 200."""

    def __init__(self, preview: SheetPreview) -> None:
        self.preview = preview
        self.first: dict[tuple[str, str], int] = {}
        self.more: Counter[tuple[str, str]] = Counter()

    def warn(self, line: int, column: str, reason: str, alike: bool = False) -> None:
        """alike: the reason names a cell's value, and the same reason for other values is the same point (each
        SIRET of a column written « 8,30E+13 »); it is said with its first value."""
        key = (column, _VALUES.sub("…", reason) if alike else reason)
        if key in self.first:
            self.more[key] += 1
            return
        self.first[key] = len(self.preview.warnings)
        self.preview.warnings.append(RowError(line, column, reason))

    def close(self) -> None:
        for key, more in self.more.items():
            told = self.preview.warnings[self.first[key]]
            self.preview.warnings[self.first[key]] = RowError(
                told.line, told.column, f"{told.reason.rstrip('.')} ; de même sur {more} autre(s) ligne(s).")


# Identifiers checked once each per import: a funder's SIRET comes back on every one of its rows, and a check
# (Luhn keys by python-stdnum) costs about 0.2 ms, 20 s over a national file.
def _luhn(digits: str) -> bool:
    total = 0
    for place, char in enumerate(reversed(digits)):
        value = (ord(char) - 48) * (1 + place % 2)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


@lru_cache(maxsize=65536)
def _checked_siret(value: str) -> str | None:
    """check_siret, its common case first: 14 digits whose SIRET and SIREN keys hold are valid for it too (La
    Poste's rule only accepts more); anything else gets check_siret's answer and sentence."""
    if len(value) == 14 and value.isascii() and value.isdigit() and _luhn(value) and _luhn(value[:9]):
        return None
    return check_siret(value)


_checked_siren = lru_cache(maxsize=65536)(check_siren)
_checked_rna = lru_cache(maxsize=65536)(check_rna)


def _identifiers(line: int, values: dict[str, Any], column: Any, told: _Told) -> None:
    """SIRETs and RNA checked; a valid SIREN where a SIRET goes is kept as a SIREN; anything else is left out and
    told (the row is then recognised by its other identifier or its name)."""
    for key, check in (("funder_siret", _checked_siret), ("beneficiary_siret", _checked_siret),
                       ("beneficiary_rna", _checked_rna)):
        value = values.get(key)
        if not value:
            continue
        if key.endswith("siret") and len(value) == 9 and _checked_siren(value) is None:
            values[key.replace("siret", "siren")] = value
            values[key] = None
            continue
        problem = check(value)
        if problem:
            told.warn(line, column(key), f"{problem.rstrip('.')} : il n'est pas enregistré (à vérifier).", alike=True)
            values[key] = None


# Short values that come back row after row (a status, a nature, a funder's name) folded once each.
_folded = lru_cache(maxsize=4096)(fold)


def _mapped(positions: dict[str, int]) -> tuple[tuple[str, str, int], ...]:
    """The file's columns the import reads, in the format's order: (field, kind of value, place in the row)."""
    return tuple((key, f.kind, positions[key]) for key, f in _FIELDS.items() if key in positions)


_PARSED: dict[tuple[str, type, Any], Any] = {}
_OWN_TO_EACH_ROW = frozenset({"object", "grant_id", "decision_reference"})  # read as they come: kept, never met again
_PARSED_MAX = 200_000


def _parsed(kind: str, raw: Any) -> Any:
    """parse_cell, each distinct cell of a kind read once: an attribuant's name and SIRET, the year, the status, the
    nature, a decision date come back on thousands of rows. Keyed by the cell's type too (True is 1, 1.0 is 1 for a
    dictionary, not for parse_cell); a cell's CellError is kept and raised again."""
    key = (kind, raw.__class__, raw)
    found = _PARSED.get(key, _PARSED)
    if found is _PARSED:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        try:
            found = parse_cell(kind, raw)
        except CellError as exc:
            found = exc
        _PARSED[key] = found
    if isinstance(found, CellError):
        raise CellError(*found.args)  # a new one each time: a raised exception keeps its traceback
    return found


_DATED = ("convention_date", "decision_date")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(20\d\d|2100)(?!\d)")


def _year_only(raw: Any) -> int | None:
    """The year a date cell holds when it holds only a year (« 2014 », 2014, 2014.0), else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str) and re.fullmatch(r"\s*\d{4}\s*", raw):
        raw = int(raw)
    return raw if isinstance(raw, int) and 2000 <= raw <= 2100 else None


def _payment_year(text: str | None) -> int | None:
    """The first year a payment date or period names (« 16/12/2022 », « 2022-01-01/2022-12-31 »)."""
    found = _YEAR_IN_TEXT.search(text) if text else None
    return int(found.group(1)) if found else None


@dataclass
class _Continuation:
    """A row that only gives a payment date or period: the rest of the grant on the row above."""

    line: int
    payment: str


NO_OBJECT = "Subvention sans objet indiqué"


def _read_row(line: int, cells: list[Any], sheet: Sheet, positions: dict[str, int],
              preview: SheetPreview, told: _Told, mapped: tuple[tuple[str, str, int], ...] | None = None
              ) -> Grant | _Continuation | None:
    """The row as a grant, or None after its errors were noted; doubtful identifiers are left out with a warning
    (the beneficiary is then recognised by its other identifier or its name)."""
    column = lambda key: header_of(sheet, positions, key) or _FIELDS[key].label  # noqa: E731
    errors_before = len(preview.errors)
    values: dict[str, Any] = {}
    share: Decimal | None = None
    width = len(cells)
    years: dict[str, int] = {}  # a date column holding only a year (the Loire-Atlantique's conventions)
    for key, kind, index in mapped or _mapped(positions):
        raw = cells[index] if index < width else None
        if raw is None or raw == "":  # most cells of a 40-column file: read as parse_cell reads them, at once
            values[key] = None
            continue
        if key in _DATED and (only := _year_only(raw)) is not None:
            years[key], values[key] = only, None
            told.warn(line, column(key), "cette date n'est qu'une année : la date reste vide, l'année sert d'exercice "
                                         "si le fichier n'en donne pas (à vérifier).")
            continue
        # (Only a short text starting as a placeholder does is folded: not each SIRET, amount or name.)
        if (isinstance(raw, str) and len(raw) <= _PLACEHOLDER_LENGTH and raw.lstrip()[:1] in _PLACEHOLDER_STARTS
                and _folded(raw) in _PLACEHOLDERS):
            values[key] = None
            continue
        try:
            if key == "share":
                share = parse_share(raw)
            elif key == "year" and isinstance(raw, (date, datetime)):
                values[key] = raw.year
            elif key in _OWN_TO_EACH_ROW:
                values[key] = parse_cell(kind, raw)
            else:
                values[key] = _parsed(kind, raw)
        except CellError as exc:
            if key in _IDENTIFIERS:
                told.warn(line, column(key), f"{exc} : il n'est pas enregistré (à vérifier).", alike=True)
            else:
                reason = str(exc)  # (« 0 n'est pas une année… » reads as a sentence once it says what the 0 is)
                preview.errors.append(RowError(line, column(key), f"{'' if reason[:1].isalpha() else 'la valeur '}"
                                                                  f"{reason}."))
    _identifiers(line, values, column, told)
    if not any(values.get(key) for key in ("beneficiary_name", "beneficiary_siret", "beneficiary_siren",
                                           "beneficiary_rna")):
        # A grant to nobody named (the Haute-Garonne's « via l'association » line) cannot be an action of a porteur:
        # set aside and told, as a totals row is, rather than refusing every other grant of the file.
        del preview.errors[errors_before:]
        if not any(values.get(key) for key in ("amount", "requested", "object")):
            # Not a grant at all: a second payment date on a row of its own under its grant (the Pyrénées-Orientales
            # write each instalment so), or a row whose only cells the import does not read.
            payment = values.get("payment_period")
            if payment and _folded(payment):  # (« / » says nothing)
                return _Continuation(line, payment)
            told.warn(line, column("beneficiary_name"), "cette ligne ne porte aucune subvention (ni bénéficiaire, ni "
                                                        "montant, ni objet) : elle est ignorée.")
            return None
        told.warn(line, column("beneficiary_name"), "cette subvention ne nomme aucun bénéficiaire (ni nom, ni SIRET, "
                                                    "ni RNA) : elle n'est pas importée (à vérifier).")
        return None
    if not values.get("funder_name"):
        preview.errors.append(RowError(line, column("funder_name"), "le nom de l'attribuant est obligatoire."))
    # A beneficiary given by its SIRET, SIREN or RNA alone (16 rows of the Loire-Atlantique's) takes the name the file
    # or the base gives that identifier elsewhere: _named_beneficiaries, once every row is read.
    values["beneficiary_name"] = values.get("beneficiary_name") or ""
    if not values.get("object"):
        # A publication may leave the object blank (the Pyrénées-Orientales, 16 of their grants): the grant is still
        # a grant; its action is named after its line, so that two of one beneficiary stay two, and told.
        values["object"] = f"{NO_OBJECT} (ligne {line})"
        told.warn(line, column("object"), f"l'objet de la subvention n'est pas indiqué : son action est intitulée "
                                          f"« {NO_OBJECT} » suivi du numéro de sa ligne, à renommer (à vérifier).")
    year = values.get("year")
    if year is None:
        # SCDL 1.x has no exercise: the convention's year, else the decision's, is the grant's.
        known = values.get("convention_date") or values.get("decision_date")
        if known is not None:
            year = known.year
        elif years:
            year = years.get("convention_date") or years["decision_date"]
        elif (paid := _payment_year(values.get("payment_period"))) is not None:
            # Toulouse Métropole dates only the payments: the payment's year is the grant's, to check.
            year = paid
            told.warn(line, column("payment_period"), "ni exercice, ni date de convention ou de décision : "
                                                      "l'exercice est pris de la date de versement (à vérifier).")
        elif all(key in values or key not in positions for key in _YEAR_SOURCES):  # (a misread date is told)
            preview.errors.append(RowError(line, column("year"), "l'exercice est introuvable : ni exercice "
                                                                 "budgétaire, ni date de convention, ni date de "
                                                                 "décision."))
    outcome = GRANTED
    if values.get("status"):
        outcome = _outcome(values["status"]) or GRANTED
        if _outcome(values["status"]) is None:
            told.warn(line, column("status"), f"le statut « {values['status']} » n'est pas un de ceux du format : la "
                                              "subvention est lue comme attribuée (à vérifier).")
    amount = values.get("amount")
    if "amount" in values and amount is None and outcome == GRANTED:  # (an unreadable amount is an error, told)
        told.warn(line, column("amount"), "le montant n'est pas indiqué : la ligne du plan de financement est "
                                          "importée sans montant accordé (à vérifier).")
    if len(preview.errors) > errors_before:
        return None
    granted = None
    if outcome == REFUSED:
        granted = 0
    elif outcome == GRANTED and amount is not None:
        exact = Decimal(amount) * (share if share is not None else 1)
        granted = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    requested = values.get("requested")
    if requested is None:
        # The format gives the request only since 2.1: a grant is taken as what was asked.
        requested = granted if granted else (amount or 0)
    return Grant(line, values["funder_name"], values.get("funder_siret") or "", values.get("funder_siren") or "",
                 values["beneficiary_name"], values.get("beneficiary_siret") or "",
                 values.get("beneficiary_siren") or "", values.get("beneficiary_rna") or "", year,
                 values["object"], outcome, requested, granted,
                 values.get("decision_date") or values.get("convention_date"), values.get("start_date"),
                 values.get("end_date"), values.get("cost"), _note(values, share, amount))


