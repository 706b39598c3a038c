"""The layering of ARCHITECTURE.md, and the pinned public surface of each package."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("contracts", "mappings", "adapters", "mocks", "conformance")
# What each package may import from the others (itself is always allowed).
ALLOWED = {
    "contracts": set(),
    "mappings": set(),
    "adapters": {"contracts", "mappings"},
    "mocks": {"contracts", "mappings"},
    "conformance": {"contracts", "mappings", "adapters", "mocks"},
}


def _imports(path: Path, package: str) -> list[tuple[int, str]]:
    """Top-level package of every import in ``path``, resolving relative imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module_parts = path.relative_to(ROOT).with_suffix("").parts
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module_parts[: len(module_parts) - node.level]
                if path.name == "__init__.py":
                    base = module_parts[: len(module_parts) - node.level + 1][:-1] or module_parts[:1]
                found.append((node.lineno, base[0] if base else package))
            elif node.module:
                found.append((node.lineno, node.module.split(".")[0]))
    return found


def _violations(package: str) -> list[str]:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, top in _imports(path, package):
            if top in PACKAGES and top != package and top not in ALLOWED[package]:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {top}")
    return bad


@pytest.mark.parametrize("package", PACKAGES)
def test_no_package_imports_from_a_floor_above(package: str) -> None:
    assert _violations(package) == []


def test_the_walker_sees_a_violation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A checker that cannot fail proves nothing: plant an upward import and expect it reported.
    fake_root = tmp_path
    (fake_root / "contracts").mkdir()
    (fake_root / "contracts" / "bad.py").write_text("from conformance.cli import app\nfrom . import ok\n")
    monkeypatch.setattr(f"{__name__}.ROOT", fake_root)
    assert _violations("contracts") == ["contracts/bad.py:1 imports conformance"]


@pytest.mark.parametrize("package", PACKAGES)
def test_public_surface_is_declared_and_exists(package: str) -> None:
    module = importlib.import_module(package)
    exported = module.__all__
    assert len(set(exported)) == len(exported), "__all__ names something twice"
    for name in exported:
        assert hasattr(module, name), f"{package}.__all__ names {name}, which does not exist"
