"""Prometheus text exposition (format 0.0.4) of the bridge's counters and outbox gauges, on a loopback port."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .deliver import Stats

__all__ = ["MetricsServer", "render"]

_COUNTERS = {
    "read": "Local records read",
    "queued": "Operations written to the outbox",
    "rejected_local": "Local records dead-lettered (mapping or validation)",
    "delivered": "Operations delivered",
    "delivered_records": "Records delivered",
    "retried": "Attempts that failed and will be retried",
    "unknown": "Attempts whose outcome was lost (retried with the same key)",
    "dead": "Operations dead-lettered after a permanent national rejection",
    "dead_records": "Records of delivered batches the national side rejected",
    "fenced": "Completions refused because another worker took the row over",
    "reconciled": "Rows found already present nationally after the idempotency window",
}


def render(stats: Stats, gauges: dict[str, float | None]) -> str:
    """The exposition text."""
    lines: list[str] = []
    for name, help_text in _COUNTERS.items():
        metric = f"hazlink_bridge_{name}_total"
        lines += [f"# HELP {metric} {help_text}", f"# TYPE {metric} counter", f"{metric} {getattr(stats, name)}"]
    for name, value in gauges.items():
        metric = f"hazlink_bridge_{name}"
        lines += [f"# TYPE {metric} gauge", f"{metric} {'NaN' if value is None else value}"]
    return "\n".join(lines) + "\n"


class MetricsServer:
    """Serves ``/metrics`` from a background thread; ``gauges`` is called on each scrape."""

    def __init__(
        self, stats: Stats, gauges: Callable[[], dict[str, float | None]], port: int, host: str = "127.0.0.1"
    ) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/metrics":
                    self.send_error(404)
                    return
                body = render(outer.stats, outer.gauges()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.stats, self.gauges = stats, gauges
        self.server = ThreadingHTTPServer((host, port), Handler)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, name="hazlink-metrics", daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()
