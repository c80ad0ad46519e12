"""The funders and associations an SCDL file's grants point to: found in the base by identifier, then name,
or created once; doubtful matches told as points to check."""
from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from cvdesk.domain.funders import FUNDER_KINDS
from cvdesk.exchange.scdl_rows import Grant, Pending, _folded, _Told
from cvdesk.exchange.sheet_fields import fold
from cvdesk.exchange.sheet_preview import Item, RowError, SheetPreview, header_of
from cvdesk.exchange.sheet_reader import Sheet
from cvdesk.services.associations import _normalise as normalise_association
from cvdesk.services.reference import normalise_funder
from cvdesk.services.reference_order import next_funder_position
from cvdesk.services.validation import validate_association, validate_funder
from cvdesk.store.models import Association, Funder

# ---- funders and associations ----------------------------------------------------------------------------------

_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("caf", r"\bcaf\b|caisse d allocations? familiales?"),
    ("fse", r"\bfse\b|fonds? social europeen"),
    ("fipd", r"\bfipd\b|prevention de la delinquance"),
    ("region", r"\bregion\b|conseil regional"),
    ("departement", r"\bdepartement\b|conseil departemental|conseil general|\bdepartemental\b"),
    ("epci", r"\bmetropole\b|communaute d agglomeration|communaute de communes|communaute urbaine|\bagglomeration\b"
             r"|\bagglo\b|\bepci\b"),
    ("bailleur", r"\bhabitat\b|\bhlm\b|\boph\b|\bbailleur|\blogement"),
    ("commune", r"^ville\b|\bville de\b|\bcommune\b|\bmairie\b|\bccas\b"),
    ("etat", r"\betat\b|\bprefecture\b|\bprefet\b|\bministere\b|\bddets\b|\bdreets\b|\banct\b|\bdrac\b"),
)
# The first digits of a public body's SIREN tell its kind when its name does not: 21 communes, 22 départements,
# 23 régions, 24 groupements of communes, 1 the State's services.
_SIREN_KINDS = (("21", "commune"), ("22", "departement"), ("23", "region"), ("24", "epci"), ("1", "etat"))


def guess_funder_kind(name: str, siret: str = "") -> str:
    """The funder kind a name (« Conseil départemental du Nord », « Ville de Poitiers ») or else a SIRET suggests."""
    words = fold(name)
    for kind, pattern in _KIND_WORDS:
        if re.search(pattern, words):
            return kind
    for prefix, kind in _SIREN_KINDS:
        if siret.startswith(prefix):
            return kind
    return "autre"


_NAME_NOISE = frozenset({"association", "asso", "assoc", "l", "la", "le", "les", "de", "des", "du", "d", "et",
                         "a", "au", "aux", "en"})


@lru_cache(maxsize=65536)  # an association's name comes back on each of its grants
def name_key(name: str) -> str:
    """An association's name as compared: folded, without « association » nor articles (« Association Les Petits
    Débrouillards » and « LES PETITS DEBROUILLARDS » give the same key)."""
    words = [word for word in fold(name).split() if word not in _NAME_NOISE]
    return " ".join(words) or fold(name)


