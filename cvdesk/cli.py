"""The command line: the headless subcommands and the window, over the same services."""
from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

from cvdesk.cli_french import (
    FrenchArgumentParser,
    one_line,
    orientation_argument,
    unreadable_argument,
    year_argument,
)
from cvdesk.domain.numbers import grouped
from cvdesk.location import default_database_path
from cvdesk.services.lists import LISTS
from cvdesk.store.errors import StoreError, describe_os_error

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input from the command line; str() is one French sentence."""


# The start of the one sentence a defect of the program (never a bad input) ends with; tests look for it.
PROGRAM_DEFECT = "Défaut de cvdesk"


def _db_path(args: object) -> Path:
    """The base --db (or CVDESK_DB) names: a file's path, or a postgresql:// URL kept as it is (a DatabaseUrl, which
    no check of a file mistakes for one)."""
    from cvdesk.store.target import DatabaseUrl, is_postgres_url

    given = getattr(args, "db", None) or os.environ.get("CVDESK_DB")
    if given and is_postgres_url(given):
        _refuse_password_in(given)
        return DatabaseUrl(given.strip())
    return Path(args.db) if getattr(args, "db", None) else default_database_path()


def _refuse_password_in(url: str) -> None:
    from cvdesk.store.target import parse_target

    try:
        parse_target(url)
    except StoreError as exc:
        raise UsageError(f"{str(exc).removesuffix('.')} (argument --db ou CVDESK_DB).") from None


def _is_url(path: object) -> bool:
    from cvdesk.store.target import DatabaseUrl

    return isinstance(path, DatabaseUrl)


@contextmanager
def _existing(path: Path, full_check: bool = False) -> Iterator[None]:
    """The database named by --db, which must exist, open for the time of one command and closed cleanly after."""
    from cvdesk.store.database import is_read_only, opened_database, read_only_notice
    from cvdesk.store.location_risk import risky_location

    if not path.exists():
        raise UsageError(f"La base {path} n'existe pas (argument --db).")
    with opened_database(path, create=False, full_check=full_check):
        warning = read_only_notice(path) if is_read_only() else None if _is_url(path) else risky_location(path)
        if warning:
            print(f"Avertissement : {warning}", file=sys.stderr)
        yield


def _refuse_writes(what: str) -> None:
    """A writing command on a base opened for reading only (a consultation role): one sentence, nothing written."""
    from cvdesk.store.read_only import ReadOnlyBase, refuse_writes

    try:
        refuse_writes(what)
    except ReadOnlyBase as exc:
        raise UsageError(str(exc)) from None


def _remove_database_files(path: Path) -> None:
    """Remove a database this command created and could not fill (nothing of the user's is lost; a PostgreSQL base
    is never created by a command: nothing to remove)."""
    if _is_url(path):
        return
    for suffix in ("", "-wal", "-shm", ".verrou"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def cmd_demo(args: object) -> int:
    from cvdesk.services.demo import build_demo, database_is_empty
    from cvdesk.services.synthetic import NATIONAL, QUICK, build_synthetic
    from cvdesk.store.database import opened_database

    path = _db_path(args)
    existed = path.exists()
    try:
        with opened_database(path):
            _refuse_writes("La création de la démonstration")
            if not database_is_empty():
                raise UsageError(f"La base {path} contient déjà des données : la démonstration ne s'écrit que dans "
                                 "une base vide.")
            started = time.monotonic()
            if args.scale == "demo":
                build_demo()
                print(f"Contrat de démonstration créé dans {path}.")
            else:
                scale = NATIONAL if args.scale == "national" else QUICK
                build_synthetic(scale, progress=lambda step: print(f"… {step}", file=sys.stderr, flush=True))
                print(f"Jeu synthétique ({args.scale}) créé dans {path} en {time.monotonic() - started:.1f} s.")
    except BaseException:
        if not existed:
            _remove_database_files(path)
        raise
    return EXIT_OK


def cmd_check(args: object) -> int:
    from cvdesk.services.check import run_check
    from cvdesk.store.engine import is_postgres

    # The opening runs SQLite's full integrity check (a damaged file is refused there, naming its newest good
    # backup); run_check() does not run it a second time. A PostgreSQL base has no file to check at opening: its
    # server's checks (amcheck, page checksums) run in run_check().
    with _existing(_db_path(args), full_check=True):
        report = run_check(integrity=is_postgres())
    for line in report.lines():
        print(line)
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_table(args: object) -> int:
    from cvdesk.exchange.csv_table import CSV_LOSS, write_csv
    from cvdesk.exchange.scdl import write_scdl
    from cvdesk.exchange.xlsx_table import write_xlsx

    out = Path(args.out)
    if not out.suffix:  # a name alone: the workbook, which keeps codes as text (the SCDL is a CSV by definition)
        out = out.with_name(out.name + (".csv" if args.name == "scdl" else ".xlsx"))
    suffix = out.suffix.lower()
    if args.name == "scdl" and suffix != ".csv":
        raise UsageError(f"Le fichier {out} doit se terminer par .csv : le format national des subventions (SCDL) "
                         "est un CSV (argument --out).")
    if suffix not in (".csv", ".xlsx"):
        raise UsageError(f"Le fichier de sortie {out} doit se terminer par .xlsx ou .csv (argument --out).")
    if not out.parent.exists():
        raise UsageError(f"Le dossier {out.parent} n'existe pas (argument --out).")
    with _existing(_db_path(args)):
        if args.name == "scdl":
            published = write_scdl(out)
            count = published.written
            # Each grant left out of the open data, and why, said once per cause (funder, porteur…).
            for warning in published.warnings:
                print(f"Avertissement : {warning}", file=sys.stderr)
        elif suffix == ".xlsx":
            count = write_xlsx(args.name, out)
        else:
            count = write_csv(args.name, out)
            print(f"Note : {CSV_LOSS}", file=sys.stderr)
    print(f"{count} ligne(s) écrite(s) dans {out}.")
    return EXIT_OK


def _backup_postgres(args: object, url: Path) -> int:
    """backup of a PostgreSQL base: pg_dump's custom format, or the exchange package without it, both verified; into
    --out (a file or a folder) or the user's data folder."""
    from cvdesk.exchange.server_backup import backup_server_base
    from cvdesk.store.settings import office_name
    from cvdesk.store.target import parse_target

    out = Path(args.out) if args.out else None
    with _existing(url):
        result = backup_server_base(parse_target(str(url)).url, out, office_name())
    for line in result.lines():
        print(line)
    return EXIT_OK


