"""The store's error, whose text is a French sentence meant for the user."""


class StoreError(Exception):
    """A database that cannot be opened or changed; str() is one French sentence."""


def describe_write_error(exc: BaseException) -> str:
    """A French sentence for a failed write (full disk, read-only file, lock held, I/O error)."""
    # After SQLITE_FULL, SQLite has already rolled back, and the rollback that follows fails in turn:
    # the cause is further down the chain.
    chain, current = [], exc
    while current is not None and len(chain) < 10:
        chain.append(str(current).lower())
        current = current.__cause__ or current.__context__
    text = " | ".join(chain)
    if "full" in text:
        reason = "le disque est plein"
    elif "readonly" in text or "read-only" in text:
        reason = "le fichier est en lecture seule"
    elif "locked" in text or "busy" in text:
        reason = "la base est occupée par un autre programme"
    elif "i/o" in text or "disk" in text:
        reason = "une erreur d'entrée-sortie est survenue sur le disque"
    else:
        reason = f"la base a refusé l'écriture ({chain[-1]})"
    return f"Enregistrement impossible : {reason} ; rien n'a été modifié."