class _Funders:
    """The attribuants: found by SIRET, then by name or short name, else created once (kind guessed)."""

    def __init__(self, preview: SheetPreview, sheet: Sheet, positions: dict[str, int], told: _Told) -> None:
        self.preview, self.sheet, self.positions, self.told = preview, sheet, positions, told
        self.known: dict[int, Pending] = {}
        self.by_siret: dict[str, int] = {}
        self.by_siren: dict[str, int] = {}
        self.by_name: dict[str, tuple[int, str]] = {}
        for funder_id, name, short_name, siret, siren in (
                Funder.select(Funder.id, Funder.name, Funder.short_name, Funder.siret, Funder.siren)
                .where(Funder.deleted == False).tuples()):  # noqa: E712
            self.known[funder_id] = Pending(name, funder_id)
            if siret:
                self.by_siret.setdefault(siret, funder_id)
            if siren or siret:
                self.by_siren.setdefault(siren or siret[:9], funder_id)
            for text in (name, short_name):
                if text:
                    self.by_name.setdefault(fold(text), (funder_id, siret))
        self.new_by_siret: dict[str, Pending] = {}
        self.new_by_name: dict[str, Pending] = {}
        self.items: list[Item] = []
        self.position = next_funder_position()

    def _warn(self, line: int, reason: str) -> None:
        self.told.warn(line, header_of(self.sheet, self.positions, "funder_name"), reason)

    def find(self, grant: Grant) -> Pending | None:
        siret, siren, key = grant.funder_siret, grant.funder_siren, _folded(grant.funder_name)
        if siret and siret in self.by_siret:
            return self.known[self.by_siret[siret]]
        if siren and siren in self.by_siren:
            return self.known[self.by_siren[siren]]
        if key in self.by_name:
            funder_id, base_siret = self.by_name[key]
            if siret and base_siret and base_siret != siret:
                self._warn(grant.line, f"le financeur « {grant.funder_name} » de la base a le SIRET {base_siret}, "
                                       f"le fichier dit {siret} : la subvention lui est rattachée (à vérifier).")
            return self.known[funder_id]
        found = self.new_by_siret.get(siret) if siret else None
        if found is None:
            found = self.new_by_name.get(key)
        if found is not None:
            return found
        kind = guess_funder_kind(grant.funder_name, siret or siren)
        values = normalise_funder({"name": grant.funder_name, "kind": kind, "position": self.position,
                                   **({"siret": siret} if siret else {}), **({"siren": siren} if siren else {})})
        errors = validate_funder(values, None)
        if errors:
            for reason in errors.values():
                self.preview.errors.append(RowError(grant.line, header_of(self.sheet, self.positions, "funder_name"),
                                                    reason))
            return None
        self.position += 1
        pending = Pending(grant.funder_name)
        self.items.append(Item(grant.line, values, None, {"record": "funder", "pending": pending}))
        if siret:
            self.new_by_siret[siret] = pending
        self.new_by_name[key] = pending
        self._warn(grant.line, f"le financeur « {grant.funder_name} » n'est pas dans la base : il sera créé, "
                               f"catégorie « {FUNDER_KINDS[kind]} » (à vérifier).")
        return pending


class _Beneficiaries:
    """The associations: found by SIRET (or the SIREN a file gives instead), then RNA, then name (a doubtful match
    is told), else created once. Two of one name whose SIRENs differ are two legal entities (the CCAS of two
    communes), never one."""

    def __init__(self, preview: SheetPreview, sheet: Sheet, positions: dict[str, int], told: _Told) -> None:
        self.preview, self.sheet, self.positions, self.told = preview, sheet, positions, told
        self.known: dict[int, Pending] = {}
        self.siret_of: dict[Pending, str] = {}
        self.siren_of: dict[Pending, str] = {}
        self.by_siret: dict[str, Pending] = {}
        self.by_siren: dict[str, Pending] = {}
        self.by_rna: dict[str, Pending] = {}
        self.by_name: dict[str, list[Pending]] = {}
        for association_id, name, siret, siren, rna in (
                Association.select(Association.id, Association.name, Association.siret, Association.siren,
                                   Association.rna)
                .where(Association.deleted == False).order_by(Association.id).tuples()):  # noqa: E712
            self._index(Pending(name, association_id), name, siret, siren or siret[:9], rna)
        self.items: list[Item] = []
        self.first_line: dict[Pending, int] = {}

    def _index(self, found: Pending, name: str, siret: str, siren: str, rna: str) -> None:
        if found.id is not None:
            self.known[found.id] = found
        self.siret_of.setdefault(found, siret)
        self.siren_of.setdefault(found, siren)
        for book, value in ((self.by_siret, siret), (self.by_siren, siren), (self.by_rna, rna)):
            if value:
                book.setdefault(value, found)
        if found not in self.by_name.setdefault(name_key(name), []):
            self.by_name[name_key(name)].append(found)

    def _warn(self, grant: Grant, reason: str) -> None:
        self.told.warn(grant.line, header_of(self.sheet, self.positions, "beneficiary_name"), reason)

    def _by_identifier(self, grant: Grant, found: Pending, by: str) -> Pending:
        # The file's name for it is known from now on: a later row of that name without identifier (the Mayenne list
        # their conventions twice, the second time without SIRET) goes to it too, told as found by its name.
        if found not in self.by_name.setdefault(name_key(grant.beneficiary_name), []):
            self.by_name[name_key(grant.beneficiary_name)].append(found)
        if name_key(found.name) != name_key(grant.beneficiary_name):
            value = {"SIRET": grant.beneficiary_siret, "SIREN": grant.beneficiary_siren}.get(by, grant.beneficiary_rna)
            where = "dans la base" if found.id is not None else f"ligne {self.first_line[found]}"
            self._warn(grant, f"subvention rattachée à « {found.name} » ({where}) par son {by} {value} ; le fichier "
                              f"nomme le bénéficiaire « {grant.beneficiary_name} » (à vérifier).")
        return found

    def _by_name(self, grant: Grant, found: Pending) -> Pending:
        siret, known_siret = grant.beneficiary_siret, self.siret_of[found]
        clash = (f" alors que leurs SIRET diffèrent ({siret} dans le fichier, {known_siret} "
                 f"{'dans la base' if found.id is not None else 'ligne ' + str(self.first_line[found])})"
                 if siret and known_siret and siret != known_siret else "")
        if found.id is not None:
            self._warn(grant, f"subvention rattachée à « {found.name} » de la base par son seul nom{clash} "
                              "(à vérifier).")
        elif clash:
            # Within the file, one name without identifiers on some rows is one beneficiary; two establishments of one
            # SIREN are told.
            self._warn(grant, f"subvention rattachée à « {found.name} », à créer ligne {self.first_line[found]}, par "
                              f"son nom{clash} (à vérifier).")
        return found

    def find(self, grant: Grant) -> Pending | None:
        siret, siren, rna = grant.beneficiary_siret, grant.beneficiary_siren, grant.beneficiary_rna
        own_siren = siret[:9] if siret else siren
        if siret and siret in self.by_siret:
            return self._by_identifier(grant, self.by_siret[siret], "SIRET")
        if siren and siren in self.by_siren:
            return self._by_identifier(grant, self.by_siren[siren], "SIREN")
        if rna and rna in self.by_rna:
            return self._by_identifier(grant, self.by_rna[rna], "RNA")
        # The base's associations of that name first, then those the file creates.
        for found in sorted(self.by_name.get(name_key(grant.beneficiary_name), []), key=lambda f: f.id is None):
            if own_siren and self.siren_of[found] and self.siren_of[found] != own_siren:
                continue  # a homonym: another legal entity
            found = self._by_name(grant, found)
            self._index(found, grant.beneficiary_name, siret, own_siren, rna)
            return found
        values = normalise_association({"name": grant.beneficiary_name, "siret": siret, "rna": rna,
                                        **({"siren": siren} if siren else {})})
        # Its identifiers were checked on reading the row (_identifiers, once each): not again here.
        errors = validate_association({k: v for k, v in values.items() if k not in ("siret", "siren", "rna")}, None)
        if errors:
            for reason in errors.values():
                self.preview.errors.append(RowError(grant.line, header_of(self.sheet, self.positions,
                                                                          "beneficiary_name"), reason))
            return None
        pending = Pending(grant.beneficiary_name)
        self.items.append(Item(grant.line, values, None, {"record": "association", "pending": pending}))
        self.first_line[pending] = grant.line
        self._index(pending, grant.beneficiary_name, siret, own_siren, rna)
        return pending


