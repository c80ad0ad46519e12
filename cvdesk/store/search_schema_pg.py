"""The PostgreSQL SQL of schema steps 3, 4 and 7 (search indexes and the dashboard's figure cache), frozen as
frozen_schema.py's SQLite steps are: what these steps create on a PostgreSQL base, written down once, never derived
from today's code again.

The search is pg_trgm's: each index is a plain table (id, text) holding the same folded text as SQLite's FTS5 index
(the same nested replace() of text_fold's table as it was at step 4, in a function here), kept by PL/pgSQL triggers
and searched with ILIKE through a GIN trigram index (search_index.search_condition). The unaccent extension is not
used: its rules fold more letters than ours (ß, ł, ø…), and both engines must find the same records."""
from __future__ import annotations

import re
from typing import Any

from cvdesk.store.errors import StoreError

# Step 3 (SQLite: the first FTS5 index of actions, which step 4 drops): no PostgreSQL base was ever at schema 3, so
# the step only brings the trigram extension the search needs (a trusted extension since PostgreSQL 13: the base's
# owner may create it; the server needs the postgresql-contrib package).
SEARCH_SCHEMA_PG_V3: tuple[str, ...] = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
)

# Step 4: text_fold's table of step 4 (FOLDS, 65 letters) as one immutable SQL function, inlined by the planner.
_FOLD_V4 = """CREATE FUNCTION cvdesk_fold(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
  replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
  replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
  replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
  replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(value
  , 'à', 'a'), 'â', 'a'), 'ä', 'a'), 'á', 'a'), 'ã', 'a'), 'å', 'a'), 'ç', 'c'), 'é', 'e'), 'è', 'e')
  , 'ê', 'e'), 'ë', 'e'), 'í', 'i'), 'ì', 'i'), 'î', 'i'), 'ï', 'i'), 'ñ', 'n'), 'ó', 'o'), 'ò', 'o')
  , 'ô', 'o'), 'ö', 'o'), 'õ', 'o'), 'ú', 'u'), 'ù', 'u'), 'û', 'u'), 'ü', 'u'), 'ý', 'y'), 'ÿ', 'y')
  , 'œ', 'oe'), 'æ', 'ae'), 'À', 'A'), 'Â', 'A'), 'Ä', 'A'), 'Á', 'A'), 'Ã', 'A'), 'Å', 'A'), 'Ç', 'C')
  , 'É', 'E'), 'È', 'E'), 'Ê', 'E'), 'Ë', 'E'), 'Í', 'I'), 'Ì', 'I'), 'Î', 'I'), 'Ï', 'I'), 'Ñ', 'N')
  , 'Ó', 'O'), 'Ò', 'O'), 'Ô', 'O'), 'Ö', 'O'), 'Õ', 'O'), 'Ú', 'U'), 'Ù', 'U'), 'Û', 'U'), 'Ü', 'U')
  , 'Ý', 'Y'), 'Ÿ', 'Y'), 'Œ', 'OE'), 'Æ', 'AE')
  , chr(768), ''), chr(769), ''), chr(770), ''), chr(771), ''), chr(776), ''), chr(778), ''), chr(807), '')
$$"""

