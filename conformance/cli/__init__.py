"""The ``hazlink`` command line."""

from __future__ import annotations

import typer

from . import certify, contract, demo, evidence, label, mock, monitor, sync, translate, validate

app = typer.Typer(
    name="hazlink",
    help="Connect local hazardous-waste systems to the national system and prove the link.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("certify")(certify.certify_cmd)
app.command("reference-driver")(certify.reference_driver_cmd)
app.command("validate")(validate.validate)
app.command("demo")(demo.demo)
app.command("translate")(translate.translate)
app.add_typer(contract.app, name="contract")
app.add_typer(mock.app, name="mock")
app.add_typer(sync.app, name="sync")
app.add_typer(label.app, name="label")
app.add_typer(monitor.app, name="monitor")
app.add_typer(evidence.app, name="evidence")


def main() -> None:
    """Entry point of the ``hazlink`` console script."""
    app()


__all__ = ["app", "main"]
