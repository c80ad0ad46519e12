"""The checks every incoming package record passes: its shape, then the very rules a form applies.

Two layers, one source of rules:
- shape, column by column at C speed: JSON types, UUIDs, real calendar dates and UTC instants, integers within
  int64, texts without lone surrogates (JSON accepts "\\ud800", SQLite then fails) and within the field length
  caps of cvdesk.services.validation;
- content: the form validators of cvdesk.services.validation, asked about one field (or one pair of fields) at a
  time, once per distinct value, and the code lists of cvdesk.domain (statuses, quartier codes, funder kinds,
  indicator kinds, meeting kinds, pillars, axes, history operations).  Where a column has as many distinct
  values as rows (titles, amounts), a fast test that is exactly the form's rule ("not blank", "not negative")
  clears the column; any value it flags is then asked to the form validator, whose sentence is the one shown.
  A test (tests/exchange/test_record_rules.py) holds both layers to the forms' verdicts.
Uniqueness of codes and references is not checked here: it is a matter between two offices' records, that the
merge meets by UUID; the forms keep checking it when a person types.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import itemgetter
from typing import Any, Callable, Iterable, Mapping, Sequence

from cvdesk.domain.axes import PILLARS, encode_axes
from cvdesk.domain.decisions import MEETING_STATUSES, OUTCOMES
from cvdesk.domain.funders import FUNDER_KINDS
from cvdesk.domain.identifiers import check_quartier_code
from cvdesk.domain.indicators import INDICATORS, parse_indicator
from cvdesk.domain.money import MAX_CENTS, format_money
from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.package_format import TableSpec
from cvdesk.services import validation
from cvdesk.services.history import OPERATIONS
from cvdesk.services.report_data import MEETING_KINDS
from cvdesk.store.models import RECORD_MODELS, Record

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
PACKAGE_RECORD_TYPE = "Paquet"  # the record_type of the history row a merge writes about the package itself
RECORD_TYPES = frozenset({m.__name__ for m in RECORD_MODELS} | {PACKAGE_RECORD_TYPE})
MAX_OFFICE_CHARS = 255

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DATE = r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
DATE_RE = re.compile(_DATE)
UTC_RE = re.compile(_DATE + r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z")
_SURROGATE = re.compile("[\ud800-\udfff]")
_PATTERNS = {"uuid": UUID_RE, "fk": UUID_RE, "utc": UTC_RE, "date": DATE_RE}
_EXPECTED = {"text": "un texte", "int": "un nombre entier", "bool": "true ou false", "uuid": "un UUID",
             "fk": "l'UUID d'un enregistrement", "utc": "une heure UTC (AAAA-MM-JJTHH:MM:SS.ffffffZ)",
             "date": "une date AAAA-MM-JJ"}
_TYPES: dict[str, type] = {"text": str, "int": int, "bool": bool, "uuid": str, "fk": str, "utc": str, "date": str}


def utc_problem(value: Any) -> str | None:
    """None for a well-formed UTC instant of a real day (2024-02-29T08:00:00.000000Z), else why not."""
    if not isinstance(value, str) or "\n" in value or not UTC_RE.fullmatch(value):
        return f"{_EXPECTED['utc']} est attendue, pas {_shown(value)}"
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        return f"le {value[:10]} n'existe pas au calendrier"
    return None


def office_problem(value: Any) -> str | None:
    """None for an office name a manifest may carry, else why not."""
    if not isinstance(value, str) or not value.strip():
        return "un nom de bureau est attendu"
    if _SURROGATE.search(value):
        return "le nom contient un caractère invalide"
    if len(value) > MAX_OFFICE_CHARS:
        return f"le nom dépasse {MAX_OFFICE_CHARS} caractères"
    return None


def printable(text: str) -> str:
    """text as a message may carry it: a lone surrogate (which no console can print) written as \\udXXX."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _shown(value: Any) -> str:
    text = printable(json.dumps(value, ensure_ascii=False))
    return text if len(text) <= 40 else text[:39] + "…"


class RecordRefused(ExchangeError):
    """One field of one record is wrong: the whole package is refused."""


