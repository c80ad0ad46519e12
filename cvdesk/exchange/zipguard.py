"""Checks a ZIP (exchange package or XLSX) before anything in it is decompressed: sizes, ratios, member names,
duplicates."""
from __future__ import annotations

import zipfile
from pathlib import Path

from cvdesk.exchange.errors import ExchangeError

MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 2 * 1024**3
MAX_TOTAL_BYTES = 4 * 1024**3
# Text compresses well (JSON Lines about 10:1, XML up to 50:1); a bomb reaches 1000:1.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1024 * 1024  # below this a high ratio cannot hurt


def open_checked_zip(path: Path, what: str, max_member: int = MAX_MEMBER_BYTES,
                     max_total: int = MAX_TOTAL_BYTES) -> zipfile.ZipFile:
    """Open path as a ZIP whose declared sizes are sane; raise ExchangeError naming the file otherwise."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, OSError) as exc:
        if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError)):
            raise ExchangeError(f"Le fichier {path} ne peut pas être lu ({exc.strerror or exc}).") from None
        raise ExchangeError(f"Le fichier {path} n'est pas {what} : ce n'est pas une archive ZIP lisible.") from None
    try:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ExchangeError(f"Le fichier {path} contient {len(infos)} éléments : c'est trop pour {what}.")
        total = 0
        seen: set[str] = set()
        for info in infos:
            name = info.filename
            # zipfile reads the last of two members with one name, so a second manifest.json (or sheet) could pass
            # unseen by whoever checked the first one; "\\" counts as "/" as it does on Windows.
            key = name.replace("\\", "/")
            if key in seen:
                raise ExchangeError(f"Le fichier {path} contient deux fois l'élément {name} : ce n'est pas {what} "
                                    "fiable (archive falsifiée ou endommagée), il est refusé.")
            seen.add(key)
            if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                raise ExchangeError(f"Le fichier {path} contient un chemin dangereux ({name!r}) : refusé.")
            if info.file_size > max_member:
                raise ExchangeError(f"Le fichier {path} : l'élément {name} ferait {info.file_size} octets une fois "
                                    f"décompressé, au-delà de la limite de {max_member} octets.")
            if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise ExchangeError(f"Le fichier {path} : l'élément {name} est comprimé plus de {MAX_RATIO} fois "
                                    "(bombe de décompression probable) : refusé.")
            total += info.file_size
        if total > max_total:
            raise ExchangeError(f"Le fichier {path} ferait {total} octets une fois décompressé, au-delà de la "
                                f"limite de {max_total} octets.")
    except BaseException:
        archive.close()
        raise
    return archive
