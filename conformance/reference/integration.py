"""The reference integration: hazlink's own local systems and bridge, driven through the driver protocol.

It is what a good integration looks like, and what ``hazlink certify --demo`` certifies end to end:

- the local system is the reference provincial platform ``prov-rest`` (manifests and GPS fixes, kept
  in its own form: pinyin keys, local times, counted 桶, GCJ-02) plus a plant's ledger software
  exporting to a drop folder (``enterprise-csv``: ledger records, the operation record book and its
  reports, in GB18030 CSV with Chinese headers);
- the integration is the bridge (``adapters.bridge``) following both through their adapters every
  ``interval`` seconds, with the outbox in a temporary folder, signed requests, idempotency keys,
  retries that honour ``Retry-After``; labels are asked of the national system when the local system
  prints one, as units do.

``Defects`` turns it into one of the deliberately faulty integrations that prove the suite can fail.
"""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from pydantic import TypeAdapter

from adapters.bridge import Backoff, Deliverer, NationalClient, Outbox, Reader, Stats
from adapters.bridge.classify import classify
from adapters.enterprise_csv import EnterpriseCsvAdapter
from adapters.prov_rest import ProvRestAdapter
from contracts import Manifest, OperationRecord, OperationReport, TrackPoint
from contracts.ledger import LedgerRecord
from mocks.local import TZ, enterprise_csv
from mocks.local import prov_rest as prov
from mocks.local.inprocess import asgi_client

from ..suite.driver import Event, EventResult, Session, SutInfo, SutStatus
from .defects import Defects, build_parts

__all__ = ["ReferenceIntegration"]

_LEDGER: TypeAdapter[Any] = TypeAdapter(LedgerRecord)
VERSION = "2024.1-ref.1"
SETTLE_S = 1.0
"""The platform's read window ends this long before now (records of the current second may still change)."""


