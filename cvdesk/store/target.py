"""What --db and CVDESK_DB name: a SQLite file (a path) or a PostgreSQL database (a postgresql:// URL)."""
from __future__ import annotations

import os
from pathlib import Path

from cvdesk.store.errors import StoreError

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
# Query parameters of libpq that carry a secret: refused in a URL like the password itself.
SECRET_PARAMETERS = ("password", "sslpassword")


class SqliteTarget:
    """A database file on this machine (or a share)."""

    __slots__ = ("path",)

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def display(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"SqliteTarget({self.path!r})"


class PostgresTarget:
    """A PostgreSQL database: url is what libpq reads (scheme postgresql://, query parameters such as sslmode kept),
    display the same address without what could be a secret, for messages."""

    __slots__ = ("url", "display")

    def __init__(self, url: str, display: str) -> None:
        self.url = url
        self.display = display

    def __repr__(self) -> str:
        return f"PostgresTarget({self.display!r})"


def is_postgres_url(text: str | os.PathLike[str]) -> bool:
    """Whether --db names a PostgreSQL database rather than a file."""
    return isinstance(text, str) and text.strip().lower().startswith(POSTGRES_SCHEMES)


def parse_target(text: str | os.PathLike[str]) -> SqliteTarget | PostgresTarget:
    """The database --db names; a URL holding a password is refused in French (it would stay in the shell's history
    and in the list of processes: libpq reads it from PGPASSFILE or ~/.pgpass, or cvdesk asks for it)."""
    if not is_postgres_url(text):
        return SqliteTarget(Path(text))
    from urllib.parse import parse_qsl, urlsplit, urlunsplit  # not on the window's way to a SQLite base

    assert isinstance(text, str)
    raw = text.strip()
    scheme, rest = raw.split("://", 1)
    try:
        parts = urlsplit("postgresql://" + rest)
        query = parse_qsl(parts.query, keep_blank_values=True)
        _ = parts.port  # a port that is not a number raises here
    except ValueError as exc:
        raise StoreError(f"L'adresse de base {scheme}://… n'est pas une adresse PostgreSQL valide : l'hôte ou le "
                         "port est mal écrit (le port est un nombre).") from exc
    if parts.password is not None or any(key in SECRET_PARAMETERS for key, _ in query):
        raise StoreError("L'adresse de la base PostgreSQL contient un mot de passe : il ne doit pas figurer sur la "
                         "ligne de commande ; mettez-le dans le fichier ~/.pgpass (ou celui que nomme PGPASSFILE), ou "
                         "laissez cvdesk le demander.")
    if parts.fragment:
        raise StoreError(f"L'adresse de base {scheme}://… ne doit pas contenir de « # ».")
    url = urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))
    # With the password refused, nothing secret is left in the address: messages show it whole.
    return PostgresTarget(url, url)


def load_driver_before_qt(text: str | os.PathLike[str]) -> None:
    """Load the PostgreSQL driver now when text names a PostgreSQL base: the window's start calls this before it
    imports PySide6, whose import hook (shiboken's __feature__ check) reads the source of every module imported
    after it (psycopg 3's ~180 modules cost about a fifth more processor imported after Qt than before it); psycopg2
    and the standard modules it brings (ssl, socket, decimal, json) are on the way to a PostgreSQL base's first paint."""
    if is_postgres_url(text):
        import cvdesk.store.postgres_connect  # noqa: F401  (psycopg2 and what the opening needs)


def database_name(target: PostgresTarget) -> str:
    """The database's name in the URL (libpq's default, the user's name, when none is given)."""
    from urllib.parse import unquote, urlsplit

    path = urlsplit(target.url).path.lstrip("/")
    return unquote(path) if path else ""


class DatabaseUrl(str):
    """A PostgreSQL base named by its URL where the program used to hold a file's path (--db, the window's base): it
    is never a file, exists on its server (the opening says if not), and str() is the URL that opened_database()
    takes. name and stem are the database's name, for a window's title; parent the user's home, where the file
    dialogs start."""

    def exists(self) -> bool:
        return True

    @property
    def stem(self) -> str:
        target = parse_target(str(self))
        return (database_name(target) if isinstance(target, PostgresTarget) else "") or "postgresql"

    @property
    def name(self) -> str:
        return f"{self.stem} (PostgreSQL)"

    @property
    def parent(self) -> Path:
        return Path.home()

    def with_name(self, name: str) -> Path:
        return Path.home() / name


def as_target(value: str | os.PathLike[str]) -> Path | DatabaseUrl:
    """A path as a Path, a postgresql:// URL as a DatabaseUrl (never through Path(), which would fold its //)."""
    if isinstance(value, DatabaseUrl):
        return value
    if is_postgres_url(value):
        return DatabaseUrl(str(value).strip())
    return Path(value)
