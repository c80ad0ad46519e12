"""The package's lines read by msgspec straight into rows: the same rows and the same verdicts as the old reading;
the faster checks of a text column refuse what the old ones refused."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.package_format import table_specs
from cvdesk.exchange.package_reader import MemberReader, parse_objects, read_manifest, rows_of, typed_decoder, typed_rows
from cvdesk.domain.storable_text import UNSTORABLE
from cvdesk.exchange.record_checks import _storable, check_records
from tests.exchange.forging import edited, members, write
from tests.exchange.helpers import fingerprint, run_cli

WHERE = "Le paquet p.zip, fichier funding.jsonl"
SPEC = next(s for s in table_specs() if s.table == "funding")
TYPES = {"text": str, "int": int, "bool": bool, "uuid": str, "fk": str, "utc": str, "date": str}
GOOD = {"text": "Subvention", "int": 120000, "bool": False, "uuid": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "fk": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "utc": "2026-03-01T08:00:00.000000Z", "date": "2026-02-28"}


def _record() -> dict[str, Any]:
    return {c.key: GOOD[c.kind] for c in SPEC.columns}


scalars = st.one_of(
    st.none(), st.booleans(), st.text(max_size=6), st.integers(),
    st.integers(min_value=2**63 - 3, max_value=2**64 + 3), st.integers(max_value=-(2**63) + 3, min_value=-(2**63) - 3),
    st.floats(allow_nan=False), st.sampled_from(["2026-02-30", "2026-03-01T08:00:00Z", "0F8FAD5B-D9CB-469F-A165-"
                                                 "70867728950E", "", " ", "\x00"]),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
keys = st.sampled_from([c.key for c in SPEC.columns])


@st.composite
def lines(draw: Any) -> bytes:
    """A funding line as an office writes it, or with some values swapped, keys dropped, added, doubled or moved,
    its text cut, or escapes the encoder never writes."""
    record = _record()
    for _ in range(draw(st.integers(0, 3))):
        record[draw(keys)] = draw(scalars)
    if draw(st.booleans()):
        record.pop(draw(keys), None)
    if draw(st.integers(0, 4)) == 0:
        record[draw(st.sampled_from(["extra", "id", "version"]))] = 1
    items = list(record.items())
    if draw(st.booleans()):
        items = draw(st.permutations(items))
    text = "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in items)
    if draw(st.integers(0, 5)) == 0:  # a key written twice: the last one counts
        key = draw(keys)
        text += f", {json.dumps(key)}: {json.dumps(draw(scalars))}"
    text += "}"
    data = text.encode()
    change = draw(st.integers(0, 8))
    if change == 0:
        data = data[:draw(st.integers(0, len(data)))]
    elif change == 1:
        data = data.replace(b'"Subvention"', draw(st.sampled_from([b'"\\ud800"', b'"\xed\xa0\x80"', b'"a\tb"',
                                                                  b'"\\u00e9"', b'"\\u0053ubvention"', b"NaN"])))
    elif change == 2:
        data = draw(st.sampled_from([b" ", b"\r", b"\xef\xbb\xbf", b"x"])) + data
    return data


def _old(batch: list[bytes]) -> Any:
    """The old reading and checks: orjson (or the standard parser) and rows_of, then check_records, the refusal
    worded from the standard parser's reading (as merge_plan words it)."""
    try:
        rows = rows_of(WHERE, SPEC, 1, parse_objects(WHERE, 1, batch))
        try:
            return rows, check_records(WHERE, SPEC, 1, rows)
        except ExchangeError:
            exact = rows_of(WHERE, SPEC, 1, parse_objects(WHERE, 1, batch, fast=False))
            check_records(WHERE, SPEC, 1, exact)
            raise
    except ExchangeError as exc:
        return "refusé", str(exc)


