"""``hazlink contract``: the contract's OpenAPI document and its catalogue of finding codes."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from contracts import CATALOG, CONTRACT_VERSION
from contracts.openapi import build_openapi, load_openapi, openapi_path, render

from ._output import console

app = typer.Typer(help="The national contract: OpenAPI document and finding codes.", no_args_is_help=True)


@app.command("openapi")
def openapi(
    write: Annotated[bool, typer.Option("--write", help="Regenerate the stored document in the source tree")] = False,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 when the stored document is stale")] = False,
) -> None:
    """Print the OpenAPI 3.1 document of the REST binding (or regenerate or check the stored one)."""
    doc = build_openapi()
    if write:
        openapi_path().write_text(render(doc), encoding="utf-8")
        console(stderr=True).print(f"wrote {openapi_path()}")
        return
    if check:
        if load_openapi() != doc:
            console(stderr=True).print("[red]stored openapi.json is stale:[/] run hazlink contract openapi --write")
            raise typer.Exit(1)
        console(stderr=True).print("stored openapi.json is up to date")
        return
    typer.echo(render(doc), nl=False)


@app.command("findings")
def findings() -> None:
    """List every finding code with its default severity and messages."""
    table = Table(title=f"Finding codes of contract {CONTRACT_VERSION}")
    for col in ("code", "severity", "中文", "English"):
        table.add_column(col, overflow="fold")
    for code in sorted(CATALOG):
        ft = CATALOG[code]
        table.add_row(code, ft.severity.value, ft.zh, ft.en)
    console().print(table)
