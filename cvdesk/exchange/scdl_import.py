"""Importing a subsidies file in the SCDL format (versions 1.x and 2.x, and what local authorities publish as such):
each row is one grant of one attribuant to one beneficiary; they become funders, associations, and one action per
(beneficiary, object, year) with a funding line per attribuant, previewed before one all-or-nothing write."""
from __future__ import annotations

import dataclasses

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from cvdesk.domain.dates import format_date
from cvdesk.domain.funders import FUNDER_KINDS
from cvdesk.domain.identifiers import check_rna, check_siren, check_siret
from cvdesk.domain.money import format_money
from cvdesk.domain.status import ACCORDEE, EN_INSTRUCTION, REFUSEE
from cvdesk.exchange import sheet_import
from cvdesk.exchange.cell_values import CellError, parse_cell
from cvdesk.exchange.merge_plan import collector_paused
from cvdesk.exchange.scdl_columns import SCDL_FIELDS
from cvdesk.exchange.scdl_write import save_one, write_new
from cvdesk.exchange.sheet_fields import IMPORTS, fold
from cvdesk.exchange.sheet_preview import Item, RowError, SheetPreview, header_of
from cvdesk.exchange.sheet_reader import Sheet
from cvdesk.services.actions import REFERENCE_SHAPE, propose_reference
from cvdesk.services.associations import _normalise as normalise_association
from cvdesk.services.reference import normalise_funder
from cvdesk.services.reference_order import next_funder_position
from cvdesk.services.validation import max_length, validate_action, validate_association, validate_funder
from cvdesk.store.models import Action, Association, Funder, Funding, db

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


@dataclass
class _Line:
    """One funder's line in an action's plan, summed over the rows that give it."""

    lines: list[int]
    requested: int
    granted: int | None
    decision_date: date | None
    notes: list[str]


@dataclass
class _Group:
    """The rows that make one action: one beneficiary, one object, one year."""

    grants: list[Grant]
    porteur: Pending
    lines: dict[Pending, _Line] = field(default_factory=dict)


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


# ---- funders and associations ----------------------------------------------------------------------------------

_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("caf", r"\bcaf\b|caisse d allocations? familiales?"),
    ("fse", r"\bfse\b|fonds? social europeen"),
    ("fipd", r"\bfipd\b|prevention de la delinquance"),
    ("region", r"\bregion\b|conseil regional"),
    ("departement", r"\bdepartement\b|conseil departemental|conseil general|\bdepartemental\b"),
    ("epci", r"\bmetropole\b|communaute d agglomeration|communaute de communes|communaute urbaine|\bagglomeration\b"
             r"|\bagglo\b|\bepci\b"),
    ("bailleur", r"\bhabitat\b|\bhlm\b|\boph\b|\bbailleur|\blogement"),
    ("commune", r"^ville\b|\bville de\b|\bcommune\b|\bmairie\b|\bccas\b"),
    ("etat", r"\betat\b|\bprefecture\b|\bprefet\b|\bministere\b|\bddets\b|\bdreets\b|\banct\b|\bdrac\b"),
)
# The first digits of a public body's SIREN tell its kind when its name does not: 21 communes, 22 départements,
# 23 régions, 24 groupements of communes, 1 the State's services.
_SIREN_KINDS = (("21", "commune"), ("22", "departement"), ("23", "region"), ("24", "epci"), ("1", "etat"))


def guess_funder_kind(name: str, siret: str = "") -> str:
    """The funder kind a name (« Conseil départemental du Nord », « Ville de Poitiers ») or else a SIRET suggests."""
    words = fold(name)
    for kind, pattern in _KIND_WORDS:
        if re.search(pattern, words):
            return kind
    for prefix, kind in _SIREN_KINDS:
        if siret.startswith(prefix):
            return kind
    return "autre"


_NAME_NOISE = frozenset({"association", "asso", "assoc", "l", "la", "le", "les", "de", "des", "du", "d", "et",
                         "a", "au", "aux", "en"})


