"""The frozen schema steps as plain SQL: what migrations 1 to 9 created (or dropped), written down once and never derived
from today's models (or today's search code) again, so that a change is always a new numbered step (fresh and old
databases alike)."""

# Migration 1: the base schema (16 tables and their indexes), as peewee created it for schema version 1.
BASE_SCHEMA: tuple[str, ...] = (
    'CREATE TABLE "contract" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "name" VARCHAR(255) NOT NULL, "epci_name" VARCHAR(255) NOT NULL, "epci_siren" VARCHAR(255) NOT NULL, "start_year" INTEGER NOT NULL, "end_year" INTEGER NOT NULL, "framework_signed_on" DATE, "signed_on" DATE, "is_demo" INTEGER NOT NULL, "notes" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "contract_uuid" ON "contract" ("uuid")',
    'CREATE INDEX "contract_updated_at" ON "contract" ("updated_at")',
    'CREATE INDEX "contract_deleted" ON "contract" ("deleted")',
    'CREATE TABLE "orientation" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "contract_id" INTEGER NOT NULL, "number" INTEGER NOT NULL, "title" TEXT NOT NULL, "pillar" VARCHAR(255), FOREIGN KEY ("contract_id") REFERENCES "contract" ("id"))',
    'CREATE UNIQUE INDEX "orientation_uuid" ON "orientation" ("uuid")',
    'CREATE INDEX "orientation_updated_at" ON "orientation" ("updated_at")',
    'CREATE INDEX "orientation_deleted" ON "orientation" ("deleted")',
    'CREATE INDEX "orientation_contract_id" ON "orientation" ("contract_id")',
    'CREATE TABLE "commune" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "name" VARCHAR(255) NOT NULL, "insee_code" VARCHAR(255) NOT NULL, "postcode" VARCHAR(255) NOT NULL)',
    'CREATE UNIQUE INDEX "commune_uuid" ON "commune" ("uuid")',
    'CREATE INDEX "commune_updated_at" ON "commune" ("updated_at")',
    'CREATE INDEX "commune_deleted" ON "commune" ("deleted")',
    'CREATE INDEX "commune_name" ON "commune" ("name")',
    'CREATE TABLE "association" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "name" VARCHAR(255) NOT NULL, "acronym" VARCHAR(255) NOT NULL, "siret" VARCHAR(255) NOT NULL, "siren" VARCHAR(255) NOT NULL, "rna" VARCHAR(255) NOT NULL, "legal_form" VARCHAR(255) NOT NULL, "address" TEXT NOT NULL, "postcode" VARCHAR(255) NOT NULL, "city" VARCHAR(255) NOT NULL, "commune_id" INTEGER, "phone" VARCHAR(255) NOT NULL, "email" VARCHAR(255) NOT NULL, "website" VARCHAR(255) NOT NULL, "president" VARCHAR(255) NOT NULL, "contact_name" VARCHAR(255) NOT NULL, "notes" TEXT NOT NULL, "active" INTEGER NOT NULL, FOREIGN KEY ("commune_id") REFERENCES "commune" ("id"))',
    'CREATE UNIQUE INDEX "association_uuid" ON "association" ("uuid")',
    'CREATE INDEX "association_updated_at" ON "association" ("updated_at")',
    'CREATE INDEX "association_deleted" ON "association" ("deleted")',
    'CREATE INDEX "association_name" ON "association" ("name")',
    'CREATE INDEX "association_siret" ON "association" ("siret")',
    'CREATE INDEX "association_commune_id" ON "association" ("commune_id")',
    'CREATE TABLE "action" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "reference" VARCHAR(255) NOT NULL, "title" VARCHAR(255) NOT NULL, "year" INTEGER NOT NULL, "orientation_id" INTEGER, "porteur_id" INTEGER, "description" TEXT NOT NULL, "objectives" TEXT NOT NULL, "public" TEXT NOT NULL, "start_date" DATE, "end_date" DATE, "axes" VARCHAR(255) NOT NULL, "total_cost" INTEGER NOT NULL, "beneficiaries_planned" INTEGER, "beneficiaries_reached" INTEGER, "indicators" TEXT NOT NULL, "status" VARCHAR(255) NOT NULL, "previous_id" INTEGER, "requested_total" INTEGER NOT NULL, "granted_total" INTEGER NOT NULL, "paid_total" INTEGER NOT NULL, FOREIGN KEY ("orientation_id") REFERENCES "orientation" ("id"), FOREIGN KEY ("porteur_id") REFERENCES "association" ("id"), FOREIGN KEY ("previous_id") REFERENCES "action" ("id"))',
    'CREATE UNIQUE INDEX "action_uuid" ON "action" ("uuid")',
    'CREATE INDEX "action_updated_at" ON "action" ("updated_at")',
    'CREATE INDEX "action_deleted" ON "action" ("deleted")',
    'CREATE INDEX "action_reference" ON "action" ("reference")',
    'CREATE INDEX "action_orientation_id" ON "action" ("orientation_id")',
    'CREATE INDEX "action_porteur_id" ON "action" ("porteur_id")',
    'CREATE INDEX "action_status" ON "action" ("status")',
    'CREATE INDEX "action_previous_id" ON "action" ("previous_id")',
    'CREATE INDEX "action_year_orientation_id" ON "action" ("year", "orientation_id")',
    'CREATE INDEX "action_year_status" ON "action" ("year", "status")',
    'CREATE INDEX "action_year_total_cost" ON "action" ("year", "total_cost")',
    'CREATE INDEX "action_total_cost" ON "action" ("total_cost")',
    'CREATE INDEX "action_granted_total" ON "action" ("granted_total")',
    'CREATE INDEX "action_title" ON "action" ("title")',
    'CREATE TABLE "quartier" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "code" VARCHAR(255) NOT NULL, "name" VARCHAR(255) NOT NULL, "population" INTEGER NOT NULL, "notes" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "quartier_uuid" ON "quartier" ("uuid")',
    'CREATE INDEX "quartier_updated_at" ON "quartier" ("updated_at")',
    'CREATE INDEX "quartier_deleted" ON "quartier" ("deleted")',
    'CREATE INDEX "quartier_code" ON "quartier" ("code")',
    'CREATE INDEX "quartier_name" ON "quartier" ("name")',
    'CREATE TABLE "action_quartier" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "action_id" INTEGER NOT NULL, "quartier_id" INTEGER NOT NULL, "share_bp" INTEGER, FOREIGN KEY ("action_id") REFERENCES "action" ("id"), FOREIGN KEY ("quartier_id") REFERENCES "quartier" ("id"))',
    'CREATE UNIQUE INDEX "action_quartier_uuid" ON "action_quartier" ("uuid")',
    'CREATE INDEX "action_quartier_updated_at" ON "action_quartier" ("updated_at")',
    'CREATE INDEX "action_quartier_deleted" ON "action_quartier" ("deleted")',
    'CREATE INDEX "action_quartier_action_id" ON "action_quartier" ("action_id")',
    'CREATE INDEX "action_quartier_quartier_id" ON "action_quartier" ("quartier_id")',
    'CREATE INDEX "action_quartier_action_id_quartier_id" ON "action_quartier" ("action_id", "quartier_id")',
    'CREATE TABLE "funder" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "name" VARCHAR(255) NOT NULL, "short_name" VARCHAR(255) NOT NULL, "kind" VARCHAR(255) NOT NULL, "position" INTEGER NOT NULL)',
    'CREATE UNIQUE INDEX "funder_uuid" ON "funder" ("uuid")',
    'CREATE INDEX "funder_updated_at" ON "funder" ("updated_at")',
    'CREATE INDEX "funder_deleted" ON "funder" ("deleted")',
    'CREATE TABLE "envelope" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "funder_id" INTEGER NOT NULL, "year" INTEGER NOT NULL, "orientation_id" INTEGER, "amount" INTEGER NOT NULL, "label" VARCHAR(255) NOT NULL, FOREIGN KEY ("funder_id") REFERENCES "funder" ("id"), FOREIGN KEY ("orientation_id") REFERENCES "orientation" ("id"))',
    'CREATE UNIQUE INDEX "envelope_uuid" ON "envelope" ("uuid")',
    'CREATE INDEX "envelope_updated_at" ON "envelope" ("updated_at")',
    'CREATE INDEX "envelope_deleted" ON "envelope" ("deleted")',
    'CREATE INDEX "envelope_funder_id" ON "envelope" ("funder_id")',
    'CREATE INDEX "envelope_orientation_id" ON "envelope" ("orientation_id")',
    'CREATE INDEX "envelope_funder_id_year" ON "envelope" ("funder_id", "year")',
    'CREATE TABLE "funding" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "action_id" INTEGER NOT NULL, "funder_id" INTEGER NOT NULL, "requested" INTEGER NOT NULL, "granted" INTEGER, "paid" INTEGER, "decision_date" DATE, "notes" TEXT NOT NULL, FOREIGN KEY ("action_id") REFERENCES "action" ("id"), FOREIGN KEY ("funder_id") REFERENCES "funder" ("id"))',
    'CREATE UNIQUE INDEX "funding_uuid" ON "funding" ("uuid")',
    'CREATE INDEX "funding_updated_at" ON "funding" ("updated_at")',
    'CREATE INDEX "funding_deleted" ON "funding" ("deleted")',
    'CREATE INDEX "funding_action_id" ON "funding" ("action_id")',
    'CREATE INDEX "funding_funder_id" ON "funding" ("funder_id")',
    'CREATE INDEX "funding_action_id_funder_id" ON "funding" ("action_id", "funder_id")',
    'CREATE TABLE "history" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "record_type" VARCHAR(255) NOT NULL, "record_uuid" VARCHAR(36) NOT NULL, "operation" VARCHAR(255) NOT NULL, "os_user" VARCHAR(255) NOT NULL, "changes" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "history_uuid" ON "history" ("uuid")',
    'CREATE INDEX "history_updated_at" ON "history" ("updated_at")',
    'CREATE INDEX "history_deleted" ON "history" ("deleted")',
    'CREATE INDEX "history_record_uuid" ON "history" ("record_uuid")',
    'CREATE TABLE "meeting" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "kind" VARCHAR(255) NOT NULL, "date" DATE NOT NULL, "place" VARCHAR(255) NOT NULL, "attendees" TEXT NOT NULL, "notes" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "meeting_uuid" ON "meeting" ("uuid")',
    'CREATE INDEX "meeting_updated_at" ON "meeting" ("updated_at")',
    'CREATE INDEX "meeting_deleted" ON "meeting" ("deleted")',
    'CREATE TABLE "meeting_item" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "meeting_id" INTEGER NOT NULL, "action_id" INTEGER NOT NULL, "position" INTEGER NOT NULL, "decision" VARCHAR(255) NOT NULL, "notes" TEXT NOT NULL, FOREIGN KEY ("meeting_id") REFERENCES "meeting" ("id"), FOREIGN KEY ("action_id") REFERENCES "action" ("id"))',
    'CREATE UNIQUE INDEX "meeting_item_uuid" ON "meeting_item" ("uuid")',
    'CREATE INDEX "meeting_item_updated_at" ON "meeting_item" ("updated_at")',
    'CREATE INDEX "meeting_item_deleted" ON "meeting_item" ("deleted")',
    'CREATE INDEX "meeting_item_meeting_id" ON "meeting_item" ("meeting_id")',
    'CREATE INDEX "meeting_item_action_id" ON "meeting_item" ("action_id")',
    'CREATE TABLE "quartier_commune" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "quartier_id" INTEGER NOT NULL, "commune_id" INTEGER NOT NULL, FOREIGN KEY ("quartier_id") REFERENCES "quartier" ("id"), FOREIGN KEY ("commune_id") REFERENCES "commune" ("id"))',
    'CREATE UNIQUE INDEX "quartier_commune_uuid" ON "quartier_commune" ("uuid")',
    'CREATE INDEX "quartier_commune_updated_at" ON "quartier_commune" ("updated_at")',
    'CREATE INDEX "quartier_commune_deleted" ON "quartier_commune" ("deleted")',
    'CREATE INDEX "quartier_commune_quartier_id" ON "quartier_commune" ("quartier_id")',
    'CREATE INDEX "quartier_commune_commune_id" ON "quartier_commune" ("commune_id")',
    'CREATE INDEX "quartier_commune_quartier_id_commune_id" ON "quartier_commune" ("quartier_id", "commune_id")',
    'CREATE TABLE "quartier_indicator" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "quartier_id" INTEGER NOT NULL, "kind" VARCHAR(255) NOT NULL, "value" INTEGER NOT NULL, "source_year" INTEGER, FOREIGN KEY ("quartier_id") REFERENCES "quartier" ("id"))',
    'CREATE UNIQUE INDEX "quartier_indicator_uuid" ON "quartier_indicator" ("uuid")',
    'CREATE INDEX "quartier_indicator_updated_at" ON "quartier_indicator" ("updated_at")',
    'CREATE INDEX "quartier_indicator_deleted" ON "quartier_indicator" ("deleted")',
    'CREATE INDEX "quartier_indicator_quartier_id" ON "quartier_indicator" ("quartier_id")',
    'CREATE INDEX "quartier_indicator_quartier_id_kind" ON "quartier_indicator" ("quartier_id", "kind")',
    'CREATE TABLE "setting" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)',
    'CREATE TABLE "signatory" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "created_at" VARCHAR(27) NOT NULL, "updated_at" VARCHAR(27) NOT NULL, "office" VARCHAR(255) NOT NULL, "deleted" INTEGER NOT NULL, "contract_id" INTEGER NOT NULL, "name" VARCHAR(255) NOT NULL, "represented_by" VARCHAR(255) NOT NULL, "position" INTEGER NOT NULL, FOREIGN KEY ("contract_id") REFERENCES "contract" ("id"))',
    'CREATE UNIQUE INDEX "signatory_uuid" ON "signatory" ("uuid")',
    'CREATE INDEX "signatory_updated_at" ON "signatory" ("updated_at")',
    'CREATE INDEX "signatory_deleted" ON "signatory" ("deleted")',
    'CREATE INDEX "signatory_contract_id" ON "signatory" ("contract_id")',
)

