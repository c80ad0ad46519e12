"""Lists that follow what others change in a shared base: the base's data stamp looked at every few seconds."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from cvdesk.domain.dates import format_moment

if TYPE_CHECKING:
    from cvdesk.store.change_listen import ChangeListener
    from cvdesk.ui.record_tab import RecordTab

# One indexed max() every ten seconds: nothing on either engine, and others' saves show within ten seconds. On
# PostgreSQL, every save also notifies (store/change_listen.py): the window hears it at once on its socket, and the
# timer stays for what does not notify (another program's bulk writes, a listening connection lost).
POLL_MS = 10_000


class ChangeWatch(QObject):
    """Says when the base changed since it last looked (another coordinator saved, a colleague merged a package);
    the window's own saves are caught up by the window, so that they cause no second refresh."""

    others_changed = Signal()

    def __init__(self, parent: QObject | None = None, interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self._stamp = self._read()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        self._listener: ChangeListener | None = None
        self._notifier: QSocketNotifier | None = None
        self._listen()

    def _listen(self) -> None:
        """Listen to the base now open when it is a PostgreSQL one (again after the window switched bases)."""
        from cvdesk.store.change_listen import ChangeListener
        from cvdesk.store.models import db

        try:
            url = str(db.obj.database) if db.obj is not None else None
        except Exception:  # no base bound: nothing to listen to, the timer looks when there is one
            url = None
        if self._listener is not None and not self._listener.closed and self._listener.url == url:
            return
        self._stop_listening()
        try:
            self._listener = ChangeListener.open(db.obj) if url is not None else None
        except Exception:  # a listening connection refused must never stop the window: the timer is there
            self._listener = None
        if self._listener is not None:
            self._notifier = QSocketNotifier(self._listener.fileno(), QSocketNotifier.Type.Read, self)
            self._notifier.activated.connect(self._heard)

    def _heard(self) -> None:
        listener = self._listener
        if listener is None:
            return
        if listener.heard():
            self.check()
        elif listener.closed:  # the server went away: the timer goes on alone (and the next switch listens again)
            self._stop_listening()

    def _stop_listening(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def listening(self) -> bool:
        """Whether others' saves are heard at once (a PostgreSQL base), not only at the timer's next look."""
        return self._listener is not None and not self._listener.closed

    @staticmethod
    def _read() -> int | None:
        from cvdesk.services.concurrency import data_stamp

        # A look from a timer must never raise in the event loop: the base being switched or closed, its server
        # away, peewee's proxy unbound… it looks again at the next tick.
        try:
            return data_stamp()
        except Exception:
            return None

    def catch_up(self) -> None:
        """The window changed the base itself (and refreshed what it shows): no refresh for that. After a save, the
        history id its INSERT gave back; otherwise (an import, a merge) the base's stamp read again."""
        from cvdesk.services.concurrency import written_stamp

        stamp = written_stamp()
        if stamp is None:
            stamp = self._read()
            self._listen()  # after an import, or another base opened in the window
        if stamp is not None:
            self._stamp = stamp

    def check(self) -> bool:
        """Look at the base now; True (and others_changed) when it changed since the last look. Not while a dialog
        is open (the list under a question about unsaved edits, or under the compare dialog, stays as it is), nor
        once the window is closed."""
        window = self.parent()
        if QApplication.activeModalWidget() is not None or (isinstance(window, QWidget) and not window.isVisible()):
            return False
        stamp = self._read()
        if stamp is None or stamp == self._stamp:
            return False
        self._stamp = stamp
        self.others_changed.emit()
        return True


def refresh_tab(tab: RecordTab) -> None:
    """The tab's list again, its selection kept; the record shown, when someone else saved it: read again into a
    form without edits, or, in a form with unsaved edits, left as typed with a word in the status bar (its save will
    offer to compare and choose)."""
    tab.refresh()
    sentence = changed_under_form(tab)
    if sentence is None:
        return
    if tab.is_dirty():
        tab.message.emit(f"{sentence} {KEPT}")
    else:
        tab.show_record(tab.record_id)
        tab.message.emit(f"{sentence} ; elle est affichée à jour.")


# Short: the status bar cuts a message at the counts and the base's name (about 600 px left at 1366×768); the
# compare dialog, at the save, names the office and the day in full.
KEPT = "; vos modifications sont gardées, comparez en enregistrant."


def changed_under_form(tab: RecordTab) -> str | None:
    """The status bar's words saying who saved the tab's record since its form read it, « Fiche modifiée par jdupont
    à 18:02 » (no full stop: a clause follows), or None (not changed, no record shown, or a tab without versions:
    the dashboard, the Contrat tab)."""
    record_id = getattr(tab, "record_id", None)
    if record_id is None or not hasattr(type(tab), "stored_version"):
        return None
    if tab.stored_version(record_id) == tab.read_version:
        return None
    from cvdesk.services.concurrency import last_change
    from cvdesk.ui.record_tab import history_model

    model = history_model(tab.kind)
    record = model.get_or_none(model.id == record_id)
    if record is None:
        return None
    last = last_change(record)
    who = last.os_user or last.office or "quelqu'un d'autre"
    return f"Fiche modifiée par {who}{_when(last.at)}"


def _when(moment: datetime | None) -> str:
    """« à 18:02 » today, « le 29/11/2026 à 18:02 » before: the day is nearly always today (looked every ten
    seconds), and the status bar has little room."""
    if moment is None:
        return ""
    local = moment.astimezone()
    if local.date() == date.today():
        return f" à {local:%H:%M}"
    return f" le {format_moment(moment, between=' à ')}"
