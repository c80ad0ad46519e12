"""Per-record checks run before a save: each returns {field: French sentence} for what is wrong."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from peewee import CharField, TextField

from cvdesk.domain.identifiers import (
    check_email,
    check_insee,
    check_postcode,
    check_quartier_code,
    check_rna,
    check_siren,
    check_siret,
    digits_only,
)
from cvdesk.domain.axes import PILLARS
from cvdesk.domain.decisions import MEETING_STATUSES, OUTCOMES, amounts_problem, applied_problem
from cvdesk.domain.funders import FUNDER_KINDS
from cvdesk.domain.money import MAX_CENTS
from cvdesk.domain.numbers import grouped
from cvdesk.domain.status import STATUSES, check_transition
from cvdesk.domain.storable_text import UNSTORABLE
from cvdesk.store.models import (
    RECORD_MODELS,
    Action,
    Association,
    Commune,
    Contract,
    Envelope,
    Funder,
    Funding,
    History,
    Meeting,
    MeetingItem,
    Orientation,
    Quartier,
    Record,
    Signatory,
)

# How many characters a text field accepts. Every save checks them here (forms, spreadsheet imports, and the
# exchange packages call check_lengths), so what is stored always prints and travels.
# - A one-line field holds the 255 characters that its VARCHAR(255) column declares: PostgreSQL (headquarters)
#   enforces that size, and a name, a reference or an e-mail address never needs more.
# - A free text (notes, description, objectives…) holds 20,000 characters: some 3,000 words, about thirteen
#   typed pages; the sheet prints it on three or four A4 pages. Nobody types that much in a note; beyond it the
#   text is a pasted document, which belongs in a file, and it would slow every list, export and sheet.
# - A postal address holds 1,000 characters: the postal standard allows six lines of 38.
# - An orientation's title holds 1,000 characters: a long sentence, printed as a table heading.
LONG_TEXT = 20_000
ADDRESS_TEXT = 1_000
TITLE_TEXT = 1_000
_TEXT_FIELD_CAPS: dict[tuple[type[Record], str], int] = {
    (Association, "address"): ADDRESS_TEXT,
    (Orientation, "title"): TITLE_TEXT,
}


def _history_cap() -> int:
    """A history row holds each changed field's old and new value as JSON, where escaping can double a
    character: four times the largest record's text, plus room for the names and the punctuation."""
    largest = max(sum(caps.values()) for model, caps in _CAPS_WITHOUT_HISTORY.items())
    return 4 * largest + 10_000


def _caps_of(model: type[Record]) -> dict[str, int]:
    caps: dict[str, int] = {}
    for name, model_field in model._meta.fields.items():
        if isinstance(model_field, TextField):
            caps[name] = _TEXT_FIELD_CAPS.get((model, name), LONG_TEXT)
        elif isinstance(model_field, CharField):
            caps[name] = model_field.max_length or 255
    return caps


_CAPS_WITHOUT_HISTORY = {model: _caps_of(model) for model in RECORD_MODELS if model is not History}
MAX_LENGTH: dict[type[Record], dict[str, int]] = {
    model: {**_caps_of(model), "changes": _history_cap()} if model is History else _CAPS_WITHOUT_HISTORY[model]
    for model in RECORD_MODELS
}
"""Per model, per text field, the most characters it accepts (read it, never change it)."""

