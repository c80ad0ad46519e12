"""Importing associations, quartiers, or actions with their fundings from a spreadsheet: columns matched by the
names people use, every row checked and previewed (line, column, reason) before one all-or-nothing write."""
from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable

from peewee import DatabaseError

from cvdesk.domain.dates import format_date
from cvdesk.domain.identifiers import digits_only
from cvdesk.domain.money import MAX_CENTS, MoneyError, parse_money
from cvdesk.domain.status import STATUS_LABELS, STATUSES
from cvdesk.exchange.cells import restore
from cvdesk.exchange.errors import Cancelled, ExchangeError
from cvdesk.exchange.sheet_reader import Sheet, read_sheet
from cvdesk.services.actions import FundingInput, save_action
from cvdesk.services.associations import _normalise as normalise_association, save_association
from cvdesk.services.quartiers import save_quartier
from cvdesk.services.records import SaveResult
from cvdesk.services.validation import validate_action, validate_association, validate_quartier
from cvdesk.store.backups import backup_before_import
from cvdesk.store.errors import WRITE_FAILED, describe_write_error
from cvdesk.store.models import Action, Association, Commune, Funder, Orientation, Quartier, db


def fold(text: Any) -> str:
    """A name reduced to compare: no accents, no case, no punctuation ("N° SIRET" -> "n siret")."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str  # text | siret | rna | money | int | year | date | bool | status | list
    aliases: tuple[str, ...] = ()
    required: bool = False


ASSOCIATION_FIELDS = (
    Field("name", "Nom", "text", ("Nom", "Nom de l'association", "Association", "Raison sociale", "Dénomination",
                                  "Porteur", "Structure"), True),
    Field("acronym", "Sigle", "text", ("Sigle", "Acronyme")),
    Field("siret", "SIRET", "siret", ("SIRET", "Code SIRET", "N° SIRET", "Numéro SIRET", "No SIRET")),
    Field("siren", "SIREN", "siret", ("SIREN", "N° SIREN", "Numéro SIREN")),
    Field("rna", "RNA", "rna", ("RNA", "N° RNA", "Numéro RNA", "Numéro W", "N° W", "Numéro d'association")),
    Field("legal_form", "Forme juridique", "text", ("Forme juridique", "Statut juridique", "Forme")),
    Field("address", "Adresse", "text", ("Adresse", "Adresse postale")),
    Field("postcode", "Code postal", "text", ("Code postal", "CP")),
    Field("city", "Commune", "text", ("Commune", "Ville", "Localité")),
    Field("phone", "Téléphone", "text", ("Téléphone", "Tél", "Tel")),
    Field("email", "Courriel", "text", ("Courriel", "E-mail", "Email", "Mail", "Adresse électronique")),
    Field("website", "Site web", "text", ("Site web", "Site internet", "Site")),
    Field("president", "Président", "text", ("Président", "Présidente", "Président(e)")),
    Field("contact_name", "Contact", "text", ("Contact", "Personne à contacter", "Référent")),
    Field("notes", "Notes", "text", ("Notes", "Remarques", "Observations", "Commentaire")),
    Field("active", "Active", "bool", ("Active", "Actif", "En activité")),
)

QUARTIER_FIELDS = (
    Field("code", "Code", "text", ("Code", "Code quartier", "Code QPV", "Code QP", "QPV", "Code du quartier"), True),
    Field("name", "Nom", "text", ("Nom", "Nom du quartier", "Quartier", "Libellé"), True),
    Field("population", "Population", "int", ("Population", "Habitants", "Nombre d'habitants", "Pop")),
    Field("communes", "Communes", "list", ("Communes", "Commune", "Ville", "Villes")),
    Field("notes", "Notes", "text", ("Notes", "Remarques", "Observations")),
)

ACTION_FIELDS = (
    Field("reference", "Référence", "text", ("Référence", "Réf", "Référence de l'action", "Code action",
                                             "N° action", "Numéro de l'action", "N° de dossier", "Dossier"), True),
    Field("title", "Intitulé", "text", ("Intitulé", "Titre", "Libellé", "Intitulé de l'action", "Nom de l'action",
                                        "Action")),
    Field("year", "Année", "year", ("Année", "Exercice", "Année de programmation", "Millésime")),
    Field("orientation", "Orientation", "int", ("Orientation", "N° orientation", "Orientation stratégique")),
    Field("porteur", "Porteur", "text", ("Porteur", "Association", "Structure porteuse", "Porteur de projet",
                                         "Bénéficiaire")),
    Field("porteur_siret", "SIRET du porteur", "siret", ("SIRET du porteur", "SIRET porteur", "SIRET",
                                                         "Code SIRET", "N° SIRET")),
    Field("status", "Statut", "status", ("Statut", "État", "Etat du dossier")),
    Field("total_cost", "Coût total", "money", ("Coût total", "Coût", "Budget", "Budget total", "Coût de l'action")),
    Field("description", "Description", "text", ("Description", "Descriptif", "Résumé")),
    Field("start_date", "Date de début", "date", ("Date de début", "Début", "Date début")),
    Field("end_date", "Date de fin", "date", ("Date de fin", "Fin", "Date fin")),
    Field("quartiers", "Quartiers", "list", ("Quartiers", "QPV", "Codes QPV", "Quartiers ciblés")),
    Field("funder", "Financeur", "text", ("Financeur", "Financeurs", "Cofinanceur", "Partenaire financeur")),
    Field("requested", "Demandé", "money", ("Montant demandé", "Demandé", "Demande", "Subvention demandée")),
    Field("granted", "Accordé", "money", ("Montant accordé", "Accordé", "Voté", "Montant voté", "Attribué",
                                          "Montant attribué", "Subvention accordée")),
    Field("paid", "Versé", "money", ("Montant versé", "Versé", "Payé", "Montant payé")),
    Field("decision_date", "Date de décision", "date", ("Date de décision", "Décision", "Date du vote")),
)

IMPORTS: dict[str, tuple[str, tuple[Field, ...]]] = {
    "associations": ("Associations", ASSOCIATION_FIELDS),
    "quartiers": ("Quartiers", QUARTIER_FIELDS),
    "actions": ("Actions et leurs financements", ACTION_FIELDS),
}


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def sentence(self, path: Path) -> str:
        where = f", colonne « {self.column} »" if self.column else ""
        return f"{path}, ligne {self.line}{where} : {self.reason}"


@dataclass
class _Item:
    line: int
    values: dict[str, Any]
    existing_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class SheetPreview:
    path: Path
    kind: str
    encoding: str
    mapping: list[tuple[str, str | None]]  # each header and the field it feeds (None: ignored)
    missing: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.missing and not self.errors

    @property
    def created(self) -> int:
        return sum(1 for item in self.items if item.existing_id is None)

    @property
    def updated(self) -> int:
        return sum(1 for item in self.items if item.existing_id is not None)

    def lines(self) -> list[str]:
        label = IMPORTS[self.kind][0]
        out = [f"{self.path} ({self.encoding}) : {self.rows} ligne(s) de données, import « {label} »."]
        out.append("Colonnes reconnues :")
        for header, target in self.mapping:
            out.append(f"  {header or '(sans titre)'} → {target or 'ignorée'}")
        for name in self.missing:
            out.append(f"Colonne obligatoire absente : {name}.")
        if self.errors:
            out.append(f"{len(self.errors)} erreur(s) ; rien ne sera écrit :")
            out.extend(f"  ligne {e.line}" + (f", colonne « {e.column} »" if e.column else "") + f" : {e.reason}"
                       for e in self.errors[:200])
        else:
            out.append(f"Prêt : {self.created} à créer, {self.updated} à mettre à jour.")
        return out

    def first_error(self) -> str:
        if self.missing:
            return (f"Le fichier {self.path} n'a pas de colonne « {self.missing[0]} » "
                    f"(noms reconnus : {', '.join(self._aliases(self.missing[0]))}).")
        sentence = "Le fichier " + self.errors[0].sentence(self.path)
        if len(self.errors) > 1:
            sentence = sentence.rstrip(".") + f" ({len(self.errors)} erreurs en tout)."
        return sentence

    def _aliases(self, label: str) -> list[str]:
        return [a for f in IMPORTS[self.kind][1] if f.label == label for a in f.aliases][:4]


def _match_columns(header: list[str], fields: tuple[Field, ...]) -> tuple[dict[str, int], list[tuple[str, str | None]]]:
    by_alias: dict[str, Field] = {}
    for f in fields:
        for alias in (f.label, *f.aliases):
            by_alias.setdefault(fold(alias), f)
    positions: dict[str, int] = {}
    mapping: list[tuple[str, str | None]] = []
    for index, name in enumerate(header):
        target = by_alias.get(fold(name))
        if target is not None and target.key not in positions:
            positions[target.key] = index
            mapping.append((name, target.label))
        else:
            mapping.append((name, None))
    return positions, mapping


class _Bad(ValueError):
    """A cell that cannot be read; str() is the reason."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return format_date(value)
    return restore(str(value).strip())


