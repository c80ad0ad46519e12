"""Saving the contract's reference records: contract, orientations, communes, funders, envelopes, meetings."""
from __future__ import annotations

from typing import Any, Mapping

from cvdesk.services.records import SaveResult, save_record
from cvdesk.services.validation import (
    validate_commune,
    validate_contract,
    validate_envelope,
    validate_funder,
    validate_meeting,
    validate_meeting_item,
    validate_orientation,
    validate_signatory,
)
from cvdesk.store.models import Commune, Contract, Envelope, Funder, Meeting, MeetingItem, Orientation, Signatory


def save_contract(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    return save_record(Contract, values, record_id, validate_contract)


def save_signatory(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    return save_record(Signatory, values, record_id, validate_signatory)


def save_orientation(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    return save_record(Orientation, values, record_id, validate_orientation)


def save_commune(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    return save_record(Commune, values, record_id, validate_commune)


def save_funder(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    return save_record(Funder, values, record_id, validate_funder)


def save_envelope(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    return save_record(Envelope, values, record_id, validate_envelope)


def save_meeting(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    return save_record(Meeting, values, record_id, validate_meeting)


def save_meeting_item(values: Mapping[str, Any], record_id: int | None = None) -> SaveResult:
    return save_record(MeetingItem, values, record_id, validate_meeting_item)


def current_contract() -> Contract | None:
    return Contract.select().where(Contract.deleted == False).order_by(Contract.id).first()  # noqa: E712
