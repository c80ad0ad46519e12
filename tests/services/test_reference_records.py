"""A coordinator keeps the contract's reference records: orientations moved and deleted (numbered 1..n again),
funders, communes, envelopes, signatories and meetings deleted as tombstones with their history, each refused in
one French sentence while still in use; identifiers and amounts checked as they are typed.

Expected counts come from SQL on the demo base, never from the services under test."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvdesk.services.records import DeletionRefused
from cvdesk.services.reference import (
    delete_commune,
    delete_envelope,
    delete_funder,
    delete_meeting,
    delete_orientation,
    delete_signatory,
    move_orientation,
    save_commune,
    save_contract,
    save_envelope,
    save_funder,
    save_meeting,
    save_meeting_item,
    save_orientation,
)
from cvdesk.store.models import db

pytestmark = pytest.mark.both_engines


def sql(query: str, *params: object) -> list[tuple]:
    return db.execute_sql(query, params).fetchall()


def one(query: str, *params: object) -> object:
    return sql(query, *params)[0][0]


def history(table_type: str, uuid: str) -> list[str]:
    return [op for (op,) in sql("SELECT operation FROM history WHERE record_type = ? AND record_uuid = ? "
                                "ORDER BY id", table_type, uuid)]


def live_orientations() -> list[tuple[int, str]]:
    return sql("SELECT number, title FROM orientation WHERE deleted = 0 ORDER BY number")


def everything() -> list[tuple]:
    """Every row of the reference tables and the history count: what a refused deletion must leave as it was."""
    rows = []
    for table in ("orientation", "commune", "funder", "envelope", "funding", "signatory", "meeting", "meeting_item"):
        rows += sql(f'SELECT \'{table}\', id, deleted, updated_at FROM "{table}" ORDER BY id')
    return rows + sql("SELECT count(*) FROM history")


# ---- orientations --------------------------------------------------------------------------------------------

def test_moving_the_sixth_orientation_up_swaps_numbers_and_the_actions_follow_it(demo_db) -> None:
    sixth_id, sixth_title = sql("SELECT id, title FROM orientation WHERE number = 6")[0]
    fifth_id, fifth_title = sql("SELECT id, title FROM orientation WHERE number = 5")[0]
    actions_of_sixth = one("SELECT count(*) FROM action WHERE orientation_id = ? AND deleted = 0", sixth_id)
    assert move_orientation(sixth_id, -1) is True
    assert live_orientations()[4:] == [(5, sixth_title), (6, fifth_title)]
    # The actions are linked to the orientation, not to its number: they now read « orientation 5 ».
    assert one("SELECT count(*) FROM action a JOIN orientation o ON o.id = a.orientation_id "
               "WHERE o.number = 5 AND a.deleted = 0") == actions_of_sixth
    uuid = one("SELECT uuid FROM orientation WHERE id = ?", sixth_id)
    assert history("Orientation", uuid) == ["create", "update"]
    assert '"number": [6, 5]' in one("SELECT changes FROM history WHERE record_uuid = ? AND operation = 'update'", uuid)


def test_the_first_orientation_moved_up_stays_first_and_nothing_is_written(demo_db) -> None:
    first = one("SELECT id FROM orientation WHERE number = 1")
    before = everything()
    assert move_orientation(first, -1) is False
    assert everything() == before


def test_an_orientation_moved_down_two_places_and_the_others_renumbered(demo_db) -> None:
    titles = [title for _, title in live_orientations()]
    second = one("SELECT id FROM orientation WHERE number = 2")
    assert move_orientation(second, +2)
    assert [title for _, title in live_orientations()] == [titles[0], titles[2], titles[3], titles[1], *titles[4:]]
    assert [number for number, _ in live_orientations()] == [1, 2, 3, 4, 5, 6]


def test_an_orientation_that_classes_actions_is_kept_and_the_refusal_names_them(demo_db) -> None:
    orientation = one("SELECT id FROM orientation WHERE number = 2")
    count = one("SELECT count(*) FROM action WHERE orientation_id = ? AND deleted = 0", orientation)
    before = everything()
    with pytest.raises(DeletionRefused) as refused:
        delete_orientation(orientation)
    message = str(refused.value)
    assert message.startswith(f"L'orientation n° 2 classe encore {count} actions (2015-VM-")
    assert message.endswith("rien n'a été supprimé.") and "\n" not in message
    assert everything() == before


def test_an_orientation_given_an_envelope_is_kept(demo_db) -> None:
    orientation = save_orientation({"contract": one("SELECT id FROM contract"), "number": 7,
                                    "title": "Tranquillité publique"}).record
    fipd = one("SELECT id FROM funder WHERE short_name = 'FIPD'")
    assert save_envelope({"funder": fipd, "year": 2016, "amount": 4_000_000, "orientation": orientation.id}).ok
    with pytest.raises(DeletionRefused, match=r"L'orientation n° 7 a encore 1 enveloppe \(FIPD\)"):
        delete_orientation(orientation.id)


def test_a_deleted_orientation_leaves_the_others_numbered_one_to_n(demo_db) -> None:
    contract = one("SELECT id FROM contract")
    extra = [save_orientation({"contract": contract, "number": n, "title": f"Orientation {n}"}).record
             for n in (7, 8, 9)]
    assert delete_orientation(extra[0].id) is True
    assert one("SELECT deleted FROM orientation WHERE id = ?", extra[0].id) == 1
    assert history("Orientation", extra[0].uuid) == ["create", "delete"]
    assert live_orientations()[6:] == [(7, "Orientation 8"), (8, "Orientation 9")]
    assert history("Orientation", extra[2].uuid) == ["create", "update"]


# ---- funders and envelopes -----------------------------------------------------------------------------------

def test_a_funder_in_live_financing_plans_is_kept_and_the_refusal_counts_the_actions(demo_db) -> None:
    etat = one("SELECT id FROM funder WHERE kind = 'etat'")
    count = one("SELECT count(DISTINCT f.action_id) FROM funding f JOIN action a ON a.id = f.action_id "
                "WHERE f.funder_id = ? AND f.deleted = 0 AND a.deleted = 0", etat)
    before = everything()
    with pytest.raises(DeletionRefused) as refused:
        delete_funder(etat)
    assert str(refused.value).startswith(f"Le financeur « État – crédits politique de la ville (BOP 147) » figure "
                                         f"encore au plan de financement de {count} actions (")
    assert everything() == before


def test_an_unused_funder_goes_with_its_envelopes_each_with_a_history_row(demo_db) -> None:
    funder = save_funder({"name": "Fondation de France", "kind": "autre"}).record
    envelope = save_envelope({"funder": funder.id, "year": 2015, "amount": 1_500_000}).record
    assert delete_funder(funder.id) is True
    assert sql("SELECT deleted FROM funder WHERE id = ?", funder.id) == [(1,)]
    assert sql("SELECT deleted FROM envelope WHERE id = ?", envelope.id) == [(1,)]
    assert history("Funder", funder.uuid) == ["create", "delete"]
    assert history("Envelope", envelope.uuid) == ["create", "delete"]
    assert delete_funder(funder.id) is False  # already gone


def test_an_envelope_is_deleted_and_the_plan_lines_it_covered_stay(demo_db) -> None:
    envelope = one("SELECT e.id FROM envelope e JOIN funder f ON f.id = e.funder_id WHERE f.kind = 'etat'")
    lines = one("SELECT count(*) FROM funding WHERE deleted = 0")
    assert delete_envelope(envelope) is True
    assert one("SELECT deleted FROM envelope WHERE id = ?", envelope) == 1
    assert one("SELECT count(*) FROM funding WHERE deleted = 0") == lines


def test_a_funders_siren_and_siret_are_checked_with_their_keys(demo_db) -> None:
    assert save_funder({"name": "CU Grand Besançon Métropole", "kind": "epci", "siren": "242 500 361"}).ok
    assert one("SELECT siren FROM funder WHERE name = 'CU Grand Besançon Métropole'") == "242500361"
    wrong_key = save_funder({"name": "X", "kind": "epci", "siren": "242500362"})
    assert wrong_key.errors == {"siren": "Le SIREN 242500362 est invalide : la clé de contrôle (Luhn) ne "
                                         "correspond pas."}
    # 24590116000011 is a valid establishment of 245901160 (key worked out by hand in the exchange story).
    other = save_funder({"name": "X", "kind": "epci", "siren": "242500361", "siret": "24590116000011"})
    assert "n'est pas un établissement du SIREN 242500361" in other.errors["siret"]
    alone = save_funder({"name": "Valenciennes Métropole (siège)", "kind": "epci", "siret": "24590116000011"})
    assert alone.ok and (alone.record.siren, alone.record.siret) == ("245901160", "24590116000011")


def test_an_envelope_needs_an_amount_of_zero_or_more_and_a_year_within_the_contract(demo_db) -> None:
    fipd = one("SELECT id FROM funder WHERE short_name = 'FIPD'")
    start, end, name = sql("SELECT start_year, end_year, name FROM contract")[0]
    assert save_envelope({"funder": fipd, "year": 2015, "amount": -1}).errors == {
        "amount": "Le montant de l'enveloppe ne peut pas être négatif."}
    late = save_envelope({"funder": fipd, "year": end + 1, "amount": 100})
    assert late.errors == {"year": f"L'année {end + 1} est hors de la période du contrat « {name} » "
                                   f"({start}–{end})."}
    assert save_envelope({"funder": fipd, "year": end, "amount": 0}).ok


# ---- communes -------------------------------------------------------------------------------------------------

def test_a_commune_with_quartiers_and_associations_is_kept_and_the_refusal_says_which(demo_db) -> None:
    commune = one("SELECT id FROM commune WHERE name = 'Valenciennes'")
    quartiers = one("SELECT count(DISTINCT q.id) FROM quartier_commune qc JOIN quartier q ON q.id = qc.quartier_id "
                    "WHERE qc.commune_id = ? AND qc.deleted = 0 AND q.deleted = 0", commune)
    associations = one("SELECT count(*) FROM association WHERE commune_id = ? AND deleted = 0", commune)
    before = everything()
    with pytest.raises(DeletionRefused) as refused:
        delete_commune(commune)
    message = str(refused.value)
    assert message.startswith(f"La commune « Valenciennes » est encore celle de {quartiers} quartiers (QP059")
    assert f"et de {associations} associations (" in message and message.endswith("rien n'a été supprimé.")
    assert everything() == before


def test_an_unused_commune_is_deleted_with_its_history(demo_db) -> None:
    commune = save_commune({"name": "Saint-Saulve", "insee_code": "59544", "postcode": "59880"}).record
    assert delete_commune(commune.id) is True
    assert one("SELECT deleted FROM commune WHERE id = ?", commune.id) == 1
    assert history("Commune", commune.uuid) == ["create", "delete"]


def test_a_communes_codes_are_checked_and_written_as_the_reference_writes_them(demo_db) -> None:
    assert save_commune({"name": "Ajaccio", "insee_code": "2a004", "departement": "2a"}).ok
    assert sql("SELECT insee_code, departement FROM commune WHERE name = 'Ajaccio'") == [("2A004", "2A")]
    bad = save_commune({"name": "Nulle part", "insee_code": "5960", "departement": "20", "siren": "215906067",
                        "population": -3})
    assert bad.errors == {
        "insee_code": "Le code INSEE « 5960 » est invalide : attendu 5 caractères, comme 59606 ou 2A004.",
        "departement": "Le département « 20 » est invalide : attendu un code comme 59, 2A ou 974.",
        "siren": "Le SIREN 215906067 est invalide : la clé de contrôle (Luhn) ne correspond pas.",
        "population": "Le nombre d'habitants de la commune ne peut pas être négatif.",
    }


def test_a_commune_typed_again_with_an_insee_code_the_contract_has_is_refused(demo_db) -> None:
    (valenciennes_id,) = sql("SELECT id FROM commune WHERE insee_code = '59606' AND deleted = 0")[0]
    before = everything()
    twice = save_commune({"name": "Valenciennes (bis)", "insee_code": "59 606"})
    assert twice.errors == {"insee_code": "La commune « Valenciennes » porte déjà le code INSEE 59606 : "
                                          "complétez-la plutôt que d'en créer une seconde."}
    assert everything() == before
    # The commune itself keeps its code when saved again.
    assert save_commune({"name": "Valenciennes", "insee_code": "59606"}, valenciennes_id).ok


# ---- signatories and meetings ----------------------------------------------------------------------------------

def test_a_signatory_and_a_meeting_with_its_agenda_are_deleted_as_tombstones(demo_db) -> None:
    signatory, signatory_uuid = sql("SELECT id, uuid FROM signatory ORDER BY position DESC LIMIT 1")[0]
    assert delete_signatory(signatory) is True
    assert history("Signatory", signatory_uuid) == ["create", "delete"]
    meeting = save_meeting({"kind": "comite_technique", "date": date(2016, 2, 4)}).record
    action = one("SELECT id FROM action ORDER BY id LIMIT 1")
    item = save_meeting_item({"meeting": meeting.id, "action": action, "position": 1}).record
    assert delete_meeting(meeting.id) is True
    assert sql("SELECT deleted FROM meeting_item WHERE id = ?", item.id) == [(1,)]
    assert one("SELECT deleted FROM action WHERE id = ?", action) == 0


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(moves=st.lists(st.tuples(st.integers(0, 4), st.sampled_from([-3, -1, 1, 2])), max_size=8))
def test_any_series_of_moves_keeps_the_orientations_numbered_one_to_n_in_the_expected_order(empty_db, moves) -> None:
    """Moving orientations as a coordinator might, again and again: the list always reads 1..n, in the order a
    plain Python list gives for the same moves (each clamped at the ends)."""
    db.execute_sql("DELETE FROM orientation")
    db.execute_sql("DELETE FROM contract")
    contract = save_contract({"name": "Contrat", "start_year": 2024, "end_year": 2030}).record
    ids = [save_orientation({"contract": contract.id, "number": n, "title": f"O{n}"}).record.id for n in range(1, 6)]
    expected = [f"O{n}" for n in range(1, 6)]
    for index, delta in moves:
        title = expected[index]
        target = max(0, min(4, index + delta))
        expected.insert(target, expected.pop(index))
        record_id = ids[int(title[1:]) - 1]
        assert move_orientation(record_id, delta) is (target != index)
    assert live_orientations() == list(enumerate(expected, start=1))
