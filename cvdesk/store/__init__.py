"""Storage: peewee models over SQLite, opening, schema versions and migrations."""
