"""The evidence bundle: the reports of a run and its raw evidence in one folder, hashed and chained.

``MANIFEST.json`` lists every file with its SHA-256 and size, in path order, and a hash chain over
them: ``h0 = sha256(run_id)``, ``h_i = sha256(h_{i-1} + path_i + sha256_i)`` (hex strings). The
per-file hashes catch a changed byte; the listing catches a deleted or added file; the chain, which
binds each hash to its path, its position and the run id, catches entries renamed, swapped or
reordered in the manifest. The chain is not a signature: whoever can rewrite every file can rewrite
the manifest too, so keep the manifest's chain value somewhere else (ticket, log) when that matters.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from conformance.suite.model import RunResult

from .html import write_html
from .junit import write_junit
from .serial import write_json

__all__ = ["BUNDLE_FORMAT", "MANIFEST", "Problem", "chain", "check_bundle", "verify_bundle", "write_bundle"]

BUNDLE_FORMAT = "hazlink-evidence/1"
MANIFEST = "MANIFEST.json"
REPORTS = ("report.json", "report.html", "junit.xml")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bundle. ``kind`` is ``unreadable`` when the folder is not a bundle at all."""

    kind: str
    message: str

    @property
    def fatal(self) -> bool:
        """The bundle cannot be checked at all (no or unreadable manifest)."""
        return self.kind == "unreadable"

    def __str__(self) -> str:
        return self.message


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        # Journals can be large: hash in blocks rather than reading them whole.
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def chain(run_id: str, entries: Iterable[tuple[str, str]]) -> str:
    """The hash chain over ``(path, sha256)`` pairs in the given order, seeded by the run id."""
    head = hashlib.sha256(run_id.encode("utf-8")).hexdigest()
    for path, sha in entries:
        head = hashlib.sha256(f"{head}{path}{sha}".encode()).hexdigest()
    return head


def _safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return bool(name) and "\\" not in name and not pure.is_absolute() and ".." not in pure.parts and name == str(pure)


def write_bundle(directory: Path, run: RunResult, extra: Mapping[str, bytes | Path]) -> Path:
    """Write the reports, the ``extra`` files (name → bytes or file to copy) and the manifest; return the manifest path.

    ``directory`` is created if needed and must be empty: mixing the files of two runs would make
    neither verifiable. Extra names are relative POSIX paths and may not replace a report.
    """
    directory = Path(directory)
    for name in extra:
        if not _safe_name(name) or name in (*REPORTS, MANIFEST):
            raise ValueError(f"extra file name not allowed in a bundle: {name!r}")
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise FileExistsError(f"{directory} is not empty")
    write_json(run, directory / "report.json")
    write_html(run, directory / "report.html")
    write_junit(run, directory / "junit.xml")
    for name, content in extra.items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            shutil.copyfile(content, target)
    files: list[dict[str, Any]] = []
    for name in sorted([*REPORTS, *extra]):
        path = directory / name
        files.append({"path": name, "sha256": _sha256(path), "bytes": path.stat().st_size})
    manifest = {
        "format": BUNDLE_FORMAT,
        "run_id": run.identity.run_id,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": files,
        "chain": chain(run.identity.run_id, ((f["path"], f["sha256"]) for f in files)),
    }
    target = directory / MANIFEST
    target.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target


def _load(directory: Path) -> tuple[dict[str, Any] | None, str]:
    if not directory.is_dir():
        return None, f"{directory}: not a directory"
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, f"{directory}: no {MANIFEST}, not an evidence bundle"
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, f"{MANIFEST} unreadable: {exc}"
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        return None, f"{MANIFEST} unreadable: format is not {BUNDLE_FORMAT}"
    entries = manifest.get("files")
    shape_ok = isinstance(entries, list) and all(
        isinstance(e, dict)
        and isinstance(e.get("path"), str)
        and isinstance(e.get("sha256"), str)
        and isinstance(e.get("bytes"), int)
        for e in entries
    )
    if not shape_ok or not isinstance(manifest.get("run_id"), str) or not isinstance(manifest.get("chain"), str):
        return None, f"{MANIFEST} unreadable: run_id, chain or files missing or malformed"
    return manifest, ""


def _check_file(directory: Path, entry: Mapping[str, Any]) -> Problem | None:
    name: str = entry["path"]
    if not _safe_name(name) or name == MANIFEST:
        return Problem("unsafe", f"{name}: path not allowed in a bundle")
    path = directory / name
    if path.is_symlink() or (path.exists() and not path.is_file()):
        return Problem("unsafe", f"{name}: not a regular file")
    if not path.exists():
        return Problem("missing", f"{name}: file missing")
    size, sha = path.stat().st_size, _sha256(path)
    if sha != entry["sha256"] or size != entry["bytes"]:
        return Problem("hash", f"{name}: hash differs (listed {entry['bytes']} bytes, found {size} bytes)")
    return None


def _run_id_problem(directory: Path, run_id: str) -> Problem | None:
    try:
        found = json.loads((directory / "report.json").read_text(encoding="utf-8"))["identity"]["run_id"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return Problem("report", "report.json: not a readable run result")
    if found != run_id:
        return Problem("run_id", f"report.json is run {found}, the manifest says {run_id}")
    return None


def check_bundle(directory: Path) -> list[Problem]:
    """Every problem of the bundle in ``directory``, with its kind; empty when it is intact."""
    directory = Path(directory)
    manifest, why = _load(directory)
    if manifest is None:
        return [Problem("unreadable", why)]
    entries: list[dict[str, Any]] = manifest["files"]
    paths = [e["path"] for e in entries]
    problems = [p for p in (_check_file(directory, e) for e in entries) if p is not None]
    problems += [
        Problem("duplicate", f"{p}: listed more than once") for p, n in sorted(Counter(paths).items()) if n > 1
    ]
    problems += [Problem("missing", f"{r}: report not listed in the manifest") for r in REPORTS if r not in paths]
    if paths != sorted(paths):
        problems.append(Problem("order", "manifest entries are not in path order"))
    if chain(manifest["run_id"], ((e["path"], e["sha256"]) for e in entries)) != manifest["chain"]:
        problems.append(Problem("chain", "hash chain broken: entries renamed, reordered or altered in the manifest"))
    listed = set(paths) | {MANIFEST}
    for path in sorted(directory.rglob("*")):
        name = path.relative_to(directory).as_posix()
        if (path.is_file() or path.is_symlink()) and name not in listed:
            problems.append(Problem("unlisted", f"{name}: file not listed in the manifest"))
    if "report.json" in paths and (directory / "report.json").is_file():
        mismatch = _run_id_problem(directory, manifest["run_id"])
        if mismatch is not None:
            problems.append(mismatch)
    return problems


def verify_bundle(directory: Path) -> list[str]:
    """The problems of the bundle (missing, changed or unlisted files, broken chain, unreadable manifest); [] = good."""
    return [p.message for p in check_bundle(directory)]
