"""Setting up a new contract from the official reference: the plan the assistant proposes, and its creation in one go.

The assistant (cvdesk/ui/contract_assistant.py) and `cvdesk contract new` share it: propose_plan() reads the EPCI
and its member communes from the shipped extract, the user edits the plan, create_contract() writes it all, with a
history row for every record, in one transaction."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from cvdesk.domain.axes import PILLARS
from cvdesk.domain.departements import of_departement, region_of
from cvdesk.domain.funders import FUNDER_KINDS
from cvdesk.domain.identifiers import check_insee, check_siren, check_siret, digits_only
from cvdesk.services.records import WriteRefused, save_or_raise
from cvdesk.services.validation import (
    validate_commune,
    validate_contract,
    validate_funder,
    validate_orientation,
    validate_signatory,
)
from cvdesk.store.errors import StoreError
from cvdesk.store.models import Commune, Contract, Funder, Orientation, Signatory, db
from cvdesk.territory.lookup import EpciRef, Reference


@dataclass
class CommuneChoice:
    """One member commune of the EPCI, as the assistant lists it (untick those without a quartier)."""

    insee_code: str
    name: str
    departement: str
    siren: str
    postcode: str
    population: int | None  # population municipale, the figure the contrats de ville use
    kept: bool = True


@dataclass
class FunderChoice:
    name: str
    short_name: str
    kind: str  # a key of cvdesk.domain.funders.FUNDER_KINDS
    siren: str = ""
    siret: str = ""
    kept: bool = True


@dataclass
class ContractPlan:
    name: str
    epci_siren: str
    epci_name: str
    start_year: int
    end_year: int
    communes: list[CommuneChoice]
    signatories: list[str]
    orientations: list[tuple[str, str | None]]  # (title, pillar key of PILLARS or None), in order
    funders: list[FunderChoice]
    reference_source: str = field(default="")  # e.g. "@etalab/decoupage-administratif 6.0.0"


# The demonstration's six (Valenciennes Métropole 2015, resources/demo; a test keeps them equal).
_DEMO_ORIENTATIONS: list[tuple[str, str | None]] = [
    ("Assurer les effets d'entraînement sociaux et territoriaux du développement économique.", "emploi"),
    ("Promouvoir la santé et faciliter l'accès aux soins.", "cohesion_sociale"),
    ("Accompagner le renouvellement urbain, l'aménagement urbain, l'appropriation des changements par les habitants "
     "et favoriser le vivre ensemble.", "cadre_de_vie"),
    ("Favoriser la réussite éducative et l'engagement citoyen.", "cohesion_sociale"),
    ("Prévenir la délinquance et accompagner les victimes.", "cohesion_sociale"),
    ("Lutter contre les nouvelles formes de grandes exclusions.", "cohesion_sociale"),
]

ORIENTATION_PRESETS: dict[str, tuple[str, list[tuple[str, str | None]]]] = {
    "vide": ("Aucune (je les saisirai)", []),
    "demo": ("Les six orientations de la démonstration", _DEMO_ORIENTATIONS),
    "piliers": ("Les trois piliers", [(label, key) for key, label in PILLARS.items()]),
}


class ContractSetupError(Exception):
    """A plan that cannot be proposed or created; str() is one French sentence, and nothing was written."""


def _reference() -> Reference:
    from cvdesk.territory.lookup import ReferenceUnavailable, shared_reference

    try:
        return shared_reference()
    except ReferenceUnavailable as exc:
        raise ContractSetupError(str(exc)) from None


def _check_years(start_year: object, end_year: object) -> None:
    for year, label in ((start_year, "de début"), (end_year, "de fin")):
        if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
            raise ContractSetupError(f"L'année {label} du contrat doit être une année entre 2000 et 2100 "
                                     f"(« {year} »).")
    if end_year < start_year:
        raise ContractSetupError(f"L'année de fin du contrat ({end_year}) précède son année de début ({start_year}).")


def find_epci(epci_siren: str) -> EpciRef:
    """The EPCI of this SIREN in the reference; ContractSetupError says why not (a bad SIREN, an unknown one)."""
    siren = digits_only(epci_siren or "")
    problem = check_siren(siren)
    if problem:
        raise ContractSetupError(problem)
    reference = _reference()
    epci = reference.epci(siren)
    if epci is None:
        raise ContractSetupError(f"Le SIREN {siren} n'est celui d'aucun EPCI à fiscalité propre du référentiel "
                                 f"({reference.source}) : cherchez-le avec « cvdesk reference epci NOM ».")
    return epci


def _main_departement(communes: list[CommuneChoice]) -> str:
    """The département where most of the EPCI's inhabitants live (an EPCI may straddle two)."""
    weights: Counter[str] = Counter()
    for commune in communes:
        weights[commune.departement] += commune.population or 0
    return weights.most_common(1)[0][0] if weights else ""


