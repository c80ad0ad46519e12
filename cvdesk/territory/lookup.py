"""Read-only lookups in the shipped reference: communes and EPCI by name, INSEE code, postcode or SIREN."""
from __future__ import annotations

import json
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from cvdesk.territory.extract import FORMAT_VERSION, shipped_extract
from cvdesk.territory.folding import epci_words, whole_key, words

DEFAULT_LIMIT = 20
# When the words typed are out of order: index rows read at most, and words checked at most.
SIFTED, CHECKED_WORDS = 1000, 3
EPCI_KINDS = {
    "CC": "communauté de communes",
    "CA": "communauté d'agglomération",
    "CU": "communauté urbaine",
    "METRO": "métropole",
    "MET69": "métropole de Lyon (collectivité à statut particulier)",
}
_INSEE = re.compile(r"^(?:\d\d|2[AB])\d{3}$")
_COMMUNE_COLUMNS = "insee, name, departement, siren, postcodes, population, population_municipale, epci_siren"
_EPCI_COLUMNS = "siren, name, kind, financing, population, population_municipale, members"


class ReferenceUnavailable(Exception):
    """The extract is missing or not one this program reads; str() is one French sentence."""


def _siren_text(number: int | None) -> str | None:
    return None if number is None else f"{number:09d}"


@dataclass(frozen=True)
class CommuneRef:
    insee: str
    name: str
    departement: str
    siren: str | None  # None for the collectivités d'outre-mer, which the DGCL does not list
    postcodes: tuple[str, ...]
    population: int | None  # population totale
    population_municipale: int | None
    epci_siren: str | None

    @classmethod
    def from_row(cls, row: tuple) -> CommuneRef:
        insee, name, departement, siren, postcodes, population, municipale, epci = row[:8]
        return cls(insee, name, departement, _siren_text(siren), tuple(postcodes.split()), population, municipale,
                   _siren_text(epci))


@dataclass(frozen=True)
class EpciRef:
    siren: str
    name: str
    kind: str  # CC, CA, CU, METRO or MET69, as the DGCL codes it
    financing: str | None  # FPU (fiscalité professionnelle unique) or FA (fiscalité additionnelle)
    population: int | None  # population totale
    population_municipale: int | None
    members: tuple[str, ...]  # the member communes' INSEE codes, sorted

    @property
    def kind_label(self) -> str:
        return EPCI_KINDS.get(self.kind, self.kind)

    @classmethod
    def from_row(cls, row: tuple) -> EpciRef:
        siren, name, kind, financing, population, municipale, members = row[:7]
        return cls(f"{siren:09d}", name, kind, financing, population, municipale, tuple(members.split()))


def _digits(text: str) -> str | None:
    """The text as a number typed with spaces or dots (« 245 901 160 »), else None."""
    compact = re.sub(r"[\s.]", "", text)
    return compact if compact.isascii() and compact.isdigit() else None


@dataclass(frozen=True)
class _NameIndex:
    """A word table of the extract and the key of the places it points to."""
    words: str
    key: str


_COMMUNE_NAMES = _NameIndex("commune_word", "insee")
_EPCI_NAMES = _NameIndex("epci_word", "siren")


