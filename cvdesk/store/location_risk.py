"""Warnings for databases kept where SQLite's locking is not safe: network shares and cloud-synchronised folders."""
from __future__ import annotations

import os
from pathlib import Path, PureWindowsPath

CLOUD_FOLDERS = ("OneDrive", "Dropbox", "Nextcloud", "ownCloud", "Google Drive", "GoogleDrive", "iCloud Drive",
                 "iCloudDrive", "pCloud", "Mega", "Box Sync", "SynologyDrive", "Tresorit")
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
        if len(parts) >= 3 and (resolved == parts[1] or resolved.startswith(parts[1].rstrip("/") + "/")):
            if len(parts[1]) > len(best):
                best, best_type = parts[1], parts[2]
    return best_type


def risky_location(path: Path) -> str | None:
    """A French warning when the database sits on a network share or in a synchronised folder, else None."""
    text = str(path).replace("\\", "/")
    for name in CLOUD_FOLDERS:
        if f"/{name.lower()}" in text.lower():
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
