"""Alerts on thresholds: one on breach and one on recovery, to a webhook (POST JSON) and to the log (JSON lines).

An alert is named ``check id:unit/resource`` (or ``monitor.cycle`` when a cycle could not run). Its
state — breached or not, as last notified — is kept in the history store, so a restarted monitor
does not notify a breach twice. A webhook that fails leaves the state unchanged: the next cycle
tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from conformance.suite.model import CheckResult

from .history import History

__all__ = ["CYCLE_ALERT", "Alert", "Alerter"]

log = logging.getLogger("hazlink.monitor")
CYCLE_ALERT = "monitor.cycle"


@dataclass
class Alert:
    """One notification: ``event`` is ``breach`` or ``recovery``."""

    name: str
    event: str
    check: str
    subject: str
    at: datetime
    cycle: int | None = None
    title_zh: str = ""
    title_en: str = ""
    value: Any = None
    threshold: Any = None
    message_zh: str = ""
    message_en: str = ""

    def to_json(self) -> dict[str, Any]:
        """The webhook body."""
        unit, _, resource = self.subject.partition("/")
        return {
            "source": "hazlink-monitor",
            "event": self.event,
            "name": self.name,
            "check": self.check,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "subject": self.subject,
            "unit": unit or None,
            "resource": resource or None,
            "value": self.value,
            "threshold": self.threshold,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "cycle": self.cycle,
            "at": self.at.isoformat(),
        }


class Alerter:
    """Compares each cycle's breaches with the notified state and notifies the changes."""

    def __init__(self, history: History, webhook: str | None = None, timeout: float = 5.0) -> None:
        self.history, self.webhook, self.timeout = history, webhook, timeout
        self.sent = {"breach": 0, "recovery": 0}
        self.failed = 0

    def current(self, checks: Iterable[CheckResult], cycle: int, at: datetime) -> dict[str, Alert]:
        """The alerts in breach after a cycle, by name."""
        out: dict[str, Alert] = {}
        for c in checks:
            for f in c.findings:
                name = f"{c.spec.id}:{f.subject}"
                out[name] = Alert(
                    name, "breach", c.spec.id, f.subject or "", at, cycle, c.spec.title_zh, c.spec.title_en,
                    f.actual, f.expected, f.message_zh, f.message_en,
                )  # fmt: skip
        return out

    def update(self, breached: dict[str, Alert], at: datetime, *, scope: str | None = None) -> list[Alert]:
        """Notify new breaches and recoveries (of alerts starting with ``scope``, when given); the notified."""
        known = self.history.alert_states()
        changes = [a for n, a in breached.items() if not known.get(n)]
        for name, was in known.items():
            in_scope = scope is None or name.startswith(scope)
            if was and in_scope and name not in breached:
                check, _, subject = name.partition(":")
                changes.append(Alert(name, "recovery", check, subject, at, message_en="back within the threshold",
                                     message_zh="已恢复到阈值以内"))  # fmt: skip
        done = []
        for alert in changes:
            if self._notify(alert):
                self.history.set_alert_state(alert.name, alert.event == "breach", at)
                self.sent[alert.event] += 1
                done.append(alert)
        return done

    def after_cycle(self, checks: Iterable[CheckResult], cycle: int, at: datetime) -> list[Alert]:
        """Notify after a cycle that ran: threshold breaches and recoveries, and the cycle's own recovery."""
        breached = self.current(checks, cycle, at)
        return self.update(breached, at)

    def cycle_failed(self, error: str, at: datetime) -> list[Alert]:
        """Notify (once) that cycles cannot run; threshold alerts keep their state meanwhile."""
        alert = Alert(CYCLE_ALERT, "breach", CYCLE_ALERT, "", at, message_en=error, message_zh=f"监控周期失败：{error}")
        return self.update({CYCLE_ALERT: alert}, at, scope=CYCLE_ALERT)

    def _notify(self, alert: Alert) -> bool:
        body = alert.to_json()
        log.warning("alert %s %s", alert.event, alert.name, extra={"fields": {"alert": body}})
        if not self.webhook:
            return True
        try:
            answer = httpx.post(self.webhook, json=body, timeout=self.timeout)
        except httpx.HTTPError as exc:
            self.failed += 1
            log.error("webhook failed", extra={"fields": {"webhook_error": type(exc).__name__, "alert": alert.name}})
            return False
        if answer.status_code >= 300:
            self.failed += 1
            log.error("webhook refused", extra={"fields": {"status": answer.status_code, "alert": alert.name}})
            return False
        return True
