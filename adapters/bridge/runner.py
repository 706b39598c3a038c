"""One sync process: build the adapter, the outbox, the signed client, then read and deliver (once or following).

``hazlink sync run`` (``conformance.cli.sync``) and ``python -m adapters.bridge`` (a lean entry
without the rest of the command line, used by the crash tests) both call ``run_sync``.
"""

from __future__ import annotations

import importlib
import json
import logging
import socket
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx

from contracts.signing import SigningAuth

from ..errors import ConfigurationError
from ..registry import BUILTINS, AdapterRegistry, validate_adapter
from ..translate import Translator
from .client import NationalClient
from .deliver import Deliverer, Stats
from .metrics import MetricsServer
from .outbox import Outbox, open_outbox
from .reader import Reader

__all__ = ["JsonLines", "SyncOptions", "build_adapter", "gauges", "parse_settings", "run_sync"]

log = logging.getLogger("hazlink.bridge")
Progress = Callable[[Stats, dict[str, float | None]], None]


@dataclass(kw_only=True)
class SyncOptions:
    """Everything one sync process needs; ``secret`` never appears in its repr."""

    profile: str
    source: str
    national: str
    app_key: str
    secret: str = field(repr=False)
    outbox: str = "sqlite:hazlink-outbox.db"
    once: bool = True
    metrics_port: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    workers: int = 4
    interval: float = 5.0
    max_seconds: float = 600.0
    read_timeout: float = 30.0
    window_hours: float = 24.0
    worker_id: str | None = None
    lease_seconds: float = 120.0
    chunk: int = 500
    batch_size: int = 100


class JsonLines(logging.Formatter):
    """Structured log lines: one JSON object per record, with the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line."""
        doc: dict[str, Any] = {"ts": round(record.created, 3), "level": record.levelname.lower()}
        doc["msg"] = record.getMessage()
        doc.update(getattr(record, "fields", {}))
        return json.dumps(doc, ensure_ascii=False)


def parse_settings(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` adapter settings (digits become integers)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ConfigurationError(f"--set {pair!r}: write key=value")
        out[key.strip()] = int(value) if value.isdigit() else value
    return out


def build_adapter(profile: str, source: str, settings: dict[str, Any], stack: ExitStack) -> Any:
    """The adapter ``profile`` reading ``source`` (a drop folder, a base URL or a SOAP address)."""
    if profile in BUILTINS:  # a built-in adapter: validate just this one (the whole registry costs ~0.5 s)
        module, _, attr = BUILTINS[profile].partition(":")
        cls = getattr(importlib.import_module(module), attr)
        validate_adapter(cls, profile)
    else:
        registry = AdapterRegistry.default()
        if profile not in registry:
            raise ConfigurationError(f"no adapter {profile!r}; registered: {', '.join(sorted(registry.names()))}")
        cls = registry.get(profile)
    wanted = getattr(cls, "settings", {})
    config = dict(settings)
    if "folder" in wanted:
        config.setdefault("folder", source)
    if "address" in wanted:
        config.setdefault("address", source)
    client = stack.enter_context(httpx.Client(base_url=source, timeout=30.0)) if "folder" not in wanted else None
    adapter = cls(config, client=client)
    stack.callback(adapter.close)
    return adapter


def gauges(outbox: Outbox) -> dict[str, float | None]:
    """Backlog, lag (oldest undelivered age), dead letters and unknown outcomes of the outbox."""
    counts = outbox.counts()
    return {
        "backlog": float(counts["pending"] + counts["inflight"]),
        "oldest_undelivered_age_seconds": outbox.oldest_open_age(),
        "dead_letters": float(counts["dead_letters"]),
        "unknown_outcomes": float(counts["unknown_outcomes"]),
    }


def report(stats: Stats, values: dict[str, float | None]) -> None:
    """One structured progress line."""
    fields = {
        k: getattr(stats, k)
        for k in ("read", "queued", "rejected_local", "delivered", "delivered_records", "retried", "unknown", "dead")
    }
    log.info("progress", extra={"fields": {"event": "progress", **fields, **values}})


def run_sync(
    opts: SyncOptions, *, stop: Callable[[], bool] = lambda: False, progress: Progress | None = None, every: float = 1.0
) -> int:
    """Read and deliver; 0 when drained (or stopped while following), 3 when ``--once`` left a backlog.

    Raises ``ConfigurationError`` (or ``ValueError`` for an outbox URL) before anything is sent.
    """
    show = progress or report
    with ExitStack() as stack:
        adapter = build_adapter(opts.profile, opts.source, opts.settings, stack)
        box = open_outbox(opts.outbox)
        stack.callback(box.close)
        http = stack.enter_context(httpx.Client(base_url=opts.national))
        timeout = httpx.Timeout(connect=5.0, read=opts.read_timeout, write=30.0, pool=10.0)
        # a request must end (answered or given up) well inside the lease, or another worker could take it over
        deadline = max(1.0, min(120.0, opts.lease_seconds / 2))
        client = NationalClient(http, SigningAuth(opts.app_key, opts.secret), timeout=timeout, deadline=deadline)
        stats = Stats()
        reader = Reader(
            adapter, box, Translator(adapter.profile()), chunk=opts.chunk, batch_size=opts.batch_size, stats=stats
        )
        owner = opts.worker_id or f"{socket.gethostname()}-sync"
        deliverer = Deliverer(
            box,
            client,
            owner=owner,
            workers=opts.workers,
            lease_s=opts.lease_seconds,
            window_s=opts.window_hours * 3600,
            stats=stats,
        )
        stack.callback(deliverer.close)
        released = box.release(owner)  # rows this worker id held when it was killed
        if released:
            log.info("released", extra={"fields": {"event": "released", "rows": released, "owner": owner}})
        values = gauges(box)
        if opts.metrics_port is not None:
            server = MetricsServer(stats, lambda: dict(values), opts.metrics_port)
            stack.callback(server.close)
            log.info("metrics", extra={"fields": {"event": "metrics", "port": server.port}})
        start = {"event": "start", "profile": opts.profile, "national": opts.national, "app_key": opts.app_key}
        log.info("start", extra={"fields": start})
        started = time.monotonic()
        next_read = 0.0
        last = [0.0]

        def tick() -> None:
            if time.monotonic() - last[0] >= every:
                last[0] = time.monotonic()
                values.update(gauges(box))
                show(stats, values)

        def pause() -> bool:
            if stop():
                return True
            if opts.once:
                return time.monotonic() - started > opts.max_seconds
            return time.monotonic() >= next_read

        while not stop():
            if time.monotonic() >= next_read:
                reader.read_once()
                next_read = time.monotonic() + opts.interval if not opts.once else float("inf")
            deliverer.drain(until=pause, max_wait=0.5, tick=tick)
            last[0] = 0.0
            tick()
            if opts.once:
                break
            while not stop() and time.monotonic() < next_read:
                time.sleep(min(0.2, max(0.0, next_read - time.monotonic())))
        values.update(gauges(box))
        show(stats, values)
        return 3 if opts.once and values["backlog"] else 0
