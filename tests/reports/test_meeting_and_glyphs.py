"""The comité's papers, and French names printed without a single missing glyph."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reportlab.pdfbase import pdfmetrics

from cvdesk.domain.money import format_money
from cvdesk.reports.action_sheet import build_action_sheet
from cvdesk.reports.association_sheet import build_association_sheet
from cvdesk.reports.meeting_sheet import build_meeting_sheet
from cvdesk.reports.quartier_sheet import build_quartier_sheet
from cvdesk.reports.styles import FONT, FONT_BOLD, FONT_BOLD_ITALIC, FONT_ITALIC
from cvdesk.services.actions import FundingInput, save_action
from cvdesk.services.associations import save_association
from cvdesk.services.quartiers import save_quartier
from cvdesk.services.reference import save_commune, save_contract, save_funder, save_orientation
from cvdesk.services.report_data import agenda_of_meeting, find_meeting, fundings_of_actions
from cvdesk.store.models import Action

from .pdfcheck import assert_page_numbers, assert_sound_pdf, norm

pytestmark = pytest.mark.both_engines

HARD = "Cœur d’Écaillon « Ça bouge »\u202f! Œuvre Ç’était"


def m(cents: int | None) -> str:
    return "—" if cents is None else norm(format_money(cents))


def test_the_pilotage_record_of_decisions_lists_each_file_with_its_plan(demo_db, tmp_path: Path) -> None:
    meeting = find_meeting("16/04/2015")
    assert meeting is not None and find_meeting("2015-04-16").id == meeting.id
    out = tmp_path / "releve.pdf"
    build_meeting_sheet(meeting.id, out)
    text = " ".join(assert_page_numbers(out))
    assert_sound_pdf(out)
    assert "Relevé de décisions – Comité de pilotage du 16/04/2015" in text
    assert meeting.place in text
    items = agenda_of_meeting(meeting.id)
    assert len(items) == 24
    plans = fundings_of_actions([i.action_id for i in items])
    for number, item in enumerate(items, start=1):
        action = Action.get_by_id(item.action_id)
        assert f"{number}. {action.reference} – {norm(action.title)}" in text
        for line in plans[action.id]:
            assert f"{line.funder} {m(line.requested)} {m(line.granted)} {m(line.paid)}" in text
        assert f"Coût total de l'action {m(action.total_cost)}" in text
    assert text.count("Décision : ") == 24


def test_an_agenda_for_chosen_actions_before_the_meeting(demo_db, tmp_path: Path) -> None:
    chosen = [a.id for a in Action.select().order_by(Action.reference.desc()).limit(3)]
    out = tmp_path / "odj.pdf"
    build_meeting_sheet(chosen, out)
    text = " ".join(assert_page_numbers(out))
    assert "Ordre du jour" in text and "3 dossiers à examiner" in text
    for number, action_id in enumerate(chosen, start=1):
        assert f"{number}. {Action.get_by_id(action_id).reference}" in text


def test_names_with_french_typography_print_with_real_glyphs(empty_db, tmp_path: Path) -> None:
    for face in (FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC):
        cmap = pdfmetrics.getFont(face).face.charToGlyph
        missing = [c for c in HARD + "€àâäéèêëîïôöùûüÿçÀÉÈÊÎÔÙÛÇæÆ–—…\u00a0" if ord(c) not in cmap]
        assert missing == [], (face, missing)

    contract = save_contract({"name": "Contrat de ville « Cœur d’Agglo »\u202f2015", "start_year": 2015,
                              "end_year": 2020}).record
    orientation = save_orientation({"contract": contract.id, "number": 1, "title": "Œuvrer à l’égalité"}).record
    commune = save_commune({"name": "Condé-sur-l’Escaut", "postcode": "59163"}).record
    quartier = save_quartier({"code": "QP059099", "name": HARD, "population": 1234},
                             commune_ids=[commune.id]).record
    porteur = save_association({"name": f"Association {HARD} & <Cie>", "siret": ""}).record
    funder = save_funder({"name": "Région Hauts-de-France", "short_name": "Région"}).record
    action = save_action({"reference": "2015-ÉÇ-001", "title": f"Fête {HARD}", "year": 2015,
                          "orientation": orientation.id, "porteur": porteur.id, "total_cost": 1_234_567,
                          "objectives": "Réussir « ensemble »\u202f; œuvrer."},
                         quartier_ids=[quartier.id],
                         fundings=[FundingInput(funder.id, 1_000_000, 900_000, 0, date(2015, 4, 16))]).record

    for name, build, record in (("q", build_quartier_sheet, quartier.id), ("a", build_action_sheet, action.id),
                                ("s", build_association_sheet, porteur.id)):
        out = tmp_path / f"{name}.pdf"
        build(record, out)
        assert_sound_pdf(out)
        text = " ".join(assert_page_numbers(out))
        assert norm(HARD) in text, (name, text[:400])
        assert "Contrat de ville « Cœur d’Agglo » 2015" in text
        assert "Données de démonstration" not in text
    assert "Association " + norm(HARD) + " & <Cie>" in text  # escaped markup prints as typed
