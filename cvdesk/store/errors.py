"""The store's error, whose text is a French sentence meant for the user."""


class StoreError(Exception):
    """A database that cannot be opened or changed; str() is one French sentence."""
