"""A package member inflated by ISA-L reads as zipfile reads it: the same bytes, or a refusal where zipfile refuses."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvdesk.exchange.zip_member import InflatedMember, open_member

CHUNK = 1000


def _read_all(stream) -> bytes | str:
    try:
        parts = []
        while chunk := stream.read(CHUNK):
            assert len(chunk) <= CHUNK
            parts.append(chunk)
        return b"".join(parts)
    except Exception:
        return "refusé"
    finally:
        stream.close()


def _outcome(path: Path, name: str, ours: bool) -> bytes | str:
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_all(open_member(archive, name) if ours else archive.open(name))
    except Exception:
        return "refusé"


contents = st.one_of(st.binary(max_size=3000), st.text(max_size=400).map(lambda t: (t * 7).encode()),
                     st.sampled_from([b"", b"x" * 100_000, b'{"a": 1}\n' * 3000]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=contents, level=st.integers(0, 9), damage=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)),
                                                               max_size=3))
def test_a_member_damaged_or_not_reads_as_zipfile_reads_it(data: bytes, level: int, damage: list[tuple[float, int]],
                                                           tmp_path_factory) -> None:
    path = tmp_path_factory.mktemp("z") / "p.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("manifest.json", b"{}")
        archive.writestr("action.jsonl", data)
    raw = bytearray(buffer.getvalue())
    for position, value in damage:
        raw[min(int(position * len(raw)), len(raw) - 1)] = value
    path.write_bytes(bytes(raw))
    ours, theirs = _outcome(path, "action.jsonl", True), _outcome(path, "action.jsonl", False)
    assert ours == theirs
    if not damage:
        assert ours == data


def test_an_office_package_s_members_are_inflated_by_isal_into_zipfile_s_bytes(good_package: Path) -> None:
    with zipfile.ZipFile(good_package) as archive:
        for name in archive.namelist():
            stream = open_member(archive, name)
            assert isinstance(stream, InflatedMember)
            assert _read_all(stream) == archive.read(name)


def test_a_member_longer_than_its_declared_size_is_cut_there_and_refused_by_its_crc(tmp_path: Path) -> None:
    """A forged central directory declaring fewer bytes than the member holds (a bomb's trick): zipfile stops at the
    declared size and the CRC fails; so does the ISA-L reading, never inflating past that size."""
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("action.jsonl", b"0123456789" * 10_000)
    raw = bytearray(path.read_bytes())
    central = raw.rindex(b"PK\x01\x02")
    raw[central + 24:central + 28] = (1000).to_bytes(4, "little")  # the uncompressed size it declares
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as archive:
        stream = open_member(archive, "action.jsonl")
        assert stream.read(600) == b"0123456789" * 60
        try:
            stream.read(10_000)
        except zipfile.BadZipFile:
            pass
        else:
            raise AssertionError("the CRC of the cut member should fail")
        finally:
            stream.close()
    assert _outcome(path, "action.jsonl", False) == "refusé"
