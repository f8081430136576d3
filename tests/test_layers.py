"""Layers: Home Assistant layer -> engine <- devices. The engine imports neither of the others.

The Home Assistant layer reaches the engine through its facade, its values, errors and camera
protocol only.
"""

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


def _package_imports(path: Path, package: Path = PACKAGE) -> set[str]:
    """Return the camsync subpackages (or top-level modules) a module imports."""
    tree = ast.parse(path.read_text(), filename=str(path))
    depth = len(path.relative_to(package).parts) - 1
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            up = depth - (node.level - 1)
            parts = [*path.relative_to(package).parts[:up], *(node.module or "").split(".")]
            names.add(parts[0] if parts and parts[0] else "")
        elif isinstance(node, ast.ImportFrom | ast.Import):
            modules = (
                [node.module]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
            )
            for module in modules:
                if module and module.startswith("custom_components.camsync."):
                    names.add(module.split(".")[2])
    return names


def test_engine_does_not_import_devices_or_the_home_assistant_layer() -> None:
    files = sorted((PACKAGE / "engine").rglob("*.py"))
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_package_imports(path) - {"engine", ""})
        for path in files
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_devices_import_only_the_engine() -> None:
    files = sorted((PACKAGE / "devices").rglob("*.py"))
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_package_imports(path) - {"engine", "devices", ""})
        for path in files
    }
    assert {path: names for path, names in offenders.items() if names} == {}


# engine.mirrors is a package whose __init__ is its curated public surface (settings, targets,
# the mirror set, health and reasons); the mirror flow, runtime and entities use it as it is.
ENGINE_SURFACE = {
    "engine.camera",
    "engine.errors",
    "engine.facade",
    "engine.models",
    "engine.mirrors",
}


def _engine_modules(path: Path) -> set[str]:
    """Return the engine modules a Home Assistant layer module imports (``engine.x``)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return {
        ".".join(node.module.split(".")[:2])
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.level == 1
        and node.module
        and node.module.startswith("engine")
    }


def test_home_assistant_layer_uses_the_engine_through_its_surface() -> None:
    files = sorted(PACKAGE.glob("*.py"))
    assert len(files) >= 10
    offenders = {path.name: sorted(_engine_modules(path) - ENGINE_SURFACE) for path in files}
    assert {name: modules for name, modules in offenders.items() if modules} == {}


def test_engine_surface_detector(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from .engine.run import run_sync\nfrom .engine.facade import CameraArchive\n"
    )
    assert _engine_modules(sample) == {"engine.run", "engine.facade"}


def test_package_import_detector(tmp_path: Path) -> None:
    sample = tmp_path / "engine" / "sample.py"
    sample.parent.mkdir()
    sample.write_text(
        "from ..devices.base import x\nfrom .models import y\n"
        "from custom_components.camsync.coordinator import z\n"
    )
    assert _package_imports(sample, tmp_path) == {"devices", "engine", "coordinator"}