def refuse(where: str, number: int, row: Sequence[Any], key: str, reason: str) -> RecordRefused:
    """The sentence naming the file, the line, the record's UUID (when it is one) and the field."""
    record = row[0] if row and isinstance(row[0], str) and UUID_RE.fullmatch(row[0]) else None
    who = f", enregistrement {record}" if record else ""
    return RecordRefused(f"{where}, ligne {number}{who}, champ « {key} » : {reason.rstrip('.')}.")


# ---- shape, column by column ---------------------------------------------------------------------------------

def _value_problem(model: type[Record], kind: str, null: bool, key: str, value: Any) -> str | None:
    if value is None:
        return None if null else f"{_EXPECTED[kind]} est attendu, pas null"
    if type(value) is not _TYPES[kind]:
        return f"{_EXPECTED[kind]} est attendu, pas {_shown(value)}"
    if kind == "int":
        if not INT_MIN <= value <= INT_MAX:
            return f"le nombre {str(value)[:30]} dépasse ce qu'un entier de 64 bits peut tenir"
        return None
    if kind == "utc":
        return utc_problem(value)
    if kind in _PATTERNS:
        if "\n" in value or not _PATTERNS[kind].fullmatch(value):
            return f"{_EXPECTED[kind]} est attendu, pas {_shown(value)}"
        if kind == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                return f"le {value} n'existe pas au calendrier"
        return None
    if _SURROGATE.search(value):
        return "le texte contient un caractère invalide (une moitié de paire de substitution UTF-16)"
    return _length_problem(model, key, value)


def _length_problem(model: type[Record], key: str, value: str) -> str | None:
    problem = getattr(validation, "text_problem", None)  # a NUL (PostgreSQL refuses it), then the length
    return problem(model, key, value) if problem else None


def _cap(model: type[Record], key: str) -> int | None:
    cap = getattr(validation, "max_length", None)
    return cap(model, key) if cap else None


def _column_ok(model: type[Record], kind: str, null: bool, key: str, values: Sequence[Any], typed: bool = False) -> bool:
    """Whether the whole column is well formed, tested at C speed (sets of types, bounds, one regex). typed: every
    value is known to be of the column's type, or None where the column allows it (package_reader.typed_rows)."""
    if typed:
        if null and None in values:
            values = [v for v in values if v is not None]
    else:
        types = set(map(type, values))
        if type(None) in types:
            if not null:
                return False
            types.discard(type(None))
            values = [v for v in values if v is not None]
        if not types <= {_TYPES[kind]}:
            return False
    if not values:
        return True
    if kind == "int":
        return INT_MIN <= min(values) and max(values) <= INT_MAX
    if kind == "bool":
        return True
    if kind in ("uuid", "fk"):
        return _all_uuids(values)
    if kind == "utc":
        return _all_utc(values)
    if kind in _PATTERNS:
        pattern = _PATTERNS[kind].pattern
        if not re.fullmatch(f"(?:{pattern}\n)*{pattern}", "\n".join(values)):
            return False
        if kind in ("date", "utc"):
            try:
                for day in {v[:10] for v in values}:
                    date.fromisoformat(day)
            except ValueError:
                return False
        return True
    if not _storable("".join(values)):  # lone surrogates, and NUL that PostgreSQL cannot hold
        return False
    cap = _cap(model, key)
    return cap is None or max(map(len, values)) <= cap


def _storable(text: str) -> bool:
    """Whether text holds no character of validation.UNSTORABLE (NUL, a UTF-16 surrogate): it encodes to UTF-8,
    which no surrogate does, and holds no zero byte, which in UTF-8 only NUL gives (some three times faster than
    that regex over a batch's column)."""
    try:
        return b"\x00" not in text.encode("utf-8")
    except UnicodeEncodeError:
        return False


_DAY_AND_HOUR = itemgetter(slice(0, 13))  # value[:13], mapped at C speed
_HEX_DIGITS = b"0123456789abcdef"
_DIGITS = b"0123456789"
# A UTC instant's characters that are no digit, by position: 2024-02-29T08:00:00.000000Z.
_UTC_MARKS = ((4, b"-"), (7, b"-"), (10, b"T"), (13, b":"), (16, b":"), (19, b"."), (26, b"Z"))


