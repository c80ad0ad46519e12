"""A coordinator who fills a field up to its cap still gets the sheet: long notes flow across pages, a word with
no space breaks at the margin, and every character typed is in the PDF."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pypdf import PdfReader

from cvdesk.reports.action_sheet import build_action_sheet
from cvdesk.reports.association_sheet import build_association_sheet
from cvdesk.reports.meeting_sheet import build_meeting_sheet
from cvdesk.reports.programme_sheet import build_programme_sheet, programme_scope
from cvdesk.reports.quartier_sheet import build_quartier_sheet
from cvdesk.reports.styles import MARGIN, PAGE_WIDTH
from cvdesk.services.associations import save_association
from cvdesk.services.quartiers import save_quartier
from cvdesk.services.report_data import find_association, find_quartier
from cvdesk.services.validation import MAX_LENGTH
from cvdesk.store.models import (
    Action,
    ActionQuartier,
    Association,
    Commune,
    Funder,
    Funding,
    Meeting,
    MeetingItem,
    Orientation,
    Quartier,
    QuartierCommune,
)

from .pdfcheck import assert_page_numbers, assert_sound_pdf, pages_text

pytestmark = pytest.mark.both_engines

NOTES_CAP = MAX_LENGTH[Quartier]["notes"]
_NUMBERED = re.compile(r"n(\d{5})")


def numbered_words(length: int) -> str:
    """"DEBUT n00000 n00001 … FIN" of exactly length characters: each word says where it was typed."""
    words = []
    size = len("DEBUT FIN")
    number = 0
    while size + 7 <= length:
        words.append(f"n{number:05d}")
        size += 7
        number += 1
    text = "DEBUT " + " ".join(words) + " FIN"
    return text + "." * (length - len(text))


def page_count(path: Path) -> int:
    return len(PdfReader(str(path)).pages)


def assert_all_words_in_order(path: Path, notes: str) -> None:
    text = " ".join(pages_text(path))
    assert text.count("DEBUT") == 1 and text.count("FIN") == 1
    assert text.index("DEBUT") < text.index("FIN")
    assert _NUMBERED.findall(text) == _NUMBERED.findall(notes)  # none lost, none twice, in the order typed


def words_past_the_margin(path: Path) -> list[str]:
    """Words whose box reaches beyond the right margin (pdftotext measures each word on the page)."""
    layout = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    limit = PAGE_WIDTH - MARGIN + 1
    return [word for x_max, word in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<',
                                               layout) if float(x_max) > limit]


def lines_holding(path: Path, word: str) -> int:
    """On how many printed lines the word appears (pdftotext measures each word on the page)."""
    layout = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return len({(page, y) for page, part in enumerate(layout.split("<page ")) for y, found
                in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)"[^>]*>([^<]*)<', part) if found == word})


def test_a_quartier_sheet_prints_notes_at_the_cap_across_pages(demo_db, tmp_path: Path) -> None:
    quartier = find_quartier("QP059001")
    before = tmp_path / "avant.pdf"
    build_quartier_sheet(quartier.id, before)

    notes = numbered_words(NOTES_CAP)
    assert len(notes) == NOTES_CAP
    assert save_quartier({"notes": notes}, quartier.id).ok
    out = tmp_path / "quartier.pdf"
    build_quartier_sheet(quartier.id, out)

    assert_all_words_in_order(out, notes)
    assert page_count(out) >= page_count(before) + 2  # 20,000 characters are some three pages of notes
    assert_page_numbers(out)
    assert_sound_pdf(out)
    assert words_past_the_margin(out) == []


def test_an_association_sheet_prints_notes_at_the_cap_across_pages(demo_db, tmp_path: Path) -> None:
    association = find_association("Centre social Chasse Royale") or Association.select().first()
    before = tmp_path / "avant.pdf"
    build_association_sheet(association.id, before)

    notes = numbered_words(NOTES_CAP)
    assert save_association({"notes": notes}, association.id).ok
    out = tmp_path / "association.pdf"
    build_association_sheet(association.id, out)

    assert_all_words_in_order(out, notes)
    assert page_count(out) >= page_count(before) + 2
    assert_page_numbers(out)
    assert words_past_the_margin(out) == []
    # The sheet goes on after the notes: the actions the association carries are still there.
    assert "Actions portées, par année" in " ".join(pages_text(out))


def test_a_word_of_twenty_thousand_letters_breaks_at_the_margin(demo_db, tmp_path: Path) -> None:
    quartier = find_quartier("QP059001")
    association = Association.select().where(Association.deleted == False).first()  # noqa: E712
    word = "Ж" * NOTES_CAP  # a letter found nowhere else in the demo contract
    assert save_quartier({"notes": word}, quartier.id).ok
    assert save_association({"notes": word}, association.id).ok
    for build, record_id, name in ((build_quartier_sheet, quartier.id, "quartier.pdf"),
                                   (build_association_sheet, association.id, "association.pdf")):
        out = tmp_path / name
        build(record_id, out)
        assert " ".join(pages_text(out)).count("Ж") == NOTES_CAP
        assert page_count(out) >= 3
        assert words_past_the_margin(out) == []


def test_notes_stored_past_the_cap_print_cut_with_a_note_saying_so(demo_db, tmp_path: Path) -> None:
    """Written before the caps existed (or by another program): the sheet prints the first 20,000 characters
    and says how many it left out, in well under the minutes that 50 MB used to take."""
    quartier = find_quartier("QP059001")
    Quartier.update(notes="DEBUT " + "bla " * 250_000 + "FIN").where(Quartier.id == quartier.id).execute()
    out = tmp_path / "quartier.pdf"
    build_quartier_sheet(quartier.id, out)
    text = " ".join(pages_text(out))
    assert "DEBUT" in text and "FIN" not in text
    left_out = 6 + 4 * 250_000 + 3 - NOTES_CAP
    assert f"Texte coupé à l'impression : {left_out:,} caractères de plus".replace(",", " ") in text


def _fill(value_tag: str, cap: int) -> str:
    """A text of exactly cap characters, starting and ending with a tag of its own."""
    head, tail = f"DEB{value_tag} ", f" FIN{value_tag}"
    filler = ("mots " * (cap // 5 + 1))[: cap - len(head) - len(tail)]
    return head + filler + tail


def test_every_user_text_at_its_cap_prints_on_every_sheet(demo_db, tmp_path: Path) -> None:
    """Names, addresses, notes, descriptions, participants, observations…: each at its cap, on the five sheets."""
    item = MeetingItem.select().where(MeetingItem.deleted == False).first()  # noqa: E712
    action = item.action
    link = ActionQuartier.get(ActionQuartier.action == action)
    quartier = link.quartier
    commune = QuartierCommune.get(QuartierCommune.quartier == quartier).commune
    funder = Funding.get(Funding.action == action).funder
    tags: dict[str, str] = {}

    def fill(model, record, *names: str) -> None:
        values = {}
        for name in names:
            tag = f"{len(tags):02d}"
            tags[tag] = f"{model.__name__}.{name}"
            values[name] = _fill(tag, MAX_LENGTH[model][name])
        model.update(values).where(model.id == record.id).execute()

    fill(Quartier, quartier, "name", "notes")
    fill(Commune, commune, "name")
    fill(Association, action.porteur, "name", "acronym", "legal_form", "address", "city", "phone", "email",
         "website", "president", "contact_name", "notes")
    fill(Action, action, "reference", "title", "description", "objectives", "public", "indicators")
    fill(Orientation, action.orientation, "title")
    fill(Funder, funder, "name")
    fill(Meeting, item.meeting, "place", "attendees", "notes")
    fill(MeetingItem, item, "decision", "notes")

    text = ""
    for name, build in (
        ("quartier", lambda out: build_quartier_sheet(quartier.id, out)),
        ("association", lambda out: build_association_sheet(action.porteur_id, out)),
        ("action", lambda out: build_action_sheet(action.id, out)),
        ("meeting", lambda out: build_meeting_sheet(item.meeting_id, out)),
        ("programme", lambda out: build_programme_sheet(programme_scope(action.year, None, None, None), out)),
    ):
        out = tmp_path / f"{name}.pdf"
        build(out)
        assert_page_numbers(out)
        assert words_past_the_margin(out) == [], name
        text += " ".join(pages_text(out))
    missing = [field for tag, field in tags.items() if f"DEB{tag}" not in text or f"FIN{tag}" not in text]
    assert missing == []


def test_names_pasted_with_line_breaks_print_on_one_line(demo_db, tmp_path: Path) -> None:
    """A spreadsheet cell can hold line breaks (Alt+Entrée): a title or a name prints them as spaces, so that no
    table row grows taller than a page."""
    item = MeetingItem.select().where(MeetingItem.deleted == False).first()  # noqa: E712
    action = item.action
    broken = "\n".join(["Atelier"] * 32)  # 255 characters, 31 line breaks
    assert len(broken) == MAX_LENGTH[Action]["title"]
    Action.update(title=broken, reference="2015-\nVM-\n001").where(Action.id == action.id).execute()
    Association.update(name=broken).where(Association.id == action.porteur_id).execute()
    Orientation.update(title="\n".join(["Orientation"] * 83)).where(Orientation.id == action.orientation_id).execute()
    Funder.update(name=broken).where(Funder.id == Funding.get(Funding.action == action).funder_id).execute()
    MeetingItem.update(decision=broken).where(MeetingItem.id == item.id).execute()

    one_line = " ".join(["Atelier"] * 32)
    quartier = ActionQuartier.get(ActionQuartier.action == action).quartier
    for name, build in (
        ("quartier", lambda out: build_quartier_sheet(quartier.id, out)),
        ("association", lambda out: build_association_sheet(action.porteur_id, out)),
        ("action", lambda out: build_action_sheet(action.id, out)),
        ("meeting", lambda out: build_meeting_sheet(item.meeting_id, out)),
        ("programme", lambda out: build_programme_sheet(programme_scope(action.year, None, None, None), out)),
    ):
        out = tmp_path / f"{name}.pdf"
        build(out)
        text = " ".join(pages_text(out))
        assert one_line in text, name
        assert "2015- VM- 001" in text, name
    # On the quartier sheet the title, the porteur and the funder wrap in their columns: a few lines each, not one
    # per line break (3 × 32 lines before).
    assert lines_holding(tmp_path / "quartier.pdf", "Atelier") <= 30
