"""Whatever a user types after an option, the command line answers with one French sentence and exit 2, or does
the work: never « Erreur inattendue », never a traceback, and the base is left closed cleanly."""
from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvdesk.cli import main
from cvdesk.store.lock import lock_path

hostile_text = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["\udcff", "9" * 40, "-1", "0", "1e999", "NaN", "QP059001\x00", "' OR 1=1 --", "%s%n"]),
)


@pytest.fixture(scope="module")
def demo_copy(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "bureau.db"
    shutil.copyfile(demo_template, path)
    return path


def _run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse refuses by exiting
            code = exc.code
    return code, err.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(option=st.sampled_from(["--orientation", "--year", "--quartier", "--funder"]), value=hostile_text)
def test_hostile_programme_options_get_a_sentence(demo_copy: Path, tmp_path: Path, option: str, value: str) -> None:
    out = tmp_path / "programme.pdf"
    code, err = _run(["report", "programme", "--db", str(demo_copy), "--year", "2015", option, value,
                      "--out", str(out)])
    assert code in (0, 2), err
    assert "inattendue" not in err and "Traceback" not in err
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err
    assert not lock_path(demo_copy).exists() or lock_path(demo_copy).read_bytes() == b""
    out.unlink(missing_ok=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["quartier", "action", "association", "meeting"]), value=hostile_text)
def test_hostile_identifiers_get_a_sentence(demo_copy: Path, tmp_path: Path, kind: str, value: str) -> None:
    code, err = _run(["report", kind, "--db", str(demo_copy), "--id", value, "--out", str(tmp_path / "f.pdf")])
    assert code in (0, 2), err
    assert "inattendue" not in err and "Traceback" not in err
    (tmp_path / "f.pdf").unlink(missing_ok=True)