# Migration 2: the memory of exchanges with other offices.
EXCHANGE_SCHEMA: tuple[str, ...] = (
    'CREATE TABLE "exchange_conflict" ("id" INTEGER NOT NULL PRIMARY KEY, "record_type" VARCHAR(255) NOT NULL, "record_uuid" VARCHAR(36) NOT NULL, "from_office" VARCHAR(255) NOT NULL, "package_exported_at" VARCHAR(27) NOT NULL, "incoming_updated_at" VARCHAR(27) NOT NULL, "local_updated_at" VARCHAR(27) NOT NULL, "incoming" TEXT NOT NULL, "detected_at" VARCHAR(27) NOT NULL, "resolution" VARCHAR(255) NOT NULL)',
    'CREATE INDEX "exchange_conflict_record_uuid" ON "exchange_conflict" ("record_uuid")',
    'CREATE TABLE "exchange_peer" ("office" VARCHAR(255) NOT NULL PRIMARY KEY, "last_received_at" VARCHAR(27) NOT NULL, "imported_at" VARCHAR(27) NOT NULL)',
)

# Migration 3: the trigram index of actions (reference, title, porteur's name) and the triggers keeping it, as the
# program of schema 3 created and filled it.
SEARCH_SCHEMA_V3: tuple[str, ...] = (
    "CREATE VIRTUAL TABLE action_search USING fts5(reference, title, porteur, tokenize = 'trigram')",
    'CREATE TRIGGER action_search_insert AFTER INSERT ON "action" BEGIN\n          INSERT INTO action_search(rowid, reference, title, porteur)\n          VALUES (new.id, new.reference, new.title, (SELECT name FROM association WHERE id = new.porteur_id));\n        END',
    'CREATE TRIGGER action_search_update AFTER UPDATE OF reference, title, porteur_id ON "action" BEGIN\n          DELETE FROM action_search WHERE rowid = old.id;\n          INSERT INTO action_search(rowid, reference, title, porteur)\n          VALUES (new.id, new.reference, new.title, (SELECT name FROM association WHERE id = new.porteur_id));\n        END',
    'CREATE TRIGGER action_search_delete AFTER DELETE ON "action" BEGIN\n          DELETE FROM action_search WHERE rowid = old.id;\n        END',
    'CREATE TRIGGER action_search_porteur AFTER UPDATE OF name ON association BEGIN\n          DELETE FROM action_search WHERE rowid IN (SELECT id FROM "action" WHERE porteur_id = new.id);\n          INSERT INTO action_search(rowid, reference, title, porteur)\n          SELECT id, reference, title, new.name FROM "action" WHERE porteur_id = new.id;\n        END',
    'DELETE FROM action_search',
    'INSERT INTO action_search(rowid, reference, title, porteur)\n            SELECT a.id, a.reference, a.title, p.name FROM "action" a LEFT JOIN association p ON p.id = a.porteur_id',
)

