"""Install the example plugin package for the test session through a real entry point.

What ``pip install -e examples/hazlink-acme-gps`` leaves behind is a ``*.dist-info`` folder with the
package's ``entry_points.txt`` on ``sys.path``. The fixture writes exactly that, from the package's
own ``pyproject.toml``, into a temporary folder: ``importlib.metadata`` then finds the plugin the way
it finds an installed one, without a venv, a build or the network.
"""

from __future__ import annotations

import importlib
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hazlink-acme-gps"


@pytest.fixture(scope="session")
def acme_installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    site = tmp_path_factory.mktemp("site-packages")
    dist = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n", encoding="utf-8"
    )
    lines = []
    for group, entries in project["entry-points"].items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {target}" for name, target in entries.items()]
    (dist / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    added = [str(site), str(EXAMPLE / "src")]
    sys.path[:0] = added
    importlib.invalidate_caches()
    try:
        yield dist
    finally:
        for entry in added:
            sys.path.remove(entry)
        sys.modules.pop("hazlink_acme_gps", None)
        importlib.invalidate_caches()
