"""Builds the shipped reference extract (communes and EPCI) from a given @etalab/decoupage-administratif package.

Run as ``python -m cvdesk.territory.build_extract PACKAGE.tgz [--out FOLDER]``, with the package fetched by
``npm pack @etalab/decoupage-administratif@VERSION``. The same package gives the same bytes: rows go in sorted, the
file is vacuumed with a fixed page size, and the header stamps a build would leave (change counter, SQLite version)
are fixed, so the extract depends on the package only.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import sqlite3
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from cvdesk.territory.extract import EXTRACT_NAME, FORMAT_VERSION
from cvdesk.territory.sqlite_bytes import zero_unused_space
from cvdesk.territory.folding import epci_words, index_words, words

PACKAGE_NAME = "@etalab/decoupage-administratif"
README_NAME = "README.md"
PAGE_SIZE = 4096
# SQLite leaves in the header the version of the library that last wrote the file (offset 96) and counters of
# the writes made (offsets 24 and 92); fixed values here keep the bytes independent of the library that built it.
# The two counters stay equal, so the page count in the header stays valid.
_HEADER_STAMPS = ((24, 1), (92, 1), (96, 3_000_000))

# SIRENs are stored as integers (4 bytes instead of 9) and shown on 9 digits. Names are found through the word
# tables: every folded word of a name, plus the whole name run together marked `whole`, which is also how an exact
# name is recognised, so no folded copy of the names is kept. Each word row carries the place's `rank` (0 for the
# most populated), so that a broad search (« saint ») is sorted within the index without reading thousands of
# communes. An EPCI's members are its `members` codes.
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE commune (
    insee TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    departement TEXT NOT NULL,
    siren INTEGER,
    postcodes TEXT NOT NULL,
    population INTEGER,
    population_municipale INTEGER,
    epci_siren INTEGER
) WITHOUT ROWID;
CREATE INDEX commune_by_siren ON commune (siren);
CREATE TABLE commune_word (
    word TEXT NOT NULL, rank INTEGER NOT NULL, insee TEXT NOT NULL, whole INTEGER NOT NULL, PRIMARY KEY (word, rank)
) WITHOUT ROWID;
CREATE TABLE commune_postcode (
    postcode TEXT NOT NULL, insee TEXT NOT NULL, PRIMARY KEY (postcode, insee)
) WITHOUT ROWID;
CREATE TABLE commune_former_code (
    code TEXT NOT NULL, insee TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (code, insee)
) WITHOUT ROWID;
CREATE TABLE epci (
    siren INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    financing TEXT,
    population INTEGER,
    population_municipale INTEGER,
    members TEXT NOT NULL
);
CREATE TABLE epci_word (
    word TEXT NOT NULL, rank INTEGER NOT NULL, siren INTEGER NOT NULL, whole INTEGER NOT NULL,
    PRIMARY KEY (word, rank)
) WITHOUT ROWID;
"""


class BuildError(Exception):
    """The package cannot give an extract; str() is one French sentence naming the place and the reason."""


@dataclass(frozen=True)
class Package:
    source: str  # the file's name, for messages
    version: str
    published: str  # date of the package's files, YYYY-MM-DD
    sha256: str  # of the .tgz, as `npm pack` wrote it; in the README only, so the extract depends on the data alone
    communes: list[dict[str, Any]]
    epcis: list[dict[str, Any]]


def _member(archive: tarfile.TarFile, source: str, name: str) -> tuple[Any, tarfile.TarInfo]:
    try:
        info = archive.getmember(f"package/{name}")
        stream = archive.extractfile(info)
    except KeyError:
        stream = None
    if stream is None:
        raise BuildError(f"Le paquet {source} ne contient pas le fichier {name} : est-ce bien {PACKAGE_NAME} ?")
    try:
        return json.loads(stream.read().decode("utf-8")), info
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BuildError(f"Le fichier {name} du paquet {source} n'est pas du JSON lisible ({exc}).") from None


def read_package(path: Path) -> Package:
    """The package's version, date and JSON lists, read from its .tgz without unpacking it on disk."""
    source = path.name
    if not path.is_file():
        raise BuildError(f"Le paquet {path} n'existe pas.")
    try:
        with tarfile.open(path, "r:gz") as archive:
            manifest, info = _member(archive, source, "package.json")
            if not isinstance(manifest, dict) or manifest.get("name") != PACKAGE_NAME:
                raise BuildError(f"Le paquet {source} n'est pas {PACKAGE_NAME} (package.json nomme "
                                 f"« {manifest.get('name') if isinstance(manifest, dict) else '?'} »).")
            communes, _ = _member(archive, source, "data/communes.json")
            epcis, _ = _member(archive, source, "data/epci.json")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BuildError(f"Le paquet {source} n'est pas une archive .tgz lisible ({exc}).") from None
    for name, value in (("data/communes.json", communes), ("data/epci.json", epcis)):
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise BuildError(f"Le fichier {name} du paquet {source} n'est pas une liste d'objets.")
    published = datetime.datetime.fromtimestamp(info.mtime, datetime.timezone.utc).date().isoformat()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Package(source, str(manifest.get("version", "?")), published, digest, communes, epcis)


