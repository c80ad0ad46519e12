"""Checks of the identifiers a coordinator types: SIRET, SIREN, RNA, quartier codes, INSEE, postcode, e-mail."""
from __future__ import annotations

import re

# python-stdnum is imported inside the checks that use it: importing it pulls in pydoc and ssl (about 13 ms), which
# the window's first paint does not need.

LA_POSTE_SIREN = "356000000"

# What people type between groups of characters: spaces, no-break spaces (U+00A0, U+202F), tabs, dots.
_SEPARATORS = str.maketrans("", "", " \u00a0\u202f\t.")
_SPACES = str.maketrans("", "", " \u00a0\u202f\t")
_RNA = re.compile(r"W[0-9A-Z]{9}")
_DEPARTEMENT = r"(?:\d{3}|02A|02B)"
_QP = re.compile(rf"QP{_DEPARTEMENT}\d{{3}}")
_QN = re.compile(rf"QN{_DEPARTEMENT}\d{{2}}[A-Z]")
_INSEE = re.compile(r"(?:\d{2}|2A|2B)\d{3}")
_POSTCODE = re.compile(r"\d{5}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


def digits_only(value: str) -> str:
    """The value without the spaces, no-break spaces and dots people type between digit groups."""
    return value.translate(_SEPARATORS)


def _without_spaces(value: str) -> str:
    return value.translate(_SPACES)


def _digits_problem(label: str, value: str, length: int) -> str | None:
    if not value:
        return f"Le {label} est vide."
    if not value.isascii() or not value.isdigit():
        return f"Le {label} ne doit contenir que des chiffres (« {value} »)."
    if len(value) != length:
        return f"Le {label} doit compter {length} chiffres ({len(value)} saisis)."
    return None


def check_siren(value: str) -> str | None:
    """None for a valid SIREN (9 digits, Luhn key), else a French sentence saying why not."""
    siren = digits_only(value)
    problem = _digits_problem("SIREN", siren, 9)
    if problem:
        return problem
    from stdnum.fr import siren as stdnum_siren

    if not stdnum_siren.is_valid(siren):
        return f"Le SIREN {siren} est invalide : la clé de contrôle (Luhn) ne correspond pas."
    return None


def check_siret(value: str) -> str | None:
    """None for a valid SIRET, else a French sentence saying why not.

    A SIRET has 14 digits and a Luhn key, and its first 9 digits form a valid SIREN.  La Poste's
    establishments (SIREN 356000000) do not follow Luhn: their digit sum is a multiple of 5 instead;
    their head office (35600000000048) does follow Luhn, so for La Poste either rule is accepted.
    """
    from stdnum import luhn
    from stdnum.fr import siret as stdnum_siret

    siret = digits_only(value)
    problem = _digits_problem("SIRET", siret, 14)
    if problem:
        return problem
    if stdnum_siret.is_valid(siret):
        return None
    if siret.startswith(LA_POSTE_SIREN):
        if luhn.is_valid(siret) or sum(int(digit) for digit in siret) % 5 == 0:
            return None
        return (f"Le SIRET {siret} est invalide : pour La Poste, la somme des chiffres doit être un multiple de 5 "
                "ou la clé de contrôle (Luhn) doit correspondre.")
    if not luhn.is_valid(siret):
        return f"Le SIRET {siret} est invalide : la clé de contrôle (Luhn) ne correspond pas."
    return f"Le SIRET {siret} est invalide : son SIREN {siret[:9]} n'a pas une clé de contrôle valide."


def siren_of_siret(siret: str) -> str:
    """The SIREN of a SIRET: its first 9 digits, spaces and dots ignored."""
    return digits_only(siret)[:9]


def check_rna(value: str) -> str | None:
    """None for an RNA number: W and 9 digits or capital letters (W595001234, W9P1002760), else why not."""
    rna = _without_spaces(value)
    if not rna:
        return "Le numéro RNA est vide."
    if _RNA.fullmatch(rna):
        return None
    if not rna.startswith("W"):
        return f"Le numéro RNA « {rna} » doit commencer par la lettre W majuscule."
    if len(rna) != 10:
        return f"Le numéro RNA « {rna} » doit compter 10 caractères, W compris ({len(rna)} saisis)."
    return f"Le numéro RNA « {rna} » ne doit contenir après le W que des chiffres ou des lettres majuscules."


def check_quartier_code(value: str) -> str | None:
    """None for a quartier code of the 2015 list (QP059001) or of the 2024 list (QN05901A), else why not."""
    code = _without_spaces(value)
    if not code:
        return "Le code du quartier est vide."
    if _QP.fullmatch(code) or _QN.fullmatch(code):
        return None
    return (f"Le code de quartier « {code} » est invalide : attendu QP, le département sur 3 caractères et "
            "3 chiffres (QP059001), ou QN, le département, 2 chiffres et une lettre majuscule (QN05901A).")


def check_insee(value: str) -> str | None:
    """None for a commune's INSEE code (59606, 2A004), else a French sentence saying why not."""
    code = _without_spaces(value)
    if not code:
        return "Le code INSEE est vide."
    if _INSEE.fullmatch(code):
        return None
    return f"Le code INSEE « {code} » est invalide : attendu 5 caractères, comme 59606 ou 2A004."


def check_postcode(value: str) -> str | None:
    """None for a French postcode (5 digits, not starting with 00), else a French sentence saying why not."""
    code = digits_only(value)
    if not code:
        return "Le code postal est vide."
    if code.isascii() and _POSTCODE.fullmatch(code) and not code.startswith("00"):
        return None
    return f"Le code postal « {value.strip()} » est invalide : attendu 5 chiffres, comme 59300."


def check_email(value: str) -> str | None:
    """None for a plausible e-mail address (one @, a name, a domain with a dot, no spaces), else why not."""
    email = value.strip()
    if not email:
        return "L'adresse électronique est vide."
    if _EMAIL.fullmatch(email):
        return None
    return f"L'adresse électronique « {email} » est invalide : attendu une adresse comme nom@exemple.fr."


def luhn_complete(partial: str) -> str:
    """partial followed by the one check digit that makes it Luhn-valid."""
    if not partial.isascii() or not partial.isdigit():
        raise ValueError(f"« {partial} » ne contient pas que des chiffres : impossible de calculer une clé Luhn.")
    from stdnum import luhn

    return partial + luhn.calc_check_digit(partial)


def make_siret(siren: str, nic4: str) -> str:
    """A Luhn-valid 14-digit SIRET from a valid SIREN and 4 digits of the establishment number (NIC)."""
    siren = digits_only(siren)
    problem = check_siren(siren)
    if problem:
        raise ValueError(problem)
    if len(nic4) != 4 or not nic4.isascii() or not nic4.isdigit():
        raise ValueError(f"Le début du NIC « {nic4} » doit compter 4 chiffres.")
    return luhn_complete(siren + nic4)
