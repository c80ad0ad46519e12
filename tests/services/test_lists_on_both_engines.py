"""The lists, the sheets' rows and the panels read alike on SQLite and on PostgreSQL: where empty values sort, the
communes of a quartier, a meeting's year, a search that ignores case and accents, an action linked twice to one
quartier (two offices merged) listed once; expected values by plain SQL on the test's base (sql_rows) or by hand."""
from __future__ import annotations

from datetime import date

import pytest

from cvdesk.services import list_place, lists
from cvdesk.services.meetings import save_meeting
from cvdesk.services.report_data import actions_of_quartier, quartiers_of_action
from cvdesk.store.models import ActionQuartier, db

pytestmark = pytest.mark.both_engines


def test_undecided_lines_come_first_going_up_and_last_going_down(demo_db, sql_rows) -> None:
    # The Financements tab sorted by « Accordé »: the lines still waiting for a decision (granted NULL) first, as
    # SQLite has always shown them; PostgreSQL would put them last unless told.
    undecided = {line for line, in sql_rows("SELECT id FROM funding WHERE deleted = 0 AND granted IS NULL")}
    assert undecided, "the demo has lines waiting for a decision"
    going_up = lists.list_ids("fundings", sort="granted")
    going_down = lists.list_ids("fundings", sort="granted", descending=True)
    assert set(going_up[:len(undecided)]) == undecided
    assert set(going_down[-len(undecided):]) == undecided
    largest, = sql_rows("SELECT max(granted) FROM funding WHERE deleted = 0")[0]
    top, = sql_rows("SELECT granted FROM funding WHERE id = ?", (going_down[0],))[0]
    assert top == largest


def test_a_quartier_shows_its_communes_in_alphabetical_order(demo_db, sql_rows) -> None:
    # A second commune for Chasse Royale: the Communes column lists both, joined by « , » in alphabetical order.
    quartier, = sql_rows("SELECT id FROM quartier WHERE code = 'QP059001'")[0]
    anzin, = sql_rows("SELECT id FROM commune WHERE name = 'Anzin'")[0]
    from cvdesk.store.models import QuartierCommune

    QuartierCommune.create(quartier=quartier, commune=anzin)
    names = sorted(name for name, in sql_rows(
        "SELECT c.name FROM quartier_commune qc JOIN commune c ON c.id = qc.commune_id "
        "WHERE qc.quartier_id = ? AND qc.deleted = 0", (quartier,)))
    assert len(names) == 2
    keys = [column.key for column in lists.get_spec("quartiers").columns]
    communes = lists.fetch_rows("quartiers", [quartier])[quartier][keys.index("communes")]
    assert communes == ", ".join(names)


def test_meetings_are_found_by_their_year(demo_db, sql_rows) -> None:
    # The demo's two 2015 meetings, and one added in 2016: the year filter and the list of years see all three.
    assert save_meeting({"kind": "comite_technique", "date": date(2016, 2, 4), "place": "Anzin"}).ok
    in_2015 = {m for m, in sql_rows("SELECT id FROM meeting WHERE deleted = 0 AND date < '2016-01-01'")}
    assert len(in_2015) == 2
    assert set(lists.list_ids("meetings", filters={"year": 2015})) == in_2015
    assert len(lists.list_ids("meetings", filters={"year": 2016})) == 1
    from cvdesk.ui.meetings_tab import meeting_years

    assert meeting_years() == [(2016, "2016"), (2015, "2015")]


def test_a_small_list_is_searched_without_regard_to_case_or_accents(demo_db, sql_rows) -> None:
    # « etat » and « ÉTAT » both find the State among the funders; « caf » finds the CAF.
    state = {f for f, in sql_rows("SELECT id FROM funder WHERE deleted = 0 AND short_name = 'État'")}
    assert len(state) == 1
    assert set(lists.list_ids("funders", search="etat")) == state
    assert set(lists.list_ids("funders", search="ÉTAT")) == state
    caf = {f for f, in sql_rows("SELECT id FROM funder WHERE deleted = 0 AND short_name = 'CAF'")}
    assert set(lists.list_ids("funders", search="caf")) == caf
    # The plan lines (300,000 nationally, searched through the actions' index and the funders' names): case ignored too.
    cafs_lines = {f for f, in sql_rows("SELECT id FROM funding WHERE deleted = 0 AND funder_id IN "
                                       "(SELECT id FROM funder WHERE short_name = 'CAF')")}
    assert cafs_lines and cafs_lines <= set(lists.list_ids("fundings", search="caf du NORD"))


def test_an_action_linked_twice_to_a_quartier_is_listed_once_with_the_larger_share(demo_db, sql_rows) -> None:
    # Two offices each linked 2015-VM-001 to Chasse Royale, with 25 % and 40 % (merged by UUID: two live links).
    action, = sql_rows("SELECT id FROM \"action\" WHERE reference = '2015-VM-001'")[0]
    quartier, = sql_rows("SELECT id FROM quartier WHERE code = 'QP059001'")[0]
    with db.atomic():
        ActionQuartier.update(share_bp=2500).where((ActionQuartier.action == action)
                                                   & (ActionQuartier.quartier == quartier)).execute()
        ActionQuartier.create(action=action, quartier=quartier, share_bp=4000)
    links, = sql_rows("SELECT count(*) FROM action_quartier WHERE action_id = ? AND quartier_id = ? AND deleted = 0",
                      (action, quartier))[0]
    assert links == 2
    listed = [row.id for row in actions_of_quartier(quartier, 2015)]
    expected = [a for a, in sql_rows(
        "SELECT DISTINCT a.id FROM \"action\" a JOIN action_quartier aq ON aq.action_id = a.id AND aq.deleted = 0 "
        "WHERE aq.quartier_id = ? AND a.deleted = 0 AND a.year = 2015", (quartier,))]
    assert sorted(listed) == sorted(expected) and listed.count(action) == 1
    shares = {row.code: row.share_bp for row in quartiers_of_action(action)}
    assert shares["QP059001"] == 4000
    assert len(shares) == len({q for q, in sql_rows(
        "SELECT quartier_id FROM action_quartier WHERE action_id = ? AND deleted = 0", (action,))})


def test_a_saved_record_keeps_its_place_in_a_sorted_list(demo_db) -> None:
    # The row of a few records, read alone, is where the whole list shows them (sorted by porteur, empty first).
    whole = lists.list_ids("actions", sort="porteur")
    few = [whole[-1], whole[0], whole[len(whole) // 2]]
    assert list_place.shown_in_order("actions", few, sort="porteur") == [i for i in whole if i in few]
    whole = lists.list_ids("actions", sort="title", descending=True)
    assert list_place.shown_in_order("actions", few, sort="title", descending=True) == [i for i in whole if i in few]
