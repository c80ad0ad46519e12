"""`make run` names the Debian packages Qt's window needs before Qt itself would abort."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cvdesk.system_libraries import PACKAGES, missing_libraries, qt_libraries


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd et le greffon xcb n'existent que sous Linux")
def test_the_xcb_plugin_is_found_and_each_missing_library_has_its_package() -> None:
    libraries = qt_libraries()
    assert any(path.name == "libqxcb.so" for path in libraries)
    for name in missing_libraries(libraries):
        assert name in PACKAGES, f"{name} : paquet Debian inconnu"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd n'existe que sous Linux")
def test_a_program_with_all_its_libraries_lacks_nothing() -> None:
    assert missing_libraries([Path(sys.executable).resolve()]) == []
