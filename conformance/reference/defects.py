"""Deliberate defects: each turns the reference integration into a faulty one the suite must fail.

They are the mistakes real integrations make, put where real integrations make them: in reading
(records skipped, records held back), in mapping (kilograms taken for tonnes, GCJ-02 taken for
WGS-84), in delivery (a new idempotency key per retry, ``Retry-After`` ignored, lifecycle steps sent
in the wrong order, failed sends dropped after an outage) and in signing (the body left out).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from adapters.base import Bookmark, SourceRecord
from adapters.bridge import Backoff, Deliverer, NationalClient, Outbox
from adapters.bridge._rows import NewOp
from adapters.bridge.classify import Answer, Verdict
from adapters.bridge.outbox import Conn
from adapters.translate import Accepted, Rejected, Translator
from contracts.signing import SigningAuth, sign_headers
from mappings.transforms.geo import wgs84_to_gcj02

from ..suite.driver import Session

__all__ = ["DEFECTS", "Defects", "Parts", "build_parts"]


@dataclass(frozen=True)
class Defects:
    """Which mistakes the integration makes (none: the reference integration)."""

    name: str = ""
    drop_every: int = 0
    """Skip every n-th record read (100: 1 % of records never leave the local system)."""
    fresh_key_on_retry: bool = False
    kg_as_tonnes: bool = False
    hold_s: float = 0.0
    """Hold every record this long (business clock) after it appears before sending it."""
    ignore_retry_after: bool = False
    gcj02_as_wgs84: bool = False
    steps_reversed: bool = False
    unsigned_body: bool = False
    no_backfill: bool = False


DEFECTS: dict[str, tuple[Defects, str]] = {
    d.name: (d, check)
    for d, check in (
        (Defects("drops-records", drop_every=100), "completeness.exactly_once"),
        (Defects("duplicates-on-retry", fresh_key_on_retry=True), "completeness.exactly_once"),
        (Defects("kg-as-tonnes", kg_as_tonnes=True), "accuracy.fields"),
        (Defects("delays-10-minutes", hold_s=600.0), "timeliness.latency"),
        (Defects("ignores-retry-after", ignore_retry_after=True), "resilience.retry_after"),
        (Defects("gcj02-as-wgs84", gcj02_as_wgs84=True), "accuracy.tracks"),
        (Defects("actions-out-of-order", steps_reversed=True), "accuracy.lifecycle_order"),
        (Defects("signs-wrongly", unsigned_body=True), "security.signatures"),
        (Defects("no-backfill", no_backfill=True), "resilience.backlog_drained"),
    )
}
"""Each faulty integration and the check that must fail on it."""


class _SkippingAdapter:
    """Reads through ``inner`` but loses every n-th record it sees for the first time."""

    def __init__(self, inner: Any, every: int, hold_s: float, clock: Callable[[], datetime]) -> None:
        self._inner, self._every, self._hold, self._clock = inner, every, hold_s, clock
        self._seen: dict[str, datetime] = {}
        self._dropped: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def read(self, since: Bookmark | None) -> Iterator[SourceRecord]:
        records = list(self._inner.read(since))  # every record is stamped when first seen, held or not
        idents = []
        for rec in records:
            ident = hashlib.sha256(json.dumps([rec.stream, rec.data], sort_keys=True, default=str).encode()).hexdigest()
            idents.append(ident)
            if ident not in self._seen:
                self._seen[ident] = self._clock()
                if self._every and len(self._seen) % self._every == 0:
                    self._dropped.add(ident)
        for rec, ident in zip(records, idents, strict=True):
            if self._hold and (self._clock() - self._seen[ident]).total_seconds() < self._hold:
                return  # held back, with everything after it (order kept); read again next time
            if ident not in self._dropped:
                yield rec


class _MistranslatingTranslator(Translator):
    """Kilograms written into the tonnes field; GCJ-02 coordinates passed on as WGS-84."""

    def __init__(self, profile: Any, defects: Defects) -> None:
        super().__init__(profile)
        self.defects = defects

    def translate_one(self, record: SourceRecord) -> Accepted | Rejected:
        out = super().translate_one(record)
        if not isinstance(out, Accepted):
            return out
        model = out.model
        if self.defects.kg_as_tonnes and out.kind == "ledger":
            model = model.model_copy(update={"quantity_t": model.quantity_t * Decimal(1000)})
        if self.defects.gcj02_as_wgs84 and out.kind == "track":
            # the platform's GCJ-02 figures passed on untouched: undo the mapping's conversion
            points = []
            for p in model.points:
                lon, lat = wgs84_to_gcj02(float(p.lon), float(p.lat))
                points.append(p.model_copy(update={"lon": round(lon, 6), "lat": round(lat, 6)}))
            model = model.model_copy(update={"points": points})
        return Accepted(out.record, out.resource, out.kind, model, out.warnings)


class _FreshKeyClient(NationalClient):
    """Every attempt gets a new Idempotency-Key, so a retry of a committed request is a new request."""

    def post(self, path: str, body: Any, idem_key: str) -> Answer:
        return super().post(path, body, f"hz-{uuid.uuid4().hex}")


class _BodylessAuth(httpx.Auth):
    """Signs the request as if its body were empty (signed before the body was serialised)."""

    def __init__(self, base: SigningAuth) -> None:
        self.base = base

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        headers = sign_headers(
            app_key=self.base.app_key,
            secret=self.base._secret,
            method=request.method,
            path=request.url.raw_path.decode("ascii").split("?", 1)[0],
            query=request.url.query.decode("ascii"),
            body=b"",
        )
        request.headers.update(headers)
        yield request


class _ImpatientBackoff(Backoff):
    """Retries after a fixed 50 ms, whatever ``Retry-After`` said."""

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        return 0.05


class _ReversingOutbox(Outbox):
    """Queues the lifecycle steps planned together in reverse order (the creation stays first)."""

    def enqueue(self, db: Conn, ops: Iterable[NewOp]) -> list[int]:
        listed = list(ops)
        steps = [i for i, op in enumerate(listed) if op.kind.startswith("manifest_") and op.kind != "manifest_create"]
        for i, j in zip(steps, reversed(steps), strict=True):
            if i >= j:
                break
            listed[i], listed[j] = listed[j], listed[i]
        return super().enqueue(db, listed)


class _ForgetfulDeliverer(Deliverer):
    """Drops what failed while the national system was down instead of sending it once it is back."""

    def _record(self, op: Any, answer: Answer, verdict: Verdict) -> None:
        if verdict.outcome == "retryable" and (answer.failure is not None or (answer.status or 0) >= 500):
            verdict = Verdict("permanent", f"dropped after {verdict.reason}")
        super()._record(op, answer, verdict)


@dataclass
class Parts:
    """The bridge's parts for one run, with the defects built in."""

    outbox: Outbox
    client: NationalClient
    backoff: Backoff
    deliverer_cls: type[Deliverer]
    wrap_adapter: Callable[[Any], Any]
    translator: Callable[[Any], Translator]


