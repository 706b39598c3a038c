"""The delivery loop: claim group heads with a lease, send them in parallel, record each outcome under its fence.

The main thread owns the outbox (claims and completions); a small thread pool only does HTTP.
Different groups go in parallel (up to ``workers`` at a time); inside a group only the head is ever
claimed, so a manifest's steps and a unit's ledger batches stay strictly in order.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from . import hooks
from .classify import Answer, Backoff, Verdict, classify
from .client import NationalClient
from .outbox import Op, Outbox
from .reconcile import Found, reconcile

__all__ = ["Deliverer", "Stats"]

log = logging.getLogger("hazlink.bridge")


@dataclass
class Stats:
    """Counters of one bridge process (what the live view and the metrics endpoint show)."""

    read: int = 0
    queued: int = 0
    rejected_local: int = 0
    delivered: int = 0
    delivered_records: int = 0
    retried: int = 0
    unknown: int = 0
    dead: int = 0
    dead_records: int = 0
    fenced: int = 0
    reconciled: int = 0
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=10_000))
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        """Add to counters."""
        with self.lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)


@dataclass
class _Job:
    op: Op
    path: str | None
    check: bool
    number: str | None


class Deliverer:
    """Delivers outbox rows to the national API; one per process (or several, each with its own owner id)."""

    def __init__(
        self,
        outbox: Outbox,
        client: NationalClient,
        *,
        owner: str | None = None,
        workers: int = 4,
        lease_s: float = 120.0,
        backoff: Backoff | None = None,
        window_s: float = 86400.0,
        stats: Stats | None = None,
    ) -> None:
        self.outbox = outbox
        self.client = client
        self.owner = owner or f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.workers = workers
        self.lease_s = lease_s
        self.backoff = backoff or Backoff()
        self.window_s = window_s
        self.stats = stats or Stats()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hazlink-send")

    def close(self) -> None:
        """Stop the thread pool."""
        self._pool.shutdown(wait=True)

    @property
    def clock(self) -> Callable[[], float]:
        """The outbox's clock (injected in tests to jump past the idempotency window)."""
        return self.outbox.clock

    def step(self) -> int:
        """Claim up to ``workers`` heads, send them in parallel, record the outcomes; the number claimed."""
        claimed = self.outbox.claim(self.owner, self.workers, self.lease_s)
        jobs = [self._prepare(op) for op in claimed]
        futures = [(job, self._pool.submit(self._run, job)) for job in jobs if job is not None]
        for job, future in futures:
            self._finish(job, *future.result())
        return len(claimed)

    def drain(
        self,
        *,
        until: Callable[[], bool] | None = None,
        max_wait: float = 1.0,
        tick: Callable[[], None] | None = None,
    ) -> None:
        """Deliver until nothing is open (or ``until()`` is true), keeping up to ``workers`` requests in flight.

        Unlike ``step`` this pipelines: as soon as one request is answered, the next head is claimed.
        ``tick`` is called after each round of completions (progress reports).
        """
        running: dict[Future[tuple[Found | None, Answer | None]], _Job] = {}
        try:
            while until is None or not until():
                free = self.workers - len(running)
                if free > 0:
                    for op in self.outbox.claim(self.owner, free, self.lease_s):
                        job = self._prepare(op)
                        if job is not None:
                            running[self._pool.submit(self._run, job)] = job
                if running:
                    done, _ = wait(running, timeout=max_wait, return_when=FIRST_COMPLETED)
                    for future in done:
                        self._finish(running.pop(future), *future.result())
                    if tick is not None:
                        tick()
                    continue
                due = self.outbox.next_due()
                if due is None:
                    return
                time.sleep(min(max_wait, max(0.005, due - self.clock())))
        finally:
            for future in list(running):  # let what is in flight finish and record it
                self._finish(running.pop(future), *future.result())

    # -- one row --------------------------------------------------------------------------------------
    def _prepare(self, op: Op) -> _Job | None:
        path = str(op.payload["path"])
        number = None
        if "{no}" in path or op.kind == "manifest_create":
            number = self.outbox.national_no(op.ref)
        if "{no}" in path:
            if number is None:
                if self.outbox.group_has_dead_create(op.group):
                    self._complete(op, "dead", error="its manifest_create is a dead letter")
                else:
                    self._complete(op, "retry", error="national number not known yet", next_at=self.clock() + 1)
                return None
            path = path.replace("{no}", number)
        stale = op.attempts > 0 and op.first_at is not None and self.clock() - op.first_at > self.window_s
        check = stale and op.kind != "manifest_tracks"
        return _Job(op, path, check, number)

    def _run(self, job: _Job) -> tuple[Found | None, Answer | None]:
        if job.check:
            found = reconcile(self.client, job.op, job.number)
            if found.present or found.failure:
                return found, None
        if not self.outbox_holds(job.op):
            return None, None
        hooks.point("send")
        send = self.client.put if job.op.payload.get("method") == "PUT" else self.client.post
        answer = send(str(job.path), job.op.payload["body"], job.op.idem_key)
        hooks.point("sent")
        return None, answer

    def outbox_holds(self, op: Op) -> bool:
        """Whether this worker still holds ``op`` (checked again right before sending)."""
        return op.lease_owner == self.owner and self.outbox.holds(op)

    def _finish(self, job: _Job, found: Found | None, answer: Answer | None) -> None:
        op = job.op
        if found is not None:
            if found.present:
                self.stats.add(reconciled=1)
                number = (op.ref, found.number) if op.kind == "manifest_create" and found.number else None
                self._complete(op, "delivered", answer={"reconciled": True, "number": found.number}, number=number)
            else:
                self._complete(op, "retry", error=f"look-up failed: {found.failure}", next_at=self._later(op, None))
            return
        if answer is None:
            self.stats.add(fenced=1)
            return
        verdict = classify(answer)
        self._record(op, answer, verdict)

    def _later(self, op: Op, retry_after: float | None) -> float:
        return self.clock() + self.backoff.delay(op.attempts, retry_after)

    def _record(self, op: Op, answer: Answer, verdict: Verdict) -> None:
        summary: dict[str, Any] = {"status": answer.status, "reason": verdict.reason}
        if verdict.outcome == "delivered":
            dead: list[tuple[list[dict[str, Any]], Any]] = []
            number = None
            records = 1
            if op.kind == "ledger_batch":
                dead, records = self._batch_results(op, answer)
            elif op.kind == "operation_record":
                summary["outcome"] = answer.headers.get("x-hz-outcome")  # created, updated or duplicate
            elif op.kind == "manifest_create" and isinstance(answer.body, dict):
                no = answer.body.get("manifest_no")
                number = (op.ref, str(no)) if no else None
                summary["manifest_no"] = no
            if self._complete(op, "delivered", answer=summary, dead=dead, number=number):
                self.stats.add(delivered=1, delivered_records=records - len(dead), dead_records=len(dead))
                with self.stats.lock:
                    self.stats.latencies.append(max(0.0, self.clock() - op.enqueued_at))
        elif verdict.outcome == "permanent":
            summary["problem"] = answer.body
            if self._complete(op, "dead", answer=summary, error=verdict.reason):
                self.stats.add(dead=1)
        else:
            outcome = "unknown" if verdict.outcome == "unknown" else "retry"
            if self._complete(
                op, outcome, answer=summary, error=verdict.reason, next_at=self._later(op, verdict.retry_after)
            ):
                self.stats.add(**{"unknown" if outcome == "unknown" else "retried": 1})
            log.info("retry %s #%d (%s): %s", op.kind, op.id, outcome, verdict.reason)

    @staticmethod
    def _batch_results(op: Op, answer: Answer) -> tuple[list[tuple[list[dict[str, Any]], Any]], int]:
        records = op.payload["body"]["records"]
        results = answer.body.get("results") if isinstance(answer.body, dict) else None
        dead: list[tuple[list[dict[str, Any]], Any]] = []
        for r in results or []:
            if isinstance(r, dict) and r.get("outcome") == "rejected":
                i = r.get("index")
                record = records[i] if isinstance(i, int) and 0 <= i < len(records) else None
                dead.append((list(r.get("findings") or []), record))
        return dead, len(records)

    def _complete(self, op: Op, outcome: str, **kwargs: Any) -> bool:
        done = self.outbox.complete(op, outcome, **kwargs)
        if not done:
            self.stats.add(fenced=1)
            log.warning("fenced: %s #%d was taken over by another worker", op.kind, op.id)
        hooks.point("ack")
        return done
