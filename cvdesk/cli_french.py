"""argparse speaking French: its messages translated, its errors as one sentence and exit code 2."""
from __future__ import annotations

import argparse
import sys
from typing import NoReturn

_FRENCH = {
    "usage: ": "utilisation : ",
    "options": "options",
    "positional arguments": "arguments",
    "show this help message and exit": "affiche cette aide et s'arrête",
    "the following arguments are required: %s": "il manque l'argument obligatoire %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide « %(value)s » (choix possibles : %(choices)s)",
    "expected one argument": "une valeur est attendue après cet argument",
    "unrecognized arguments: %s": "argument inconnu : %s",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "invalid %(type)s value: %(value)r": "valeur invalide « %(value)s »",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s (%(matches)s)",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "expected at least one argument": "au moins une valeur est attendue",
}


def _translate(message: str) -> str:
    return _FRENCH.get(message, message)


def _ntranslate(singular: str, plural: str, n: int) -> str:
    return _translate(singular if n == 1 else plural)


argparse._ = _translate  # type: ignore[attr-defined]
argparse.ngettext = _ntranslate  # type: ignore[attr-defined]


class FrenchArgumentParser(argparse.ArgumentParser):
    """Refuses bad arguments with one French sentence on stderr and exit code 2, without the usage dump."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.add_argument("-h", "--help", action="help", help="affiche cette aide et s'arrête")

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(one_line(f"Ligne de commande invalide ({self.prog}) : {message}.") + "\n")
        raise SystemExit(2)


def one_line(message: str) -> str:
    """The message on one line, whatever the user typed into it: control characters shown as escapes."""
    return "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in message)


def unreadable_argument(argv: list[str]) -> str | None:
    """A sentence for an argument that is not text (bytes the terminal could not decode), else None."""
    for position, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return (f"Ligne de commande invalide : l'argument n° {position} (« {ascii(arg)[1:-1]} ») contient des "
                    "caractères illisibles (encodage du terminal) ; retapez-le.")
    return None


def _integer_between(text: str, low: int, high: int, a_noun: str, the_noun: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"« {text} » n'est pas {a_noun}") from None
    if not low <= number <= high:
        raise argparse.ArgumentTypeError(f"{the_noun} {number} n'est pas entre {low} et {high}")
    return number


def year_argument(text: str) -> int:
    return _integer_between(text, 2000, 2100, "une année", "l'année")


def orientation_argument(text: str) -> int:
    return _integer_between(text, 1, 999, "un numéro d'orientation", "le numéro d'orientation")
