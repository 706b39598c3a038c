"""Find, read, validate and compile mapping files (TOML, or YAML when PyYAML is installed).

A profile is a folder: ``mappings/profiles/<name>/`` for the shipped ones, or any folder given by
path. It holds one mapping file per contract version, named ``<contract>@<version>.toml``, and the
crosswalk CSVs the file names. Everything is checked when the file is loaded; a problem names the
file, the key and, when there is one, the nearest valid key.
"""

from __future__ import annotations

import csv
import importlib
import io
import re
import tomllib
from pathlib import Path
from typing import Any

from ._compile import Scope, compile_fields
from ._conditions import compile_condition, norm
from ._errors import MappingError, Problem, nearest
from ._paths import Getter, PathSyntaxError, compile_getter
from ._profile import Profile, Resource, Stream
from ._source import check_source
from .transforms import TRANSFORMS, Transforms

__all__ = ["PROFILES_DIR", "load_profile", "profile_names"]

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
TOP_KEYS = ("mapping", "crosswalks", "source", "resources")
HEADER_KEYS = ("profile", "title", "description", "contract", "contract_version")
RESOURCE_KEYS = ("kind", "stream", "when", "key", "cursor", "fields", "description")
_SUFFIXES = (".toml", ".yaml", ".yml")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def profile_names() -> list[str]:
    """Names of the shipped profiles."""
    return sorted(p.name for p in PROFILES_DIR.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def _read_document(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError.one(str(path), "", f"cannot be read: {exc}") from None
    if path.suffix == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise MappingError.one(str(path), "", f"not valid TOML: {exc}") from None
    try:
        yaml: Any = importlib.import_module("yaml")
    except ImportError:
        raise MappingError.one(str(path), "", "YAML mappings need PyYAML (pip install pyyaml)") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError.one(str(path), "", f"not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise MappingError.one(str(path), "", "a mapping file is a table at the top")
    return doc


def _find_file(ref: str | Path, contract_version: str | None) -> Path:
    path = Path(ref)
    if not path.exists():
        names = profile_names()
        if isinstance(ref, str) and _NAME.match(ref) and ref in names:
            path = PROFILES_DIR / ref
        else:
            raise MappingError.one(
                str(ref),
                "",
                f"no such profile or mapping file (shipped profiles: {', '.join(names)})",
                nearest(str(ref), names),
            )
    if path.is_file():
        return path
    files = sorted(p for p in path.iterdir() if p.suffix in _SUFFIXES and p.is_file())
    if not files:
        raise MappingError.one(str(path), "", "the folder holds no mapping file (*.toml, *.yaml)")
    if contract_version is not None:
        chosen = [p for p in files if p.stem.endswith("@" + contract_version)]
        if len(chosen) == 1:
            return chosen[0]
        versions = ", ".join(p.name for p in files)
        raise MappingError.one(str(path), "", f"no mapping file for contract {contract_version} (found: {versions})")
    if len(files) > 1:
        raise MappingError.one(str(path), "", f"several mapping files ({', '.join(p.name for p in files)}); name one")
    return files[0]


def _unknown(doc: dict[str, Any], allowed: tuple[str, ...], file: str, key: str, problems: list[Problem]) -> None:
    for k in doc:
        if k not in allowed:
            where = f"{key}.{k}" if key else k
            problems.append(Problem(file, where, f"unknown key (allowed: {', '.join(allowed)})", nearest(k, allowed)))


def _text(doc: dict[str, Any], k: str, file: str, key: str, problems: list[Problem], required: bool = True) -> str:
    v = doc.get(k)
    if v is None and not required:
        return ""
    if not isinstance(v, str) or not v.strip():
        problems.append(Problem(file, f"{key}.{k}", "required text is missing" if v is None else "expected text"))
        return ""
    return v


def _crosswalk_csv(folder: Path, name: str, rel: str, file: str, problems: list[Problem]) -> dict[str, Any]:
    path = (folder / rel).resolve()
    key = f"crosswalks.{name}"
    if not path.is_relative_to(folder.resolve()):
        problems.append(Problem(file, key, f"{rel!r} is outside the profile folder"))
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(file, key, f"cannot read {rel}: {exc}"))
        return {}
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or "local" not in rows[0] or "contract" not in rows[0]:
        problems.append(Problem(str(path), "", "a crosswalk CSV needs a header with the columns local and contract"))
        return {}
    li, ci = rows[0].index("local"), rows[0].index("contract")
    table: dict[str, Any] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if len(row) <= max(li, ci):
            problems.append(Problem(str(path), f"line {line}", "too few columns"))
            continue
        local = norm(row[li])
        if local in table:
            problems.append(Problem(str(path), f"line {line}", f"local value {local!r} appears twice"))
            continue
        table[local] = row[ci].strip()
    return table


def _crosswalks(doc: Any, folder: Path, file: str, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        problems.append(Problem(file, "crosswalks", "expected a table of crosswalks"))
        return {}
    out: dict[str, dict[str, Any]] = {}
    for name, spec in doc.items():
        if isinstance(spec, str):
            out[name] = _crosswalk_csv(folder, name, spec, file, problems)
        elif isinstance(spec, dict) and all(isinstance(v, str | int | float | bool) for v in spec.values()):
            out[name] = {norm(k): v for k, v in spec.items()}
        else:
            problems.append(Problem(file, f"crosswalks.{name}", "expected a CSV file name or a table local = contract"))
    return out


def _paths(value: Any, file: str, key: str, problems: list[Problem]) -> tuple[tuple[str, ...], tuple[Getter, ...]]:
    texts = [value] if isinstance(value, str) else value
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        problems.append(Problem(file, key, "expected a path or a list of paths"))
        return (), ()
    getters = []
    for t in texts:
        try:
            getters.append(compile_getter(t))
        except PathSyntaxError as exc:
            problems.append(Problem(file, key, f"bad path {t!r}: {exc}"))
    return tuple(texts), tuple(getters)


def _resource(name: str, doc: Any, scope: Scope) -> Resource | None:
    file, problems, key = scope.file, scope.problems, f"resources.{name}"
    if not isinstance(doc, dict):
        problems.append(Problem(file, key, "expected a table"))
        return None
    _unknown(doc, RESOURCE_KEYS, file, key, problems)
    kind = _text(doc, "kind", file, key, problems)
    stream = doc.get("stream", name)
    if not isinstance(stream, str):
        problems.append(Problem(file, f"{key}.stream", "expected text"))
    if "key" not in doc:
        problems.append(Problem(file, f"{key}.key", "each resource states its natural key (local paths)"))
    key_texts, key_getters = _paths(doc.get("key", []), file, f"{key}.key", problems) if "key" in doc else ((), ())
    cursor = doc.get("cursor")
    if cursor is not None and not isinstance(cursor, str):
        problems.append(Problem(file, f"{key}.cursor", "expected the path of the cursor field"))
        cursor = None
    when = compile_condition(doc["when"], file, f"{key}.when", problems) if "when" in doc else None
    sub = Scope(file, scope.transforms, scope.crosswalks, problems)
    steps = compile_fields(doc.get("fields"), sub, f"{key}.fields")
    return Resource(
        name=name,
        kind=kind,
        stream=stream if isinstance(stream, str) else name,
        key_paths=key_texts,
        cursor_path=cursor,
        description=str(doc.get("description", "")),
        when=when,
        steps=steps,
        key_getters=key_getters,
        sources=sub.sources,
        targets=sub.targets,
    )


def _streams(resources: list[Resource], file: str, problems: list[Problem]) -> dict[str, Stream]:
    grouped: dict[str, list[Resource]] = {}
    for r in resources:
        grouped.setdefault(r.stream, []).append(r)
    streams: dict[str, Stream] = {}
    for name, members in grouped.items():
        cursors = {r.cursor_path for r in members}
        if len(cursors) > 1:
            problems.append(Problem(file, f"resources.{members[0].name}.cursor", f"stream {name} has several cursors"))
        cursor = members[0].cursor_path
        getter = None
        if cursor is not None:
            try:
                getter = compile_getter(cursor)
            except PathSyntaxError as exc:
                problems.append(Problem(file, f"resources.{members[0].name}.cursor", f"bad path: {exc}"))
        unconditional = [r.name for r in members[:-1] if r.when is None]
        if unconditional:
            problems.append(
                Problem(file, f"resources.{unconditional[0]}.when", "hides the resources after it in its stream")
            )
        streams[name] = Stream(name, cursor, getter, tuple(members))
    return streams


def load_profile(
    ref: str | Path, *, contract_version: str | None = None, transforms: Transforms | None = None
) -> Profile:
    """Load the profile ``ref`` (a shipped profile's name, a folder or a mapping file) and compile it.

    ``contract_version`` picks the file for that version in a folder and must match the file's header.
    Raises ``MappingError`` naming every problem found.
    """
    path = _find_file(ref, contract_version)
    file = str(path)
    doc = _read_document(path)
    problems: list[Problem] = []
    _unknown(doc, TOP_KEYS, file, "", problems)
    header = doc.get("mapping")
    if not isinstance(header, dict):
        raise MappingError.one(file, "mapping", "the [mapping] table (profile, contract, contract_version) is missing")
    _unknown(header, HEADER_KEYS, file, "mapping", problems)
    name = _text(header, "profile", file, "mapping", problems)
    if name and not _NAME.match(name):
        problems.append(Problem(file, "mapping.profile", "use lower-case letters, digits and dashes"))
    contract = _text(header, "contract", file, "mapping", problems)
    version = str(header.get("contract_version", ""))
    if not version:
        problems.append(Problem(file, "mapping.contract_version", "required text is missing"))
    elif "@" in path.stem and path.stem.rsplit("@", 1)[1] != version:
        problems.append(Problem(file, "mapping.contract_version", f"{version} differs from the file name {path.name}"))
    if contract_version is not None and version and version != contract_version:
        problems.append(Problem(file, "mapping.contract_version", f"targets {version}, expected {contract_version}"))
    crosswalks = _crosswalks(doc.get("crosswalks"), path.parent, file, problems)
    scope = Scope(file, transforms or TRANSFORMS, crosswalks, problems)
    raw_resources = doc.get("resources")
    if not isinstance(raw_resources, dict) or not raw_resources:
        problems.append(Problem(file, "resources", "at least one [resources.<name>] table is needed"))
        raw_resources = {}
    resources = [r for n, d in raw_resources.items() if (r := _resource(n, d, scope)) is not None]
    streams = _streams(resources, file, problems)
    source = check_source(doc.get("source"), set(streams), file, problems)
    if problems:
        raise MappingError(problems)
    return Profile(
        name=name,
        title=str(header.get("title", name)),
        contract=contract,
        contract_version=version,
        file=path,
        source=source,
        streams=streams,
        crosswalks=crosswalks,
    )
