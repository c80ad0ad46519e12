"""The demonstration contract of Valenciennes Métropole (2015), built through the services from resources/demo."""
from __future__ import annotations

import json
import random
import unicodedata
from datetime import date
from typing import Any

from cvdesk.domain.identifiers import luhn_complete, make_siret
from cvdesk.domain.decisions import ADJOURNED, CLOSED, GRANTED, PARTIAL, REFUSED, encode_amounts, outcome_label
from cvdesk.domain.status import ACCORDEE, AJOURNEE, EN_COURS, EVALUEE, REFUSEE, SOLDEE
from cvdesk.resources import resource
from cvdesk.services.actions import FundingInput, save_action
from cvdesk.services.associations import save_association
from cvdesk.services.quartiers import save_quartier
from cvdesk.services.records import SaveResult
from cvdesk.services.reference import (
    save_commune,
    save_contract,
    save_envelope,
    save_funder,
    save_meeting,
    save_meeting_item,
    save_orientation,
    save_signatory,
)
from cvdesk.store.errors import StoreError
from cvdesk.store.models import RECORD_MODELS, db
from cvdesk.store.settings import DEMO, OFFICE, set_setting

DEMO_OFFICE = "Valenciennes Métropole – équipe politique de la ville"
DEMO_FILE = ("demo", "valenciennes-2015.json")
DECISION_DAY = date(2015, 4, 16)
GRANTED_STATUSES = {ACCORDEE, EN_COURS, SOLDEE, EVALUEE}

FIRST_NAMES = ["Martine", "Karim", "Sophie", "Jean-Pierre", "Nadia", "François", "Chantal", "Mohamed", "Élodie",
               "Bernard", "Samia", "Grégory", "Françoise", "Rachid", "Céline", "Michel", "Fatima", "Hervé"]
LAST_NAMES = ["Lefebvre", "Benali", "Dupont", "Delattre", "Haddad", "Leroy", "Caron", "Mahieu", "Ouali",
              "Vandenberghe", "Lemaire", "Boulanger", "Dubois", "Kaci", "Descamps", "Wattiez", "Noël", "Szymański"]


def database_is_empty() -> bool:
    return all(not model.select().exists() for model in RECORD_MODELS)


def _ok(result: SaveResult, what: str) -> Any:
    if not result.ok:
        raise ValueError(f"Données de démonstration invalides ({what}) : {result.errors}")
    return result.record


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch if ch.isalnum() else "-" for ch in ascii_text).strip("-").replace("--", "-")[:30]


def _share(cents: int, numerator: int, denominator: int) -> int:
    """numerator/denominator of an amount, down to whole hundreds of euros, in integer cents."""
    return cents * numerator // denominator // 10000 * 10000


