"""Before the window starts on Linux: name the Debian packages that Qt's xcb platform needs and this machine lacks.

Run by `make run` (python -m cvdesk.system_libraries). It reads the Qt plugin's dependencies with ldd and imports
no Qt module, so it can speak before Qt would abort with « could not load the Qt platform plugin "xcb" »."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

# Shared library → the Debian (and Ubuntu) package that ships it.
PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0", "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1", "libxcb-sync.so.1": "libxcb-sync1", "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-shm.so.0": "libxcb-shm0", "libxcb-render.so.0": "libxcb-render0", "libxcb-util.so.1": "libxcb-util1",
    "libxcb-glx.so.0": "libxcb-glx0", "libxcb-xinput.so.0": "libxcb-xinput0", "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0", "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1", "libX11.so.6": "libx11-6", "libSM.so.6": "libsm6", "libICE.so.6": "libice6",
    "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1", "libOpenGL.so.0": "libopengl0", "libGLX.so.0": "libglx0",
    "libfontconfig.so.1": "libfontconfig1", "libfreetype.so.6": "libfreetype6", "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0", "libgthread-2.0.so.0": "libglib2.0-0",
    "libgssapi_krb5.so.2": "libgssapi-krb5-2", "libcups.so.2": "libcups2",
}


def qt_libraries() -> list[Path]:
    """The xcb platform plugin and the Qt libraries it loads, inside the installed PySide6."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    candidates = [qt / "plugins" / "platforms" / "libqxcb.so", *sorted((qt / "lib").glob("libQt6XcbQpa.so*")),
                  *sorted((qt / "lib").glob("libQt6Gui.so*")), *sorted((qt / "lib").glob("libQt6PrintSupport.so*"))]
    return [path for path in candidates if path.is_file()]


def missing_libraries(libraries: list[Path]) -> list[str]:
    """The shared libraries ldd cannot find for these files."""
    missing: set[str] = set()
    for library in libraries:
        result = subprocess.run(["ldd", str(library)], capture_output=True, text=True)
        for line in result.stdout.splitlines():
            if "=> not found" in line:
                missing.add(line.split("=>")[0].strip())
    return sorted(missing)


def main() -> int:
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM", "xcb") != "xcb":
        return 0
    if shutil.which("ldd") is None:
        return 0
    missing = missing_libraries(qt_libraries())
    if not missing:
        return 0
    packages = sorted({PACKAGES.get(name, name) for name in missing})
    print("La fenêtre ne peut pas s'ouvrir : il manque à ce système des bibliothèques dont Qt a besoin "
          f"({', '.join(missing)}). Installez-les avec : sudo apt install {' '.join(packages)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
