"""The small dialog of Fichier > « Ouvrir une base PostgreSQL… »: the base's address typed, checked before anything is
opened, and never kept with a password (libpq reads it from ~/.pgpass, or cvdesk asks for it at the opening)."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from cvdesk.store.errors import StoreError
from cvdesk.store.target import SECRET_PARAMETERS, PostgresTarget, is_postgres_url, parse_target

# The last address opened this way (without a password: one is refused before anything is kept), offered next time.
LAST_SERVER_KEY = "database/last_server"
EXAMPLE = "postgresql://jdupont@siege.exemple.fr:5432/cvdesk"


def without_password(text: str) -> str:
    """The address with its password (and libpq's secret parameters) taken out, for the field to show again."""
    scheme, _, rest = text.strip().partition("://")
    try:
        parts = urlsplit("postgresql://" + rest)
        user = parts.username or ""
        host = parts.netloc.rpartition("@")[2]
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                           if k not in SECRET_PARAMETERS], safe="/")
    except ValueError:
        return ""
    netloc = f"{user}@{host}" if user else host
    return f"{scheme}://" + urlunsplit(("postgresql", netloc, parts.path, query, ""))[len("postgresql://"):]


def has_password(text: str) -> bool:
    try:
        parts = urlsplit("postgresql://" + text.strip().partition("://")[2])
        return parts.password is not None or any(k in SECRET_PARAMETERS for k, _ in parse_qsl(parts.query))
    except ValueError:
        return False


def address_refusal(text: str) -> str | None:
    """Why this text cannot be opened as a PostgreSQL base, in one French sentence; None when it can be tried."""
    text = text.strip()
    if not text:
        return f"Adresse de la base : indiquez-la, par exemple {EXAMPLE}."
    if not is_postgres_url(text):
        return (f"Adresse de la base : « {text} » n'est pas une adresse PostgreSQL, qui commence par postgresql:// "
                "(pour un fichier de base, utilisez « Ouvrir une base… »).")
    if has_password(text):
        return ("Adresse de la base : elle contient un mot de passe, que cvdesk n'accepte pas dans une adresse et "
                "n'enregistre jamais ; il a été retiré : cvdesk le demandera à l'ouverture si le serveur le veut "
                "(ou mettez-le dans le fichier ~/.pgpass).")
    try:
        parse_target(text)
    except StoreError as exc:
        return f"Adresse de la base : {str(exc)[0].lower()}{str(exc)[1:]}"
    return None


class ServerAddressDialog(QDialog):
    """Asks for the address; on « Ouvrir » with an address that can be tried, url holds it (the window then opens
    it, and says in its own box if the server refuses)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Ouvrir une base PostgreSQL")
        self.url = ""
        self.address_edit = QLineEdit(str(QSettings().value(LAST_SERVER_KEY, "") or ""))
        self.address_edit.setPlaceholderText(EXAMPLE)
        self.address_edit.setAccessibleName("Adresse de la base PostgreSQL")
        self.address_edit.setMinimumWidth(460)
        label = QLabel("&Adresse de la base :")
        label.setBuddy(self.address_edit)
        hint = QLabel("Sans mot de passe : cvdesk le lit dans ~/.pgpass ou vous le demande à l'ouverture, et ne "
                      "l'enregistre jamais.")
        hint.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        from cvdesk.ui.form_widgets import ERROR_TEXT_STYLE

        self.error_label.setStyleSheet(ERROR_TEXT_STYLE)
        self.error_label.hide()
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText("Ouvrir")
        box.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.address_edit)
        layout.addWidget(hint)
        layout.addWidget(self.error_label)
        layout.addWidget(box)
        self.address_edit.selectAll()
        self.address_edit.setFocus()

    def accept(self) -> None:
        text = self.address_edit.text().strip()
        refusal = address_refusal(text)
        if refusal is not None:
            if has_password(text):
                self.address_edit.setText(without_password(text))  # the secret is not kept, not even on screen
            self.error_label.setText(refusal)
            self.error_label.show()
            self.address_edit.setFocus()
            return
        target = parse_target(text)
        assert isinstance(target, PostgresTarget)
        self.url = target.url
        QSettings().setValue(LAST_SERVER_KEY, self.url)
        super().accept()
