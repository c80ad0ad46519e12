"""Tests of the action status workflow: every pair of statuses against the declared table, and the labels."""
from __future__ import annotations

import itertools

import pytest

from cvdesk.domain import status as status_module
from cvdesk.domain.status import (
    ABANDONNEE,
    ACCORDEE,
    AJOURNEE,
    BROUILLON,
    DEPOSEE,
    EN_COURS,
    EN_INSTRUCTION,
    EVALUEE,
    REFUSEE,
    SOLDEE,
    STATUS_LABELS,
    STATUSES,
    allowed_transitions,
    check_transition,
    status_from_label,
    status_label,
)

# The workflow as the design declares it, written out independently of the module.
DECLARED: dict[str, set[str]] = {
    "brouillon": {"deposee", "abandonnee"},
    "deposee": {"en_instruction", "abandonnee"},
    "en_instruction": {"accordee", "refusee", "ajournee", "abandonnee"},
    "accordee": {"en_cours", "abandonnee"},
    "refusee": set(),
    "ajournee": {"en_instruction", "abandonnee"},
    "en_cours": {"soldee", "abandonnee"},
    "soldee": {"evaluee", "abandonnee"},
    "evaluee": set(),
    "abandonnee": set(),
}

LABELS = {
    "brouillon": "Brouillon",
    "deposee": "Déposée",
    "en_instruction": "En instruction",
    "accordee": "Accordée",
    "refusee": "Refusée",
    "ajournee": "Ajournée",
    "en_cours": "En cours",
    "soldee": "Soldée",
    "evaluee": "Évaluée",
    "abandonnee": "Abandonnée",
}


def test_constants_are_the_stored_ascii_codes() -> None:
    assert (BROUILLON, DEPOSEE, EN_INSTRUCTION, ACCORDEE, REFUSEE, AJOURNEE, EN_COURS, SOLDEE, EVALUEE,
            ABANDONNEE) == ("brouillon", "deposee", "en_instruction", "accordee", "refusee", "ajournee",
                            "en_cours", "soldee", "evaluee", "abandonnee")
    assert all(code.isascii() for code in STATUSES)


def test_statuses_in_workflow_order() -> None:
    assert isinstance(STATUSES, tuple)
    assert set(STATUSES) == set(DECLARED)
    assert len(STATUSES) == len(DECLARED)
    position = STATUSES.index
    assert position(BROUILLON) < position(DEPOSEE) < position(EN_INSTRUCTION) < position(ACCORDEE)
    assert position(ACCORDEE) < position(EN_COURS) < position(SOLDEE) < position(EVALUEE)
    assert STATUSES[0] == BROUILLON


def test_labels() -> None:
    assert STATUS_LABELS == LABELS
    for code, label in LABELS.items():
        assert status_label(code) == label


def test_unknown_code_label_is_the_code() -> None:
    assert status_label("inconnu") == "inconnu"


@pytest.mark.parametrize("old, new", list(itertools.product(STATUSES, STATUSES)))
def test_every_pair_against_the_declared_table(old: str, new: str) -> None:
    message = check_transition(old, new)
    if old == new or new in DECLARED[old]:
        assert message is None
    else:
        assert message == f"Une action « {LABELS[old]} » ne peut pas passer à « {LABELS[new]} »."


@pytest.mark.parametrize("old", STATUSES)
def test_allowed_transitions_match_the_table_in_workflow_order(old: str) -> None:
    allowed = allowed_transitions(old)
    assert isinstance(allowed, tuple)
    assert set(allowed) == DECLARED[old]
    assert len(allowed) == len(set(allowed))
    assert old not in allowed


def test_example_message() -> None:
    assert check_transition(BROUILLON, SOLDEE) == "Une action « Brouillon » ne peut pas passer à « Soldée »."


def test_final_states() -> None:
    for final in (REFUSEE, EVALUEE, ABANDONNEE):
        assert allowed_transitions(final) == ()
    assert status_module.FINAL == frozenset({REFUSEE, EVALUEE, ABANDONNEE})


def test_abandonment_from_every_non_final_state() -> None:
    for code in STATUSES:
        expected = code not in (REFUSEE, EVALUEE, ABANDONNEE)
        assert (check_transition(code, ABANDONNEE) is None) == (expected or code == ABANDONNEE)


def test_adjourned_action_is_examined_again() -> None:
    assert check_transition(AJOURNEE, EN_INSTRUCTION) is None
    assert check_transition(AJOURNEE, ACCORDEE) is not None


def test_every_status_is_reachable_from_brouillon() -> None:
    seen = {BROUILLON}
    frontier = [BROUILLON]
    while frontier:
        for following in allowed_transitions(frontier.pop()):
            if following not in seen:
                seen.add(following)
                frontier.append(following)
    assert seen == set(STATUSES)


def test_unknown_statuses() -> None:
    assert check_transition(BROUILLON, "gelee") == "Le statut « gelee » n'existe pas."
    assert check_transition("gelee", BROUILLON) == "Le statut « gelee » n'existe pas."
    assert check_transition("gelee", "gelee") == "Le statut « gelee » n'existe pas."
    with pytest.raises(ValueError, match="n'existe pas"):
        allowed_transitions("gelee")


@pytest.mark.parametrize("text, code", [
    ("Brouillon", BROUILLON),
    ("brouillon", BROUILLON),
    ("Déposée", DEPOSEE),
    ("deposee", DEPOSEE),
    ("DÉPOSÉE", DEPOSEE),
    ("DEPOSEE", DEPOSEE),
    ("En instruction", EN_INSTRUCTION),
    ("en_instruction", EN_INSTRUCTION),
    ("EN INSTRUCTION", EN_INSTRUCTION),
    ("  en cours ", EN_COURS),
    ("Évaluée", EVALUEE),
    ("evaluee", EVALUEE),
    ("Evaluée", EVALUEE),
    ("abandonnée", ABANDONNEE),
    ("Soldée", SOLDEE),
    ("Ajournée", AJOURNEE),
    ("Refusée", REFUSEE),
    ("Accordée", ACCORDEE),
])
def test_status_from_label(text: str, code: str) -> None:
    assert status_from_label(text) == code


@pytest.mark.parametrize("code", STATUSES)
def test_status_from_label_round_trip(code: str) -> None:
    assert status_from_label(status_label(code)) == code
    assert status_from_label(code) == code
    assert status_from_label(status_label(code).upper()) == code


@pytest.mark.parametrize("text", ["", "Validée", "accord", "en instructions"])
def test_status_from_unknown_label(text: str) -> None:
    with pytest.raises(ValueError) as error:
        status_from_label(text)
    message = str(error.value)
    assert message.startswith(f"Le statut « {text.strip()} » n'existe pas")
    assert "Brouillon" in message and message.endswith(".")