def _field(item: object, key: str, where: str, kind: type = str) -> Any:
    if not isinstance(item, dict):
        raise BuildError(f"{where} : un objet JSON est attendu, pas « {str(item)[:40]} ».")
    value = item.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise BuildError(f"{where} : le champ « {key} » manque ou n'a pas le bon type.")
    return value


def _siren(value: object, where: str) -> int:
    if not (isinstance(value, str) and len(value) == 9 and value.isascii() and value.isdigit()):
        raise BuildError(f"{where} : le SIREN « {value} » n'a pas 9 chiffres.")
    return int(value)


def _optional_int(item: dict[str, Any], key: str) -> int | None:
    value = item.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass
class Rows:
    """The extract's rows, each list sorted as it will be written."""
    communes: list[tuple[Any, ...]]
    commune_words: list[tuple[str, int, str, int]]
    postcodes: list[tuple[str, str]]
    former_codes: list[tuple[str, str, str]]
    epcis: list[tuple[Any, ...]]
    epci_words: list[tuple[str, int, int, int]]


def _current_communes(package: Package) -> dict[str, dict[str, Any]]:
    """The communes of today (type « commune-actuelle »), by INSEE code."""
    current: dict[str, dict[str, Any]] = {}
    for position, item in enumerate(package.communes):
        if item.get("type") != "commune-actuelle":
            continue
        where = f"{package.source}, communes.json, entrée n° {position + 1}"
        code = _field(item, "code", where)
        _field(item, "nom", where)
        _field(item, "departement", where)
        if code in current:
            raise BuildError(f"{where} : la commune {code} y figure deux fois.")
        current[code] = item
    if not current:
        raise BuildError(f"Le fichier communes.json du paquet {package.source} ne contient aucune commune actuelle.")
    return current


