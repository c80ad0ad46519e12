"""A deterministic national-scale synthetic dataset, written in bulk, for benchmarks and scale tests."""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from cvdesk.domain.identifiers import luhn_complete, make_siret
from cvdesk.domain.status import STATUSES
from cvdesk.store.engine import raw
from cvdesk.store.errors import StoreError
from cvdesk.store.models import db
from cvdesk.store.settings import OFFICE, set_setting
from cvdesk.services.demo import database_is_empty

STAMP = "2024-12-31T12:00:00.000000Z"
OFFICE_NAME = "Jeu national synthétique"


@dataclass(frozen=True)
class Scale:
    communes: int
    quartiers: int
    associations: int
    actions: int
    first_year: int
    years: int


NATIONAL = Scale(communes=900, quartiers=1600, associations=20000, actions=100000, first_year=2015, years=10)
QUICK = Scale(communes=90, quartiers=160, associations=2000, actions=10000, first_year=2015, years=10)

ORIENTATIONS = [
    ("Emploi et développement économique", "emploi"),
    ("Santé et accès aux soins", "cohesion_sociale"),
    ("Cadre de vie et renouvellement urbain", "cadre_de_vie"),
    ("Réussite éducative et citoyenneté", "cohesion_sociale"),
    ("Prévention de la délinquance", "cohesion_sociale"),
    ("Lutte contre les exclusions", "cohesion_sociale"),
]
FUNDERS = [
    ("État – crédits politique de la ville (BOP 147)", "État", "etat"),
    ("Région", "Région", "region"),
    ("Département", "Département", "departement"),
    ("EPCI", "EPCI", "epci"),
    ("Communes", "Communes", "commune"),
    ("CAF", "CAF", "caf"),
    ("Bailleurs sociaux (abattement TFPB)", "Bailleurs", "bailleur"),
    ("FIPD", "FIPD", "fipd"),
    ("FSE", "FSE", "fse"),
]
WORDS = ["Accompagnement", "Atelier", "Médiation", "Prévention", "Insertion", "Soutien", "Chantier", "Parcours",
         "Permanence", "Forum", "Accueil", "Initiative"]
TOPICS = ["vers l'emploi", "santé", "scolarité", "numérique", "parentalité", "mobilité", "sport", "culture",
          "logement", "citoyenneté", "accès aux droits", "jeunesse", "égalité femmes-hommes", "seniors"]
STATUS_WEIGHTS = [2, 3, 3, 10, 2, 2, 20, 40, 15, 3]