def cmd_backup(args: object) -> int:
    from cvdesk.store.backup import backup_to
    from cvdesk.store.database import refuse_foreign_file

    source = _db_path(args)
    if _is_url(source):
        return _backup_postgres(args, source)
    if not args.out:
        raise UsageError("Indiquez le fichier de la copie (argument --out).")
    if not source.exists():
        raise UsageError(f"La base {source} n'existe pas (argument --db).")
    # No lock taken: the backup reads through its own connection, even while the window has the base open.
    refuse_foreign_file(source)
    out = Path(args.out)
    if out.exists():
        raise UsageError(f"Le fichier {out} existe déjà : choisissez un autre nom (argument --out).")
    backup_to(source, out)
    print(f"Sauvegarde vérifiée écrite dans {out}.")
    return EXIT_OK


def _copied_so_far(table: str, done: int, total: int) -> None:
    """A copy's progress on stderr: each table as it starts and ends, and every 50,000 rows of a long one."""
    from cvdesk.store.copy_database import BATCH

    if (done == 0 and total) or (done != total and done % 50_000 >= BATCH):
        return
    shown = f"{grouped(done)} sur {grouped(total)}"
    print(f"… {table} : {shown} lignes copiées", file=sys.stderr, flush=True)


def cmd_copy(args: object) -> int:
    from cvdesk.store.copy_database import copy_database

    for value, option in ((args.source, "--from"), (args.target, "--to")):
        if not value or not value.strip():
            raise UsageError(f"Indiquez une base : un fichier ou une adresse postgresql:// (argument {option}).")
    if args.source.strip() == args.target.strip():
        raise UsageError("La base d'origine et la base de destination sont la même (arguments --from et --to).")
    report = copy_database(args.source.strip(), args.target.strip(), _copied_so_far)
    for line in report.lines():
        print(line)
    return EXIT_OK


