"""Tests of the financing plan: totals, own funds, and every warning of check_plan."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cvdesk.domain.financing import PlanLine, PlanTotals, check_plan, plan_totals
from cvdesk.domain.money import format_money

NBSP = "\u00a0"


def euros(amount: int) -> int:
    return amount * 100


def test_plan_lines_are_frozen() -> None:
    line = PlanLine("État", euros(5000), None, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.requested = 0  # type: ignore[misc]


def test_plan_totals_and_own_funds() -> None:
    lines = [
        PlanLine("État", euros(5000), euros(4000), euros(2000)),
        PlanLine("Commune", euros(2500), None, None),
        PlanLine("CAF", euros(1000), euros(1000), None),
    ]
    assert plan_totals(euros(10000), lines) == PlanTotals(
        requested=euros(8500), granted=euros(5000), paid=euros(2000), own_funds=euros(1500))


def test_own_funds_may_be_negative() -> None:
    totals = plan_totals(euros(10000), [PlanLine("État", euros(12500), None, None)])
    assert totals.own_funds == -euros(2500)


def test_empty_plan() -> None:
    assert plan_totals(euros(100), []) == PlanTotals(0, 0, 0, euros(100))
    assert check_plan(euros(100), []) == []
    assert check_plan(0, []) == []


def test_balanced_plan_has_no_warning() -> None:
    lines = [PlanLine("État", euros(5000), euros(5000), euros(5000)), PlanLine("Région", euros(5000), None, None)]
    assert check_plan(euros(10000), lines) == []


def test_requested_above_total_cost() -> None:
    warnings = check_plan(euros(10000), [PlanLine("État", euros(7500), None, None),
                                         PlanLine("Commune", euros(5000), None, None)])
    assert warnings == [f"Le plan de financement (12{NBSP}500,00{NBSP}€ demandés) dépasse le coût total de l'action "
                        f"(10{NBSP}000,00{NBSP}€)."]


def test_requested_equal_to_total_cost_is_fine() -> None:
    assert check_plan(euros(10000), [PlanLine("État", euros(10000), None, None)]) == []


def test_granted_total_above_total_cost() -> None:
    lines = [PlanLine("État", euros(6000), euros(6000), None), PlanLine("Région", euros(3000), euros(3000), None)]
    warnings = check_plan(euros(8000), lines)
    assert (f"Les montants accordés ({format_money(euros(9000))}) dépassent le coût total de l'action "
            f"({format_money(euros(8000))}).") in warnings


def test_granted_above_requested_on_a_line() -> None:
    warnings = check_plan(euros(10000), [PlanLine("État", euros(3000), euros(3500), None)])
    assert warnings == [f"État : le montant accordé ({format_money(euros(3500))}) dépasse le montant demandé "
                        f"({format_money(euros(3000))})."]


def test_paid_above_granted_on_a_line() -> None:
    warnings = check_plan(euros(10000), [PlanLine("Région", euros(3000), euros(2000), euros(2500))])
    assert warnings == [f"Région : le montant versé ({format_money(euros(2500))}) dépasse le montant accordé "
                        f"({format_money(euros(2000))})."]


def test_paid_without_granted() -> None:
    warnings = check_plan(euros(10000), [PlanLine("CAF", euros(3000), None, euros(100))])
    assert warnings == [f"CAF : un montant versé ({format_money(euros(100))}) est saisi sans montant accordé."]


def test_zero_paid_without_granted_is_fine() -> None:
    assert check_plan(euros(10000), [PlanLine("CAF", euros(3000), None, 0)]) == []


@pytest.mark.parametrize("line, label", [
    (PlanLine("EPCI", -euros(1), None, None), "demandé"),
    (PlanLine("EPCI", euros(10), -euros(1), None), "accordé"),
    (PlanLine("EPCI", euros(10), euros(10), -euros(1)), "versé"),
])
def test_negative_amounts(line: PlanLine, label: str) -> None:
    warnings = check_plan(euros(100), [line])
    assert f"EPCI : le montant {label} est négatif (-1,00{NBSP}€)." in warnings


def test_total_cost_zero_with_fundings() -> None:
    warnings = check_plan(0, [PlanLine("État", euros(1000), None, None)])
    assert warnings == ["Le coût total de l'action est nul alors que des financements sont prévus."]


def test_total_cost_zero_with_empty_lines_only() -> None:
    assert check_plan(0, [PlanLine("État", 0, None, None)]) == []


def test_negative_total_cost() -> None:
    assert "Le coût total de l'action est négatif." in check_plan(-euros(1), [])


def test_several_warnings_at_once() -> None:
    lines = [PlanLine("État", euros(8000), euros(9000), euros(9500)), PlanLine("Région", euros(4000), None, None)]
    warnings = check_plan(euros(10000), lines)
    assert len(warnings) == 3
    assert warnings[0].startswith("Le plan de financement")
    assert warnings[1].startswith("État : le montant accordé")
    assert warnings[2].startswith("État : le montant versé")


amounts = st.integers(0, 10**11)
optional_amounts = st.none() | amounts
plan_lines = st.builds(PlanLine, st.sampled_from(["État", "Région", "Commune", "CAF"]), amounts, optional_amounts,
                       optional_amounts)


@given(amounts, st.lists(plan_lines, max_size=6))
def test_totals_add_up(total_cost: int, lines: list[PlanLine]) -> None:
    totals = plan_totals(total_cost, lines)
    assert totals.requested + totals.own_funds == total_cost
    assert totals.granted == sum(line.granted or 0 for line in lines)
    assert totals.paid == sum(line.paid or 0 for line in lines)


@given(amounts, st.lists(plan_lines, max_size=6))
def test_overspent_plan_always_warns(total_cost: int, lines: list[PlanLine]) -> None:
    warnings = check_plan(total_cost, lines)
    requested = sum(line.requested for line in lines)
    assert (requested > total_cost > 0) == any(w.startswith("Le plan de financement") for w in warnings)
    for warning in warnings:
        assert warning[0].isupper() and warning.endswith(".")
