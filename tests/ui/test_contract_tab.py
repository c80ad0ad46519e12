"""A coordinator keeps the contract's reference records in the « Contrat » tab: the contract and its signatories,
orientations, communes picked from the official reference, funders, and envelopes with their consumption."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from cvdesk.domain.money import format_money
from cvdesk.store.models import db

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
REFERENCE = Path(__file__).parents[2] / "resources" / "reference" / "territoire.sqlite"



@pytest.fixture
def contract(window, qtbot):
    """The « Contrat » tab of the window on the demo, shown by its shortcut."""
    qtbot.waitUntil(window.isActiveWindow)  # the shortcut reaches an active window only
    qtbot.keyClick(window, Qt.Key.Key_4, CTRL)
    tab = window.current_tab()
    assert tab.kind == "contract" and window.tabs.tabText(window.tabs.currentIndex()) == "&Contrat"
    return tab


@pytest.fixture
def blank_contract(empty_db, open_window, qtbot):
    """The « Contrat » tab of a window on an empty base (no contract, no commune yet)."""
    win = open_window()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.keyClick(win, Qt.Key.Key_4, CTRL)
    return win.current_tab()


def one(sql: str, *params) -> tuple:
    return db.execute_sql(sql, params).fetchone()


def rows_of(tab) -> list[str]:
    tab.model.ensure_complete()
    return [tab.model.index(r, 0).data() for r in range(tab.model.rowCount())]


def select_by_first_column(tab, text: str) -> None:
    tab.model.ensure_complete()
    row = next(r for r in range(tab.model.rowCount()) if tab.model.index(r, 0).data() == text)
    tab.view.selectRow(row)


def history_text(panel) -> str:
    return "\n".join(" | ".join(row) for row in panel.rows())


# -- the contract and its signatories ----------------------------------------------------------------------------

def test_the_contract_is_renamed_and_a_signatory_added_moved_and_removed(contract, qtbot, type_text) -> None:
    page = contract.show_section("contract")
    contract_id = one("SELECT id FROM contract WHERE deleted = 0")[0]
    before = [name for (name,) in db.execute_sql(
        "SELECT name FROM signatory WHERE contract_id = ? AND deleted = 0 ORDER BY position, id", (contract_id,))]
    assert [line.name for line in page.signatory_lines()] == before

    page.name_edit.selectAll()
    type_text(page.name_edit, "Contrat de ville de Valenciennes Métropole 2015–2022")
    qtbot.mouseClick(page.add_button, LEFT)
    editor = QApplication.focusWidget()
    assert page.signatories.viewport().isAncestorOf(editor)
    type_text(editor, "CAF du Nord")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.mouseClick(page.up_button, LEFT)  # the CAF before the last of the four
    page.signatories.setCurrentCell(0, 0)
    page.signatories.setFocus()
    qtbot.keyClick(page.signatories, Qt.Key.Key_Delete)  # Suppr in the list: L'État goes (not the contract)
    assert page.is_dirty()
    qtbot.mouseClick(page.save_button, LEFT)

    assert page.error_label.isHidden(), page.error_label.text()
    assert one("SELECT name FROM contract WHERE id = ?", contract_id)[0] == (
        "Contrat de ville de Valenciennes Métropole 2015–2022")
    live = [name for (name,) in db.execute_sql(
        "SELECT name FROM signatory WHERE contract_id = ? AND deleted = 0 ORDER BY position", (contract_id,))]
    assert live == [*before[1:3], "CAF du Nord", before[3]]
    assert [p for (p,) in db.execute_sql(
        "SELECT position FROM signatory WHERE contract_id = ? AND deleted = 0 ORDER BY position", (contract_id,))] \
        == [1, 2, 3, 4]
    assert one("SELECT deleted FROM signatory WHERE name = ?", before[0])[0] == 1  # a tombstone, for the exchange
    assert [line.name for line in page.signatory_lines()] == live
    assert "Nom : « Contrat de ville de la Communauté" in history_text(page.history)
    page.signatories.setCurrentCell(live.index("CAF du Nord"), 0)
    assert "Création" in history_text(page.signatory_history)
    assert "Nom : (vide) → « CAF du Nord »" in history_text(page.signatory_history)


def test_a_signatory_without_a_name_or_years_out_of_order_are_refused_and_nothing_changes(contract, qtbot) -> None:
    page = contract.show_section("contract")
    before = one("SELECT count(*), max(updated_at) FROM signatory WHERE deleted = 0")
    qtbot.mouseClick(page.add_button, LEFT)
    page.end_edit.clear()
    qtbot.keyClicks(page.end_edit, "2010")
    qtbot.mouseClick(page.save_button, LEFT)
    assert "L'année de fin (2010) précède l'année de début (2015)." in page.error_label.text()
    assert page.signatories_error.text() == "Le signataire n° 5 n'a pas de nom."
    assert one("SELECT end_year FROM contract WHERE deleted = 0")[0] != 2010
    assert one("SELECT count(*), max(updated_at) FROM signatory WHERE deleted = 0") == before
    page._dirty = False


def test_the_contract_is_not_deleted_while_it_has_orientations(contract, qtbot, answer, warnings_shown) -> None:
    page = contract.show_section("contract")
    orientations, = one("SELECT count(*) FROM orientation WHERE deleted = 0")
    answer(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(page.delete_button, LEFT)
    assert warnings_shown == [("Suppression refusée", f"Le contrat « {page.name_edit.text()} » a encore "
                               f"{orientations} orientations : supprimez-les d'abord ; rien n'a été supprimé.")]
    assert one("SELECT count(*) FROM contract WHERE deleted = 0") == (1,)


def test_in_an_empty_base_the_contract_comes_first_then_its_first_orientation(blank_contract, qtbot,
                                                                               type_text) -> None:
    orientations = blank_contract.show_section("orientation")
    type_text(orientations.title_edit, "Cohésion sociale")
    qtbot.mouseClick(orientations.save_button, LEFT)
    assert orientations.error_label.text() == (
        "L'enregistrement est refusé : Enregistrez d'abord le contrat (sous-onglet « Contrat et signataires ») : "
        "une orientation en fait partie ; rien n'a été enregistré.")
    assert one("SELECT count(*) FROM orientation") == (0,)

    page = blank_contract.show_section("contract")
    assert page.heading.text() == "Nouveau contrat" and not page.delete_button.isEnabled()
    type_text(page.name_edit, "Contrat de ville de Grand Besançon Métropole 2024–2030")
    qtbot.keyClicks(page.epci_siren_edit, "242 500 361")
    qtbot.keyClicks(page.start_edit, "2024")
    qtbot.keyClicks(page.end_edit, "2030")
    qtbot.mouseClick(page.add_button, LEFT)
    type_text(QApplication.focusWidget(), "L'État")
    qtbot.mouseClick(page.save_button, LEFT)
    assert page.error_label.isHidden(), page.error_label.text()
    assert one("SELECT name, epci_siren, start_year, end_year FROM contract WHERE deleted = 0") == (
        "Contrat de ville de Grand Besançon Métropole 2024–2030", "242500361", 2024, 2030)
    assert one("SELECT name, position FROM signatory WHERE deleted = 0") == ("L'État", 1)

    orientations = blank_contract.show_section("orientation")
    qtbot.mouseClick(orientations.save_button, LEFT)
    assert orientations.error_label.isHidden(), orientations.error_label.text()
    assert one("SELECT number, title FROM orientation WHERE deleted = 0") == (1, "Cohésion sociale")


# -- orientations --------------------------------------------------------------------------------------------------

def test_an_orientation_is_added_last_moved_up_and_the_numbers_follow(contract, qtbot, type_text) -> None:
    tab = contract.show_section("orientation")
    count = one("SELECT count(*) FROM orientation WHERE deleted = 0")[0]
    qtbot.mouseClick(tab.new_button, LEFT)
    type_text(tab.title_edit, "Santé et accès aux droits")
    tab.pillar_combo.set_value("cohesion_sociale")
    qtbot.mouseClick(tab.save_button, LEFT)
    assert tab.error_label.isHidden(), tab.error_label.text()
    assert one("SELECT number FROM orientation WHERE title = ?", "Santé et accès aux droits")[0] == count + 1
    previous_last = one("SELECT title FROM orientation WHERE number = ? AND deleted = 0", count)[0]

    qtbot.mouseClick(tab.up_button, LEFT)

    assert one("SELECT number FROM orientation WHERE title = ?", "Santé et accès aux droits")[0] == count
    assert one("SELECT number FROM orientation WHERE title = ?", previous_last)[0] == count + 1
    numbers = [n for (n,) in db.execute_sql("SELECT number FROM orientation WHERE deleted = 0 ORDER BY number")]
    assert numbers == list(range(1, count + 2))
    assert tab.number_label.text() == str(count)
    assert tab.model.index(count - 1, 1).data() == "Santé et accès aux droits"  # the list follows the order
    assert "Numéro : « " in history_text(tab.history) and "Pilier : (vide) → « Cohésion sociale »" in \
        history_text(tab.history)


def test_an_orientation_under_which_actions_are_filed_is_not_deleted(contract, qtbot, answer, warnings_shown) -> None:
    tab = contract.show_section("orientation")
    tab.view.selectRow(0)
    orientation_id = tab.current_record_id()
    answer(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(tab.delete_button, LEFT)
    assert len(warnings_shown) == 1 and warnings_shown[0][0] == "Suppression refusée"
    text = warnings_shown[0][1]
    assert text.count(".") >= 1 and "rien n'a été supprimé" in text
    assert one("SELECT deleted FROM orientation WHERE id = ?", orientation_id)[0] == 0


def test_a_new_orientation_is_deleted_as_a_tombstone(contract, qtbot, type_text, answer) -> None:
    tab = contract.show_section("orientation")
    qtbot.mouseClick(tab.new_button, LEFT)
    type_text(tab.title_edit, "Orientation de passage")
    qtbot.mouseClick(tab.save_button, LEFT)
    orientation_id = tab.current_record_id()
    answer(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(tab.delete_button, LEFT)
    assert one("SELECT deleted FROM orientation WHERE id = ?", orientation_id)[0] == 1
    assert "Orientation de passage" not in [tab.model.index(r, 1).data() for r in range(tab.model.rowCount())]


# -- communes -------------------------------------------------------------------------------------------------------

def test_a_commune_typed_valenc_is_picked_from_the_reference_with_its_insee_code(blank_contract, qtbot) -> None:
    tab = blank_contract.show_section("commune")
    qtbot.mouseClick(tab.new_button, LEFT)
    qtbot.keyClicks(tab.reference_edit, "valenc")
    popup = tab.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    shown = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
    row = next(r for r, text in enumerate(shown) if text.startswith("Valenciennes (59606)"))
    for _ in range(row + 1):
        qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)

    with sqlite3.connect(REFERENCE) as reference:
        departement, siren, municipale = reference.execute(
            "SELECT departement, siren, population_municipale FROM commune WHERE insee = '59606'").fetchone()
    assert tab.name_edit.text() == "Valenciennes"
    assert tab.insee_edit.text() == "59606"
    assert (tab.departement_edit.text(), tab.siren_edit.text()) == (departement, f"{siren:09d}")
    assert tab.population_edit.number() == municipale
    qtbot.mouseClick(tab.save_button, LEFT)
    assert tab.error_label.isHidden(), tab.error_label.text()
    assert one("SELECT insee_code, postcode, departement, siren, population FROM commune WHERE name = 'Valenciennes'"
               " AND deleted = 0") == ("59606", "59300", departement, f"{siren:09d}", municipale)
    assert "Valenciennes" in rows_of(tab)
    assert "Création" in history_text(tab.history)


def test_a_commune_of_a_quartier_is_not_deleted_and_a_free_one_is(contract, qtbot, answer, warnings_shown) -> None:
    tab = contract.show_section("commune")
    used, = one("SELECT c.name FROM commune c JOIN quartier_commune qc ON qc.commune_id = c.id AND qc.deleted = 0 "
                "WHERE c.deleted = 0 ORDER BY c.name LIMIT 1")
    select_by_first_column(tab, used)
    answer(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(tab.delete_button, LEFT)
    assert [title for title, _text in warnings_shown] == ["Suppression refusée"]
    assert used in warnings_shown[0][1] and "rien n'a été supprimé" in warnings_shown[0][1]
    assert one("SELECT deleted FROM commune WHERE name = ?", used)[0] == 0

    qtbot.mouseClick(tab.new_button, LEFT)
    qtbot.keyClicks(tab.reference_edit, "saint saulve")
    tab.completer.popup().hide()  # Entrée without choosing takes the first match
    qtbot.keyClick(tab.reference_edit, Qt.Key.Key_Return)
    assert (tab.name_edit.text(), tab.insee_edit.text()) == ("Saint-Saulve", "59544")
    qtbot.mouseClick(tab.save_button, LEFT)
    commune_id = tab.current_record_id()
    answer(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(tab.delete_button, LEFT)
    assert one("SELECT deleted FROM commune WHERE id = ?", commune_id) == (1,)
    assert "Saint-Saulve" not in rows_of(tab)


# -- funders ---------------------------------------------------------------------------------------------------------

def test_a_funder_with_its_siret_is_created_and_a_wrong_siret_refused(contract, qtbot, type_text) -> None:
    tab = contract.show_section("funder")
    assert "idAttribuant" in tab.siret_hint.text() and tab.siret_hint.isVisible()
    qtbot.mouseClick(tab.new_button, LEFT)
    type_text(tab.name_edit, "Caisse des dépôts")
    tab.kind_combo.set_value("autre")
    qtbot.keyClicks(tab.siret_edit, "180 020 026 00012")  # one digit off
    assert "invalide" in tab.form.rows["siret"].error.text()
    qtbot.mouseClick(tab.save_button, LEFT)
    assert one("SELECT count(*) FROM funder WHERE name = 'Caisse des dépôts'")[0] == 0
    assert tab.error_label.isVisible()

    tab.siret_edit.clear()
    qtbot.keyClicks(tab.siret_edit, "180 020 026 00019")
    assert tab.form.rows["siret"].error.text() == "SIRET valide."
    qtbot.mouseClick(tab.save_button, LEFT)
    assert tab.error_label.isHidden(), tab.error_label.text()
    assert one("SELECT siren, siret, kind FROM funder WHERE name = 'Caisse des dépôts' AND deleted = 0") == (
        "180020026", "18002002600019", "autre")
    assert "Caisse des dépôts" in rows_of(tab)
    assert "SIRET : (vide) → « 18002002600019 »" in history_text(tab.history)


def test_a_wrong_siret_alone_is_refused_on_the_siret_not_on_a_siren_nobody_typed(contract, qtbot, type_text) -> None:
    tab = contract.show_section("funder")
    qtbot.mouseClick(tab.new_button, LEFT)
    type_text(tab.name_edit, "Mécène du quartier")
    qtbot.keyClicks(tab.siret_edit, "123 456 789 01234")
    qtbot.mouseClick(tab.save_button, LEFT)
    assert one("SELECT count(*) FROM funder WHERE name = 'Mécène du quartier'")[0] == 0
    assert "SIRET 12345678901234 est invalide" in tab.error_label.text()
    assert "SIREN" not in tab.error_label.text().replace("SIRET", "")
    assert tab.siren_edit.text() == "" and not tab.form.rows["siren"].error.text()


def test_a_funder_of_no_action_is_deleted_as_a_tombstone(contract, qtbot, type_text, answer) -> None:
    tab = contract.show_section("funder")
    qtbot.mouseClick(tab.new_button, LEFT)
    type_text(tab.name_edit, "Fondation de passage")
    qtbot.mouseClick(tab.save_button, LEFT)
    funder_id = tab.current_record_id()
    asked = answer(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(tab.delete_button, LEFT)
    assert asked == ["Supprimer le financeur « Fondation de passage » ? La suppression sera transmise au siège."]
    assert one("SELECT deleted FROM funder WHERE id = ?", funder_id) == (1,)
    assert one("SELECT operation FROM history WHERE record_uuid = (SELECT uuid FROM funder WHERE id = ?) "
               "ORDER BY id DESC LIMIT 1", funder_id) == ("delete",)


def test_a_funder_of_actions_is_not_deleted(contract, qtbot, answer, warnings_shown) -> None:
    tab = contract.show_section("funder")
    name, = one("SELECT fu.name FROM funder fu JOIN funding f ON f.funder_id = fu.id AND f.deleted = 0 "
                "GROUP BY fu.id ORDER BY count(*) DESC LIMIT 1")
    select_by_first_column(tab, name)
    answer(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(tab.delete_button, LEFT)
    assert [title for title, _text in warnings_shown] == ["Suppression refusée"]
    assert "rien n'a été supprimé" in warnings_shown[0][1]
    assert one("SELECT deleted FROM funder WHERE name = ?", name)[0] == 0


# -- envelopes ---------------------------------------------------------------------------------------------------

def test_an_envelope_shows_what_its_funder_requested_and_granted_that_year(contract, qtbot) -> None:
    tab = contract.show_section("envelope")
    tab.view.selectRow(0)
    envelope_id = tab.current_record_id()
    funder_id, year, amount = one("SELECT funder_id, year, amount FROM envelope WHERE id = ?", envelope_id)
    requested, granted, paid = one(
        'SELECT SUM(f.requested), SUM(f.granted), SUM(f.paid) FROM funding f JOIN "action" a ON a.id = f.action_id '
        "WHERE f.deleted = 0 AND a.deleted = 0 AND f.funder_id = ? AND a.year = ?", funder_id, year)
    shown = tab.consumption.texts()
    assert shown["amount"] == format_money(amount)
    assert shown["requested"].startswith(format_money(requested))
    assert shown["granted"].startswith(format_money(granted))
    assert shown["paid"].startswith(format_money(paid))
    assert shown["remaining"] == format_money(amount - granted)
    tenths = round(granted * 1000 / amount)  # the share, by hand, to one decimal
    assert shown["granted"].endswith(f"({tenths // 10},{tenths % 10}\u00a0%)")


def test_an_envelope_for_one_orientation_counts_only_its_actions(contract, qtbot) -> None:
    tab = contract.show_section("envelope")
    funder_id, funder = one("SELECT id, name FROM funder WHERE kind = 'etat' AND deleted = 0")
    orientation_id, = one("SELECT id FROM orientation WHERE number = 2 AND deleted = 0")
    qtbot.mouseClick(tab.new_button, LEFT)
    tab.funder_combo.set_value(funder_id)
    qtbot.keyClicks(tab.year_edit, "2016")
    tab.orientation_combo.set_value(orientation_id)
    qtbot.keyClicks(tab.amount_edit, "150 000")
    qtbot.keyClicks(tab.label_edit, "Emploi 2016")
    qtbot.mouseClick(tab.save_button, LEFT)
    assert tab.error_label.isHidden(), tab.error_label.text()
    assert one("SELECT amount, orientation_id FROM envelope WHERE label = 'Emploi 2016' AND deleted = 0") == (
        15_000_000, orientation_id)
    requested, granted, actions = one(
        'SELECT COALESCE(SUM(f.requested), 0), COALESCE(SUM(f.granted), 0), count(DISTINCT a.id) FROM funding f '
        'JOIN "action" a ON a.id = f.action_id WHERE f.deleted = 0 AND a.deleted = 0 AND f.funder_id = ? '
        "AND a.year = 2016 AND a.orientation_id = ?", funder_id, orientation_id)
    shown = tab.consumption.texts()
    assert shown["requested"].startswith(format_money(requested))
    assert shown["granted"].startswith(format_money(granted))
    assert shown["actions"] == str(actions)
    assert tab.heading.text() == f"{funder} – 2016 – orientation 2"
    assert "Montant : (vide) → 150\u00a0000,00\u00a0€" in history_text(tab.history)


def test_an_envelope_without_amount_is_refused_and_one_is_deleted(contract, qtbot, answer) -> None:
    tab = contract.show_section("envelope")
    qtbot.mouseClick(tab.new_button, LEFT)
    qtbot.keyClicks(tab.year_edit, "2017")
    qtbot.mouseClick(tab.save_button, LEFT)
    assert tab.form.rows["amount"].error.text() == "Le montant est obligatoire."
    tab._dirty = False
    tab.view.selectRow(0)
    envelope_id = tab.current_record_id()
    answer(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(tab.delete_button, LEFT)
    assert one("SELECT deleted FROM envelope WHERE id = ?", envelope_id)[0] == 1


# -- quartiers with official codes (their own tab) -----------------------------------------------------------------

@pytest.mark.parametrize(("typed", "stored"), [("QP059099", "QP059099"), ("QN05912M", "QN05912M"),
                                                ("qn05913m", "QN05913M"), ("QP02A001", "QP02A001")])
def test_a_quartier_is_created_with_an_official_code_of_2015_or_2024(window, qtbot, type_text, typed, stored) -> None:
    window.tabs.setCurrentIndex(1)
    tab = window.quartiers_tab
    qtbot.mouseClick(tab.new_button, LEFT)
    qtbot.keyClicks(tab.code_edit, typed)
    type_text(tab.name_edit, "Quartier de l'essai")
    qtbot.mouseClick(tab.save_button, LEFT)
    assert tab.error_label.isHidden(), tab.error_label.text()
    assert one("SELECT name FROM quartier WHERE code = ? AND deleted = 0", stored) == ("Quartier de l'essai",)


@pytest.mark.parametrize("typed", ["QN0591M", "QP59001", "QX059001", "QN059012"])
def test_a_quartier_code_of_neither_list_is_refused_with_the_two_forms_expected(window, qtbot, typed) -> None:
    window.tabs.setCurrentIndex(1)
    tab = window.quartiers_tab
    qtbot.mouseClick(tab.new_button, LEFT)
    qtbot.keyClicks(tab.code_edit, typed)
    qtbot.keyClicks(tab.name_edit, "Essai")
    qtbot.mouseClick(tab.save_button, LEFT)
    message = tab.form.rows["code"].error.text()
    assert "QP059001" in message and "QN05901A" in message, message
    assert one("SELECT count(*) FROM quartier WHERE name = 'Essai'") == (0,)
    tab._dirty = False


def test_a_quartier_code_typed_with_spaces_is_stored_without_them_and_stays_unique(window, qtbot) -> None:
    window.tabs.setCurrentIndex(1)
    tab = window.quartiers_tab
    qtbot.mouseClick(tab.new_button, LEFT)
    qtbot.keyClicks(tab.code_edit, "QP 059 001")  # the demo's Chasse Royale, as printed in the decree
    qtbot.keyClicks(tab.name_edit, "Doublon")
    qtbot.mouseClick(tab.save_button, LEFT)
    assert tab.form.rows["code"].error.text() == "Le code QP059001 est déjà celui d'un autre quartier."
    assert one("SELECT count(*) FROM quartier WHERE name = 'Doublon'") == (0,)
    tab.code_edit.clear()
    qtbot.keyClicks(tab.code_edit, "QN 059 14 M")
    qtbot.mouseClick(tab.save_button, LEFT)
    assert one("SELECT code FROM quartier WHERE name = 'Doublon' AND deleted = 0") == ("QN05914M",)


# -- the records travel to headquarters ----------------------------------------------------------------------------

def test_records_made_in_the_tab_reach_headquarters_in_the_package(contract, qtbot, type_text, demo_template,
                                                                     tmp_path) -> None:
    from cvdesk.exchange.export_package import export_package
    from cvdesk.exchange.merge import import_package
    from cvdesk.store.database import close_database, open_database
    from cvdesk.store.settings import OFFICE, set_setting

    funders = contract.show_section("funder")
    qtbot.mouseClick(funders.new_button, LEFT)
    type_text(funders.name_edit, "Caisse des dépôts")
    qtbot.keyClicks(funders.siret_edit, "18002002600019")
    qtbot.mouseClick(funders.save_button, LEFT)
    envelopes = contract.show_section("envelope")
    assert "Caisse des dépôts" in [envelopes.funder_combo.itemText(i) for i in range(envelopes.funder_combo.count())]
    envelopes.funder_combo.setCurrentIndex(envelopes.funder_combo.findText("Caisse des dépôts"))
    qtbot.keyClicks(envelopes.year_edit, "2016")
    qtbot.keyClicks(envelopes.amount_edit, "80 000")
    qtbot.mouseClick(envelopes.save_button, LEFT)
    assert envelopes.error_label.isHidden(), envelopes.error_label.text()
    sent = one("SELECT f.uuid, e.uuid FROM funder f JOIN envelope e ON e.funder_id = f.id "
               "WHERE f.name = 'Caisse des dépôts'")
    export_package(tmp_path / "bureau.zip", "Bureau de Valenciennes")

    siege = tmp_path / "siege.db"
    siege.write_bytes(demo_template.read_bytes())
    close_database()
    open_database(siege)
    set_setting(OFFICE, "Siège")
    import_package(tmp_path / "bureau.zip")
    assert one("SELECT f.uuid, e.uuid FROM funder f JOIN envelope e ON e.funder_id = f.id "
               "WHERE f.name = 'Caisse des dépôts'") == sent
    assert one("SELECT f.siret, e.amount, e.year FROM funder f JOIN envelope e ON e.funder_id = f.id "
               "WHERE f.uuid = ?", sent[0]) == ("18002002600019", 8_000_000, 2016)


def test_a_commune_already_in_the_contract_is_shown_rather_than_entered_twice(contract, qtbot) -> None:
    tab = contract.show_section("commune")
    name, insee = one("SELECT name, insee_code FROM commune WHERE deleted = 0 AND insee_code != '' ORDER BY name "
                      "LIMIT 1")
    communes = one("SELECT count(*) FROM commune WHERE deleted = 0")
    qtbot.mouseClick(tab.new_button, LEFT)
    qtbot.keyClicks(tab.reference_edit, insee)
    qtbot.keyClick(tab.reference_edit, Qt.Key.Key_Return)  # Entrée takes the first match
    qtbot.keyClick(tab.completer.popup(), Qt.Key.Key_Return)
    assert tab.name_edit.text() == name and tab.current_record_id() is not None
    assert tab.form.rows["reference"].error.text() == f"{name} ({insee}) est déjà une commune du contrat : la voici."
    assert one("SELECT count(*) FROM commune WHERE deleted = 0") == communes


# -- the keyboard, the laptop screen ---------------------------------------------------------------------------------

def test_a_funder_is_added_with_the_keyboard_alone(window, qtbot, type_text) -> None:
    qtbot.keyClick(window, Qt.Key.Key_4, CTRL)  # Affichage > Contrat
    tab = window.current_tab()
    qtbot.keyClick(window, Qt.Key.Key_R, ALT)  # the « Financeu&rs » sub-tab
    assert tab.current_page().kind == "funder"
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)  # Nouveau: the cursor in the first field
    assert QApplication.focusWidget() is tab.name_edit
    type_text(QApplication.focusWidget(), "Fonds social européen – programme Nord")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "FSE")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is tab.kind_combo
    qtbot.keyClicks(tab.kind_combo, "FSE")  # typed letters pick the kind
    qtbot.keyClick(window, Qt.Key.Key_E, ALT)  # « SIR&ET »
    assert QApplication.focusWidget() is tab.siret_edit
    qtbot.keyClicks(QApplication.focusWidget(), "130 005 481 00010")
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)

    assert tab.error_label.isHidden(), tab.error_label.text()
    assert one("SELECT short_name, kind, siren, siret FROM funder WHERE name = ? AND deleted = 0",
               "Fonds social européen – programme Nord") == ("FSE", "fse", "130005481", "13000548100010")
    assert window.statusBar().currentMessage() == "Enregistré."


def test_at_1366x768_every_part_of_the_contract_shows_its_save_button(contract, qtbot) -> None:
    """Set CVDESK_SCREENSHOTS to a folder to keep a picture of each part."""
    from cvdesk.ui.contract_tab import SECTIONS
    from tests.ui.conftest import LAPTOP

    window = contract.window()
    assert window.screen().name() == LAPTOP
    hidden = []
    for kind, _title in SECTIONS:
        page = contract.show_section(kind)
        qtbot.waitUntil(page.isVisible)
        qtbot.wait(50)  # the layout of a page shown for the first time
        for button in (page.save_button, page.new_button, page.delete_button):
            bottom = button.mapTo(window, button.rect().bottomLeft()).y()
            if not button.isVisible() or button.visibleRegion().isEmpty() or bottom > window.height():
                hidden.append(f"{kind} : « {button.text()} »")
        folder = os.environ.get("CVDESK_SCREENSHOTS")
        if folder:
            window.grab().save(str(Path(folder) / f"contrat-1366x768-{kind}.png"))
    assert hidden == []


def test_every_input_of_every_part_has_a_name_and_tab_leads_from_search_to_list(contract) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QWidget,
    )

    from cvdesk.ui.contract_tab import SECTIONS

    inputs = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QAbstractButton)
    for kind, _title in SECTIONS:
        page = contract.show_section(kind)
        nameless = [type(w).__name__ for w in page.findChildren(QWidget) if isinstance(w, inputs)
                    and not w.accessibleName() and w.isVisibleTo(page) and w.focusPolicy() != Qt.FocusPolicy.NoFocus
                    and not isinstance(w.parent(), (QComboBox, QAbstractSpinBox))]
        assert nameless == [], (kind, nameless)
        if kind == "contract":
            continue  # no list: its form and its signatories
        widget = page.search
        for _ in range(len(page.filter_combos) + 1):
            widget = widget.nextInFocusChain()
            while widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
                widget = widget.nextInFocusChain()
        assert widget is page.view, kind


def test_unsaved_contract_edits_survive_a_save_in_another_tab(contract, window, qtbot, type_text) -> None:
    page = contract.show_section("contract")
    page.notes_edit.clear()
    type_text(page.notes_edit, "Avenant en préparation")
    qtbot.keyClick(window, Qt.Key.Key_3, CTRL)
    associations = window.current_tab()
    associations.view.selectRow(0)
    associations.acronym_edit.setText("ESSAI")
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert associations.error_label.isHidden(), associations.error_label.text()
    qtbot.keyClick(window, Qt.Key.Key_4, CTRL)
    assert page.notes_edit.toPlainText() == "Avenant en préparation" and page.is_dirty()
    qtbot.mouseClick(page.save_button, LEFT)
    assert one("SELECT notes FROM contract WHERE deleted = 0") == ("Avenant en préparation",)