def _named_beneficiaries(grants: list[Grant], beneficiaries: _Beneficiaries, preview: SheetPreview, told: _Told,
                         column: str) -> list[Grant]:
    """The grants whose beneficiary has no name take the one the file gives its identifier on another row, else the
    base's; one the file and the base leave unnamed is an error of its line."""
    if all(grant.beneficiary_name for grant in grants):
        return grants
    named: dict[tuple[str, str], tuple[str, int]] = {}
    for grant in grants:
        if grant.beneficiary_name:
            siren = grant.beneficiary_siret[:9] if grant.beneficiary_siret else grant.beneficiary_siren
            for key in (("siret", grant.beneficiary_siret), ("siren", siren), ("rna", grant.beneficiary_rna)):
                if key[1]:
                    named.setdefault(key, (grant.beneficiary_name, grant.line))
    kept: list[Grant] = []
    for grant in grants:
        if grant.beneficiary_name:
            kept.append(grant)
            continue
        siren = grant.beneficiary_siret[:9] if grant.beneficiary_siret else grant.beneficiary_siren
        keys = (("siret", grant.beneficiary_siret), ("siren", siren), ("rna", grant.beneficiary_rna))
        found = next((named[key] for key in keys if key[1] and key in named), None)
        if found is not None:
            name, where = found[0], f"ligne {found[1]}"
        else:
            books = {"siret": beneficiaries.by_siret, "siren": beneficiaries.by_siren, "rna": beneficiaries.by_rna}
            known = next((books[kind][value] for kind, value in keys if value and value in books[kind]), None)
            if known is None:
                preview.errors.append(RowError(grant.line, column, "le nom du bénéficiaire est obligatoire (son "
                                                                   "identifiant n'est nommé nulle part ailleurs)."))
                continue
            name, where = known.name, "dans la base"
        told.warn(grant.line, column, f"le bénéficiaire n'a pas de nom sur cette ligne : il est « {name} », nommé "
                                      f"ainsi {where} pour le même identifiant (à vérifier).", alike=True)
        kept.append(dataclasses.replace(grant, beneficiary_name=name))
    return kept