# Migration 4: each search index holds its live records' searched fields as one text with accents folded (text_fold's
# table as it was then, applied by nested replace() in a view, in stages short enough for SQLite's parser): actions by
# reference, title, porteur's name, description and objectives; associations (new) by name, acronym, SIRET and RNA.
# Triggers copy each written record from its view, so that any SQLite tool keeps the indexes right, and a tombstoned
# record leaves its index.
SEARCH_SCHEMA_V4: tuple[str, ...] = (
    'DROP TRIGGER action_search_insert',
    'DROP TRIGGER action_search_update',
    'DROP TRIGGER action_search_delete',
    'DROP TRIGGER action_search_porteur',
    'DROP TABLE action_search',
    """CREATE VIEW action_search_source AS
WITH fold1 AS (
  SELECT a.id AS id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(a.reference || char(10) || a.title || char(10) || COALESCE(p.name, '') || char(10) || a.description || char(10) || a.objectives, 'à', 'a'), 'â', 'a'), 'ä', 'a'), 'á', 'a'), 'ã', 'a'), 'å', 'a'), 'ç', 'c'), 'é', 'e'), 'è', 'e'), 'ê', 'e'), 'ë', 'e'), 'í', 'i'), 'ì', 'i'), 'î', 'i'), 'ï', 'i'), 'ñ', 'n'), 'ó', 'o') AS text
  FROM "action" a LEFT JOIN association p ON p.id = a.porteur_id
  WHERE a.deleted = 0),
fold2 AS (
  SELECT id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(text, 'ò', 'o'), 'ô', 'o'), 'ö', 'o'), 'õ', 'o'), 'ú', 'u'), 'ù', 'u'), 'û', 'u'), 'ü', 'u'), 'ý', 'y'), 'ÿ', 'y'), 'œ', 'oe'), 'æ', 'ae'), 'À', 'A'), 'Â', 'A'), 'Ä', 'A'), 'Á', 'A'), 'Ã', 'A') AS text
  FROM fold1),
fold3 AS (
  SELECT id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(text, 'Å', 'A'), 'Ç', 'C'), 'É', 'E'), 'È', 'E'), 'Ê', 'E'), 'Ë', 'E'), 'Í', 'I'), 'Ì', 'I'), 'Î', 'I'), 'Ï', 'I'), 'Ñ', 'N'), 'Ó', 'O'), 'Ò', 'O'), 'Ô', 'O'), 'Ö', 'O'), 'Õ', 'O'), 'Ú', 'U') AS text
  FROM fold2),
fold4 AS (
  SELECT id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(text, 'Ù', 'U'), 'Û', 'U'), 'Ü', 'U'), 'Ý', 'Y'), 'Ÿ', 'Y'), 'Œ', 'OE'), 'Æ', 'AE'), char(768), ''), char(769), ''), char(770), ''), char(771), ''), char(776), ''), char(778), ''), char(807), '') AS text
  FROM fold3)
SELECT id, text FROM fold4""",
    "CREATE VIRTUAL TABLE action_search USING fts5(text, tokenize = 'trigram')",
    """CREATE TRIGGER action_search_insert AFTER INSERT ON "action" BEGIN
  INSERT INTO action_search(rowid, text) SELECT id, text FROM action_search_source WHERE id = new.id;
END""",
    """CREATE TRIGGER action_search_update AFTER UPDATE OF reference, title, porteur_id, description, objectives, deleted ON "action" BEGIN
  DELETE FROM action_search WHERE rowid = old.id;
  INSERT INTO action_search(rowid, text) SELECT id, text FROM action_search_source WHERE id = new.id;
END""",
    """CREATE TRIGGER action_search_delete AFTER DELETE ON "action" BEGIN
  DELETE FROM action_search WHERE rowid = old.id;
END""",
    """CREATE TRIGGER action_search_porteur AFTER UPDATE OF name ON association BEGIN
  DELETE FROM action_search WHERE rowid IN (SELECT id FROM "action" WHERE porteur_id = new.id);
  INSERT INTO action_search(rowid, text) SELECT id, text FROM action_search_source WHERE id IN (SELECT id FROM "action" WHERE porteur_id = new.id);
END""",
    "INSERT INTO action_search(rowid, text) SELECT id, text FROM action_search_source",
    """CREATE VIEW association_search_source AS
WITH fold1 AS (
  SELECT a.id AS id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(a.name || char(10) || a.acronym || char(10) || a.siret || char(10) || a.rna, 'à', 'a'), 'â', 'a'), 'ä', 'a'), 'á', 'a'), 'ã', 'a'), 'å', 'a'), 'ç', 'c'), 'é', 'e'), 'è', 'e'), 'ê', 'e'), 'ë', 'e'), 'í', 'i'), 'ì', 'i'), 'î', 'i'), 'ï', 'i'), 'ñ', 'n'), 'ó', 'o') AS text
  FROM association a
  WHERE a.deleted = 0),
fold2 AS (
  SELECT id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(text, 'ò', 'o'), 'ô', 'o'), 'ö', 'o'), 'õ', 'o'), 'ú', 'u'), 'ù', 'u'), 'û', 'u'), 'ü', 'u'), 'ý', 'y'), 'ÿ', 'y'), 'œ', 'oe'), 'æ', 'ae'), 'À', 'A'), 'Â', 'A'), 'Ä', 'A'), 'Á', 'A'), 'Ã', 'A') AS text
  FROM fold1),
fold3 AS (
  SELECT id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(text, 'Å', 'A'), 'Ç', 'C'), 'É', 'E'), 'È', 'E'), 'Ê', 'E'), 'Ë', 'E'), 'Í', 'I'), 'Ì', 'I'), 'Î', 'I'), 'Ï', 'I'), 'Ñ', 'N'), 'Ó', 'O'), 'Ò', 'O'), 'Ô', 'O'), 'Ö', 'O'), 'Õ', 'O'), 'Ú', 'U') AS text
  FROM fold2),
fold4 AS (
  SELECT id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(text, 'Ù', 'U'), 'Û', 'U'), 'Ü', 'U'), 'Ý', 'Y'), 'Ÿ', 'Y'), 'Œ', 'OE'), 'Æ', 'AE'), char(768), ''), char(769), ''), char(770), ''), char(771), ''), char(776), ''), char(778), ''), char(807), '') AS text
  FROM fold3)
SELECT id, text FROM fold4""",
    "CREATE VIRTUAL TABLE association_search USING fts5(text, tokenize = 'trigram')",
    """CREATE TRIGGER association_search_insert AFTER INSERT ON association BEGIN
  INSERT INTO association_search(rowid, text) SELECT id, text FROM association_search_source WHERE id = new.id;
END""",
    """CREATE TRIGGER association_search_update AFTER UPDATE OF name, acronym, siret, rna, deleted ON association BEGIN
  DELETE FROM association_search WHERE rowid = old.id;
  INSERT INTO association_search(rowid, text) SELECT id, text FROM association_search_source WHERE id = new.id;
END""",
    """CREATE TRIGGER association_search_delete AFTER DELETE ON association BEGIN
  DELETE FROM association_search WHERE rowid = old.id;
END""",
    "INSERT INTO association_search(rowid, text) SELECT id, text FROM association_search_source",
    # The first page of a search in the default order (by reference) read in index order, stopping at its 200th
    # match, instead of every match's row fetched and sorted (national, with descriptions: 43 ms -> 12 ms).
    'CREATE INDEX "action_deleted_reference" ON "action" ("deleted", "reference")',
)

