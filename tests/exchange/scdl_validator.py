"""The official SCDL « subventions » 2.1.1 validation for the tests: frictionless with the published schema, and the
schema's two custom checks (a SIRET's key, a beneficiary identified by SIRET or RNA) as validata runs them."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

import attrs
from frictionless import Check, Checklist, Resource, Schema, errors
from stdnum.fr import siret as stdnum_siret

FIXTURES = Path(__file__).parents[1] / "fixtures" / "scdl"
SCHEMA = FIXTURES / "schema.json"


@attrs.define(kw_only=True, repr=False)
class FrenchSiretValue(Check):
    """A SIRET cell, when filled, has a valid key (Luhn, La Poste's rule for its establishments)."""

    type = "french-siret-value"
    Errors = [errors.ConstraintError]
    column: str

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        value = row[self.column] if self.column in row.field_names else None
        if value and not stdnum_siret.is_valid(str(value)):
            yield errors.ConstraintError.from_row(row, note=f"SIRET {value} invalide", field_name=self.column)


@attrs.define(kw_only=True, repr=False)
class OneOfRequired(Check):
    """At least one of two cells is filled (the beneficiary's SIRET or RNA)."""

    type = "one-of-required"
    Errors = [errors.RowConstraintError]
    column1: str
    column2: str

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        present = [row[name] for name in (self.column1, self.column2) if name in row.field_names]
        if not any(present):
            yield errors.RowConstraintError.from_row(row, note=f"{self.column1} ou {self.column2} requis")


_CUSTOM = {"french-siret-value": FrenchSiretValue, "one-of-required": OneOfRequired}


def scdl_errors(path: Path, *, columns_by_name: bool = False, optional: tuple[str, ...] = ()) -> list[list[Any]]:
    """The validator's errors for a CSV as [row, field, type, note]: empty for a valid file.

    By default the file must hold every column of the schema in its order (as our export does); columns_by_name
    matches a file's columns by their names, for the official examples, which hold only some of them; optional
    relaxes fields the published schema requires while its own valid example lacks them."""
    descriptor = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for spec in descriptor["fields"]:
        if spec["name"] in optional:
            spec.setdefault("constraints", {})["required"] = False
    if columns_by_name:
        descriptor["fieldsMatch"] = "partial"  # by name; a missing required column still fails
    checks = [_CUSTOM[custom["name"]](**custom["params"]) for custom in descriptor["custom_checks"]]
    # frictionless reads only paths below a base folder it is given (an absolute path is refused as unsafe).
    resource = Resource(path=path.name, basepath=str(path.parent), format="csv", encoding="utf-8",
                        schema=Schema.from_descriptor(descriptor))
    report = resource.validate(checklist=Checklist(checks=checks))
    return report.flatten(["rowNumber", "fieldName", "type", "note"])