# Step 4: the two indexes as SQLite's step 4 made them (same names, same folded text of live records, fields joined
# by line breaks), the triggers rewriting a record's row when a searched field changes value or it is tombstoned.
# The WHEN clauses spare an unchanged save (or a porteur's save keeping its name) rewriting its rows in the GIN index:
# the rows written are those SQLite's triggers write. cvdesk_folded_fields is the fold the smaller lists apply in
# their queries (registered from Python on SQLite, which PostgreSQL cannot do).
SEARCH_SCHEMA_PG_V4: tuple[str, ...] = (
    _FOLD_V4,
    """CREATE FUNCTION cvdesk_folded_fields(VARIADIC fields text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$SELECT cvdesk_fold(array_to_string(fields, chr(10)))$$""",
    """CREATE VIEW action_search_source AS
SELECT a.id AS id, cvdesk_fold(a.reference || chr(10) || a.title || chr(10) || COALESCE(p.name, '') || chr(10)
  || a.description || chr(10) || a.objectives) AS text
FROM "action" a LEFT JOIN association p ON p.id = a.porteur_id
WHERE a.deleted = 0""",
    'CREATE TABLE action_search ("id" INTEGER NOT NULL PRIMARY KEY, "text" TEXT)',
    'CREATE INDEX action_search_text ON action_search USING gin ("text" gin_trgm_ops)',
    """CREATE FUNCTION action_search_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO action_search(id, text)
  SELECT a.id, cvdesk_fold(a.reference || chr(10) || a.title || chr(10) || COALESCE(p.name, '') || chr(10)
    || a.description || chr(10) || a.objectives)
  FROM added a LEFT JOIN association p ON p.id = a.porteur_id
  WHERE a.deleted = 0;
  RETURN NULL;
END
$$""",
    """CREATE TRIGGER action_search_insert AFTER INSERT ON "action" REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION action_search_added()""",
    """CREATE FUNCTION action_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM action_search WHERE id = OLD.id;
  INSERT INTO action_search(id, text) SELECT id, text FROM action_search_source WHERE id = NEW.id;
  RETURN NULL;
END
$$""",
    """CREATE TRIGGER action_search_update AFTER UPDATE OF reference, title, porteur_id, description, objectives, deleted
  ON "action" FOR EACH ROW
  WHEN (OLD.reference IS DISTINCT FROM NEW.reference OR OLD.title IS DISTINCT FROM NEW.title
    OR OLD.porteur_id IS DISTINCT FROM NEW.porteur_id OR OLD.description IS DISTINCT FROM NEW.description
    OR OLD.objectives IS DISTINCT FROM NEW.objectives OR OLD.deleted IS DISTINCT FROM NEW.deleted)
  EXECUTE FUNCTION action_search_changed()""",
    """CREATE FUNCTION action_search_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM action_search WHERE id IN (SELECT id FROM removed);
  RETURN NULL;
END
$$""",
    """CREATE TRIGGER action_search_delete AFTER DELETE ON "action" REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION action_search_removed()""",
    """CREATE FUNCTION action_search_porteur() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM action_search WHERE id IN (SELECT id FROM "action" WHERE porteur_id = NEW.id);
  INSERT INTO action_search(id, text) SELECT id, text FROM action_search_source
    WHERE id IN (SELECT id FROM "action" WHERE porteur_id = NEW.id);
  RETURN NULL;
END
$$""",
    """CREATE TRIGGER action_search_porteur AFTER UPDATE OF name ON association FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION action_search_porteur()""",
    "INSERT INTO action_search(id, text) SELECT id, text FROM action_search_source",
    """CREATE VIEW association_search_source AS
SELECT a.id AS id, cvdesk_fold(a.name || chr(10) || a.acronym || chr(10) || a.siret || chr(10) || a.rna) AS text
FROM association a
WHERE a.deleted = 0""",
    'CREATE TABLE association_search ("id" INTEGER NOT NULL PRIMARY KEY, "text" TEXT)',
    'CREATE INDEX association_search_text ON association_search USING gin ("text" gin_trgm_ops)',
    """CREATE FUNCTION association_search_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO association_search(id, text)
  SELECT a.id, cvdesk_fold(a.name || chr(10) || a.acronym || chr(10) || a.siret || chr(10) || a.rna)
  FROM added a
  WHERE a.deleted = 0;
  RETURN NULL;
END
$$""",
    """CREATE TRIGGER association_search_insert AFTER INSERT ON association REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION association_search_added()""",
    """CREATE FUNCTION association_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM association_search WHERE id = OLD.id;
  INSERT INTO association_search(id, text) SELECT id, text FROM association_search_source WHERE id = NEW.id;
  RETURN NULL;
END
$$""",
    """CREATE TRIGGER association_search_update AFTER UPDATE OF name, acronym, siret, rna, deleted ON association
  FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.acronym IS DISTINCT FROM NEW.acronym
    OR OLD.siret IS DISTINCT FROM NEW.siret OR OLD.rna IS DISTINCT FROM NEW.rna
    OR OLD.deleted IS DISTINCT FROM NEW.deleted)
  EXECUTE FUNCTION association_search_changed()""",
    """CREATE FUNCTION association_search_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM association_search WHERE id IN (SELECT id FROM removed);
  RETURN NULL;
END
$$""",
    """CREATE TRIGGER association_search_delete AFTER DELETE ON association REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION association_search_removed()""",
    "INSERT INTO association_search(id, text) SELECT id, text FROM association_search_source",
    'CREATE INDEX "action_deleted_reference" ON "action" ("deleted", "reference")',
)