def build_demo() -> None:
    """Fill an empty, open database with the demonstration contract."""
    if not database_is_empty():
        raise StoreError("La base contient déjà des données : la démonstration ne se crée que dans une base vide.")
    data = json.loads(resource(*DEMO_FILE).read_text(encoding="utf-8"))
    rng = random.Random(2015)
    with db.atomic():
        set_setting(OFFICE, DEMO_OFFICE)
        set_setting(DEMO, "1")
        contract_values = dict(data["contract"])
        for key in ("framework_signed_on", "signed_on"):
            contract_values[key] = date.fromisoformat(contract_values[key])
        contract = _ok(save_contract({**contract_values, "is_demo": True,
                                      "reference_source": _reference().source}), "contrat")
        for position, (name, by) in enumerate(data["signatories"]):
            _ok(save_signatory({"contract": contract.id, "name": name, "represented_by": by, "position": position}),
                "signataire")
        orientations = {
            number: _ok(save_orientation({"contract": contract.id, "number": number, "title": title, "pillar": pillar}),
                        "orientation")
            for number, title, pillar in data["orientations"]
        }
        communes = {
            name: _ok(save_commune({"name": name, "postcode": postcode,
                                    **_official_commune(name, postcode, contract.epci_siren)}), name)
            for name, postcode in data["communes"]
        }
        quartiers = {}
        for code, name, commune_names, population in data["quartiers"]:
            indicators = {
                "revenu_median": (rng.randrange(9000, 13000, 10) * 100, 2011),
                "taux_pauvrete": (rng.randrange(3500, 5500, 10), 2011),
                "taux_chomage": (rng.randrange(2400, 4000, 10), 2012),
                "part_moins_25": (rng.randrange(3200, 4200, 10), 2011),
                "part_logement_social": (rng.randrange(4500, 9200, 10), 2013),
            }
            quartiers[code] = _ok(save_quartier(
                {"code": code, "name": name, "population": population,
                 "notes": "Quartier prioritaire de la liste 2015 (valeurs illustratives)."},
                commune_ids=[communes[c].id for c in commune_names],
                indicators=indicators,
            ), code)
        funders = {}
        for position, (name, short, kind) in enumerate(data["funders"]):
            if kind == "commune":
                # « Communes » in the demo's plans is the commune of the action's first quartier: each commune is a
                # funder of its own, an attribuant with its own SIRET in the SCDL file.
                for commune_name in _funding_communes(data):
                    commune = communes[commune_name]
                    funders[_commune_key(commune_name)] = _ok(save_funder({
                        "name": _town_hall(commune_name), "short_name": commune_name, "kind": kind,
                        "position": position, "siren": commune.siren,
                        "siret": make_siret(commune.siren, "0001") if commune.siren else ""}), commune_name)
                continue
            # The EPCI is the funder the reference identifies; the others' SIRETs are illustrative.
            siren = contract.epci_siren if kind == "epci" else ""
            funders[short] = _ok(save_funder({"name": name, "short_name": short, "kind": kind, "position": position,
                                              "siren": siren, "siret": _funder_siret(kind, siren)}), name)
        first_commune = {code: commune_names[0] for code, _, commune_names, _ in data["quartiers"]}
        for short, year, euros, label in data["envelopes"]:
            _ok(save_envelope({"funder": funders[short].id, "year": year, "amount": euros * 100, "label": label}),
                "enveloppe")
        associations = [_build_association(row, communes, rng) for row in data["associations"]]
        actions = []
        for index, row in enumerate(data["actions"], start=1):
            own = {**funders, COMMUNES: funders.get(_commune_key(first_commune[min(row[3])]))}
            actions.append(_build_action(index, row, orientations, associations, quartiers, own, rng))
        _build_meetings(actions)


COMMUNES = "Communes"  # the demo's plans name the commune funder so: the commune of the action's first quartier
# by code (its first commune)


def _commune_key(name: str) -> str:
    return f"{COMMUNES}:{name}"


def _town_hall(commune: str) -> str:
    """« Ville de Marly », « Ville d'Anzin »: French elides de before a vowel."""
    plain = unicodedata.normalize("NFKD", commune[0]).encode("ascii", "ignore").decode().lower()
    return f"Ville d'{commune}" if plain in "aeiouy" else f"Ville de {commune}"


def _funding_communes(data: dict[str, Any]) -> list[str]:
    """The communes that fund some demo action, in the order the communes are listed."""
    first = {code: names[0] for code, _, names, _ in data["quartiers"]}
    funding = {first[min(row[3])] for row in data["actions"] if COMMUNES in row[5]}
    return [name for name, _ in data["communes"] if name in funding]


# The SIRET the SCDL export names each funder by (illustrative, Luhn-valid, the prefix of its kind of body; the EPCI's
# and the communes' from their real SIREN). The bailleurs' TFPB abatements are not published as grants.
_FUNDER_SIREN_STARTS = {"etat": "17590001", "region": "23590001", "departement": "22590001", "caf": "77590001",
                        "fipd": "17590002"}