# The field names as the forms and the spreadsheets show them; a model's own entry wins over the common one.
_LABELS: dict[str, str] = {
    "uuid": "Identifiant", "created_at": "Date de création", "updated_at": "Date de modification",
    "office": "Bureau", "name": "Nom", "notes": "Notes", "title": "Intitulé", "code": "Code",
    "reference": "Référence", "description": "Description", "objectives": "Objectifs", "public": "Public visé",
    "indicators": "Indicateurs d'évaluation", "axes": "Axes transversaux", "status": "Statut",
    "acronym": "Sigle", "siret": "SIRET", "siren": "SIREN", "rna": "N° RNA", "legal_form": "Forme juridique",
    "address": "Adresse", "postcode": "Code postal", "city": "Ville", "phone": "Téléphone", "email": "Courriel",
    "website": "Site web", "president": "Président(e)", "contact_name": "Personne à contacter",
    "insee_code": "Code INSEE", "epci_name": "Nom de l'EPCI", "epci_siren": "SIREN de l'EPCI",
    "represented_by": "Représenté par", "pillar": "Pilier", "kind": "Type", "short_name": "Nom court",
    "departement": "Département", "population": "Population", "reference_source": "Référentiel",
    "label": "Libellé", "place": "Lieu", "attendees": "Participants", "decision": "Décision",
    "record_type": "Type d'enregistrement", "record_uuid": "Identifiant de l'enregistrement",
    "operation": "Opération", "os_user": "Utilisateur", "changes": "Modifications",
}
_MODEL_LABELS: dict[tuple[type[Record], str], str] = {
    (Meeting, "notes"): "Objet",
    (MeetingItem, "notes"): "Observations",
    (Quartier, "code"): "Code du quartier",
    (Contract, "name"): "Nom du contrat",
    (Funder, "kind"): "Catégorie de financeur",
    (Meeting, "kind"): "Instance",
    (Meeting, "title"): "Intitulé de la réunion",
    (Meeting, "status"): "État de la réunion",
    (MeetingItem, "outcome"): "Décision",
    (MeetingItem, "amounts"): "Montants accordés par financeur",
    (MeetingItem, "applied"): "Changements appliqués à la clôture",
}


def max_length(model: type[Record], name: str) -> int | None:
    """The most characters this field accepts; None for a field that holds no text (numbers, dates, links)."""
    return MAX_LENGTH.get(model, {}).get(name)


def field_label(model: type[Record], name: str) -> str:
    """The field's French name, as the form shows it."""
    return _MODEL_LABELS.get((model, name)) or _LABELS.get(name, name)


def length_problem(model: type[Record], name: str, value: object) -> str | None:
    """One French sentence when value is longer than the field accepts, else None."""
    cap = max_length(model, name)
    if cap is None or not isinstance(value, str) or len(value) <= cap:
        return None
    return (f"Le champ « {field_label(model, name)} » accepte au plus {grouped(cap)} caractères ; "
            f"il en contient {grouped(len(value))}.")


def character_problem(model: type[Record], name: str, value: object) -> str | None:
    """One French sentence when value holds a character no base can store (cvdesk.domain.storable_text), else
    None; every validator and the package checks ask it."""
    if not isinstance(value, str):
        return None
    found = UNSTORABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        what = "un caractère nul (U+0000), invisible"
    else:
        what = f"une moitié de paire de substitution UTF-16 (U+{ord(found.group()):04X})"
    return (f"Le champ « {field_label(model, name)} » contient {what}, qu'aucune base ne peut enregistrer "
            f"(position {found.start() + 1}) : retirez-le.")


def text_problem(model: type[Record], name: str, value: object) -> str | None:
    """One French sentence when value cannot be stored in this field (a character no base holds, or too many
    characters), else None."""
    return character_problem(model, name, value) or length_problem(model, name, value)