def _short_epci_name(epci: EpciRef) -> str:
    """« Grand Besançon Métropole » for « CU Grand Besançon Métropole »: the DGCL's kind code dropped."""
    first, _, rest = epci.name.partition(" ")
    return rest if first in ("CA", "CC", "CU") and rest else epci.name


def member_choices(epci: EpciRef) -> list[CommuneChoice]:
    """The EPCI's member communes, by INSEE code, all kept."""
    return [CommuneChoice(c.insee, c.name, c.departement, c.siren or "", c.postcodes[0] if c.postcodes else "",
                          c.population_municipale, True)
            for c in _reference().members(epci)]


def usual_funders(epci: EpciRef) -> list[FunderChoice]:
    """The usual partners of a contrat de ville, in this order, ticked: État – BOP 147, the Région, the Département,
    the EPCI itself (with its SIREN), the CAF, the social landlords (TFPB abatement), the FIPD; then each member
    commune with its SIREN, **unticked** (kept=False) and by decreasing population: only the communes that fund
    actions become funders, and an EPCI of 70 communes must not fill the plans' funder list. The assistant lists
    them all and lets the user tick; nothing here depends on which communes the contract keeps."""
    communes = member_choices(epci)
    departement = _main_departement(communes)
    region = region_of(departement)
    of = of_departement(departement)
    funders = [FunderChoice(FUNDER_KINDS["etat"], "État", "etat")]
    if region:
        funders.append(FunderChoice(f"Région {region}", "Région", "region"))
    funders += [
        FunderChoice(f"Département {of}", "Département", "departement"),
        FunderChoice(epci.name, _short_epci_name(epci), "epci", siren=epci.siren),
        FunderChoice(f"CAF {of}", "CAF", "caf"),
        FunderChoice("Bailleurs sociaux (abattement TFPB)", "Bailleurs", "bailleur"),
        FunderChoice("FIPD", "FIPD", "fipd"),
    ]
    by_population = sorted(communes, key=lambda c: (-(c.population or 0), c.insee_code))
    funders += [FunderChoice(commune_of(c.name), c.name, "commune", siren=c.siren, kept=False)
                for c in by_population]
    return funders


# A contract is signed by the communes that have a quartier: a dozen at most in the largest agglomerations.
MAX_COMMUNE_SIGNATORIES = 15


def commune_of(name: str) -> str:
    """« Commune de Besançon », « Commune d'Anzin »: the name as a signatory or a funder."""
    return f"Commune d'{name}" if name[:1].upper() in "AEIOUYÉÈÊÎÔÂ" else f"Commune de {name}"


