"""A funder's kind comes from one list, the same for a form and for an exchange package."""
from __future__ import annotations

import pytest

from cvdesk.domain.funders import FUNDER_KINDS
from cvdesk.services.reference import save_funder
from cvdesk.store.models import Funder

pytestmark = pytest.mark.both_engines


def test_a_funder_of_an_unknown_kind_is_refused_and_nothing_is_written(empty_db) -> None:
    result = save_funder({"name": "Fonds pirate", "kind": "pirate"})
    assert not result.ok
    assert "n'existe pas" in result.errors["kind"]
    assert Funder.select().count() == 0
    assert save_funder({"name": "CAF du Nord", "kind": "caf"}).ok


def test_every_kind_the_demo_uses_is_in_the_list(demo_db) -> None:
    kinds = {kind for (kind,) in demo_db.execute_sql("SELECT DISTINCT kind FROM funder")}
    assert kinds and kinds <= set(FUNDER_KINDS)
