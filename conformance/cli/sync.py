"""``hazlink sync``: deliver a local system's records to the national API through a durable outbox.

``hazlink sync run`` reads the adapter from its bookmark into the outbox and delivers (``--once``:
until drained, ``--follow``: continuously); ``hazlink sync status`` shows the backlog and the dead
letters; ``hazlink sync retry-dead`` replays dead letters after a fix. The issue's ``hazlink sync
--profile …`` is ``hazlink sync run --profile …``: typer needs a subcommand beside the other two.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.live import Live
from rich.table import Table

from adapters import AdapterRegistry, ConfigurationError, Translator
from adapters.bridge import Outbox, Stats, open_outbox, retry_dead
from adapters.bridge.runner import JsonLines, SyncOptions, parse_settings, run_sync
from mappings import MappingError

from ._output import console, fail

__all__ = ["app"]

app = typer.Typer(
    help="Deliver local records to the national API (outbox, retries, dead letters). "
    "`hazlink sync --profile …` of the issue is `hazlink sync run --profile …`.",
    no_args_is_help=True,
)
log = logging.getLogger("hazlink.bridge")
OUTBOX_HELP = "sqlite:PATH (PostgreSQL is not supported yet)"


def _view(stats: Stats, gauges: dict[str, float | None]) -> Table:
    table = Table(title="hazlink sync", show_header=False)
    lag = gauges.get("oldest_undelivered_age_seconds")
    rows = [
        ("read", stats.read),
        ("queued (operations)", stats.queued),
        ("delivered (operations / records)", f"{stats.delivered} / {stats.delivered_records}"),
        ("retrying (failed / unknown outcome)", f"{stats.retried} / {stats.unknown}"),
        ("dead (local / national)", f"{stats.rejected_local} / {stats.dead + stats.dead_records}"),
        ("backlog", int(gauges.get("backlog") or 0)),
        ("lag (oldest undelivered)", "—" if lag is None else f"{lag:.1f} s"),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    return table


@app.command("run")
def run_cmd(
    profile: Annotated[str, typer.Option("--profile", "-p", help="Registered adapter name")],
    source: Annotated[str, typer.Option(help="The local system: base URL or drop folder")],
    national: Annotated[str, typer.Option(help="Base URL of the national API (without /api/v1)")],
    app_key: Annotated[str, typer.Option(help="National app key")],
    app_secret_file: Annotated[Path, typer.Option(help="File holding the app secret (never logged)")],
    outbox: Annotated[str, typer.Option(help=OUTBOX_HELP)] = "sqlite:hazlink-outbox.db",
    once: Annotated[bool, typer.Option("--once/--follow", help="Drain once and exit, or keep following")] = True,
    metrics_port: Annotated[int | None, typer.Option(help="Serve Prometheus metrics on this loopback port")] = None,
    settings: Annotated[list[str] | None, typer.Option("--set", help="Adapter setting key=value")] = None,
    workers: Annotated[int, typer.Option(help="Groups delivered in parallel")] = 4,
    interval: Annotated[float, typer.Option(help="--follow: seconds between reads of the local system")] = 5.0,
    max_seconds: Annotated[float, typer.Option(help="--once: give up draining after this long")] = 600.0,
    read_timeout: Annotated[float, typer.Option(help="Seconds to wait for a national answer")] = 30.0,
    window_hours: Annotated[float, typer.Option(help="National idempotency window")] = 24.0,
    worker_id: Annotated[
        str | None, typer.Option(help="Stable id of this worker (default: host name); unique per process")
    ] = None,
    lease_seconds: Annotated[float, typer.Option(help="How long a claimed row is this worker's")] = 120.0,
    chunk: Annotated[int, typer.Option(min=1, help="Local records per outbox transaction")] = 500,
    batch_size: Annotated[int, typer.Option(min=1, max=500, help="Ledger records per national batch")] = 100,
) -> None:
    """Read the local system into the outbox and deliver it. Exit 0 drained, 3 backlog left (--once), 2 config error."""
    tty = sys.stderr.isatty()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s") if tty else JsonLines())
    log.addHandler(handler)
    log.setLevel(logging.WARNING if tty else logging.INFO)
    try:
        secret = app_secret_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise fail(f"cannot read --app-secret-file: {exc.strerror}") from None
    if not secret:
        raise fail("--app-secret-file is empty")
    try:
        opts = SyncOptions(
            profile=profile,
            source=source,
            national=national,
            app_key=app_key,
            secret=secret,
            outbox=outbox,
            once=once,
            metrics_port=metrics_port,
            settings=parse_settings(settings or []),
            workers=workers,
            interval=interval,
            max_seconds=max_seconds,
            read_timeout=read_timeout,
            window_hours=window_hours,
            worker_id=worker_id,
            lease_seconds=lease_seconds,
            chunk=chunk,
            batch_size=batch_size,
        )
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    stopped = [False]
    signal.signal(signal.SIGTERM, lambda signum, frame: stopped.__setitem__(0, True))
    with ExitStack() as stack:
        stack.callback(log.removeHandler, handler)
        progress = None
        every = 1.0
        if tty:
            live = stack.enter_context(Live(Table(), console=console(stderr=True), transient=False))

            def progress(stats: Stats, values: dict[str, float | None]) -> None:
                live.update(_view(stats, values))

            every = 0.2
        try:
            code = run_sync(opts, stop=lambda: stopped[0], progress=progress, every=every)
        except (ConfigurationError, MappingError, ValueError) as exc:
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            code = 0
    if code:
        raise typer.Exit(code)


@app.command("status")
def status_cmd(
    outbox: Annotated[str, typer.Option(help=OUTBOX_HELP)] = "sqlite:hazlink-outbox.db",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    limit: Annotated[int, typer.Option(help="Dead letters to show")] = 20,
) -> None:
    """Backlog, oldest undelivered age, unknown outcomes and dead letters with their reasons."""
    box = _open_existing(outbox)
    try:
        counts = box.counts()
        age = box.oldest_open_age()
        letters = box.dead_letters()
    finally:
        box.close()
    shown: list[dict[str, Any]] = [
        {
            "id": d.id,
            "origin": d.origin,
            "stream": d.stream,
            "where": d.position,
            "reasons": [
                {"code": r.get("code"), "message": r.get("message_en") or r.get("message_zh")} for r in d.reasons
            ],
        }
        for d in letters[:limit]
    ]
    doc: dict[str, Any] = {
        "counts": counts,
        "backlog": counts["pending"] + counts["inflight"],
        "oldest_undelivered_age_s": age,
    }
    doc["dead_letters"] = shown
    if as_json:
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    out = console()
    out.print(
        f"backlog {doc['backlog']} · delivered {counts['delivered']} · dead operations {counts['dead']} · "
        f"dead letters {counts['dead_letters']} · unknown outcomes {counts['unknown_outcomes']} · "
        f"oldest undelivered {'—' if age is None else f'{age:.1f} s'}",
        highlight=False,
    )
    for d in shown:
        reasons = "; ".join(f"{r['code']}: {r['message']}" for r in d["reasons"])
        out.print(f"#{d['id']} {d['origin']} {d['stream']} {d['where']}: {reasons}", markup=False, highlight=False)


@app.command("retry-dead")
def retry_dead_cmd(
    outbox: Annotated[str, typer.Option(help=OUTBOX_HELP)] = "sqlite:hazlink-outbox.db",
    profile: Annotated[
        str | None, typer.Option("--profile", "-p", help="Adapter to translate local records again")
    ] = None,
) -> None:
    """Queue dead letters again after a fix (local records are translated anew; national ones get a new key)."""
    box = _open_existing(outbox)
    try:
        translator = None
        if profile is not None:
            registry = AdapterRegistry.default()
            if profile not in registry:
                raise fail(f"no adapter {profile!r}")
            translator = Translator(registry.get(profile).profile())
        result = retry_dead(box, translator)
    finally:
        box.close()
    console().print(
        f"requeued {result['requeued']} · still dead {result['still_dead']} · skipped {result['skipped']}"
        + (" (give --profile to translate local records again)" if result["skipped"] and profile is None else ""),
        highlight=False,
    )


def _open_existing(url: str) -> Outbox:
    path = url.removeprefix("sqlite:")
    if not url.startswith(("postgresql:", "postgres:")) and not Path(path).exists():
        raise fail(f"no outbox at {path}")
    try:
        return open_outbox(url)
    except ValueError as exc:
        raise fail(str(exc)) from None
