"""A coordinator looks places up in the shipped reference: by name however typed, by INSEE code, postcode, SIREN.

The expected codes are well-known facts or were copied by hand from data/communes.json and data/epci.json of
@etalab/decoupage-administratif 6.0.0 (the version the shipped README names), never from the lookups themselves.
"""
from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvdesk.territory.extract import shipped_extract
from cvdesk.territory.lookup import Reference, ReferenceUnavailable

# epci.json, entry "242500361" (CU Grand Besançon Métropole, formerly CA du Grand Besançon): its 67 "membres".
GRAND_BESANCON_MEMBERS = [
    "25014", "25030", "25035", "25036", "25056", "25058", "25073", "25084", "25086", "25103", "25105", "25111",
    "25112", "25115", "25117", "25119", "25133", "25136", "25147", "25152", "25153", "25186", "25195", "25197",
    "25200", "25212", "25245", "25258", "25265", "25267", "25287", "25328", "25364", "25368", "25371", "25376",
    "25381", "25395", "25397", "25410", "25418", "25427", "25429", "25438", "25444", "25448", "25454", "25466",
    "25467", "25473", "25477", "25495", "25502", "25527", "25532", "25542", "25557", "25560", "25561", "25564",
    "25575", "25594", "25598", "25611", "25612", "25616", "25631",
]
# epci.json, entry "245901160": 35 "membres".
VALENCIENNES_METROPOLE_MEMBER_COUNT = 35
# communes.json: the communes of today whose "codesPostaux" hold 59300.
POSTCODE_59300 = {"59032", "59221", "59606"}


@pytest.fixture(scope="module")
def reference() -> Reference:
    with Reference() as opened:
        yield opened


def test_valenciennes_is_59606_whatever_the_way_it_is_asked(reference: Reference) -> None:
    assert reference.find_communes("Valenciennes")[0].insee == "59606"
    assert reference.find_communes("VALENCIENNES")[0].insee == "59606"
    valenciennes = reference.commune("59606")
    assert valenciennes.name == "Valenciennes"
    assert valenciennes.departement == "59"
    assert reference.commune_by_siren("215906066").insee == "59606"
    assert reference.find_communes("215 906 066")[0].insee == "59606"


def test_a_name_is_found_without_its_accents_hyphens_or_apostrophes(reference: Reference) -> None:
    for typed in ("saint etienne", "Saint-Étienne", "SAINT ETIENNE", "saintetienne", "St-Étienne"):
        assert reference.find_communes(typed)[0].insee == "42218", typed
    assert reference.find_communes("l hay les roses")[0].insee == "94038"
    assert reference.find_communes("lhay-les-roses")[0].insee == "94038"


def test_valenciennes_metropole_by_siren_has_the_members_of_the_json(reference: Reference) -> None:
    epci = reference.epci("245901160")
    assert epci.name == "CA Valenciennes Métropole"
    assert epci.kind == "CA"
    members = reference.members(epci)
    assert len(members) == VALENCIENNES_METROPOLE_MEMBER_COUNT
    assert "59606" in [commune.insee for commune in members]
    assert {commune.epci_siren for commune in members} == {"245901160"}
    assert reference.epci_of("59606").siren == "245901160"
    assert reference.find_epcis("valenciennes metropole")[0].siren == "245901160"


def test_grand_besancon_is_found_by_its_old_name_with_its_67_communes(reference: Reference) -> None:
    found = reference.find_epcis("CA du Grand Besançon Métropole")
    assert [epci.siren for epci in found] == ["242500361"]
    assert found[0].name == "CU Grand Besançon Métropole"
    assert [commune.insee for commune in reference.members("242500361")] == GRAND_BESANCON_MEMBERS
    assert reference.find_epcis("grand besancon")[0].siren == "242500361"


def test_a_postcode_gives_every_commune_it_serves(reference: Reference) -> None:
    assert {commune.insee for commune in reference.communes_by_postcode("59300")} == POSTCODE_59300
    # 59300 is also the INSEE code of Hem-Lenglet: the code comes first, then the postcode's communes.
    found = reference.find_communes("59300")
    assert found[0].name == "Hem-Lenglet"
    assert {commune.insee for commune in found[1:]} == POSTCODE_59300
    assert [epci.siren for epci in reference.find_epcis("59606")] == ["245901160"]


def test_an_arrondissement_or_an_old_code_leads_to_the_commune_of_today(reference: Reference) -> None:
    # communes.json: 13201 is « Marseille 1er Arrondissement », an arrondissement municipal of commune 13055.
    assert reference.find_communes("13201")[0].insee == "13055"
    assert reference.commune("13201").name == "Marseille"
    # 01039 (Béon) is a commune déléguée of 01138: not a commune of its own any more.
    assert reference.commune("01039").insee == "01138"
    assert not reference.find_communes("Marseille 1er Arrondissement")