class Reference:
    """The extract, opened read-only; every lookup is an indexed query."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or shipped_extract()
        if not self.path.is_file():
            raise ReferenceUnavailable(
                f"Le référentiel des communes et des EPCI ({self.path.name}) est absent du dossier {self.path.parent} : "
                "reconstruisez-le avec python -m cvdesk.territory.build_extract (voir resources/reference/README.md).")
        # immutable=1: the file never changes under the program, so SQLite takes no lock and opens no journal,
        # which also lets it be read from a read-only installation folder.
        uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
        try:
            self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            layout = self._conn.execute("PRAGMA user_version").fetchone()[0]
            self.meta = dict(self._conn.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError:
            # SQLite's own reason is English (« file is not a database », « no such table: meta »): not shown.
            raise ReferenceUnavailable(f"Le référentiel {self.path} est illisible (ce n'est pas un référentiel de "
                                       "cvdesk, ou il est endommagé) : reconstruisez-le avec "
                                       "python -m cvdesk.territory.build_extract.") from None
        if layout != FORMAT_VERSION:
            self._conn.close()
            raise ReferenceUnavailable(f"Le référentiel {self.path} est au format {layout}, ce programme lit le "
                                       f"format {FORMAT_VERSION} : reconstruisez-le avec "
                                       "python -m cvdesk.territory.build_extract.")
        # One connection may serve the window's thread and a worker: queries are short, so they take turns.
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        return self.meta.get("package_version", "?")

    @property
    def source(self) -> str:
        return f"{self.meta.get('package', '?')} {self.version}"

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Reference:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _rows(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _ranked_keys(self, index: _NameIndex, tokens: list[str], limit: int) -> list[object]:
        """The keys of the places whose whole name is the tokens, then of the most populated places whose name has
        the tokens in this order from the start of one of its words, spaces and hyphens left aside; failing
        these, of the places that have each token at the start of one of their words, in any order."""
        typed = whole_key(tokens)
        exact = self._rows(f"SELECT rank, {index.key} FROM {index.words} WHERE word = ? AND whole ORDER BY rank",
                           (typed,))
        candidates = self._starting_with(index, typed, limit)
        # Out of order, a single letter says next to nothing and would make thousands of names to sift.
        telling = [token for token in tokens if len(token) > 1]
        if not candidates and len(tokens) > 1 and telling:
            if len(telling) > 1:
                candidates = self._having_all(index, telling, limit)
            else:
                candidates = self._starting_with(index, telling[0], limit)
        keys = dict.fromkeys(place for _, place in exact)
        keys.update(dict.fromkeys(candidates[rank] for rank in sorted(candidates)))
        return list(keys)[:limit]

    def _starting_with(self, index: _NameIndex, prefix: str, limit: int) -> dict[int, object]:
        """At least `limit` places (if there are) with a key starting with prefix, by rank: one index range."""
        # Folded keys hold only a-z and 0-9, all below « { »: [prefix, prefix + "{") is every key starting with it.
        # A name has a few keys starting with the prefix at most: fetch more rows until enough places show.
        fetch = limit * 4
        while True:
            rows = self._rows(f"SELECT rank, {index.key} FROM {index.words} WHERE word >= ? AND word < ? "
                              "ORDER BY rank LIMIT ?", (prefix, prefix + "{", fetch))
            if len(rows) < fetch or len(dict(rows)) >= limit:
                return dict(rows)
            fetch *= 4

    def _having_all(self, index: _NameIndex, tokens: list[str], limit: int) -> dict[int, object]:
        """The most populated places with every token at the start of a word, whatever the order: the first places
        of the rarest token by rank, kept when each other token finds them too (one index range each)."""
        word_range = f"FROM {index.words} WHERE word >= ? AND word < ?"
        unique = list(dict.fromkeys(tokens))
        # The rarest words sift best; counting stops at SIFTED rows, past which a word is common anyway. Caps on
        # the places sifted and on the words checked keep a search made of common words (« sa de la le ») short,
        # at the price of a shorter or broader list.
        sizes = [self._rows(f"SELECT count(*) FROM (SELECT 1 {word_range} LIMIT ?)",
                            (token, token + "{", SIFTED))[0][0] for token in unique]
        rarest, *others = [token for _, token in sorted(zip(sizes, unique))][:CHECKED_WORDS]
        # No DISTINCT, which would sort the whole range: a place's few repeats fold in the dict.
        candidates = dict(self._rows(f"SELECT rank, {index.key} {word_range} ORDER BY rank LIMIT ?",
                                     (rarest, rarest + "{", SIFTED)))
        for token in others:
            if not candidates:
                break
            found = {rank for rank, in self._rows(f"SELECT rank {word_range} AND rank IN "
                                                   "(SELECT value FROM json_each(?))",
                                                   (token, token + "{", json.dumps(sorted(candidates))))}
            candidates = {rank: place for rank, place in candidates.items() if rank in found}
        return candidates

    # Communes

    def _communes(self, where: str, params: tuple | list = (), order: str = "insee") -> list[CommuneRef]:
        sql = f"SELECT {_COMMUNE_COLUMNS} FROM commune WHERE {where} ORDER BY {order}"
        return [CommuneRef.from_row(row) for row in self._rows(sql, params)]

    def commune(self, insee: str) -> CommuneRef | None:
        """The commune of today with this INSEE code, or the one that now holds it (an arrondissement municipal,
        a commune déléguée or associée, an old code)."""
        insee = insee.strip().upper()  # Corsica: 2A004 typed 2a004
        found = self._communes("insee = ?", (insee,)) or self._communes(
            "insee IN (SELECT insee FROM commune_former_code WHERE code = ?)", (insee,))
        return found[0] if found else None

    def communes_by_postcode(self, postcode: str) -> list[CommuneRef]:
        return self._communes("insee IN (SELECT insee FROM commune_postcode WHERE postcode = ?)", (postcode,),
                              "population IS NULL, population DESC, insee")

    def commune_by_siren(self, siren: str) -> CommuneRef | None:
        number = _digits(siren)
        found = self._communes("siren = ?", (int(number),)) if number and len(number) == 9 else []
        return found[0] if found else None

    def communes_by_name(self, text: str, limit: int = DEFAULT_LIMIT) -> list[CommuneRef]:
        """Communes whose name holds the words typed, in this order from the start of one of its words (or,
        failing that, in any order), the exact name first, then the most populated: « saint etienne » gives
        Saint-Étienne before Saint-Étienne-du-Rouvray."""
        tokens = words(text)
        if not tokens:
            return []
        keys = self._ranked_keys(_COMMUNE_NAMES, tokens, limit)
        found = {commune.insee: commune for commune in self._communes(f"insee IN ({', '.join('?' * len(keys))})", keys)}
        return [found[key] for key in keys]

    def commune_named(self, name: str, postcode: str = "", epci_siren: str = "") -> CommuneRef | None:
        """The one commune of today with exactly this name (accents, case and hyphens aside), among those of the
        postcode and of the EPCI when given; None when there is none or several: a record that names its
        commune (« Marly », 59770) gets its INSEE code this way."""
        tokens = words(name)
        if not tokens:
            return None
        found = self._communes("insee IN (SELECT insee FROM commune_word WHERE word = ? AND whole)",
                               (whole_key(tokens),))
        if postcode.strip():
            found = [commune for commune in found if postcode.strip() in commune.postcodes]
        if epci_siren.strip():
            found = [commune for commune in found if commune.epci_siren == epci_siren.strip()]
        return found[0] if len(found) == 1 else None

    def find_communes(self, text: str, limit: int = DEFAULT_LIMIT) -> list[CommuneRef]:
        """Communes for what a user typed: an INSEE code or a postcode, a SIREN (or a SIRET), else a name."""
        text = text.strip()
        number = _digits(text)
        if number and len(number) in (9, 14):
            found = self.commune_by_siren(number[:9])
            return [found] if found else []
        code = text.upper()
        if _INSEE.match(code):
            by_code = self.commune(code)
            by_postcode = self.communes_by_postcode(code) if code.isdigit() else []
            found = ([by_code] if by_code else []) + [c for c in by_postcode if not by_code or c.insee != by_code.insee]
            return found[:limit]
        return self.communes_by_name(text, limit)

    # EPCI

    def _epcis(self, where: str, params: tuple | list = ()) -> list[EpciRef]:
        sql = f"SELECT {_EPCI_COLUMNS} FROM epci WHERE {where} ORDER BY siren"
        return [EpciRef.from_row(row) for row in self._rows(sql, params)]

    def epci(self, siren: str) -> EpciRef | None:
        number = _digits(siren)
        found = self._epcis("siren = ?", (int(number),)) if number and len(number) == 9 else []
        return found[0] if found else None

    def epci_of(self, insee: str) -> EpciRef | None:
        """The EPCI the commune of this INSEE code belongs to, if any."""
        commune = self.commune(insee)
        return self.epci(commune.epci_siren) if commune and commune.epci_siren else None

    def members(self, epci: EpciRef | str) -> list[CommuneRef]:
        """The member communes of an EPCI (given or by SIREN), by INSEE code."""
        found = self.epci(epci) if isinstance(epci, str) else epci
        if found is None:
            return []
        marks = ", ".join("?" * len(found.members))
        return self._communes(f"insee IN ({marks})", found.members) if found.members else []

    def epcis_by_name(self, text: str, limit: int = DEFAULT_LIMIT) -> list[EpciRef]:
        """EPCI whose name has a word starting with each telling word typed; the kind (CA, CU…) and link words do
        not count, so « CA du Grand Besançon Métropole » finds « CU Grand Besançon Métropole »."""
        tokens = epci_words(text)
        if not tokens:
            return []
        keys = self._ranked_keys(_EPCI_NAMES, tokens, limit)
        found = {int(epci.siren): epci for epci in self._epcis(f"siren IN ({', '.join('?' * len(keys))})", keys)}
        return [found[key] for key in keys]

    def find_epcis(self, text: str, limit: int = DEFAULT_LIMIT) -> list[EpciRef]:
        """EPCI for what a user typed: a SIREN (or a SIRET), a member commune's INSEE code or postcode, else a
        name."""
        text = text.strip()
        number = _digits(text)
        if number and len(number) in (9, 14):
            found = self.epci(number[:9])
            return [found] if found else []
        if _INSEE.match(text.upper()):
            sirens = dict.fromkeys(c.epci_siren for c in self.find_communes(text, limit) if c.epci_siren)
            return [epci for siren in sirens if (epci := self.epci(siren))]
        return self.epcis_by_name(text, limit)


_shared: Reference | None = None
_shared_lock = threading.Lock()


def shared_reference() -> Reference:
    """The shipped extract, opened once for the life of the program (it never changes)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Reference()
        return _shared