# Migration 5 (issue 12): what the official reference gives a commune (département, SIREN, population municipale) and a
# funder (SIREN, and the SIRET the SCDL export names as idAttribuant), and which reference a contract was set up from.
# NOT NULL text columns need their DEFAULT '' so that rows already there get it; the population stays NULL when unknown.
REFERENCE_COLUMNS_V5: tuple[str, ...] = (
    'ALTER TABLE "commune" ADD COLUMN "departement" VARCHAR(255) NOT NULL DEFAULT \'\'',
    'ALTER TABLE "commune" ADD COLUMN "siren" VARCHAR(255) NOT NULL DEFAULT \'\'',
    'ALTER TABLE "commune" ADD COLUMN "population" INTEGER',
    'ALTER TABLE "funder" ADD COLUMN "siren" VARCHAR(255) NOT NULL DEFAULT \'\'',
    'ALTER TABLE "funder" ADD COLUMN "siret" VARCHAR(255) NOT NULL DEFAULT \'\'',
    'ALTER TABLE "contract" ADD COLUMN "reference_source" VARCHAR(255) NOT NULL DEFAULT \'\'',
)

# Migration 6 (issue 13): a meeting's title and whether it is open or closed (closing applied its decisions); an
# agenda item's decision as a code, the amounts per funder (JSON, funder UUID -> cents) of a partial grant, and what
# the closing changed (JSON, each value as [before, after]) so that reopening the meeting restores it exactly.
MEETING_COLUMNS_V6: tuple[str, ...] = (
    'ALTER TABLE "meeting" ADD COLUMN "title" VARCHAR(255) NOT NULL DEFAULT \'\'',
    'ALTER TABLE "meeting" ADD COLUMN "status" VARCHAR(255) NOT NULL DEFAULT \'open\'',
    'ALTER TABLE "meeting_item" ADD COLUMN "outcome" VARCHAR(255) NOT NULL DEFAULT \'\'',
    'ALTER TABLE "meeting_item" ADD COLUMN "amounts" TEXT NOT NULL DEFAULT \'\'',
    'ALTER TABLE "meeting_item" ADD COLUMN "applied" TEXT NOT NULL DEFAULT \'\'',
)

