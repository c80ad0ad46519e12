"""An envelope's consumption against the plan lines SQL counts; the contract's signatories saved in order."""
from __future__ import annotations

import pytest

from cvdesk.services.actions import delete_action
from cvdesk.services.envelopes import envelope_consumption_of
from cvdesk.services.reference import save_envelope
from cvdesk.services.signatories import SignatoryLine, save_contract_and_signatories, signatories_of
from cvdesk.store.models import Contract, db

pytestmark = pytest.mark.both_engines


def sums(funder_id: int, year: int, orientation_id: int | None = None) -> tuple[int, int, int, int]:
    sql = ('SELECT count(DISTINCT a.id), COALESCE(SUM(f.requested), 0), COALESCE(SUM(f.granted), 0), '
           'COALESCE(SUM(f.paid), 0) FROM funding f JOIN "action" a ON a.id = f.action_id '
           "WHERE f.deleted = 0 AND a.deleted = 0 AND f.funder_id = ? AND a.year = ?")
    params = [funder_id, year]
    if orientation_id is not None:
        sql += " AND a.orientation_id = ?"
        params.append(orientation_id)
    return tuple(db.execute_sql(sql, params).fetchone())


def test_each_demo_envelope_covers_its_funders_lines_of_its_year(demo_db) -> None:
    envelopes = db.execute_sql("SELECT id, funder_id, year, amount FROM envelope WHERE deleted = 0").fetchall()
    assert envelopes
    for envelope_id, funder_id, year, amount in envelopes:
        use = envelope_consumption_of(envelope_id)
        assert (use.actions, use.requested, use.granted, use.paid) == sums(funder_id, year)
        assert use.amount == amount and use.remaining == amount - use.granted
        assert use.granted_share_bp == (use.granted * 20000 + amount) // (2 * amount)


def test_an_orientation_envelope_counts_its_orientation_only_and_a_deleted_action_no_more(demo_db) -> None:
    funder_id, = db.execute_sql("SELECT id FROM funder WHERE kind = 'etat'").fetchone()
    orientation_id, = db.execute_sql("SELECT id FROM orientation WHERE number = 1").fetchone()
    result = save_envelope({"funder": funder_id, "year": 2015, "orientation": orientation_id, "amount": 10_000_000})
    assert result.ok, result.errors
    use = envelope_consumption_of(result.record.id)
    assert (use.actions, use.requested, use.granted, use.paid) == sums(funder_id, 2015, orientation_id)
    assert use.actions < sums(funder_id, 2015)[0]

    action_id, = db.execute_sql(
        'SELECT a.id FROM "action" a JOIN funding f ON f.action_id = a.id AND f.deleted = 0 '
        "WHERE a.orientation_id = ? AND a.year = 2015 AND f.funder_id = ? AND a.deleted = 0 LIMIT 1",
        (orientation_id, funder_id)).fetchone()
    assert delete_action(action_id)
    after = envelope_consumption_of(result.record.id)
    assert (after.actions, after.requested, after.granted) == sums(funder_id, 2015, orientation_id)[:3]
    assert after.actions == use.actions - 1


def test_an_envelope_of_zero_has_no_share_and_a_deleted_one_no_consumption(demo_db) -> None:
    funder_id, = db.execute_sql("SELECT id FROM funder WHERE kind = 'fipd'").fetchone()
    result = save_envelope({"funder": funder_id, "year": 2016, "amount": 0})
    assert result.ok, result.errors
    assert envelope_consumption_of(result.record.id).granted_share_bp is None
    db.execute_sql("UPDATE envelope SET deleted = 1 WHERE id = ?", (result.record.id,))
    assert envelope_consumption_of(result.record.id) is None


