"""The package's lines are parsed by orjson: it must accept, read and refuse them as the standard library did."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.package_reader import parse_objects
from tests.exchange.forging import edited, members, write
from tests.exchange.helpers import fingerprint, run_cli

WHERE = "Le paquet p.zip, fichier action.jsonl"
PLAIN = (str, int, bool, type(None))

scalars = st.one_of(
    st.text(), st.booleans(), st.none(),
    st.integers(), st.integers(min_value=2**63 - 5, max_value=2**64 + 5), st.integers(min_value=-(2**63) - 5,
                                                                                     max_value=-(2**63) + 5),
    st.floats(allow_nan=True, allow_infinity=True))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner,
                                                                                          max_size=3), max_leaves=6)
# Lines as an office writes them, or with their text cut, doubled, or made of escapes the encoder never writes.
lines = st.one_of(
    st.dictionaries(st.text(max_size=8), values, max_size=5).map(lambda o: json.dumps(o).encode()),
    st.dictionaries(st.text(max_size=8), values, max_size=5).map(
        lambda o: json.dumps(o, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    st.tuples(st.dictionaries(st.text(max_size=5), values, max_size=3), st.integers(0, 40)).map(
        lambda pair: json.dumps(pair[0]).encode()[:pair[1]]),
    st.sampled_from([b'{"a": "\\ud800"}', b'{"a": NaN}', b'{"a": 1e400}', b'{"a": 1' + b"0" * 30 + b"}",
                     b'{"a": 1' + b"0" * 5000 + b"}", b'{"a": 1, "a": 2}', b'{"a": "x\ty"}', b"[1]", b"1, 2",
                     b'{"a": "\xed\xa0\x80"}', b"", b" "]),
)


def _outcome(batch: list[bytes], fast: bool) -> Any:
    try:
        return parse_objects(WHERE, 7, batch, fast=fast)
    except ExchangeError as exc:
        return ("refusé", str(exc))


def _plain(objects: Any) -> bool:
    return isinstance(objects, list) and all(
        type(o) is dict and all(type(v) in PLAIN for v in o.values()) for o in objects)


def _passable(objects: Any) -> bool:
    """Whether the checks could let these values through: plain, and every integer within 64 bits."""
    return _plain(objects) and all(type(v) is not int or -(2**63) <= v < 2**63 for o in objects for v in o.values())


@settings(max_examples=400, deadline=None)
@given(st.lists(lines, min_size=1, max_size=6))
def test_a_batch_reads_as_the_standard_parser_reads_it_or_cannot_pass_the_checks(batch: list[bytes]) -> None:
    exact = _outcome(batch, fast=False)
    fast = _outcome(batch, fast=True)
    if isinstance(fast, tuple):  # refused by both, in the same words
        assert fast == exact
    elif _plain(fast):  # what the checks may let through: read exactly as before, types included
        assert exact == fast
        assert [[type(v) for v in o.values()] for o in exact] == [[type(v) for v in o.values()] for o in fast]
    else:  # a float, a list or an object as a value: the checks refuse it, and refuse the standard reading too
        assert isinstance(exact, tuple) or not _passable(exact)


@pytest.mark.parametrize("value", [2**64, 10**30], ids=["2^64", "10^30"])
def test_a_cost_beyond_64_bits_is_refused_in_the_words_of_the_standard_parser(value: int, good_package: Path,
                                                                              demo_template: Path, tmp_path: Path,
                                                                              capsys) -> None:
    """orjson reads these as floats; the refusal still names the number, as the standard library read it."""
    files = members(good_package)
    package = write(tmp_path / "paquet.zip",
                    edited(files, "action.jsonl", lambda records: records[2].__setitem__("total_cost", value)))
    db = tmp_path / "siege.db"
    db.write_bytes(demo_template.read_bytes())
    before = fingerprint(db)
    code, out, err = run_cli(capsys, "import", "--db", str(db), str(package))
    assert code == 2, out + err
    assert "fichier action.jsonl, ligne 3" in err and "champ « total_cost »" in err
    assert f"le nombre {str(value)[:30]} dépasse ce qu'un entier de 64 bits peut tenir" in err
    assert fingerprint(db) == before
