"""Reading a written sheet back: its text (spaces normalised), its fonts, and qpdf's verdict."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from pypdf import PdfReader

_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def norm(text: str) -> str:
    """Every kind of space (no-break, narrow no-break, line break) as one plain space."""
    return _SPACES.sub(" ", text).strip()


def pages_text(path: Path) -> list[str]:
    return [norm(page.extract_text() or "") for page in PdfReader(str(path)).pages]


def all_text(path: Path) -> str:
    return " ".join(pages_text(path))


def fonts(path: Path) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) for every font pdffonts lists."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type [type2] encoding emb sub uni object ID: read emb from the right.
        rows.append((parts[0], parts[-5]))
    return rows


def assert_sound_pdf(path: Path) -> None:
    """Only embedded fonts, and qpdf finds nothing wrong with the file's structure."""
    listed = fonts(path)
    assert listed, "aucune police"
    assert all(emb == "yes" for _, emb in listed), listed
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


def assert_page_numbers(path: Path) -> list[str]:
    pages = pages_text(path)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} / {len(pages)}" in text, (number, text[-200:])
    return pages
