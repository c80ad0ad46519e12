"""Tests of quartier indicators (income in cents, rates in basis points) and of the axes and pillars."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cvdesk.domain.axes import AXES, PILLARS, decode_axes, encode_axes
from cvdesk.domain.indicators import INDICATORS, format_indicator, parse_indicator

NBSP = "\u00a0"
RATES = ["taux_pauvrete", "taux_chomage", "part_moins_25", "part_logement_social"]


def test_indicator_labels() -> None:
    assert INDICATORS == {
        "revenu_median": "Revenu fiscal médian par unité de consommation",
        "taux_pauvrete": "Taux de pauvreté",
        "taux_chomage": "Taux de chômage",
        "part_moins_25": "Part des moins de 25 ans",
        "part_logement_social": "Part des ménages en logement social",
    }


def test_format_income() -> None:
    assert format_indicator("revenu_median", 1045000) == f"10{NBSP}450,00{NBSP}€"


@pytest.mark.parametrize("code", RATES)
def test_format_rate(code: str) -> None:
    assert format_indicator(code, 4250) == f"42,5{NBSP}%"
    assert format_indicator(code, 0) == f"0,0{NBSP}%"
    assert format_indicator(code, 10000) == f"100,0{NBSP}%"


def test_format_unknown_indicator() -> None:
    with pytest.raises(ValueError, match="n'existe pas"):
        format_indicator("taux_bonheur", 1)


@pytest.mark.parametrize("text, cents", [
    ("10 450", 1045000),
    ("10 450,00 €", 1045000),
    (f"10{NBSP}450,5{NBSP}€", 1045050),
    ("10450.5", 1045050),
    ("0", 0),
])
def test_parse_income(text: str, cents: int) -> None:
    assert parse_indicator("revenu_median", text) == cents


@pytest.mark.parametrize("text, fragment", [
    ("", "le montant est vide"),
    ("beaucoup", "n'est pas un nombre"),
    ("10 450,123", "plus de deux décimales"),
    ("-10", "ne peut pas être négatif"),
])
def test_parse_bad_income(text: str, fragment: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_indicator("revenu_median", text)
    message = str(error.value)
    assert message.startswith("Revenu fiscal médian par unité de consommation : ")
    assert fragment in message and message.endswith(".")


@pytest.mark.parametrize("code", RATES)
@pytest.mark.parametrize("text, basis_points", [
    ("42,5", 4250),
    ("42,5 %", 4250),
    (f"42,5{NBSP}%", 4250),
    ("42.5", 4250),
    ("42,57", 4257),
    ("42", 4200),
    ("42%", 4200),
    ("0", 0),
    ("100", 10000),
    ("100,0 %", 10000),
    ("7,05", 705),
])
def test_parse_rate(code: str, text: str, basis_points: int) -> None:
    assert parse_indicator(code, text) == basis_points


@pytest.mark.parametrize("text, fragment", [
    ("", "la valeur est vide"),
    ("%", "la valeur est vide"),
    ("100,01", "ne dépasse pas 100 %"),
    ("150", "ne dépasse pas 100 %"),
    ("-5", "ne peut pas être négatif"),
    ("42,567", "n'est pas un pourcentage"),
    ("beaucoup", "n'est pas un pourcentage"),
    ("1000", "n'est pas un pourcentage"),
    ("42,5,1", "n'est pas un pourcentage"),
    ("٤٢", "n'est pas un pourcentage"),
])
def test_parse_bad_rate(text: str, fragment: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_indicator("taux_chomage", text)
    message = str(error.value)
    assert message.startswith("Taux de chômage : ") and fragment in message and message.endswith(".")


def test_parse_unknown_indicator() -> None:
    with pytest.raises(ValueError, match="L'indicateur « taux_bonheur » n'existe pas."):
        parse_indicator("taux_bonheur", "12")


@given(st.sampled_from(RATES), st.integers(0, 1000).map(lambda tenths: tenths * 10))
def test_rate_round_trip_at_one_decimal(code: str, basis_points: int) -> None:
    assert parse_indicator(code, format_indicator(code, basis_points)) == basis_points


@given(st.integers(0, 10**10))
def test_income_round_trip(cents: int) -> None:
    assert parse_indicator("revenu_median", format_indicator("revenu_median", cents)) == cents


# --- Transversal axes and pillars ---------------------------------------------------------------------

def test_axes_and_pillars() -> None:
    assert AXES == {
        "jeunesse": "Jeunesse",
        "egalite_femmes_hommes": "Égalité femmes-hommes",
        "discriminations": "Lutte contre les discriminations",
        "citoyennete": "Citoyenneté",
    }
    assert PILLARS == {
        "cohesion_sociale": "Cohésion sociale",
        "cadre_de_vie": "Cadre de vie et renouvellement urbain",
        "emploi": "Développement économique et emploi",
    }


def test_encode_axes_in_axes_order_without_duplicates() -> None:
    assert encode_axes(["citoyennete", "jeunesse", "citoyennete"]) == "jeunesse,citoyennete"
    assert encode_axes([]) == ""
    assert encode_axes(iter(AXES)) == ",".join(AXES)


def test_encode_unknown_axis() -> None:
    with pytest.raises(ValueError, match="Axe transversal inconnu : sport."):
        encode_axes(["jeunesse", "sport"])


def test_decode_axes() -> None:
    assert decode_axes("") == []
    assert decode_axes("jeunesse,citoyennete") == ["jeunesse", "citoyennete"]
    assert decode_axes(" jeunesse , citoyennete ,") == ["jeunesse", "citoyennete"]


@given(st.sets(st.sampled_from(list(AXES))))
def test_axes_round_trip(codes: set[str]) -> None:
    decoded = decode_axes(encode_axes(codes))
    assert set(decoded) == codes
    assert decoded == [code for code in AXES if code in codes]