def _former_codes(package: Package, current: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Codes that are no longer a commune's own (old codes, communes déléguées or associées, arrondissements
    municipaux of Paris, Lyon and Marseille), each pointing to the commune of today that holds it."""
    found: dict[tuple[str, str], str] = {}
    for item in package.communes:
        kind = item.get("type")
        parent = item.get("chefLieu") if kind in ("commune-deleguee", "commune-associee") else item.get("commune")
        code = item.get("code")
        if kind != "commune-actuelle" and isinstance(code, str) and code not in current and parent in current:
            found.setdefault((code, str(parent)), str(kind))
    # An old code that is also a commune déléguée keeps that more telling kind.
    for code, item in current.items():
        for old in item.get("anciensCodes") or []:
            if isinstance(old, str) and old not in current:
                found.setdefault((old, code), "ancien-code")
    return sorted((code, insee, kind) for (code, insee), kind in found.items())


def _ranked(found: list[tuple[Any, Any, int]], places: list[tuple[Any, ...]], population_column: int,
            ) -> list[tuple[Any, int, Any, int]]:
    """Word rows (word, rank, key, whole), the rank being the place's order by population (most populated first,
    the unknown last, then by key)."""
    order = sorted(places, key=lambda row: (row[population_column] is None, -(row[population_column] or 0), row[0]))
    rank = {row[0]: position for position, row in enumerate(order)}
    return sorted((word, rank[key], key, whole) for word, key, whole in found)


def build_rows(package: Package) -> Rows:
    current = _current_communes(package)
    membership: dict[str, tuple[int, int | None]] = {}
    epcis: list[tuple[Any, ...]] = []
    epci_words_found: list[tuple[str, int, int]] = []
    for position, item in enumerate(package.epcis):
        where = f"{package.source}, epci.json, entrée n° {position + 1}"
        siren, name = _field(item, "code", where), _field(item, "nom", where)
        members = _field(item, "membres", where, list)
        for member in members:
            code = _field(member, "code", f"{where} ({name}), membre")
            if code not in current:
                raise BuildError(f"{where} ({name}) : le membre {code} n'est pas une commune actuelle de "
                                 "communes.json.")
            if code in membership:
                raise BuildError(f"{where} ({name}) : la commune {code} est déjà membre de l'EPCI "
                                 f"{membership[code][0]}.")
            membership[code] = (_siren(siren, where), _optional_int(member, "populationMunicipale"))
        number = _siren(siren, where)
        codes = sorted(member["code"] for member in members)
        epcis.append((number, name, _field(item, "type", where), item.get("modeFinancement"),
                      _optional_int(item, "populationTotale"), _optional_int(item, "populationMunicipale"),
                      " ".join(codes)))
        epci_words_found.extend((word, number, whole) for word, whole in index_words(epci_words(name)))
    communes: list[tuple[Any, ...]] = []
    commune_words: list[tuple[str, str, int]] = []
    postcodes: set[tuple[str, str]] = set()
    for code in sorted(current):
        item = current[code]
        codes = sorted({c for c in item.get("codesPostaux") or [] if isinstance(c, str)})
        epci_siren, municipale = membership.get(code, (None, None))
        where = f"{package.source}, communes.json, commune {code}"
        siren = _siren(item["siren"], where) if item.get("siren") is not None else None
        communes.append((code, item["nom"], item["departement"], siren, " ".join(codes),
                         _optional_int(item, "population"), municipale, epci_siren))
        commune_words.extend((word, code, whole) for word, whole in index_words(words(item["nom"])))
        postcodes.update((postcode, code) for postcode in codes)
    return Rows(communes, _ranked(commune_words, communes, 5), sorted(postcodes), _former_codes(package, current),
                sorted(epcis), _ranked(epci_words_found, epcis, 4))


def _meta(package: Package, rows: Rows) -> list[tuple[str, str]]:
    return sorted({
        "package": PACKAGE_NAME,
        "package_version": package.version,
        "package_date": package.published,
        "licence_data": "Licence Ouverte / Open Licence (Etalab)",
        "licence_code": "MIT",
        "communes": str(len(rows.communes)),
        "epci": str(len(rows.epcis)),
        "format": str(FORMAT_VERSION),
    }.items())


def _write_sqlite(target: Path, package: Package, rows: Rows) -> None:
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("BEGIN")
        for statement in filter(str.strip, SCHEMA.split(";")):
            conn.execute(statement)
        conn.executemany("INSERT INTO meta VALUES (?, ?)", _meta(package, rows))
        conn.executemany("INSERT INTO commune VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.communes)
        conn.executemany("INSERT INTO commune_word VALUES (?, ?, ?, ?)", rows.commune_words)
        conn.executemany("INSERT INTO commune_postcode VALUES (?, ?)", rows.postcodes)
        conn.executemany("INSERT INTO commune_former_code VALUES (?, ?, ?)", rows.former_codes)
        conn.executemany("INSERT INTO epci VALUES (?, ?, ?, ?, ?, ?, ?)", rows.epcis)
        conn.executemany("INSERT INTO epci_word VALUES (?, ?, ?, ?)", rows.epci_words)
        conn.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
        conn.execute("COMMIT")
        conn.execute("VACUUM")
    finally:
        conn.close()
    _normalise(target)
    check = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True)
    try:
        verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if verdict != "ok":
        raise BuildError(f"L'extrait écrit dans {target} ne passe pas le contrôle d'intégrité de SQLite ({verdict}).")


def _normalise(target: Path) -> None:
    """Fixes what SQLite versions write differently around the same rows: the header stamps and the bytes no
    row uses."""
    data = bytearray(target.read_bytes())
    for offset, value in _HEADER_STAMPS:
        data[offset:offset + 4] = value.to_bytes(4, "big")
    zero_unused_space(data, PAGE_SIZE)
    target.write_bytes(bytes(data))


README = """# Référentiel des communes et des EPCI

