"""The engine and the device clients must not depend on Home Assistant."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "custom_components" / "camsync"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_engine_and_devices_do_not_import_homeassistant() -> None:
    files = sorted((PACKAGE / "engine").rglob("*.py")) + sorted((PACKAGE / "devices").rglob("*.py"))
    assert len(files) >= 4
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            name for name in _imported_modules(path) if name.split(".")[0] == "homeassistant"
        )
        for path in files
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_detector_sees_homeassistant_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom homeassistant.core import HomeAssistant\n")
    assert "homeassistant.core" in _imported_modules(sample)