def _funder_siret(kind: str, siren: str) -> str:
    if kind == "epci" and siren:
        return make_siret(siren, "0003")
    start = _FUNDER_SIREN_STARTS.get(kind)
    return make_siret(luhn_complete(start), "0001") if start else ""


def _reference() -> Any:
    from cvdesk.territory.lookup import shared_reference

    return shared_reference()


def _official_commune(name: str, postcode: str, epci_siren: str) -> dict[str, Any]:
    """The commune's INSEE code, département, SIREN and population municipale from the shipped reference."""
    found = _reference().commune_named(name, postcode, epci_siren)
    if found is None:
        raise ValueError(f"Données de démonstration invalides : la commune « {name} » ({postcode}) est introuvable "
                         "dans le référentiel.")
    return {"insee_code": found.insee, "departement": found.departement, "siren": found.siren or "",
            "population": found.population_municipale}


def _build_association(row: list[Any], communes: dict[str, Any], rng: random.Random) -> Any:
    name, acronym, legal_form, city, address = row
    prefix = {"Établissement public administratif": "26", "Collectivité territoriale": "21"}.get(legal_form, "")
    if prefix:
        siren = luhn_complete(prefix + "59" + "".join(rng.choice("0123456789") for _ in range(4)))
    else:
        siren = luhn_complete(rng.choice("3457") + "".join(rng.choice("0123456789") for _ in range(7)))
    siret = make_siret(siren, f"{rng.randrange(1, 60):04d}")
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    contact_first, contact_last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    values = {
        "name": name,
        "acronym": acronym,
        "legal_form": legal_form,
        "siret": siret,
        "siren": siren,
        "rna": f"W59{rng.randrange(1000000, 9999999)}" if legal_form == "Association loi 1901" else "",
        "address": address,
        "postcode": communes[city].postcode,
        "city": city,
        "commune": communes[city].id,
        "phone": f"03 27 {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}",
        "email": f"contact@{_slug(acronym or name)}.exemple.fr",
        "president": f"{first} {last}" if not prefix else "",
        "contact_name": f"{contact_first} {contact_last}",
        "notes": "Porteur de démonstration (données illustratives).",
        "active": True,
    }
    return _ok(save_association(values), name)


def _build_action(index: int, row: list[Any], orientations: dict[int, Any], associations: list[Any],
                  quartiers: dict[str, Any], funders: dict[str, Any], rng: random.Random) -> Any:
    orientation, title, porteur, codes, cost_euros, funder_names, status = row
    cost = cost_euros * 100
    lines = []
    # The first funder carries the largest share; own funds close the plan at 10 to 20 %.
    covered = rng.randrange(80, 91)
    # The State's credits go mostly to these associations' actions: it carries the largest share.
    weights = [rng.randrange(60, 80) if name == "État" else rng.randrange(25, 40) if i == 0 else rng.randrange(12, 30)
               for i, name in enumerate(funder_names)]
    total_weight = sum(weights)
    for name, weight in zip(funder_names, weights):
        requested = _share(cost, covered * weight, 100 * total_weight)
        granted = paid = None
        decision = None
        if status in GRANTED_STATUSES:
            granted = requested if rng.randrange(10) < 7 else _share(requested, 9, 10)
            decision = DECISION_DAY
            paid = {EN_COURS: _share(granted, 6, 10), SOLDEE: granted, EVALUEE: granted}.get(status, 0)
        elif status == REFUSEE:
            granted, decision = 0, DECISION_DAY
        lines.append(FundingInput(funders[name].id, requested, granted, paid, decision))
    planned = rng.randrange(20, 400)
    values = {
        "reference": f"2015-VM-{index:03d}",
        "title": title,
        "year": 2015,
        "orientation": orientations[orientation].id,
        "porteur": associations[porteur].id,
        "description": f"{title}. Action menée par {associations[porteur].name} auprès des habitants des quartiers"
                       " prioritaires (description illustrative).",
        "objectives": "Toucher les habitants les plus éloignés des dispositifs de droit commun ; "
                      "travailler avec les partenaires du quartier ; mesurer les effets sur la durée.",
        "public": rng.choice(["Jeunes de 16 à 25 ans", "Familles", "Habitants du quartier", "Femmes isolées",
                              "Demandeurs d'emploi", "Enfants de 2 à 11 ans et leurs parents", "Seniors"]),
        "start_date": date(2015, rng.choice([1, 3, 4, 6, 9]), 1),
        "end_date": date(2015, 12, 31),
        "axes": ",".join(sorted(rng.sample(["jeunesse", "egalite_femmes_hommes", "discriminations", "citoyennete"],
                                           rng.randrange(0, 3)), key=["jeunesse", "egalite_femmes_hommes",
                                                                      "discriminations", "citoyennete"].index)),
        "total_cost": cost,
        "beneficiaries_planned": planned,
        "beneficiaries_reached": planned - rng.randrange(0, 20) if status in (SOLDEE, EVALUEE) else None,
        "status": status,
    }
    return _ok(save_action(values, quartier_ids=[quartiers[c].id for c in codes], fundings=lines), title)


