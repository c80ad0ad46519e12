"""How a place name is folded for searching: no accents, no case, no hyphens or apostrophes."""
from __future__ import annotations

import re
import unicodedata

# Ligatures that NFKD leaves whole (« Œuilly », « Cæstre »), spelt out as a user types them.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# Abbreviations people type for the saints in place names.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
# Words of an EPCI's name that say its legal kind or only link words: « CA du Grand Besançon Métropole » and
# « CU Grand Besançon Métropole » are the same EPCI under two kinds, so neither the kind nor « du » counts.
EPCI_NOISE = frozenset({
    "ca", "cc", "cu", "communaute", "communautes", "agglomeration", "urbaine", "communes", "de", "du", "des",
    "d", "la", "le", "les", "l", "et",
})


def words(text: str) -> list[str]:
    """The words of a name, folded: « L'Haÿ-les-Roses » gives l, hay, les, roses."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    # The accents are separate marks after NFKD: dropping what is not ASCII drops them (in C, not a Python loop).
    bare = decomposed.encode("ascii", "ignore").decode("ascii")
    return [_ABBREVIATIONS.get(word, word) for word in _NOT_ALNUM.sub(" ", bare).split()]


def fold(text: str) -> str:
    """A name as one folded string: « Saint-Étienne » and « saint etienne » both give « saint etienne »."""
    return " ".join(words(text))


def epci_words(text: str) -> list[str]:
    """The words that tell an EPCI from another: its kind and the link words left out."""
    return [word for word in words(text) if word not in EPCI_NOISE]


def epci_fold(text: str) -> str:
    return " ".join(epci_words(text))


def index_words(folded_words: list[str]) -> list[tuple[str, int]]:
    """The keys a name is found by, each with 1 when it is the whole name: the name run together from each of its
    words on (« saintetiennedurouvray », « etiennedurouvray », « durouvray », « rouvray »). Words typed in the
    name's order, with or without their hyphens and spaces, are then the start of one key: one range of an index."""
    return sorted({("".join(folded_words[start:]), int(start == 0)) for start in range(len(folded_words))})


def whole_key(folded_words: list[str]) -> str:
    """The key under which a name typed in full is marked whole in the word tables."""
    return "".join(folded_words)