@lru_cache(maxsize=65536)  # an association's name comes back on each of its grants
def name_key(name: str) -> str:
    """An association's name as compared: folded, without « association » nor articles (« Association Les Petits
    Débrouillards » and « LES PETITS DEBROUILLARDS » give the same key)."""
    words = [word for word in fold(name).split() if word not in _NAME_NOISE]
    return " ".join(words) or fold(name)


class _Funders:
    """The attribuants: found by SIRET, then by name or short name, else created once (kind guessed)."""

    def __init__(self, preview: SheetPreview, sheet: Sheet, positions: dict[str, int], told: _Told) -> None:
        self.preview, self.sheet, self.positions, self.told = preview, sheet, positions, told
        self.known: dict[int, Pending] = {}
        self.by_siret: dict[str, int] = {}
        self.by_siren: dict[str, int] = {}
        self.by_name: dict[str, tuple[int, str]] = {}
        for funder_id, name, short_name, siret, siren in (
                Funder.select(Funder.id, Funder.name, Funder.short_name, Funder.siret, Funder.siren)
                .where(Funder.deleted == False).tuples()):  # noqa: E712
            self.known[funder_id] = Pending(name, funder_id)
            if siret:
                self.by_siret.setdefault(siret, funder_id)
            if siren or siret:
                self.by_siren.setdefault(siren or siret[:9], funder_id)
            for text in (name, short_name):
                if text:
                    self.by_name.setdefault(fold(text), (funder_id, siret))
        self.new_by_siret: dict[str, Pending] = {}
        self.new_by_name: dict[str, Pending] = {}
        self.items: list[Item] = []
        self.position = next_funder_position()

    def _warn(self, line: int, reason: str) -> None:
        self.told.warn(line, header_of(self.sheet, self.positions, "funder_name"), reason)

    def find(self, grant: Grant) -> Pending | None:
        siret, siren, key = grant.funder_siret, grant.funder_siren, _folded(grant.funder_name)
        if siret and siret in self.by_siret:
            return self.known[self.by_siret[siret]]
        if siren and siren in self.by_siren:
            return self.known[self.by_siren[siren]]
        if key in self.by_name:
            funder_id, base_siret = self.by_name[key]
            if siret and base_siret and base_siret != siret:
                self._warn(grant.line, f"le financeur « {grant.funder_name} » de la base a le SIRET {base_siret}, "
                                       f"le fichier dit {siret} : la subvention lui est rattachée (à vérifier).")
            return self.known[funder_id]
        found = self.new_by_siret.get(siret) if siret else None
        if found is None:
            found = self.new_by_name.get(key)
        if found is not None:
            return found
        kind = guess_funder_kind(grant.funder_name, siret or siren)
        values = normalise_funder({"name": grant.funder_name, "kind": kind, "position": self.position,
                                   **({"siret": siret} if siret else {}), **({"siren": siren} if siren else {})})
        errors = validate_funder(values, None)
        if errors:
            for reason in errors.values():
                self.preview.errors.append(RowError(grant.line, header_of(self.sheet, self.positions, "funder_name"),
                                                    reason))
            return None
        self.position += 1
        pending = Pending(grant.funder_name)
        self.items.append(Item(grant.line, values, None, {"record": "funder", "pending": pending}))
        if siret:
            self.new_by_siret[siret] = pending
        self.new_by_name[key] = pending
        self._warn(grant.line, f"le financeur « {grant.funder_name} » n'est pas dans la base : il sera créé, "
                               f"catégorie « {FUNDER_KINDS[kind]} » (à vérifier).")
        return pending


