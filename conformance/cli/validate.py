"""``hazlink validate``: validate contract records in a file and print the findings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from contracts import KINDS, Finding, Severity, Validator
from contracts.identifiers import LabelIdScheme

from ..records import InputError, RecordSource, open_records
from ._output import console, findings_table, print_error, summary_line


class Kind(StrEnum):
    """Kinds of record ``validate`` takes; one per entry of ``contracts.KINDS``."""

    UNIT = "unit"
    LICENSE = "license"
    APPROVAL = "approval"
    LABEL = "label"
    LEDGER = "ledger"
    MANIFEST = "manifest"
    TRACK = "track"
    OPERATION = "operation"
    OPERATION_REPORT = "operation-report"


class Format(StrEnum):
    """Output formats."""

    TABLE = "table"
    JSON = "json"


def _scheme(split: str | None) -> LabelIdScheme:
    if split is None:
        return LabelIdScheme()
    try:
        parts = [int(p) for p in split.split(",")]
        if len(parts) != 4:
            raise ValueError("give four lengths")
        return LabelIdScheme(*parts)
    except ValueError as exc:
        raise typer.BadParameter(f"{split!r}: {exc} (e.g. 18,8,8,3)", param_hint="--label-split") from None


def _counted(source: RecordSource, counter: list[int], progress: Progress | None) -> Iterator[tuple[int, Any]]:
    task = progress.add_task("validating", total=source.size) if progress else None
    for ref, rec in source.records:
        counter[0] += 1
        if progress is not None and task is not None and isinstance(rec, bytes):
            progress.advance(task, len(rec) + 1)
        yield ref, rec


def run_validation(
    kind: str, path: str, *, codelists: bool = True, scheme: LabelIdScheme | None = None, show_progress: bool = False
) -> tuple[int, list[Finding]]:
    """Validate every record of ``path``; returns (records read, findings). Raises ``InputError``."""
    source = open_records(path)
    validator = Validator(kind, codelists=codelists, label_scheme=scheme or LabelIdScheme())
    counter = [0]
    if show_progress and source.size > 5_000_000:
        columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console(stderr=True), transient=True) as progress:
            findings = list(validator.validate_many(_counted(source, counter, progress)))
    else:
        findings = list(validator.validate_many(_counted(source, counter, None)))
    return counter[0], findings


def validate(
    file: Annotated[str, typer.Argument(help="JSON, JSON array or NDJSON file; - reads standard input")],
    kind: Annotated[Kind, typer.Option("--kind", "-k", help="Kind of record in the file")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table for people, json for programs")] = Format.TABLE,
    codelists: Annotated[
        bool, typer.Option("--codelists/--structure-only", help="Also check code lists, check digits and rules")
    ] = True,
    label_split: Annotated[
        str | None, typer.Option("--label-split", help="Label id segment lengths, default 18,8,8,3")
    ] = None,
) -> None:
    """Validate records against the national contract and print the findings.

    Exit status: 0 when no error-level finding, 1 when there are, 2 when the input cannot be read.
    """
    scheme = _scheme(label_split)
    try:
        count, findings = run_validation(
            kind.value, file, codelists=codelists, scheme=scheme, show_progress=fmt is Format.TABLE
        )
    except InputError as exc:
        print_error(str(exc))
        raise typer.Exit(2) from None
    if fmt is Format.JSON:
        typer.echo(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
    else:
        out = console()
        if findings:
            out.print(findings_table(findings, title=f"{file} ({KINDS[kind.value].title_zh} {kind.value})"))
        out.print(summary_line(count, findings))
    if any(f.severity is Severity.ERROR for f in findings):
        raise typer.Exit(1)
