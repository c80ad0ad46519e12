"""What the action form's helpers rest on: the proposed reference, the refused second renewal, the save warnings."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvdesk.services.actions import (FundingInput, action_warnings, delete_action, propose_reference, renew_action,
                                     save_action)
from cvdesk.services.reference import save_contract, save_envelope, save_funder
from cvdesk.store.models import Action, Funder, db

pytestmark = pytest.mark.both_engines


def next_number_of(year: int, code: str) -> int:
    """The next number of a series, counted in SQL: the highest live number after « year-code- », plus one."""
    prefix = f"{year}-{code}-"
    (highest,) = db.execute_sql(
        'SELECT MAX(CAST(substr(reference, ?) AS INTEGER)) FROM "action" WHERE reference LIKE ? AND deleted = 0',
        (len(prefix) + 1, prefix + "%")).fetchone()
    return (highest or 0) + 1


def action(reference: str, year: int, **values) -> Action:
    result = save_action({"reference": reference, "title": f"Action {reference}", "year": year, **values})
    assert result.ok, result.errors
    return result.record


# -- the proposed reference ------------------------------------------------------------------------------------------
def test_the_demo_year_continues_its_series_and_a_new_year_starts_at_one(demo_db) -> None:
    assert next_number_of(2015, "VM") == 41  # the demo files 2015-VM-001 to 2015-VM-040
    assert propose_reference(2015) == "2015-VM-041"
    assert propose_reference(2016) == "2016-VM-001"  # no 2016 action yet: the code of the nearest year


def test_the_proposal_moves_on_once_it_is_used(demo_db) -> None:
    action(propose_reference(2016), 2016)
    assert propose_reference(2016) == "2016-VM-002"
    action("2016-VM-010", 2016)
    assert propose_reference(2016) == "2016-VM-011"


def test_the_most_used_code_of_the_year_wins_and_keeps_its_padding(empty_db) -> None:
    for reference in ("2017-AB-7", "2017-VM-0009", "2017-VM-0010", "2017 bis", "2017-VM-x"):
        action(reference, 2017)
    assert propose_reference(2017) == "2017-VM-0011"
    assert propose_reference(2018) == "2018-VM-0001"


def test_deleted_actions_free_their_numbers(empty_db) -> None:
    action("2019-VM-001", 2019)
    last = action("2019-VM-002", 2019)
    assert delete_action(last.id)
    assert propose_reference(2019) == "2019-VM-002"


def test_without_any_action_the_code_comes_from_the_contracts_epci(empty_db) -> None:
    assert propose_reference(2024) == "2024-ACT-001"
    assert save_contract({"name": "Contrat de ville", "epci_name": "Communauté d'agglomération Valenciennes Métropole",
                          "start_year": 2024, "end_year": 2030}).ok
    assert propose_reference(2024) == "2024-VM-001"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(numbers=st.sets(st.integers(min_value=1, max_value=99_999), min_size=1, max_size=8),
       width=st.integers(min_value=1, max_value=5))
def test_the_proposal_is_always_free_and_after_the_highest_number(empty_db, numbers: set[int], width: int) -> None:
    Action.delete().execute()  # each example starts from an empty list of actions
    for number in numbers:
        action(f"2020-QP-{number:0{width}d}", 2020)
    proposal = propose_reference(2020)
    digits = proposal.removeprefix("2020-QP-")
    assert int(digits) == max(numbers) + 1
    assert len(digits) == max(width, len(str(max(numbers) + 1)))
    assert not Action.select().where(Action.reference == proposal).exists()


# -- renewal ---------------------------------------------------------------------------------------------------------
def test_a_second_renewal_into_the_same_year_is_refused_naming_the_first(demo_db) -> None:
    source = Action.get(Action.reference == "2015-VM-001")
    first = renew_action(source.id)
    assert first.ok, first.errors
    count_before = Action.select().count()
    second = renew_action(source.id)
    assert not second.ok
    message = " ".join(second.errors.values())
    assert "2015-VM-001 est déjà reconduite en 2016" in message and first.record.reference in message
    assert Action.select().count() == count_before


def test_once_the_renewal_is_deleted_the_action_can_be_renewed_again(demo_db) -> None:
    source = Action.get(Action.reference == "2015-VM-002")
    first = renew_action(source.id)
    assert delete_action(first.record.id)
    again = renew_action(source.id)
    assert again.ok, again.errors
    assert Action.get_by_id(again.record.id).previous_id == source.id


# -- warnings at save -------------------------------------------------------------------------------------------------
def test_a_soldee_action_with_nothing_paid_is_saved_with_a_warning(demo_db) -> None:
    row = Action.get(Action.reference == "2015-VM-002")  # « Accordée », nothing paid (SQL: paid_total = 0)
    assert row.paid_total == 0
    for status in ("en_cours", "soldee"):
        result = save_action({"status": status}, row.id)
        assert result.ok, result.errors
    assert Action.get_by_id(row.id).status == "soldee"
    assert any("soldée" in w and "aucun versement" in w for w in result.warnings)


def test_a_soldee_action_with_a_payment_has_no_such_warning(demo_db) -> None:
    row = Action.get(Action.reference == "2015-VM-001")  # « En cours », 50 500 € paid
    result = save_action({"status": "soldee"}, row.id)
    assert result.ok and not any("soldée" in w for w in result.warnings)


def test_a_grant_in_a_year_without_envelope_is_saved_with_a_warning(empty_db) -> None:
    etat = save_funder({"name": "État"}).record
    region = save_funder({"name": "Région"}).record
    assert save_envelope({"funder": etat.id, "year": 2016, "amount": 100_000_000}).ok
    result = save_action({"reference": "2016-VM-001", "title": "Atelier", "year": 2016, "total_cost": 5_000_000},
                         fundings=[FundingInput(etat.id, 2_000_000, 1_800_000),
                                   FundingInput(region.id, 1_000_000, 750_000)])
    assert result.ok, result.errors
    assert Action.select().count() == 1
    about_envelopes = [w for w in result.warnings if "enveloppe" in w]
    # État has its 2016 envelope; Région has none: one warning, with the granted 7 500,00 € written by hand.
    assert about_envelopes == [
        "Région n'a pas d'enveloppe en 2016 : les 7\u00a0500,00\u00a0€ accordés n'entrent dans aucune enveloppe."]


def test_requests_and_refusals_need_no_envelope(empty_db) -> None:
    region = save_funder({"name": "Région"}).record
    saved = save_action({"reference": "2016-VM-001", "title": "Atelier", "year": 2016},
                        fundings=[FundingInput(region.id, 1_000_000, 0)]).record
    assert action_warnings(saved.id) == []
    assert Funder.select().count() == 1
