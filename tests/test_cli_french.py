"""The command line's argparse messages reach the user in French, and the argparse module itself is left alone."""
from __future__ import annotations

import argparse
import gettext
import subprocess
import sys

import pytest

import cvdesk.cli  # noqa: F401  (imported for its side effects, if it had any: there must be none)
from cvdesk.cli_french import french


def test_argparse_is_not_patched() -> None:
    assert argparse._ is gettext.gettext
    assert argparse.ngettext is gettext.ngettext


@pytest.mark.parametrize(("english", "expected"), [
    ("the following arguments are required: --db", "il manque l'argument obligatoire --db"),
    ("argument --scale: invalid choice: 'zz' (choose from 'demo', 'national')",
     "argument --scale : choix invalide « zz » (choix possibles : 'demo', 'national')"),
    ("argument --db: expected one argument", "argument --db : une valeur est attendue après cet argument"),
    ("unrecognized arguments: --bogus x", "argument inconnu : --bogus x"),
    ("argument --year: invalid int value: 'abc'", "argument --year : valeur invalide « abc »"),
    ("a message nobody knows", "a message nobody knows"),
])
def test_messages_are_translated(english: str, expected: str) -> None:
    assert french(english) == expected


def test_the_user_reads_french_from_the_real_program() -> None:
    result = subprocess.run([sys.executable, "-m", "cvdesk", "demo", "--db", "x.db", "--scale", "énorme"],
                            capture_output=True, text=True, encoding="utf-8")
    assert result.returncode == 2
    assert result.stderr.strip() == ("Ligne de commande invalide (cvdesk demo) : argument --scale : choix invalide "
                                     "« énorme » (choix possibles : 'demo', 'national', 'quick').")
    helped = subprocess.run([sys.executable, "-m", "cvdesk", "check", "--help"], capture_output=True, text=True,
                            encoding="utf-8")
    assert helped.stdout.startswith("utilisation : cvdesk check")
    assert "usage" not in helped.stdout and "show this help" not in helped.stdout
