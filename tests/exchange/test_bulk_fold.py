"""The merge folds the accents of the records it fills the search indexes with as the searches fold typed words.

An empty base's search indexes are filled at the end of the merge by merge_write.bulk_fold, a faster way to apply
the fold table: if it folded any text differently, a word typed in the search field would miss records it names.
"""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from cvdesk.domain.text_fold import FOLDS, fold
from cvdesk.exchange.merge_write import bulk_fold, index_rows

LETTERS = "".join(accented for accented, _ in FOLDS) + "aeiouAEOcnœŒ \n'-0123456789"


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.text(alphabet=LETTERS, max_size=60), st.text(max_size=60)))
def test_a_record_s_text_is_folded_as_the_search_folds_typed_words(text: str) -> None:
    assert bulk_fold(text) == fold(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=LETTERS, max_size=80), st.text(max_size=80)), min_size=20, max_size=60))
def test_a_long_text_a_batch_joins_is_folded_as_the_search_folds_it(parts: list[str]) -> None:
    """Past a thousand characters bulk_fold finds the letters to replace another way: the same text."""
    text = "\x00".join(parts) * 3
    assert bulk_fold(text) == fold(text)


def test_a_coordinator_s_sentence_is_folded_letter_by_letter() -> None:
    assert bulk_fold("Santé, cœur de quartier : « Élan » à Noël") == "Sante, coeur de quartier : « Elan » a Noel"
    assert bulk_fold("Cafe\u0301 plain ASCII stays") == "Cafe plain ASCII stays"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 10**6), st.lists(st.one_of(st.none(), st.text(alphabet=LETTERS + "\x00"),
                                                                     st.text()), min_size=1, max_size=4)),
                max_size=8))
def test_a_batch_of_records_is_indexed_with_each_record_s_own_folded_text(records) -> None:
    """Folding a whole batch at once gives each record the text its fields give alone, None when one is None."""
    rows = [(record_id, *fields) for record_id, fields in records]
    assert index_rows(rows) == [(row[0], None if None in row[1:] else fold("\n".join(row[1:]))) for row in rows]
