"""The financing plan of an action: its totals, own funds, and the checks that warn without refusing."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from cvdesk.domain.money import format_money


@dataclass(frozen=True)
class PlanLine:
    """One funder's line of a financing plan, amounts in cents; None when not decided or not paid yet."""

    funder: str
    requested: int
    granted: int | None
    paid: int | None


@dataclass(frozen=True)
class PlanTotals:
    """The sums of a plan's lines in cents, and the own funds (autofinancement) that close it."""

    requested: int
    granted: int
    paid: int
    own_funds: int


def plan_totals(total_cost: int, lines: Sequence[PlanLine]) -> PlanTotals:
    """Sums of the lines; own funds (autofinancement) close the plan and may come out negative."""
    requested = sum(line.requested for line in lines)
    granted = sum(line.granted or 0 for line in lines)
    paid = sum(line.paid or 0 for line in lines)
    return PlanTotals(requested, granted, paid, total_cost - requested)


def check_plan(total_cost: int, lines: Sequence[PlanLine]) -> list[str]:
    """French warnings about the plan; an empty list when nothing is wrong."""
    warnings: list[str] = []
    totals = plan_totals(total_cost, lines)
    if total_cost == 0 and any(line.requested or line.granted or line.paid for line in lines):
        warnings.append("Le coût total de l'action est nul alors que des financements sont prévus.")
    if total_cost < 0:
        warnings.append("Le coût total de l'action est négatif.")
    if totals.requested > total_cost > 0:
        warnings.append(f"Le plan de financement ({format_money(totals.requested)} demandés) dépasse le coût total "
                        f"de l'action ({format_money(total_cost)}).")
    if totals.granted > total_cost > 0:
        warnings.append(f"Les montants accordés ({format_money(totals.granted)}) dépassent le coût total de l'action "
                        f"({format_money(total_cost)}).")
    for line in lines:
        for amount, label in ((line.requested, "demandé"), (line.granted, "accordé"), (line.paid, "versé")):
            if amount is not None and amount < 0:
                warnings.append(f"{line.funder} : le montant {label} est négatif ({format_money(amount)}).")
        if line.granted is not None and line.granted > line.requested:
            warnings.append(f"{line.funder} : le montant accordé ({format_money(line.granted)}) dépasse le montant "
                            f"demandé ({format_money(line.requested)}).")
        if line.paid is not None and line.paid > 0 and line.granted is None:
            warnings.append(f"{line.funder} : un montant versé ({format_money(line.paid)}) est saisi sans montant "
                            "accordé.")
        elif line.paid is not None and line.granted is not None and line.paid > line.granted:
            warnings.append(f"{line.funder} : le montant versé ({format_money(line.paid)}) dépasse le montant "
                            f"accordé ({format_money(line.granted)}).")
    return warnings
