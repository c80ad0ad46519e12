"""Importing the contract's reference records from a spreadsheet: communes (completed from the official reference),
orientations, funders and envelopes, previewed and refused line by line as associations and actions are."""
from __future__ import annotations

from typing import Any

from cvdesk.domain.axes import PILLARS
from cvdesk.domain.funders import FUNDER_KINDS
from cvdesk.exchange import sheet_import
from cvdesk.exchange.sheet_fields import Field, fold
from cvdesk.exchange.sheet_preview import Item, RowError, SheetPreview, header_of, read_cells, service_errors
from cvdesk.exchange.sheet_reader import Sheet
from cvdesk.services.records import SaveResult
from cvdesk.services.reference import (
    current_contract,
    normalise_commune,
    normalise_funder,
    renumber_orientations,
    save_commune,
    save_envelope,
    save_funder,
    save_orientation,
)
from cvdesk.services.reference_order import next_funder_position, next_orientation_number
from cvdesk.services.validation import (
    validate_commune,
    validate_envelope_in_contract,
    validate_funder,
    validate_orientation,
)
from cvdesk.store.models import Commune, Envelope, Funder, Orientation

COMMUNE_FIELDS = (
    Field("name", "Nom", "text", ("Nom", "Commune", "Nom de la commune", "Ville", "Libellé")),
    Field("insee_code", "Code INSEE", "text", ("Code INSEE", "INSEE", "Code commune", "Code officiel géographique",
                                               "COG", "Code de la commune")),
    Field("postcode", "Code postal", "text", ("Code postal", "CP")),
    Field("departement", "Département", "text", ("Département", "Dép", "Code département")),
    Field("siren", "SIREN", "siret", ("SIREN", "N° SIREN", "SIREN de la commune")),
    Field("population", "Population", "int", ("Population", "Population municipale", "Habitants")),
)

ORIENTATION_FIELDS = (
    Field("number", "N°", "int", ("N°", "Numéro", "No", "N° orientation", "Numéro d'orientation", "Rang")),
    Field("title", "Intitulé", "text", ("Intitulé", "Titre", "Libellé", "Orientation", "Orientation stratégique",
                                        "Intitulé de l'orientation"), True),
    Field("pillar", "Pilier", "text", ("Pilier", "Pilier du contrat")),
)

FUNDER_FIELDS = (
    Field("name", "Nom", "text", ("Nom", "Financeur", "Nom du financeur", "Partenaire", "Partenaire financeur"), True),
    Field("short_name", "Nom court", "text", ("Nom court", "Sigle", "Abréviation", "Nom abrégé")),
    Field("kind", "Catégorie", "text", ("Catégorie", "Type", "Nature", "Catégorie de financeur")),
    Field("siren", "SIREN", "siret", ("SIREN", "N° SIREN")),
    Field("siret", "SIRET", "siret", ("SIRET", "N° SIRET", "idAttribuant", "SIRET de l'attribuant")),
)

ENVELOPE_FIELDS = (
    Field("funder", "Financeur", "text", ("Financeur", "Nom du financeur", "Partenaire"), True),
    Field("year", "Année", "year", ("Année", "Exercice", "Millésime"), True),
    Field("amount", "Montant", "money", ("Montant", "Enveloppe", "Crédits", "Montant de l'enveloppe"), True),
    Field("orientation", "Orientation", "int", ("Orientation", "N° orientation", "Numéro d'orientation")),
    Field("label", "Libellé", "text", ("Libellé", "Objet", "Intitulé")),
)

# What an envelope line cannot leave out, each said with its article (« le montant est obligatoire »).
ENVELOPE_REQUIRED = {"funder": "le financeur est obligatoire.", "year": "l'année est obligatoire.",
                     "amount": "le montant est obligatoire."}


def _error(preview: SheetPreview, line: int, sheet: Sheet, positions: dict[str, int], key: str, reason: str) -> None:
    preview.errors.append(RowError(line, header_of(sheet, positions, key), reason))


def _filled(values: dict[str, Any]) -> dict[str, Any]:
    """The cells filled: an empty cell changes nothing in a record already there, and takes the default in a new one
    (a funders' list without SIRETs must not erase those typed in the base)."""
    return {k: v for k, v in values.items() if v is not None}