def cmd_report(args: object) -> int:
    from cvdesk.reports.command import ReportRequest, check_request, chosen_key, run_report
    from cvdesk.reports.styles import ReportError

    try:
        request = ReportRequest(args.kind, args.out, args.year, chosen_key(args.key, args.id), args.orientation,
                                args.quartier, args.funder)
        check_request(request)
        with _existing(_db_path(args)):
            print(run_report(request))
    except ReportError as exc:
        raise UsageError(str(exc)) from None
    return EXIT_OK


def cmd_export(args: object) -> int:
    from cvdesk.exchange.export_package import export_package
    from cvdesk.store.database import is_read_only
    from cvdesk.store.settings import OFFICE, get_setting, set_setting

    if not args.out:
        raise UsageError("Indiquez le fichier du paquet à écrire (argument --out, par exemple paquet.zip).")
    out = Path(args.out)
    if out.suffix.lower() != ".zip":
        raise UsageError(f"Le paquet {out} doit se terminer par .zip (argument --out).")
    if not out.parent.exists():
        raise UsageError(f"Le dossier {out.parent} n'existe pas (argument --out).")
    if out.exists():
        raise UsageError(f"Le fichier {out} existe déjà : choisissez un autre nom (argument --out).")
    office = (args.office or "").strip()
    if args.office is not None and not office:
        raise UsageError("Le nom du bureau ne peut pas être vide (argument --office).")
    with _existing(_db_path(args)):
        if not office:
            office = get_setting(OFFICE).strip()
            if not office:
                raise UsageError("Le nom de ce bureau n'est pas encore enregistré : indiquez-le une fois avec "
                                 "--office \"Nom du bureau\".")
        elif office != get_setting(OFFICE) and not is_read_only():  # a consultation role exports, keeps nothing
            set_setting(OFFICE, office)
        summary = export_package(out, office)
    print(f"Paquet du bureau « {office} » écrit dans {out} : {grouped(summary.total)} enregistrement(s).")
    return EXIT_OK


def cmd_import(args: object) -> int:
    from cvdesk.exchange.errors import ExchangeError
    from cvdesk.exchange.merge import import_package
    from cvdesk.exchange.sheet_reader import SHEET_SUFFIXES
    from cvdesk.store.database import opened_database

    if not args.package:
        raise UsageError("Indiquez le paquet à importer (par exemple : cvdesk import --db base.db paquet.zip).")
    package = Path(args.package)
    if not package.is_file():
        raise UsageError(f"Le fichier {package} n'existe pas.")
    if package.suffix.lower() in SHEET_SUFFIXES:
        return _import_sheet(args, package)
    if args.kind:
        raise UsageError("L'argument --kind ne sert qu'aux tableurs (.xlsx, .xls, .ods, .csv…), pas aux paquets "
                         "d'échange.")
    if getattr(args, "columns", None):
        raise UsageError("L'argument --columns ne sert qu'aux tableurs, pas aux paquets d'échange.")
    if getattr(args, "attribuant", None) is not None:
        raise UsageError("L'argument --attribuant ne sert qu'aux tableurs de subventions (--kind scdl).")
    path = _db_path(args)
    created = not path.exists()
    if created and args.dry_run:
        raise UsageError(f"La base {path} n'existe pas (argument --db) : rien à comparer au paquet.")
    try:
        # Headquarters may start from an empty database, created here.
        with (opened_database(path) if created or _is_url(path) else _existing(path)):
            if not args.dry_run:
                _refuse_writes(f"L'import du paquet {package}")
            summary = import_package(package, dry_run=args.dry_run)
    except BaseException as exc:
        if created:
            _remove_database_files(path)
        if isinstance(exc, ExchangeError):
            raise UsageError(str(exc)) from None
        raise
    for line in summary.lines():
        print(line)
    return EXIT_OK


LONG_SHEET_BYTES = 1024 * 1024  # beyond this, reading and checking a sheet takes a few seconds: say so


