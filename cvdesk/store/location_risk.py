"""Warnings for databases kept where SQLite's locking is not safe: network shares and cloud-synchronised folders."""
from __future__ import annotations

import os
import re
from pathlib import Path, PurePath, PureWindowsPath

# The folders that synchronisation clients create, compared with whole path components (case ignored), so that
# "megane" or "Mega Drive" are not taken for MEGA. The names are the clients' defaults on Windows, macOS and Linux.
CLOUD_FOLDERS = {
    "onedrive": "OneDrive", "dropbox": "Dropbox", "nextcloud": "Nextcloud", "owncloud": "ownCloud",
    "google drive": "Google Drive", "googledrive": "Google Drive", "my drive": "Google Drive",
    "mon drive": "Google Drive", "icloud drive": "iCloud", "iclouddrive": "iCloud", "mobile documents": "iCloud",
    "pcloud": "pCloud", "pcloud drive": "pCloud", "pclouddrive": "pCloud", "mega": "MEGA", "megasync": "MEGA",
    "box": "Box", "box sync": "Box", "box drive": "Box", "seafile": "Seafile", "seadrive": "Seafile",
    "synologydrive": "Synology Drive", "synology drive": "Synology Drive", "tresorit": "Tresorit",
}
# Company and personal variants: "OneDrive - Mairie de Condé", "Dropbox (Personnel)", "Nextcloud2".
_VARIANT = re.compile(r"^(?P<name>.+?)(?: - .*| \(.*\)|\d+)$")
# macOS puts every provider under ~/Library/CloudStorage, as "OneDrive-Personal", "GoogleDrive-anne@example.fr".
CLOUD_STORAGE = "cloudstorage"
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "fuse.sshfs", "9p", "afs", "davfs", "fuse.rclone"}


def _mount_type(path: Path) -> str | None:
    """The file-system type of the mount holding path (Linux), if it can be read."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    resolved = str(path.resolve(strict=False))
    best, best_type = "", None
    for line in mounts:
        parts = line.split()
        under = len(parts) >= 3 and (resolved == parts[1] or resolved.startswith(parts[1].rstrip("/") + "/"))
        if under and len(parts[1]) > len(best):
            best, best_type = parts[1], parts[2]
    return best_type


def synced_folder(path: PurePath | str) -> str | None:
    """The synchronisation service whose folder holds the file at path, matched on whole folder names, else None."""
    folders = [part for part in str(path).replace("\\", "/").split("/") if part][:-1]
    for index, folder in enumerate(folders):
        name = folder.casefold()
        variant = _VARIANT.match(name)
        for candidate in (name, variant["name"] if variant else None):
            if candidate in CLOUD_FOLDERS:
                return CLOUD_FOLDERS[candidate]
        if name == CLOUD_STORAGE and index + 1 < len(folders):
            provider = folders[index + 1].split("-")[0]
            return CLOUD_FOLDERS.get(provider.casefold(), provider)
    return None


def risky_location(path: Path) -> str | None:
    """A French warning when the database sits on a network share or in a synchronised folder, else None."""
    text = str(path).replace("\\", "/")
    name = synced_folder(path)
    if name:
        return (f"La base {path} est dans un dossier synchronisé ({name}) : la synchronisation peut copier le "
                "fichier pendant une écriture et l'endommager, et deux postes peuvent l'ouvrir en même temps. "
                "Gardez la base sur le disque local et envoyez des paquets d'échange à la place.")
    if text.startswith("//") or PureWindowsPath(str(path)).drive.startswith("\\\\"):
        return _network_warning(path)
    if os.name != "nt" and _mount_type(path) in NETWORK_FILESYSTEMS:
        return _network_warning(path)
    return None


def _network_warning(path: Path) -> str:
    return (f"La base {path} est sur un partage réseau : le verrouillage de SQLite n'y est pas fiable et la base peut "
            "s'endommager. Gardez la base sur le disque local de ce poste.")
