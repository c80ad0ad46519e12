"""Per-record checks run before a save: each returns {field: French sentence} for what is wrong."""
from __future__ import annotations

from typing import Any, Mapping

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
from cvdesk.domain.status import STATUSES, check_transition
from cvdesk.store.models import Action, Quartier, Record


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


def _non_negative(errors: dict[str, str], values: Mapping[str, Any], name: str, label: str) -> None:
    value = values.get(name)
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        errors[name] = f"{label} doit être un nombre entier."
    elif value < 0:
        errors[name] = f"{label} ne peut pas être négatif."


def _taken(model: type[Record], name: str, value: str, existing: Record | None) -> bool:
    """Whether another live record of model already has this value (codes and references are unique)."""
    clash = model.select(model.id).where((getattr(model, name) == value) & (model.deleted == False))  # noqa: E712
    if existing is not None:
        clash = clash.where(model.id != existing.id)
    return clash.exists()


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


def validate_commune(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    _required(errors, values, existing, "name", "Le nom de la commune")
    _optional_check(errors, values, "insee_code", check_insee)
    _optional_check(errors, values, "postcode", check_postcode)
    return errors


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
    if reference and "reference" not in errors and _taken(Action, "reference", reference, existing):
        errors["reference"] = f"La référence {reference} est déjà celle d'une autre action."
    return errors


def validate_funding(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if _value(values, existing, "funder") is None:
        errors["funder"] = "Choisissez un financeur."
    for name, label in (("requested", "Le montant demandé"), ("granted", "Le montant accordé"), ("paid", "Le montant versé")):
        _non_negative(errors, values, name, label)
    return errors


def validate_orientation(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    _required(errors, values, existing, "title", "L'intitulé de l'orientation")
    number = _value(values, existing, "number")
    if not isinstance(number, int) or number < 1:
        errors["number"] = "Le numéro de l'orientation doit être un entier positif."
    return errors


def validate_funder(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    _required(errors, values, existing, "name", "Le nom du financeur")
    return errors


def validate_envelope(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if _value(values, existing, "funder") is None:
        errors["funder"] = "Choisissez un financeur."
    _non_negative(errors, values, "amount", "Le montant de l'enveloppe")
    year = _value(values, existing, "year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = "L'année de l'enveloppe doit être une année entre 2000 et 2100."
    return errors


def validate_meeting(values: Mapping[str, Any], existing: Record | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if _value(values, existing, "date") is None:
        errors["date"] = "La date de la réunion est obligatoire."
    return errors