def _complete_commune(values: dict[str, Any], preview: SheetPreview, line: int, sheet: Sheet,
                      positions: dict[str, int]) -> bool:
    """Fill what the row leaves out (name, département, SIREN, population, postcode) from the official reference,
    found by INSEE code or else by name (and postcode); False when the row names no commune of the reference."""
    from cvdesk.territory.lookup import ReferenceUnavailable, shared_reference

    try:
        reference = shared_reference()
    except ReferenceUnavailable as exc:
        _error(preview, line, sheet, positions, "insee_code", str(exc))
        return False
    insee = (values.get("insee_code") or "").replace(" ", "").upper()
    if insee:
        found = reference.commune(insee)
        if found is None:
            _error(preview, line, sheet, positions, "insee_code",
                   f"le code INSEE {insee} n'est celui d'aucune commune du référentiel ({reference.source}).")
            return False
    else:
        found = reference.commune_named(values.get("name") or "", values.get("postcode") or "")
        if found is None:
            _error(preview, line, sheet, positions, "name",
                   f"« {values.get('name')} » ne désigne pas une seule commune du référentiel (aucune, ou "
                   "plusieurs portent ce nom) : indiquez son code INSEE ou son code postal.")
            return False
    official = {"insee_code": found.insee, "name": found.name, "departement": found.departement,
                "siren": found.siren or "", "population": found.population_municipale,
                "postcode": found.postcodes[0] if found.postcodes else ""}
    for key, value in official.items():
        if not values.get(key) and value not in (None, ""):
            values[key] = value
    return True


