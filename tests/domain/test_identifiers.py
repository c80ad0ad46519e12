"""Tests of the identifier checks: SIREN, SIRET (La Poste included), RNA, quartier, INSEE, postcode, e-mail."""
from __future__ import annotations

from typing import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from cvdesk.domain.identifiers import (
    check_email,
    check_insee,
    check_postcode,
    check_quartier_code,
    check_rna,
    check_siren,
    check_siret,
    digits_only,
    luhn_complete,
    make_siret,
    siren_of_siret,
)

LA_POSTE_HEAD_OFFICE = "35600000000048"
LA_POSTE_ESTABLISHMENT = "35600000049837"


def _digit_sum(number: str) -> int:
    return sum(int(digit) for digit in number)


def _la_poste(luhn_ok: bool, sum_ok: bool) -> str:
    """The first La Poste SIRET (other than the head office) with the given Luhn and digit-sum outcomes."""
    for nic in range(10000, 99999):
        siret = f"356000000{nic:05d}"
        if luhn.is_valid(siret) == luhn_ok and (_digit_sum(siret) % 5 == 0) == sum_ok:
            return siret
    raise AssertionError("no such La Poste SIRET")


def test_digits_only_removes_spaces_no_break_spaces_and_dots() -> None:
    assert digits_only("245 901 160") == "245901160"
    assert digits_only("245\u00a0901\u202f160") == "245901160"
    assert digits_only("245.901.160") == "245901160"
    assert digits_only("") == ""


# --- SIREN -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["245901160", "245 901 160", "245\u00a0901\u00a0160", "245.901.160",
                                   "356000000"])
def test_valid_sirens(value: str) -> None:
    assert check_siren(value) is None


def test_siren_with_a_wrong_key_is_explained() -> None:
    assert check_siren("245901161") == "Le SIREN 245901161 est invalide : la clé de contrôle (Luhn) ne correspond pas."


@pytest.mark.parametrize("value, expected", [
    ("", "Le SIREN est vide."),
    ("   ", "Le SIREN est vide."),
    ("24590116", "Le SIREN doit compter 9 chiffres (8 saisis)."),
    ("2459011600", "Le SIREN doit compter 9 chiffres (10 saisis)."),
    ("24590116A", "Le SIREN ne doit contenir que des chiffres (« 24590116A »)."),
    ("２４５９０１１６０", "Le SIREN ne doit contenir que des chiffres (« ２４５９０１１６０ »)."),
])
def test_invalid_siren_shapes(value: str, expected: str) -> None:
    assert check_siren(value) == expected


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_luhn_complete_makes_a_valid_siren(partial: str) -> None:
    siren = luhn_complete(partial)
    assert len(siren) == 9 and siren.startswith(partial)
    assert check_siren(siren) is None


@given(st.text(alphabet="0123456789", min_size=8, max_size=8), st.integers(1, 9))
def test_changing_one_digit_breaks_the_siren(partial: str, shift: int) -> None:
    siren = luhn_complete(partial)
    broken = siren[:-1] + str((int(siren[-1]) + shift) % 10)
    assert check_siren(broken) is not None


def test_luhn_complete_refuses_non_digits() -> None:
    with pytest.raises(ValueError):
        luhn_complete("24590116A")


# --- SIRET -----------------------------------------------------------------------------------------

def test_valid_siret() -> None:
    siret = make_siret("245901160", "0001")
    assert len(siret) == 14 and siret.startswith("2459011600001")
    assert check_siret(siret) is None
    spaced = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    assert check_siret(spaced) is None
    assert check_siret(spaced.replace(" ", "\u202f")) is None


def test_siret_length_message() -> None:
    assert check_siret("245 901 160 000") == "Le SIRET doit compter 14 chiffres (12 saisis)."
    assert check_siret("") == "Le SIRET est vide."
    assert check_siret("2459011600001X") == "Le SIRET ne doit contenir que des chiffres (« 2459011600001X »)."


def test_siret_with_a_wrong_key_is_explained() -> None:
    assert check_siret("12345678901234") == (
        "Le SIRET 12345678901234 est invalide : la clé de contrôle (Luhn) ne correspond pas.")


def test_siret_passing_luhn_whose_siren_fails() -> None:
    siret = luhn_complete("1234567800001")
    assert luhn.is_valid(siret) and not luhn.is_valid(siret[:9])
    message = check_siret(siret)
    assert message is not None and "SIREN 123456780" in message


@pytest.mark.parametrize("siret", [LA_POSTE_HEAD_OFFICE, LA_POSTE_ESTABLISHMENT, "356 000 000 49837"])
def test_la_poste_sirets_are_valid(siret: str) -> None:
    assert check_siret(siret) is None


def test_la_poste_examples_use_different_rules() -> None:
    # The head office follows Luhn but not the digit sum; the establishment the other way round.
    assert luhn.is_valid(LA_POSTE_HEAD_OFFICE) and _digit_sum(LA_POSTE_HEAD_OFFICE) % 5 != 0
    assert not luhn.is_valid(LA_POSTE_ESTABLISHMENT) and _digit_sum(LA_POSTE_ESTABLISHMENT) % 5 == 0


def test_la_poste_siret_failing_luhn_but_passing_digit_sum_is_valid() -> None:
    siret = _la_poste(luhn_ok=False, sum_ok=True)
    assert check_siret(siret) is None


def test_la_poste_siret_passing_luhn_only_is_valid() -> None:
    siret = _la_poste(luhn_ok=True, sum_ok=False)
    assert check_siret(siret) is None


def test_la_poste_siret_failing_both_rules_is_invalid() -> None:
    siret = _la_poste(luhn_ok=False, sum_ok=False)
    message = check_siret(siret)
    assert message is not None
    assert message.startswith(f"Le SIRET {siret} est invalide : pour La Poste")


