"""The schema version this program's steps reach and the mark of a cvdesk file, as plain numbers: the window opens
its base and paints before it imports the steps themselves (cvdesk.store.migrations and their frozen SQL); a test
holds them equal to the steps'."""

# The number of the last step of cvdesk.store.migrations.MIGRATIONS: a new step raises it (tests/store check).
LATEST_SCHEMA = 9
# PRAGMA application_id of a cvdesk base (« cvds »); migrations.py takes it from here.
APPLICATION_ID = 0x63766473