class _Beneficiaries:
    """The associations: found by SIRET (or the SIREN a file gives instead), then RNA, then name (a doubtful match
    is told), else created once. Two of one name whose SIRENs differ are two legal entities (the CCAS of two
    communes), never one."""

    def __init__(self, preview: SheetPreview, sheet: Sheet, positions: dict[str, int], told: _Told) -> None:
        self.preview, self.sheet, self.positions, self.told = preview, sheet, positions, told
        self.known: dict[int, Pending] = {}
        self.siret_of: dict[Pending, str] = {}
        self.siren_of: dict[Pending, str] = {}
        self.by_siret: dict[str, Pending] = {}
        self.by_siren: dict[str, Pending] = {}
        self.by_rna: dict[str, Pending] = {}
        self.by_name: dict[str, list[Pending]] = {}
        for association_id, name, siret, siren, rna in (
                Association.select(Association.id, Association.name, Association.siret, Association.siren,
                                   Association.rna)
                .where(Association.deleted == False).order_by(Association.id).tuples()):  # noqa: E712
            self._index(Pending(name, association_id), name, siret, siren or siret[:9], rna)
        self.items: list[Item] = []
        self.first_line: dict[Pending, int] = {}

    def _index(self, found: Pending, name: str, siret: str, siren: str, rna: str) -> None:
        if found.id is not None:
            self.known[found.id] = found
        self.siret_of.setdefault(found, siret)
        self.siren_of.setdefault(found, siren)
        for book, value in ((self.by_siret, siret), (self.by_siren, siren), (self.by_rna, rna)):
            if value:
                book.setdefault(value, found)
        if found not in self.by_name.setdefault(name_key(name), []):
            self.by_name[name_key(name)].append(found)

    def _warn(self, grant: Grant, reason: str) -> None:
        self.told.warn(grant.line, header_of(self.sheet, self.positions, "beneficiary_name"), reason)

    def _by_identifier(self, grant: Grant, found: Pending, by: str) -> Pending:
        # The file's name for it is known from now on: a later row of that name without identifier (the Mayenne list
        # their conventions twice, the second time without SIRET) goes to it too, told as found by its name.
        if found not in self.by_name.setdefault(name_key(grant.beneficiary_name), []):
            self.by_name[name_key(grant.beneficiary_name)].append(found)
        if name_key(found.name) != name_key(grant.beneficiary_name):
            value = {"SIRET": grant.beneficiary_siret, "SIREN": grant.beneficiary_siren}.get(by, grant.beneficiary_rna)
            where = "dans la base" if found.id is not None else f"ligne {self.first_line[found]}"
            self._warn(grant, f"subvention rattachée à « {found.name} » ({where}) par son {by} {value} ; le fichier "
                              f"nomme le bénéficiaire « {grant.beneficiary_name} » (à vérifier).")
        return found

    def _by_name(self, grant: Grant, found: Pending) -> Pending:
        siret, known_siret = grant.beneficiary_siret, self.siret_of[found]
        clash = (f" alors que leurs SIRET diffèrent ({siret} dans le fichier, {known_siret} "
                 f"{'dans la base' if found.id is not None else 'ligne ' + str(self.first_line[found])})"
                 if siret and known_siret and siret != known_siret else "")
        if found.id is not None:
            self._warn(grant, f"subvention rattachée à « {found.name} » de la base par son seul nom{clash} "
                              "(à vérifier).")
        elif clash:
            # Within the file, one name without identifiers on some rows is one beneficiary; two establishments of one
            # SIREN are told.
            self._warn(grant, f"subvention rattachée à « {found.name} », à créer ligne {self.first_line[found]}, par "
                              f"son nom{clash} (à vérifier).")
        return found

    def find(self, grant: Grant) -> Pending | None:
        siret, siren, rna = grant.beneficiary_siret, grant.beneficiary_siren, grant.beneficiary_rna
        own_siren = siret[:9] if siret else siren
        if siret and siret in self.by_siret:
            return self._by_identifier(grant, self.by_siret[siret], "SIRET")
        if siren and siren in self.by_siren:
            return self._by_identifier(grant, self.by_siren[siren], "SIREN")
        if rna and rna in self.by_rna:
            return self._by_identifier(grant, self.by_rna[rna], "RNA")
        # The base's associations of that name first, then those the file creates.
        for found in sorted(self.by_name.get(name_key(grant.beneficiary_name), []), key=lambda f: f.id is None):
            if own_siren and self.siren_of[found] and self.siren_of[found] != own_siren:
                continue  # a homonym: another legal entity
            found = self._by_name(grant, found)
            self._index(found, grant.beneficiary_name, siret, own_siren, rna)
            return found
        values = normalise_association({"name": grant.beneficiary_name, "siret": siret, "rna": rna,
                                        **({"siren": siren} if siren else {})})
        # Its identifiers were checked on reading the row (_identifiers, once each): not again here.
        errors = validate_association({k: v for k, v in values.items() if k not in ("siret", "siren", "rna")}, None)
        if errors:
            for reason in errors.values():
                self.preview.errors.append(RowError(grant.line, header_of(self.sheet, self.positions,
                                                                          "beneficiary_name"), reason))
            return None
        pending = Pending(grant.beneficiary_name)
        self.items.append(Item(grant.line, values, None, {"record": "association", "pending": pending}))
        self.first_line[pending] = grant.line
        self._index(pending, grant.beneficiary_name, siret, own_siren, rna)
        return pending


