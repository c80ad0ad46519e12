"""One French line for a commune or an EPCI of the reference, as the command line and the window show them."""
from __future__ import annotations

from cvdesk.domain.numbers import grouped
from cvdesk.territory.lookup import CommuneRef, EpciRef

SEPARATOR = " · "


def _inhabitants(population: int | None) -> str | None:
    return None if population is None else f"{grouped(population)} habitants"


def _postcodes(codes: tuple[str, ...]) -> str | None:
    if not codes:
        return None
    if len(codes) <= 3:
        return "CP " + ", ".join(codes)
    return f"CP {codes[0]} … {codes[-1]} ({len(codes)} codes)"


def commune_line(commune: CommuneRef, epci: EpciRef | None = None, with_epci: bool = True) -> str:
    """« 59606 · Valenciennes (59) · CP 59300 · SIREN 215906066 · 43 468 habitants · EPCI 245901160 CA … »;
    without the EPCI in a list of its own members."""
    parts = [commune.insee, f"{commune.name} ({commune.departement})", _postcodes(commune.postcodes),
             f"SIREN {commune.siren}" if commune.siren else "sans SIREN",
             _inhabitants(commune.population)]
    if not with_epci:
        pass
    elif epci is not None:
        parts.append(f"EPCI {epci.siren} {epci.name}")
    elif commune.epci_siren:
        parts.append(f"EPCI {commune.epci_siren}")
    return SEPARATOR.join(part for part in parts if part)


def epci_line(epci: EpciRef) -> str:
    """« 245901160 · CA Valenciennes Métropole · communauté d'agglomération · 35 communes · 193 676 habitants »."""
    count = len(epci.members)
    parts = [epci.siren, epci.name, epci.kind_label, f"{count} commune{'s' if count > 1 else ''}",
             _inhabitants(epci.population)]
    return SEPARATOR.join(part for part in parts if part)