@settings(max_examples=500, deadline=None)
@given(st.lists(lines(), min_size=1, max_size=4))
def test_a_batch_msgspec_reads_gives_the_old_rows_and_verdict_and_one_it_refuses_is_left_to_the_old_reading(
        batch: list[bytes]) -> None:
    typed = typed_rows(typed_decoder(SPEC), batch)
    if typed is None:
        return  # MemberReader reads the batch the old way: nothing changes
    exact = rows_of(WHERE, SPEC, 1, parse_objects(WHERE, 1, batch, fast=False))
    assert typed == exact
    assert [[type(v) for v in row] for row in typed] == [[type(v) for v in row] for row in exact]
    for row in typed:  # what check_records(typed=True) takes for granted
        for value, column in zip(row, SPEC.columns):
            assert type(value) is TYPES[column.kind] or (value is None and column.null)
    old = _old(batch)
    try:
        new: Any = typed, check_records(WHERE, SPEC, 1, typed, typed=True)
    except ExchangeError:
        try:
            check_records(WHERE, SPEC, 1, exact)
        except ExchangeError as exc:
            new = "refusé", str(exc)
    assert new == old


def test_what_the_old_reading_then_the_checks_refuse_for_its_type_msgspec_leaves_to_it() -> None:
    """A float or true where an integer is due, 0 where a boolean is, a key missing or unknown: typed_rows gives
    None (the old reading words the refusal); an integer beyond 64 bits is read as the integer it is."""
    decode = typed_decoder(SPEC)

    def line(**changes: Any) -> bytes:
        record = {**_record(), **changes}
        return json.dumps({k: v for k, v in record.items() if v != "OTER"}).encode()

    for bad in (line(requested=1.0), line(requested=True), line(deleted=0), line(deleted=None), line(uuid=None),
                line(requested="OTER"), line(**{"extra": 1}), b"[1]", b"", line()[:-1]):
        assert typed_rows(decode, [line(), bad]) is None, bad
    big = typed_rows(decode, [line(requested=2**64)])
    assert big is not None and big[0][SPEC.index("requested")] == 2**64


def test_an_office_package_is_read_by_msgspec_into_the_rows_the_old_reading_gives(good_package: Path) -> None:
    with zipfile.ZipFile(good_package) as archive:
        manifest = read_manifest(archive, good_package)
        read = 0
        for spec in table_specs():
            count, digest = manifest.files[spec.file]
            reader = MemberReader(archive, good_package, spec, count, digest, manifest.optional(spec.table))
            try:
                for first, rows in reader.batches():
                    assert reader.typed, spec.file
                    lines = archive.read(spec.file).splitlines()[first - 1:first - 1 + len(rows)]
                    assert rows == rows_of(reader.where, spec, first, parse_objects(reader.where, first, lines))
                    read += len(rows)
            finally:
                reader.close()
    assert read == sum(count for count, _ in manifest.files.values()) > 0


def test_a_count_given_as_true_is_refused_by_its_line_and_nothing_is_written(good_package: Path, tmp_path: Path,
                                                                            demo_template: Path, capsys) -> None:
    """msgspec refuses the batch (a bool is no int); the old reading names the line and the field as before."""
    package = write(tmp_path / "paquet.zip", edited(members(good_package), "action.jsonl",
                                                    lambda records: records[1].__setitem__("year", True)))
    db = tmp_path / "vide.db"
    code, out, err = run_cli(capsys, "import", "--db", str(db), str(package))
    assert code == 2, out + err
    assert "fichier action.jsonl, ligne 2" in err and "champ « year » : un nombre entier est attendu, pas true" in err
    db2 = tmp_path / "siege.db"
    db2.write_bytes(demo_template.read_bytes())
    before = fingerprint(db2)
    code, out, err = run_cli(capsys, "import", "--db", str(db2), str(package))
    assert code == 2 and "ligne 2" in err and "champ « year »" in err
    assert fingerprint(db2) == before


@settings(max_examples=800, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=8), st.sampled_from(["\x00", "\ud800", "\udfff", "\ud83d\ude00", "é", "😀"])),
                max_size=6).map("".join))
def test_a_text_column_is_storable_exactly_when_no_unstorable_character_is_found_in_it(text: str) -> None:
    assert _storable(text) == (UNSTORABLE.search(text) is None)
