"""A coordinator of Grand Besançon sets up her own contract from the official reference: the plan proposed, then
written in one go with its history; a base that already holds a contract, or a wrong plan, is refused whole.

Expected communes, codes and populations are read from the shipped extract with sqlite3 (not through the lookup
module), the demo's orientations from resources/demo, and counts by hand."""
from __future__ import annotations

import json
import sqlite3

import pytest

from cvdesk.resources import resource
from cvdesk.services.contract_setup import (
    ORIENTATION_PRESETS,
    ContractSetupError,
    contract_exists,
    create_contract,
    propose_plan,
    signatories_for,
)
from cvdesk.services.reference import save_commune
from cvdesk.store.models import db
from cvdesk.territory.extract import shipped_extract

pytestmark = pytest.mark.both_engines

BESANCON_EPCI = "242500361"


def extract_rows(sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(f"{shipped_extract().resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def base_rows(sql: str, *params: object) -> list[tuple]:
    return db.execute_sql(sql, params).fetchall()


def record_counts() -> dict[str, int]:
    return {table: base_rows(f'SELECT count(*) FROM "{table}"')[0][0]
            for table in ("contract", "signatory", "orientation", "commune", "funder", "history")}


def test_the_plan_lists_every_member_commune_of_the_epci_with_its_insee_code_and_population(empty_db) -> None:
    plan = propose_plan(BESANCON_EPCI, 2024, 2030)
    expected = extract_rows("SELECT insee, name, departement, printf('%09d', siren), population_municipale "
                            "FROM commune WHERE epci_siren = ? ORDER BY insee", int(BESANCON_EPCI))
    assert len(expected) == 67
    assert [(c.insee_code, c.name, c.departement, c.siren, c.population) for c in plan.communes] == expected
    assert all(c.kept for c in plan.communes)
    assert plan.name == "Contrat de ville de CU Grand Besançon Métropole 2024–2030"
    assert plan.orientations == []
    assert plan.reference_source == "@etalab/decoupage-administratif 6.0.0"


def test_the_usual_funders_are_proposed_the_epci_with_its_siren_and_the_communes_unticked(empty_db) -> None:
    plan = propose_plan(BESANCON_EPCI, 2024, 2030)
    ticked = [(f.name, f.kind, f.siren) for f in plan.funders if f.kept]
    assert ticked == [
        ("État – crédits politique de la ville (BOP 147)", "etat", ""),
        ("Région Bourgogne-Franche-Comté", "region", ""),
        ("Département du Doubs", "departement", ""),
        ("CU Grand Besançon Métropole", "epci", BESANCON_EPCI),
        ("CAF du Doubs", "caf", ""),
        ("Bailleurs sociaux (abattement TFPB)", "bailleur", ""),
        ("FIPD", "fipd", ""),
    ]
    communes = [f for f in plan.funders if f.kind == "commune"]
    assert len(communes) == 67 and not any(f.kept for f in communes)
    # The most populated first: Besançon, with the SIREN the extract gives it.
    (besancon_siren,) = extract_rows("SELECT printf('%09d', siren) FROM commune WHERE insee = '25056'")[0]
    assert (communes[0].name, communes[0].siren) == ("Commune de Besançon", besancon_siren)


def test_signatories_follow_the_communes_kept() -> None:
    plan = propose_plan(BESANCON_EPCI, 2024, 2030)
    for commune in plan.communes:
        commune.kept = commune.insee_code in ("25056", "25014")  # Besançon and Amagney
    assert signatories_for(plan.epci_name, plan.communes) == [
        "État – préfecture du Doubs", "Région Bourgogne-Franche-Comté", "Département du Doubs",
        "CU Grand Besançon Métropole", "Commune d'Amagney", "Commune de Besançon"]


def test_the_orientation_presets_are_empty_the_demos_six_or_the_three_pillars() -> None:
    demo = json.loads(resource("demo", "valenciennes-2015.json").read_text(encoding="utf-8"))
    assert ORIENTATION_PRESETS["vide"][1] == []
    assert ORIENTATION_PRESETS["demo"][1] == [(title, pillar) for _, title, pillar in demo["orientations"]]
    assert [title for title, _ in ORIENTATION_PRESETS["piliers"][1]] == [
        "Cohésion sociale", "Cadre de vie et renouvellement urbain", "Développement économique et emploi"]


def test_creating_the_contract_writes_every_record_with_its_history_in_one_go(empty_db) -> None:
    plan = propose_plan(BESANCON_EPCI, 2024, 2030)
    kept = {"25056", "25058", "25014"}  # Besançon, Beure and Amagney, as if unticking the other 64
    for commune in plan.communes:
        commune.kept = commune.insee_code in kept
    plan.signatories = signatories_for(plan.epci_name, plan.communes)
    plan.orientations = list(ORIENTATION_PRESETS["piliers"][1])
    plan.funders[-1].kept = True  # the least populated commune also funds actions
    assert not contract_exists()

    contract = create_contract(plan)

    assert contract_exists()
    assert base_rows("SELECT name, epci_siren, start_year, end_year, reference_source FROM contract") == [
        (plan.name, BESANCON_EPCI, 2024, 2030, "@etalab/decoupage-administratif 6.0.0")]
    expected_communes = extract_rows(
        "SELECT insee, name, departement, printf('%09d', siren), population_municipale FROM commune "
        "WHERE insee IN (?, ?, ?) ORDER BY insee", *sorted(kept))
    assert base_rows("SELECT insee_code, name, departement, siren, population FROM commune ORDER BY insee_code") \
        == expected_communes
    assert base_rows("SELECT number, title, pillar FROM orientation ORDER BY number") == [
        (1, "Cohésion sociale", "cohesion_sociale"),
        (2, "Cadre de vie et renouvellement urbain", "cadre_de_vie"),
        (3, "Développement économique et emploi", "emploi")]
    assert [name for (name,) in base_rows("SELECT name FROM signatory ORDER BY position")] == plan.signatories
    funders = base_rows("SELECT name, kind, siren, position FROM funder ORDER BY position")
    assert len(funders) == 8 and funders[3] == ("CU Grand Besançon Métropole", "epci", BESANCON_EPCI, 3)
    assert funders[-1][1] == "commune" and funders[-1][2] == plan.funders[-1].siren != ""
    # One « create » history row per record written: 1 contract + 7 signatories (État, Région, Département, EPCI
    # and the 3 communes) + 3 orientations + 3 communes + 8 funders (counted by hand above).
    assert base_rows("SELECT count(*) FROM history WHERE operation = 'create'") == [(1 + 7 + 3 + 3 + 8,)]
    assert base_rows("SELECT count(*) FROM history h JOIN contract c ON c.uuid = h.record_uuid "
                     "WHERE h.record_type = 'Contract'") == [(1,)]
    assert contract.id == base_rows("SELECT id FROM contract")[0][0]


def test_a_base_that_already_holds_a_contract_is_refused_and_left_as_it_was(empty_db) -> None:
    create_contract(propose_plan(BESANCON_EPCI, 2024, 2030))
    before = record_counts()
    with pytest.raises(ContractSetupError, match="contient déjà le contrat « Contrat de ville de CU Grand Besançon"):
        create_contract(propose_plan("245901160", 2024, 2030))
    assert record_counts() == before


def test_a_commune_the_base_already_has_is_brought_up_to_date_not_doubled(empty_db) -> None:
    assert save_commune({"name": "Besançon", "insee_code": "25056", "postcode": "25000"}).ok
    plan = propose_plan(BESANCON_EPCI, 2024, 2030)
    create_contract(plan)
    (population,) = extract_rows("SELECT population_municipale FROM commune WHERE insee = '25056'")[0]
    assert base_rows("SELECT count(*), max(population) FROM commune WHERE insee_code = '25056'") == [(1, population)]
    assert base_rows("SELECT count(*) FROM commune") == [(67,)]


def test_a_funder_the_base_already_has_is_brought_up_to_date_not_doubled(empty_db) -> None:
    # A base whose contract was deleted keeps its funders: the new contract must not list « FIPD » twice.
    from cvdesk.services.reference import save_funder

    assert save_funder({"name": "FIPD", "short_name": "FIPD", "kind": "fipd", "position": 0}).ok
    plan = propose_plan(BESANCON_EPCI, 2024, 2030)
    create_contract(plan)
    assert base_rows("SELECT count(*) FROM funder WHERE name = 'FIPD' AND deleted = 0") == [(1,)]
    kept = sum(1 for funder in plan.funders if funder.kept)
    assert base_rows("SELECT count(*) FROM funder WHERE deleted = 0") == [(kept,)]


@pytest.mark.parametrize("spoil, reason", [
    (lambda plan: [setattr(c, "kept", False) for c in plan.communes], "Gardez au moins une commune"),
    (lambda plan: setattr(plan.funders[0], "siret", "12345678901234"), "SIRET 12345678901234 est invalide"),
    (lambda plan: setattr(plan.funders[3], "siret", "21250056500017"), "SIRET 21250056500017"),
    (lambda plan: setattr(plan, "end_year", 2020), "précède son année de début"),
    (lambda plan: setattr(plan, "name", "  "), "nom du contrat est obligatoire"),
    (lambda plan: plan.orientations.append(("", None)), "orientation n° 1 n'a pas d'intitulé"),
    # Passes the plan's own checks, refused when written: the whole transaction goes.
    (lambda plan: plan.orientations.append(("x" * 1001, None)),
     "Orientation n° 1 : Le champ « Intitulé » accepte au plus 1\u00a0000 caractères"),
    (lambda plan: plan.signatories.insert(1, "S" * 256), "Signataire n° 2 : Le champ « Nom » accepte au plus 255"),
], ids=["sans-commune", "siret-faux", "siret-autre-siren", "annees", "sans-nom", "orientation-vide",
        "intitule-trop-long", "signataire-trop-long"])
def test_a_wrong_plan_is_refused_in_one_sentence_and_nothing_is_written(empty_db, spoil, reason: str) -> None:
    plan = propose_plan(BESANCON_EPCI, 2024, 2030)
    spoil(plan)
    before = record_counts()
    with pytest.raises(ContractSetupError) as refused:
        create_contract(plan)
    assert reason in str(refused.value)
    assert "\n" not in str(refused.value)
    assert record_counts() == before


@pytest.mark.parametrize("siren, reason", [
    ("242500362", "clé de contrôle"),
    ("24250036", "9 chiffres"),
    ("215906066", "n'est celui d'aucun EPCI"),  # Valenciennes, a commune: not an EPCI
])
def test_a_wrong_or_unknown_epci_siren_is_refused_before_anything(siren: str, reason: str) -> None:
    with pytest.raises(ContractSetupError, match=reason):
        propose_plan(siren, 2024, 2030)
