"""argparse speaking French: its messages translated, its errors as one sentence and exit code 2."""
from __future__ import annotations

import argparse
import ast
import re
import sys
from typing import NoReturn

# argparse builds its messages in English; they are put into French here, at the one place where they reach the user
# (FrenchArgumentParser.error and the help), without touching the argparse module itself.
_FRENCH = {
    "the following arguments are required: %s": "il manque l'argument obligatoire %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide « %(value)s » (choix possibles : %(choices)s)",
    "expected one argument": "une valeur est attendue après cet argument",
    "expected at most one argument": "une valeur au plus est attendue après cet argument",
    "expected at least one argument": "au moins une valeur est attendue",
    "expected %s argument": "%s valeur est attendue",
    "expected %s arguments": "%s valeurs sont attendues",
    "unrecognized arguments: %s": "argument inconnu : %s",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "invalid %(type)s value: %(value)r": "valeur invalide « %(value)s »",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s (%(matches)s)",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "ignored explicit argument %r": "valeur inattendue « %s »",
}
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?([rs])")


def _pattern(template: str) -> re.Pattern[str]:
    """The English template as a regular expression capturing its placeholders, in order."""
    parts, last = [], 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last:match.start()]))
        parts.append("(.*?)")
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts), re.S)


_PATTERNS = [(_pattern(english), english, french) for english, french in _FRENCH.items()]


def _unquote(value: str) -> str:
    """A value argparse showed with repr() ('abc'), as the user typed it."""
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value
    return parsed if isinstance(parsed, str) else value


def french(message: str) -> str:
    """An argparse message in French (nested messages too); a message we do not know stays as it is."""
    for pattern, english, translation in _PATTERNS:
        match = pattern.fullmatch(message)
        if match is None:
            continue
        values = []
        for placeholder, captured in zip(_PLACEHOLDER.finditer(english), match.groups()):
            name, conversion = placeholder.groups()
            value = _unquote(captured) if conversion == "r" else captured
            values.append((name, french(value) if name == "message" else value))
        return _fill(translation, values)
    return message


def _fill(translation: str, values: list[tuple[str | None, str]]) -> str:
    """Put the captured values into the French template, by name or in order."""
    named = {name: value for name, value in values if name}
    ordered = iter(value for name, value in values if not name)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return named[name] if name else next(ordered, "")

    return _PLACEHOLDER.sub(replace, translation)


class FrenchHelpFormatter(argparse.HelpFormatter):
    """The help's usage line begins « utilisation : »."""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class FrenchArgumentParser(argparse.ArgumentParser):
    """Refuses bad arguments with one French sentence on stderr and exit code 2, without the usage dump."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("add_help", False)
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for group in self._action_groups:
            if group.title == "positional arguments":
                group.title = "arguments"
        self.add_argument("-h", "--help", action="help", help="affiche cette aide et s'arrête")

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(one_line(f"Ligne de commande invalide ({self.prog}) : {french(message)}.") + "\n")
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