def _named_beneficiaries(grants: list[Grant], beneficiaries: _Beneficiaries, preview: SheetPreview, told: _Told,
                         column: str) -> list[Grant]:
    """The grants whose beneficiary has no name take the one the file gives its identifier on another row, else the
    base's; one the file and the base leave unnamed is an error of its line."""
    if all(grant.beneficiary_name for grant in grants):
        return grants
    named: dict[tuple[str, str], tuple[str, int]] = {}
    for grant in grants:
        if grant.beneficiary_name:
            siren = grant.beneficiary_siret[:9] if grant.beneficiary_siret else grant.beneficiary_siren
            for key in (("siret", grant.beneficiary_siret), ("siren", siren), ("rna", grant.beneficiary_rna)):
                if key[1]:
                    named.setdefault(key, (grant.beneficiary_name, grant.line))
    kept: list[Grant] = []
    for grant in grants:
        if grant.beneficiary_name:
            kept.append(grant)
            continue
        siren = grant.beneficiary_siret[:9] if grant.beneficiary_siret else grant.beneficiary_siren
        keys = (("siret", grant.beneficiary_siret), ("siren", siren), ("rna", grant.beneficiary_rna))
        found = next((named[key] for key in keys if key[1] and key in named), None)
        if found is not None:
            name, where = found[0], f"ligne {found[1]}"
        else:
            books = {"siret": beneficiaries.by_siret, "siren": beneficiaries.by_siren, "rna": beneficiaries.by_rna}
            known = next((books[kind][value] for kind, value in keys if value and value in books[kind]), None)
            if known is None:
                preview.errors.append(RowError(grant.line, column, "le nom du bénéficiaire est obligatoire (son "
                                                                   "identifiant n'est nommé nulle part ailleurs)."))
                continue
            name, where = known.name, "dans la base"
        told.warn(grant.line, column, f"le bénéficiaire n'a pas de nom sur cette ligne : il est « {name} », nommé "
                                      f"ainsi {where} pour le même identifiant (à vérifier).", alike=True)
        kept.append(dataclasses.replace(grant, beneficiary_name=name))
    return kept


# ---- actions ---------------------------------------------------------------------------------------------------

class _References:
    """References for the new actions, as the window proposes them (« 2017-VM-041 » after 2017-VM-040), each used
    once."""

    def __init__(self) -> None:
        self.series: dict[int, list[Any]] = {}
        self.taken: set[str] = set()

    def new(self, year: int) -> str:
        if year not in self.series:
            match = REFERENCE_SHAPE.fullmatch(propose_reference(year))
            assert match is not None  # propose_reference writes year-CODE-number
            self.series[year] = [match.group(2), len(match.group(3)), int(match.group(3))]
            self.taken.update(reference for (reference,) in db.execute_sql(
                'SELECT reference FROM "action" WHERE reference >= ? AND reference < ? AND deleted = 0',
                (f"{year}-", f"{year}.")))
        series = self.series[year]
        code, width, number = series
        while f"{year}-{code}-{number:0{width}d}" in self.taken:
            number += 1
        reference = f"{year}-{code}-{number:0{width}d}"
        self.taken.add(reference)
        series[2] = number + 1
        return reference


def _title(text: str) -> str:
    cap = max_length(Action, "title") or 255
    return text if len(text) <= cap else text[:cap - 1].rstrip() + "…"