def _prepare_communes(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    if "name" not in positions and "insee_code" not in positions:
        preview.missing.append("Nom")
        return
    live = list(Commune.select().where(Commune.deleted == False))  # noqa: E712
    by_insee = {c.insee_code: c.id for c in live if c.insee_code}
    by_name = {fold(c.name): c.id for c in live}
    seen: dict[str, int] = {}
    for line, values in read_cells(sheet, positions, COMMUNE_FIELDS, preview.errors):
        if not values.get("name") and not values.get("insee_code"):
            _error(preview, line, sheet, positions, "name", "le nom ou le code INSEE de la commune est obligatoire.")
            continue
        if not _complete_commune(values, preview, line, sheet, positions):
            continue
        clean = normalise_commune(_filled(values))
        key = clean["insee_code"]
        if key in seen:
            preview.errors.append(RowError(line, "", f"la commune {key} figure déjà ligne {seen[key]}."))
            continue
        seen[key] = line
        existing = by_insee.get(key) or by_name.get(fold(clean["name"]))
        record = Commune.get_by_id(existing) if existing else None
        service_errors(line, sheet, positions, COMMUNE_FIELDS, validate_commune(clean, record), preview.errors)
        preview.items.append(Item(line, clean, existing))


def _pillar(text: str) -> str | None:
    """The pillar key for what a cell says (« Cohésion sociale », « cadre_de_vie »), else None."""
    word = fold(text)
    for key, label in PILLARS.items():
        if word in (fold(key), fold(label)):
            return key
    return None


def _prepare_orientations(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    contract = current_contract()
    if contract is None:
        preview.errors.append(RowError(sheet.rows[0][0] if sheet.rows else 1, "",
                                       "la base n'a pas encore de contrat : créez-le d'abord (cvdesk contract new), "
                                       "les orientations en font partie."))
        return
    by_number = {o.number: o.id for o in Orientation.select().where(
        (Orientation.contract == contract.id) & (Orientation.deleted == False))}  # noqa: E712
    rows = read_cells(sheet, positions, ORIENTATION_FIELDS, preview.errors)
    # A row without a number comes after the base's orientations and every number the file gives.
    given = [values["number"] for _, values in rows if values.get("number") is not None]
    following = max([next_orientation_number(contract.id) - 1, *given]) + 1
    seen: dict[int, int] = {}
    for line, values in rows:
        if not values.get("title"):
            _error(preview, line, sheet, positions, "title", "l'intitulé de l'orientation est obligatoire.")
            continue
        number = values.get("number")
        if number is None:
            number, following = following, following + 1
        if number in seen:
            _error(preview, line, sheet, positions, "number", f"l'orientation n° {number} figure déjà ligne "
                                                              f"{seen[number]}.")
            continue
        seen[number] = line
        clean: dict[str, Any] = {"contract": contract.id, "number": number, "title": values["title"]}
        if "pillar" in positions:
            pillar = values.get("pillar")
            clean["pillar"] = _pillar(pillar) if pillar else None
            if pillar and clean["pillar"] is None:
                _error(preview, line, sheet, positions, "pillar", f"le pilier « {pillar} » n'existe pas "
                                                                  f"(possibles : {', '.join(PILLARS.values())}).")
                continue
        existing = by_number.get(number)
        record = Orientation.get_by_id(existing) if existing else None
        service_errors(line, sheet, positions, ORIENTATION_FIELDS, validate_orientation(clean, record),
                        preview.errors)
        preview.items.append(Item(line, clean, existing))
    if preview.items:
        # The file's numbers give the order (« 2, 5, 10 »); once all are written, they are numbered 1..n.
        preview.items[-1].extra["renumber"] = contract.id


def _save_orientation(item: Item) -> SaveResult:
    result = save_orientation(item.values, item.existing_id)
    if result.ok and "renumber" in item.extra:
        renumber_orientations(item.extra["renumber"])
    return result


def _funder_kind(text: str) -> str | None:
    """The funder kind for what a cell says: its code (etat), its label, or the label's first words (« État »,
    « Bailleurs sociaux »)."""
    word = fold(text)
    for key, label in FUNDER_KINDS.items():
        short = label.split(" – ")[0].split(" (")[0]
        if word in (fold(key), fold(label), fold(short)):
            return key
    return None


def _prepare_funders(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    live = list(Funder.select().where(Funder.deleted == False))  # noqa: E712
    by_siret = {f.siret: f.id for f in live if f.siret}
    by_name = {fold(f.name): f.id for f in live}
    position = next_funder_position()
    seen: dict[str, int] = {}
    for line, values in read_cells(sheet, positions, FUNDER_FIELDS, preview.errors):
        if not values.get("name"):
            _error(preview, line, sheet, positions, "name", "le nom du financeur est obligatoire.")
            continue
        key = fold(values["name"])
        if key in seen:
            preview.errors.append(RowError(line, "", f"ce financeur figure déjà ligne {seen[key]}."))
            continue
        seen[key] = line
        clean = normalise_funder(_filled(values))
        kind = values.get("kind")
        if kind:
            clean["kind"] = _funder_kind(kind)
            if clean["kind"] is None:
                _error(preview, line, sheet, positions, "kind",
                       f"la catégorie « {kind} » n'existe pas (possibles : {', '.join(FUNDER_KINDS.values())}).")
                continue
        existing = by_siret.get(clean.get("siret", "")) or by_name.get(key)
        if existing is None:
            clean["position"] = position
            position += 1
        record = Funder.get_by_id(existing) if existing else None
        service_errors(line, sheet, positions, FUNDER_FIELDS, validate_funder(clean, record), preview.errors)
        preview.items.append(Item(line, clean, existing))


def _prepare_envelopes(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    funders: dict[str, int] = {}
    for f in Funder.select().where(Funder.deleted == False):  # noqa: E712
        funders.setdefault(fold(f.name), f.id)
        if f.short_name:
            funders.setdefault(fold(f.short_name), f.id)
    contract = current_contract()
    orientations = {o.number: o.id for o in Orientation.select().where(Orientation.deleted == False)  # noqa: E712
                    .where(Orientation.contract == (contract.id if contract else 0))}
    existing_envelopes = {(e.funder_id, e.year, e.orientation_id): e.id
                          for e in Envelope.select().where(Envelope.deleted == False)}  # noqa: E712
    seen: dict[tuple[int, int, int | None], int] = {}
    for line, values in read_cells(sheet, positions, ENVELOPE_FIELDS, preview.errors):
        missing = [f for f in ENVELOPE_FIELDS if f.required and values.get(f.key) is None]
        if missing:
            _error(preview, line, sheet, positions, missing[0].key, ENVELOPE_REQUIRED[missing[0].key])
            continue
        funder = funders.get(fold(values["funder"]))
        if funder is None:
            _error(preview, line, sheet, positions, "funder", f"le financeur « {values['funder']} » n'existe pas "
                                                              "(importez d'abord les financeurs).")
            continue
        orientation = None
        if values.get("orientation") is not None:
            orientation = orientations.get(values["orientation"])
            if orientation is None:
                _error(preview, line, sheet, positions, "orientation",
                       f"l'orientation n° {values['orientation']} n'existe pas.")
                continue
        key = (funder, values["year"], orientation)
        if key in seen:
            preview.errors.append(RowError(line, "", f"cette enveloppe (même financeur, année et orientation) "
                                                     f"figure déjà ligne {seen[key]}."))
            continue
        seen[key] = line
        clean = {"funder": funder, "year": values["year"], "amount": values["amount"], "orientation": orientation,
                 "label": values.get("label") or ""}
        existing = existing_envelopes.get(key)
        record = Envelope.get_by_id(existing) if existing else None
        service_errors(line, sheet, positions, ENVELOPE_FIELDS, validate_envelope_in_contract(clean, record),
                        preview.errors)
        preview.items.append(Item(line, clean, existing))


def _saver(save: Any) -> Any:
    def write(item: Item) -> SaveResult:
        return save(item.values, item.existing_id)
    return write


sheet_import.IMPORTS.update({
    "communes": ("Communes (complétées par le référentiel officiel)", COMMUNE_FIELDS),
    "orientations": ("Orientations stratégiques", ORIENTATION_FIELDS),
    "funders": ("Financeurs", FUNDER_FIELDS),
    "envelopes": ("Enveloppes", ENVELOPE_FIELDS),
})
sheet_import.register_kind("communes", _prepare_communes, _saver(save_commune))
sheet_import.register_kind("orientations", _prepare_orientations, _save_orientation)
sheet_import.register_kind("funders", _prepare_funders, _saver(save_funder))
sheet_import.register_kind("envelopes", _prepare_envelopes, _saver(save_envelope))

# The SCDL subsidies kind registers itself the same way; loaded from here, the last of the kinds sheet_import loads.
from cvdesk.exchange import scdl_import  # noqa: E402,F401
