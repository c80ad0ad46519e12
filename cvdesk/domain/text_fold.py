"""Folding accented letters to plain ones (« Santé » → « Sante », « cœur » → « coeur ») so that a search finds a
word however its accents were typed: one table, applied the same way in Python (to the typed words, here) and in SQL
(to the stored text, by the nested replace() that store/search_index.py generates from FOLDS)."""
from __future__ import annotations

# The French letters and their Latin neighbours that people type or paste, by the plain letters they fold to.
# Case is kept (É → E): SQLite's LIKE and the trigram index already ignore the case of plain letters.
_ACCENTED_BY_PLAIN: tuple[tuple[str, str], ...] = (
    ("a", "àâäáãå"),
    ("c", "ç"),
    ("e", "éèêë"),
    ("i", "íìîï"),
    ("n", "ñ"),
    ("o", "óòôöõ"),
    ("u", "úùûü"),
    ("y", "ýÿ"),
    ("oe", "œ"),
    ("ae", "æ"),
)
# Decomposed text (a letter followed by its accent, as some systems and PDFs write it) loses the accent alone:
# grave, acute, circumflex, tilde, diaeresis, ring above, cedilla.
_COMBINING_MARKS = "\u0300\u0301\u0302\u0303\u0308\u030a\u0327"

FOLDS: tuple[tuple[str, str], ...] = (
    *((accented, plain) for plain, letters in _ACCENTED_BY_PLAIN for accented in letters),
    *((accented.upper(), plain.upper()) for plain, letters in _ACCENTED_BY_PLAIN for accented in letters),
    *((mark, "") for mark in _COMBINING_MARKS),
)

_TABLE = str.maketrans(dict(FOLDS))


def fold(text: str) -> str:
    """The text with every letter of FOLDS replaced by its plain form (everything else unchanged)."""
    return text.translate(_TABLE)