class _Ids:
    """Deterministic UUIDs drawn from the dataset's own random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


ROWS_PER_INSERT = 200  # rows in one INSERT … VALUES (…), (…): far below SQLite's limit of 32,766 parameters


def _insert(table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> None:
    """The rows written by INSERTs of ROWS_PER_INSERT rows each: on PostgreSQL one statement per row costs a round
    trip and a firing of the tables' statement triggers each (about 1 ms a row: 55 s for the quick dataset's
    actions), SQLite takes the many rows as fast as executemany."""
    cols = ", ".join(("uuid", "created_at", "updated_at", "office", "deleted", *columns))
    marks = "(" + ", ".join("?" * (5 + len(columns))) + ")"
    conn = raw()
    batch: list[Any] = []
    count = 0
    for row in rows:
        batch.extend(row)
        count += 1
        if count == ROWS_PER_INSERT:
            conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES {", ".join([marks] * count)}', batch)
            batch, count = [], 0
    if count:
        conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES {", ".join([marks] * count)}', batch)


def build_synthetic(scale: Scale = NATIONAL, progress: Callable[[str], None] | None = None) -> None:
    """Fill an empty, open database with a synthetic dataset of this scale (same seed, same data)."""
    if not database_is_empty():
        raise StoreError("La base contient déjà des données : le jeu synthétique ne se crée que dans une base vide.")
    rng = random.Random(1600)
    new_id = _Ids(rng)
    head = lambda: (new_id(), STAMP, STAMP, OFFICE_NAME, 0)  # noqa: E731
    say = progress or (lambda message: None)
    with db.atomic():
        set_setting(OFFICE, OFFICE_NAME)
        _insert("contract", ("name", "epci_name", "epci_siren", "start_year", "end_year", "is_demo", "notes"),
                iter([(*head(), "Contrats de ville : jeu national synthétique", "Ensemble national", "", scale.first_year,
                       scale.first_year + scale.years - 1, 0, "Données synthétiques pour les mesures de performance.")]))
        _insert("orientation", ("contract_id", "number", "title", "pillar"),
                ((*head(), 1, n, title, pillar) for n, (title, pillar) in enumerate(ORIENTATIONS, start=1)))
        _insert("funder", ("name", "short_name", "kind", "position"),
                ((*head(), name, short, kind, pos) for pos, (name, short, kind) in enumerate(FUNDERS)))
        say("communes")
        _insert("commune", ("name", "insee_code", "postcode"),
                ((*head(), f"Commune {n:04d}", "", f"{10000 + n * 97 % 85000:05d}") for n in range(1, scale.communes + 1)))
        say("quartiers")
        _insert("quartier", ("code", "name", "population", "notes"),
                ((*head(), f"QP{1 + n // 1000:03d}{n % 1000:03d}", f"Quartier {n:04d}", rng.randrange(1000, 12000), "")
                 for n in range(1, scale.quartiers + 1)))
        _insert("quartier_commune", ("quartier_id", "commune_id"),
                ((*head(), q, 1 + (q * 7) % scale.communes) for q in range(1, scale.quartiers + 1)))
        say("associations")
        _insert("association", ("name", "acronym", "siret", "siren", "rna", "legal_form", "address", "postcode", "city",
                                "commune_id", "phone", "email", "website", "president", "contact_name", "notes", "active"),
                _associations(scale, rng, head))
        say("actions")
        for year_index in range(scale.years):
            _insert_actions(scale, year_index, rng, head)
        for year in range(scale.first_year, scale.first_year + scale.years):
            _insert("envelope", ("funder_id", "year", "orientation_id", "amount", "label"),
                    ((*head(), f + 1, year, None, rng.randrange(50_000, 200_000) * 100_000, "Synthétique")
                     for f in range(len(FUNDERS))))
        say("totaux")
        db.execute_sql("""
            UPDATE "action" SET
              requested_total = COALESCE((SELECT SUM(requested) FROM funding WHERE action_id = "action".id), 0),
              granted_total = COALESCE((SELECT SUM(granted) FROM funding WHERE action_id = "action".id), 0),
              paid_total = COALESCE((SELECT SUM(paid) FROM funding WHERE action_id = "action".id), 0)
        """)
    db.execute_sql("ANALYZE")


def _associations(scale: Scale, rng: random.Random, head: Callable[[], tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for n in range(1, scale.associations + 1):
        siren = luhn_complete(f"{rng.choice('3457')}{n:07d}")
        commune = 1 + n % scale.communes
        yield (*head(), f"Association {rng.choice(TOPICS)} {n:05d}", "", make_siret(siren, f"{n % 9000 + 1:04d}"), siren,
               f"W{n % 970 + 10:03d}{n:06d}", "Association loi 1901", f"{n % 200 + 1} rue de la République",
               "", f"Commune {commune:04d}", commune, "", "", "", "", "", "", 1)


def _insert_actions(scale: Scale, year_index: int, rng: random.Random, head: Callable[[], tuple[Any, ...]]) -> None:
    per_year = scale.actions // scale.years
    year = scale.first_year + year_index
    first_id = year_index * per_year + 1
    actions, links, fundings = [], [], []
    for k in range(per_year):
        action_id = first_id + k
        cost = rng.randrange(50, 3000) * 10_000
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        previous = action_id - per_year if year_index and rng.random() < 0.3 else None
        actions.append((*head(), f"{year}-N-{k + 1:05d}", f"{rng.choice(WORDS)} {rng.choice(TOPICS)} n° {k + 1}",
                        year, 1 + rng.randrange(len(ORIENTATIONS)), rng.randrange(1, scale.associations + 1),
                        "", "", "", None, None, "", cost, rng.randrange(10, 500), None, "", status, previous, 0, 0, 0))
        for q in rng.sample(range(1, scale.quartiers + 1), rng.choice((1, 1, 2))):
            links.append((*head(), action_id, q, None))
        granted_ok = status in ("accordee", "en_cours", "soldee", "evaluee")
        for funder in rng.sample(range(1, len(FUNDERS) + 1), 3):
            requested = cost * rng.randrange(15, 30) // 100 // 100 * 100
            granted = requested if granted_ok else None
            paid = granted if status in ("soldee", "evaluee") else None
            fundings.append((*head(), action_id, funder, requested, granted, paid, None, ""))
    _insert("action", ("reference", "title", "year", "orientation_id", "porteur_id", "description", "objectives",
                       "public", "start_date", "end_date", "axes", "total_cost", "beneficiaries_planned",
                       "beneficiaries_reached", "indicators", "status", "previous_id", "requested_total",
                       "granted_total", "paid_total"), iter(actions))
    _insert("action_quartier", ("action_id", "quartier_id", "share_bp"), iter(links))
    _insert("funding", ("action_id", "funder_id", "requested", "granted", "paid", "decision_date", "notes"),
            iter(fundings))