def _joined_ascii(values: Sequence[str], width: int) -> bytes | None:
    """The values joined by line breaks, in bytes, if each may be width characters of ASCII (else None): the line
    breaks are then where a column of such values puts them, provided no value holds one (the callers count them)."""
    joined = "\n".join(values)
    count = len(values)
    if len(joined) != (width + 1) * count - 1 or not joined.isascii():
        return None
    data = joined.encode("ascii")
    return data if data[width::width + 1] == b"\n" * (count - 1) else None


def _all_uuids(values: Sequence[str]) -> bool:
    """Whether every value matches UUID_RE, tested on the whole column at once (some eight times faster than the
    regex on the joined column): the hyphens where a UUID has them, and nothing else that is no lower-case
    hexadecimal digit (so no extra line break either: each value is exactly one UUID)."""
    count = len(values)
    data = _joined_ascii(values, 36)
    if data is None or len(data.translate(None, _HEX_DIGITS)) != 5 * count - 1:
        return False
    hyphens = b"-" * count
    return all(data[at::37] == hyphens for at in (8, 13, 18, 23))


def _all_utc(values: Sequence[str]) -> bool:
    """Whether every value matches UTC_RE and names a real day, tested on the whole column at once (as _all_uuids):
    the marks where UTC_RE has them and digits everywhere else, tens of minutes and seconds from 0 to 5, and for each
    distinct day and hour, a day of the calendar (date.fromisoformat) and an hour up to 23."""
    count = len(values)
    data = _joined_ascii(values, 27)
    if data is None or len(data.translate(None, _DIGITS)) != 8 * count - 1:
        return False
    if not all(data[at::28] == mark * count for at, mark in _UTC_MARKS):
        return False
    if data[14::28].translate(None, b"012345") or data[17::28].translate(None, b"012345"):
        return False
    try:
        for hour in set(map(_DAY_AND_HOUR, values)):
            date.fromisoformat(hour[:10])
            if hour[11:] > "23":
                return False
    except ValueError:
        return False
    return True


def check_shape(where: str, spec: TableSpec, first: int, rows: list[tuple[Any, ...]],
                columns: list[tuple[Any, ...]] | None = None, typed: bool = False) -> None:
    """Every value of these rows has its column's type and form; RecordRefused names the first that has not.
    typed: the types are known to be right (see _column_ok); the forms are still checked."""
    if not rows:
        return
    if columns is None:
        columns = list(zip(*rows))
    for n, column in enumerate(spec.columns):
        if _column_ok(spec.model, column.kind, column.null, column.key, columns[n], typed):
            continue
        for offset, value in enumerate(columns[n]):
            problem = _value_problem(spec.model, column.kind, column.null, column.key, value)
            if problem:
                raise refuse(where, first + offset, rows[offset], column.key, problem)


# ---- content: the forms' rules ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """A rule on some fields of a record: check(*values) gives the French reason (with the field's name when
    the rule reads several) or None; fast(column), when set, is True only if every value passes."""

    keys: tuple[str, ...]
    check: Callable[..., str | None]
    fast: Callable[[list[Any]], bool] | None = None
    skip_empty: bool = False  # optional fields: an empty value is not checked


def _validator(model: type[Record]) -> Callable[[Mapping[str, Any], Any], dict[str, str]]:
    found = getattr(validation, "validator_for", None)
    if found is not None:
        return found(model)
    return getattr(validation, f"validate_{model._meta.table_name}", lambda values, existing: {})


def form(model: type[Record], *keys: str) -> Callable[..., str | None]:
    """The form's own verdict on these fields of a new record: its first sentence about them, or None."""
    validate = _validator(model)

    def check(*values: Any) -> str | tuple[str, str] | None:
        errors = validate(dict(zip(keys, values)), None)
        found = next(((k, errors[k]) for k in keys if k in errors), None)
        if found is None or len(keys) == 1:
            return found[1] if found else None
        return found  # several fields: say which one

    return check


