"""An incoming record is refused exactly when a form would refuse it: the package checks and the forms agree."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cvdesk.domain.status import STATUSES
from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.export_package import package_rows
from cvdesk.exchange.package_format import table_specs
from cvdesk.exchange.record_checks import check_records
from cvdesk.services import validation
from cvdesk.store.database import close_database, open_database

pytestmark = pytest.mark.both_engines

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
INT64 = st.integers(-(2**63), 2**63 - 1)
SMALL = st.integers(-5, 2200)
FIELDS: dict[tuple[str, str], Any] = {
    ("action", "status"): st.one_of(st.sampled_from(STATUSES), TEXT),
    ("action", "year"): st.one_of(SMALL, INT64),
    ("action", "total_cost"): st.one_of(SMALL, INT64),
    ("action", "title"): st.one_of(st.sampled_from(["", " ", "\t\n"]), TEXT),
    ("action", "reference"): st.one_of(st.sampled_from(["", "  "]), TEXT),
    ("funding", "requested"): st.one_of(SMALL, INT64),
    ("association", "siret"): st.one_of(st.from_regex(r"\A\d{14}\Z"), st.sampled_from(["35600000000048", ""]), TEXT),
    ("association", "rna"): st.one_of(st.from_regex(r"\AW[0-9A-Z]{9}\Z"), TEXT),
    ("association", "email"): st.one_of(st.emails(), TEXT),
    ("quartier", "code"): st.one_of(st.from_regex(r"\AQ[PN](0[0-9]{2}|02A)[0-9]{2}[0-9A-Z]\Z"), TEXT),
    ("quartier", "population"): SMALL,
    ("commune", "insee_code"): st.one_of(st.from_regex(r"\A(\d{2}|2A)\d{3}\Z"), TEXT),
    ("envelope", "year"): SMALL,
    ("orientation", "number"): SMALL,
}
SPECS = {spec.table: spec for spec in table_specs()}


@pytest.fixture(scope="module")
def valid_rows(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, ...]]:
    """One real record of each type, as a package holds it (the demo's first of each)."""
    copy = tmp_path_factory.mktemp("regles") / "demo.db"
    copy.write_bytes(demo_template.read_bytes())
    open_database(copy)
    rows = {table: next(iter(package_rows(spec))) for table, spec in SPECS.items() if table in {t for t, _ in FIELDS}}
    close_database()
    return rows


def _form_errors(table: str, row: tuple[Any, ...]) -> dict[str, str]:
    """What the form says of this record as a new one (in an empty database: no code or reference is taken)."""
    spec = SPECS[table]
    validate = (validation.validator_for(spec.model) if hasattr(validation, "validator_for")
                else getattr(validation, f"validate_{table}"))
    return validate(dict(zip(spec.keys, row)), None)


def _package_verdict(table: str, rows: list[tuple[Any, ...]]) -> str | None:
    try:
        check_records("Le paquet p.zip, fichier x.jsonl", SPECS[table], 1, rows)
    except ExchangeError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("table, key", list(FIELDS), ids=[f"{t}.{k}" for t, k in FIELDS])
def test_a_record_passes_the_package_exactly_when_it_passes_the_form(table: str, key: str, valid_rows, empty_db) -> None:
    spec = SPECS[table]
    n = spec.index(key)
    assert _form_errors(table, valid_rows[table]) == {} and _package_verdict(table, [valid_rows[table]]) is None

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(value=FIELDS[(table, key)])
    def agree(value: Any) -> None:
        row = tuple(value if i == n else v for i, v in enumerate(valid_rows[table]))
        form = _form_errors(table, row)
        verdict = _package_verdict(table, [row])
        assert (verdict is None) == (not form), (value, form, verdict)
        if verdict:
            assert any(f"champ « {field} »" in verdict for field in form), (verdict, form)

    agree()


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(values=st.lists(st.one_of(st.integers(0, 10**9), st.integers(-10**9, -1)), min_size=1, max_size=40))
def test_in_a_column_of_amounts_the_first_refused_line_is_named(values: list[int], valid_rows, empty_db) -> None:
    """Many lines at once take the column's fast path: the line named is the first one the form refuses."""
    spec = SPECS["funding"]
    n = spec.index("requested")
    rows = [tuple(v if i == n else x for i, x in enumerate(valid_rows["funding"])) for v in values]
    verdict = _package_verdict("funding", rows)
    refused = [number for number, v in enumerate(values, start=1) if v < 0]  # the form: no negative amount
    if not refused:
        assert verdict is None
    else:
        assert verdict is not None and f"ligne {refused[0]}, " in verdict and "négatif" in verdict
