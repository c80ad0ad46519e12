"""House rules the code must keep: Qt only in cvdesk/ui, money never in a float."""
from __future__ import annotations

import ast
from pathlib import Path

from peewee import FloatField, DecimalField

from cvdesk.store.models import RECORD_MODELS

PACKAGE = Path(__file__).resolve().parent.parent / "cvdesk"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_nothing_below_ui_imports_qt() -> None:
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if "ui" not in path.relative_to(PACKAGE).parts[:1] and {"PySide6", "shiboken6"} & _imports(path)
    ]
    assert offenders == []


def test_the_rule_catches_an_offender(tmp_path: Path) -> None:
    offender = tmp_path / "bad.py"
    offender.write_text("from PySide6.QtCore import QObject\n", encoding="utf-8")
    assert "PySide6" in _imports(offender)


def test_no_model_column_is_a_float() -> None:
    floats = [f"{m.__name__}.{name}" for m in RECORD_MODELS for name, f in m._meta.fields.items()
              if isinstance(f, (FloatField, DecimalField))]
    assert floats == []


def test_no_money_code_calls_float() -> None:
    for folder in ("domain", "services", "store", "exchange", "reports"):
        for path in (PACKAGE / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "float"]
            assert calls == [], f"float() dans {path.name}"