# Migration 7 (issue 11, start-up): the dashboard's money sums of a year kept with the stamp of the data they were read
# from (services/figure_cache.py): by funder and orientation (sums), by quartier apart (quartier_sums: 1,600 rows on a
# national base, read after the first paint). The stamp holds figure_generation, which these triggers bump when a row
# the sums read is deleted or one of its read columns changes value, and the largest id of action, funding and
# action_quartier, which an insert raises. No INSERT trigger: any INSERT trigger on a table, even one whose WHEN is
# always false, costs each row inserted one by one about 8 µs (measured: 300,000 plan lines inserted as a merge does,
# + 2 to 2.6 s). Names, populations and envelopes are read live beside the kept sums: no trigger watches them.
FIGURE_CACHE_V7: tuple[str, ...] = (
    'CREATE TABLE "figure_generation" ("id" INTEGER NOT NULL PRIMARY KEY CHECK ("id" = 1), '
    '"generation" INTEGER NOT NULL)',
    'INSERT INTO "figure_generation" ("id", "generation") VALUES (1, 0)',
    # Every column the dashboard's counts (lists.count_each over a year) and its sums by orientation read of the year's
    # actions: read from this index alone, not from the rows with their texts (national, a fresh process: the counts'
    # query about 98 -> 48 ms at load 6, on the way to the first paint).
    'CREATE INDEX "action_year_figures" ON "action" ("year", "deleted", "status", "orientation_id", "total_cost", '
    '"requested_total", "granted_total", "paid_total", "porteur_id", "end_date")',
    'CREATE TABLE "year_figure_cache" ("year" INTEGER NOT NULL PRIMARY KEY, "stamp" TEXT NOT NULL, '
    '"sums" TEXT NOT NULL, "quartier_sums" TEXT NOT NULL)',
    """CREATE TRIGGER figures_action_update AFTER UPDATE OF id, year, deleted, orientation_id, total_cost ON "action"
  WHEN old.id IS NOT new.id OR old.year IS NOT new.year OR old.deleted IS NOT new.deleted
    OR old.orientation_id IS NOT new.orientation_id OR old.total_cost IS NOT new.total_cost
BEGIN
  UPDATE figure_generation SET generation = generation + 1;
END""",
    """CREATE TRIGGER figures_action_delete AFTER DELETE ON "action" BEGIN
  UPDATE figure_generation SET generation = generation + 1;
END""",
    """CREATE TRIGGER figures_funding_update AFTER UPDATE OF id, action_id, funder_id, requested, granted, paid, deleted
  ON funding
  WHEN old.id IS NOT new.id OR old.action_id IS NOT new.action_id OR old.funder_id IS NOT new.funder_id
    OR old.requested IS NOT new.requested OR old.granted IS NOT new.granted OR old.paid IS NOT new.paid
    OR old.deleted IS NOT new.deleted
BEGIN
  UPDATE figure_generation SET generation = generation + 1;
END""",
    """CREATE TRIGGER figures_funding_delete AFTER DELETE ON funding BEGIN
  UPDATE figure_generation SET generation = generation + 1;
END""",
    """CREATE TRIGGER figures_action_quartier_update AFTER UPDATE OF id, action_id, quartier_id, deleted ON action_quartier
  WHEN old.id IS NOT new.id OR old.action_id IS NOT new.action_id OR old.quartier_id IS NOT new.quartier_id
    OR old.deleted IS NOT new.deleted
BEGIN
  UPDATE figure_generation SET generation = generation + 1;
END""",
    """CREATE TRIGGER figures_action_quartier_delete AFTER DELETE ON action_quartier BEGIN
  UPDATE figure_generation SET generation = generation + 1;
END""",
    """CREATE TRIGGER figures_quartier_update AFTER UPDATE OF id, deleted ON quartier
  WHEN old.id IS NOT new.id OR old.deleted IS NOT new.deleted
BEGIN
  UPDATE figure_generation SET generation = generation + 1;
END""",
    """CREATE TRIGGER figures_quartier_delete AFTER DELETE ON quartier BEGIN
  UPDATE figure_generation SET generation = generation + 1;
END""",
)