def test_same_digit_sum_rule_does_not_apply_outside_la_poste() -> None:
    # A non-La-Poste SIRET whose digit sum is a multiple of 5 but whose Luhn key is wrong stays invalid.
    for nic in range(10000, 99999):
        siret = f"245901160{nic:05d}"
        if not luhn.is_valid(siret) and _digit_sum(siret) % 5 == 0:
            break
    assert check_siret(siret) == f"Le SIRET {siret} est invalide : la clé de contrôle (Luhn) ne correspond pas."


@given(st.text(alphabet="0123456789", min_size=8, max_size=8), st.text(alphabet="0123456789", min_size=4,
                                                                        max_size=4))
def test_make_siret_is_always_valid(partial: str, nic4: str) -> None:
    siren = luhn_complete(partial)
    siret = make_siret(siren, nic4)
    assert len(siret) == 14 and siret.startswith(siren + nic4)
    assert check_siret(siret) is None
    assert siren_of_siret(siret) == siren


def test_make_siret_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="SIREN"):
        make_siret("245901161", "0001")
    with pytest.raises(ValueError, match="4 chiffres"):
        make_siret("245901160", "001")
    with pytest.raises(ValueError, match="4 chiffres"):
        make_siret("245901160", "00A1")


def test_siren_of_siret() -> None:
    assert siren_of_siret("24590116000011") == "245901160"
    assert siren_of_siret("245 901 160 00011") == "245901160"


# --- RNA -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["W595001234", "W9P1002760", "W2A1000001", " W595001234 ", "W 595 001 234"])
def test_valid_rna(value: str) -> None:
    assert check_rna(value) is None


@pytest.mark.parametrize("value, fragment", [
    ("", "est vide"),
    ("w595001234", "doit commencer par la lettre W majuscule"),
    ("595001234", "doit commencer par la lettre W majuscule"),
    ("W59500123", "doit compter 10 caractères, W compris (9 saisis)"),
    ("W5950012345", "doit compter 10 caractères, W compris (11 saisis)"),
    ("W9p1002760", "que des chiffres ou des lettres majuscules"),
    ("W59500-234", "que des chiffres ou des lettres majuscules"),
])
def test_invalid_rna(value: str, fragment: str) -> None:
    message = check_rna(value)
    assert message is not None and fragment in message


# --- Quartier codes --------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["QP059001", "QP02A001", "QP02B012", "QP971002", "QP976001",
                                   "QN05901A", "QN02A01B", "QN97401Z", " QP059001 "])
def test_valid_quartier_codes(value: str) -> None:
    assert check_quartier_code(value) is None


@pytest.mark.parametrize("value", ["QP59001", "QP0590011", "qp059001", "QX059001", "QP059A01", "QP02C001",
                                   "QN059001", "QN05901a", "QN0590AB", "QP05901A", "059001"])
def test_invalid_quartier_codes(value: str) -> None:
    message = check_quartier_code(value)
    assert message is not None and message.startswith(f"Le code de quartier « {value.strip()} » est invalide")


def test_empty_quartier_code() -> None:
    assert check_quartier_code("") == "Le code du quartier est vide."


# --- INSEE, postcode, e-mail -----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["59606", "2A004", "2B033", "97411", "01001"])
def test_valid_insee(value: str) -> None:
    assert check_insee(value) is None


@pytest.mark.parametrize("value", ["5960", "596060", "2C004", "2a004", "3A004", "ABCDE", "59 60A"])
def test_invalid_insee(value: str) -> None:
    message = check_insee(value)
    assert message is not None and "Le code INSEE" in message


def test_empty_insee() -> None:
    assert check_insee("") == "Le code INSEE est vide."


@pytest.mark.parametrize("value", ["59300", "01000", "97400", "20000", "59 300"])
def test_valid_postcodes(value: str) -> None:
    assert check_postcode(value) is None


@pytest.mark.parametrize("value", ["00100", "5930", "593000", "59A00", "2A000", "５９３００"])
def test_invalid_postcodes(value: str) -> None:
    assert check_postcode(value) == f"Le code postal « {value} » est invalide : attendu 5 chiffres, comme 59300."


def test_empty_postcode() -> None:
    assert check_postcode("") == "Le code postal est vide."


@pytest.mark.parametrize("value", ["contact@asso-valenciennes.fr", "jean.dupont@mairie.valenciennes.fr",
                                   "a+b@x.org", " nom@exemple.fr "])
def test_valid_emails(value: str) -> None:
    assert check_email(value) is None


@pytest.mark.parametrize("value", ["nom.exemple.fr", "nom@@exemple.fr", "nom@exemple", "@exemple.fr",
                                   "nom@exemple.", "nom@.fr", "jean dupont@exemple.fr", "nom@exe mple.fr",
                                   "a@b@c.fr", "nom@exemple..fr"])
def test_invalid_emails(value: str) -> None:
    message = check_email(value)
    assert message is not None and message.startswith("L'adresse électronique")


def test_empty_email() -> None:
    assert check_email("") == "L'adresse électronique est vide."


# --- Messages ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("checker, value", [
    (check_siren, "123"), (check_siret, "123"), (check_siret, "12345678901234"),
    (check_siret, _la_poste(luhn_ok=False, sum_ok=False)), (check_rna, "X1"), (check_quartier_code, "Q"),
    (check_insee, "1"), (check_postcode, "1"), (check_email, "x"),
])
def test_messages_are_one_french_sentence(checker: Callable[[str], str | None], value: str) -> None:
    message = checker(value)
    assert message is not None
    assert message[0].isupper() and message.endswith(".")
    assert ". " not in message.rstrip(".")
