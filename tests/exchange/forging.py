"""Editing a real package the way a forger (or a broken office) would: members replaced, checksums resealed."""
from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any, Callable


def members(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write(path: Path, files: dict[str, bytes], level: int = 6) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def with_manifest(files: dict[str, bytes], change: Callable[[dict], None]) -> dict[str, bytes]:
    manifest = json.loads(files["manifest.json"])
    change(manifest)
    return {**files, "manifest.json": json.dumps(manifest).encode()}


def resealed(files: dict[str, bytes], name: str, data: bytes) -> dict[str, bytes]:
    """Replace one file and its checksum and count, so that only the content itself is wrong."""
    def reseal(manifest: dict) -> None:
        manifest["files"][name] = {"records": data.count(b"\n"), "sha256": hashlib.sha256(data).hexdigest()}
    return with_manifest({**files, name: data}, reseal)


def rows(files: dict[str, bytes], name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in files[name].decode().splitlines()]


def lines_of(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def edited(files: dict[str, bytes], name: str, change: Callable[[list[dict[str, Any]]], None]) -> dict[str, bytes]:
    """The package with the records of one file changed by change(records), resealed."""
    records = rows(files, name)
    change(records)
    return resealed(files, name, lines_of(records))