def _written_so_far() -> Callable[[int, int], None]:
    """A long spreadsheet import's progress on stderr, as the other long commands say theirs (every thousand); once
    every row is written, what still comes before the end (indexes, checks, commit: seconds for 100,000 actions)."""
    finished = False

    def say(done: int, total: int) -> None:
        nonlocal finished
        if (done % 1000 and done != total) or finished:
            return
        line = f"… {grouped(done)} sur {grouped(total)} enregistrements écrits"
        if done == total:
            finished = True
            line += " ; index et vérifications avant l'enregistrement"
        print(line, file=sys.stderr, flush=True)

    return say


def _import_sheet(args: object, sheet: Path) -> int:
    from cvdesk.exchange.errors import ExchangeError
    from cvdesk.exchange.column_maps import read_columns_file
    from cvdesk.exchange.sheet_import import IMPORTS, apply_sheet, preview_sheet

    if not args.kind:
        raise UsageError(f"Indiquez ce que contient le tableur {sheet} avec --kind ({', '.join(IMPORTS)}).")
    try:
        columns = read_columns_file(Path(args.columns), args.kind) if getattr(args, "columns", None) else None
        with _existing(_db_path(args)):
            if not args.dry_run:  # before the file is read: a simulation only reads
                _refuse_writes(f"L'import du tableur {sheet}")
            if sheet.stat().st_size > LONG_SHEET_BYTES:  # a small file's refusal stays one sentence on stderr
                print(f"… Lecture et vérification de {sheet}", file=sys.stderr, flush=True)
            attribuant = getattr(args, "attribuant", None)
            if attribuant is not None and args.kind != "scdl":
                raise UsageError("L'argument --attribuant ne sert qu'aux subventions au format SCDL (--kind scdl).")
            if args.kind == "scdl":
                from cvdesk.exchange.scdl_attribuant import OPTION_HINT, lacks_attribuant, preview_scdl

                preview = preview_scdl(sheet, attribuant, columns)
                if lacks_attribuant(preview):  # a publisher's own file: who published it is said once for all
                    raise UsageError(preview.first_error().removesuffix(".") + f" ; {OPTION_HINT}.")
            else:
                preview = preview_sheet(sheet, args.kind, columns)
            if args.dry_run:
                for line in preview.lines():
                    print(line)
            if preview.missing:
                # The file's own name for the column is unknown to us: the user can say it.
                raise UsageError(preview.first_error().removesuffix(".") + " ; sinon, dites quelle colonne le "
                                 "contient avec --columns (un fichier .json ou .csv : colonne, champ).")
            if args.dry_run:
                if not preview.ok:
                    raise UsageError(preview.first_error())
                print("Simulation (--dry-run) : rien n'a été écrit.")
                return EXIT_OK
            apply_sheet(preview, _written_so_far())
    except ExchangeError as exc:
        raise UsageError(str(exc)) from None
    print(f"{sheet} importé : {grouped(preview.created)} créé(s){preview.kinds_created()}, "
          f"{grouped(preview.updated)} mis à jour.")
    return EXIT_OK


def cmd_reference(args: object) -> int:
    from cvdesk.territory.describe import commune_line, epci_line
    from cvdesk.territory.lookup import DEFAULT_LIMIT, ReferenceUnavailable, shared_reference

    text = " ".join(args.text).strip()
    if not any(ch.isalnum() for ch in text):
        raise UsageError("Indiquez un nom, un code INSEE, un code postal ou un SIREN à chercher (argument TEXTE).")
    try:
        reference = shared_reference()
    except ReferenceUnavailable as exc:
        raise UsageError(str(exc)) from None
    what = "commune" if args.kind == "commune" else "EPCI"
    found = reference.find_communes(text) if args.kind == "commune" else reference.find_epcis(text)
    if not found:
        raise UsageError(f"Aucun{'e' if what == 'commune' else ''} {what} du référentiel ({reference.source}) ne "
                         f"correspond à « {text} » : vérifiez l'orthographe, ou cherchez par code INSEE, code "
                         "postal ou SIREN.")
    more = ", les plus peuplées (précisez la recherche pour en voir d'autres)" if len(found) == DEFAULT_LIMIT else ""
    print(f"{len(found)} {what}{'s' if len(found) > 1 and what == 'commune' else ''} pour « {text} » "
          f"({reference.source}){more} :")
    for item in found:
        if args.kind == "commune":
            print(commune_line(item, reference.epci(item.epci_siren) if item.epci_siren else None))
        else:
            print(epci_line(item))
    if args.kind == "epci" and len(found) == 1:
        print("Communes membres :")
        for commune in reference.members(found[0]):
            print("  " + commune_line(commune, with_epci=False))
    return EXIT_OK