`{extract}` est un extrait en lecture seule des données du paquet npm
[`{package}`](https://www.npmjs.com/package/{package}) (dépôt https://github.com/datagouv/decoupage-administratif),
**version {version}**, fichiers du paquet datés du {date}, SHA-256 du .tgz :
`{sha256}`.

cvdesk le lit sans réseau (`cvdesk/territory/lookup.py`, `cvdesk reference epci|commune TEXTE`).

## Sources et licences

- Données : Licence Ouverte / Open Licence d'Etalab (https://www.etalab.gouv.fr/licence-ouverte-open-licence).
  Le paquet les tient du Code officiel géographique de l'INSEE (communes), de la liste des EPCI à fiscalité propre
  de la DGCL (EPCI et leurs membres), des populations légales de l'INSEE et de la base officielle des codes postaux
  de La Poste.
- Code du paquet : licence MIT. Le paquet lui-même n'est pas versé au dépôt ; seul l'extrait l'est.
- Mention de la source à reprendre : « Source : {package} {version} (INSEE, DGCL, La Poste), Licence Ouverte ».

## Contenu

- `commune` : {communes} communes actuelles (type « commune-actuelle » du paquet, DROM et collectivités d'outre-mer
  compris) : code INSEE, nom, département, SIREN (absent pour les collectivités d'outre-mer), codes postaux,
  population (population totale, champ `population` du paquet), population municipale (prise dans la liste des
  membres de l'EPCI), SIREN de l'EPCI dont la commune est membre.
- `epci` : {epci} EPCI à fiscalité propre : SIREN, nom, nature (CC, CA, CU, METRO, MET69), mode de financement,
  populations, nombre de communes membres ; les membres sont les communes qui nomment cet EPCI.
- Les arrondissements municipaux de Paris, Lyon et Marseille, les communes déléguées et associées et les anciens codes
  ne sont pas des communes : ils ne figurent que dans `commune_former_code`, qui renvoie leur code à la commune
  d'aujourd'hui (13201 → Marseille 13055), pour qu'un ancien contrat retrouve ses communes.
- Les noms sont aussi rangés « repliés » (sans accents, majuscules, traits d'union, espaces ni apostrophes), écrits
  d'un seul tenant à partir de chacun de leurs mots (`commune_word`, `epci_word`), avec le rang de la commune ou de
  l'EPCI par population, pour des recherches indexées ; pour les EPCI, la nature (CA, CC, CU…) et les mots de liaison
  sont laissés de côté (« CA du Grand Besançon Métropole » trouve « CU Grand Besançon Métropole »).

## Reconstruire

Depuis la racine du projet :

```
npm pack {package}@{version} --pack-destination /tmp
python -m cvdesk.territory.build_extract /tmp/{tgz}
```

Seule la bibliothèque standard de Python sert (tarfile, json, sqlite3) ; le réseau ne sert qu'à `npm pack`. Pour
vérifier qu'un paquet redonne bien ce fichier et que chaque EPCI a exactement les membres de son `epci.json` :

```
CVDESK_DECOUPAGE_TGZ=/tmp/{tgz} python -m pytest tests/territory
```

Le même paquet redonne le même fichier, octet pour octet (lignes triées, `VACUUM`, taille de page {page_size},
`user_version` {format}, en-tête sans la version de SQLite ni compteurs d'écriture, octets inoccupés des pages
remis à zéro : SQLite 3.40 et 3.51 donnent ainsi le même fichier). Ce fichier-ci est écrit par
le script ; ne le modifiez pas à la main.
"""


def write_extract(package_path: Path, out_dir: Path) -> Path:
    """Writes the extract and its README into out_dir; returns the extract's path."""
    package = read_package(package_path)
    rows = build_rows(package)
    if not out_dir.is_dir():
        raise BuildError(f"Le dossier {out_dir} n'existe pas (argument --out).")
    target = out_dir / EXTRACT_NAME
    partial = out_dir / f".{EXTRACT_NAME}.partiel"
    partial.unlink(missing_ok=True)
    try:
        _write_sqlite(partial, package, rows)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    tgz = f"etalab-decoupage-administratif-{package.version}.tgz"
    readme = README.format(extract=EXTRACT_NAME, package=PACKAGE_NAME, version=package.version,
                           date=package.published, sha256=package.sha256, communes=len(rows.communes),
                           epci=len(rows.epcis), tgz=tgz,
                           page_size=PAGE_SIZE, format=FORMAT_VERSION)
    (out_dir / README_NAME).write_text(readme, encoding="utf-8", newline="\n")
    return target


def main(argv: Sequence[str] | None = None) -> int:
    from cvdesk.cli_french import FrenchArgumentParser, one_line
    from cvdesk.resources import resource

    parser = FrenchArgumentParser(prog="python -m cvdesk.territory.build_extract",
                                  description="construit l'extrait du référentiel des communes et des EPCI")
    parser.add_argument("package", metavar="PAQUET.tgz", help=f"le paquet {PACKAGE_NAME} (npm pack)")
    parser.add_argument("--out", default=str(resource("reference")),
                        help="dossier où écrire l'extrait et son README (par défaut : resources/reference)")
    args = parser.parse_args(argv)
    try:
        target = write_extract(Path(args.package), Path(args.out))
    except BuildError as exc:
        print(one_line(str(exc)), file=sys.stderr)
        return 2
    except OSError as exc:
        print(one_line(f"Écriture impossible ({exc.filename or args.out}) : {exc.strerror or exc}."), file=sys.stderr)
        return 2
    print(f"Extrait écrit dans {target} ({target.stat().st_size // 1024} Ko).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
