"""``hazlink evidence``: check an evidence bundle of a certification run.

``verify DIR`` recomputes every file's SHA-256 and the manifest's hash chain. It exits 0 when the
bundle is intact, 1 when it was tampered with or is incomplete (a file changed, missing or added, an
entry renamed or reordered), 2 when the folder is not a bundle or its manifest cannot be read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from conformance.report import MANIFEST, check_bundle

from ._output import console, print_error

__all__ = ["app"]

app = typer.Typer(help="Check the evidence bundles of certification runs (hashes, hash chain).", no_args_is_help=True)


@app.callback()
def _group() -> None:
    # A callback keeps ``verify`` a named sub-command even while it is the only one.
    pass


@app.command("verify")
def verify(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help=f"The bundle folder (holding {MANIFEST})")],
) -> None:
    """Verify a bundle: exit 0 intact, 1 tampered or incomplete, 2 not a bundle or unreadable."""
    problems = check_bundle(directory)
    if not problems:
        try:
            count = sum(1 for p in directory.rglob("*") if p.is_file()) - 1
        except OSError:
            count = 0
        typer.echo(f"OK 完好: {directory} ({count} files verified)")
        raise typer.Exit(0)
    err = console(stderr=True)
    for problem in problems:
        print_error(problem.message, f"{problem.kind}:")
    if any(p.fatal for p in problems):
        raise typer.Exit(2)
    err.print(f"[bold red]TAMPERED 已被篡改或不完整:[/] {len(problems)} problems", highlight=False)
    raise typer.Exit(1)