def _years(text: str) -> tuple[int, int]:
    """« 2024-2030 » (or 2024–2030) as two years; UsageError names the argument."""
    import re

    found = re.fullmatch(r"\s*(\d{4})\s*[-–/]\s*(\d{4})\s*", text or "")
    if not found:
        raise UsageError(f"La période « {text} » est illisible : attendu deux années comme 2024-2030 "
                         "(argument --years).")
    return int(found.group(1)), int(found.group(2))


def cmd_contract_new(args: object) -> int:
    from cvdesk.services.contract_setup import (
        ORIENTATION_PRESETS,
        ContractSetupError,
        contract_exists,
        create_contract,
        propose_plan,
    )
    from cvdesk.store.database import opened_database
    from cvdesk.store.models import Contract

    start, end = _years(args.years)
    try:
        # Read from the reference before the base is opened: a bad SIREN or period leaves no file behind.
        plan = propose_plan(args.epci, start, end, args.name or "")
    except ContractSetupError as exc:
        raise UsageError(str(exc)) from None
    plan.orientations = list(ORIENTATION_PRESETS[args.orientations][1])
    path = _db_path(args)
    existed = path.exists()
    try:
        with (_existing(path) if existed and not _is_url(path) else opened_database(path)):
            _refuse_writes("La création du contrat")
            if contract_exists():
                name = Contract.select().where(Contract.deleted == False).first().name  # noqa: E712
                raise UsageError(f"La base {path} contient déjà le contrat « {name} » : une base ne tient qu'un "
                                 "contrat ; indiquez un nouveau fichier (argument --db).")
            try:
                contract = create_contract(plan)
            except ContractSetupError as exc:
                raise UsageError(str(exc)) from None
    except BaseException:
        if not existed:
            _remove_database_files(path)
        raise
    kept = sum(1 for commune in plan.communes if commune.kept)
    funders = [funder for funder in plan.funders if funder.kept]
    print(f"Contrat « {contract.name} » ({start}–{end}) créé dans {path} : {kept} commune(s) de {plan.epci_name} "
          f"(SIREN {plan.epci_siren}), {len(plan.signatories)} signataire(s), {len(plan.orientations)} "
          f"orientation(s), {len(funders)} financeur(s) ; référentiel {plan.reference_source}.")
    return EXIT_OK


def cmd_window(args: object) -> int:
    from cvdesk.store.target import load_driver_before_qt

    path = _db_path(args)
    load_driver_before_qt(path)  # a PostgreSQL base's driver, loaded before PySide6 (cheaper then)
    from cvdesk.ui.app import run_window

    # The user's own base (no --db) seen for the first time: the window asks how to begin (demo, own contract, open).
    return run_window(path, ask_if_new=not getattr(args, "db", None))


