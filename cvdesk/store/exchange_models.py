"""Local memory of the exchanges: the last package received from each office, and the conflicts to review."""
from __future__ import annotations

from peewee import AutoField, CharField, TextField

from cvdesk.store.models import BaseModel, UtcDateTimeField, utcnow


class ExchangePeer(BaseModel):
    """An office this database has received a package from, and the export time of its newest package."""

    office = CharField(primary_key=True)
    # The package's export time, ISO text, by its sender's clock but never later than ours when it arrived; it
    # is only told to others (manifest "received"), no merge decision rests on it.
    last_received_at = CharField(max_length=27)
    imported_at = UtcDateTimeField(default=utcnow)


class ExchangeConflict(BaseModel):
    """A record changed here and in another office since their last exchange, or deleted by an office that
    neither created nor received it: the local version was kept until a person decides."""

    id = AutoField()
    record_type = CharField()
    record_uuid = CharField(max_length=36, index=True)
    from_office = CharField()
    package_exported_at = CharField(max_length=27)
    incoming_updated_at = CharField(max_length=27)
    local_updated_at = CharField(max_length=27)
    incoming = TextField()  # the other office's version, one JSON object as in the package
    detected_at = UtcDateTimeField(default=utcnow)
    resolution = CharField(default="")  # "" to review | "local" kept | "incoming" taken


EXCHANGE_MODELS: tuple[type[BaseModel], ...] = (ExchangePeer, ExchangeConflict)
