"""Printing findings: a rich table for people, JSON for programs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from contracts import Finding, Severity

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def findings_table(findings: Iterable[Finding], title: str | None = None) -> Table:
    """A table with one row per finding."""
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("记录 record", justify="right", no_wrap=True)
    table.add_column("级别 severity", no_wrap=True)
    table.add_column("代码 code", no_wrap=True)
    table.add_column("位置 path", overflow="fold")
    table.add_column("说明 message", overflow="fold")
    for f in findings:
        record = "—" if f.record is None else str(f.record)
        table.add_row(
            record, f"[{_STYLE[f.severity]}]{f.severity.value}[/]", f.code, f.path, f"{f.message_zh}\n{f.message_en}"
        )
    return table


def summary_line(records: int, findings: list[Finding]) -> str:
    """One line: records read and findings by severity."""
    by = Counter(f.severity for f in findings)
    return (
        f"{records} records · {by[Severity.ERROR]} errors · {by[Severity.WARNING]} warnings · {by[Severity.INFO]} notes"
    )


def console(stderr: bool = False) -> Console:
    """A console that never wraps tables narrower than a normal terminal.

    Emoji codes are off: text such as ``KEY:SECRET:SCOPE`` must print as written, not as ``KEY㊙SCOPE``.
    """
    return Console(stderr=stderr, width=None if stderr else max(Console().width, 120), emoji=False)


def print_error(message: str, label: str = "error:") -> None:
    """``label message`` on standard error: the label in bold red, the message exactly as given.

    The message is never read as markup, so paths, values and brackets in it (``[1]``, ``[/]``) print
    as they are.
    """
    text = Text.assemble((label, "bold red"), " ", message)
    console(stderr=True).print(text, soft_wrap=True, highlight=False)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` with ``print_error``; returns the exit for the caller to raise."""
    print_error(message)
    return typer.Exit(code)
