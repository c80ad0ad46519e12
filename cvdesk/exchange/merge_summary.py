"""What a package merge did, per record type, and how the command line and the window print it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cvdesk.domain.dates import format_date
from cvdesk.domain.numbers import grouped
from cvdesk.store.models import UTC_FORMAT

TABLE_LABELS = {
    "contract": "Contrats", "signatory": "Signataires", "orientation": "Orientations", "commune": "Communes",
    "quartier": "Quartiers", "quartier_commune": "Communes des quartiers", "quartier_indicator": "Indicateurs",
    "association": "Associations", "action": "Actions", "action_quartier": "Quartiers des actions",
    "funder": "Financeurs", "funding": "Financements", "envelope": "Enveloppes", "meeting": "Réunions",
    "meeting_item": "Points de réunion", "history": "Historique",
}

# Why a record was kept as a conflict instead of merged.
BOTH_CHANGED = "modifié ici et dans l'autre bureau depuis le dernier échange"
FOREIGN_TOMBSTONE = "suppression demandée par un bureau qui ne l'a ni créé ni reçu"


@dataclass
class TableCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    conflicts: int = 0

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.deleted


@dataclass(frozen=True)
class Conflict:
    table: str
    uuid: str
    label: str
    local_updated_at: str
    incoming_updated_at: str
    reason: str = BOTH_CHANGED


@dataclass
class ImportSummary:
    path: Path
    office: str
    exported_at: str
    dry_run: bool
    counts: dict[str, TableCounts] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.counts.values())

    def total(self) -> TableCounts:
        t = TableCounts()
        for c in self.counts.values():
            t.added += c.added
            t.updated += c.updated
            t.unchanged += c.unchanged
            t.deleted += c.deleted
            t.conflicts += c.conflicts
        return t

    def lines(self) -> list[str]:
        when = readable_time(self.exported_at)
        out = [f"Paquet du bureau « {self.office} » exporté le {when}."]
        header = f"{'Type':<24} {'ajoutés':>9} {'mis à jour':>11} {'inchangés':>10} {'supprimés':>10} {'conflits':>9}"
        out.append(header)
        for table, c in self.counts.items():
            out.append(f"{TABLE_LABELS.get(table, table):<24} {grouped(c.added):>9} {grouped(c.updated):>11} "
                       f"{grouped(c.unchanged):>10} {grouped(c.deleted):>10} {grouped(c.conflicts):>9}")
        t = self.total()
        out.append(f"{'Total':<24} {grouped(t.added):>9} {grouped(t.updated):>11} {grouped(t.unchanged):>10} "
                   f"{grouped(t.deleted):>10} {grouped(t.conflicts):>9}")
        for warning in self.warnings:
            out.append(f"Attention : {warning}")
        if self.conflicts:
            out.append("Conflits (la version locale est conservée ; à examiner par Fichier > Conflits à examiner) :")
            for c in self.conflicts:
                out.append(f"  {TABLE_LABELS.get(c.table, c.table)} : {c.label} ({c.uuid}) : {c.reason}")
        if self.dry_run:
            out.append("Simulation (--dry-run) : rien n'a été écrit.")
        elif self.changed == 0 and not self.conflicts:
            out.append("Aucun changement : la base contenait déjà tout ce paquet.")
        return out


def readable_time(iso: str) -> str:
    try:
        moment = datetime.strptime(iso, UTC_FORMAT)
    except ValueError:
        return iso
    return f"{format_date(moment)} à {moment:%H:%M} (UTC)"