def check_lengths(model: type[Record], values: Mapping[str, Any]) -> dict[str, str]:
    """{field: French sentence} for each text in values that its field cannot store (longer than it accepts, or
    holding a character no base can hold); every validator below starts with it, and an incoming package record
    goes through it too."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        message = text_problem(model, name, value)
        if message:
            errors[name] = message
    return errors


def _value(values: Mapping[str, Any], existing: Record | None, name: str) -> Any:
    if name in values:
        return values[name]
    return getattr(existing, name, None) if existing is not None else None


def _text(values: Mapping[str, Any], existing: Record | None, name: str) -> str:
    value = _value(values, existing, name)
    return "" if value is None else str(value).strip()


def _required(errors: dict[str, str], values: Mapping[str, Any], existing: Record | None, name: str, label: str) -> None:
    if not _text(values, existing, name):
        errors[name] = f"{label} est obligatoire."


def _optional_check(errors: dict[str, str], values: Mapping[str, Any], name: str, checker: Any) -> None:
    if name in values and values[name]:
        message = checker(str(values[name]))
        if message:
            errors[name] = message


# Counts and amounts in cents stop where money fields stop, well below SQLite's 64-bit integers (a form or a
# cell can hold 10^30).
MAX_COUNT = MAX_CENTS


def _non_negative(errors: dict[str, str], values: Mapping[str, Any], name: str, label: str) -> None:
    value = values.get(name)
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        errors[name] = f"{label} doit être un nombre entier."
    elif value < 0:
        errors[name] = f"{label} ne peut pas être négatif."
    elif value > MAX_COUNT:
        errors[name] = f"{label} est trop grand pour être enregistré (au plus {grouped(MAX_COUNT)})."


def _taken(model: type[Record], name: str, value: str, existing: Record | None) -> bool:
    """Whether another live record of model already has this value (codes and references are unique)."""
    clash = model.select(model.id).where((getattr(model, name) == value) & (model.deleted == False))  # noqa: E712
    if existing is not None:
        clash = clash.where(model.id != existing.id)
    return clash.exists()


Validator = Callable[[Mapping[str, Any], "Record | None"], dict[str, str]]


def _checks_lengths(model: type[Record]) -> Callable[[Validator], Validator]:
    """The validator also refuses texts longer than their field accepts; that sentence wins over any other for
    the same field (a 50 MB "SIRET" is first of all too long)."""

    def wrap(validate: Validator) -> Validator:
        def checked(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
            too_long = check_lengths(model, values)
            if too_long:
                # The other checks would compare or look up these texts: spare them, keep what they find.
                rest = {name: value for name, value in values.items() if name not in too_long}
                return {**validate(rest, existing), **too_long}
            return validate(values, existing)

        checked.__name__ = validate.__name__
        checked.__doc__ = validate.__doc__
        checked.__wrapped__ = validate  # type: ignore[attr-defined]  # for a caller that checked the lengths itself
        return checked

    return wrap


@_checks_lengths(Association)
def validate_association(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    _required(errors, values, existing, "name", "Le nom de l'association")
    _optional_check(errors, values, "siret", check_siret)
    _optional_check(errors, values, "siren", check_siren)
    _optional_check(errors, values, "rna", check_rna)
    _optional_check(errors, values, "email", check_email)
    _optional_check(errors, values, "postcode", check_postcode)
    siret = digits_only(_text(values, existing, "siret"))
    siren = digits_only(_text(values, existing, "siren"))
    if siret and siren and "siret" not in errors and "siren" not in errors and siret[:9] != siren:
        errors["siren"] = f"Le SIREN {siren} ne correspond pas au SIRET {siret} (qui commence par {siret[:9]})."
    return errors


def check_departement(value: str) -> str | None:
    """None for a département code as the reference writes it (59, 2A, 974), else a French sentence."""
    code = value.strip().upper()
    if re.fullmatch(r"(?:0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97[1-8]|98[4-9])", code):
        return None
    return f"Le département « {value.strip()} » est invalide : attendu un code comme 59, 2A ou 974."


@_checks_lengths(Commune)
def validate_commune(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    _required(errors, values, existing, "name", "Le nom de la commune")
    _optional_check(errors, values, "insee_code", check_insee)
    _optional_check(errors, values, "postcode", check_postcode)
    _optional_check(errors, values, "siren", check_siren)
    _optional_check(errors, values, "departement", check_departement)
    _non_negative(errors, values, "population", "Le nombre d'habitants de la commune")
    return errors


@_checks_lengths(Quartier)
def validate_quartier(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    _required(errors, values, existing, "code", "Le code du quartier")
    _required(errors, values, existing, "name", "Le nom du quartier")
    _optional_check(errors, values, "code", check_quartier_code)
    _non_negative(errors, values, "population", "La population")
    code = _text(values, existing, "code")
    if code and "code" not in errors and _taken(Quartier, "code", code, existing):
        errors["code"] = f"Le code {code} est déjà celui d'un autre quartier."
    return errors


@_checks_lengths(Action)
def validate_action(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    _required(errors, values, existing, "reference", "La référence de l'action")
    _required(errors, values, existing, "title", "L'intitulé de l'action")
    year = _value(values, existing, "year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = "L'année de programmation doit être une année entre 2000 et 2100."
    for name, label in (
        ("total_cost", "Le coût total"),
        ("beneficiaries_planned", "Le nombre de bénéficiaires prévus"),
        ("beneficiaries_reached", "Le nombre de bénéficiaires touchés"),
    ):
        _non_negative(errors, values, name, label)
    start, end = _value(values, existing, "start_date"), _value(values, existing, "end_date")
    if start and end and end < start:
        errors["end_date"] = "La date de fin précède la date de début."
    if "status" in values:
        new = values["status"]
        if new not in STATUSES:
            errors["status"] = f"Le statut « {new} » n'existe pas."
        elif existing is not None:
            message = check_transition(existing.status, new)
            if message:
                errors["status"] = message
    reference = _text(values, existing, "reference")
    # Looked up only when it changes (a save of any other field costs no query): a reference kept is the record's.
    if (reference and "reference" not in errors and (existing is None or reference != existing.reference)
            and _taken(Action, "reference", reference, existing)):
        errors["reference"] = f"La référence {reference} est déjà celle d'une autre action."
    return errors


# The fields validate_action would find fault with in a new action whose values a spreadsheet gave (besides the
# reference and the texts' lengths, checked apart by the import): new_action_fine() knows them all.
_NEW_ACTION_KEYS = frozenset({"reference", "title", "year", "orientation", "porteur", "status", "total_cost",
                              "description", "start_date", "end_date"})


def new_action_fine(values: Mapping[str, Any]) -> bool:
    """Whether validate_action, without its length checks, finds nothing to say of a new action with these values
    but of its reference (not judged here: its uniqueness is the import's to check): a title, a year from 2000 to
    2100, a known status, a cost from 0 to MAX_COUNT, an end not before the start, and no other key than the
    sheet's. An import checks 100,000 actions: this spares each the validator's dozen calls; any other action goes
    through validate_action. Keep the two in step (tests/services/test_validation_shortcuts.py holds them
    together)."""
    if not _NEW_ACTION_KEYS.issuperset(values):
        return False
    title, year, cost = values.get("title"), values.get("year"), values.get("total_cost")
    start, end = values.get("start_date"), values.get("end_date")
    return (type(title) is str and title.strip() != "" and type(year) is int and 2000 <= year <= 2100
            and (cost is None or (type(cost) is int and 0 <= cost <= MAX_COUNT))
            and ("status" not in values or values["status"] in STATUSES)
            and (start is None or end is None or type(start) is type(end) and not end < start))


@_checks_lengths(Funding)
def validate_funding(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if _value(values, existing, "funder") is None:
        errors["funder"] = "Choisissez un financeur."
    for name, label in (("requested", "Le montant demandé"), ("granted", "Le montant accordé"), ("paid", "Le montant versé")):
        _non_negative(errors, values, name, label)
    return errors


def funding_amounts_fine(requested: Any, granted: Any, paid: Any) -> bool:
    """Whether validate_funding finds nothing to say of a line that has its funder and these amounts: each a whole
    number of cents from 0 to MAX_COUNT (granted and paid may be None), its only rules for them. An import checks
    200,000 lines: this spares it a dictionary and four calls for each; any other line goes through
    validate_funding. Keep the two in step (tests/services/test_validation_shortcuts.py holds them together)."""
    return (type(requested) is int and 0 <= requested <= MAX_COUNT
            and (granted is None or (type(granted) is int and 0 <= granted <= MAX_COUNT))
            and (paid is None or (type(paid) is int and 0 <= paid <= MAX_COUNT)))


@_checks_lengths(Orientation)
def validate_orientation(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    _required(errors, values, existing, "title", "L'intitulé de l'orientation")
    number = _value(values, existing, "number")
    if not isinstance(number, int) or number < 1:
        errors["number"] = "Le numéro de l'orientation doit être un entier positif."
    pillar = values.get("pillar")
    if pillar not in (None, "") and pillar not in PILLARS:
        errors["pillar"] = f"Le pilier « {pillar} » n'existe pas (possibles : {', '.join(PILLARS)})."
    return errors


@_checks_lengths(Funder)
def validate_funder(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    _required(errors, values, existing, "name", "Le nom du financeur")
    kind = _value(values, existing, "kind")
    if kind is not None and kind not in FUNDER_KINDS:
        errors["kind"] = (f"La catégorie de financeur « {kind} » n'existe pas (possibles : "
                          f"{', '.join(FUNDER_KINDS)}).")
    # python-stdnum checks the keys, imported inside check_siren/check_siret (start-up time).
    _optional_check(errors, values, "siren", check_siren)
    _optional_check(errors, values, "siret", check_siret)
    siret = digits_only(_text(values, existing, "siret"))
    siren = digits_only(_text(values, existing, "siren"))
    if siret and siren and "siret" not in errors and "siren" not in errors and siret[:9] != siren:
        errors["siret"] = (f"Le SIRET {siret} n'est pas un établissement du SIREN {siren} "
                           f"(il commence par {siret[:9]}).")
    return errors


@_checks_lengths(Envelope)
def validate_envelope(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if _value(values, existing, "funder") is None:
        errors["funder"] = "Choisissez un financeur."
    _non_negative(errors, values, "amount", "Le montant de l'enveloppe")
    if _value(values, existing, "amount") is None:
        errors["amount"] = "Le montant de l'enveloppe est obligatoire (0 € s'il n'est pas encore connu)."
    year = _value(values, existing, "year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["year"] = "L'année de l'enveloppe doit être une année entre 2000 et 2100."
    return errors


def envelope_year_problem(year: Any, contract: Contract | None) -> str | None:
    """Why an envelope of this year does not fit the contract's period, or None (also when there is no contract).

    Asked by the forms and the spreadsheet import only, not of an incoming package: headquarters takes each office's
    envelopes as they were written, whatever period its own contract record says."""
    if contract is None or not isinstance(year, int) or isinstance(year, bool):
        return None
    if contract.start_year <= year <= contract.end_year:
        return None
    return (f"L'année {year} est hors de la période du contrat « {contract.name} » "
            f"({contract.start_year}–{contract.end_year}).")


def validate_commune_unique(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    """validate_commune, and no other live commune with this INSEE code: asked by the forms and the spreadsheet
    import, not of an incoming package (headquarters merges the offices' communes as they were written)."""
    errors = validate_commune(values, existing)
    code = values.get("insee_code")
    if code and "insee_code" not in errors and _taken(Commune, "insee_code", code, existing):
        # Two records of one commune would split its quartiers and associations between them.
        other = (Commune.select().where((Commune.insee_code == code) & (Commune.deleted == False))  # noqa: E712
                 .where(Commune.id != (existing.id if existing is not None else 0)).order_by(Commune.id).first())
        errors["insee_code"] = (f"La commune « {other.name} » porte déjà le code INSEE {code} : complétez-la plutôt "
                                "que d'en créer une seconde.")
    return errors


def validate_envelope_in_contract(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    """validate_envelope, and the year within the live contract's period."""
    errors = validate_envelope(values, existing)
    if "year" not in errors:
        contract = Contract.select().where(Contract.deleted == False).order_by(Contract.id).first()  # noqa: E712
        problem = envelope_year_problem(_value(values, existing, "year"), contract)
        if problem:
            errors["year"] = problem
    if not errors:
        problem = _envelope_taken(values, existing)
        if problem:
            errors["year"] = problem
    return errors


def _envelope_taken(values: Mapping[str, Any], existing: Record | None) -> str | None:
    """Why another live envelope already stands for this funder, year and orientation, or None: two would each
    show the same lines as their consumption (the spreadsheet import updates the one there instead)."""
    funder, year, orientation = (_value(values, existing, name) for name in ("funder", "year", "orientation"))
    query = Envelope.select().where((Envelope.funder == funder) & (Envelope.year == year)
                                    & (Envelope.deleted == False))  # noqa: E712
    query = query.where(Envelope.orientation.is_null() if orientation is None else Envelope.orientation == orientation)
    if existing is not None:
        query = query.where(Envelope.id != existing.id)
    other = query.first()
    if other is None:
        return None
    scope = f"l'orientation n° {other.orientation.number}" if orientation is not None else "toutes orientations"
    return (f"Le financeur « {other.funder.name} » a déjà une enveloppe pour {year} ({scope}) : modifiez-la plutôt "
            "que d'en ajouter une seconde.")


@_checks_lengths(Meeting)
def validate_meeting(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if _value(values, existing, "date") is None:
        errors["date"] = "La date de la réunion est obligatoire."
    if "status" in values and values["status"] not in MEETING_STATUSES:
        errors["status"] = (f"L'état de réunion « {values['status']} » n'existe pas "
                            f"(possibles : {', '.join(MEETING_STATUSES)}).")
    return errors


@_checks_lengths(Contract)
def validate_contract(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if "name" in values:
        _required(errors, values, existing, "name", "Le nom du contrat")
    years = {}
    for name, label in (("start_year", "de début"), ("end_year", "de fin")):
        year = _value(values, existing, name)
        if name in values or existing is not None:
            if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
                errors[name] = f"L'année {label} du contrat doit être une année entre 2000 et 2100."
            else:
                years[name] = year
    if len(years) == 2 and years["end_year"] < years["start_year"]:
        errors["end_year"] = (f"L'année de fin ({years['end_year']}) précède l'année de début "
                              f"({years['start_year']}).")
    _optional_check(errors, values, "epci_siren", check_siren)
    return errors


@_checks_lengths(Signatory)
def validate_signatory(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    return {}


@_checks_lengths(MeetingItem)
def validate_meeting_item(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    """A decision's code, a partial grant's amounts and what a closing changed: codes and JSON shapes (step 6)."""
    errors: dict[str, str] = {}
    outcome = values.get("outcome", "")
    if outcome not in ("", *OUTCOMES):
        errors["outcome"] = (f"La décision « {outcome} » n'existe pas (possibles : {', '.join(OUTCOMES)}, "
                             "ou rien).")
    for name, check in (("amounts", amounts_problem), ("applied", applied_problem)):
        problem = check(values.get(name, ""))
        if problem:
            errors[name] = problem
    return errors


_VALIDATORS: dict[type[Record], Validator] = {
    Association: validate_association, Commune: validate_commune, Quartier: validate_quartier, Action: validate_action,
    Funding: validate_funding, Orientation: validate_orientation, Funder: validate_funder, Envelope: validate_envelope,
    Meeting: validate_meeting, Contract: validate_contract, Signatory: validate_signatory,
    MeetingItem: validate_meeting_item,
}


def validator_for(model: type[Record]) -> Validator:
    """The checks a record of this model passes before it is written (links and history rows: their lengths)."""
    found = _VALIDATORS.get(model)
    if found is not None:
        return found
    return _checks_lengths(model)(lambda values, existing: {})
