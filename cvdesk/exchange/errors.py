"""The exchange's refusals and its cancellation: str() of an ExchangeError is one French sentence."""
from __future__ import annotations


class ExchangeError(Exception):
    """A package or a spreadsheet refused whole; nothing was written."""


class Cancelled(Exception):
    """The user stopped the work; nothing was written."""