def test_words_in_another_order_still_find_the_commune(reference: Reference) -> None:
    assert reference.find_communes("etienne saint")[0].insee == "42218"
    assert [c.insee for c in reference.find_communes("rouvray saint etienne")] == ["76575"]
    assert reference.find_epcis("besançon grand")[0].siren == "242500361"


def test_every_sampled_commune_is_found_by_its_name_typed_plainly() -> None:
    """Two thousand communes drawn from the extract (by SQL, not by the lookups), each typed in capitals without
    accents, hyphens or apostrophes: the commune is among those found."""
    conn = sqlite3.connect(f"{shipped_extract().resolve().as_uri()}?mode=ro", uri=True)
    communes = conn.execute("SELECT insee, name FROM commune ORDER BY insee").fetchall()
    conn.close()
    plain = str.maketrans({"-": " ", "'": " ", "’": " ", "œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
    missed = []
    with Reference() as reference:
        for insee, name in random.Random(2026).sample(communes, 2000):
            typed = unicodedata.normalize("NFKD", name.translate(plain)).encode("ascii", "ignore").decode().upper()
            if insee not in [c.insee for c in reference.find_communes(typed, limit=100)]:
                missed.append((insee, name, typed))
    assert missed == []


def test_the_demo_communes_each_get_their_insee_code_within_valenciennes_metropole(reference: Reference) -> None:
    demo = json.loads((Path(__file__).resolve().parents[2] / "resources" / "demo" / "valenciennes-2015.json")
                      .read_text(encoding="utf-8"))
    codes = {name: reference.commune_named(name, postcode) for name, postcode in demo["communes"]}
    assert None not in codes.values(), [name for name, commune in codes.items() if commune is None]
    assert codes["Valenciennes"].insee == "59606"
    conn = sqlite3.connect(f"{shipped_extract().resolve().as_uri()}?mode=ro", uri=True)
    members = {insee for insee, in conn.execute("SELECT insee FROM commune WHERE epci_siren = 245901160")}
    conn.close()
    assert {commune.insee for commune in codes.values()} <= members
    assert len({commune.insee for commune in codes.values()}) == 12
    # Homonyms need their postcode or EPCI: there are several Marly.
    assert reference.commune_named("Marly") is None
    assert reference.commune_named("Marly", epci_siren="245901160").insee == codes["Marly"].insee


def test_unknown_text_finds_nothing(reference: Reference) -> None:
    assert reference.find_communes("Xyzzyville-sur-Plugh") == []
    assert reference.find_epcis("CA de Nulle Part Métropole") == []
    assert reference.commune("99999") is None
    assert reference.epci("000000000") is None
    assert reference.find_epcis("CA") == []  # only the kind: nothing tells one EPCI from another
    assert reference.members("000000000") == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_gives_a_short_list_and_no_error(text: str) -> None:
    with Reference() as reference:
        assert len(reference.find_communes(text)) <= 20
        assert len(reference.find_epcis(text)) <= 20


def test_lookups_leave_the_shipped_file_untouched(reference: Reference) -> None:
    before = hashlib.sha256(shipped_extract().read_bytes()).hexdigest()
    reference.find_communes("saint")
    reference.members("245901160")
    assert hashlib.sha256(shipped_extract().read_bytes()).hexdigest() == before
    assert not Path(str(shipped_extract()) + "-journal").exists()


def test_a_missing_or_foreign_extract_is_refused_in_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ReferenceUnavailable, match="absent.sqlite.*est absent.*build_extract"):
        Reference(tmp_path / "absent.sqlite")
    foreign = tmp_path / "notes.sqlite"
    foreign.write_bytes(b"pas une base SQLite" * 100)
    with pytest.raises(ReferenceUnavailable, match="illisible"):
        Reference(foreign)


def test_an_unreadable_extract_is_refused_in_french_without_sqlites_english(tmp_path: Path) -> None:
    import sqlite3

    foreign = tmp_path / "notes.sqlite"
    foreign.write_bytes(b"pas une base SQLite" * 100)
    other = tmp_path / "autre.sqlite"
    with sqlite3.connect(other) as conn:  # a real SQLite base, but not the extract (no meta table)
        conn.execute("CREATE TABLE carnet (nom TEXT)")
    conn.close()
    for path in (foreign, other):
        with pytest.raises(ReferenceUnavailable) as refused:
            Reference(path)
        sentence = str(refused.value)
        assert sentence.startswith(f"Le référentiel {path} est illisible")
        assert "database" not in sentence and "no such table" not in sentence
