"""The demonstration contract matches what the founding document says."""
from __future__ import annotations

import json

import pytest

from cvdesk.domain.identifiers import check_rna, check_siret
from cvdesk.resources import resource
from cvdesk.services.check import run_check
from cvdesk.services.demo import build_demo
from cvdesk.store.errors import StoreError
from cvdesk.store.models import (Action, Association, Commune, Contract, Envelope, Funder, Funding, Orientation,
                                 Quartier, Signatory, db)
from cvdesk.store.settings import is_demo

pytestmark = pytest.mark.both_engines

ORIENTATIONS = [
    "Assurer les effets d'entraînement sociaux et territoriaux du développement économique.",
    "Promouvoir la santé et faciliter l'accès aux soins.",
    "Accompagner le renouvellement urbain, l'aménagement urbain, l'appropriation des changements par les habitants"
    " et favoriser le vivre ensemble.",
    "Favoriser la réussite éducative et l'engagement citoyen.",
    "Prévenir la délinquance et accompagner les victimes.",
    "Lutter contre les nouvelles formes de grandes exclusions.",
]


def test_the_contract_has_its_public_facts(demo_db) -> None:
    contract = Contract.get()
    assert contract.epci_siren == "245901160" and contract.is_demo and is_demo()
    assert str(contract.framework_signed_on) == "2015-02-26"
    assert [o.title for o in Orientation.select().order_by(Orientation.number)] == ORIENTATIONS
    assert Signatory.select().count() == 4
    assert Commune.select().count() == 12
    assert Quartier.select().count() == 14
    assert sum(q.population for q in Quartier.select()) == 36_000
    etat = Funder.get(Funder.short_name == "État")
    assert Envelope.get((Envelope.funder == etat) & (Envelope.year == 2015)).amount == 170_000_000


def test_every_quartier_code_and_every_commune_is_used(demo_db) -> None:
    from cvdesk.services.quartiers import communes_of

    used = {c.name for q in Quartier.select() for c in communes_of(q.id)}
    assert len(used) == 12
    assert all(q.code.startswith("QP059") and len(q.code) == 8 for q in Quartier.select())


def test_associations_have_valid_identifiers(demo_db) -> None:
    associations = list(Association.select())
    assert 18 <= len(associations) <= 22
    assert all(check_siret(a.siret) is None for a in associations)
    assert all(check_rna(a.rna) is None for a in associations if a.rna)


def test_actions_have_realistic_plans_within_the_state_envelope(demo_db) -> None:
    actions = list(Action.select())
    assert 38 <= len(actions) <= 42
    assert {a.orientation.number for a in actions} == {1, 2, 3, 4, 5, 6}
    statuses = {a.status for a in actions}
    assert len(statuses) >= 9
    for action in actions:
        lines = list(Funding.select().where(Funding.action == action))
        assert 2 <= len(lines) <= 4
        assert action.requested_total <= action.total_cost
    etat = Funder.get(Funder.short_name == "État")
    granted = sum(f.granted or 0 for f in Funding.select().where(Funding.funder == etat))
    assert 1_000_000_00 <= granted <= 1_700_000_00


def test_the_demo_passes_the_check(demo_db) -> None:
    report = run_check()
    assert report.ok, report.errors


def test_the_demo_refuses_a_database_that_holds_data(demo_db) -> None:
    before = Action.select().count()
    with pytest.raises(StoreError, match="déjà des données"):
        build_demo()
    assert Action.select().count() == before


def test_the_shipped_data_file_is_consistent() -> None:
    data = json.loads(resource("demo", "valenciennes-2015.json").read_text(encoding="utf-8"))
    assert sum(q[3] for q in data["quartiers"]) == 36_000


def test_the_closed_comite_says_what_the_plans_show(demo_db) -> None:
    """Each decision of the demo's closed comité de pilotage agrees with its action's status and plan (SQL)."""
    rows = list(db.execute_sql(
        "SELECT i.action_id, i.outcome, i.amounts, a.status FROM meeting_item i JOIN meeting m ON m.id = i.meeting_id "
        "JOIN \"action\" a ON a.id = i.action_id WHERE m.status = 'closed' AND i.deleted = 0 AND m.deleted = 0"))
    assert len(rows) == 24
    outcomes = set()
    for action_id, outcome, amounts, status in rows:
        outcomes.add(outcome)
        lines = list(db.execute_sql("SELECT fu.uuid, f.requested, f.granted FROM funding f JOIN funder fu "
                                    "ON fu.id = f.funder_id WHERE f.action_id = ? AND f.deleted = 0", (action_id,)))
        if outcome == "accordee":
            assert status in ("accordee", "en_cours", "soldee", "evaluee")
            assert all(granted == requested for _uuid, requested, granted in lines)
        elif outcome == "accordee_partiellement":
            by_funder: dict[str, int] = {}
            for funder_uuid, _requested, granted in lines:
                by_funder[funder_uuid] = by_funder.get(funder_uuid, 0) + (granted or 0)
            assert json.loads(amounts) == by_funder
        elif outcome in ("refusee", "ajournee"):
            assert status == outcome
        else:
            assert outcome == "" and status in ("brouillon", "deposee", "en_instruction")
    assert {"accordee", "accordee_partiellement"} <= outcomes