def signatories_for(epci_name: str, communes: list[CommuneChoice]) -> list[str]:
    """The signatories a contract usually has: the État (the préfet), the Région, the Département, the EPCI, and
    each kept commune when there are at most MAX_COMMUNE_SIGNATORIES of them (else only the most populated: the
    user adds the others). Call it again after unticking communes."""
    kept = [c for c in communes if c.kept]
    departement = _main_departement(kept or communes)
    region = region_of(departement)
    names = [f"État – préfecture {of_departement(departement)}"]
    if region:
        names.append(f"Région {region}")
    names += [f"Département {of_departement(departement)}", epci_name]
    if len(kept) > MAX_COMMUNE_SIGNATORIES:
        kept = sorted(kept, key=lambda c: -(c.population or 0))[:1]
    names += [commune_of(c.name) for c in kept]
    return names


def propose_plan(epci_siren: str, start_year: int, end_year: int, name: str = "") -> ContractPlan:
    """The plan for the EPCI of this SIREN: its member communes (all kept), the name « Contrat de ville de <EPCI>
    <start>–<end> » unless given, the usual signatories (État, Région, Département, the EPCI, then the communes:
    signatories_for() recomputes them once communes are unticked), no orientation (see ORIENTATION_PRESETS) and
    usual_funders(). ContractSetupError for a bad or unknown SIREN or bad years."""
    _check_years(start_year, end_year)
    epci = find_epci(epci_siren)
    communes = member_choices(epci)
    return ContractPlan(
        name=name.strip() or f"Contrat de ville de {epci.name} {start_year}–{end_year}",
        epci_siren=epci.siren, epci_name=epci.name, start_year=start_year, end_year=end_year,
        communes=communes, signatories=signatories_for(epci.name, communes), orientations=[],
        funders=usual_funders(epci), reference_source=_reference().source,
    )


def contract_exists() -> bool:
    """Whether the open base already holds a live contract (a base holds one contract)."""
    return Contract.select().where(Contract.deleted == False).exists()  # noqa: E712


def _plan_problem(plan: ContractPlan) -> str | None:
    """The first thing wrong with the plan, as one French sentence, or None."""
    if not plan.name.strip():
        return "Le nom du contrat est obligatoire."
    try:
        _check_years(plan.start_year, plan.end_year)
    except ContractSetupError as exc:
        return str(exc)
    if plan.epci_siren and check_siren(plan.epci_siren):
        return f"SIREN de l'EPCI : {check_siren(plan.epci_siren)}"
    kept = [c for c in plan.communes if c.kept]
    if not kept:
        return "Gardez au moins une commune : celles qui ont un quartier prioritaire."
    seen: set[str] = set()
    for commune in kept:
        problem = check_insee(commune.insee_code) if commune.insee_code else None
        if problem:
            return f"Commune « {commune.name} » : {problem}"
        if commune.insee_code in seen:
            return f"La commune {commune.insee_code} « {commune.name} » figure deux fois."
        seen.add(commune.insee_code)
    for position, name in enumerate(plan.signatories, start=1):
        if not name.strip():
            return f"Le signataire n° {position} n'a pas de nom."
    for number, (title, pillar) in enumerate(plan.orientations, start=1):
        if not title.strip():
            return f"L'orientation n° {number} n'a pas d'intitulé."
        if pillar is not None and pillar not in PILLARS:
            return f"L'orientation n° {number} : le pilier « {pillar} » n'existe pas."
    for funder in plan.funders:
        if funder.kept:
            errors = validate_funder(_funder_values(funder, 0), None)
            if errors:
                return f"Financeur « {funder.name} » : {next(iter(errors.values()))}"
    return None


def _funder_values(funder: FunderChoice, position: int) -> dict[str, object]:
    siret = digits_only(funder.siret)
    # A valid SIRET alone gives its SIREN; a wrong one is reported as typed, not through a SIREN nobody typed.
    siren = digits_only(funder.siren) or (siret[:9] if siret and check_siret(siret) is None else "")
    return {"name": funder.name.strip(), "short_name": funder.short_name.strip(), "kind": funder.kind,
            "siren": siren, "siret": siret, "position": position}


