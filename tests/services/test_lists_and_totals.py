"""Lists sorted and filtered in SQL, rows fetched by id, and the totals of the demo contract."""
from __future__ import annotations

import pytest

from cvdesk.services import lists, totals
from cvdesk.store.models import Action, Funder, Orientation, Quartier

pytestmark = pytest.mark.both_engines


def test_actions_sort_by_amount_in_both_directions(demo_db) -> None:
    ids = lists.list_ids("actions", sort="total_cost")
    costs = [Action.get_by_id(i).total_cost for i in ids]
    assert costs == sorted(costs) and len(ids) == 40
    desc = lists.list_ids("actions", sort="total_cost", descending=True)
    assert [Action.get_by_id(i).total_cost for i in desc] == sorted(costs, reverse=True)


def test_filters_and_search_narrow_the_actions(demo_db) -> None:
    fifth = Orientation.get(Orientation.number == 5)
    ids = lists.list_ids("actions", filters={"orientation": fifth.id})
    assert ids and all(Action.get_by_id(i).orientation_id == fifth.id for i in ids)
    found = lists.list_ids("actions", search="jardins")
    assert [Action.get_by_id(i).title for i in found] == ["Jardins partagés au pied des immeubles"]
    chasse = Quartier.get(Quartier.code == "QP059001")
    in_chasse = lists.list_ids("actions", filters={"quartier": chasse.id, "year": 2015})
    assert len(in_chasse) >= 5
    assert lists.count("actions", search="jardins") == 1


def test_search_treats_percent_and_underscore_literally(demo_db) -> None:
    assert lists.list_ids("actions", search="%") == []
    assert lists.list_ids("actions", search="_") == []


def test_fetch_rows_returns_the_displayed_values_by_id(demo_db) -> None:
    ids = lists.list_ids("quartiers")
    rows = lists.fetch_rows("quartiers", ids)
    assert rows[ids[0]][:2] == ("QP059001", "Chasse Royale")
    assert rows[ids[6]][2] == "Crespin, Quiévrechain"


def test_totals_by_orientation_add_up_to_the_actions(demo_db) -> None:
    by_orientation = totals.totals_by_orientation(2015)
    assert len(by_orientation) == 6
    live = Action.select().where(Action.deleted == False)  # noqa: E712
    assert sum(t.granted for t in by_orientation) == sum(a.granted_total for a in live)
    assert sum(t.actions for t in by_orientation) == 40


def test_envelope_consumption_of_the_state_stays_within_its_envelope(demo_db) -> None:
    uses = {u.funder_id: u for u in totals.envelope_consumption(2015)}
    etat = Funder.get(Funder.short_name == "État")
    assert uses[etat.id].amount == 170_000_000
    assert 0 < uses[etat.id].granted <= uses[etat.id].amount
    by_funder = {t.key: t for t in totals.totals_by_funder(2015)}
    assert by_funder[etat.id].granted == uses[etat.id].granted


def test_totals_by_quartier_and_year(demo_db) -> None:
    assert [t.key for t in totals.totals_by_year()] == [2015]
    by_quartier = totals.totals_by_quartier(2015)
    assert len(by_quartier) == 14


def test_one_pass_envelope_figures_equal_a_plain_sum_per_funder(demo_db) -> None:
    from cvdesk.store.models import Funding

    for use in totals.envelope_consumption(2015):
        lines = [f for f in Funding.select().join(Action).where(
            (Funding.funder == use.funder_id) & (Action.year == 2015) & (Funding.deleted == False)  # noqa: E712
            & (Action.deleted == False))]  # noqa: E712
        assert use.requested == sum(f.requested for f in lines)
        assert use.granted == sum(f.granted or 0 for f in lines)
        assert use.paid == sum(f.paid or 0 for f in lines)


def test_a_quartiers_funder_totals_count_only_its_actions(demo_db) -> None:
    from cvdesk.store.models import ActionQuartier, Funding

    chasse = Quartier.get(Quartier.code == "QP059001")
    ids = {link.action_id for link in ActionQuartier.select().where(ActionQuartier.quartier == chasse)}
    by_funder = totals.totals_by_funder(quartier_id=chasse.id)
    assert sum(t.granted for t in by_funder) == sum(
        f.granted or 0 for f in Funding.select().where(Funding.action.in_(list(ids))))


def test_an_action_linked_twice_to_a_quartier_counts_once_and_check_says_so(demo_db) -> None:
    from cvdesk.services.check import run_check
    from cvdesk.services.records import save_record
    from cvdesk.store.models import ActionQuartier

    chasse = Quartier.get(Quartier.code == "QP059001")
    before = totals.totals_by_funder(quartier_id=chasse.id)
    by_orientation = totals.totals_by_orientation(quartier_id=chasse.id)
    by_quartier = {t.key: t for t in totals.totals_by_quartier(2015)}[chasse.id]
    link = ActionQuartier.select().where(ActionQuartier.quartier == chasse).first()
    # what a merge of two offices that both linked this action to Chasse Royale leaves behind
    assert save_record(ActionQuartier, {"action": link.action_id, "quartier": chasse.id}).ok
    assert totals.totals_by_funder(quartier_id=chasse.id) == before
    assert totals.totals_by_orientation(quartier_id=chasse.id) == by_orientation
    assert {t.key: t for t in totals.totals_by_quartier(2015)}[chasse.id] == by_quartier
    assert any("rattaché 2 fois" in w for w in run_check().warnings)
