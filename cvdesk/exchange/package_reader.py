"""Reading an exchange package as a stream: its manifest, then each member's records a bounded batch at a time.

A member is read through zip_member.open_member() (archive.open()'s bytes, inflated by ISA-L) in chunks and hashed
as it goes; its lines are cut from the chunks and each line's size is checked before any Python object is built
from it, so a very compressible member (a "bomb") costs at most one line and one batch of memory, never the whole
expanded file.

A package written before a schema step (its manifest's schema_version) may lack the columns that step added
(package_format.ADDED_COLUMNS). Whether it does is decided on the first record of each file and must hold for
every record of it; the reader then reports those columns as absent (MemberReader.absent): not known, so the merge
keeps the local value on an update. Their rows are filled with the column's default, which a new record takes.

Each line is parsed by orjson (some 2.5 times faster than the standard library's json over the national package).
The two read every valid line alike but for numbers: orjson gives a float for an integer beyond 64 bits, where the
standard parser gives the integer itself. No column holds a float, so such a batch is refused by the checks
either way; its refusal is worded from the standard parser's reading (MemberReader.exact_rows), as before. A
batch orjson refuses (NaN, a lone surrogate escape, an integer of thousands of digits...) is read by the standard
parser, which accepts it or names the line, as before.

A member of the current schema is first read by msgspec straight into its rows (typed_rows): each line decoded into a
record of the member's columns, each value of its column's JSON type (or null where the column allows it), no key
missing or unknown. That skips the dict orjson builds for every line and the lookups that take the row out of it
(about half the reading's processor over the national package), and the checks then need not look at types
(check_records' typed). A batch msgspec refuses, for whatever reason, is read as above, which gives the same rows or
the refusal worded as before: msgspec accepts only what that reading accepts with the same values (integers beyond
64 bits as integers, as the standard parser reads them; the checks refuse those anyway).
"""
from __future__ import annotations

import hashlib
import json
import operator
from bisect import bisect_left
from itertools import accumulate
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import msgspec
import orjson

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.package_format import (
    BATCH_BYTES,
    BATCH_LINES,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST,
    MAX_LINE_BYTES,
    MAX_MANIFEST_BYTES,
    READ_CHUNK_BYTES,
    TableSpec,
    optional_columns,
    table_specs,
)
from cvdesk.exchange.record_checks import office_problem, printable, utc_problem
from cvdesk.exchange.zip_member import open_member
from cvdesk.store.migrations import latest_version


@dataclass
class Manifest:
    office: str
    exported_at: str
    received: dict[str, str]
    files: dict[str, tuple[int, str]]  # file -> (record count, SHA-256); (0, "") for a type the sender lacked
    schema_version: int  # the sender's schema: its records lack the columns of any later step

    def optional(self, table: str) -> dict[str, object]:
        """The columns of table this package may lack, with the default a new record takes."""
        return optional_columns(table, self.schema_version)


def _manifest_error(path: Path, what: str) -> ExchangeError:
    return ExchangeError(f"Le paquet {path} : {MANIFEST} est mal formé ({what}).")