# Migration 8 (issue 15, several people at once): each record's version, 1 when written first and raised by each save
# (services/records.py's UPDATE … WHERE version = ? refuses a save made over another's). Local bookkeeping only: it
# never goes into an exchange package or an SCDL file. The same SQL on SQLite and PostgreSQL (a constant DEFAULT: no
# table rewritten on either).
VERSION_COLUMNS_V8: tuple[str, ...] = (
    'ALTER TABLE "contract" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "signatory" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "orientation" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "commune" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "quartier" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "quartier_commune" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "quartier_indicator" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "association" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "action" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "action_quartier" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "funder" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "funding" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "envelope" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "meeting" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "meeting_item" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "history" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
)

# Migration 9 (issues 11 and 14): the indexes no query of cvdesk reads, which every bulk write (a merge, a spreadsheet
# import, a copy) rebuilt for nothing (national base: 0.86 s of processor to build them). No query filters or sorts on
# updated_at (a merge compares it row by row, found by uuid). A deletion mark alone selects nearly a whole table: its
# index is kept only where a query finds the deleted rows themselves (association: the « sans porteur » selection and
# the check; quartier: the check of live links of a deleted quartier), and on action, whose live rows it walks in id
# order (the list of plan lines sorted by title: 0.36 s with it, 2.0 to 2.7 s without, SQLite's planner then walking
# the titles' index), though action_deleted_reference begins with the same column. A one-column index that begins a
# two-column one serves no lookup the other cannot (action_quartier_action_id, quartier_commune_quartier_id,
# quartier_indicator_quartier_id, envelope_funder_id): foreign keys' checks on either engine use the longer one. Not
# funding_action_id: PostgreSQL's planner reads it (the check's plan lines counted twice went from a merge join on it,
# 1.30 s, to hash joins, 1.74 s, without it). The proof, query by query (EXPLAIN QUERY PLAN and EXPLAIN on the
# national base, each changed plan timed; PostgreSQL's index scans counted), is in benchmarks/results.md. The same SQL
# on SQLite and PostgreSQL (IF EXISTS: a base whose index someone already dropped by hand still climbs).
UNREAD_INDEXES_V9: tuple[str, ...] = (
    'DROP INDEX IF EXISTS "contract_updated_at"',
    'DROP INDEX IF EXISTS "signatory_updated_at"',
    'DROP INDEX IF EXISTS "orientation_updated_at"',
    'DROP INDEX IF EXISTS "commune_updated_at"',
    'DROP INDEX IF EXISTS "quartier_updated_at"',
    'DROP INDEX IF EXISTS "quartier_commune_updated_at"',
    'DROP INDEX IF EXISTS "quartier_indicator_updated_at"',
    'DROP INDEX IF EXISTS "association_updated_at"',
    'DROP INDEX IF EXISTS "action_updated_at"',
    'DROP INDEX IF EXISTS "action_quartier_updated_at"',
    'DROP INDEX IF EXISTS "funder_updated_at"',
    'DROP INDEX IF EXISTS "funding_updated_at"',
    'DROP INDEX IF EXISTS "envelope_updated_at"',
    'DROP INDEX IF EXISTS "meeting_updated_at"',
    'DROP INDEX IF EXISTS "meeting_item_updated_at"',
    'DROP INDEX IF EXISTS "history_updated_at"',
    'DROP INDEX IF EXISTS "contract_deleted"',
    'DROP INDEX IF EXISTS "signatory_deleted"',
    'DROP INDEX IF EXISTS "orientation_deleted"',
    'DROP INDEX IF EXISTS "commune_deleted"',
    'DROP INDEX IF EXISTS "quartier_commune_deleted"',
    'DROP INDEX IF EXISTS "quartier_indicator_deleted"',
    'DROP INDEX IF EXISTS "action_quartier_deleted"',
    'DROP INDEX IF EXISTS "funder_deleted"',
    'DROP INDEX IF EXISTS "funding_deleted"',
    'DROP INDEX IF EXISTS "envelope_deleted"',
    'DROP INDEX IF EXISTS "meeting_deleted"',
    'DROP INDEX IF EXISTS "meeting_item_deleted"',
    'DROP INDEX IF EXISTS "history_deleted"',
    'DROP INDEX IF EXISTS "action_quartier_action_id"',
    'DROP INDEX IF EXISTS "quartier_commune_quartier_id"',
    'DROP INDEX IF EXISTS "quartier_indicator_quartier_id"',
    'DROP INDEX IF EXISTS "envelope_funder_id"',
)