def _form_unless_filled(model: type[Record], key: str, filled: Callable[[str], str | None]) -> Callable[..., str | None]:
    """For a code or reference: the form says whether a blank one is allowed (asked only then, since for a filled
    one it would look for another record with it); a filled one is checked by filled()."""
    blank = form(model, key)
    return lambda value: blank(value) if not value.strip() else filled(value)


def _not_blank(column: list[Any]) -> bool:
    return all(map(str.strip, column))


def _not_negative(column: list[Any]) -> bool:
    # filter(None, …) leaves out the NULLs (and the zeros, which pass anyway) at C speed.
    return min(filter(None, column), default=0) >= 0


def _within_money_cap(column: list[Any]) -> bool:
    return max(filter(None, column), default=0) <= MAX_CENTS


def _one_of(allowed: Iterable[str], what: str, empty_ok: bool = False) -> Callable[[Any], str | None]:
    choices = tuple(allowed)

    def check(value: Any) -> str | None:
        if value in choices or (empty_ok and value in (None, "")):
            return None
        return f"{what} {_shown(value)} n'existe pas (possibles : {', '.join(choices)})"

    return check


def _money(value: int | None) -> str | None:
    if value is not None and value > MAX_CENTS:
        return f"le montant dépasse le plus grand montant accepté ({format_money(MAX_CENTS)})"
    return None


def _indicator(kind: str, value: int) -> tuple[str, str] | None:
    """The value as the quartier form reads it (cents or basis points typed with two decimals)."""
    if kind not in INDICATORS:
        return None  # the kind's own rule names it
    typed = ("-" if value < 0 else "") + f"{abs(value) // 100},{abs(value) % 100:02d}"
    try:
        parse_indicator(kind, typed)
    except ValueError as exc:
        return "value", str(exc)
    return None


def _axes(value: str) -> str | None:
    try:
        encode_axes(part for part in value.split(",") if part)
    except ValueError as exc:
        return str(exc)
    return None


def _changes(value: str) -> str | None:
    """A history row's changes: a JSON object giving each field's [old, new] values."""
    try:
        changes = json.loads(value)
    except RecursionError:
        return "imbrication JSON trop profonde"
    except ValueError:
        return "un objet JSON est attendu"
    if not isinstance(changes, dict) or not all(isinstance(v, list) and len(v) == 2 for v in changes.values()):
        return "un objet JSON donnant pour chaque champ [ancienne valeur, nouvelle valeur] est attendu"
    return None


def _changes_fast(column: list[Any]) -> bool:
    try:
        parsed = json.loads("[" + ",".join(column) + "]")
    except (ValueError, RecursionError):
        return False
    return len(parsed) == len(column) and all(
        type(c) is dict and all(type(v) is list and len(v) == 2 for v in c.values()) for c in parsed)


_DIGITS_9 = re.compile(r"[0-9]{9}")
_DIGITS_14 = re.compile(r"[0-9]{14}")
_POSTCODE_PLAIN = re.compile(r"(?!00)[0-9]{5}")
_RNA_PLAIN = re.compile(r"W[0-9A-Z]{9}")
_EMAIL_PLAIN = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_LUHN_DOUBLED = bytes.maketrans(b"0123456789", b"0246813579")  # a digit doubled, its two digits added


def _luhn(digits: str) -> bool:
    """The Luhn key of a string of ASCII digits (as stdnum.luhn checks it). Digits as bytes, so that the sums run
    in C: from the right, every other digit as it is, the others doubled (by a translation table), less the 48 of
    each ASCII code; some five times faster than a loop over the digits."""
    data = digits.encode("ascii")
    return (sum(data[-1::-2]) + sum(data[-2::-2].translate(_LUHN_DOUBLED)) - 48 * len(data)) % 10 == 0


