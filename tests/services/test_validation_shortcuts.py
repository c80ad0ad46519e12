"""The import's shortcuts through the validators: whenever one says a new action or a funding line is fine, the
validator itself finds nothing to say of it (a coordinator's 100,000 actions are spared the calls, never a rule)."""
from __future__ import annotations

from datetime import date

from hypothesis import given, settings, strategies as st

from cvdesk.domain.money import MAX_CENTS
from cvdesk.domain.status import STATUSES
from cvdesk.services.validation import funding_amounts_fine, new_action_fine, validate_action, validate_funding

RULES_OF_ACTION = validate_action.__wrapped__  # without the length checks, which the import makes apart
RULES_OF_FUNDING = validate_funding.__wrapped__

# Values near every rule's edge, of every type a sheet or a mistake could give.
ODD = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.integers(MAX_CENTS - 2, MAX_CENTS + 2),
                st.integers(1995, 2105), st.floats(allow_nan=False, min_value=-10, max_value=3000),
                st.sampled_from(["", " ", "Jardins", "2031", "brouillon", "deposee", "Déposée", "inconnu"]),
                st.dates(date(1999, 1, 1), date(2101, 1, 1)), st.sampled_from(list(STATUSES)))
KEYS = ["reference", "title", "year", "orientation", "porteur", "status", "total_cost", "description", "start_date",
        "end_date", "beneficiaries_planned", "beneficiaries_reached", "notes"]


USUAL = {"reference": "2031-A-1", "title": "Jardins", "year": 2031, "status": "deposee", "total_cost": 100,
         "start_date": date(2031, 3, 1), "end_date": date(2031, 11, 30)}


@settings(max_examples=3000, deadline=None)
@given(st.dictionaries(st.sampled_from(list(USUAL)), st.booleans()), st.dictionaries(st.sampled_from(KEYS), ODD))
def test_an_action_the_shortcut_passes_the_validator_passes(kept: dict, odd: dict) -> None:
    # A usual action with some of its values left out and others changed for odd ones.
    values = {key: value for key, value in USUAL.items() if kept.get(key, True)} | odd
    if new_action_fine(values):
        rest = {key: value for key, value in values.items() if key != "reference"}
        errors = RULES_OF_ACTION(rest, None)
        errors.pop("reference", None)  # « obligatoire »: set aside by the import, which checks it itself
        assert errors == {}


@settings(max_examples=2000, deadline=None)
@given(ODD, ODD, ODD)
def test_a_funding_line_the_shortcut_passes_the_validator_passes(requested, granted, paid) -> None:
    if funding_amounts_fine(requested, granted, paid):
        assert RULES_OF_FUNDING({"funder": 1, "requested": requested, "granted": granted, "paid": paid}, None) == {}


def test_the_usual_rows_take_the_shortcut() -> None:
    # Without this, the two tests above would pass by never taking it.
    assert new_action_fine({"reference": "2031-A-1", "title": "Jardins partagés", "year": 2031, "orientation": 3,
                            "porteur": 12, "status": "deposee", "total_cost": 1_200_000, "description": "",
                            "start_date": date(2031, 3, 1), "end_date": date(2031, 11, 30)})
    assert funding_amounts_fine(300_000, 250_050, None)
    assert not new_action_fine({"title": "Jardins", "year": 2031, "total_cost": -1})
    assert not new_action_fine({"title": "Jardins", "year": 2031, "start_date": date(2031, 3, 1),
                                "end_date": date(2031, 1, 1)})
    assert not funding_amounts_fine(300_000, -1, None)