def read_manifest(archive: Any, path: Path) -> Manifest:
    """The manifest, checked field by field; ExchangeError (one French sentence) otherwise."""
    names = set(archive.namelist())
    if MANIFEST not in names:
        raise ExchangeError(f"Le paquet {path} n'a pas de fichier {MANIFEST} : ce n'est pas un paquet cvdesk.")
    info = archive.getinfo(MANIFEST)
    if info.file_size > MAX_MANIFEST_BYTES:
        raise ExchangeError(f"Le paquet {path} : {MANIFEST} est anormalement gros ({info.file_size} octets).")
    try:
        with archive.open(MANIFEST) as stream:
            raw = stream.read(MAX_MANIFEST_BYTES + 1)
        if len(raw) > MAX_MANIFEST_BYTES:
            raise ValueError("trop gros")
        manifest = json.loads(raw.decode("utf-8"))
    except Exception as exc:  # bad deflate, CRC, UTF-8, JSON, nesting (RecursionError): all the same to the user
        raise ExchangeError(f"Le paquet {path} : {MANIFEST} est illisible ou mal formé ({type(exc).__name__}).") from None
    if not isinstance(manifest, dict):
        raise _manifest_error(path, "un objet JSON est attendu")
    if manifest.get("format") != FORMAT_NAME:
        raise ExchangeError(f"Le paquet {path} : {MANIFEST} n'annonce pas le format {FORMAT_NAME} "
                            f"(il indique {str(manifest.get('format'))[:40]!r}).")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        shown = repr(version) if len(repr(version)) <= 20 else repr(version)[:19] + "…"
        raise ExchangeError(f"Le paquet {path} est au format d'échange version {shown}, que ce "
                            f"programme ne connaît pas (il lit la version {FORMAT_VERSION}) : mettez cvdesk à jour.")
    schema = manifest.get("schema_version")
    if type(schema) is not int or not 1 <= schema < 2**63:
        raise _manifest_error(path, "champ schema_version")
    if schema > latest_version():
        raise ExchangeError(f"Le paquet {path} vient d'une version plus récente de cvdesk (schéma {schema}, ce "
                            f"programme connaît le schéma {latest_version()}) : mettez cvdesk à jour.")
    office, exported_at = manifest.get("office"), manifest.get("exported_at")
    problem = office_problem(office)
    if problem:
        raise _manifest_error(path, f"champ office, le bureau exportateur : {problem}")
    problem = utc_problem(exported_at)
    if problem:
        raise _manifest_error(path, f"champ exported_at, la date d'export : {problem}")
    received = manifest.get("received", {})
    if not isinstance(received, dict):
        raise _manifest_error(path, "champ received")
    for name, moment in received.items():
        problem = office_problem(name) or utc_problem(moment)
        if problem:
            raise _manifest_error(path, f"champ received : {problem}")
    files_in = manifest.get("files")
    if not isinstance(files_in, dict):
        raise _manifest_error(path, "champ files")
    files: dict[str, tuple[int, str]] = {}
    for spec in table_specs():
        entry = files_in.get(spec.file)
        if entry is None and schema < latest_version():
            files[spec.file] = (0, "")  # a record type that did not exist in the sender's schema
            continue
        if not isinstance(entry, dict):
            raise ExchangeError(f"Le paquet {path} : {MANIFEST} ne décrit pas le fichier {spec.file}.")
        count, digest = entry.get("records"), entry.get("sha256")
        if type(count) is not int or not 0 <= count < 2**63 or not isinstance(digest, str):
            raise _manifest_error(path, f"fichier {spec.file}")
        if spec.file not in names:
            raise ExchangeError(f"Le paquet {path} ne contient pas le fichier {spec.file} que son manifeste annonce.")
        files[spec.file] = (count, digest.lower())
    unknown = sorted(printable(str(name))[:60] for name in set(files_in) - set(files))
    if unknown:
        raise ExchangeError(f"Le paquet {path} contient un type d'enregistrement inconnu ({unknown[0]}) : "
                            "mettez cvdesk à jour.")
    return Manifest(office.strip(), exported_at, dict(received), files, schema)