# Step 7: the figure cache's tables and index as on SQLite; the generation bumped by PL/pgSQL triggers. Differences,
# all for several people writing one base at once:
# - The generation is bumped at the commit of a transaction that changed what the sums read, once (a deferred
#   trigger on a one-row-per-transaction table): its row is locked only for the instant of the commit, so that two
#   coordinators' saves (or a save during an hour-long merge) never wait for each other on it. Bumping it at each
#   row, as SQLite does, would also leave a chain of versions PostgreSQL walks at each update (measured: 5,000 bumps
#   in one transaction 0.37 s, 20,000 bumps 7.1 s). Sums kept within the transaction are stale at its commit.
# - Inserts count too: ids come from sequences, and two sessions may commit their inserts out of id order, so the
#   largest id (SQLite's only sign of an insert) can miss a row committed later below it. Inserts and deletions are
#   watched once per statement (a COPY of thousands of rows calls the function once), through the rows the statement
#   wrote, so that a statement writing none changes nothing.
# - TRUNCATE (which SQLite lacks) counts as a deletion.
FIGURE_CACHE_PG_V7: tuple[str, ...] = (
    'CREATE TABLE "figure_generation" ("id" INTEGER NOT NULL PRIMARY KEY CHECK ("id" = 1), '
    '"generation" INTEGER NOT NULL)',
    'INSERT INTO "figure_generation" ("id", "generation") VALUES (1, 0)',
    'CREATE INDEX "action_year_figures" ON "action" ("year", "deleted", "status", "orientation_id", "total_cost", '
    '"requested_total", "granted_total", "paid_total", "porteur_id", "end_date")',
    'CREATE TABLE "year_figure_cache" ("year" INTEGER NOT NULL PRIMARY KEY, "stamp" TEXT NOT NULL, '
    '"sums" TEXT NOT NULL, "quartier_sums" TEXT NOT NULL)',
    # A row here: this transaction changed what the sums read (the flag spares a second row); gone at its commit.
    'CREATE TABLE "figure_change" ("noted" INTEGER NOT NULL)',
    """CREATE FUNCTION figures_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('cvdesk.figures_changed', true) IS DISTINCT FROM 'on' THEN
    INSERT INTO figure_change (noted) VALUES (1);
    PERFORM set_config('cvdesk.figures_changed', 'on', true);
  END IF;
  RETURN NULL;
END
$$""",
    """CREATE FUNCTION figures_changed_if_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('cvdesk.figures_changed', true) IS DISTINCT FROM 'on' AND EXISTS (SELECT 1 FROM written) THEN
    INSERT INTO figure_change (noted) VALUES (1);
    PERFORM set_config('cvdesk.figures_changed', 'on', true);
  END IF;
  RETURN NULL;
END
$$""",
    """CREATE FUNCTION figures_bump_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE figure_generation SET generation = generation + 1;
  DELETE FROM figure_change;
  RETURN NULL;
END
$$""",
    """CREATE CONSTRAINT TRIGGER figures_bump_at_commit AFTER INSERT ON figure_change
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION figures_bump_at_commit()""",
    """CREATE TRIGGER figures_action_update AFTER UPDATE OF id, year, deleted, orientation_id, total_cost ON "action"
  FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.year IS DISTINCT FROM NEW.year OR OLD.deleted IS DISTINCT FROM NEW.deleted
    OR OLD.orientation_id IS DISTINCT FROM NEW.orientation_id OR OLD.total_cost IS DISTINCT FROM NEW.total_cost)
  EXECUTE FUNCTION figures_changed()""",
    """CREATE TRIGGER figures_funding_update AFTER UPDATE OF id, action_id, funder_id, requested, granted, paid, deleted
  ON funding FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.action_id IS DISTINCT FROM NEW.action_id
    OR OLD.funder_id IS DISTINCT FROM NEW.funder_id OR OLD.requested IS DISTINCT FROM NEW.requested
    OR OLD.granted IS DISTINCT FROM NEW.granted OR OLD.paid IS DISTINCT FROM NEW.paid
    OR OLD.deleted IS DISTINCT FROM NEW.deleted)
  EXECUTE FUNCTION figures_changed()""",
    """CREATE TRIGGER figures_action_quartier_update AFTER UPDATE OF id, action_id, quartier_id, deleted
  ON action_quartier FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.action_id IS DISTINCT FROM NEW.action_id
    OR OLD.quartier_id IS DISTINCT FROM NEW.quartier_id OR OLD.deleted IS DISTINCT FROM NEW.deleted)
  EXECUTE FUNCTION figures_changed()""",
    """CREATE TRIGGER figures_quartier_update AFTER UPDATE OF id, deleted ON quartier FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.deleted IS DISTINCT FROM NEW.deleted)
  EXECUTE FUNCTION figures_changed()""",
    """CREATE TRIGGER figures_action_insert AFTER INSERT ON "action" REFERENCING NEW TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_if_rows()""",
    """CREATE TRIGGER figures_funding_insert AFTER INSERT ON funding REFERENCING NEW TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_if_rows()""",
    """CREATE TRIGGER figures_action_quartier_insert AFTER INSERT ON action_quartier REFERENCING NEW TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_if_rows()""",
    """CREATE TRIGGER figures_action_delete AFTER DELETE ON "action" REFERENCING OLD TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_if_rows()""",
    """CREATE TRIGGER figures_funding_delete AFTER DELETE ON funding REFERENCING OLD TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_if_rows()""",
    """CREATE TRIGGER figures_action_quartier_delete AFTER DELETE ON action_quartier REFERENCING OLD TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_if_rows()""",
    """CREATE TRIGGER figures_quartier_delete AFTER DELETE ON quartier REFERENCING OLD TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_if_rows()""",
    'CREATE TRIGGER figures_action_truncate AFTER TRUNCATE ON "action" FOR EACH STATEMENT '
    "EXECUTE FUNCTION figures_changed()",
    "CREATE TRIGGER figures_funding_truncate AFTER TRUNCATE ON funding FOR EACH STATEMENT "
    "EXECUTE FUNCTION figures_changed()",
    "CREATE TRIGGER figures_action_quartier_truncate AFTER TRUNCATE ON action_quartier FOR EACH STATEMENT "
    "EXECUTE FUNCTION figures_changed()",
    "CREATE TRIGGER figures_quartier_truncate AFTER TRUNCATE ON quartier FOR EACH STATEMENT "
    "EXECUTE FUNCTION figures_changed()",
)


