"""Writing a checked SCDL preview: the new funders through their service, the new associations and the new actions
in bulk (the rows, history and search index their services leave), inside apply_sheet's one transaction."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any, Callable, Sequence

from cvdesk.exchange.bulk_actions import uuid4_batch, write_new_actions
from cvdesk.exchange.cycle_collector import collector_paused
from cvdesk.exchange.errors import Cancelled, ExchangeError
from cvdesk.exchange.merge_write import fill_search
from cvdesk.exchange.sheet_preview import Item
from cvdesk.services.actions import FundingInput, save_action
from cvdesk.services.records import SaveResult, os_user
from cvdesk.services.reference import save_funder
from cvdesk.store.bulk_write import NewIds, insert_rows, set_aside_trigger
from cvdesk.store.engine import raw
from cvdesk.store.models import UTC_FORMAT, Association, History, Record
from cvdesk.store.search_index import ASSOCIATION_INDEX, ASSOCIATION_SEARCH
from cvdesk.store.settings import office_name

Progress = Callable[[int, int], None]
# json.dumps(changes, ensure_ascii=False, sort_keys=True), as services.records writes a history row.
_CHANGES = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def _insert_sql(model: type[Record]) -> tuple[tuple[str, ...], list[Any], dict[str, int]]:
    """Every column of the model (for bulk_write.insert_rows), the row of its defaults (None for those computed per
    row: the UUID and the times; the id, for the base to choose unless given), and each column's place in it."""
    fields = list(model._meta.sorted_fields)
    template = [None if callable(f.default) else f.default for f in fields]
    return tuple(f.column_name for f in fields), template, {f.name: n for n, f in enumerate(fields)}


def _plain(value: Any) -> Any:
    """A value as the history holds it (services.records.plain_value for a field that is not a link)."""
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def write_new_associations(items: Sequence[Item]) -> None:
    """Insert these new associations as save_association would (their row, a « create » history row naming the
    values given, the search index by its trigger); each item's pending record gets its id."""
    if not items:
        return
    columns, template, position = _insert_sql(Association)
    history_columns, history_template, history_position = _insert_sql(History)
    office, user = office_name(), os_user()
    now = datetime.now(timezone.utc).strftime(UTC_FORMAT)
    uuids = uuid4_batch(2 * len(items))
    ids = iter(NewIds("association").take(len(items)))
    rows, history = [], []
    for item in items:
        next_id = next(ids)
        row = template.copy()
        record_uuid = uuids.pop()
        for name, value in (("id", next_id), ("uuid", record_uuid), ("created_at", now), ("updated_at", now),
                            ("office", office), ("deleted", False), *item.values.items()):
            row[position[name]] = value
        rows.append(row)
        line = history_template.copy()
        for name, value in (("uuid", uuids.pop()), ("created_at", now), ("updated_at", now), ("office", office),
                            ("deleted", False), ("record_type", "Association"), ("record_uuid", record_uuid),
                            ("operation", "create"), ("os_user", user),
                            ("changes", _CHANGES({k: [None, _plain(v)] for k, v in item.values.items()}))):
            line[history_position[name]] = value
        history.append(line)
        item.extra["pending"].id = next_id
    # The search index's insert trigger (a nested replace() per row, a quarter of a millisecond) set aside and
    # the index filled once for these rows with the same text, as bulk_actions does for the actions.
    trigger = set_aside_trigger(f"{ASSOCIATION_SEARCH}_insert")
    first_id = rows[0][position["id"]]
    insert_rows(Association._meta.table_name, columns, rows)
    insert_rows(History._meta.table_name, history_columns, history)
    if trigger is not None:
        conn = raw()
        fill_search(conn, ASSOCIATION_INDEX, first_id)  # what the index's trigger does, in one pass
        conn.execute(trigger)


def _bulk_action(item: Item) -> Item:
    """A new action of the preview as bulk_actions takes it: its porteur's id, its plan's lines by funder id."""
    values = {**item.values, "porteur": item.extra["porteur"].id}
    lines = [FundingInput(funder.id, **amounts) for funder, amounts in item.extra["lines"]]
    return Item(item.line, values, None, {"quartiers": None, "fundings": lines})


def write_new(items: list[Item], progress: Progress | None, cancelled: Callable[[], bool] | None, done: int,
              total: int) -> None:
    """The preview's new records, in the caller's transaction: funders first (a few, through their service), then
    associations, then actions in bulk; cancelled() is asked before each part and every 2,000 actions."""
    told = progress
    if progress is not None:
        # Said in round thousands (rounded down: « at least so many »), as the command line shows them: the new
        # funders and associations before the actions leave the counts between two.
        told = lambda written, of: progress(written if written == of else written - written % 1000, of)  # noqa: E731
    with collector_paused():  # (see prepare_scdl)
        _write_new(items, told, cancelled, done, total)


def _write_new(items: list[Item], progress: Progress | None, cancelled: Callable[[], bool] | None, done: int,
               total: int) -> None:
    if cancelled is not None and cancelled():
        raise Cancelled()
    funders = [item for item in items if item.extra["record"] == "funder"]
    for item in funders:
        result = save_funder(item.values)
        if not result.ok:
            raise ExchangeError(f"Ligne {item.line} : {next(iter(result.errors.values()))} Rien n'a été écrit.")
        item.extra["pending"].id = result.record.id
    if progress is not None:
        progress(done + len(funders), total)
    associations = [item for item in items if item.extra["record"] == "association"]
    write_new_associations(associations)
    done += len(funders) + len(associations)
    if cancelled is not None and cancelled():
        raise Cancelled()
    actions = [_bulk_action(item) for item in items if item.extra["record"] == "action"]
    write_new_actions(actions, progress, cancelled, done, total)


def save_one(item: Item) -> SaveResult:
    """Write one planned record through its service (an action of the base whose plan the file changes; and the
    way every record went before the bulk path, which the tests compare it with)."""
    record = item.extra["record"]
    if record == "action":
        values = dict(item.values)
        if item.existing_id is None:
            values["porteur"] = item.extra["porteur"].id
        lines = [FundingInput(funder.id, **amounts) for funder, amounts in item.extra["lines"]]
        return save_action(values, item.existing_id, None, lines)
    from cvdesk.services.associations import save_association

    result = save_funder(item.values) if record == "funder" else save_association(item.values)
    if result.ok:
        item.extra["pending"].id = result.record.id
    return result