def _funder(choice: FunderChoice, position: int) -> Funder:
    """The base's live funder of this SIRET, or else of this name, brought up to the plan, or a new one (a base
    whose contract was deleted keeps its funders: they are not doubled)."""
    values = _funder_values(choice, position)
    live = Funder.deleted == False  # noqa: E712
    existing = (Funder.get_or_none(live & (Funder.siret == values["siret"])) if values["siret"] else None) \
        or Funder.get_or_none(live & (Funder.name == values["name"]))
    return save_or_raise(Funder, values, existing.id if existing else None, validate_funder)


def _commune(choice: CommuneChoice) -> Commune:
    """The base's live commune of this INSEE code brought up to the reference, or a new one."""
    values = {"name": choice.name.strip(), "insee_code": choice.insee_code.strip().upper(),
              "postcode": choice.postcode.strip(), "departement": choice.departement.strip().upper(),
              "siren": digits_only(choice.siren), "population": choice.population}
    existing = (Commune.get_or_none((Commune.insee_code == values["insee_code"]) & (Commune.deleted == False))  # noqa: E712
                if values["insee_code"] else None)
    return save_or_raise(Commune, values, existing.id if existing else None, validate_commune)


@contextmanager
def _naming(place: str) -> Iterator[None]:
    """A record of the plan refused when written: its sentence says which one (« Signataire n° 2 : … »)."""
    try:
        yield
    except WriteRefused as exc:
        raise ContractSetupError(f"{place} : {next(iter(exc.errors.values()))}") from None


def create_contract(plan: ContractPlan) -> Contract:
    """Write the plan: the contract (with the reference it came from), its signatories in order, its orientations
    numbered 1..n, its kept communes (a commune the base already has, by INSEE code, is brought up to date rather
    than doubled) and its kept funders in order (one the base already has, by SIRET or name, likewise); a
    history row for each, all in one transaction.

    ContractSetupError (one French sentence, nothing written) when the base already holds a live contract or the
    plan is invalid (years, no commune kept, a bad INSEE code, SIREN or SIRET, a blank name)."""
    if contract_exists():
        existing = Contract.select().where(Contract.deleted == False).order_by(Contract.id).first()  # noqa: E712
        raise ContractSetupError(f"La base contient déjà le contrat « {existing.name} » : une base ne tient qu'un "
                                 "contrat ; créez une nouvelle base pour celui-ci.")
    problem = _plan_problem(plan)
    if problem:
        raise ContractSetupError(problem)
    try:
        with db.atomic():
            contract = save_or_raise(Contract, {
                "name": plan.name.strip(), "epci_name": plan.epci_name.strip(),
                "epci_siren": digits_only(plan.epci_siren), "start_year": plan.start_year,
                "end_year": plan.end_year, "reference_source": plan.reference_source,
            }, None, validate_contract)
            for position, name in enumerate(plan.signatories, start=1):
                with _naming(f"Signataire n° {position}"):
                    save_or_raise(Signatory, {"contract": contract.id, "name": name.strip(), "position": position},
                                  None, validate_signatory)
            for number, (title, pillar) in enumerate(plan.orientations, start=1):
                with _naming(f"Orientation n° {number}"):
                    save_or_raise(Orientation, {"contract": contract.id, "number": number, "title": title.strip(),
                                                "pillar": pillar}, None, validate_orientation)
            for choice in plan.communes:
                if choice.kept:
                    with _naming(f"Commune « {choice.name} »"):
                        _commune(choice)
            kept_funders = [funder for funder in plan.funders if funder.kept]
            for position, funder in enumerate(kept_funders):
                with _naming(f"Financeur « {funder.name} »"):
                    _funder(funder, position)
    except WriteRefused as exc:
        raise ContractSetupError(next(iter(exc.errors.values()))) from None
    except StoreError as exc:
        raise ContractSetupError(str(exc)) from None
    return contract
