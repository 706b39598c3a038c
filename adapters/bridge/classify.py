"""What a national answer means for an outbox row, and when to try again.

::

    delivered   2xx (a replay with Idempotent-Replayed counts too); a ledger batch is delivered even
                when some of its records were rejected: those become dead letters one by one
    permanent   4xx other than 401/408/409 idempotency.in_flight/425/429, and a 200 whose body says
                {"success": false}: the row is dead-lettered with the national problem
    retryable   5xx, 401, 408, 425, 429, 409 idempotency.in_flight, connection refused, connect timeout:
                the request was not taken; back off and send again with the same key
    unknown     the answer was lost after the request left (reset, dropped, truncated, read timeout,
                unparseable or oversized body): retry with the same key, counted apart, never as
                failed or delivered

Backoff is capped exponential with full jitter; a ``Retry-After`` (seconds or HTTP-date) is a floor.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any, Literal

__all__ = ["Answer", "Backoff", "Verdict", "classify", "parse_retry_after"]

Outcome = Literal["delivered", "permanent", "retryable", "unknown"]
_RETRY_STATUSES = frozenset({401, 408, 425, 429})


@dataclass(slots=True)
class Answer:
    """What came back for one request: a status and parsed body, or the transport failure."""

    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    failure: str | None = None
    sent: bool = True
    """False when the request provably never left (connection refused, connect timeout)."""
    elapsed: float = 0.0

    @property
    def replayed(self) -> bool:
        """The national side replayed a stored answer for this Idempotency-Key."""
        return self.headers.get("idempotent-replayed", "").lower() == "true"


@dataclass(slots=True)
class Verdict:
    """The classification of an answer: its outcome, why, and the Retry-After floor if any."""

    outcome: Outcome
    reason: str
    retry_after: float | None = None


def _code(body: Any) -> str:
    return str(body.get("code", "")) if isinstance(body, dict) else ""


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP-date); None if absent or bad."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    # An HTTP-date has whole seconds: wait until the stated second has begun, never earlier.
    return max(0.0, when.timestamp() - current)


def classify(answer: Answer) -> Verdict:
    """The outcome of one answer (see the module docstring)."""
    if answer.failure is not None:
        if not answer.sent:
            return Verdict("retryable", answer.failure)
        return Verdict("unknown", answer.failure)
    status = answer.status or 0
    code = _code(answer.body)
    if 200 <= status < 300:
        if isinstance(answer.body, dict) and answer.body.get("success") is False:
            message = answer.body.get("message") or answer.body.get("msg") or ""
            return Verdict("permanent", f"business error {code or '?'}: {message}".strip())
        return Verdict("delivered", "replayed" if answer.replayed else f"HTTP {status}")
    retry_after = parse_retry_after(answer.headers.get("retry-after"))
    reason = f"HTTP {status} {code}".strip()
    if status >= 500 or status in _RETRY_STATUSES or (status == 409 and code == "idempotency.in_flight"):
        return Verdict("retryable", reason, retry_after)
    return Verdict("permanent", reason, retry_after)


@dataclass
class Backoff:
    """Capped exponential backoff with full jitter; ``rng`` is injectable for repeatable tests."""

    base: float = 0.5
    cap: float = 60.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds before attempt ``attempts + 1``; never less than ``retry_after``."""
        ceiling = min(self.cap, self.base * math.pow(2, min(attempts, 30)))
        wait = self.rng.uniform(0, ceiling)
        if retry_after is not None:
            # a little past the stated time, so a clock tick apart cannot make the retry early
            wait = max(wait, retry_after + 0.05)
        return wait
