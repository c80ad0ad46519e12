"""The « Contrat » tab: the contract and its signatories, orientations, communes, funders and envelopes, one
sub-tab each; it answers the window as one tab, passing each request on to the sub-tab shown."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLineEdit

# The sub-tabs in their order: kind, title (its & gives Alt+letter inside the tab).
# Letters no other always-shown shortcut takes (menus F, D, A; tabs Q, A, S, C), nor the fields of the sub-tabs.
SECTIONS = (("contract", "Contrat et si&gnataires"), ("orientation", "&Orientations"), ("commune", "Co&mmunes"),
            ("funder", "Financeu&rs"), ("envelope", "En&veloppes"))


def _page_class(kind: str) -> type:
    if kind == "contract":
        from cvdesk.ui.contract_form import ContractForm

        return ContractForm
    if kind == "orientation":
        from cvdesk.ui.orientations_tab import OrientationsTab

        return OrientationsTab
    if kind == "commune":
        from cvdesk.ui.communes_tab import CommunesTab

        return CommunesTab
    if kind == "funder":
        from cvdesk.ui.funders_tab import FundersTab

        return FundersTab
    if kind == "envelope":
        from cvdesk.ui.envelopes_tab import EnvelopesTab

        return EnvelopesTab
    raise KeyError(kind)


class ContractTab(QWidget):
    """The reference records of the contract, each kind in its own sub-tab with the forms, checks, history and
    tombstones of the other tabs. A sub-tab is built when first shown (as the window's tabs are); a save in one
    reloads the others' pick lists and lists when they are next shown (a new funder is offered to the envelopes)."""

    kind = "contract"
    open_record = Signal(str, int)
    changed = Signal()
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None, form_later: bool = False) -> None:
        super().__init__(parent)
        self._form_later = form_later
        self.sections = QTabWidget()
        self.sections.setAccessibleName("Parties du contrat")
        self.pages: dict[str, Any] = {}  # the sub-tabs built so far
        self._stale: set[str] = set()
        for _kind, title in SECTIONS:
            self.sections.addTab(QWidget(), title)
        self.sections.currentChanged.connect(self._section_shown)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.sections)
        self.page(SECTIONS[0][0])

    # -- the sub-tabs ----------------------------------------------------------------------------------------------
    def page(self, kind: str) -> Any:
        """The sub-tab of this kind, built in place of its empty page if need be (its list queried then)."""
        built = self.pages.get(kind)
        if built is not None:
            return built
        index = [k for k, _title in SECTIONS].index(kind)
        page = _page_class(kind)(form_later=self._form_later)
        page.changed.connect(lambda k=kind: self._page_changed(k))
        page.message.connect(self.message)
        page.open_record.connect(self.open_record)
        page.load_settings(QSettings())
        current = self.sections.currentIndex()
        blocked = self.sections.blockSignals(True)  # swapping the page is no change of sub-tab
        try:
            placeholder = self.sections.widget(index)
            self.sections.removeTab(index)
            self.sections.insertTab(index, page, SECTIONS[index][1])
            self.sections.setCurrentIndex(current)
        finally:
            self.sections.blockSignals(blocked)
        placeholder.deleteLater()
        self.pages[kind] = page
        if kind != "contract":  # the contract's form reads its record as it is built
            page.refresh()
        return page

    def current_page(self) -> Any:
        return self.page(SECTIONS[self.sections.currentIndex()][0])

    def show_section(self, kind: str) -> Any:
        """Bring this sub-tab forward (its edits kept) and return it."""
        self.sections.setCurrentIndex([k for k, _title in SECTIONS].index(kind))
        return self.page(kind)

    def _page_changed(self, kind: str) -> None:
        self._stale.update(other for other in self.pages if other != kind)
        self.changed.emit()

    def _section_shown(self, index: int) -> None:
        if not 0 <= index < len(SECTIONS):
            return
        kind = SECTIONS[index][0]
        fresh = kind not in self.pages
        page = self.page(kind)
        if not fresh and kind in self._stale:
            self._stale.discard(kind)
            page.reload_choices()
            if not page.is_dirty():
                page.refresh()
                if page.record_id is not None:
                    page.show_record(page.record_id)
        if page.record_id is None and not page.is_dirty():
            page.new_record()  # an empty form offers its pick lists (the funders of a new envelope) from the start

    # -- what the window asks of a tab -----------------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        """Only for an attribute not found here: the shown sub-tab's (its buttons, its list, its form's fields), so
        that whatever the window or a check asks of a tab, it gets from the part of the contract on screen."""
        sections = self.__dict__.get("sections")
        if name.startswith("__") or sections is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(self.current_page(), name)

    @property
    def search(self) -> QLineEdit:
        return self.current_page().search

    @property
    def record_id(self) -> int | None:
        return self.current_page().record_id

    @record_id.setter
    def record_id(self, value: int | None) -> None:
        # The window sets None before it opens another base: every sub-tab forgets its record.
        for page in self.pages.values():
            page.record_id = value if page is self.current_page() else None

    @property
    def _dirty(self) -> bool:
        return self.is_dirty()

    @_dirty.setter
    def _dirty(self, value: bool) -> None:
        for page in self.pages.values():
            page._dirty = value

    @property
    def form_pending(self) -> bool:
        return any(page.form_pending for page in self.pages.values())

    def ensure_form(self) -> None:
        for page in self.pages.values():
            page.ensure_form()

    def is_dirty(self) -> bool:
        return any(page.is_dirty() for page in self.pages.values())

    def maybe_keep_edits(self) -> bool:
        """Each sub-tab with unsaved edits is shown and asks; False as soon as one says to stay."""
        for page in self.pages.values():
            if page.is_dirty():
                self.sections.setCurrentWidget(page)
                if not page.maybe_keep_edits():
                    return False
        return True

    def current_record_id(self) -> int | None:
        return self.current_page().current_record_id()

    def new_record(self) -> None:
        self.current_page().new_record()

    def save(self) -> bool:
        return self.current_page().save()

    def revert(self) -> None:
        self.current_page().revert()

    def delete_current(self) -> None:
        self.current_page().delete_current()

    def show_record(self, record_id: int) -> None:
        self.current_page().show_record(record_id)

    def go_to(self, record_id: int) -> None:
        self.current_page().go_to(record_id)

    def focus_first_field(self) -> None:
        self.current_page().focus_first_field()

    def refresh(self) -> None:
        """The shown sub-tab now, the others when next shown."""
        current = self.current_page()
        current.refresh()
        self._stale.update(kind for kind, page in self.pages.items() if page is not current)

    def reload_choices(self) -> None:
        self.current_page().reload_choices()
        current = self.current_page()
        self._stale.update(kind for kind, page in self.pages.items() if page is not current)

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("contract/section", self.sections.currentIndex())
        for page in self.pages.values():  # the others' remembered widths stay as they were
            page.save_settings(settings)

    def load_settings(self, settings: QSettings) -> None:
        """The sub-tab shown last time (each sub-tab reads its own widths when it is built)."""
        try:
            self.sections.setCurrentIndex(int(settings.value("contract/section", 0)))
        except (TypeError, ValueError):
            self.sections.setCurrentIndex(0)
