"""The exchange package's ZIP, now written by cvdesk.exchange.zip_stream: any unzip must read it as before."""
from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from cvdesk.exchange.zip_stream import ZipStream


def test_an_office_package_opens_in_zipfile_with_every_file_whole_and_as_the_manifest_says(
        good_package: Path) -> None:
    with zipfile.ZipFile(good_package) as archive:
        assert archive.testzip() is None  # every member's CRC checked
        manifest = json.loads(archive.read("manifest.json"))
        for name, entry in manifest["files"].items():
            data = archive.read(name)
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert data.count(b"\n") == entry["records"]
            assert archive.getinfo(name).compress_type == zipfile.ZIP_DEFLATED
        assert manifest["files"]["action.jsonl"]["records"] > 0


@pytest.mark.skipif(shutil.which("unzip") is None, reason="Info-ZIP unzip is not installed")
def test_info_zip_unzip_finds_no_error_in_the_package(good_package: Path) -> None:
    done = subprocess.run(["unzip", "-t", str(good_package)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No errors detected" in done.stdout


def test_members_written_in_pieces_read_back_as_written_names_accents_and_empty_ones_included() -> None:
    text = ("Atelier d'écriture ; santé\n" * 5000).encode("utf-8")
    buffer = io.BytesIO()
    archive = ZipStream(buffer)
    with archive.member("actions.jsonl") as member:
        for start in range(0, len(text), 4096):
            member.write(text[start:start + 4096])
    archive.write_member("vide.jsonl", b"")
    archive.write_member("résumé.txt", "déjà".encode("utf-8"))
    archive.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as read:
        assert read.namelist() == ["actions.jsonl", "vide.jsonl", "résumé.txt"]
        assert read.read("actions.jsonl") == text
        assert read.read("vide.jsonl") == b""
        assert read.read("résumé.txt").decode("utf-8") == "déjà"
        assert read.getinfo("actions.jsonl").compress_size < len(text) // 20  # compressed, not stored


def test_more_members_than_a_plain_zip_counts_take_the_zip64_end_records() -> None:
    buffer = io.BytesIO()
    archive = ZipStream(buffer)
    count = 0xFFFF + 10
    for n in range(count):
        archive.write_member(f"m{n}.txt", str(n).encode())
    archive.close()
    data = buffer.getvalue()
    assert b"PK\x06\x06" in data[-200:]  # the ZIP64 end of central directory
    with zipfile.ZipFile(io.BytesIO(data)) as read:
        names = read.namelist()
        assert len(names) == count
        assert read.read(f"m{count - 1}.txt") == str(count - 1).encode()


def test_a_second_member_cannot_start_before_the_first_is_closed() -> None:
    archive = ZipStream(io.BytesIO())
    member = archive.member("a.txt")
    member.write(b"a")
    with pytest.raises(ValueError):
        archive.member("b.txt")
    with pytest.raises(ValueError):
        archive.close()