def _bounded_cents(cents: int, shown: Any) -> int:
    """Cents that a money field of a form would accept too (a spreadsheet cell can hold 1E+300)."""
    if abs(cents) > MAX_CENTS:
        raise _Bad(f"le montant {shown} est trop grand pour être enregistré")
    return cents


def _parse(kind: str, value: Any) -> Any:
    """A cell as the database holds it; raises _Bad with a French reason. Empty cells are None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind == "text":
        return _text(value)
    if kind == "list":
        return [part.strip() for part in re.split(r"[,;/\n]", _text(value)) if part.strip()]
    if kind == "siret":
        return digits_only(_text(value))
    if kind == "rna":
        return _text(value).replace(" ", "").upper()
    if kind == "money":
        if isinstance(value, bool):
            raise _Bad("un montant est attendu")
        if isinstance(value, int):
            return _bounded_cents(value * 100, value)
        if isinstance(value, (float, Decimal)):
            try:
                exact = Decimal(repr(value)) if isinstance(value, float) else value
                cents = exact.scaleb(2)
                if cents != cents.to_integral_value():
                    raise _Bad(f"le montant {value} a plus de deux décimales")
                return _bounded_cents(int(cents), value)
            except (InvalidOperation, OverflowError, ValueError):
                raise _Bad(f"« {value} » n'est pas un montant") from None
        try:
            return parse_money(_text(value))
        except MoneyError as exc:
            raise _Bad(str(exc).rstrip(".")) from None
    if kind in ("int", "year"):
        if isinstance(value, bool):
            raise _Bad("un nombre entier est attendu")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int):
            number = value
            if abs(number) >= 10**15:
                raise _Bad(f"le nombre {number} est trop grand")
        else:
            text = _text(value).replace(" ", "").replace("\u00a0", "")
            if not re.fullmatch(r"-?\d{1,15}", text):
                raise _Bad(f"« {_text(value)} » n'est pas un nombre entier")
            number = int(text)
        if kind == "year" and not 2000 <= number <= 2100:
            raise _Bad(f"{number} n'est pas une année entre 2000 et 2100")
        if number < 0:
            raise _Bad("un nombre négatif n'a pas de sens ici")
        return number
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value)
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise _Bad(f"« {text} » n'est pas une date (jj/mm/aaaa)")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        word = fold(_text(value))
        if word in ("oui", "o", "vrai", "true", "1", "x", "yes", "active", "actif"):
            return True
        if word in ("non", "n", "faux", "false", "0", "no", "inactive", "inactif"):
            return False
        raise _Bad(f"« {_text(value)} » : oui ou non est attendu")
    if kind == "status":
        word = fold(_text(value))
        for code in STATUSES:
            if word in (fold(code), fold(STATUS_LABELS[code])):
                return code
        raise _Bad(f"le statut « {_text(value)} » n'existe pas (par exemple : {', '.join(list(STATUS_LABELS.values())[:4])}…)")
    raise AssertionError(kind)


def _cells(sheet: Sheet, positions: dict[str, int], fields: tuple[Field, ...],
           errors: list[RowError]) -> list[tuple[int, dict[str, Any]]]:
    parsed = []
    for line, cells in sheet.rows:
        values: dict[str, Any] = {}
        for f in fields:
            index = positions.get(f.key)
            if index is None:
                continue
            raw = cells[index] if index < len(cells) else None
            try:
                values[f.key] = _parse(f.kind, raw)
            except _Bad as exc:
                errors.append(RowError(line, sheet.header[index], str(exc) + "."))
        parsed.append((line, values))
    return parsed


def _header_of(sheet: Sheet, positions: dict[str, int], key: str) -> str:
    index = positions.get(key)
    return sheet.header[index] if index is not None else ""


def _service_errors(line: int, sheet: Sheet, positions: dict[str, int], fields: tuple[Field, ...],
                    errors_by_field: dict[str, str], out: list[RowError]) -> None:
    labels = {f.key: f.label for f in fields}
    for key, message in errors_by_field.items():
        column = _header_of(sheet, positions, key) or labels.get(key, "")
        out.append(RowError(line, column, message))


def _prepare_associations(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    by_siret = {a.siret: a.id for a in Association.select(Association.id, Association.siret)
                .where((Association.deleted == False) & (Association.siret != ""))}  # noqa: E712
    by_name = {fold(a.name): a.id for a in Association.select(Association.id, Association.name)
               .where(Association.deleted == False)}  # noqa: E712
    seen: dict[str, int] = {}
    for line, values in _cells(sheet, positions, ASSOCIATION_FIELDS, preview.errors):
        values = {k: ("" if v is None and k != "active" else v) for k, v in values.items()}
        if values.get("active") is None:
            values.pop("active", None)
        if not values.get("name"):
            preview.errors.append(RowError(line, _header_of(sheet, positions, "name"), "le nom est obligatoire."))
            continue
        key = values.get("siret") or fold(values["name"])
        if key in seen:
            preview.errors.append(RowError(line, "", f"cette association figure déjà ligne {seen[key]}."))
            continue
        seen[key] = line
        existing = by_siret.get(values.get("siret", "")) or by_name.get(fold(values["name"]))
        clean = normalise_association(values)
        record = Association.get_by_id(existing) if existing else None
        _service_errors(line, sheet, positions, ASSOCIATION_FIELDS, validate_association(clean, record), preview.errors)
        preview.items.append(_Item(line, clean, existing))


def _prepare_quartiers(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    communes = {fold(c.name): c.id for c in Commune.select().where(Commune.deleted == False)}  # noqa: E712
    by_code = {q.code: q.id for q in Quartier.select().where(Quartier.deleted == False)}  # noqa: E712
    seen: dict[str, int] = {}
    for line, values in _cells(sheet, positions, QUARTIER_FIELDS, preview.errors):
        code = (values.get("code") or "").upper()
        if not code:
            preview.errors.append(RowError(line, _header_of(sheet, positions, "code"), "le code est obligatoire."))
            continue
        if code in seen:
            preview.errors.append(RowError(line, "", f"le quartier {code} figure déjà ligne {seen[code]}."))
            continue
        seen[code] = line
        values["code"] = code
        names = values.pop("communes", None)
        commune_ids = None
        if names is not None:
            commune_ids = []
            for name in names:
                if fold(name) not in communes:
                    preview.errors.append(RowError(line, _header_of(sheet, positions, "communes"),
                                                   f"la commune « {name} » n'existe pas dans la base."))
                else:
                    commune_ids.append(communes[fold(name)])
        clean = {k: ("" if v is None and k in ("name", "notes") else v) for k, v in values.items()}
        if clean.get("population") is None:
            clean.pop("population", None)
        existing = by_code.get(code)
        record = Quartier.get_by_id(existing) if existing else None
        _service_errors(line, sheet, positions, QUARTIER_FIELDS, validate_quartier(clean, record), preview.errors)
        preview.items.append(_Item(line, clean, existing, {"communes": commune_ids}))


ACTION_KEYS = ("reference", "title", "year", "orientation", "porteur", "status", "total_cost", "description",
               "start_date", "end_date")


def _prepare_actions(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    orientations = {o.number: o.id for o in Orientation.select().where(Orientation.deleted == False)}  # noqa: E712
    porteurs_by_name = {fold(a.name): a.id for a in Association.select().where(Association.deleted == False)}  # noqa: E712
    porteurs_by_siret = {a.siret: a.id for a in Association.select().where(
        (Association.deleted == False) & (Association.siret != ""))}  # noqa: E712
    funders: dict[str, int] = {}
    for f in Funder.select().where(Funder.deleted == False):  # noqa: E712
        funders.setdefault(fold(f.name), f.id)
        if f.short_name:
            funders.setdefault(fold(f.short_name), f.id)
    quartiers = {q.code: q.id for q in Quartier.select().where(Quartier.deleted == False)}  # noqa: E712
    by_reference = {a.reference: a.id for a in Action.select().where(Action.deleted == False)}  # noqa: E712
    groups: dict[str, _Item] = {}
    col = lambda key: _header_of(sheet, positions, key)  # noqa: E731
    for line, values in _cells(sheet, positions, ACTION_FIELDS, preview.errors):
        reference = values.get("reference")
        if not reference:
            preview.errors.append(RowError(line, col("reference"), "la référence de l'action est obligatoire."))
            continue
        item = groups.get(reference)
        if item is None:
            action_values: dict[str, Any] = {}
            for key in ACTION_KEYS:
                if key not in positions or key == "porteur":
                    continue
                value = values.get(key)
                if value is None and key in ("title", "description"):
                    value = ""
                if key == "orientation" and value is not None:
                    if value not in orientations:
                        preview.errors.append(RowError(line, col(key), f"l'orientation n° {value} n'existe pas."))
                        continue
                    value = orientations[value]
                if key in ("total_cost", "status", "year") and value is None:
                    continue
                action_values[key] = value
            if "porteur" in positions or "porteur_siret" in positions:
                siret, name = values.get("porteur_siret"), values.get("porteur")
                porteur = porteurs_by_siret.get(siret) if siret else None
                if porteur is None and name:
                    porteur = porteurs_by_name.get(fold(name))
                if porteur is None and (siret or name):
                    preview.errors.append(RowError(line, col("porteur") or col("porteur_siret"),
                                                   f"le porteur « {name or siret} » n'existe pas dans la base "
                                                   "(importez d'abord les associations)."))
                action_values["porteur"] = porteur
            quartier_ids = None
            if "quartiers" in positions:
                quartier_ids = []
                for code in values.get("quartiers") or []:
                    if code.upper() not in quartiers:
                        preview.errors.append(RowError(line, col("quartiers"), f"le quartier {code} n'existe pas."))
                    else:
                        quartier_ids.append(quartiers[code.upper()])
            existing = by_reference.get(reference)
            if existing is None and "year" not in action_values:
                preview.errors.append(RowError(line, col("year") or "Année", "l'année est obligatoire pour une "
                                                                            "nouvelle action."))
            record = Action.get_by_id(existing) if existing else None
            _service_errors(line, sheet, positions, ACTION_FIELDS, validate_action(action_values, record),
                            preview.errors)
            item = _Item(line, action_values, existing,
                         {"quartiers": quartier_ids, "fundings": [] if "funder" in positions else None})
            groups[reference] = item
            preview.items.append(item)
        if "funder" in positions and values.get("funder"):
            funder = funders.get(fold(values["funder"]))
            if funder is None:
                preview.errors.append(RowError(line, col("funder"), f"le financeur « {values['funder']} » n'existe pas."))
                continue
            if any(line_.funder_id == funder for line_ in item.extra["fundings"]):
                preview.errors.append(RowError(line, col("funder"), f"le financeur « {values['funder']} » figure "
                                                                    f"deux fois pour l'action {reference}."))
                continue
            item.extra["fundings"].append(FundingInput(
                funder, requested=values.get("requested") or 0, granted=values.get("granted"),
                paid=values.get("paid"), decision_date=values.get("decision_date")))


_PREPARE: dict[str, Callable[[Sheet, dict[str, int], SheetPreview], None]] = {
    "associations": _prepare_associations,
    "quartiers": _prepare_quartiers,
    "actions": _prepare_actions,
}
_SAVE: dict[str, Callable[[_Item], SaveResult]] = {
    "associations": lambda item: save_association(item.values, item.existing_id),
    "quartiers": lambda item: save_quartier(item.values, item.existing_id, item.extra["communes"]),
    "actions": lambda item: save_action(item.values, item.existing_id, item.extra["quartiers"],
                                        item.extra["fundings"]),
}


def register_kind(kind: str, prepare: Callable[[Sheet, dict[str, int], SheetPreview], None],
                  save: Callable[[_Item], SaveResult]) -> None:
    """Another kind of sheet (cvdesk.exchange.reference_import): how its rows are checked, and how one is written."""
    _PREPARE[kind] = prepare
    _SAVE[kind] = save


def preview_sheet(path: Path, kind: str) -> SheetPreview:
    """Read and check the file without writing: the column mapping, what would be created or updated, the errors."""
    if kind not in IMPORTS:
        raise ExchangeError(f"On ne peut importer que : {', '.join(IMPORTS)} (pas « {kind} »).")
    sheet = read_sheet(Path(path))
    fields = IMPORTS[kind][1]
    positions, mapping = _match_columns(sheet.header, fields)
    if kind == "actions" and "funder" not in positions:
        # Amounts belong to a funding line: without a Financeur column they cannot say whose they are.
        funding_keys = {"requested", "granted", "paid", "decision_date"}
        labels = {f.label for f in fields if f.key in funding_keys and f.key in positions}
        for key in funding_keys:
            positions.pop(key, None)
        mapping = [(h, "ignorée (pas de colonne Financeur)" if t in labels else t) for h, t in mapping]
    preview = SheetPreview(sheet.path, kind, sheet.encoding or "XLSX", mapping, rows=len(sheet.rows))
    preview.missing = [f.label for f in fields if f.required and f.key not in positions]
    if not preview.missing:
        _PREPARE[kind](sheet, positions, preview)
    preview.errors.sort(key=lambda e: e.line)
    return preview


class _Refused(Exception):
    """A row that could not be written; str() is the sentence for the user."""


def _refusal(path: Path, line: int, message: str) -> str:
    reason = message.removeprefix(WRITE_FAILED)
    if reason != message:  # the database refused the write (a full disk…), not the row's values
        return f"L'import du fichier {path} a échoué à la ligne {line} : {reason}"
    return f"Le fichier {path}, ligne {line} : {message} Rien n'a été écrit."


def apply_sheet(preview: SheetPreview, progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> SheetPreview:
    """Write a checked preview through the services, in one transaction; refused whole on the first error.

    cancelled() is asked before each row, inside the transaction: Cancelled rolls every written row back."""
    if not preview.ok:
        raise ExchangeError(preview.first_error())
    backup_before_import()
    failure: str | None = None
    total = len(preview.items)
    try:
        with db.atomic():
            for done, item in enumerate(preview.items):
                if cancelled is not None and cancelled():
                    raise Cancelled()
                if progress is not None and done % 50 == 0:
                    progress(done, total)
                result = _SAVE[preview.kind](item)
                if not result.ok:
                    failure = _refusal(preview.path, item.line, next(iter(result.errors.values())))
                    raise _Refused(failure)
    except _Refused:
        pass
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        # On a full disk SQLite has already rolled the whole transaction back, so the rollback on the way out fails
        # in turn ("no transaction is active"): the failure noted before it is the one to tell.
        if failure is None:
            reason = describe_write_error(exc).removeprefix(WRITE_FAILED)
            failure = f"L'import du fichier {preview.path} a échoué : {reason}"
    if failure is not None:
        raise ExchangeError(failure)
    return preview


def import_sheet(path: Path, kind: str) -> SheetPreview:
    return apply_sheet(preview_sheet(path, kind))


# The reference records' kinds (communes, orientations, funders, envelopes) register themselves on import; they use
# the helpers above, so they are loaded last.
from cvdesk.exchange import reference_import  # noqa: E402,F401