def test_signatories_keep_their_identity_when_reordered_and_a_removed_one_is_tombstoned(demo_db) -> None:
    contract = Contract.get(Contract.deleted == False)  # noqa: E712
    lines = signatories_of(contract.id)
    uuids = dict(db.execute_sql("SELECT id, uuid FROM signatory WHERE deleted = 0").fetchall())
    wanted = [lines[2], lines[0], SignatoryLine(None, "  CAF du Nord ", "sa directrice"), lines[3]]
    result = save_contract_and_signatories({"name": contract.name, "start_year": 2015, "end_year": 2020},
                                           contract.id, wanted)
    assert result.ok, result.errors
    rows = db.execute_sql("SELECT id, uuid, name, position FROM signatory WHERE deleted = 0 ORDER BY position").fetchall()
    assert [name for _id, _uuid, name, _pos in rows] == [lines[2].name, lines[0].name, "CAF du Nord", lines[3].name]
    assert [pos for *_rest, pos in rows] == [1, 2, 3, 4]
    assert all(uuids[i] == u for i, u, _name, _pos in rows if i in uuids)
    assert db.execute_sql("SELECT deleted FROM signatory WHERE id = ?", (lines[1].id,)).fetchone() == (1,)
    operations = [op for (op,) in db.execute_sql(
        "SELECT operation FROM history WHERE record_uuid = ? ORDER BY id", (uuids[lines[1].id],))]
    assert operations[-1] == "delete"


def test_a_nameless_signatory_or_reversed_years_refuse_the_whole_save(demo_db) -> None:
    contract = Contract.get(Contract.deleted == False)  # noqa: E712
    before = db.execute_sql("SELECT count(*), max(updated_at) FROM signatory").fetchone()
    history = db.execute_sql("SELECT count(*) FROM history").fetchone()
    result = save_contract_and_signatories({"name": "Autre nom", "start_year": 2020, "end_year": 2015}, contract.id,
                                           [*signatories_of(contract.id), SignatoryLine(None, " ")])
    assert result.errors == {"end_year": "L'année de fin (2015) précède l'année de début (2020).",
                             "signatories": "Le signataire n° 5 n'a pas de nom."}
    assert db.execute_sql("SELECT count(*), max(updated_at) FROM signatory").fetchone() == before
    assert db.execute_sql("SELECT count(*) FROM history").fetchone() == history
    assert Contract.get_by_id(contract.id).name == contract.name


def test_an_envelope_for_all_orientations_shows_the_programmes_figures_for_its_funder(demo_db) -> None:
    from cvdesk.services.totals import envelope_consumption

    single = db.execute_sql("SELECT min(id), funder_id, year FROM envelope WHERE deleted = 0 AND orientation_id IS NULL "
                            "GROUP BY funder_id, year HAVING count(*) = 1").fetchall()
    assert single
    for envelope_id, funder_id, year in single:
        shown = envelope_consumption_of(envelope_id)
        printed = next(use for use in envelope_consumption(year) if use.funder_id == funder_id)
        assert (shown.amount, shown.requested, shown.granted, shown.paid) == (
            printed.amount, printed.requested, printed.granted, printed.paid)


def test_a_second_envelope_for_the_same_funder_year_and_orientation_is_refused(demo_db) -> None:
    # Hand-picked from the demo: one live envelope per funder and year, for all orientations.
    envelope_id, funder_id, year, funder = db.execute_sql(
        "SELECT e.id, e.funder_id, e.year, f.name FROM envelope e JOIN funder f ON f.id = e.funder_id "
        "WHERE e.deleted = 0 AND e.orientation_id IS NULL ORDER BY e.id LIMIT 1").fetchone()
    before = db.execute_sql("SELECT count(*), (SELECT count(*) FROM history) FROM envelope").fetchone()
    twice = save_envelope({"funder": funder_id, "year": year, "amount": 100})
    assert twice.errors == {"year": f"Le financeur « {funder} » a déjà une enveloppe pour {year} (toutes "
                                    "orientations) : modifiez-la plutôt que d'en ajouter une seconde."}
    assert db.execute_sql("SELECT count(*), (SELECT count(*) FROM history) FROM envelope").fetchone() == before
    # The envelope itself is saved again, and another year or one orientation is a different envelope.
    assert save_envelope({"funder": funder_id, "year": year, "amount": 100}, envelope_id).ok
    orientation_id, = db.execute_sql("SELECT id FROM orientation WHERE deleted = 0 ORDER BY number LIMIT 1").fetchone()
    assert save_envelope({"funder": funder_id, "year": year, "orientation": orientation_id, "amount": 100}).ok
