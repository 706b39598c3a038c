"""``hazlink monitor``: watch the sync — reconcile both sides on a schedule, alert, serve a health page and metrics.

``hazlink monitor run --once --config monitor.toml`` runs one cycle, prints a table per unit and
resource and exits 0 healthy, 1 when a threshold is breached (or the cycle could not run), 2 on a
configuration error. ``hazlink monitor serve --config monitor.toml`` runs cycles every
``interval_seconds`` and serves the page, ``/metrics`` and JSON on ``--host``/``--port``.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from adapters.bridge.runner import JsonLines
from conformance.monitor import ConfigError, Cycle, Monitor, load_config

from ._output import console, fail, print_error

__all__ = ["app"]

app = typer.Typer(help="Watch the sync: completeness, accuracy, lag, backlog and overdue items per unit.",
                  no_args_is_help=True)  # fmt: skip
log = logging.getLogger("hazlink.monitor")
CONFIG_HELP = "The monitor's TOML configuration (see the README)"


def _logging(level: int = logging.INFO) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    log.addHandler(handler)
    log.setLevel(level)
    return handler


def _num(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def cycle_table(cycle: Cycle) -> Table:
    """The cycle's health, a row per unit and resource, breaches in red."""
    subjects = {s for subs in cycle.breaches.values() for s in subs}
    table = Table(title=f"hazlink monitor · cycle {cycle.id} · {'OK' if cycle.ok else 'BREACH'}")
    for name in ("单位 unit", "资源 resource", "本地 local", "国家 national", "完整率 %", "准确率 %", "lag p50 s",
                 "lag p95 s", "积压 backlog", "逾期 overdue"):  # fmt: skip
        text = name.startswith(("单位", "资源"))
        table.add_column(name, justify="left" if text else "right", no_wrap=text, min_width=18 if text else None)
    for h in cycle.health:
        style = "red" if f"{h.unit}/{h.resource}" in subjects else None
        table.add_row(
            h.unit, h.resource, str(h.local_count), str(h.national_count), _num(h.completeness_pct),
            _num(h.accuracy_pct), _num(h.lag_p50_s, 0), _num(h.lag_p95_s, 0), str(h.backlog), str(h.overdue),
            style=style,
        )  # fmt: skip
    return table


def _load(config: Path) -> Monitor:
    try:
        cfg = load_config(config)
        cfg.national.secret()  # a missing secret is a configuration error, found before the first cycle
        return Monitor(cfg)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    except (ValueError, ImportError) as exc:
        raise fail(f"{config}: {exc}") from None


def _one(monitor: Monitor) -> Cycle | None:
    try:
        return monitor.cycle()
    except ConfigError as exc:
        raise fail(str(exc)) from None
    except Exception as exc:  # reported and alerted by the monitor; the command says why
        print_error(f"{type(exc).__name__}: {exc}", "cycle failed:")
        return None


@app.command("run")
def run_cmd(
    config: Annotated[Path, typer.Option("--config", "-c", help=CONFIG_HELP)] = Path("monitor.toml"),
    once: Annotated[bool, typer.Option("--once/--follow", help="One cycle and exit, or a cycle every interval")] = True,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the cycle's RunResult JSON here")] = None,
) -> None:
    """Run a cycle and print health per unit and resource. Exit 0 healthy, 1 breached or failed, 2 config error."""
    handler = _logging(logging.WARNING)
    monitor = _load(config)
    try:
        while True:
            cycle = _one(monitor)
            if cycle is not None:
                console().print(cycle_table(cycle))
                if json_out is not None:
                    json_out.write_text(cycle.run.model_dump_json(indent=2), encoding="utf-8")
            if once:
                if cycle is None or not cycle.ok:
                    raise typer.Exit(1)
                return
            time.sleep(monitor.config.monitor.interval_seconds)
    except KeyboardInterrupt:
        return
    finally:
        monitor.history.close()
        log.removeHandler(handler)


@app.command("serve")
def serve_cmd(
    config: Annotated[Path, typer.Option("--config", "-c", help=CONFIG_HELP)] = Path("monitor.toml"),
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8950,
) -> None:
    """Run cycles on the schedule and serve the health page, /metrics and JSON."""
    import uvicorn

    from conformance.monitor.web import create_app

    handler = _logging()
    monitor = _load(config)
    monitor.start()
    try:
        uvicorn.run(create_app(monitor), host=host, port=port, log_level="warning", access_log=False)
    finally:
        monitor.stop()
        log.removeHandler(handler)