def create_trigram_extension(database: Any, migrator: Any) -> None:
    """Step 3 on PostgreSQL: the extension, or one French sentence saying why it cannot be had (the whole opening
    then stops there, the base unchanged)."""
    if database.execute_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone() is None:
        if database.execute_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").fetchone() is None:
            raise StoreError("Le serveur PostgreSQL n'a pas l'extension pg_trgm dont la recherche de cvdesk a besoin : "
                             "installez-y le paquet postgresql-contrib, puis ouvrez la base à nouveau.")
        if not database.execute_sql("SELECT has_database_privilege(current_database(), 'CREATE')").fetchone()[0]:
            raise StoreError("Le rôle PostgreSQL ne peut pas ajouter l'extension pg_trgm à cette base : demandez à son "
                             "propriétaire d'y lancer « CREATE EXTENSION pg_trgm », puis ouvrez-la à nouveau.")
    for statement in SEARCH_SCHEMA_PG_V3:
        database.execute_sql(statement)


def _fold_pairs(function_sql: str) -> tuple[tuple[str, str], ...]:
    """The (letter, plain form) pairs of a fold function's nested replace() calls, in the order they apply."""
    body = function_sql.split("$$")[1]
    return tuple((letter or chr(int(code)), plain)
                 for letter, code, plain in re.findall(r", (?:'([^']*)'|chr\((\d+)\)), '([^']*)'\)", body))


def view_folds_as_python(conn: Any, view: str) -> bool:
    """Whether this base's search view (step 4's action_search_source or association_search_source) and its fold
    function are exactly what step 4 created, folding by text_fold's table as it is today: then the view's text of
    a record is its fields joined by line breaks and folded in Python (merge_write.bulk_fold), several times faster
    than the server's 65 nested replace() calls. Checked on the base itself: the function's source against step 4's,
    the view's definition against that of step 4's statement made again as a temporary view (dropped at once)."""
    from cvdesk.domain.text_fold import FOLDS

    if _fold_pairs(_FOLD_V4) != tuple(FOLDS):
        return False
    found = conn.execute("SELECT prosrc FROM pg_proc WHERE oid = to_regprocedure('cvdesk_fold(text)')").fetchone()
    if found is None or found[0] != _FOLD_V4.split("$$")[1]:
        return False
    created = f"CREATE VIEW {view} AS"
    frozen = next((sql for sql in SEARCH_SCHEMA_PG_V4 if sql.startswith(created)), None)
    if frozen is None or conn.execute("SELECT to_regclass(?)", (view,)).fetchone()[0] is None:
        return False
    conn.execute(frozen.replace(created, "CREATE TEMPORARY VIEW cvdesk_step4_view AS", 1))
    try:
        return bool(conn.execute("SELECT pg_get_viewdef(to_regclass(?)) = pg_get_viewdef('cvdesk_step4_view'::regclass)",
                                 (view,)).fetchone()[0])
    finally:
        conn.execute("DROP VIEW cvdesk_step4_view")