def build_parser() -> FrenchArgumentParser:
    parser = FrenchArgumentParser(prog="cvdesk", description="Bureau du contrat de ville.")
    parser.add_argument("--db", help="fichier de la base, ou adresse postgresql://utilisateur@serveur/base (par "
                        "défaut : la base de l'utilisateur, ou CVDESK_DB)")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=FrenchArgumentParser)

    def command(name: str, help_text: str, handler: Callable[[object], int]) -> FrenchArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--db", default=argparse.SUPPRESS, help="fichier de la base, ou adresse postgresql://…")
        p.set_defaults(handler=handler)
        return p

    demo = command("demo", "crée une base avec le contrat de démonstration (ou un jeu synthétique)", cmd_demo)
    demo.add_argument("--scale", choices=("demo", "national", "quick"), default="demo",
                      help="demo : Valenciennes Métropole 2015 ; national : 100 000 actions ; quick : 10 000 actions")
    command("check", "vérifie l'intégrité et la cohérence de la base", cmd_check)
    table = command("table", "écrit une liste dans un tableur", cmd_table)
    tables = sorted([*LISTS, "scdl"])
    table.add_argument("name", choices=tables, metavar="NOM",
                       help=f"liste : {', '.join(tables)} (scdl : subventions accordées au format national)")
    table.add_argument("--out", required=True, help="fichier de sortie (.xlsx ou .csv ; sans extension : .xlsx)")
    backup = command("backup", "écrit une copie cohérente et vérifiée de la base", cmd_backup)
    backup.add_argument("--out", help="fichier de la copie ; pour une base PostgreSQL, un fichier ou un dossier "
                                      "(par défaut : le dossier « sauvegardes » des données de l'utilisateur)")
    report = command("report", "imprime une fiche en PDF (meeting-pack : le dossier de séance d'une réunion)",
                     cmd_report)
    report.add_argument("kind", nargs="?", metavar="TYPE",
                        help="quartier | action | association | programme | meeting (ordre du jour ou relevé) | "
                             "decisions (relevé de décisions) | meeting-pack (dossier de séance)")
    report.add_argument("key", nargs="?", metavar="CLÉ",
                        help="ce que --id désigne, écrit après le type : report meeting-pack 16/04/2015 --out d.pdf")
    report.add_argument("--out", help="fichier PDF à écrire")
    report.add_argument("--year", type=year_argument, help="année de programmation (programme, fiche quartier)")
    report.add_argument("--id", help="code du quartier, référence de l'action, SIRET, date ou numéro de la réunion, "
                                     "ou UUID")
    report.add_argument("--orientation", type=orientation_argument, help="programme : numéro de l'orientation")
    report.add_argument("--quartier", help="programme : code du quartier")
    report.add_argument("--funder", help="programme : nom du financeur")
    export = command("export", "écrit le paquet d'échange pour le siège", cmd_export)
    export.add_argument("--out", help="fichier du paquet (.zip)")
    export.add_argument("--office", help="nom de ce bureau (enregistré pour les fois suivantes)")
    imp = command("import", "fusionne un paquet d'échange", cmd_import)
    imp.add_argument("package", nargs="?", metavar="FICHIER",
                     help="le paquet (.zip) à fusionner, ou un tableur (.xlsx, .xls, .ods, .csv…) avec --kind")
    imp.add_argument("--dry-run", action="store_true", help="affiche le bilan sans rien écrire")
    imp.add_argument("--kind", choices=("associations", "quartiers", "actions", "communes", "orientations",
                                        "funders", "envelopes", "scdl"),
                     help="pour un tableur (.xlsx, .xls, .ods, .csv…) : ce qu'il contient")
    imp.add_argument("--columns", metavar="CORRESPONDANCE",
                     help="pour un tableur : fichier .json {\"colonne\": \"champ\"} ou .csv (colonne;champ) qui dit "
                          "quel champ remplit chaque colonne (\"\" pour l'ignorer)")
    imp.add_argument("--attribuant", metavar="FINANCEUR",
                     help="avec --kind scdl, pour un fichier sans colonne d'attribuant : qui a attribué toutes ses "
                          "subventions (un financeur de la base par son nom, son sigle ou son SIRET, ou un nouveau)")
    copy = sub.add_parser("copy", help="copie une base entière entre SQLite et PostgreSQL, dans une base vide",
                          description="copie une base entière (identifiants compris) d'un fichier SQLite vers une base "
                                      "PostgreSQL vide, ou l'inverse, puis compare les deux table par table (lignes "
                                      "et totaux en argent)")
    copy.add_argument("--from", dest="source", required=True, metavar="ORIGINE",
                      help="la base copiée : un fichier, ou postgresql://utilisateur@hôte:5432/base")
    copy.add_argument("--to", dest="target", required=True, metavar="DESTINATION",
                      help="une base PostgreSQL vide (postgresql://…) ou un nouveau fichier")
    copy.set_defaults(handler=cmd_copy)
    contract = sub.add_parser("contract", help="crée le contrat de la base depuis le référentiel officiel",
                              description="crée le contrat de la base depuis le référentiel officiel")
    contract_sub = contract.add_subparsers(dest="action", metavar="ACTION", parser_class=FrenchArgumentParser,
                                           required=True)
    new = contract_sub.add_parser("new", help="un nouveau contrat : ses communes, ses financeurs habituels",
                                  description="crée le contrat d'un EPCI (ses communes membres, l'EPCI financeur avec "
                                              "son SIREN) ; la base est créée si besoin et ne doit pas déjà tenir "
                                              "un contrat")
    new.add_argument("--db", default=argparse.SUPPRESS, help="fichier de la base (créé s'il n'existe pas)")
    new.add_argument("--epci", required=True, help="SIREN de l'EPCI (cvdesk reference epci NOM le donne)")
    new.add_argument("--years", required=True, help="période du contrat, par exemple 2024-2030")
    new.add_argument("--name", help="nom du contrat (par défaut : Contrat de ville de <EPCI> <début>–<fin>)")
    new.add_argument("--orientations", choices=("vide", "demo", "piliers"), default="vide",
                     help="orientations : vide (par défaut), demo (les six de la démonstration), piliers (les trois)")
    new.set_defaults(handler=cmd_contract_new)
    reference = sub.add_parser("reference", help="cherche une commune ou un EPCI dans le référentiel officiel",
                               description="cherche une commune ou un EPCI dans le référentiel officiel (sans réseau)")
    reference.set_defaults(handler=cmd_reference)
    reference.add_argument("kind", choices=("epci", "commune"), metavar="TYPE", help="epci | commune")
    reference.add_argument("text", nargs="+", metavar="TEXTE",
                           help="nom (accents, majuscules et traits d'union indifférents), code INSEE, code postal "
                                "ou SIREN")
    return parser


