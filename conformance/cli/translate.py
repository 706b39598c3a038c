"""``hazlink translate``: local exports (or a live local system) → contract records, and a rejection report.

Every record read ends up in exactly one of the two outputs, so in = out + rejected. Exit status:
0 nothing rejected, 1 some records rejected (the good ones are still written), 2 configuration error
(unknown profile, broken mapping file, missing input, bad option).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Annotated, Any

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from adapters import AdapterRegistry, ConfigurationError, Rejected, SourceRecord, Translator, profile_problems
from adapters.files import stream_for_file
from mappings import MappingError, Profile, load_profile

from ._output import console, fail

__all__ = ["translate"]

_PROGRESS_BYTES = 5_000_000


def _profile(ref: str, registry: AdapterRegistry) -> tuple[Profile, type[Any] | None]:
    adapter = registry.get(ref) if ref in registry else None
    profile = load_profile(adapter.mapping if adapter is not None else ref)
    problems = profile_problems(profile)
    if problems:
        raise ConfigurationError("the mapping does not fit the contract:\n" + "\n".join(problems))
    return profile, adapter


def _kinds(profile: Profile, inputs: list[Path], stream: str | None) -> set[str]:
    if stream is not None:
        return {r.kind for r in profile.streams[stream].resources}
    if profile.source.get("format") == "xml" or not inputs:
        return profile.kinds
    streams = {stream_for_file(p, profile.source, list(profile.streams), None) for p in inputs}
    return {r.kind for s in streams for r in profile.streams[s].resources}


def _settings(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ConfigurationError(f"--set {pair!r}: write key=value")
        out[key.strip()] = value.strip()
    return out


def _live(adapter: type[Any] | None, source: str, settings: dict[str, Any], stack: ExitStack) -> Iterator[SourceRecord]:
    if adapter is None:
        raise ConfigurationError("--source needs a registered adapter as --profile, not a mapping path")
    wanted = getattr(adapter, "settings", {})
    config: dict[str, Any] = {}
    for key, text in settings.items():  # --set gives text: read it as the setting's declared type
        kind = getattr(wanted.get(key), "type", str)
        try:
            config[key] = kind(text) if kind in (int, float) else text
        except ValueError:
            raise ConfigurationError(f"--set {key}={text}: {key} is a number") from None
    if "folder" in wanted and "folder" not in config:
        config["folder"] = source
    if "address" in wanted and "address" not in config:
        config["address"] = source
    client = stack.enter_context(httpx.Client(base_url=source, timeout=30.0)) if "folder" not in wanted else None
    instance = adapter(config, client=client)
    stack.callback(instance.close)
    records: Iterator[SourceRecord] = instance.read(None)
    return records


class _Outputs:
    """The output files: one, or one per contract kind when ``{kind}`` is in the name."""

    def __init__(self, pattern: str, stack: ExitStack) -> None:
        self.pattern, self.stack = pattern, stack
        self.files: dict[str, IO[str]] = {}

    def write(self, kind: str, line: str) -> None:
        name = self.pattern.replace("{kind}", kind)
        fh = self.files.get(name)
        if fh is None:
            # The ExitStack of the command closes the files.
            fh = sys.stdout if name == "-" else self.stack.enter_context(Path(name).open("w", encoding="utf-8"))  # noqa: SIM115
            self.files[name] = fh
        fh.write(line)
        fh.write("\n")


def translate(
    inputs: Annotated[
        list[Path] | None, typer.Argument(help="Exported files: JSON pages, NDJSON, CSV, XLSX, XML/SOAP")
    ] = None,
    profile_ref: Annotated[
        str, typer.Option("--profile", "-p", help="Adapter/profile name, or a mapping folder/file")
    ] = "",
    out: Annotated[
        str, typer.Option("--out", "-o", help="Contract records (NDJSON); {kind} splits by kind; - is stdout")
    ] = "",
    rejects: Annotated[
        str | None, typer.Option("--rejects", help="Rejected records (NDJSON); default OUT.rejects.ndjson")
    ] = None,
    stream: Annotated[
        str | None, typer.Option("--stream", help="Stream of the inputs when file names do not tell")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Read a live local system (URL or drop folder)")
    ] = None,
    settings: Annotated[list[str] | None, typer.Option("--set", help="Adapter setting key=value for --source")] = None,
    codelists: Annotated[
        bool, typer.Option("--codelists/--structure-only", help="Also check code lists and rules")
    ] = True,
) -> None:
    """Translate local records into contract records; every rejected record says where it came from and why.

    Exit status: 0 nothing rejected, 1 some records rejected (the others are written), 2 configuration error.
    """
    files = list(inputs or [])
    if not profile_ref or not out:
        raise fail("--profile and --out are required")
    if not files and source is None:
        raise fail("give input files, or --source for a live local system")
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise fail(f"no such input file: {', '.join(missing)}")
    try:
        registry = AdapterRegistry.default()
        profile, adapter = _profile(profile_ref, registry)
        if stream is not None and stream not in profile.streams:
            raise ConfigurationError(f"no stream {stream!r}; the profile has {', '.join(profile.streams)}")
        kinds = _kinds(profile, files, stream)
        if len(kinds) > 1 and "{kind}" not in out:
            raise ConfigurationError(f"the inputs give {' and '.join(sorted(kinds))} records: put {{kind}} in --out")
        live_settings = _settings(settings or [])
    except (MappingError, ConfigurationError) as exc:
        raise fail(str(exc)) from None
    if rejects is not None:
        rejects_path = rejects
    elif out == "-":
        rejects_path = "rejects.ndjson"
    else:
        rejects_path = str(Path(out.replace("{kind}", "all")).with_suffix("")) + ".rejects.ndjson"
    translator = Translator(profile, codelists=codelists)
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    with ExitStack() as stack:
        outputs = _Outputs(out, stack)
        rejected_fh = stack.enter_context(Path(rejects_path).open("w", encoding="utf-8"))
        try:
            results = (
                translator.translate(_live(adapter, source, live_settings, stack))
                if source is not None
                else translator.translate_files(files, stream=stream)
            )
            size = sum(p.stat().st_size for p in files)
            progress = None
            if size > _PROGRESS_BYTES and sys.stderr.isatty():
                columns = (TextColumn("translating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
                progress = stack.enter_context(Progress(*columns, console=console(stderr=True), transient=True))
            task = progress.add_task("records", total=None) if progress is not None else None
            for n, result in enumerate(results, start=1):
                if isinstance(result, Rejected):
                    counts["rejected"] += 1
                    reasons.update(r["code"] for r in result.reasons)
                    rejected_fh.write(_dumps(result.to_dict()) + "\n")
                else:
                    counts["out"] += 1
                    outputs.write(result.kind, result.to_json())
                if progress is not None and task is not None and n % 1000 == 0:
                    progress.update(task, completed=n)
        except (ConfigurationError, MappingError) as exc:
            raise fail(str(exc)) from None
    total = counts["out"] + counts["rejected"]
    top = ", ".join(f"{code} ×{n}" for code, n in reasons.most_common(5))
    err = console(stderr=True)
    err.print(f"{total} in · {counts['out']} out · {counts['rejected']} rejected", highlight=False)
    if counts["rejected"]:
        err.print(f"rejections in {rejects_path}: {top}", highlight=False, markup=False)
        raise typer.Exit(1)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
