"""The plain classes that replaced dataclasses before the first paint behave as frozen dataclasses did."""
from __future__ import annotations

import copy
import pickle

import pytest

from cvdesk.services.totals import EnvelopeUse, FigureScope, Total


def test_a_programme_cut_to_its_first_actions_keeps_the_rest_of_its_scope() -> None:
    scope = FigureScope(2024, quartier_id=3, funder_id=7)
    cut = scope.replace(action_ids=(1, 2))
    assert (cut.year, cut.quartier_id, cut.funder_id, cut.action_ids) == (2024, 3, 7, (1, 2))
    assert scope.action_ids is None  # the scope itself is unchanged
    with pytest.raises(TypeError):
        scope.replace(town=1)


def test_totals_are_equal_by_value_and_cannot_be_changed() -> None:
    total = Total(None, "Total", 3, 30000, 20000, 15000, 5000)
    assert total == Total(None, "Total", 3, 30000, 20000, 15000, 5000, 0, 0, 0)
    assert total != Total(None, "Total", 3, 30000, 20000, 15000, 5001)
    assert total != ("Total", 3)
    assert hash(total) == hash(Total(None, "Total", 3, 30000, 20000, 15000, 5000))
    assert repr(total).startswith("Total(key=None, label='Total', actions=3, total_cost=30000")
    with pytest.raises(AttributeError):
        total.granted = 0  # type: ignore[misc]
    assert total.granted == 15000


def test_an_envelope_use_survives_a_copy_and_a_pickle_with_its_shares() -> None:
    use = EnvelopeUse(1, "CAF", 2024, 100000, 80000, 69200, 10000, actions=4)
    for again in (copy.copy(use), copy.deepcopy(use), pickle.loads(pickle.dumps(use))):
        assert again == use
        assert again.granted_share == "69,2\u00a0%"  # 69,200 of 100,000, with the French non-breaking space
        assert (again.orientation, again.envelopes) == ("", 1)


def test_an_envelope_s_consumption_keeps_its_use_s_fields_and_its_own_id() -> None:
    # A subclass names only its own field in __slots__: equality, the copy and the pickle still see them all.
    from cvdesk.services.envelopes import EnvelopeConsumption

    use = EnvelopeConsumption(funder_id=1, funder="CAF", year=2024, amount=100000, requested=80000, granted=69200,
                              paid=10000, actions=4, envelope_id=9)
    assert (use.funder, use.actions, use.envelope_id, use.granted_share) == ("CAF", 4, 9, "69,2\u00a0%")
    assert use != use.replace(envelope_id=10) and use != use.replace(granted=0)
    assert "envelope_id=9" in repr(use) and "funder='CAF'" in repr(use)
    for again in (copy.copy(use), pickle.loads(pickle.dumps(use))):
        assert again == use and again.envelope_id == 9
