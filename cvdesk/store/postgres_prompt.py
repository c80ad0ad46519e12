"""Who asks for a PostgreSQL password the server wants and libpq did not find, and the passwords typed this run.

Without peewee or psycopg2 (the command line sets its prompt at every start). The password is never written anywhere:
libpq reads it from ~/.pgpass or PGPASSFILE, else it is typed here and kept in memory for the run, so that the other
threads' connections (background operations) and a reopening use it without asking again."""
from __future__ import annotations

import getpass
from typing import Callable, Optional

# Gets the sentence to show, returns the password typed, or None to give up.
PasswordPrompt = Callable[[str], Optional[str]]

_prompt: PasswordPrompt | None = None
_typed: dict[str, str] = {}


def set_password_prompt(prompt: PasswordPrompt | None) -> None:
    """Who asks (None: nobody, and an opening that needs a password is refused in French)."""
    global _prompt
    _prompt = prompt


def password_prompt() -> PasswordPrompt | None:
    return _prompt


def typed_password(url: str) -> str | None:
    return _typed.get(url)


def keep_typed_password(url: str, password: str | None) -> None:
    if password is None:
        _typed.pop(url, None)
    else:
        _typed[url] = password


def ask_on_terminal(message: str) -> str | None:
    """The command line's prompt: the password typed without echo, None on Ctrl-D or an empty answer."""
    try:
        answer = getpass.getpass(message + " ")
    except EOFError:
        return None
    return answer or None