def _decision_shown_by(action: Any) -> tuple[str, dict[str, int]]:
    """The comité's decision an action's status and plan show: (outcome code or "", a partial grant's amounts)."""
    if action.status == REFUSEE:
        return REFUSED, {}
    if action.status == AJOURNEE:
        return ADJOURNED, {}
    if action.status not in (ACCORDEE, EN_COURS, SOLDEE, EVALUEE):
        return "", {}
    granted: dict[str, int] = {}
    full = True
    for funder_uuid, requested, given in db.execute_sql(
            "SELECT fu.uuid, f.requested, f.granted FROM funding f JOIN funder fu ON fu.id = f.funder_id "
            "WHERE f.action_id = ? AND f.deleted = 0 ORDER BY f.id", (action.id,)):
        granted[funder_uuid] = granted.get(funder_uuid, 0) + (given or 0)
        full = full and given == requested
    return (GRANTED, {}) if full else (PARTIAL, granted)


def _build_meetings(actions: list[Any]) -> None:
    technique = _ok(save_meeting({
        "kind": "comite_technique", "date": date(2015, 3, 12), "place": "Valenciennes Métropole, salle du conseil",
        "attendees": "Délégué du préfet ; services de Valenciennes Métropole, de la Région et du Département ; CAF",
        "notes": "Examen technique des dossiers déposés pour la programmation 2015.",
    }), "réunion")
    pilotage = _ok(save_meeting({
        "kind": "comite_pilotage", "date": DECISION_DAY, "place": "Sous-préfecture de Valenciennes",
        "attendees": "Le sous-préfet ; la présidente de Valenciennes Métropole ; le Département ; la Région",
        "notes": "Validation de la programmation 2015.",
    }), "réunion")
    for position, action in enumerate(actions[:12]):
        _ok(save_meeting_item({"meeting": technique.id, "action": action.id, "position": position,
                               "decision": "avis favorable" if position % 4 else "à compléter"}), "ordre du jour")
    # The comité de pilotage took place: its decisions are already the actions' statuses and granted amounts (the
    # demo enters them on the actions), so it is closed with nothing recorded to undo (reopening changes no action).
    # Each item says what the plan shows: a grant in full, a partial one with each funder's amount, a refusal, an
    # adjournment; a dossier still waiting was examined without a decision.
    for position, action in enumerate(actions[:24]):
        outcome, amounts = _decision_shown_by(action)
        _ok(save_meeting_item({"meeting": pilotage.id, "action": action.id, "position": position,
                               "outcome": outcome, "amounts": encode_amounts(amounts),
                               "decision": outcome_label(outcome) if outcome else ""}), "ordre du jour")
    _ok(save_meeting({"status": CLOSED}, pilotage.id), "réunion")
