"""``hazlink demo``: validate the shipped sample records and show that every finding is the expected one."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import typer
from rich.table import Table

from contracts import KINDS, Finding, Severity

from ._output import console, findings_table, summary_line
from .validate import run_validation


def _expectation(findings: list[Finding], expect: dict[str, list[str]]) -> list[str]:
    """What differs between the findings and the sample's declared expectation (empty when none)."""
    problems: list[str] = []
    found: dict[str, set[str]] = {}
    for f in findings:
        if f.severity is not Severity.INFO:
            found.setdefault(str(f.record), set()).add(f.code)
    for record, codes in expect.items():
        missing = set(codes) - found.get(record, set())
        if missing:
            problems.append(f"record {record}: expected {', '.join(sorted(missing))}")
    for f in findings:
        if f.severity is Severity.ERROR and str(f.record) not in expect:
            problems.append(f"record {f.record}: unexpected {f.code}")
    return problems


def demo() -> None:
    """Validate the sample records shipped with hazlink and print their findings.

    Valid samples must give no error; each invalid sample must give the finding it was written to
    show. Exit 0 when every sample behaves as declared, 1 otherwise.
    """
    samples = resources.files("contracts").joinpath("samples")
    index: list[dict[str, Any]] = json.loads(samples.joinpath("index.json").read_text(encoding="utf-8"))
    out = console()
    overview = Table(title="hazlink demo: sample records against contract 2024.1")
    for col in ("file", "kind", "records", "errors", "warnings", "as declared"):
        overview.add_column(col)
    failures = 0
    with resources.as_file(samples) as folder:
        for entry in index:
            path = str(folder / entry["file"])
            count, findings = run_validation(entry["kind"], path)
            problems = _expectation(findings, entry["expect"])
            failures += bool(problems)
            if findings:
                out.print(findings_table(findings, title=f"{entry['file']} — {KINDS[entry['kind']].title_zh}"))
            else:
                out.print(f"[green]{entry['file']}[/]: {summary_line(count, findings)}")
            for p in problems:
                out.print(f"[bold red]  not as declared:[/] {p}")
            overview.add_row(
                entry["file"],
                entry["kind"],
                str(count),
                str(sum(f.severity is Severity.ERROR for f in findings)),
                str(sum(f.severity is Severity.WARNING for f in findings)),
                "[red]no[/]" if problems else "[green]yes[/]",
            )
    out.print(overview)
    if failures:
        out.print(f"[bold red]{failures} sample file(s) did not behave as declared[/]")
        raise typer.Exit(1)
    out.print("[green]Every valid sample passed and every invalid sample raised the finding it demonstrates.[/]")