def _tolerant_console() -> None:
    """A character the console cannot show (the "→" of an import summary on a cp1252 Windows console or a redirected
    output) prints as "?" instead of stopping the command with a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) in ("strict", "surrogateescape") and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="replace")
            except (ValueError, OSError):  # a stream that cannot change (already closed, detached): leave it
                pass


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_console()
    argv = list(sys.argv[1:] if argv is None else argv)
    unreadable = unreadable_argument(argv)
    if unreadable:
        print(unreadable, file=sys.stderr)
        return EXIT_USAGE
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", cmd_window)
    if handler is not cmd_window and sys.stdin is not None and sys.stdin.isatty():
        from cvdesk.store.postgres_prompt import ask_on_terminal, set_password_prompt

        set_password_prompt(ask_on_terminal)  # a server wanting a password libpq did not find asks for it here
    try:
        code = handler(args)
        sys.stdout.flush()  # inside the try: a reader gone away (« | head ») is met here, not at exit
        return code
    except (UsageError, StoreError) as exc:
        print(one_line(str(exc)), file=sys.stderr)
        return EXIT_USAGE
    except KeyError as exc:
        print(one_line(str(exc.args[0] if exc.args else exc)), file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader of our output went away (« | head »): nothing to tell anyone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # what is left to flush goes nowhere
        return 0
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"Erreur de fichier{where} : {describe_os_error(exc)}.", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    except Exception as exc:  # the user gets a sentence, not a traceback; CVDESK_DEBUG=1 shows it
        if os.environ.get("CVDESK_DEBUG"):
            raise
        from cvdesk.store.server_lost import lost_server_sentence

        lost = lost_server_sentence(exc)  # a PostgreSQL server gone midway: not a defect of ours either
        if lost:
            print(lost, file=sys.stderr)
            return EXIT_FAILED
        from cvdesk.store.errors import BUSY_REASON, waited_too_long

        if waited_too_long(exc):  # a table another session holds (a first merge or copy into the base)
            print(f"{BUSY_REASON[0].upper()}{BUSY_REASON[1:]} : la commande s'est arrêtée sans rien modifier.",
                  file=sys.stderr)
            return EXIT_FAILED
        # Not a bad input (those are all named above): a defect of ours, said as such, with what to do.
        print(one_line(f"{PROGRAM_DEFECT} ({type(exc).__name__} : {exc}) : la commande s'est arrêtée ; relancez-la "
                       "avec CVDESK_DEBUG=1 pour le détail, et signalez-le."), file=sys.stderr)
        return EXIT_USAGE