def _plain_identifiers(siret: Any, siren: Any, rna: Any, email: Any, postcode: Any) -> bool:
    """True only for identifiers the association form accepts as they stand: each empty or written plainly (digits
    without spaces or dots, a SIREN that is the SIRET's own, La Poste's establishments left aside), within its
    field's length. Anything else goes to the form itself, which gives the reason: this is a shortcut, never a rule
    (a test holds it to the form)."""
    for value, cap in zip((siret, siren, rna, email, postcode), _identifier_caps()):
        if type(value) is not str or (cap is not None and len(value) > cap):
            return False
    if siret and not (_DIGITS_14.fullmatch(siret) and not siret.startswith("356000000")
                      and _luhn(siret) and _luhn(siret[:9])):
        return False
    if siren and not (_DIGITS_9.fullmatch(siren) and _luhn(siren) and (not siret or siret[:9] == siren)):
        return False
    return ((not rna or _RNA_PLAIN.fullmatch(rna) is not None)
            and (not email or _EMAIL_PLAIN.fullmatch(email) is not None)
            and (not postcode or _POSTCODE_PLAIN.fullmatch(postcode) is not None))


_IDENTIFIER_KEYS = ("siret", "siren", "rna", "email", "postcode")


@cache
def _identifier_caps() -> tuple[int | None, ...]:
    from cvdesk.store.models import Association

    return tuple(_cap(Association, key) for key in _IDENTIFIER_KEYS)


def _identifiers_fast(column: list[Any]) -> bool:
    """Whether the association form would accept every identifier tuple of the column (see _plain_identifiers):
    the form's SIRET check costs some 50 µs a record, this one a few."""
    return all(_plain_identifiers(*values) for values in column)


def _never(value: Any) -> str | None:
    return "un historique ne se supprime pas" if value else None


def _build_rules() -> dict[str, tuple[Rule, ...]]:
    from cvdesk.store.models import (
        Action,
        Association,
        Commune,
        Envelope,
        Funder,
        Funding,
        MeetingItem,
        Orientation,
        Quartier,
    )

    def amounts(model: type[Record], *keys: str) -> list[Rule]:
        out = []
        for key in keys:
            out.append(Rule((key,), form(model, key), _not_negative))
            out.append(Rule((key,), _money, _within_money_cap))
        return out

    def ends_after_start(column: list[Any]) -> bool:
        return not any(start and end and end < start for start, end in column)

    return {
        "orientation": (
            Rule(("title",), form(Orientation, "title"), _not_blank),
            Rule(("number",), form(Orientation, "number")),
            Rule(("pillar",), _one_of(PILLARS, "Le pilier", empty_ok=True)),
        ),
        "commune": (
            Rule(("name",), form(Commune, "name"), _not_blank),
            Rule(("insee_code",), form(Commune, "insee_code"), skip_empty=True),
            Rule(("postcode",), form(Commune, "postcode"), skip_empty=True),
            Rule(("siren",), form(Commune, "siren"), skip_empty=True),  # step 5
            Rule(("departement",), form(Commune, "departement"), skip_empty=True),
            Rule(("population",), form(Commune, "population"), _not_negative),
        ),
        "quartier": (
            Rule(("code",), _form_unless_filled(Quartier, "code", check_quartier_code)),
            Rule(("name",), form(Quartier, "name"), _not_blank),
            Rule(("population",), form(Quartier, "population"), _not_negative),
        ),
        "quartier_indicator": (
            Rule(("kind",), _one_of(INDICATORS, "L'indicateur")),
            Rule(("kind", "value"), _indicator),
        ),
        "association": (
            Rule(("name",), form(Association, "name"), _not_blank),
            # One question to the form per distinct set of identifiers: it also checks that the SIREN is the
            # SIRET's own.
            Rule(_IDENTIFIER_KEYS, form(Association, *_IDENTIFIER_KEYS), _identifiers_fast),
        ),
        "action": (
            # Any filled reference passes (a taken one is the forms' matter): a column without a blank one passes.
            Rule(("reference",), _form_unless_filled(Action, "reference", lambda value: None), _not_blank),
            Rule(("title",), form(Action, "title"), _not_blank),
            Rule(("year",), form(Action, "year")),
            *amounts(Action, "total_cost"),
            Rule(("beneficiaries_planned",), form(Action, "beneficiaries_planned"), _not_negative),
            Rule(("beneficiaries_reached",), form(Action, "beneficiaries_reached"), _not_negative),
            Rule(("start_date", "end_date"), form(Action, "start_date", "end_date"), ends_after_start),
            Rule(("status",), form(Action, "status")),
            Rule(("axes",), _axes, skip_empty=True),
        ),
        "funder": (
            Rule(("name",), form(Funder, "name"), _not_blank),
            Rule(("kind",), _one_of(FUNDER_KINDS, "La catégorie de financeur")),
            # Step 5: the SIRET the SCDL export names as idAttribuant, checked (and held to its SIREN) as the form does.
            Rule(("siren", "siret"), form(Funder, "siren", "siret"), lambda column: not any(any(v) for v in column)),
        ),
        "funding": tuple(amounts(Funding, "requested", "granted", "paid")),
        "envelope": (*amounts(Envelope, "amount"), Rule(("year",), form(Envelope, "year"))),
        "meeting": (Rule(("kind",), _one_of(MEETING_KINDS, "L'instance")),
                    Rule(("status",), _one_of(MEETING_STATUSES, "L'état de réunion"))),
        # Step 6: a decision's code, a partial grant's amounts and what a closing changed (JSON), as the form checks.
        "meeting_item": (Rule(("outcome",), _one_of(OUTCOMES, "La décision", empty_ok=True)),
                         Rule(("amounts",), form(MeetingItem, "amounts"), skip_empty=True),
                         Rule(("applied",), form(MeetingItem, "applied"), skip_empty=True)),
        "history": (
            Rule(("record_type",), _one_of(sorted(RECORD_TYPES), "Le type d'enregistrement")),
            Rule(("operation",), _one_of(OPERATIONS, "L'opération")),
            Rule(("changes",), _changes, _changes_fast),
            Rule(("deleted",), _never, lambda column: not any(column)),
        ),
    }