class ReferenceIntegration:
    """prov-rest + enterprise-csv + the bridge, as a driver (a Python object; serve it with ``driver_app``)."""

    def __init__(self, defects: Defects | None = None, *, interval: float = 0.2, workers: int = 4) -> None:
        self.defects = defects or Defects()
        self.interval = interval
        self.workers = workers
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._error: BaseException | None = None
        self._last_write = 0.0
        self._last_read = 0.0
        """When the local stores were last written, and when a read that covered them last started (monotonic)."""
        # The local systems are plain in-memory stores and append-only files: a read must not see a
        # half-written row, so local writes and the bridge's reads take turns.
        self._lock = threading.Lock()
        self.clock: Callable[[], datetime] = lambda: datetime.now(TZ)

    # -- identity ---------------------------------------------------------------------------------------
    def info(self) -> SutInfo:
        """The reference integration's name (with the defect, for a faulty variant) and version."""
        name = "hazlink-reference" + (f"+{self.defects.name}" if self.defects.name else "")
        return SutInfo(name=name, version=VERSION, capabilities=["shared_clock"])

    # -- a run ------------------------------------------------------------------------------------------
    def start(self, session: Session, clock: Callable[[], datetime] | None = None) -> None:
        """Build the local systems and the bridge for ``session`` and start following."""
        self.stop()
        self._stop.clear()
        self.clock = clock or (lambda: datetime.now(TZ))
        self._tmp = tempfile.TemporaryDirectory(prefix="hazlink-ref-")
        work = Path(self._tmp.name)
        self.drop = work / "drop"
        self.drop.mkdir()
        self.platform = prov.ProvRestSystem(clock=self.clock)
        self.platform_http = asgi_client(prov.create_app(self.platform), "http://prov.local")
        self.http = httpx.Client(base_url=session.national_url, timeout=httpx.Timeout(10.0))
        parts = build_parts(self.defects, session, self.http, work / "outbox.db", self.clock)
        self.outbox: Outbox = parts.outbox
        self.client: NationalClient = parts.client
        self.stats = Stats()
        rest = ProvRestAdapter(
            {"token": self.platform.token, "settle_seconds": SETTLE_S}, client=self.platform_http, clock=self.clock
        )
        files = EnterpriseCsvAdapter({"folder": str(self.drop), "settle_seconds": 0.0})
        self.readers = [
            Reader(parts.wrap_adapter(a), self.outbox, parts.translator(a.profile()), stats=self.stats)
            for a in (rest, files)
        ]
        self.deliverer: Deliverer = parts.deliverer_cls(
            self.outbox,
            self.client,
            owner="reference",
            workers=self.workers,
            lease_s=30.0,
            backoff=parts.backoff,
            stats=self.stats,
        )
        self._thread = threading.Thread(target=self._follow, name="hazlink-reference", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        try:
            while not self._stop.is_set():
                next_read = time.monotonic() + self.interval
                started = time.monotonic()
                for reader in self.readers:
                    with self._lock:
                        reader.read_once()
                self._last_read = started

                def due(at: float = next_read) -> bool:
                    return self._stop.is_set() or time.monotonic() >= at

                self.deliverer.drain(until=due, max_wait=0.05)
                self._stop.wait(max(0.0, next_read - time.monotonic()))
        except BaseException as exc:  # surfaced by status(): a dead follower must not look idle
            self._error = exc

    def stop(self) -> None:
        """Stop following and remove the run's files."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
            self.deliverer.close()
            self.outbox.close()
            self.http.close()
            self.platform_http.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def status(self) -> SutStatus:
        """Open outbox rows (queued, in flight, waiting to retry) and dead letters."""
        if self._error is not None:
            raise RuntimeError(f"the reference bridge stopped: {self._error!r}") from self._error
        counts = self.outbox.counts()
        backlog = counts["pending"] + counts["inflight"]
        # Records written locally but not yet read are backlog too: the platform's read window ends
        # SETTLE_S before now, so a write counts as read once a read started that long after it.
        unread = self._last_read < self._last_write + SETTLE_S
        return SutStatus(backlog=backlog, idle=backlog == 0 and not unread, dead_letters=counts["dead_letters"])

    # -- business events --------------------------------------------------------------------------------
    def perform(self, event: Event) -> EventResult:
        """Store the event's record in the local systems (or ask for a label) the way their users do."""
        handler = getattr(self, "_" + event.event.replace(".", "_"), None)
        if handler is None:
            return EventResult(correlation_id=event.correlation_id, status="unsupported", message=event.event)
        try:
            if event.event == "label.issue":
                result = handler(event.data)  # talks to the national system, not to the local stores
            else:
                with self._lock:
                    result = handler(event.data)
                    self._last_write = time.monotonic()
        except _Refused as exc:
            return EventResult(correlation_id=event.correlation_id, status="failed", message=str(exc))
        return EventResult(correlation_id=event.correlation_id, status="done", result=result or {})

    def _label_issue(self, data: dict[str, Any]) -> dict[str, Any]:
        key = f"label-{uuid.uuid4().hex}"  # one key for every attempt of this request
        backoff = Backoff(base=0.1, cap=1.0)
        deadline = time.monotonic() + 5.0  # a unit at the printer waits a few seconds, not minutes
        attempt = 0
        while True:
            answer = self.client.post("/labels", data["request"], key)
            verdict = classify(answer)
            if verdict.outcome == "delivered" and isinstance(answer.body, dict):
                return {"label_id": answer.body["label_id"]}
            if verdict.outcome == "permanent" or answer.status == 401:  # nobody waits at a printer for a new key
                raise _Refused(f"label refused: {verdict.reason}")
            wait = backoff.delay(attempt, verdict.retry_after)
            if time.monotonic() + wait > deadline:
                raise _Refused(f"label not issued: {verdict.reason}")
            time.sleep(wait)
            attempt += 1

    def _ledger_record(self, data: dict[str, Any]) -> None:
        record = _LEDGER.validate_python(data["record"]).model_dump()
        enterprise_csv.write_event(self.drop, record)

    def _manifest_save(self, data: dict[str, Any]) -> None:
        m = Manifest.model_validate(data["manifest"]).model_dump()
        self.platform.save("ldxx", prov.render_manifest(m))

    def _manifest_track(self, data: dict[str, Any]) -> None:
        for point in data["points"]:
            p = TrackPoint.model_validate(point).model_dump()
            for k in ("speed_kmh", "heading_deg"):  # the platform writes them as plain decimals
                if p.get(k) is not None:
                    p[k] = Decimal(str(p[k]))
            self.platform.save("gjxx", prov.render_track(data["local_ref"], p))

    def _operation_record(self, data: dict[str, Any]) -> None:
        enterprise_csv.write_operation(self.drop, OperationRecord.model_validate(data["record"]).model_dump())

    def _operation_report(self, data: dict[str, Any]) -> None:
        enterprise_csv.write_report(self.drop, OperationReport.model_validate(data["report"]).model_dump())


class _Refused(Exception):
    """The national system refused what the local system asked for synchronously."""