class MemberReader:
    """One JSON Lines member, read in chunks: batches of (line number, row) with the row's values in spec order.

    optional: the columns the member may lack (Manifest.optional), with their defaults. Those its first record
    lacks are absent from the whole member (self.absent, known once the first batch is read; empty before)."""

    def __init__(self, archive: Any, path: Path, spec: TableSpec, count: int, digest: str,
                 optional: Mapping[str, object] | None = None) -> None:
        self.archive, self.path, self.spec, self.count, self.digest = archive, path, spec, count, digest
        self.optional: Mapping[str, object] = optional or {}
        self.absent: frozenset[str] = frozenset()
        self._decided = not self.optional  # whether the first record has fixed self.absent
        self.where = f"Le paquet {path}, fichier {spec.file}"
        self._hasher = hashlib.sha256()
        self._stream: Any = None
        self._capped = False  # a size cap was hit: the rest is not worth reading
        self._last: tuple[int, list[bytes]] = (1, [])  # the latest batch's first line number and lines
        # Whether the latest batch was read by typed_rows (every value of its column's type); only a member that
        # must hold every column is (an older schema's member keeps the reading that decides its absent columns).
        self.typed = False
        self._typed_decoder = None if self.optional else typed_decoder(spec)

    def batches(self) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
        """(number of the batch's first line, rows); the checksum and the count are checked at the end."""
        try:
            self._stream = open_member(self.archive, self.spec.file)
        except Exception as exc:
            raise ExchangeError(f"{self.where} est illisible ({type(exc).__name__}).") from None
        pending = b""
        lines: list[bytes] = []
        sizes: list[int] = []  # the length of each line waiting in lines
        first = 1
        seen = 0
        while True:
            chunk = self._read()
            if not chunk:
                break
            self._hasher.update(chunk)
            parts = (pending + chunk).split(b"\n") if pending else chunk.split(b"\n")
            pending = parts.pop()
            if len(pending) > MAX_LINE_BYTES:
                self._too_long(seen + len(parts) + 1)
            if not parts:
                continue
            lengths = list(map(len, parts))
            if max(lengths) > MAX_LINE_BYTES:
                self._too_long(seen + 1 + next(n for n, k in enumerate(lengths) if k > MAX_LINE_BYTES))
            if seen + len(parts) > self.count:
                self._capped = True
                raise ExchangeError(f"{self.where} contient plus d'enregistrements que les {self.count} "
                                    "annoncés par le manifeste : paquet refusé.")
            seen += len(parts)
            lines.extend(parts)
            sizes.extend(lengths)
            while len(lines) >= BATCH_LINES or sum(sizes[:BATCH_LINES]) >= BATCH_BYTES:
                take = _batch_length(sizes)
                batch = lines[:take]
                del lines[:take], sizes[:take]
                yield first, self._rows(first, batch)
                first += take
        if pending:
            seen += 1
            lines.append(pending)
        self.check_digest()
        if seen != self.count:
            raise ExchangeError(f"{self.where} contient {seen} enregistrement(s), le manifeste en annonce "
                                f"{self.count}.")
        if lines:
            yield first, self._rows(first, lines)

    def _rows(self, first: int, lines: list[bytes]) -> list[tuple[Any, ...]]:
        self._last = (first, lines)
        if self._typed_decoder is not None:
            rows = typed_rows(self._typed_decoder, lines)
            if rows is not None:
                self.typed = True
                return rows
        self.typed = False
        objects = parse_objects(self.where, first, lines)
        if not self._decided and objects and type(objects[0]) is dict:
            self.absent = frozenset(key for key in self.optional if key not in objects[0])
            self._decided = True
        return rows_of(self.where, self.spec, first, objects, self.optional, self.absent)

    def exact_rows(self) -> list[tuple[Any, ...]]:
        """The latest batch's rows as the standard library's parser reads them (an integer beyond 64 bits stays
        an integer): to word a refusal of that batch exactly. ExchangeError when that parser refuses a line."""
        first, lines = self._last
        return rows_of(self.where, self.spec, first, parse_objects(self.where, first, lines, fast=False),
                       self.optional, self.absent)

    def _read(self) -> bytes:
        try:
            return self._stream.read(READ_CHUNK_BYTES)
        except Exception as exc:  # bad deflate data, bad CRC: the file is damaged
            self._capped = True
            raise ExchangeError(f"{self.where} est illisible ({type(exc).__name__}) : paquet abîmé.") from None

    def _too_long(self, number: int) -> None:
        self._capped = True
        raise ExchangeError(f"{self.where}, ligne {number} : l'enregistrement dépasse {MAX_LINE_BYTES // 2**20} Mo "
                            "(paquet anormal ou bombe de décompression) : paquet refusé.")

    def check_digest(self) -> None:
        if self._hasher.hexdigest() != self.digest:
            raise ExchangeError(f"Le paquet {self.path} : la somme de contrôle du fichier {self.spec.file} ne "
                                "correspond pas à celle du manifeste (fichier modifié ou abîmé) : paquet refusé.")

    def tampered(self) -> bool:
        """After a refusal inside the member: whether its checksum fails too (then that is the clearer reason).
        The rest is hashed chunk by chunk, never kept."""
        if self._capped or self._stream is None:
            return False
        try:
            while True:
                chunk = self._stream.read(READ_CHUNK_BYTES)
                if not chunk:
                    break
                self._hasher.update(chunk)
        except Exception:
            return True
        return self._hasher.hexdigest() != self.digest

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None


def _batch_length(sizes: list[int]) -> int:
    """How many of the waiting lines make the next batch: BATCH_LINES, or fewer when they pass BATCH_BYTES."""
    running = list(accumulate(sizes[:BATCH_LINES]))
    over = bisect_left(running, BATCH_BYTES)
    return over + 1 if over < len(running) else len(running)


# The JSON type of each kind of column (package_format.Column.kind), as record_checks holds them.
_JSON_TYPES: dict[str, type] = {"text": str, "int": int, "bool": bool, "uuid": str, "fk": str, "utc": str, "date": str}


