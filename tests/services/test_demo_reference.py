"""The demonstration contract uses the official reference: its 12 communes carry their real INSEE codes, SIREN,
département and population, and Valenciennes Métropole, the one funder the reference identifies, its SIREN.

The codes below were copied by hand from @etalab/decoupage-administratif 6.0.0 (communes.json); the populations
are read from the shipped extract with sqlite3."""
from __future__ import annotations

import sqlite3

import pytest

from cvdesk.store.models import db
from cvdesk.territory.extract import shipped_extract

pytestmark = pytest.mark.both_engines

DEMO_COMMUNES = {
    "Valenciennes": ("59606", "215906066"), "Anzin": ("59014", "215900143"),
    "Aulnoy-lez-Valenciennes": ("59032", "215900325"), "Beuvrages": ("59079", "215900796"),
    "Bruay-sur-l'Escaut": ("59112", "215901125"), "Condé-sur-l'Escaut": ("59153", "215901539"),
    "Crespin": ("59160", "215901604"), "Fresnes-sur-Escaut": ("59253", "215902537"), "Marly": ("59383", "215903832"),
    "Onnaing": ("59447", "215904475"), "Quiévrechain": ("59484", "215904848"), "Vieux-Condé": ("59616", "215906165"),
}


def test_the_demo_communes_carry_their_real_insee_codes_siren_and_population(demo_db) -> None:
    stored = {name: (insee, siren) for name, insee, siren in
              db.execute_sql("SELECT name, insee_code, siren FROM commune WHERE deleted = 0")}
    assert stored == DEMO_COMMUNES
    conn = sqlite3.connect(f"{shipped_extract().resolve().as_uri()}?mode=ro", uri=True)
    try:
        official = dict(conn.execute("SELECT insee, population_municipale FROM commune WHERE epci_siren = 245901160"))
    finally:
        conn.close()
    for insee, departement, population in db.execute_sql("SELECT insee_code, departement, population FROM commune"):
        assert (departement, population) == ("59", official[insee])


def test_valenciennes_metropole_funds_with_its_siren_and_the_other_funders_with_their_sirets(demo_db) -> None:
    # The EPCI's and the communes' SIRENs are the reference's; the other funders' (illustrative) SIRETs, which the SCDL
    # export names them by, give theirs; the bailleurs (a TFPB abatement is not a grant) have none.
    funders = db.execute_sql("SELECT name, siren, siret FROM funder WHERE siren != '' ORDER BY position").fetchall()
    assert ("Valenciennes Métropole", "245901160", "24590116000037") in funders
    assert all(siret[:9] == siren for _, siren, siret in funders)
    assert db.execute_sql("SELECT name FROM funder WHERE siren = '' ORDER BY position").fetchall() == [
        ("Bailleurs sociaux (abattement TFPB)",)]
    # Each commune that funds is its own funder, under the SIREN the reference gives it (« Communes » in the demo's
    # plans is the first commune of the action's first quartier by code).
    towns = db.execute_sql("SELECT c.name, f.name, f.siren FROM funder f JOIN commune c ON f.short_name = c.name "
                           "WHERE f.kind = 'commune' ORDER BY c.name").fetchall()
    assert len(towns) >= 2
    assert all(siren == DEMO_COMMUNES[commune][1] and funder.endswith(commune) for commune, funder, siren in towns)
    grants = db.execute_sql(
        "SELECT DISTINCT fu.short_name, (SELECT c.name FROM action_quartier aq JOIN quartier_commune qc "
        "ON qc.quartier_id = aq.quartier_id JOIN commune c ON c.id = qc.commune_id JOIN quartier q ON q.id = aq.quartier_id "
        "WHERE aq.action_id = a.id ORDER BY q.code, qc.id LIMIT 1) FROM funding f JOIN \"action\" a ON a.id = f.action_id "
        "JOIN funder fu ON fu.id = f.funder_id WHERE fu.kind = 'commune'").fetchall()
    assert grants and all(town == first for town, first in grants)
    assert db.execute_sql("SELECT reference_source FROM contract").fetchall() == [
        ("@etalab/decoupage-administratif 6.0.0",)]