def _add_line(group: _Group, funder: Pending, grant: Grant, preview: SheetPreview, column: str) -> None:
    line = group.lines.get(funder)
    if line is None:
        group.lines[funder] = _Line([grant.line], grant.requested, grant.granted, grant.decision_date,
                                    [grant.note] if grant.note else [])
        return
    # One plan has one line per funder: a second grant of the same funder to the same action is added to the
    # first, and said, never dropped.
    preview.warnings.append(RowError(grant.line, column, f"« {grant.beneficiary_name} » reçoit une autre subvention "
                                                         f"de « {funder.name} » pour « {grant.title} » "
                                                         f"(ligne {line.lines[0]}) : les montants sont additionnés "
                                                         "sur une même ligne du plan de financement (à vérifier)."))
    line.lines.append(grant.line)
    line.requested += grant.requested
    if grant.granted is not None:
        line.granted = (line.granted or 0) + grant.granted
    if grant.decision_date is not None and (line.decision_date is None or grant.decision_date > line.decision_date):
        line.decision_date = grant.decision_date
    if grant.note:
        line.notes.append(grant.note)


def _amounts(line: _Line) -> dict[str, Any]:
    return {"requested": line.requested, "granted": line.granted, "decision_date": line.decision_date,
            "notes": "\n".join(line.notes)}


def _status(group: _Group) -> str:
    outcomes = {grant.outcome for grant in group.grants}
    if GRANTED in outcomes:
        return ACCORDEE
    return EN_INSTRUCTION if PENDING in outcomes else REFUSEE


def _new_action(group: _Group, references: _References, preview: SheetPreview, sheet: Sheet,
                positions: dict[str, int]) -> Item | None:
    first = group.grants[0]
    values: dict[str, Any] = {"reference": references.new(first.year), "title": _title(first.title),
                              "year": first.year, "status": _status(group),
                              "description": first.title if _title(first.title) != first.title else ""}
    for key in ("start_date", "end_date", "cost"):
        given = next((getattr(g, key) for g in group.grants if getattr(g, key) is not None), None)
        if given is not None:
            values["total_cost" if key == "cost" else key] = given
    # The reference was proposed free and short (_References read the year's taken ones once, and writes
    # year-CODE-number): no query per action for it, nor its length.
    errors = validate_action({k: v for k, v in values.items() if k != "reference"}, None)
    errors.pop("reference", None)
    if errors:
        for name, reason in errors.items():
            column = header_of(sheet, positions, {"title": "object", "total_cost": "cost"}.get(name, name))
            preview.errors.append(RowError(first.line, column, reason))
        return None
    lines = [(funder, _amounts(line)) for funder, line in group.lines.items()]
    return Item(first.line, values, None, {"record": "action", "porteur": group.porteur, "lines": lines})


def _updated_action(group: _Group, action_id: int, funders: _Funders, preview: SheetPreview,
                    column: str) -> Item | None:
    """The base's action with the file's lines put in its plan; None when the plan already says all of it."""
    plan: dict[Pending, dict[str, Any]] = {}
    for funding in Funding.select().where((Funding.action == action_id) & (Funding.deleted == False)):  # noqa: E712
        funder = funders.known.get(funding.funder_id) or Pending(str(funding.funder_id), funding.funder_id)
        plan[funder] = {"requested": funding.requested, "granted": funding.granted, "paid": funding.paid,
                        "decision_date": funding.decision_date, "notes": funding.notes}
    changed = False
    reference = Action.get_by_id(action_id).reference
    for funder, line in group.lines.items():
        given = _amounts(line)
        current = plan.get(funder)
        if current is None:
            plan[funder] = given
            changed = True
        elif current["granted"] != given["granted"]:
            shown = lambda cents: "rien" if cents is None else format_money(cents)  # noqa: E731
            preview.warnings.append(RowError(line.lines[0], column, f"l'action {reference} : le montant accordé par "
                                                                    f"« {funder.name} » passe de "
                                                                    f"{shown(current['granted'])} à "
                                                                    f"{shown(given['granted'])} (à vérifier)."))
            plan[funder] = {**current, "granted": given["granted"],
                            "requested": current["requested"] or given["requested"],
                            "decision_date": given["decision_date"] or current["decision_date"],
                            "notes": current["notes"] or given["notes"]}
            changed = True
    if not changed:
        return None
    return Item(group.grants[0].line, {}, action_id, {"record": "action", "porteur": group.porteur,
                                                       "lines": list(plan.items())})