@cache
def typed_decoder(spec: TableSpec) -> Callable[[bytes], Any]:
    """msgspec's decoder of one line of spec's member into a record of its columns: each key once at least (the
    last one kept, as every JSON parser here keeps it), no other key, each value of its column's type (bool is no
    int, 1.0 no int) or null where the column allows it."""
    fields = [(c.key, _JSON_TYPES[c.kind] | None if c.null else _JSON_TYPES[c.kind]) for c in spec.columns]
    record = msgspec.defstruct(f"{spec.model.__name__}Line", fields, forbid_unknown_fields=True, gc=False)
    return msgspec.json.Decoder(record).decode


def typed_rows(decode: Callable[[bytes], Any], lines: list[bytes]) -> list[tuple[Any, ...]] | None:
    """The rows of these lines, values in spec order, if every line is a record decode() accepts; else None (the
    caller reads them with orjson and rows_of, which accept them or say which line is wrong and why)."""
    try:
        return list(map(msgspec.structs.astuple, map(decode, lines)))
    except Exception:  # malformed JSON, a wrong type, a missing or unknown key, bad UTF-8...: read the other way
        return None


def parse_objects(where: str, first: int, lines: list[bytes], fast: bool = True) -> list[Any]:
    """The JSON values of these lines; a line that is not JSON is named with its number. fast: by orjson, whose
    only different reading of a batch it accepts is an integer beyond 64 bits, as a float (see the docstring
    above); else by the standard library."""
    # Each line parsed alone, never the batch joined by commas into one array: that array also parses when a
    # record is cut in two between two fields and two records share a line (as many values as lines), a file
    # that is no JSON Lines. orjson takes about the same time either way.
    if fast:
        try:
            return list(map(orjson.loads, lines))
        except orjson.JSONDecodeError:
            pass
    return [_parse_line(where, first + n, line) for n, line in enumerate(lines)]


def rows_of(where: str, spec: TableSpec, first: int, objects: list[Any], optional: Mapping[str, object] | None = None,
            absent: frozenset[str] = frozenset()) -> list[tuple[Any, ...]]:
    """The rows of these objects, values in spec order. Each object holds every key but those absent (which take
    their defaults from optional); one that lacks another, or holds an absent one, is refused by its line."""
    optional = optional or {}
    keys = spec.keys
    present = tuple(k for k in keys if k not in absent) if absent else keys
    width = len(present)
    if set(map(type, objects)) == {dict} and set(map(len, objects)) == {width}:
        try:
            if not absent:
                return list(map(operator.itemgetter(*keys), objects))
            list(map(operator.itemgetter(*present), objects))  # every present key in every object
        except KeyError:
            pass
        else:
            fill = {k: optional[k] for k in absent}
            for obj in objects:
                obj.update(fill)
            return list(map(operator.itemgetter(*keys), objects))
    expected = set(present)
    for n, obj in enumerate(objects):
        if type(obj) is not dict:
            raise ExchangeError(f"{where}, ligne {first + n} : un objet JSON est attendu.")
        if obj.keys() == expected:
            continue
        # A column every record must hold is named before one that only the first record decides about.
        missing = sorted(expected - obj.keys(), key=lambda k: (k in optional, k))
        extra = sorted(printable(str(k))[:40] for k in obj.keys() - expected)
        if missing and missing[0] in optional:
            what = (f"il manque le champ « {missing[0]} », que porte la première ligne du fichier ; un fichier ne "
                    "peut mêler des enregistrements écrits avec et sans ce champ : paquet refusé")
        elif missing:
            what = f"il manque le champ « {missing[0]} »"
        elif extra[0] in absent:
            what = (f"le champ « {extra[0]} » y figure alors que la première ligne du fichier ne le porte pas ; un "
                    "fichier ne peut mêler des enregistrements écrits avec et sans ce champ : paquet refusé")
        else:
            what = f"champ inconnu « {extra[0]} »"
        raise ExchangeError(f"{where}, ligne {first + n} : {what}.")
    return [tuple(obj[k] if k in obj else optional[k] for k in keys) for obj in objects]


def _parse_line(where: str, number: int, line: bytes) -> Any:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise ExchangeError(f"{where}, ligne {number} : le texte n'est pas en UTF-8.") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise ExchangeError(f"{where}, ligne {number} : imbrication JSON trop profonde (paquet anormal).") from None
    except json.JSONDecodeError:
        raise ExchangeError(f"{where}, ligne {number} : ce n'est pas un objet JSON valide.") from None
    except ValueError:  # an integer of thousands of digits: Python refuses to read it
        raise ExchangeError(f"{where}, ligne {number} : un nombre y est démesurément long.") from None
