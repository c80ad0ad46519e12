"""The totals row of a list: how many records the search and filters select, and the sums of its money columns."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from cvdesk.services.lists import ListSpec, _where, get_spec
from cvdesk.store.connection import execute_sql  # plain SQL: no peewee needed for the window's first list


@dataclass(frozen=True)
class ListTotals:
    """The count of the selected records and, by column key, the sum of each money column in cents."""

    count: int
    sums: dict[str, int]


def money_columns(name: str) -> list[str]:
    """The keys of the list's money columns, in the list's order (empty when there is nothing to add up)."""
    return [column.key for column in get_spec(name).columns if column.kind == "money"]


def _source(spec: ListSpec, search: str, exprs: list[str]) -> str:
    # As lists.count: the listed table alone when neither the search nor a summed column needs the joined tables.
    if spec.base and not search.split() and all(expr.startswith("t.") for expr in exprs):
        return spec.base
    return spec.source


def list_totals(name: str, search: str = "", filters: Mapping[str, Any] | None = None) -> ListTotals:
    """One query: the count and the money sums of the live records the list shows for this search and filters."""
    spec = get_spec(name)
    columns = [column for column in spec.columns if column.kind == "money"]
    exprs = [column.sql for column in columns]
    where, params = _where(spec, search, filters)
    sums = "".join(f", COALESCE(SUM({expr}), 0)" for expr in exprs)
    row = execute_sql(f"SELECT count(*){sums} FROM {_source(spec, search, exprs)} WHERE {where}",
                         params).fetchone()
    return ListTotals(count=int(row[0]), sums={column.key: int(value) for column, value in zip(columns, row[1:])})