def prepare_scdl(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    """Check every row and plan the writes: new funders, then new associations, then the actions."""
    # The grants, groups and items hold no cycle, yet the cycle collector would walk them over and over as they
    # pile up (a third of the checking of 100,000 grants): paused meanwhile, as the merge does.
    try:
        with collector_paused():
            _prepare(sheet, positions, preview)
    finally:
        _PARSED.clear()


def _prepare(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    told = _Told(preview)
    grants: list[Grant] = []
    above: Grant | None = None  # the grant of the row above, which a payment row continues
    payments = header_of(sheet, positions, "payment_period")
    mapped = _mapped(positions)
    for line, cells in sheet.rows:
        read = _read_row(line, cells, sheet, positions, preview, told, mapped)
        if isinstance(read, _Continuation):
            if above is None:
                told.warn(line, payments, "cette ligne ne donne qu'une date ou période de versement, sans bénéficiaire, "
                                          "montant ni objet, sous aucune subvention : elle est ignorée (à vérifier).")
                continue
            above.note = (f"{above.note} ; puis" if above.note else "SCDL :") + f" versement {read.payment} (ligne {line})"
            told.warn(line, payments, "cette ligne ne donne qu'une date ou période de versement, sans bénéficiaire, "
                                      "montant ni objet : c'est la suite de la subvention de la ligne au-dessus, dont "
                                      "la ligne du plan de financement reçoit ce versement dans sa note ; ce n'est pas "
                                      "une subvention de plus.")
            continue
        above = read
        if read is not None:
            grants.append(read)
    funders = _Funders(preview, sheet, positions, told)
    beneficiaries = _Beneficiaries(preview, sheet, positions, told)
    grants = _named_beneficiaries(grants, beneficiaries, preview, told, header_of(sheet, positions, "beneficiary_name")
                                  or _FIELDS["beneficiary_name"].label)
    groups: dict[tuple[Pending, str, int], _Group] = {}
    column = header_of(sheet, positions, "object")
    for grant in grants:
        funder, porteur = funders.find(grant), beneficiaries.find(grant)
        if funder is None or porteur is None:
            continue
        key = (porteur, fold(_title(grant.title)), grant.year)
        group = groups.setdefault(key, _Group([], porteur))
        group.grants.append(grant)
        _add_line(group, funder, grant, preview, column)
    existing: dict[tuple[int, str, int], int] = {}
    for action_id, porteur_id, title, year in (Action.select(Action.id, Action.porteur, Action.title, Action.year)
                                               .where((Action.deleted == False) & Action.porteur.is_null(False))  # noqa: E712
                                               .order_by(Action.id).tuples()):
        existing.setdefault((porteur_id, fold(title), year), action_id)
    references = _References()
    actions: list[Item] = []
    unchanged: list[_Group] = []
    for (porteur, title_key, year), group in groups.items():
        action_id = existing.get((porteur.id, title_key, year)) if porteur.id is not None else None
        if action_id is None:
            item = _new_action(group, references, preview, sheet, positions)
        else:
            item = _updated_action(group, action_id, funders, preview, column)
            if item is None:
                unchanged.append(group)
        if item is not None:
            actions.append(item)
    if unchanged:
        # A file imported twice changes nothing; say so, or an empty preview would look like a file not read.
        others = sum(len(group.grants) for group in unchanged) - 1
        preview.warnings.append(RowError(unchanged[0].grants[0].line, column,
                                         f"cette subvention{f' et {others} autre(s)' if others else ''} figure(nt) "
                                         "déjà dans la base à l'identique : rien n'est à changer."))
    told.close()
    preview.items.extend(funders.items + beneficiaries.items + actions)
    preview.warnings.sort(key=lambda w: w.line)


IMPORTS["scdl"] = ("Subventions au format SCDL", SCDL_FIELDS)
sheet_import.register_kind("scdl", prepare_scdl, save_one, write_new)
