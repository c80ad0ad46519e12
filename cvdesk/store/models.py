"""The peewee models: one table per domain record, every record with a UUID, UTC times, an office and a tombstone."""
from __future__ import annotations

import uuid as uuidlib
from datetime import date, datetime, timezone

from peewee import (
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from cvdesk.store import connection
from cvdesk.store.shared_database import SharedSqliteDatabase

# Deferred: bound to the open base by cvdesk.store.connection (at once if one is open), at every opening.
sqlite_db = SharedSqliteDatabase(None)
# What the models and every module use: the SQLite database above, or the PostgreSQL one while such a base is open
# (cvdesk.store.connection points it at the open base's engine).
db = DatabaseProxy()
connection.register_models_proxy(db)

UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utcnow() -> datetime:
    """The current time in UTC, to the microsecond."""
    return datetime.now(timezone.utc)


def new_uuid() -> str:
    return str(uuidlib.uuid4())


class UtcDateTimeField(CharField):
    """A UTC instant stored as fixed-width ISO text, so that text order is time order."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 27)
        super().__init__(**kwargs)

    def db_value(self, value: datetime | str | None) -> str | None:
        if value is None or isinstance(value, str):
            return value
        if value.tzinfo is None:
            raise ValueError("Les heures enregistrées doivent être en UTC.")
        return value.astimezone(timezone.utc).strftime(UTC_FORMAT)

    def python_value(self, value: str | None) -> datetime | None:
        if value is None:
            return None
        return datetime.strptime(value, UTC_FORMAT).replace(tzinfo=timezone.utc)


class FlagField(BooleanField):
    """A yes/no stored as INTEGER 0/1 on both engines (the frozen schema's type; raw SQL says deleted = 0), read as a
    Python bool. A BooleanField still, for the code that asks which fields are yes/no (the packages' format)."""

    field_type = "INTEGER"

    def db_value(self, value: object) -> int | None:
        return None if value is None else int(bool(value))

    def python_value(self, value: object) -> bool | None:
        return None if value is None else bool(value)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Record(BaseModel):
    """Columns every exchanged record carries.

    No index on updated_at, nor on deleted alone but where a query finds the deleted rows themselves (Association,
    Quartier) or walks the live ones in id order (Action), nor on a foreign key that begins a two-column index (but
    Funding.action): schema step 9 dropped them, no query read them."""

    uuid = CharField(max_length=36, unique=True, default=new_uuid)
    created_at = UtcDateTimeField(default=utcnow)
    updated_at = UtcDateTimeField(default=utcnow)
    office = CharField(default="")
    deleted = FlagField(default=False)


class Setting(BaseModel):
    """Local settings of this database (office name, demo mark); never exchanged."""

    key = CharField(primary_key=True)
    value = TextField()


class Contract(Record):
    name = CharField()
    epci_name = CharField(default="")
    epci_siren = CharField(default="")
    start_year = IntegerField()
    end_year = IntegerField()
    framework_signed_on = DateField(null=True)
    signed_on = DateField(null=True)
    is_demo = FlagField(default=False)
    notes = TextField(default="")
    reference_source = CharField(default="")  # e.g. "@etalab/decoupage-administratif 6.0.0" (step 5)


class Signatory(Record):
    contract = ForeignKeyField(Contract, backref="signatories")
    name = CharField()
    represented_by = CharField(default="")
    position = IntegerField(default=0)


class Orientation(Record):
    contract = ForeignKeyField(Contract, backref="orientations")
    number = IntegerField()
    title = TextField()
    pillar = CharField(null=True)


class Commune(Record):
    name = CharField(index=True)
    insee_code = CharField(default="")
    postcode = CharField(default="")
    departement = CharField(default="")  # step 5, from the official reference
    siren = CharField(default="")
    population = IntegerField(null=True)  # population municipale, the figure the contrats de ville use


class Quartier(Record):
    code = CharField(index=True)
    name = CharField(index=True)
    population = IntegerField(default=0)
    notes = TextField(default="")

    class Meta:
        # The check finds the live links of a deleted quartier from the deleted quartiers themselves.
        indexes = ((("deleted",), False),)


class QuartierCommune(Record):
    quartier = ForeignKeyField(Quartier, backref="commune_links", index=False)  # (quartier, commune) serves
    commune = ForeignKeyField(Commune, backref="quartier_links")

    class Meta:
        indexes = ((("quartier", "commune"), False),)


class QuartierIndicator(Record):
    """One indicator of a quartier: money in cents, rates in basis points, with its source year."""

    quartier = ForeignKeyField(Quartier, backref="indicators", index=False)  # (quartier, kind) serves
    kind = CharField()
    value = IntegerField()
    source_year = IntegerField(null=True)

    class Meta:
        indexes = ((("quartier", "kind"), False),)


class Association(Record):
    name = CharField(index=True)
    acronym = CharField(default="")
    siret = CharField(default="", index=True)
    siren = CharField(default="")
    rna = CharField(default="")
    legal_form = CharField(default="Association loi 1901")
    address = TextField(default="")
    postcode = CharField(default="")
    city = CharField(default="")
    commune = ForeignKeyField(Commune, null=True, backref="associations")
    phone = CharField(default="")
    email = CharField(default="")
    website = CharField(default="")
    president = CharField(default="")
    contact_name = CharField(default="")
    notes = TextField(default="")
    active = FlagField(default=True)

    class Meta:
        # The « sans porteur » selection and the check look the deleted porteurs up by their mark alone.
        indexes = ((("deleted",), False),)


class Action(Record):
    reference = CharField(index=True)
    title = CharField()
    year = IntegerField()
    orientation = ForeignKeyField(Orientation, null=True, backref="actions")
    porteur = ForeignKeyField(Association, null=True, backref="actions")
    description = TextField(default="")
    objectives = TextField(default="")
    public = TextField(default="")
    start_date = DateField(null=True)
    end_date = DateField(null=True)
    axes = CharField(default="")
    total_cost = IntegerField(default=0)
    beneficiaries_planned = IntegerField(null=True)
    beneficiaries_reached = IntegerField(null=True)
    indicators = TextField(default="")
    status = CharField(default="brouillon", index=True)
    previous = ForeignKeyField("self", null=True, backref="renewals")
    # Sums of the live funding lines, kept by the services so that lists sort on them in SQL.
    requested_total = IntegerField(default=0)
    granted_total = IntegerField(default=0)
    paid_total = IntegerField(default=0)

    class Meta:
        indexes = (
            # The live actions in id order (the list of plan lines sorted by an action's column reads them so).
            (("deleted",), False),
            (("year", "orientation"), False),
            (("year", "status"), False),
            (("year", "total_cost"), False),
            (("total_cost",), False),
            (("granted_total",), False),
            (("title",), False),
        )


class ActionQuartier(Record):
    action = ForeignKeyField(Action, backref="quartier_links", index=False)  # (action, quartier) serves
    quartier = ForeignKeyField(Quartier, backref="action_links")
    share_bp = IntegerField(null=True)  # the quartier's share of the action, basis points

    class Meta:
        indexes = ((("action", "quartier"), False),)


class Funder(Record):
    name = CharField()
    short_name = CharField(default="")
    kind = CharField(default="autre")
    position = IntegerField(default=0)
    siren = CharField(default="")  # step 5
    siret = CharField(default="")  # what the SCDL export names as idAttribuant


class Funding(Record):
    # Its own index kept beside (action, funder): PostgreSQL's planner reads it (schema step 9).
    action = ForeignKeyField(Action, backref="fundings")
    funder = ForeignKeyField(Funder, backref="fundings")
    requested = IntegerField(default=0)
    granted = IntegerField(null=True)
    paid = IntegerField(null=True)
    decision_date = DateField(null=True)
    notes = TextField(default="")

    class Meta:
        indexes = ((("action", "funder"), False),)


class Envelope(Record):
    funder = ForeignKeyField(Funder, backref="envelopes", index=False)  # (funder, year) serves
    year = IntegerField()
    orientation = ForeignKeyField(Orientation, null=True, backref="envelopes")
    amount = IntegerField()
    label = CharField(default="")

    class Meta:
        indexes = ((("funder", "year"), False),)


class Meeting(Record):
    kind = CharField(default="comite_technique")
    date = DateField()
    place = CharField(default="")
    attendees = TextField(default="")
    notes = TextField(default="")
    title = CharField(default="")  # step 6
    status = CharField(default="open")  # open | closed (closing applied the decisions; step 6)


class MeetingItem(Record):
    """An agenda item: an action reviewed at a meeting, and what was decided."""

    meeting = ForeignKeyField(Meeting, backref="items")
    action = ForeignKeyField(Action, backref="meeting_items")
    position = IntegerField(default=0)
    decision = CharField(default="")  # the decision as printed (free text before step 6, its label since)
    notes = TextField(default="")
    # Step 6: the decision's code (cvdesk.domain.decisions), a partial grant's amounts per funder, and what the
    # closing of the meeting changed, as JSON texts.
    outcome = CharField(default="")
    amounts = TextField(default="")
    applied = TextField(default="")


class History(Record):
    """One create, update or delete: who, where, when, and each field's old and new value (JSON)."""

    record_type = CharField()
    record_uuid = CharField(max_length=36, index=True)
    operation = CharField()  # create | update | delete
    os_user = CharField(default="")
    changes = TextField(default="{}")


# In dependency order: a table comes after every table it references.
RECORD_MODELS: tuple[type[Record], ...] = (
    Contract,
    Signatory,
    Orientation,
    Commune,
    Quartier,
    QuartierCommune,
    QuartierIndicator,
    Association,
    Action,
    ActionQuartier,
    Funder,
    Funding,
    Envelope,
    Meeting,
    MeetingItem,
    History,
)
ALL_MODELS: tuple[type[BaseModel], ...] = (Setting, *RECORD_MODELS)

__all__ = [m.__name__ for m in ALL_MODELS] + ["db", "utcnow", "new_uuid", "RECORD_MODELS", "ALL_MODELS", "date"]