_RULES: dict[str, tuple[Rule, ...]] | None = None


def rules_for(table: str) -> tuple[Rule, ...]:
    global _RULES
    if _RULES is None:
        _RULES = _build_rules()
    return _RULES.get(table, ())


def check_content(where: str, spec: TableSpec, first: int, rows: list[tuple[Any, ...]],
                  columns: list[tuple[Any, ...]] | None = None) -> None:
    """Every rule of the record type, over the batch; RecordRefused names the first record that breaks one."""
    rules = rules_for(spec.table)
    if not rules or not rows:
        return
    if columns is None:
        columns = list(zip(*rows))
    for rule in rules:
        positions = [spec.index(k) for k in rule.keys]
        if len(positions) == 1:
            column: list[Any] = list(columns[positions[0]])
        else:
            column = list(zip(*(columns[n] for n in positions)))
        if rule.fast is not None and rule.fast(column):
            continue
        # Each distinct value asked once (the first of equal values, as below); only a batch that breaks the rule
        # is walked record by record, for the first that does.
        distinct = dict.fromkeys(column)
        if rule.skip_empty:
            distinct.pop(None, None)
            distinct.pop("", None)
        if len(positions) > 1:
            if not any(rule.check(*value) for value in distinct):
                continue
        elif not any(map(rule.check, distinct)):
            continue
        verdicts: dict[Any, str | tuple[str, str] | None] = {}
        for offset, value in enumerate(column):
            if rule.skip_empty and value in (None, ""):
                continue
            if value not in verdicts:
                verdicts[value] = rule.check(*value) if len(positions) > 1 else rule.check(value)
            verdict = verdicts[value]
            if verdict:
                key, reason = verdict if isinstance(verdict, tuple) else (rule.keys[-1], verdict)
                raise refuse(where, first + offset, rows[offset], key, reason)


def check_records(where: str, spec: TableSpec, first: int, rows: list[tuple[Any, ...]],
                  typed: bool = False) -> list[tuple[Any, ...]]:
    """Shape, then the forms' rules: the whole of what an incoming record must pass. Gives the rows' columns
    (columns[k][r]: the value of column k in row r), which the merge reads and writes from then on. typed: the rows
    come from package_reader.typed_rows, every value of its column's type (or None where the column allows it)."""
    columns = list(zip(*rows))
    check_shape(where, spec, first, rows, columns, typed)
    check_content(where, spec, first, rows, columns)
    return columns