def build_parts(
    defects: Defects, session: Session, http: httpx.Client, outbox_path: Path, clock: Callable[[], datetime]
) -> Parts:
    """Outbox, client, backoff, deliverer class and reader wrappers as ``defects`` say."""
    outbox = (_ReversingOutbox if defects.steps_reversed else Outbox)(outbox_path)
    auth = SigningAuth(session.app_key, session.app_secret)
    client = (_FreshKeyClient if defects.fresh_key_on_retry else NationalClient)(http, auth, deadline=10.0)
    if defects.unsigned_body:
        client._signer = _BodylessAuth(auth)  # type: ignore[assignment]
    backoff = (_ImpatientBackoff if defects.ignore_retry_after else Backoff)(base=0.05, cap=1.0)

    def wrap(adapter: Any) -> Any:
        if defects.drop_every or defects.hold_s:
            return _SkippingAdapter(adapter, defects.drop_every, defects.hold_s, clock)
        return adapter

    def translator(profile: Any) -> Translator:
        if defects.kg_as_tonnes or defects.gcj02_as_wgs84:
            return _MistranslatingTranslator(profile, defects)
        return Translator(profile)

    return Parts(
        outbox=outbox,
        client=client,
        backoff=backoff,
        deliverer_cls=_ForgetfulDeliverer if defects.no_backfill else Deliverer,
        wrap_adapter=wrap,
        translator=translator,
    )
