"""The running monitor: cycles on a schedule in a background thread, alerts, counters, the latest figures.

``Monitor.cycle()`` runs one cycle now (``hazlink monitor run --once``); ``Monitor.start()`` runs
one every ``interval_seconds`` until ``stop()`` (``hazlink monitor serve``). A cycle that cannot run
(the national side unreachable, a local export missing) is logged, counted and alerted once; the
schedule goes on.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime
from typing import Any

from .alerts import Alerter
from .config import MonitorConfig
from .cycle import CHINA, Cycle, Engine, run_cycle
from .history import History, open_history
from .metrics import Counters

__all__ = ["Monitor", "SideFactory"]

log = logging.getLogger("hazlink.monitor")
SideFactory = Callable[[MonitorConfig, ExitStack], tuple[Any, Any]]


def _default_sides(config: MonitorConfig, stack: ExitStack) -> tuple[Any, Any]:
    from .sides import local_side, national_side

    return local_side(config.local), national_side(config.national, stack)


class Monitor:
    """One monitor: its configuration, history store, alerter and counters."""

    def __init__(
        self,
        config: MonitorConfig,
        *,
        engine: Engine | None = None,
        sides: SideFactory | None = None,
        history: History | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(CHINA),
    ) -> None:
        if engine is None:
            from .sides import default_engine

            engine = default_engine()
        self.config, self.engine, self.now = config, engine, now
        self.sides = sides or _default_sides
        self.history = history or open_history(config.monitor.history)
        self.alerter = Alerter(self.history, config.alerts.webhook, config.alerts.timeout_seconds)
        self.counters = Counters()
        self.last: Cycle | None = None
        self.last_error: str | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def cycle(self) -> Cycle:
        """Run one cycle now, notify alerts, count it; errors are raised after being counted and alerted."""
        with self._lock:
            t0 = time.monotonic()
            try:
                with ExitStack() as stack:
                    local, national = self.sides(self.config, stack)
                    cycle = run_cycle(self.config, local, national, self.history, self.engine, now=self.now)
            except Exception as exc:
                self.counters.cycles["error"] += 1
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.error("cycle failed", extra={"fields": {"error": self.last_error}})
                self.alerter.cycle_failed(self.last_error, self.now())
                self._count_alerts()
                raise
            self.last, self.last_error = cycle, None
            self.counters.cycles["ok" if cycle.ok else "breach"] += 1
            self.counters.last_cycle_ts = time.time()
            self.counters.last_cycle_seconds = time.monotonic() - t0
            self.alerter.after_cycle(cycle.run.checks, cycle.id, self.now())
            self._count_alerts()
            log.info(
                "cycle",
                extra={"fields": {"cycle": cycle.id, "ok": cycle.ok, "breaches": cycle.breaches,
                                  "seconds": round(self.counters.last_cycle_seconds, 3)}},
            )  # fmt: skip
            return cycle

    def _count_alerts(self) -> None:
        self.counters.alerts = dict(self.alerter.sent)
        self.counters.alert_failures = self.alerter.failed

    def _loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(Exception):  # counted, logged and alerted in cycle(); the schedule goes on
                self.cycle()
            self._stop.wait(self.config.monitor.interval_seconds)

    def start(self) -> None:
        """Run cycles on the schedule in a background thread (the first one at once)."""
        self._thread = threading.Thread(target=self._loop, name="hazlink-monitor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the schedule (the running cycle completes) and close the history store."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.history.close()
